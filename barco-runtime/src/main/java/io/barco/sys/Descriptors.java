package io.barco.sys;

import com.sun.jna.LastErrorException;

/** Small helpers over raw file descriptors. */
public final class Descriptors {
    private Descriptors() {
    }

    /** A pipe whose both ends are close-on-exec: {@code [read, write]}. */
    public static int[] pipe() {
        int[] fds = new int[2];
        LibC.INSTANCE.pipe2(fds, LibC.O_CLOEXEC);
        return fds;
    }

    /** An anonymous in-memory file holding {@code data}, positioned at its start. */
    public static int memfd(String name, byte[] data) {
        int fd = LibC.INSTANCE.memfd_create(name, LibC.MFD_CLOEXEC);
        try {
            writeFully(fd, data);
            LibC.INSTANCE.lseek(fd, 0, LibC.SEEK_SET);
            return fd;
        } catch (RuntimeException e) {
            closeQuietly(fd);
            throw e;
        }
    }

    public static void writeFully(int fd, byte[] data) {
        int done = 0;
        while (done < data.length) {
            byte[] rest = done == 0 ? data : java.util.Arrays.copyOfRange(data, done, data.length);
            try {
                done += (int) LibC.INSTANCE.write(fd, rest, rest.length);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw e;
                }
            }
        }
    }

    /** Reads a file descriptor (such as a memfd something else wrote) from its start to its end. */
    public static byte[] readFromStart(int fd) {
        LibC.INSTANCE.lseek(fd, 0, LibC.SEEK_SET);
        return readFully(fd);
    }

    /** Reads until end of file. */
    public static byte[] readFully(int fd) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        for (;;) {
            long n;
            try {
                n = LibC.INSTANCE.read(fd, buffer, buffer.length);
            } catch (LastErrorException e) {
                if (e.getErrorCode() == Errno.EINTR) {
                    continue;
                }
                throw e;
            }
            if (n == 0) {
                return out.toByteArray();
            }
            out.write(buffer, 0, (int) n);
        }
    }

    public static void closeQuietly(int fd) {
        if (fd >= 0) {
            try {
                LibC.INSTANCE.close(fd);
            } catch (LastErrorException ignored) {
                // closing is best effort on cleanup paths; the descriptor is gone either way
            }
        }
    }
}
