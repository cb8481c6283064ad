package io.barco.service;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One client's request, decoded from what it sent, as untrusted data: the barco CLI's argv, the
 * environment its {@code -e NAME} copies from and the directory its relative paths are taken from.
 * {@link #decode} holds the bytes to {@link ServiceWire}'s caps and refuses anything else with a
 * {@link Refused} whose message the client prints.
 */
public record Request(String cwd, List<String> argv, Map<String, String> env) {
    public Request {
        argv = List.copyOf(argv);
        env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(env));
    }

    /** A request the service will not run; the message says why, in one line. */
    public static final class Refused extends RuntimeException {
        public Refused(String message) {
            super(message);
        }
    }

    /** The header's counts and length, checked against the caps before the payload is read. */
    public record Header(int argc, int envc, int length) {}

    public static Header header(byte[] bytes) {
        if (bytes.length != ServiceWire.REQUEST_SIZE) {
            throw new Refused("a request header is " + ServiceWire.REQUEST_SIZE + " bytes, not " + bytes.length);
        }
        ByteBuffer b = ServiceWire.buffer(bytes);
        if (b.getInt(0) != ServiceWire.MAGIC) {
            throw new Refused(String.format("not a barco request (magic 0x%08x)", b.getInt(0)));
        }
        long argc = Integer.toUnsignedLong(b.getInt(4));
        long envc = Integer.toUnsignedLong(b.getInt(8));
        long length = Integer.toUnsignedLong(b.getInt(12));
        if (argc < 1 || argc > ServiceWire.MAX_ARGS) {
            throw new Refused("a request has 1 to " + ServiceWire.MAX_ARGS + " arguments, not " + argc);
        }
        if (envc > ServiceWire.MAX_ENV) {
            throw new Refused("a request has at most " + ServiceWire.MAX_ENV + " environment entries, not " + envc);
        }
        if (length > ServiceWire.MAX_LENGTH) {
            throw new Refused("a request is at most " + ServiceWire.MAX_LENGTH + " bytes, not " + length);
        }
        return new Header((int) argc, (int) envc, (int) length);
    }

    /** The request of {@code header} from its payload: exactly 1 + argc + envc NUL-terminated strings. */
    public static Request decode(Header header, byte[] payload) {
        if (payload.length != header.length()) {
            throw new Refused(
                    "the request's payload is " + payload.length + " bytes, its header says " + header.length());
        }
        int wanted = 1 + header.argc() + header.envc();
        List<String> strings = new ArrayList<>(wanted);
        CharsetDecoder utf8 = StandardCharsets.UTF_8
                .newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        int start = 0;
        for (int i = 0; i < payload.length; i++) {
            if (payload[i] != 0) {
                continue;
            }
            if (strings.size() == wanted) {
                throw new Refused("the request has bytes after its " + wanted + " strings");
            }
            if (i - start > ServiceWire.MAX_STRING) {
                throw new Refused("string " + strings.size() + " of the request is longer than "
                        + ServiceWire.MAX_STRING + " bytes");
            }
            try {
                CharBuffer text = utf8.decode(ByteBuffer.wrap(payload, start, i - start));
                strings.add(text.toString());
            } catch (CharacterCodingException e) {
                throw new Refused("string " + strings.size() + " of the request is not UTF-8");
            }
            start = i + 1;
        }
        if (strings.size() != wanted || start != payload.length) {
            throw new Refused("the request has " + strings.size() + " complete strings"
                    + (start != payload.length ? " and an unterminated one" : "") + ", its header says " + wanted);
        }
        String cwd = strings.get(0);
        if (!cwd.startsWith("/")) {
            throw new Refused("the request's working directory is not absolute: " + cwd);
        }
        List<String> argv = strings.subList(1, 1 + header.argc());
        Map<String, String> env = new LinkedHashMap<>();
        for (String entry : strings.subList(1 + header.argc(), wanted)) {
            int eq = entry.indexOf('=');
            if (eq <= 0) {
                throw new Refused("environment entry " + env.size() + " of the request is not NAME=VALUE");
            }
            env.putIfAbsent(entry.substring(0, eq), entry.substring(eq + 1)); // as getenv(3): the first of a name
        }
        return new Request(cwd, argv, env);
    }

    @Override
    public String toString() {
        return "Request[cwd=" + cwd + ", argv=" + argv + ", " + env.size() + " environment entries]";
    }
}
