package io.barco.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks an {@code @AfterEach} (or {@code @BeforeEach}) method of a JVM-mode {@link InBarco} test that
 * runs on the host instead of in the forked JVM. An {@code @AfterEach @OnHost} method may take the
 * forked test's {@link io.barco.cgroup.ResourceUsage} as a parameter to assert on it.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface OnHost {
}
