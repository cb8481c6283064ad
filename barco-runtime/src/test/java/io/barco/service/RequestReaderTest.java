package io.barco.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.barco.sys.UnixSockets;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The request as untrusted bytes, read through a scripted {@link RequestReader.Channel} (no
 * socket): the caps hold before anything is allocated, malformed input is refused in one line, and
 * the descriptors that came with a refused request are closed.
 */
class RequestReaderTest {
    /** A client's bytes and descriptors, and what the reader closed. */
    static final class Script implements RequestReader.Channel {
        final byte[] header;
        final int[] fds;
        final boolean truncated;
        final byte[] rest;
        int position;
        final List<Integer> closed = new ArrayList<>();
        long allocatedAtMost;

        Script(byte[] header, int[] fds, boolean truncated, byte[] rest) {
            this.header = header;
            this.fds = fds;
            this.truncated = truncated;
            this.rest = rest;
        }

        @Override
        public UnixSockets.Received receive(int fd, int size, int maxFds) {
            assertThat(size).isEqualTo(ServiceWire.REQUEST_SIZE);
            return new UnixSockets.Received(Arrays.copyOf(header, Math.min(size, header.length)), fds, truncated);
        }

        @Override
        public int read(int fd, byte[] buffer, int size) {
            allocatedAtMost = Math.max(allocatedAtMost, buffer.length);
            int n = Math.min(size, rest.length - position);
            System.arraycopy(rest, position, buffer, 0, n);
            position += n;
            return n;
        }

        @Override
        public void close(int fd) {
            closed.add(fd);
        }
    }

    private static final int[] STDIO = {20, 21, 22};

