package io.barco.spec;

import io.barco.Setting;
import java.nio.file.Path;
import java.util.Objects;
import java.util.Set;

/**
 * An extra mount inside the container: a bind of a host path, or a fresh tmpfs. A bind with
 * {@code hostRootAsContainerRoot} is an idmapped mount: what the source's owner owns (the host's root,
 * for /root/.m2; the user, for a project a user builds through sudo), the container's user owns, so
 * it may enter directories only that owner could, and an overlay on it may copy files up.
 */
public record Mount(
        Kind kind, Path source, String target, boolean readOnly, boolean hostRootAsContainerRoot, String upperParent) {
    public enum Kind {
        BIND,
        TMPFS,
        OVERLAY
    }

    /**
     * Filesystems on which Linux makes idmapped mounts (5.12 and later), which an overlay whose lower
     * layer the host's root owns needs (to copy a file up, it must give the copy the file's owner);
     * elsewhere (9p, NFS, FUSE…) there is none. Not overlayfs: it takes idmapped layers (5.19), but a
     * mount of an overlayfs cannot itself be idmapped (mount_setattr: EINVAL, on 6.18 too), and
     * overlayfs is what a Docker container's root is.
     */
    public static final Set<String> IDMAPPABLE_FILESYSTEMS =
            Set.of("ext4", "ext3", "ext2", "xfs", "btrfs", "f2fs", "vfat", "tmpfs");

    /** The releases from which Linux has them, where later than 5.12: tmpfs from 6.3 (Debian 12's 6.1 has none on /tmp). */
    private static final java.util.Map<String, int[]> IDMAPPED_SINCE =
            java.util.Map.of("btrfs", new int[] {5, 15}, "f2fs", new int[] {5, 18}, "tmpfs", new int[] {6, 3});

    /** Whether a filesystem of type {@code fstype} has idmapped mounts on kernel {@code release}. */
    public static boolean idmappable(String fstype, String release) {
        int[] since = IDMAPPED_SINCE.getOrDefault(fstype, new int[] {5, 12});
        return IDMAPPABLE_FILESYSTEMS.contains(fstype)
                && io.barco.sys.KernelRelease.atLeast(release, since[0], since[1]);
    }

    public Mount {
        Objects.requireNonNull(kind, "kind");
        Objects.requireNonNull(target, "target");
        if (!target.startsWith("/")) {
            throw new InvalidSpecException(
                    "mount target '" + target + "' is not absolute: give a path inside the container such as /data",
                    kind == Kind.TMPFS ? Setting.TMPFS : Setting.BINDS);
        }
        if (kind == Kind.BIND && (source == null || !source.isAbsolute())) {
            throw new InvalidSpecException("bind source '" + source + "' is not an absolute host path", Setting.BINDS);
        }
        if (kind == Kind.OVERLAY && (upperParent == null || !upperParent.startsWith("/"))) {
            throw new InvalidSpecException("overlay on '" + target
                    + "' needs the absolute path, inside, of a writable directory for its upper layer");
        }
        target = ContainerPaths.normalize(target);
    }

    public Mount(Kind kind, Path source, String target, boolean readOnly, boolean hostRootAsContainerRoot) {
        this(kind, source, target, readOnly, hostRootAsContainerRoot, null);
    }

    public Mount(Kind kind, Path source, String target, boolean readOnly) {
        this(kind, source, target, readOnly, false);
    }

    /**
     * A writable overlay on {@code target}, whose own content (as mounted before this, earlier in the
     * spec's list) is the lower layer: writes go to {@code upperParent/upper} inside, a directory an
     * earlier mount made writable (a bind of a host directory the container's user owns, whose
     * {@code upper} the host reads afterwards), and the lower layer never changes.
     */
    public static Mount overlay(String target, String upperParent) {
        return new Mount(Kind.OVERLAY, null, target, false, false, upperParent);
    }

    public static Mount bind(Path source, String target, boolean readOnly) {
        return new Mount(Kind.BIND, source, target, readOnly);
    }

    /** A read-only bind in which the files of the source's owner belong to the container's user (an idmapped mount). */
    public static Mount bindAsContainerRoot(Path source, String target) {
        return new Mount(Kind.BIND, source, target, true, true);
    }

    public static Mount tmpfs(String target) {
        return new Mount(Kind.TMPFS, null, target, false);
    }

    @Override
    public String toString() {
        return switch (kind) {
            case BIND -> source + ":" + target + (readOnly ? ":ro" : ":rw");
            case TMPFS -> "tmpfs:" + target;
            case OVERLAY -> "overlay:" + target + " (upper in " + upperParent + ")";
        };
    }
}
