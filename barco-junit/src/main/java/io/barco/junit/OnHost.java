package io.barco.junit;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a lifecycle method ({@code @BeforeEach}, {@code @AfterEach}, {@code @BeforeAll}, {@code
 * @AfterAll}) of JVM-mode {@link InBarco} tests that runs on the host instead of in the forked JVM.
 * An {@code @AfterEach @OnHost} method may take the forked test's {@link
 * io.barco.cgroup.ResourceUsage} as a parameter to assert on it. Implied for a method that takes a
 * {@link BarcoContainer} and for those of a class that shares one from its {@code @BeforeAll}.
 */
@Target(ElementType.METHOD)
@Retention(RetentionPolicy.RUNTIME)
@Documented
public @interface OnHost {}