    static byte[] strings(String... strings) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (String s : strings) {
            out.writeBytes(s.getBytes(StandardCharsets.UTF_8));
            out.write(0);
        }
        return out.toByteArray();
    }

    static Script client(int argc, int envc, byte[] payload) {
        return new Script(ServiceWire.requestHeader(argc, envc, payload.length), STDIO, false, payload);
    }

    @Test
    void readsDirectoryArgumentsAndEnvironmentWithTheDescriptors() {
        Script script = client(
                3, 2, strings("/work/module", "java-fork", "/barco/bin/barco-java", "-version", "HOME=/root", "A=b=c"));
        RequestReader.Incoming in = RequestReader.read(script, 9);
        assertThat(in.request().cwd()).isEqualTo("/work/module");
        assertThat(in.request().argv()).containsExactly("java-fork", "/barco/bin/barco-java", "-version");
        assertThat(in.request().env()).isEqualTo(Map.of("HOME", "/root", "A", "b=c"));
        assertThat(in.stdio()).containsExactly(STDIO);
        assertThat(script.closed).isEmpty();
    }

    @Test
    void theFirstOfTwoEntriesOfANameWinsAsGetenvReadsIt() {
        Request request = RequestReader.read(client(1, 2, strings("/", "-c", "X=1", "X=2")), 9)
                .request();
        assertThat(request.env()).containsExactly(Map.entry("X", "1"));
    }

    @Test
    void refusesAnotherProtocolAndClosesTheDescriptors() {
        byte[] header = ServiceWire.requestHeader(1, 0, 3);
        header[0] ^= 0x55;
        Script script = new Script(header, STDIO, false, strings("/", "x"));
        assertThatThrownBy(() -> RequestReader.read(script, 9))
                .isInstanceOf(Request.Refused.class)
                .hasMessageContaining("not a barco request");
        assertThat(script.closed).containsExactly(20, 21, 22);
    }

    @Test
    void refusesCountsAndLengthsAboveTheCapsBeforeReadingThePayload() {
        for (byte[] header : List.of(
                ServiceWire.requestHeader(ServiceWire.MAX_ARGS + 1, 0, 10),
                ServiceWire.requestHeader(1, ServiceWire.MAX_ENV + 1, 10),
                ServiceWire.requestHeader(1, 0, ServiceWire.MAX_LENGTH + 1),
                ServiceWire.requestHeader(-1, 0, 10),
                ServiceWire.requestHeader(1, 0, -1),
                ServiceWire.requestHeader(0, 0, 2))) {
            Script script = new Script(header, STDIO, false, new byte[0]);
            assertThatThrownBy(() -> RequestReader.read(script, 9)).isInstanceOf(Request.Refused.class);
            assertThat(script.position).isZero();
            assertThat(script.closed).containsExactly(20, 21, 22);
        }
    }

    @Test
    void refusesAStringLongerThanTheKernelTakes() {
        String huge = "x".repeat(ServiceWire.MAX_STRING + 1);
        assertThatThrownBy(() -> RequestReader.read(client(1, 0, strings("/", huge)), 9))
                .isInstanceOf(Request.Refused.class)
                .hasMessageContaining("longer than");
    }

    @Test
    void refusesMissingExtraAndUnterminatedStrings() {
        assertThatThrownBy(() -> RequestReader.read(client(2, 0, strings("/", "a")), 9))
                .hasMessageContaining("complete strings");
        assertThatThrownBy(() -> RequestReader.read(client(1, 0, strings("/", "a", "b")), 9))
                .hasMessageContaining("bytes after");
        byte[] unterminated = Arrays.copyOf(strings("/", "abc"), 5);
        assertThatThrownBy(() -> RequestReader.read(client(1, 0, unterminated), 9))
                .hasMessageContaining("unterminated");
    }

    @Test
    void refusesARelativeDirectoryAnEnvironmentEntryWithoutNameAndInvalidUtf8() {
        assertThatThrownBy(() -> RequestReader.read(client(1, 0, strings("tmp", "-c")), 9))
                .hasMessageContaining("not absolute");
        assertThatThrownBy(() -> RequestReader.read(client(1, 1, strings("/", "-c", "=x")), 9))
                .hasMessageContaining("NAME=VALUE");
        assertThatThrownBy(() -> RequestReader.read(client(1, 1, strings("/", "-c", "NOEQUALS")), 9))
                .hasMessageContaining("NAME=VALUE");
        byte[] bad = strings("/", "-c");
        bad[2] = (byte) 0xff;
        assertThatThrownBy(() -> RequestReader.read(client(1, 0, bad), 9)).hasMessageContaining("not UTF-8");
    }

    @Test
    void refusesAPayloadShorterThanItsHeaderSays() {
        Script script = new Script(ServiceWire.requestHeader(1, 0, 1000), STDIO, false, strings("/", "-c"));
        assertThatThrownBy(() -> RequestReader.read(script, 9)).hasMessageContaining("ended after");
        assertThat(script.closed).containsExactly(20, 21, 22);
    }

    @Test
    void refusesARequestWithoutItsThreeDescriptorsOrWithMore() {
        byte[] payload = strings("/", "-c");
        Script none = new Script(ServiceWire.requestHeader(1, 0, payload.length), new int[0], false, payload);
        assertThatThrownBy(() -> RequestReader.read(none, 9)).hasMessageContaining("exactly 3 descriptors");
        Script two = new Script(ServiceWire.requestHeader(1, 0, payload.length), new int[] {30, 31}, false, payload);
        assertThatThrownBy(() -> RequestReader.read(two, 9)).hasMessageContaining("not 2");
        assertThat(two.closed).containsExactly(30, 31);
        Script more = new Script(ServiceWire.requestHeader(1, 0, payload.length), STDIO, true, payload);
        assertThatThrownBy(() -> RequestReader.read(more, 9)).hasMessageContaining("not more");
        assertThat(more.closed).containsExactly(20, 21, 22);
    }

    @Test
    void aConnectionClosedBeforeAnyByteIsRefusedQuietly() {
        Script script = new Script(new byte[0], new int[0], false, new byte[0]);
        assertThatThrownBy(() -> RequestReader.read(script, 9)).hasMessageContaining("before its request");
    }

    @Test
    void readsTheRestOfAHeaderThatCameInPieces() {
        byte[] payload = strings("/", "-c");
        byte[] header = ServiceWire.requestHeader(1, 0, payload.length);
        byte[] rest = new byte[6 + payload.length];
        System.arraycopy(header, 10, rest, 0, 6);
        System.arraycopy(payload, 0, rest, 6, payload.length);
        Script script = new Script(Arrays.copyOf(header, 10), STDIO, false, rest);
        assertThat(RequestReader.read(script, 9).request().argv()).containsExactly("-c");
    }

    @Test
    void theExitMessageIsCutToItsCap() {
        byte[] exit = ServiceWire.exit(125, "x".repeat(ServiceWire.MAX_MESSAGE + 100));
        assertThat(exit).hasSize(ServiceWire.MESSAGE_SIZE + ServiceWire.MAX_MESSAGE);
        assertThat(ServiceWire.buffer(exit).getInt(8)).isEqualTo(125);
    }
}
