package io.barco.samples;

import io.barco.junit.InBarco;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A team's own sandbox: @InBarco as a meta-annotation. The timeout is generous: CI also runs the
 * samples in a VM under emulation, where a test JVM's first start (writing the class data archive)
 * took up to 35 s.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@InBarco(memory = "256M", pids = 64, cpus = "1", timeout = "2m")
public @interface SmallSandbox {}
