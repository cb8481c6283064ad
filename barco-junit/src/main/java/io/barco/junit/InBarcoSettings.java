package io.barco.junit;

import io.barco.seccomp.SeccompProfile;
import io.barco.spec.Capability;
import io.barco.spec.ContainerSpec;
import io.barco.spec.InvalidSpecException;
import io.barco.spec.Limits;
import io.barco.spec.Mount;
import io.barco.spec.NetworkMode;
import io.barco.spec.Size;
import java.lang.reflect.AnnotatedElement;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import org.junit.platform.commons.support.AnnotationSupport;

/** The merged {@link InBarco} settings of a test: outer classes first, then the class, then the method. */
final class InBarcoSettings {
    private final List<InBarco> layers;
    /** JVM options for forked JVMs beyond the build's, from barco.jvmArgs. */
    private final List<String> jvmArgs;

    private InBarcoSettings(List<InBarco> layers) {
        this(layers, List.of());
    }

    private InBarcoSettings(List<InBarco> layers, List<String> jvmArgs) {
        this.layers = layers;
        this.jvmArgs = jvmArgs;
    }

    /**
     * These settings under the configuration parameters ({@link ConfiguredLayer}): the parameters are
     * the outermost layer, the annotations win over them.
     */
    InBarcoSettings configuredBy(java.util.function.Function<String, Optional<String>> parameters) {
        List<InBarco> all = new ArrayList<>();
        ConfiguredLayer.from(parameters).ifPresent(all::add);
        all.addAll(layers);
        String args = parameters.apply("barco.jvmArgs").orElse("").trim();
        return new InBarcoSettings(all, args.isEmpty() ? List.of() : List.of(args.split("\\s+")));
    }

    List<String> jvmArgs() {
        return jvmArgs;
    }

    /** Equal when the annotations are: then the specs are too. */
    @Override
    public boolean equals(Object other) {
        return other instanceof InBarcoSettings that && layers.equals(that.layers) && jvmArgs.equals(that.jvmArgs);
    }

    @Override
    public int hashCode() {
        return layers.hashCode() * 31 + jvmArgs.hashCode();
    }

    /** barco's defaults, as a bare {@code @InBarco} gives them. */
    static InBarcoSettings defaults() {
        return new InBarcoSettings(List.of());
    }

    /** The annotations that apply to {@code method} of {@code testClass}, outermost first; empty if none. */
    static Optional<InBarcoSettings> of(Class<?> testClass, Optional<? extends AnnotatedElement> method) {
        List<InBarco> layers = new ArrayList<>();
        Deque<Class<?>> classes = new ArrayDeque<>();
        for (Class<?> c = testClass; c != null; c = c.getEnclosingClass()) {
            classes.addFirst(c);
        }
        for (Class<?> c : classes) {
            AnnotationSupport.findAnnotation(c, InBarco.class).ifPresent(layers::add);
        }
        method.flatMap(m -> AnnotationSupport.findAnnotation(m, InBarco.class)).ifPresent(layers::add);
        return layers.isEmpty() ? Optional.empty() : Optional.of(new InBarcoSettings(layers));
    }

    /** The innermost granularity an annotation sets, if any. */
    Optional<InBarco.Granularity> granularity() {
        InBarco.Granularity found = null;
        for (InBarco a : layers) {
            if (a.granularity() != InBarco.Granularity.INHERIT) {
                found = a.granularity();
            }
        }
        return Optional.ofNullable(found);
    }

    /** The container spec for {@code command}, with every layer applied in order. */
    ContainerSpec.Builder spec(String command) {
        ContainerSpec.Builder b = ContainerSpec.builder(command);
        Limits limits = Limits.NONE;
        SeccompProfile seccomp = SeccompProfile.defaults();
        for (InBarco a : layers) {
            if (a.uid() >= 0) {
                b.uid(a.uid());
            }
            if (!a.rootfs().isEmpty()) {
                b.rootfs(a.rootfs());
            }
            if (!a.memory().isEmpty()) {
                limits = a.memory().equalsIgnoreCase("max") ? new Limits(null, null, limits.cpuWeight(), limits.cpus(), limits.pids())
                        : limits.withMemory(Size.parse(a.memory()));
            }
            if (!a.cpus().isEmpty()) {
                try {
                    limits = limits.withCpus(Double.parseDouble(a.cpus()));
                } catch (NumberFormatException e) {
                    throw new InvalidSpecException("invalid @InBarco(cpus = \"" + a.cpus() + "\"): give a number of cores such as 0.5");
                }
            }
            if (a.cpuWeight() >= 0) {
                limits = limits.withCpuWeight(a.cpuWeight());
            }
            if (a.pids() >= 0) {
                limits = limits.withPids(a.pids());
            }
            if (!a.network().isEmpty()) {
                b.network(NetworkMode.parse(a.network()));
            }
            if (!a.hostname().isEmpty()) {
                b.hostname(a.hostname());
            }
            for (String bind : a.binds()) {
                b.mount(Mount.parseBind(bind));
            }
            for (String target : a.tmpfs()) {
                b.tmpfs(target);
            }
            if (a.writableRoot()) {
                b.writableRoot(true);
            }
            if (!a.writableRootSize().isEmpty()) {
                b.rootOverlaySize(Size.parse(a.writableRootSize()));
            }
            for (String cap : a.capAdd()) {
                b.addCapabilities(Capability.parse(cap));
            }
            for (String cap : a.capDrop()) {
                if (cap.equalsIgnoreCase("ALL")) {
                    b.capabilities(java.util.Set.of());
                } else {
                    b.dropCapabilities(Capability.parse(cap));
                }
            }
            if (a.seccompDeny().length > 0) {
                seccomp = seccomp.deny(a.seccompDeny());
            }
            if (!a.timeout().isEmpty()) {
                b.timeout(duration(a.timeout()));
            }
        }
        return b.limits(limits).seccomp(seccomp);
    }

    static Duration duration(String text) {
        return io.barco.spec.Durations.parse(text, "invalid @InBarco(timeout)");
    }
}
