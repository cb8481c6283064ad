package io.barco.plan;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * The wire form the helper reads from fd 3: a magic, the step count, then per step its code, two
 * 64-bit numbers and four length-prefixed strings, each with a terminating NUL. Native byte order.
 * Each step puts its fields in those slots ({@link Step#wire()}); only this class writes bytes.
 */
public final class PlanEncoder {
    /** The plan's first four bytes, "BRC1" in little-endian order. */
    public static final int MAGIC = 0x31435242;

    private PlanEncoder() {}

    public static byte[] encode(LaunchPlan plan) {
        List<Step.Wire> wires = plan.steps().stream().map(Step::wire).toList();
        int size = 8;
        for (Step.Wire wire : wires) {
            size += 4 + 8 + 8;
            for (int i = 0; i < Step.MAX_STRINGS; i++) {
                byte[] s = wire.string(i);
                size += 4 + (s == null ? 0 : s.length + 1);
            }
        }
        ByteBuffer out = ByteBuffer.allocate(size).order(ByteOrder.nativeOrder());
        out.putInt(MAGIC).putInt(wires.size());
        for (Step.Wire wire : wires) {
            out.putInt(wire.op().code()).putLong(wire.a()).putLong(wire.b());
            for (int i = 0; i < Step.MAX_STRINGS; i++) {
                byte[] s = wire.string(i);
                if (s == null) {
                    out.putInt(0);
                } else {
                    out.putInt(s.length + 1).put(s).put((byte) 0);
                }
            }
        }
        return out.array();
    }
}
