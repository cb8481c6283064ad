package io.barco.junit.settings;

import java.util.List;

/**
 * One {@code @InBarco} annotation's attributes as data: what the API package reads off an annotation
 * and hands down, so that this package never refers to the annotation type (it lies below the API
 * package, which depends on it). Empty values and -1 mean "not set here", as on the annotation;
 * arrays are lists, so that two layers with the same attributes are equal, as two equal annotations are.
 */
public record Layer(
        int uid,
        String rootfs,
        String image,
        String memory,
        String cpus,
        int cpuWeight,
        int pids,
        String network,
        String hostname,
        List<String> binds,
        List<String> tmpfs,
        boolean writableRoot,
        String writableRootSize,
        List<String> capAdd,
        List<String> capDrop,
        List<String> seccompDeny,
        String timeout) {
    public Layer {
        binds = List.copyOf(binds);
        tmpfs = List.copyOf(tmpfs);
        capAdd = List.copyOf(capAdd);
        capDrop = List.copyOf(capDrop);
        seccompDeny = List.copyOf(seccompDeny);
    }
}
