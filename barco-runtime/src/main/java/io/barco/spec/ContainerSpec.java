package io.barco.spec;

import io.barco.Setting;
import io.barco.seccomp.SeccompProfile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Everything about one container, decided before anything is created. Immutable; build one with
 * {@link #builder(String)}, change a copy with {@link #toBuilder()}.
 *
 * <pre>{@code
 * ContainerSpec spec = ContainerSpec.builder("/bin/sh").args("-c", "echo hi").uid(0).build();
 * }</pre>
 */
public final class ContainerSpec {
    public static final String DEFAULT_HOSTNAME = "barcontainer";
    public static final String DEFAULT_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
    /** The default size of a writable root's upper layer (a tmpfs): 1G. */
    public static final long DEFAULT_ROOT_OVERLAY_SIZE = 1L << 30;
    /** The least a writable root's upper layer may be: 1M. */
    public static final long MIN_ROOT_OVERLAY_SIZE = 1L << 20;

    private static final Pattern HOSTNAME = Pattern.compile("[A-Za-z0-9]([A-Za-z0-9.-]{0,62})?");

    private final Path rootfs;
    private final ImageRoot image;
    private final RootMode rootMode;
    private final long rootOverlaySize;
    private final long uid;
    private final long gid;
    private final IdMapping uidMapping;
    private final IdMapping gidMapping;
    private final String hostname;
    private final String command;
    private final String argv0;
    private final List<String> args;
    private final Map<String, String> env;
    private final String workdir;
    private final List<Mount> mounts;
    private final NetworkMode network;
    private final Set<Capability> capabilities;
    private final SeccompProfile seccomp;
    private final Duration timeout;
    private final Stdio stdin;
    private final Stdio stdout;
    private final Stdio stderr;
    private final Limits limits;
    private final boolean allowMissingControllers;

    private ContainerSpec(Builder b) {
        this.rootfs = b.rootfs;
        this.image = b.image;
        this.rootMode = b.rootMode;
        this.rootOverlaySize = b.rootOverlaySize;
        long[] imageUser = b.image != null && !b.uidSet ? imageUser(b.image) : null;
        this.uid = imageUser != null ? imageUser[0] : b.uid;
        this.gid = b.gid != null ? b.gid : imageUser != null ? imageUser[1] : this.uid;
        this.uidMapping = b.uidMapping;
        this.gidMapping = b.gidMapping;
        this.hostname = b.hostname;
        this.command = b.command;
        this.argv0 = b.argv0 == null ? b.command : b.argv0;
        this.args = List.copyOf(b.args);
        this.env = Collections.unmodifiableMap(
                b.image == null || b.envReplaced ? new LinkedHashMap<>(b.env) : imageEnv(b));
        this.workdir = b.image != null
                        && !b.workdirSet
                        && b.image.workdir() != null
                        && !b.image.workdir().isEmpty()
                ? ContainerPaths.normalize(
                        b.image.workdir().startsWith("/") ? b.image.workdir() : "/" + b.image.workdir())
                : b.workdir;
        this.mounts = List.copyOf(b.mounts);
        this.network = b.network;
        this.capabilities = Collections.unmodifiableSet(b.capabilities.clone());
        this.seccomp = b.seccomp;
        this.timeout = b.timeout;
        this.stdin = b.stdin;
        this.stdout = b.stdout;
        this.stderr = b.stderr;
        this.limits = b.limits;
        this.allowMissingControllers = b.allowMissingControllers;
        validate();
    }

    /**
     * The image's {@code User} as ids: {@code uid[:gid]}, numeric (a name would need the image's
     * /etc/passwd, which barco does not read yet); empty is root.
     */
    private static long[] imageUser(ImageRoot image) {
        String user = image.user();
        if (user == null || user.isEmpty()) {
            return new long[] {0, 0};
        }
        String[] parts = user.split(":", -1);
        try {
            long uid = Long.parseLong(parts[0]);
            long gid = parts.length > 1 ? Long.parseLong(parts[1]) : uid;
            if (parts.length <= 2 && uid >= 0 && gid >= 0) {
                return new long[] {uid, gid};
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new InvalidSpecException(
                image.reference() + "'s configuration names its user '" + user
                        + "', which is not numeric (uid or uid:gid) and barco does not look names up in the image: "
                        + "give the uid",
                Setting.UID);
    }

    /** The image's Env, PATH the spec's default when the image has none, then what the spec set. */
    private static Map<String, String> imageEnv(Builder b) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", DEFAULT_PATH);
        for (String entry : b.image.env()) {
            int eq = entry.indexOf('=');
            if (eq > 0) {
                env.put(entry.substring(0, eq), entry.substring(eq + 1));
            }
        }
        env.putAll(b.envSet);
        return env;
    }

    private void validate() {
        if (image != null && rootMode == RootMode.WRITE_THROUGH) {
            throw new InvalidSpecException(
                    "an image's layers are shared and never written: give the image a throwaway writable root "
                            + "instead of writing through",
                    Setting.WRITE_THROUGH_ROOT);
        }
        if (command == null || command.isEmpty()) {
            throw new InvalidSpecException("no command given: name the program to run, e.g. /bin/sh", Setting.COMMAND);
        }
        noNul("command", command, Setting.COMMAND);
        noNul("argv[0]", argv0, Setting.ARGV0);
        args.forEach(a -> noNul("argument", a, Setting.ARGS));
        checkEnv(env);
        if (!rootfs.isAbsolute()) {
            throw new InvalidSpecException("rootfs " + rootfs + " is not an absolute path", Setting.ROOTFS);
        }
        if (!uidMapping.containsInside(uid)) {
            throw new InvalidSpecException(
                    "uid " + uid + " is outside the mapped range " + uidMapping.inside() + ".."
                            + (uidMapping.inside() + uidMapping.count() - 1)
                            + ": pick a uid in it or widen the mapping",
                    Setting.UID);
        }
        if (!gidMapping.containsInside(gid)) {
            throw new InvalidSpecException(
                    "gid " + gid + " is outside the mapped range " + gidMapping.inside() + ".."
                            + (gidMapping.inside() + gidMapping.count() - 1)
                            + ": pick a gid in it or widen the mapping",
                    Setting.GID);
        }
        if (!HOSTNAME.matcher(hostname).matches()) {
            throw new InvalidSpecException(
                    "invalid hostname '" + hostname + "': use up to 64 letters, digits, dots and dashes",
                    Setting.HOSTNAME);
        }
        checkWorkdir(workdir);
        if (rootOverlaySize < MIN_ROOT_OVERLAY_SIZE) {
            throw new InvalidSpecException(
                    "writable root size " + rootOverlaySize + " bytes is too small: give at least "
                            + Size.format(MIN_ROOT_OVERLAY_SIZE) + ", e.g. 256M",
                    Setting.WRITABLE_ROOT_SIZE);
        }
        if (timeout != null && (timeout.isNegative() || timeout.isZero())) {
            throw new InvalidSpecException(
                    "timeout must be positive, got " + Durations.format(timeout), Setting.TIMEOUT);
        }
        if (timeout != null) {
            Durations.checkFits(timeout, "timeout " + Durations.format(timeout), Setting.TIMEOUT);
        }
    }

    /** Shared with {@link ExecSpec}, which refuses the same environment and working directory before any container is reached. */
    static void checkEnv(Map<String, String> env) {
        env.forEach((k, v) -> {
            if (k.isEmpty() || k.indexOf('=') >= 0) {
                throw new InvalidSpecException(
                        "invalid environment variable name '" + k + "': use NAME=VALUE", Setting.ENV);
            }
            noNul("environment variable " + k, v, Setting.ENV);
        });
    }

    static void checkWorkdir(String workdir) {
        if (!workdir.startsWith("/")) {
            throw new InvalidSpecException(
                    "working directory '" + workdir + "' is not absolute: give a path such as /srv", Setting.WORKDIR);
        }
    }

    private static void noNul(String what, String value, Setting setting) {
        if (value.indexOf('\0') >= 0) {
            throw new InvalidSpecException(what + " contains a NUL byte", setting);
        }
    }

    public static Builder builder(String command) {
        return new Builder().command(command);
    }

    public Builder toBuilder() {
        Builder b = new Builder();
        b.rootfs = rootfs;
        b.image = image;
        b.uidSet = true;
        b.workdirSet = true;
        b.envReplaced = true;
        b.rootMode = rootMode;
        b.rootOverlaySize = rootOverlaySize;
        b.uid = uid;
        b.gid = gid;
        b.uidMapping = uidMapping;
        b.gidMapping = gidMapping;
        b.hostname = hostname;
        b.command = command;
        b.argv0 = argv0.equals(command) ? null : argv0;
        b.args = new ArrayList<>(args);
        b.env = new LinkedHashMap<>(env);
        b.workdir = workdir;
        b.mounts = new ArrayList<>(mounts);
        b.network = network;
        b.capabilities = capabilities.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(capabilities);
        b.seccomp = seccomp;
        b.timeout = timeout;
        b.stdin = stdin;
        b.stdout = stdout;
        b.stderr = stderr;
        b.limits = limits;
        b.allowMissingControllers = allowMissingControllers;
        return b;
    }

    /** The rootfs directory; unused when the root is an {@link #image()}. */
    public Path rootfs() {
        return rootfs;
    }

    /** The image whose layers are the root, if the root is an image's. */
    public Optional<ImageRoot> image() {
        return Optional.ofNullable(image);
    }
    /** Whether every write to the root fails ({@link RootMode#READ_ONLY}). */
    public boolean readOnlyRoot() {
        return rootMode == RootMode.READ_ONLY;
    }

    public RootMode rootMode() {
        return rootMode;
    }
    /** The most a {@link RootMode#OVERLAY} root holds of what the container writes (its tmpfs's size). */
    public long rootOverlaySize() {
        return rootOverlaySize;
    }

    public long uid() {
        return uid;
    }

    public long gid() {
        return gid;
    }

    public IdMapping uidMapping() {
        return uidMapping;
    }

    public IdMapping gidMapping() {
        return gidMapping;
    }
    /** The host uid the container's user is: what it owns on the host, files it creates included. */
    public long hostUid() {
        return uidMapping.outside() + uid - uidMapping.inside();
    }

    public long hostGid() {
        return gidMapping.outside() + gid - gidMapping.inside();
    }

    public String hostname() {
        return hostname;
    }

    public String command() {
        return command;
    }
    /** The name the program sees as argv[0]; the command itself unless set. */
    public String argv0() {
        return argv0;
    }

    public List<String> args() {
        return args;
    }

    public Map<String, String> env() {
        return env;
    }

    public String workdir() {
        return workdir;
    }

    public List<Mount> mounts() {
        return mounts;
    }

    public NetworkMode network() {
        return network;
    }
    /** The capabilities container root keeps; the planner decides what the command's uid keeps of them. */
    public Set<Capability> capabilities() {
        return capabilities;
    }
    /** The seccomp profile, or empty for none (no_new_privs is set regardless). */
    public Optional<SeccompProfile> seccomp() {
        return Optional.ofNullable(seccomp);
    }

    public Optional<Duration> timeout() {
        return Optional.ofNullable(timeout);
    }

    public Stdio stdin() {
        return stdin;
    }

    public Stdio stdout() {
        return stdout;
    }

    public Stdio stderr() {
        return stderr;
    }
    /** Resource limits, enforced with cgroups; {@link Limits#NONE} still measures usage. */
    public Limits limits() {
        return limits;
    }
    /** Whether to run without a limit the host cannot enforce instead of failing. */
    public boolean allowMissingControllers() {
        return allowMissingControllers;
    }

    /** argv as the program receives it. */
    public List<String> argv() {
        List<String> argv = new ArrayList<>(args.size() + 1);
        argv.add(argv0);
        argv.addAll(args);
        return argv;
    }

    @Override
    public String toString() {
        return "ContainerSpec[" + String.join(" ", argv()) + " in " + (image != null ? image : rootfs)
                + switch (rootMode) {
                    case READ_ONLY -> " (ro)";
                    case OVERLAY -> " (rw overlay, " + Size.format(rootOverlaySize) + ")";
                    case WRITE_THROUGH -> " (rw, written through)";
                }
                + ", uid " + uid + ", hostname " + hostname + ", network "
                + network.name().toLowerCase() + ", " + limits + "]";
    }

    /** A fluent builder; every setter returns the builder. */
    public static final class Builder {
        private Path rootfs = Path.of("/");
        private ImageRoot image;
        private boolean uidSet;
        private boolean workdirSet;
        private boolean envReplaced;
        private Map<String, String> envSet = new LinkedHashMap<>();
        private RootMode rootMode = RootMode.READ_ONLY;
        private long rootOverlaySize = DEFAULT_ROOT_OVERLAY_SIZE;
        private long uid;
        private Long gid;
        private IdMapping uidMapping = IdMapping.DEFAULT;
        private IdMapping gidMapping = IdMapping.DEFAULT;
        private String hostname = DEFAULT_HOSTNAME;
        private String command;
        private String argv0;
        private List<String> args = new ArrayList<>();
        private Map<String, String> env = defaultEnv();
        private String workdir = "/";
        private List<Mount> mounts = new ArrayList<>();
        private NetworkMode network = NetworkMode.NONE;
        private EnumSet<Capability> capabilities = EnumSet.copyOf(Capability.defaults());
        private SeccompProfile seccomp = SeccompProfile.defaults();
        private Duration timeout;
        private Stdio stdin = Stdio.DISCARD;
        private Stdio stdout = Stdio.PIPE;
        private Stdio stderr = Stdio.PIPE;
        private Limits limits = Limits.NONE;
        private boolean allowMissingControllers;

        private Builder() {}

        private static Map<String, String> defaultEnv() {
            Map<String, String> env = new LinkedHashMap<>();
            env.put("PATH", DEFAULT_PATH);
            return env;
        }

        public Builder command(String command) {
            this.command = Objects.requireNonNull(command, "command");
            return this;
        }

        /** The name the program sees as argv[0] (the seed's {@code -a}). */
        public Builder argv0(String argv0) {
            this.argv0 = argv0;
            return this;
        }

        public Builder args(String... args) {
            return args(List.of(args));
        }

        public Builder args(List<String> args) {
            this.args = new ArrayList<>(args);
            return this;
        }

        public Builder rootfs(Path rootfs) {
            this.rootfs =
                    Objects.requireNonNull(rootfs, "rootfs").toAbsolutePath().normalize();
            return this;
        }

        public Builder rootfs(String rootfs) {
            return rootfs(Path.of(rootfs));
        }

        /**
         * The root is this image's layers (read-only, or a throwaway writable overlay on them with
         * {@link #writableRoot}); its configuration's {@code Env}, {@code WorkingDir} and {@code User}
         * are defaults that this builder's own settings override, whatever their order. Resolve one
         * with {@code io.barco.image.Images.resolve("oci:/path/to/layout:tag")}. Null: the rootfs.
         */
        public Builder image(ImageRoot image) {
            this.image = image;
            return this;
        }

        /**
         * Whether the root filesystem is read-only (the default); false is {@link #writableRoot}: a
         * throwaway overlay, never a write to the rootfs itself (that is {@link RootMode#WRITE_THROUGH}).
         */
        public Builder readOnlyRoot(boolean readOnly) {
            return writableRoot(!readOnly);
        }

        /**
         * A writable root whose writes vanish with the container ({@link RootMode#OVERLAY}): the
         * rootfs, the host's {@code /} included, never changes. False is the default, read-only.
         */
        public Builder writableRoot(boolean writable) {
            this.rootMode = writable ? RootMode.OVERLAY : RootMode.READ_ONLY;
            return this;
        }

        public Builder rootMode(RootMode mode) {
            this.rootMode = Objects.requireNonNull(mode, "mode");
            return this;
        }

        /**
         * The most a writable root's overlay holds (default {@value #DEFAULT_ROOT_OVERLAY_SIZE} bytes,
         * 1G); a write beyond it fails with ENOSPC inside. What it holds is memory, charged to the
         * container's memory limit.
         */
        public Builder rootOverlaySize(long bytes) {
            this.rootOverlaySize = bytes;
            return this;
        }

        /** The uid inside the container; also the gid unless {@link #gid} is set. */
        public Builder uid(long uid) {
            this.uid = uid;
            this.uidSet = true;
            return this;
        }

        public Builder gid(long gid) {
            this.gid = gid;
            return this;
        }

        /** The user namespace's mapping, for both uids and gids. */
        public Builder idMapping(IdMapping mapping) {
            this.uidMapping = Objects.requireNonNull(mapping);
            this.gidMapping = mapping;
            return this;
        }

        public Builder hostname(String hostname) {
            this.hostname = Objects.requireNonNull(hostname, "hostname");
            return this;
        }

        /** Sets one variable of the command's environment, which starts with PATH only. */
        public Builder env(String name, String value) {
            this.env.put(name, Objects.requireNonNull(value, "value"));
            this.envSet.put(name, value);
            return this;
        }

        /** Replaces the whole environment. */
        public Builder env(Map<String, String> env) {
            this.env = new LinkedHashMap<>(env);
            this.envReplaced = true;
            return this;
        }

        public Builder workdir(String workdir) {
            this.workdir = workdir.startsWith("/") ? ContainerPaths.normalize(workdir) : workdir;
            this.workdirSet = true;
            return this;
        }

        public Builder mount(Mount mount) {
            this.mounts.add(Objects.requireNonNull(mount));
            return this;
        }

        public Builder bind(Path source, String target, boolean readOnly) {
            return mount(Mount.bind(source.toAbsolutePath().normalize(), target, readOnly));
        }

        public Builder tmpfs(String target) {
            return mount(Mount.tmpfs(target));
        }

        public Builder network(NetworkMode network) {
            this.network = Objects.requireNonNull(network);
            return this;
        }

        /** Container root keeps exactly these (the default: all but {@link Capability#DROPPED_BY_DEFAULT}). */
        public Builder capabilities(Set<Capability> capabilities) {
            this.capabilities =
                    capabilities.isEmpty() ? EnumSet.noneOf(Capability.class) : EnumSet.copyOf(capabilities);
            return this;
        }

        public Builder addCapabilities(Capability... add) {
            this.capabilities.addAll(List.of(add));
            return this;
        }

        public Builder dropCapabilities(Capability... drop) {
            List.of(drop).forEach(this.capabilities::remove);
            return this;
        }

        /** The seccomp profile; {@code null} for none. */
        public Builder seccomp(SeccompProfile profile) {
            this.seccomp = profile;
            return this;
        }

        /** Kill the container when it runs longer than this. */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        public Builder stdin(Stdio stdin) {
            this.stdin = Objects.requireNonNull(stdin);
            return this;
        }

        public Builder stdout(Stdio stdout) {
            this.stdout = Objects.requireNonNull(stdout);
            return this;
        }

        public Builder stderr(Stdio stderr) {
            this.stderr = Objects.requireNonNull(stderr);
            return this;
        }

        /** All three streams at once. */
        public Builder stdio(Stdio stdio) {
            return stdin(stdio).stdout(stdio).stderr(stdio);
        }

        /** Resource limits: {@code .limits(Limits.NONE.withMemory("64M").withPids(32))}. */
        public Builder limits(Limits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** Run without a limit the host cannot enforce (a missing controller) instead of failing. */
        public Builder allowMissingControllers(boolean allow) {
            this.allowMissingControllers = allow;
            return this;
        }

        public ContainerSpec build() {
            return new ContainerSpec(this);
        }
    }
}
