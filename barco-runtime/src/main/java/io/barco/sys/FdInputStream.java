package io.barco.sys;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.atomic.AtomicBoolean;

/** Reads a raw descriptor this stream owns; closing the stream closes it. */
public final class FdInputStream extends InputStream {
    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();
    private byte[] buffer = new byte[8192];

    public FdInputStream(int fd) {
        this.fd = fd;
    }

    @Override
    public int read() throws IOException {
        byte[] one = new byte[1];
        int n = read(one, 0, 1);
        return n < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public synchronized int read(byte[] b, int off, int len) throws IOException {
        if (len == 0) {
            return 0;
        }
        if (closed.get()) {
            throw new IOException("stream closed");
        }
        if (buffer.length < len) {
            buffer = new byte[Math.min(len, 1 << 20)];
        }
        int want = Math.min(len, buffer.length);
        for (; ; ) {
            try {
                long n = LibC.INSTANCE.read(fd, buffer, want);
                if (n == 0) {
                    return -1;
                }
                System.arraycopy(buffer, 0, b, off, (int) n);
                return (int) n;
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw new IOException("read: " + Errno.describe(e.getErrorCode()), e);
                }
            }
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Descriptors.closeQuietly(fd);
        }
    }
}
