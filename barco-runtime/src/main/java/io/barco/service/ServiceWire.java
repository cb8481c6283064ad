package io.barco.service;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * The launch service's wire contract, defined once here: {@code io.barco.launch.WireHeader} writes
 * it into barco-wire.h for the C client. Native byte order, over a Unix stream socket.
 *
 * <p>Client to service, first: {@code struct barco_request} (magic, argc, envc, length), sent with
 * the client's descriptors 0, 1 and 2 (SCM_RIGHTS), then {@code length} bytes: the working
 * directory, the argc arguments (the barco CLI's own argv) and the envc environment entries, each
 * ending with a NUL. Then any number of {@code struct barco_message} of kind {@link #KILL} (value:
 * a signal for the container). Service to client: one {@code struct barco_message} of kind
 * {@link #EXIT} (value: the exit status, as the CLI's), followed by {@code length} bytes of a
 * message for the client's stderr (a refusal; 0 when the CLI's own line already went there).
 */
public final class ServiceWire {
    public static final int MAGIC = 0xBA2C05E1;
    /** struct barco_request: u32 magic, argc, envc, length. */
    public static final int REQUEST_SIZE = 16;
    /** struct barco_message: u32 magic, u32 kind, i32 value, u32 length. */
    public static final int MESSAGE_SIZE = 16;

    public static final int KILL = 1;
    public static final int EXIT = 2;

    /** The caps a request is held to, before anything is allocated for it. */
    public static final int MAX_ARGS = 8192;

    public static final int MAX_ENV = 8192;
    /** The whole of cwd, argv and env: the kernel's ARG_MAX for argv and env is 2 MiB by default. */
    public static final int MAX_LENGTH = 4 << 20;
    /** One argument or entry: the kernel's MAX_ARG_STRLEN. */
    public static final int MAX_STRING = 128 << 10;
    /** The message that follows an EXIT. */
    public static final int MAX_MESSAGE = 4096;
    /** The descriptors a request comes with: the client's stdin, stdout and stderr. */
    public static final int FDS = 3;
    /** Exit status of a request that failed in barco, as the CLI's. */
    public static final int EXIT_BARCO_FAILED = 125;

    private ServiceWire() {}

    static ByteBuffer buffer(byte[] bytes) {
        return ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    }

    /** An EXIT message: the status, then the message text (cut to {@link #MAX_MESSAGE} bytes). */
    public static byte[] exit(int status, String message) {
        byte[] text = message == null ? new byte[0] : message.getBytes(StandardCharsets.UTF_8);
        int length = Math.min(text.length, MAX_MESSAGE);
        ByteBuffer b = ByteBuffer.allocate(MESSAGE_SIZE + length).order(ByteOrder.nativeOrder());
        b.putInt(MAGIC).putInt(EXIT).putInt(status).putInt(length).put(text, 0, length);
        return b.array();
    }

    /** A message as the client sends it (tests play the client with it). */
    public static byte[] message(int kind, int value) {
        return ByteBuffer.allocate(MESSAGE_SIZE)
                .order(ByteOrder.nativeOrder())
                .putInt(MAGIC)
                .putInt(kind)
                .putInt(value)
                .putInt(0)
                .array();
    }

    /** A request header as the client sends it. */
    public static byte[] requestHeader(int argc, int envc, int length) {
        return ByteBuffer.allocate(REQUEST_SIZE)
                .order(ByteOrder.nativeOrder())
                .putInt(MAGIC)
                .putInt(argc)
                .putInt(envc)
                .putInt(length)
                .array();
    }
}
