package io.barco.launch;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/** A 16-byte record the helper writes on fd 4 (struct status in barco-helper.c). */
record StatusRecord(int kind, int step, int errno, int value) {
    static final int SIZE = 16;
    static final int PID = 1;
    static final int ERROR = 2;

    static StatusRecord decode(byte[] bytes, int offset) {
        ByteBuffer b = ByteBuffer.wrap(bytes, offset, SIZE).order(ByteOrder.nativeOrder());
        return new StatusRecord(b.getInt(), b.getInt(), b.getInt(), b.getInt());
    }
}
