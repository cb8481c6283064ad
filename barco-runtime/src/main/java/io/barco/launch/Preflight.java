package io.barco.launch;

import io.barco.BarcoException;
import io.barco.Setting;
import io.barco.plan.HostFacts;
import io.barco.plan.LaunchPlanner;
import io.barco.spec.ContainerSpec;
import io.barco.spec.InvalidSpecException;
import io.barco.spec.Mount;
import io.barco.sys.Host;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Checks, before anything is created, that this host can run the spec and that the spec's host
 * paths are usable. Each failure is one line naming the problem and the fix. What it found out
 * about the host is kept: the host does not change under a running JVM.
 */
public final class Preflight {
    /** mount_setattr, the newest call the helper needs, came with Linux 5.12. */
    static final int[] MIN_KERNEL = {5, 12};

    private final Host host;
    private volatile String hostProblem;
    private volatile boolean hostChecked;

    public Preflight(Host host) {
        this.host = host;
    }

    public void check(ContainerSpec spec) {
        checkHost();
        checkPaths(spec);
    }

    /** Null when this host can run containers, else why not. */
    public String hostProblem() {
        if (!hostChecked) {
            hostProblem = findHostProblem();
            hostChecked = true;
        }
        return hostProblem;
    }

    void checkHost() {
        String problem = hostProblem();
        if (problem != null) {
            throw new BarcoException(problem);
        }
    }

    private String findHostProblem() {
        String os = host.osName();
        if (!"Linux".equals(os)) {
            return "barco needs Linux; this is " + os + " (on a laptop use the Vagrant VM in vagrant/)";
        }
        String version = host.osVersion();
        if (!kernelAtLeast(version, MIN_KERNEL)) {
            return "barco needs Linux " + MIN_KERNEL[0] + "." + MIN_KERNEL[1] + " or newer; this kernel is " + version;
        }
        if (host.geteuid() != 0) {
            return "barco must run as root to map container ids to host ids 10000 and up: run it with sudo, or in the Vagrant VM";
        }
        String lacking = lackingCapabilities();
        if (lacking != null) {
            return "barco runs as root but without " + lacking
                    + " (a Docker or Kubernetes container without --privileged drops them):"
                    + " run it with --privileged, or on the host, or in the Vagrant VM";
        }
        Path maxUserNs = host.proc().resolve("sys/user/max_user_namespaces");
        try {
            if (Files.exists(maxUserNs) && Long.parseLong(host.read(maxUserNs).trim()) == 0) {
                return "user namespaces are disabled on this host (user.max_user_namespaces = 0): sysctl -w user.max_user_namespaces=15000";
            }
        } catch (IOException | NumberFormatException e) {
            // unreadable: let the launch itself say what fails
        }
        return null;
    }

