package io.barco.image;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.security.MessageDigest;

/**
 * A blob read while its digest and size are checked: reading past the size its descriptor gives fails
 * at once, and {@link #verify} (after the last byte) fails unless both match. Nothing read from it is
 * to be trusted until {@link #verify} returns.
 */
final class VerifyingInputStream extends FilterInputStream {
    private final MessageDigest digest = Digest.sha256();
    private final Digest expected;
    /** The size the descriptor gives; -1 when it gives none (a docker save layer, checked by digest only). */
    private final long size;

    private final String what;
    private long read;

    VerifyingInputStream(InputStream in, Digest expected, long size, String what) {
        super(in);
        this.expected = expected;
        this.size = size;
        this.what = what;
    }

    @Override
    public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
            count(1);
            digest.update((byte) b);
        }
        return b;
    }

    @Override
    public int read(byte[] buffer, int offset, int length) throws IOException {
        int n = super.read(buffer, offset, length);
        if (n > 0) {
            count(n);
            digest.update(buffer, offset, n);
        }
        return n;
    }

    @Override
    public long skip(long n) throws IOException {
        byte[] buffer = new byte[8192];
        long skipped = 0;
        while (skipped < n) {
            int r = read(buffer, 0, (int) Math.min(buffer.length, n - skipped));
            if (r < 0) {
                break;
            }
            skipped += r;
        }
        return skipped;
    }

    @Override
    public boolean markSupported() {
        return false;
    }

    private void count(int n) throws IOException {
        read += n;
        if (size >= 0 && read > size) {
            throw new ImageIntegrityException(
                    what + " is longer than the " + size + " bytes its descriptor gives: the blob was tampered with");
        }
    }

    /** Reads what is left, then checks size and digest. */
    void verify() throws IOException {
        byte[] buffer = new byte[65536];
        while (read(buffer, 0, buffer.length) >= 0) {
            // the rest of the blob counts too
        }
        if (size >= 0 && read != size) {
            throw new ImageIntegrityException(what + " is truncated: " + read + " of the " + size
                    + " bytes its descriptor gives: fetch or save the image again");
        }
        Digest actual = Digest.of(digest);
        if (!actual.equals(expected)) {
            throw new ImageIntegrityException(what + " does not match its digest " + expected + " (it is " + actual
                    + "): the blob is corrupt or was tampered with");
        }
    }

    /** A blob that is not what its descriptor says: an IOException, so that it unwinds the unpacking first. */
    static final class ImageIntegrityException extends IOException {
        private static final long serialVersionUID = 1L;

        ImageIntegrityException(String message) {
            super(message);
        }
    }
}
