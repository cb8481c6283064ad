package io.barco.output;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Captures one output stream of a container within {@link OutputLimits}: the first half of the
 * memory limit as the head, the last half as the tail (a ring), the bytes between them counted and
 * dropped, and, when the limits name a spill directory, the whole stream in a file up to its cap.
 *
 * <p>Thread-safe: a pump writes while others take {@link #snapshot()}s. Whole bytes are kept and
 * decoded only when read, so a character split across two writes still decodes. Buffers grow with
 * the output, so a short output costs a short buffer. Writing never fails: a spill file that cannot
 * be written is abandoned (the result then says how much it holds), because a pump that stops
 * reading would block the container on a full pipe.
 */
public final class OutputCapture extends OutputStream {
    private final OutputLimits limits;
    private final String name;
    private final int headCapacity;
    private final int tailCapacity;
    private byte[] head = new byte[0];
    private int headLength;
    private byte[] tail = new byte[0]; // a ring once it holds tailCapacity bytes
    private int tailStart;
    private int tailLength;
    private long total;
    private OutputStream spill;
    private Path spillFile;
    private boolean spillStarted; // once: a spill that failed to start is not retried on every write
    private long spilled;
    private boolean closed;

    /** @param name the stream's name in the spill file's name, such as {@code stdout} */
    public OutputCapture(OutputLimits limits, String name) {
        this.limits = limits;
        this.name = name;
        this.headCapacity = (int) (limits.memoryBytes() / 2);
        this.tailCapacity = (int) (limits.memoryBytes() - headCapacity);
    }

    /** Reads {@code in} to its end (or until it fails, as when the container is killed) into a new capture. */
    public static CapturedOutput drain(InputStream in, OutputLimits limits, String name) {
        OutputCapture capture = new OutputCapture(limits, name);
        try {
            in.transferTo(capture);
        } catch (IOException e) {
            // closed under us when the container was killed: keep what arrived
        } finally {
            capture.close();
        }
        return capture.snapshot();
    }

    @Override
    public void write(int b) {
        write(new byte[] {(byte) b}, 0, 1);
    }

    @Override
    public synchronized void write(byte[] bytes, int off, int len) {
        if (closed) {
            return; // a late write after the stream's end has nowhere to go
        }
        if (!spillStarted && limits.spillDirectory() != null && total + len > headCapacity + (long) tailCapacity) {
            startSpill(); // before the first byte is dropped, so the file gets every byte
        }
        spill(bytes, off, len);
        total += len;
        int toHead = Math.min(len, headCapacity - headLength);
        if (toHead > 0) {
            head = grow(head, headLength + toHead, headCapacity);
            System.arraycopy(bytes, off, head, headLength, toHead);
            headLength += toHead;
        }
        appendTail(bytes, off + toHead, len - toHead);
    }

    private void appendTail(byte[] bytes, int off, int len) {
        if (len == 0 || tailCapacity == 0) {
            return;
        }
        if (len >= tailCapacity) { // the write alone fills the tail
            tail = tail.length == tailCapacity ? tail : new byte[tailCapacity];
            System.arraycopy(bytes, off + len - tailCapacity, tail, 0, tailCapacity);
            tailStart = 0;
            tailLength = tailCapacity;
            return;
        }
        if (tailLength + len <= tailCapacity && tailStart == 0) { // still a plain array, growing
            tail = grow(tail, tailLength + len, tailCapacity);
            System.arraycopy(bytes, off, tail, tailLength, len);
            tailLength += len;
            return;
        }
        tail = grow(tail, tailCapacity, tailCapacity); // a ring from now on
        int end = (tailStart + tailLength) % tailCapacity;
        int first = Math.min(len, tailCapacity - end);
        System.arraycopy(bytes, off, tail, end, first);
        System.arraycopy(bytes, off + first, tail, 0, len - first);
        int overflow = tailLength + len - tailCapacity;
        if (overflow > 0) {
            tailStart = (tailStart + overflow) % tailCapacity;
            tailLength = tailCapacity;
        } else {
            tailLength += len;
        }
    }

    private static byte[] grow(byte[] array, int needed, int capacity) {
        if (array.length >= needed) {
            return array;
        }
        return Arrays.copyOf(array, (int) Math.min(capacity, Math.max(needed, Math.max(8192, 2L * array.length))));
    }

    private void startSpill() {
        spillStarted = true;
        try {
            Files.createDirectories(limits.spillDirectory());
            // a new file of our own (O_EXCL), in a directory the caller named: no link is followed
            spillFile = Files.createTempFile(limits.spillDirectory(), "barco-" + name + "-", ".log");
            spill = Files.newOutputStream(spillFile);
        } catch (IOException | RuntimeException e) {
            // no file then, rather than one that claims to hold what it does not; the result says so
            deleteQuietly(spillFile);
            spillFile = null;
            return;
        }
        spill(head, 0, headLength);
        byte[] kept = tailBytes();
        spill(kept, 0, kept.length);
    }

    private void spill(byte[] bytes, int off, int len) {
        if (spill == null) {
            return;
        }
        int n = (int) Math.min(len, limits.spillBytes() - spilled);
        try {
            spill.write(bytes, off, n);
            spilled += n;
            if (spilled >= limits.spillBytes() && n < len) {
                closeSpill(); // at its cap: the file stays, with the first spillBytes bytes
            }
        } catch (IOException e) {
            closeSpill(); // e.g. a full disk: the result reports how many bytes the file holds
        }
    }

    private static void deleteQuietly(Path file) {
        if (file != null) {
            try {
                Files.deleteIfExists(file);
            } catch (IOException ignored) {
                // an empty file of our own, left in the caller's directory
            }
        }
    }

    private void closeSpill() {
        if (spill != null) {
            try {
                spill.close();
            } catch (IOException ignored) {
                // the bytes counted as spilled were handed to the kernel; nothing more to do
            }
            spill = null;
        }
    }

    private byte[] tailBytes() {
        byte[] out = new byte[tailLength];
        int first = Math.min(tailLength, tail.length - tailStart);
        System.arraycopy(tail, tailStart, out, 0, first);
        System.arraycopy(tail, 0, out, first, tailLength - first);
        return out;
    }

    /** What is kept so far; once closed, the whole stream's outcome. */
    public synchronized CapturedOutput snapshot() {
        return new CapturedOutput(Arrays.copyOf(head, headLength), tailBytes(), total, spillFile, spilled, closed);
    }

    /** The text kept so far, as {@link CapturedOutput#text()}. */
    public String text() {
        return snapshot().text();
    }

    /** Every byte written so far, kept or not. */
    public synchronized long totalBytes() {
        return total;
    }

    /** Marks the end of the stream and closes the spill file. */
    @Override
    public synchronized void close() {
        closed = true;
        closeSpill();
    }
}
