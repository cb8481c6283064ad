package io.barco.launch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * A record the helper writes on {@link HelperSpawner#STATUS_FD} (struct barco_status in barco-wire.h,
 * which {@link WireHeader} generates from these constants): kind, step index, errno, value, and for a
 * step that makes several calls the one that failed, crun's way ("umount2 . (MNT_DETACH)").
 */
public record StatusRecord(int kind, int step, int errno, int value, String call) {
    static final int PID = 1;
    static final int ERROR = 2;
    /** The call's text, NUL-terminated; the helper cuts a longer one short with "...". */
    static final int CALL_SIZE = 240;
    /** Four int32 fields, then the call. At most PIPE_BUF, so the parent's and child's records never interleave. */
    static final int SIZE = 4 * Integer.BYTES + CALL_SIZE;

    static StatusRecord decode(byte[] bytes, int offset) {
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, SIZE).order(ByteOrder.nativeOrder());
        int kind = b.getInt();
        int step = b.getInt();
        int errno = b.getInt();
        int value = b.getInt();
        int start = b.position();
        int end = start;
        while (end < offset + SIZE && bytes[end] != 0) {
            end++;
        }
        return new StatusRecord(
                kind, step, errno, value, new String(bytes, start, end - start, StandardCharsets.UTF_8));
    }

    /** The record as the helper writes it: what a test double of the helper reports. */
    public byte[] encode() {
        ByteBuffer b = ByteBuffer.allocate(SIZE)
                .order(ByteOrder.nativeOrder())
                .putInt(kind)
                .putInt(step)
                .putInt(errno)
                .putInt(value);
        byte[] text = call.getBytes(StandardCharsets.UTF_8);
        b.put(text, 0, Math.min(text.length, CALL_SIZE - 1)); // the rest stays NUL
        return b.array();
    }

    /** The container's first process started as {@code pid}. */
    public static StatusRecord pid(int pid) {
        return new StatusRecord(PID, 0, 0, pid, "");
    }

    /** Step {@code step} failed with {@code errno}. */
    public static StatusRecord error(int step, int errno) {
        return new StatusRecord(ERROR, step, errno, 0, "");
    }

    /** What failed: the step as the plan describes it, then the call within it when the helper named one. */
    String failed(String step) {
        return call.isEmpty() ? step : step + ": " + call;
    }
}
