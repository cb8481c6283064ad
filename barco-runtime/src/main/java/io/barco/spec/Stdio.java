package io.barco.spec;

/** Where one of the container's standard streams goes. */
public enum Stdio {
    /** The caller's own descriptor: a terminal stays a terminal. */
    INHERIT,
    /** A pipe the caller reads or writes through the container handle. */
    PIPE,
    /** /dev/null. */
    DISCARD
}
