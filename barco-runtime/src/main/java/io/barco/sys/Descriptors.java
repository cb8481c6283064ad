package io.barco.sys;

import com.sun.jna.LastErrorException;

/** Small helpers over raw file descriptors. */
public final class Descriptors {
    private Descriptors() {}

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
        for (; ; ) {
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

    /** See {@link Host#readUntil}: poll with what is left of the deadline, then read what is there. */
    public static Host.BoundedRead readUntil(int fd, int maxBytes, long deadline) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        byte[] buffer = new byte[Math.min(8192, maxBytes + 1)];
        for (; ; ) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return new Host.BoundedRead(out.toByteArray(), false);
            }
            int[] pollfd = {fd, LibC.POLLIN};
            try {
                if (LibC.INSTANCE.poll(pollfd, 1, (int) Math.min(Integer.MAX_VALUE, Math.max(1, left / 1_000_000)))
                        == 0) {
                    continue; // the deadline is checked above
                }
                long n = LibC.INSTANCE.read(fd, buffer, Math.min(buffer.length, maxBytes + 1 - out.size()));
                if (n == 0) {
                    return new Host.BoundedRead(out.toByteArray(), true);
                }
                out.write(buffer, 0, (int) n);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw e;
                }
            }
            if (out.size() > maxBytes) {
                return new Host.BoundedRead(out.toByteArray(), false);
            }
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
