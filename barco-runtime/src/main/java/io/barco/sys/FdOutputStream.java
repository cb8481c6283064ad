package io.barco.sys;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.io.OutputStream;
import java.util.Arrays;
import java.util.concurrent.atomic.AtomicBoolean;

/** Writes a raw descriptor this stream owns; closing the stream closes it. */
public final class FdOutputStream extends OutputStream {
    private final int fd;
    private final AtomicBoolean closed = new AtomicBoolean();

    public FdOutputStream(int fd) {
        this.fd = fd;
    }

    @Override
    public void write(int b) throws IOException {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] b, int off, int len) throws IOException {
        if (closed.get()) {
            throw new IOException("stream closed");
        }
        byte[] data = off == 0 && len == b.length ? b : Arrays.copyOfRange(b, off, off + len);
        try {
            Descriptors.writeFully(fd, data);
        } catch (LastErrorException e) {
            throw new IOException("write: " + Errno.describe(e.getErrorCode()), e);
        }
    }

    @Override
    public void close() {
        if (closed.compareAndSet(false, true)) {
            Descriptors.closeQuietly(fd);
        }
    }
}
