package io.barco.spec;

/** What the container may do to its root filesystem. */
public enum RootMode {
    /** The default: every write to the root fails with EROFS. */
    READ_ONLY,
    /**
     * Writable and throwaway: an overlay whose lower layer is the rootfs (the host's own {@code /}
     * included) and whose upper layer is a tmpfs of the container's own mount namespace, limited to
     * {@link ContainerSpec#rootOverlaySize()}. The container writes anywhere, the rootfs never changes,
     * and the writes vanish with the container.
     */
    OVERLAY,
    /**
     * Dangerous: the rootfs itself is mounted read-write, so the container writes to it (to the
     * host's own files when the rootfs is {@code /}) as its mapped host user.
     */
    WRITE_THROUGH
}
