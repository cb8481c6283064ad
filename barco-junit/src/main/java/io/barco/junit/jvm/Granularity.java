package io.barco.junit.jvm;

/**
 * How many JVM-mode tests share a forked JVM, as resolved for a class: the one answer the extension
 * works out (from {@code @InBarco(granularity)}, {@code barco.granularity} and whether the class is
 * annotated) and hands to this package in a {@link ClassPlan}.
 */
public enum Granularity {
    /** A JVM per test method, in a container no other test used. */
    METHOD,
    /** One JVM for the tests of a class (with its nested classes that have no settings of their own). */
    CLASS,
    /** One JVM for the unannotated classes of the whole run, under the whole-suite switch. */
    RUN
}
