package io.barco.output;

/** Where UTF-8 characters start and end in bytes cut at arbitrary places. */
final class Utf8 {
    private Utf8() {}

    /** The length of {@code bytes[0..len)} without an incomplete character at its end. */
    static int completeLength(byte[] bytes, int len) {
        for (int back = 1; back <= Math.min(3, len); back++) {
            int b = bytes[len - back] & 0xff;
            if ((b & 0xc0) == 0x80) {
                continue; // a continuation byte: look further back for its lead
            }
            int need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
            return need > back ? len - back : len;
        }
        return len; // not UTF-8 there: leave it to the decoder
    }

    /** How many continuation bytes open {@code bytes}: the rest of a character cut off before it (at most 3). */
    static int continuationPrefix(byte[] bytes, int len) {
        int skip = 0;
        while (skip < Math.min(3, len) && (bytes[skip] & 0xc0) == 0x80) {
            skip++;
        }
        return skip;
    }
}
