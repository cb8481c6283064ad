package io.barco.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Inherited;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs a test inside a barco container.
 *
 * <ul>
 * <li><b>JVM mode</b>: a test method without a {@link BarcoContainer} parameter runs in a JVM forked
 * inside a container built from this annotation; its outcome, output and exceptions cross back.</li>
 * <li><b>Command mode</b>: a test method with a {@link BarcoContainer} parameter runs on the host and
 * uses it to run commands in containers built from this annotation.</li>
 * </ul>
 *
 * <p>On a method, a class (defaults for its methods, merged with theirs: the innermost value wins,
 * lists add up), a {@code @Nested} class, or another annotation, so a team can define its own
 * {@code @SmallSandbox}. Empty values and -1 mean "not set here".
 */
@Target({ElementType.TYPE, ElementType.METHOD, ElementType.ANNOTATION_TYPE})
@Retention(RetentionPolicy.RUNTIME)
@Documented
@Inherited
@ExtendWith(BarcoExtension.class)
public @interface InBarco {
    /** uid and gid inside; default 0. */
    int uid() default -1;

    /** Root filesystem; default "/", the host's, read-only. */
    String rootfs() default "";

    /**
     * An image whose layers are the root instead of a rootfs directory: {@code oci:DIR[:TAG]} (an OCI
     * image layout), {@code oci-archive:FILE[:TAG]}, {@code docker-archive:FILE}, {@code
     * HOST[:PORT]/NAME[:TAG]} (pulled from a registry), or a cached image's id; a relative path is the
     * build's working directory's. Unpacked once into barco's cache,
     * read-only unless {@link #writableRoot}; its Env, WorkingDir and User are defaults. Command
     * mode (a {@link BarcoContainer} parameter) runs anything the image has; JVM mode needs the
     * host's JDK at the same path in the image, and fails saying so otherwise. See docs/images.md.
     */
    String image() default "";

    /** Memory limit such as "256M" or "1G"; "max" for none. */
    String memory() default "";

    /** CPU time in cores, such as "0.5". */
    String cpus() default "";

    /** Relative CPU weight, 1..10000. */
    int cpuWeight() default -1;

    /** Most tasks (processes and threads) at once. */
    int pids() default -1;

    /** "none" (loopback only, the default) or "host". */
    String network() default "";

    String hostname() default "";

    /** Extra bind mounts, "SRC:DST" or "SRC:DST:ro". */
    String[] binds() default {};

    /** Extra tmpfs mounts. */
    String[] tmpfs() default {};

    /**
     * A writable root that is thrown away: an overlay on the rootfs (the host's {@code /} too) whose
     * writes vanish with the container; the rootfs itself never changes.
     */
    boolean writableRoot() default false;

    /**
     * The most a {@link #writableRoot} holds of what the container writes, in memory, e.g. "256M"
     * (default 1G); beyond it a write fails with ENOSPC.
     */
    String writableRootSize() default "";

    /** Capabilities container root keeps beyond the default, e.g. "NET_ADMIN". */
    String[] capAdd() default {};

    /** Capabilities container root drops from the default; "ALL" for all. */
    String[] capDrop() default {};

    /** System calls to refuse with EPERM beyond the default seccomp profile. */
    String[] seccompDeny() default {};

    /**
     * Kill the container (and fail the test) after this long: "30s", "500ms", "2m". In a JVM that runs
     * a class's tests, each test gets this timeout from JUnit itself (in a thread of its own, so a
     * test that ignores interrupts is left behind, and the JVM ends when the class does), and the host
     * measures it too, from the test's start with its callbacks: a test that has not ended 5 seconds
     * after its timeout (its JVM's runner is stuck, say) ends the JVM, and fails saying so. Every
     * forked JVM ends at {@code barco.forkTimeout} (default 60m) in all.
     */
    String timeout() default "";

    /**
     * How many JVM-mode tests share a forked JVM. {@link Granularity#CLASS}, the default: the tests of
     * a class run in one JVM, in one container, where {@code @BeforeAll}, {@code @AfterAll}, static state
     * and the class's extensions live as in a plain run. {@link Granularity#METHOD}: a JVM per test
     * method, in a container no other test used. A method with an {@code @InBarco} of its own always
     * gets its own JVM.
     */
    Granularity granularity() default Granularity.INHERIT;

    /** See {@link #granularity()}. INHERIT: as the enclosing class, or the barco.granularity parameter, says. */
    enum Granularity {
        INHERIT,
        METHOD,
        CLASS
    }
}
