package io.barco;

/**
 * A setting of a container as every front end knows it: the CLI as a flag, {@code @InBarco} as an
 * attribute, a build as a {@code barco.*} parameter, the Java API as a builder method. A failure about
 * one names it here, so that the runtime's message describes the container and each front end adds
 * its own way of changing the setting; no runtime message names a CLI flag.
 */
public enum Setting {
    COMMAND,
    ARGV0,
    ARGS,
    ENV,
    UID,
    GID,
    ID_MAP,
    ROOTFS,
    IMAGE,
    WRITABLE_ROOT,
    WRITABLE_ROOT_SIZE,
    WRITE_THROUGH_ROOT,
    HOSTNAME,
    WORKDIR,
    BINDS,
    TMPFS,
    NETWORK,
    TIMEOUT,
    CAP_ADD,
    CAP_DROP,
    SECCOMP_DENY,
    NO_SECCOMP,
    MEMORY,
    MEMORY_SWAP,
    CPU_WEIGHT,
    CPUS,
    PIDS,
    ALLOW_MISSING_CONTROLLERS
}