    /**
     * What the helper needs of root's capabilities (open_tree and mounts, id maps, cgroups), as the
     * effective set of /proc/self/status shows them; null when all are there or it cannot tell.
     */
    private String lackingCapabilities() {
        try {
            for (String line : host.read(host.proc().resolve("self/status")).split("\n")) {
                if (line.startsWith("CapEff:")) {
                    long effective = Long.parseUnsignedLong(line.substring(7).trim(), 16);
                    List<String> lacking = NEEDED_CAPABILITIES.entrySet().stream()
                            .filter(e -> (effective & (1L << e.getValue())) == 0)
                            .map(java.util.Map.Entry::getKey)
                            .toList();
                    return lacking.isEmpty() ? null : String.join(", ", lacking);
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unreadable: let the launch itself say what fails
        }
        return null;
    }

    private static final java.util.Map<String, Integer> NEEDED_CAPABILITIES = new java.util.LinkedHashMap<>();

    static {
        NEEDED_CAPABILITIES.put("CAP_SYS_ADMIN", 21);
        NEEDED_CAPABILITIES.put("CAP_SETUID", 7);
        NEEDED_CAPABILITIES.put("CAP_SETGID", 6);
        NEEDED_CAPABILITIES.put("CAP_DAC_OVERRIDE", 1);
    }

    /** overlayfs records removed and replaced directories in user.* xattrs of its upper layer, which tmpfs has from 6.6. */
    static final int[] TMPFS_USER_XATTRS = {6, 6};

    /**
     * What a container loses to this kernel when the spec overlays a writable layer kept on tmpfs on
     * a lower one ({@link LaunchPlanner#writesThroughTmpfsOverlay}: a writable root, a forked JVM's
     * working directory where the host's /tmp is a tmpfs): without user.* xattrs on tmpfs, overlayfs
     * cannot remove or rename a directory of the lower layer that had entries, and answers EIO
     * (measured on 6.1; files, and directories the container made, behave). Empty on 6.6 and later,
     * or without such an overlay.
     */
    public java.util.Optional<String> overlayCaveat(ContainerSpec spec, HostFacts facts) {
        String version = host.osVersion();
        if (kernelAtLeast(version, TMPFS_USER_XATTRS) || !LaunchPlanner.writesThroughTmpfsOverlay(spec, facts)) {
            return java.util.Optional.empty();
        }
        return java.util.Optional.of("barco: on Linux " + version + " a container's overlay (a writable root,"
                + " a forked JVM's working directory) cannot remove or rename a directory that was there before it"
                + " (Input/output error): its upper layer is a tmpfs, which has the user.* xattrs overlayfs needs for that"
                + " from Linux 6.6; files, and directories the container made, are not affected");
    }

    static boolean kernelAtLeast(String version, int[] min) {
        return io.barco.sys.KernelRelease.atLeast(version, min[0], min[1]);
    }

    static void checkPaths(ContainerSpec spec) {
        Path rootfs = spec.rootfs();
        if (spec.image().isPresent()) {
            // an image's mount points are made in its overlay's upper layer (LaunchPlanner)
            for (Path layer : spec.image().get().layers()) {
                if (!Files.isDirectory(layer, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    throw new InvalidSpecException(
                            spec.image().get().reference() + "'s layer " + layer
                                    + " is gone from the image cache (barco rmi or gc removed it): resolve the image again",
                            Setting.IMAGE);
                }
            }
        } else if (!Files.exists(rootfs)) {
            throw new InvalidSpecException(
                    "rootfs " + rootfs + " does not exist: give an existing directory", Setting.ROOTFS);
        }
        if (spec.image().isEmpty() && !Files.isDirectory(rootfs)) {
            throw new InvalidSpecException(
                    "rootfs " + rootfs + " is not a directory: give a directory", Setting.ROOTFS);
        }
        List<String> missing = spec.image().isPresent()
                ? List.<String>of()
                : LaunchPlanner.ROOTFS_MOUNT_POINTS.stream()
                        .filter(p -> !Files.isDirectory(rootfs.resolve(p.substring(1))))
                        .toList();
        if (!missing.isEmpty()) {
            throw new InvalidSpecException(
                    "rootfs " + rootfs + " lacks the director" + (missing.size() == 1 ? "y " : "ies ")
                            + String.join(", ", missing)
                            + ", where the container mounts filesystems of its own: create "
                            + (missing.size() == 1 ? "it" : "them") + " in the rootfs",
                    Setting.ROOTFS);
        }
        if (spec.image().isPresent()) {
            for (Mount mount : spec.mounts()) {
                io.barco.image.Images.linkOnPath(spec.image().get(), mount.target())
                        .ifPresent(link -> {
                            throw new InvalidSpecException(
                                    "mount target " + mount.target() + " lies under " + link + ", a link in "
                                            + spec.image().get().reference()
                                            + ", which barco does not follow while it mounts: mount on the path the link leads to",
                                    mount.kind() == Mount.Kind.TMPFS ? Setting.TMPFS : Setting.BINDS);
                        });
            }
        }
        for (Mount mount : spec.mounts()) {
            if (mount.kind() == Mount.Kind.BIND && !Files.exists(mount.source())) {
                throw new InvalidSpecException(
                        "bind source " + mount.source() + " does not exist: create it or bind another", Setting.BINDS);
            }
        }
    }
}
