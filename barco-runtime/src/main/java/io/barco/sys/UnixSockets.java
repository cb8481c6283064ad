package io.barco.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Memory;
import io.barco.BarcoException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Unix domain stream sockets through the C library, for the launch service: the JDK's channels
 * cannot receive descriptors (SCM_RIGHTS) nor tell who the peer is (SO_PEERCRED). Every descriptor
 * is close-on-exec, received ones too. A failed call throws a {@link BarcoException} naming the
 * call and errno.
 */
public final class UnixSockets {
    /** sizeof(struct sockaddr_un): family, then 108 bytes of path. */
    private static final int SOCKADDR_UN_SIZE = 110;

    private static final int PATH_MAX = 107;
    /** x86-64: struct msghdr, struct iovec and struct cmsghdr's header. */
    private static final int MSGHDR_SIZE = 56;

    private static final int IOVEC_SIZE = 16;
    private static final int CMSG_HEADER = 16;

    private UnixSockets() {}

    /** The credentials of a connected peer, as the kernel recorded them at connect(2). */
    public record Peer(int pid, int uid, int gid) {}

    /** What one recvmsg(2) brought: the bytes and the descriptors that came with them (maybe none). */
    public record Received(byte[] data, int[] fds, boolean truncated) {}

    static BarcoException failure(String call, LastErrorException e) {
        return new BarcoException(call + ": " + Errno.describe(e.getErrorCode()) + " (errno " + e.getErrorCode() + ")");
    }

    /** A listening socket at {@code path}, which must not exist yet. */
    public static int listen(Path path, int backlog) {
        byte[] name = path.toString().getBytes(StandardCharsets.UTF_8);
        if (name.length > PATH_MAX) {
            throw new BarcoException(
                    "socket path " + path + " is longer than " + PATH_MAX + " bytes: give a shorter one");
        }
        byte[] address = new byte[SOCKADDR_UN_SIZE];
        address[0] = (byte) LibC.AF_UNIX;
        System.arraycopy(name, 0, address, 2, name.length);
        int fd;
        try {
            fd = LibC.INSTANCE.socket(LibC.AF_UNIX, LibC.SOCK_STREAM | LibC.SOCK_CLOEXEC, 0);
        } catch (LastErrorException e) {
            throw failure("socket", e);
        }
        try {
            LibC.INSTANCE.bind(fd, address, 2 + name.length + 1);
        } catch (LastErrorException e) {
            Descriptors.closeQuietly(fd);
            throw failure("bind " + path, e);
        }
        try {
            LibC.INSTANCE.listen(fd, backlog);
        } catch (LastErrorException e) {
            Descriptors.closeQuietly(fd);
            throw failure("listen", e);
        }
        return fd;
    }

    /** The next connection, close-on-exec; retried on EINTR and on a connection that went away before it was taken. */
    public static int accept(int listening) {
        for (; ; ) {
            try {
                return LibC.INSTANCE.accept4(listening, null, null, LibC.SOCK_CLOEXEC);
            } catch (LastErrorException e) {
                int errno = e.getErrorCode();
                if (errno != Errno.EINTR && errno != ECONNABORTED) {
                    throw failure("accept4", e);
                }
            }
        }
    }

    private static final int ECONNABORTED = 103;

    public static Peer peer(int fd) {
        byte[] ucred = new byte[12];
        try {
            LibC.INSTANCE.getsockopt(fd, LibC.SOL_SOCKET, LibC.SO_PEERCRED, ucred, new int[] {ucred.length});
        } catch (LastErrorException e) {
            throw failure("getsockopt SO_PEERCRED", e);
        }
        ByteBuffer b = ByteBuffer.wrap(ucred).order(ByteOrder.nativeOrder());
        return new Peer(b.getInt(0), b.getInt(4), b.getInt(8));
    }

    /** This process's effective uid: the one a client's must be. */
    public static int ownUid() {
        return LibC.INSTANCE.geteuid();
    }

    /** Bounds each read of {@code fd} to {@code millis} (0: no bound); a read past it fails with EAGAIN. */
    public static void receiveTimeout(int fd, long millis) {
        byte[] timeval = ByteBuffer.allocate(16)
                .order(ByteOrder.nativeOrder())
                .putLong(millis / 1000)
                .putLong((millis % 1000) * 1000)
                .array();
        try {
            LibC.INSTANCE.setsockopt(fd, LibC.SOL_SOCKET, LibC.SO_RCVTIMEO, timeval, timeval.length);
        } catch (LastErrorException e) {
            throw failure("setsockopt SO_RCVTIMEO", e);
        }
    }

