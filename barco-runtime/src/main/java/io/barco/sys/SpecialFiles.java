package io.barco.sys;

import com.sun.jna.LastErrorException;
import java.nio.file.FileSystemException;
import java.nio.file.Path;

/** Files Java cannot make: the character device 0/0 that overlayfs reads as a whiteout, and FIFOs (mknodat). */
public final class SpecialFiles {
    private static final long SYS_MKNODAT = 259; // x86-64, as the helper
    private static final int AT_FDCWD = -100;
    private static final int S_IFCHR = 0020000;
    private static final int S_IFIFO = 0010000;

    private SpecialFiles() {}

    /** An overlayfs whiteout at {@code path}: a character device 0/0, mode 0. Never through a link at the last step. */
    public static void whiteout(Path path) throws FileSystemException {
        mknod(path, S_IFCHR);
    }

    /** A FIFO with the permission bits {@code mode & 0777}. */
    public static void fifo(Path path, int mode) throws FileSystemException {
        mknod(path, S_IFIFO | (mode & 0777));
    }

    private static void mknod(Path path, int mode) throws FileSystemException {
        try {
            LibC.INSTANCE.syscall(SYS_MKNODAT, AT_FDCWD, path.toString(), mode, 0L);
        } catch (LastErrorException e) {
            throw new FileSystemException(path.toString(), null, "mknod: " + Errno.describe(e.getErrorCode()));
        }
    }
}
