package io.barco.launch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * A 16-byte record the helper writes on {@link HelperSpawner#STATUS_FD} (struct barco_status in
 * barco-wire.h, which {@link WireHeader} generates from these constants).
 */
record StatusRecord(int kind, int step, int errno, int value) {
    static final int PID = 1;
    static final int ERROR = 2;
    /** Four int32 fields. At most PIPE_BUF, so the parent's and child's records never interleave. */
    static final int SIZE = 4 * Integer.BYTES;

    static StatusRecord decode(byte[] bytes, int offset) {
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, SIZE).order(ByteOrder.nativeOrder());
        return new StatusRecord(b.getInt(), b.getInt(), b.getInt(), b.getInt());
    }
}
