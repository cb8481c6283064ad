package io.barco.spec;

import io.barco.Setting;
import io.barco.seccomp.SeccompProfile;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiConsumer;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Settings as text, as the CLI's flags, {@code @InBarco}'s attributes and the {@code barco.*}
 * configuration parameters give them, translated into a {@link ContainerSpec} in this one place: one
 * table of defaults ({@link Defaults}), and one reading each of {@code max}, {@code ALL}, sizes,
 * durations, capability and system call names and binds. Settings come in layers: a later value
 * replaces an earlier one, and list settings add up. A bad value is an {@link InvalidSpecException}
 * that names its {@link Setting}, for the front end to say how it is given there. An exec's own
 * settings (environment, working directory, ids) are translated here too ({@link #forExec}).
 */
public final class SpecOptions {
    /** Settings given as a list: each value adds to the ones before it. */
    static final Set<Setting> LISTS = EnumSet.of(
            Setting.ENV, Setting.BINDS, Setting.TMPFS, Setting.CAP_ADD, Setting.CAP_DROP, Setting.SECCOMP_DENY);
    /** List settings whose values are names, several of which may be given as one comma-separated value. */
    private static final Set<Setting> NAMES = EnumSet.of(Setting.CAP_ADD, Setting.CAP_DROP, Setting.SECCOMP_DENY);

    private static final Pattern SYSCALL = Pattern.compile("[a-z0-9_]+");
    private static final String MAX = "max";
    private static final String OVERLAY_LAYERS = "/run/barco/overlay/";
    private static final String ALL = "ALL";

    /**
     * Each front end's defaults, in one table. Both take the spec's own defaults (uid 0, the host's
     * root read-only, no network, the seed's id mapping); they differ in limits only.
     */
    public enum Defaults {
        /** {@code @InBarco} and the configuration parameters: no limits, as the Java API. */
        UNLIMITED(Limits.NONE),
        /** The CLI: the seed's limits, memory 1G, cpu weight 256 and 64 tasks ({@link Limits#SEED}). */
        SEED(Limits.SEED);

        private static final ContainerSpec SPEC =
                ContainerSpec.builder("/bin/true").build();
        private final Limits limits;

        Defaults(Limits limits) {
            this.limits = limits;
        }

        /** The default of {@code setting} as text, as a user would give it; empty when it has none to show. */
        public Optional<String> of(Setting setting) {
            return Optional.ofNullable(
                    switch (setting) {
                        case UID -> Long.toString(SPEC.uid());
                        case ROOTFS -> SPEC.rootfs().toString();
                        case HOSTNAME -> SPEC.hostname();
                        case WORKDIR -> SPEC.workdir();
                        case NETWORK -> SPEC.network().name().toLowerCase(Locale.ROOT);
                        case ID_MAP ->
                            SPEC.uidMapping().inside() + ":" + SPEC.uidMapping().outside() + ":"
                                    + SPEC.uidMapping().count();
                        case MEMORY -> limits.memory() == null ? null : Size.format(limits.memory());
                        case CPU_WEIGHT ->
                            limits.cpuWeight() == null
                                    ? null
                                    : limits.cpuWeight().toString();
                        case PIDS ->
                            limits.pids() == null ? null : limits.pids().toString();
                        case WRITABLE_ROOT_SIZE -> Size.format(SPEC.rootOverlaySize());
                        default -> null;
                    });
        }
    }

    private record Value(Setting setting, String text) {}

    private final Map<Setting, String> values = new EnumMap<>(Setting.class);
    /** List settings, in the order given: a cap-drop of ALL drops what came before it, not what comes after. */
    private final List<Value> lists = new ArrayList<>();

    /** One-value settings a layer gave, as opposed to defaults: an image's own defaults yield to these only. */
    private final Set<Setting> given = EnumSet.noneOf(Setting.class);
    /** Resolves an image reference into its unpacked layers and configuration ({@code io.barco.image.Images}). */
    private Function<String, ImageRoot> images;

    private ImageRoot resolved;

    private final Function<String, String> environment;
    /** What a relative host path (a rootfs, a bind's source) is relative to; null: this JVM's working directory. */
    private Path base;

    /** Starts from {@code defaults}; from nothing when null (an exec: what it does not set is its container's). */
    private SpecOptions(Defaults defaults, Function<String, String> environment) {
        this.environment = environment;
        if (defaults != null) {
            for (Setting setting : Setting.values()) {
                defaults.of(setting).ifPresent(text -> values.put(setting, text));
            }
        }
    }

    public static SpecOptions of(Defaults defaults) {
        return new SpecOptions(defaults, System::getenv);
    }

    /** With the environment an {@code ENV} value of a bare NAME copies from. */
    public static SpecOptions of(Defaults defaults, Function<String, String> environment) {
        return new SpecOptions(defaults, environment);
    }

    /**
     * For a command run in a running container, translated by {@link #execBuilder}: it has no
     * defaults, as what it does not set is the container's; an {@code ENV} value of a bare NAME
     * copies from {@code environment}.
     */
    public static SpecOptions forExec(Function<String, String> environment) {
        return new SpecOptions(null, environment);
    }

    /**
     * Resolves relative host paths (a rootfs, a bind's source) against {@code directory} instead of
     * this JVM's working directory: options read again elsewhere than where they were given.
     */
    public SpecOptions relativeTo(Path directory) {
        this.base = directory;
        return this;
    }

    /** How an {@link Setting#IMAGE} is resolved: {@code io.barco.image.Images::resolve} for barco's cache. */
    public SpecOptions images(Function<String, ImageRoot> resolver) {
        this.images = resolver;
        return this;
    }

    private Path hostPath(String text) {
        return base == null ? Path.of(text) : base.resolve(text);
    }

    /** Whether values of {@code setting} add up rather than replace each other. */
    public static boolean isList(Setting setting) {
        return LISTS.contains(setting);
    }

    /** Sets a one-value setting, replacing what an earlier layer set; a flag takes "true" or "false". */
    public SpecOptions set(Setting setting, String text) {
        if (LISTS.contains(setting)) {
            throw new IllegalArgumentException(setting + " is a list: add to it");
        }
        values.put(setting, text.trim());
        given.add(setting);
        return this;
    }

    /** Adds to a list setting: a bind, a tmpfs, NAME=VALUE, capability or system call names (comma-separated or not). */
    public SpecOptions add(Setting setting, String text) {
        if (!LISTS.contains(setting)) {
            throw new IllegalArgumentException(setting + " is not a list: set it");
        }
        if (NAMES.contains(setting)) {
            for (String name : text.split(",")) {
                if (!name.isBlank()) {
                    lists.add(new Value(setting, name.trim()));
                }
            }
        } else {
            lists.add(new Value(setting, text));
        }
        return this;
    }

    /** The spec these settings describe, for {@code command}; the caller adds what is its own (arguments, streams). */
    public ContainerSpec.Builder builder(String command) {
        ContainerSpec.Builder b = ContainerSpec.builder(command);
        ImageRoot image = image().orElse(null);
        // an image's User and WorkingDir are defaults that only a value given overrides, not ours
        if (image == null || given.contains(Setting.UID)) {
            text(Setting.UID).ifPresent(v -> b.uid(id(Setting.UID, "uid", v)));
        }
        text(Setting.GID).ifPresent(v -> b.gid(id(Setting.GID, "gid", v)));
        text(Setting.ID_MAP).ifPresent(v -> b.idMapping(idMapping(v)));
        text(Setting.ROOTFS).ifPresent(v -> b.rootfs(hostPath(v)));
        b.image(image);
        b.rootMode(rootMode());
        text(Setting.WRITABLE_ROOT_SIZE).ifPresent(v -> b.rootOverlaySize(overlaySize(v)));
        text(Setting.HOSTNAME).ifPresent(b::hostname);
        if (image == null || given.contains(Setting.WORKDIR)) {
            text(Setting.WORKDIR).ifPresent(b::workdir);
        }
        text(Setting.NETWORK).ifPresent(v -> b.network(NetworkMode.parse(v)));
        text(Setting.TIMEOUT).ifPresent(v -> b.timeout(Durations.parse(v, "invalid timeout", Setting.TIMEOUT)));
        b.limits(limits()).allowMissingControllers(flag(Setting.ALLOW_MISSING_CONTROLLERS));
        SeccompProfile seccomp = SeccompProfile.defaults();
        List<Mount> mounts = new ArrayList<>();
        for (Value value : lists) {
            String v = value.text();
            switch (value.setting()) {
                case ENV -> env(b::env, v);
                case BINDS -> mounts.addAll(bindMounts(v, this::hostPath, mounts.size()));
                case TMPFS -> mounts.add(Mount.tmpfs(v));
                case CAP_ADD -> {
                    if (v.equalsIgnoreCase(ALL)) {
                        b.capabilities(EnumSet.allOf(Capability.class));
                    } else {
                        b.addCapabilities(Capability.parse(v, Setting.CAP_ADD));
                    }
                }
                case CAP_DROP -> {
                    if (v.equalsIgnoreCase(ALL)) {
                        b.capabilities(Set.of());
                    } else {
                        b.dropCapabilities(Capability.parse(v, Setting.CAP_DROP));
                    }
                }
                case SECCOMP_DENY -> seccomp = seccomp.deny(syscall(v));
                default -> throw new IllegalStateException(value.setting() + " is not a list");
            }
        }
        // parents first, else in the order given: --tmpfs /root hides the host's /root before
        // --bind /root/.m2:/root/.m2 brings one of its directories back, whichever came first
        // (an overlay's own tmpfs, under the container's fresh /run, before all)
        mounts.stream()
                .sorted(Comparator.comparingLong(m -> m.target().startsWith(OVERLAY_LAYERS)
                        ? 0
                        : m.target().chars().filter(c -> c == '/').count()))
                .forEach(b::mount);
        return b.seccomp(flag(Setting.NO_SECCOMP) ? null : seccomp);
    }

    /**
     * The exec these settings describe, for {@code command}: its environment, working directory, uid
     * and gid, read as for a container; the caller adds what is its own (arguments, streams).
     *
     * @throws IllegalArgumentException for a setting that is the container's alone, such as its rootfs
     */
    public ExecSpec.Builder execBuilder(String command) {
        ExecSpec.Builder b = ExecSpec.builder(command);
        values.forEach((setting, v) -> {
            switch (setting) {
                case UID -> b.uid(id(Setting.UID, "uid", v));
                case GID -> b.gid(id(Setting.GID, "gid", v));
                case WORKDIR -> b.workdir(v);
                default ->
                    throw new IllegalArgumentException(
                            setting + " is the container's: a command run in it cannot change it");
            }
        });
        for (Value value : lists) {
            if (value.setting() != Setting.ENV) {
                throw new IllegalArgumentException(
                        value.setting() + " is the container's: a command run in it cannot change it");
            }
            env(b::env, value.text());
        }
        return b;
    }

    /** The image {@link Setting#IMAGE} names, resolved; empty when none is given. */
    public Optional<ImageRoot> image() {
        Optional<String> reference = text(Setting.IMAGE).filter(v -> !v.isEmpty());
        if (reference.isEmpty()) {
            return Optional.empty();
        }
        if (given.contains(Setting.ROOTFS)) {
            throw new InvalidSpecException(
                    "a container's root is a rootfs directory or an image, not both: give one", Setting.IMAGE);
        }
        if (images == null) {
            throw new IllegalStateException("no image resolver: call SpecOptions.images first");
        }
        if (resolved == null || !resolved.reference().equals(reference.get())) {
            resolved = images.apply(reference.get());
        }
        return Optional.of(resolved);
    }

    /** The image reference given, unresolved. */
    public Optional<String> imageReference() {
        return text(Setting.IMAGE).filter(v -> !v.isEmpty());
    }

    private Optional<String> text(Setting setting) {
        return Optional.ofNullable(values.get(setting));
    }

    private boolean flag(Setting setting) {
        String v = values.get(setting);
        if (v == null || v.equalsIgnoreCase("false")) {
            return false;
        }
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        throw new InvalidSpecException("invalid " + name(setting) + " '" + v + "': give true or false", setting);
    }

    /**
     * A writable root is the throwaway overlay; the rootfs itself is written only when that is asked
     * for by name ({@link Setting#WRITE_THROUGH_ROOT}). A size with no overlay to limit changes nothing.
     */
    private RootMode rootMode() {
        boolean overlay = flag(Setting.WRITABLE_ROOT);
        boolean through = flag(Setting.WRITE_THROUGH_ROOT);
        if (overlay && through) {
            throw new InvalidSpecException(
                    "a writable root is either a throwaway overlay or the rootfs itself written through, "
                            + "not both: keep one",
                    Setting.WRITE_THROUGH_ROOT);
        }
        return overlay ? RootMode.OVERLAY : through ? RootMode.WRITE_THROUGH : RootMode.READ_ONLY;
    }

    private static long overlaySize(String text) {
        long bytes;
        try {
            bytes = Size.parse(text);
        } catch (InvalidSpecException e) {
            bytes = 0;
        }
        if (bytes < ContainerSpec.MIN_ROOT_OVERLAY_SIZE) {
            throw new InvalidSpecException(
                    "invalid writable root size '" + text + "': give at least "
                            + Size.format(ContainerSpec.MIN_ROOT_OVERLAY_SIZE) + ", such as 256M or 2G",
                    Setting.WRITABLE_ROOT_SIZE);
        }
        return bytes;
    }

    private Limits limits() {
        Limits limits = Limits.NONE;
        Optional<String> memory = text(Setting.MEMORY).filter(v -> !isMax(v));
        if (memory.isPresent()) {
            limits = limits.withMemory(size(Setting.MEMORY, memory.get()));
        }
        Optional<String> swap = text(Setting.MEMORY_SWAP);
        if (swap.isPresent() && !isMax(swap.get())) {
            limits = limits.withMemorySwap(size(Setting.MEMORY_SWAP, swap.get()));
        } else if (swap.isPresent() && limits.memory() != null) {
            limits = limits.withMemorySwap(Long.MAX_VALUE / 4); // swap without a cap
        }
        Optional<String> weight = text(Setting.CPU_WEIGHT).filter(v -> !isMax(v));
        if (weight.isPresent()) {
            limits = limits.withCpuWeight(number(Setting.CPU_WEIGHT, weight.get()));
        }
        Optional<String> cpus = text(Setting.CPUS).filter(v -> !isMax(v));
        if (cpus.isPresent()) {
            try {
                limits = limits.withCpus(Double.parseDouble(cpus.get()));
            } catch (NumberFormatException e) {
                throw new InvalidSpecException(
                        "invalid cpus '" + cpus.get() + "': give a number of cores such as 0.5, or max", Setting.CPUS);
            }
        }
        Optional<String> pids = text(Setting.PIDS).filter(v -> !isMax(v));
        if (pids.isPresent()) {
            limits = limits.withPids(number(Setting.PIDS, pids.get()));
        }
        return limits;
    }

    private static boolean isMax(String text) {
        return text.equalsIgnoreCase(MAX);
    }

    private static long size(Setting setting, String text) {
        try {
            return Size.parse(text);
        } catch (InvalidSpecException e) {
            throw e.about(setting);
        }
    }

    private static int number(Setting setting, String text) {
        try {
            return Integer.parseInt(text);
        } catch (NumberFormatException e) {
            throw new InvalidSpecException(
                    "invalid " + name(setting) + " '" + text + "': give a whole number or max", setting);
        }
    }

    private static long id(Setting setting, String what, String text) {
        try {
            long id = Long.parseLong(text);
            if (id >= 0) {
                return id;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new InvalidSpecException("invalid " + what + " '" + text + "': give a whole number, 0 or more", setting);
    }

    private static IdMapping idMapping(String text) {
        String[] p = text.split(":");
        if (p.length != 3) {
            throw new InvalidSpecException(
                    "invalid id mapping '" + text + "': use INSIDE:OUTSIDE:COUNT, e.g. 0:10000:2000", Setting.ID_MAP);
        }
        try {
            return new IdMapping(Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]));
        } catch (NumberFormatException e) {
            throw new InvalidSpecException(
                    "invalid id mapping '" + text + "': use three numbers, e.g. 0:10000:2000", Setting.ID_MAP);
        }
    }

    /** NAME=VALUE, or NAME alone to copy the variable from this process's environment (if set). */
    private void env(BiConsumer<String, String> env, String text) {
        int eq = text.indexOf('=');
        if (eq >= 0) {
            env.accept(text.substring(0, eq), text.substring(eq + 1));
            return;
        }
        // an empty name is refused with the other bad names, not looked up and skipped
        String value = text.isEmpty() ? "" : environment.apply(text);
        if (value != null) {
            env.accept(text, value);
        }
    }

    /** {@code SRC:DST[:ro|rw]}; binds are read-write unless {@code :ro}. */
    static Mount bind(String text) {
        List<Mount> mounts = bindMounts(text, Path::of, 0);
        if (mounts.size() != 1) {
            throw new IllegalArgumentException(text + " is more than one mount");
        }
        return mounts.get(0);
    }

    /** Where the {@code n}th mount of a spec keeps the layers of its overlay: a tmpfs of its own under the container's /run. */
    static String overlayLayers(int n) {
        return OVERLAY_LAYERS + n;
    }

    /**
     * {@code SRC:DST[:MODE[,idmap]]}, MODE {@code rw} (the default), {@code ro} or {@code overlay}.
     * {@code idmap}: the files of SRC's owner belong to the container's user (a bind of /root/.m2 that
     * container root may read). {@code overlay}: DST is writable, its writes go to a tmpfs and vanish
     * with the container, SRC never changes; its lower layer is SRC idmapped, so that a file may be
     * copied up. {@code n} counts the spec's mounts before these, to name the overlay's tmpfs.
     */
    static List<Mount> bindMounts(String text, Function<String, Path> hostPath, int n) {
        String[] parts = text.split(":", -1);
        if (parts.length < 2 || parts.length > 3 || parts[0].isEmpty() || parts[1].isEmpty()) {
            throw new InvalidSpecException("invalid bind '" + text + "': use SRC:DST or SRC:DST:ro", Setting.BINDS);
        }
        String mode = parts.length == 3 ? parts[2] : "rw";
        boolean readOnly = mode.startsWith("ro");
        boolean idmap = mode.endsWith(",idmap");
        boolean overlay = mode.equals("overlay");
        if (!List.of("rw", "ro", "rw,idmap", "ro,idmap", "overlay").contains(mode)) {
            throw new InvalidSpecException(
                    "invalid bind mode '" + mode + "' in '" + text + "': use ro, rw or overlay, "
                            + "or ro,idmap or rw,idmap to give the files of the source's owner to the container's user",
                    Setting.BINDS);
        }
        Path source = hostPath.apply(parts[0]).toAbsolutePath().normalize();
        if (!overlay) {
            return List.of(new Mount(Mount.Kind.BIND, source, parts[1], readOnly, idmap));
        }
        Mount lower = Mount.bindAsContainerRoot(source, parts[1]);
        String layers = overlayLayers(n);
        return List.of(lower, Mount.tmpfs(layers), Mount.overlay(lower.target(), layers));
    }

    /** A system call name as the kernel spells it; whether this kernel has it is known when the profile compiles. */
    private static String syscall(String name) {
        if (!SYSCALL.matcher(name).matches()) {
            throw new InvalidSpecException(
                    "invalid system call name '" + name + "': use a name such as mkdir or ptrace",
                    Setting.SECCOMP_DENY);
        }
        return name;
    }

    /** The setting as the messages name it: CPU_WEIGHT is "cpu weight". */
    private static String name(Setting setting) {
        return setting.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
}
