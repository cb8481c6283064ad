package io.barco.output;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * What was kept of one output stream: all of it, or its head and tail with the count of bytes
 * dropped between them, and the spill file that holds the whole stream (or its first part) if any.
 *
 * <p>As text, a truncated stream reads: the head, then one marker line such as
 * {@code [barco: 2147483648 bytes of output dropped here; ...]}, then the tail. Characters cut by
 * the gap are left out whole rather than shown as replacement characters.
 */
public final class CapturedOutput {
    /** Nothing written. */
    public static final CapturedOutput EMPTY = whole(new byte[0]);

    private final byte[] head;
    private final byte[] tail;
    private final long totalBytes;
    private final Path spillFile;
    private final long spilledBytes;
    private final boolean complete;

    CapturedOutput(byte[] head, byte[] tail, long totalBytes, Path spillFile, long spilledBytes, boolean complete) {
        this.head = head;
        this.tail = tail;
        this.totalBytes = totalBytes;
        this.spillFile = spillFile;
        this.spilledBytes = spilledBytes;
        this.complete = complete;
    }

    /** A stream kept whole, such as output a caller collected itself. */
    public static CapturedOutput whole(byte[] bytes) {
        return new CapturedOutput(bytes.clone(), new byte[0], bytes.length, null, 0, true);
    }

    /** Every byte the stream carried, kept or not. */
    public long totalBytes() {
        return totalBytes;
    }

    /** Bytes dropped between head and tail; 0 when the whole stream was kept. */
    public long droppedBytes() {
        return totalBytes - head.length - tail.length;
    }

    public boolean truncated() {
        return droppedBytes() > 0;
    }

    /** The file the stream was spilled to, when it outgrew memory and the limits named a spill directory. */
    public Optional<Path> spillFile() {
        return Optional.ofNullable(spillFile);
    }

    /** Bytes in the spill file: the whole stream, or less when the file reached its cap or the disk failed. */
    public long spilledBytes() {
        return spilledBytes;
    }

    /** The kept bytes, with the marker line between head and tail when bytes were dropped. */
    public byte[] bytes() {
        if (!truncated()) {
            byte[] all = Arrays.copyOf(head, head.length + tail.length);
            System.arraycopy(tail, 0, all, head.length, tail.length);
            return all;
        }
        byte[] marker = marker().getBytes(StandardCharsets.UTF_8);
        byte[] all = new byte[head.length + marker.length + tail.length];
        System.arraycopy(head, 0, all, 0, head.length);
        System.arraycopy(marker, 0, all, head.length, marker.length);
        System.arraycopy(tail, 0, all, head.length + marker.length, tail.length);
        return all;
    }

    /**
     * The kept bytes as UTF-8. While the stream is still being written, a character whose last bytes
     * have not arrived yet is left out until they do.
     */
    public String text() {
        if (!truncated()) {
            byte[] all = bytes();
            return new String(
                    all, 0, complete ? all.length : Utf8.completeLength(all, all.length), StandardCharsets.UTF_8);
        }
        int skip = Utf8.continuationPrefix(tail, tail.length);
        int tailEnd = complete ? tail.length : Utf8.completeLength(tail, tail.length);
        return new String(head, 0, Utf8.completeLength(head, head.length), StandardCharsets.UTF_8)
                + marker()
                + new String(tail, skip, Math.max(0, tailEnd - skip), StandardCharsets.UTF_8);
    }

    /** The line that stands for the dropped bytes: how many, and where to find them. */
    String marker() {
        String where;
        if (spillFile == null) {
            where = "raise the output limit or give a spill directory (OutputLimits) to keep them";
        } else if (spilledBytes >= totalBytes) {
            where = "the whole output is in " + spillFile;
        } else {
            where = "the first " + spilledBytes + " bytes of the output are in " + spillFile;
        }
        return "\n[barco: " + droppedBytes() + " bytes of output dropped here; " + where + "]\n";
    }

    @Override
    public String toString() {
        return "CapturedOutput[" + totalBytes + " bytes" + (truncated() ? ", " + droppedBytes() + " dropped" : "")
                + (spillFile != null ? ", spilled to " + spillFile : "") + "]";
    }
}