    /**
     * One recvmsg(2) of at most {@code size} bytes, taking up to {@code maxFds} descriptors that came
     * with them (close-on-exec). Descriptors beyond {@code maxFds} are cut off by the kernel, which
     * closes them ({@link Received#truncated}); ones of another control message kind are closed here.
     */
    public static Received receive(int fd, int size, int maxFds) {
        int controlSize = CMSG_HEADER + ((maxFds * 4 + 7) & ~7);
        try (Memory msg = new Memory(MSGHDR_SIZE);
                Memory iov = new Memory(IOVEC_SIZE);
                Memory data = new Memory(Math.max(size, 1));
                Memory control = new Memory(controlSize)) {
            msg.clear();
            control.clear();
            iov.setPointer(0, data);
            iov.setLong(8, size);
            msg.setPointer(16, iov);
            msg.setLong(24, 1);
            msg.setPointer(32, control);
            msg.setLong(40, controlSize);
            long n;
            for (; ; ) {
                try {
                    n = LibC.INSTANCE.recvmsg(fd, msg, LibC.MSG_CMSG_CLOEXEC);
                    break;
                } catch (LastErrorException e) {
                    if (e.getErrorCode() != Errno.EINTR) {
                        throw failure("recvmsg", e);
                    }
                }
            }
            int flags = msg.getInt(48);
            long controlLength = msg.getLong(40);
            int[] fds = new int[0];
            long offset = 0;
            while (offset + CMSG_HEADER <= controlLength) {
                long length = control.getLong(offset);
                int level = control.getInt(offset + 8);
                int type = control.getInt(offset + 12);
                if (length < CMSG_HEADER || offset + length > controlLength) {
                    break;
                }
                int count = (int) ((length - CMSG_HEADER) / 4);
                int[] got = control.getIntArray(offset + CMSG_HEADER, count);
                if (level == LibC.SOL_SOCKET && type == LibC.SCM_RIGHTS) {
                    int[] all = Arrays.copyOf(fds, fds.length + count);
                    System.arraycopy(got, 0, all, fds.length, count);
                    fds = all;
                }
                offset += (length + 7) & ~7L;
            }
            return new Received(data.getByteArray(0, (int) n), fds, (flags & LibC.MSG_CTRUNC) != 0);
        }
    }

    /** Reads up to {@code size} bytes, retrying on EINTR: fewer at end of stream (0: the peer closed). */
    public static int read(int fd, byte[] buffer, int size) {
        for (; ; ) {
            try {
                return (int) LibC.INSTANCE.read(fd, buffer, size);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw failure("read", e);
                }
            }
        }
    }

    /** Sends all of {@code data}; never raises SIGPIPE (a peer gone is an EPIPE failure). */
    public static void send(int fd, byte[] data) {
        int done = 0;
        while (done < data.length) {
            byte[] rest = done == 0 ? data : Arrays.copyOfRange(data, done, data.length);
            try {
                done += (int) LibC.INSTANCE.send(fd, rest, rest.length, LibC.MSG_NOSIGNAL);
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw failure("send", e);
                }
            }
        }
    }

    /** Ends both directions: a thread blocked reading the socket sees end of stream. Best effort. */
    public static void shutdown(int fd) {
        try {
            LibC.INSTANCE.shutdown(fd, LibC.SHUT_RDWR);
        } catch (LastErrorException e) {
            // already closed by the peer: nothing to end
        }
    }

    /** Ends this side's writing: the peer reads end of stream after what was sent. Best effort. */
    public static void shutdownOutput(int fd) {
        try {
            LibC.INSTANCE.shutdown(fd, LibC.SHUT_WR);
        } catch (LastErrorException e) {
            // the peer is gone: nothing to end
        }
    }

    /** A close-on-exec copy of {@code fd}, numbered {@code lowest} or above. */
    public static int duplicate(int fd, int lowest) {
        try {
            return LibC.INSTANCE.fcntl(fd, LibC.F_DUPFD_CLOEXEC, lowest);
        } catch (LastErrorException e) {
            throw failure("fcntl F_DUPFD_CLOEXEC", e);
        }
    }

    /**
     * Has the kernel send this process {@code signal} when its parent dies, and returns whether the
     * parent is still {@code parentPid} (if not, it died before: the signal will never come).
     */
    public static boolean dieWithParent(int parentPid, int signal) {
        try {
            LibC.INSTANCE.prctl(LibC.PR_SET_PDEATHSIG, signal, 0, 0, 0);
        } catch (LastErrorException e) {
            throw failure("prctl PR_SET_PDEATHSIG", e);
        }
        return LibC.INSTANCE.getppid() == parentPid;
    }
}
