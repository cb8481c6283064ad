package io.barco.service;

import io.barco.sys.UnixSockets;

/**
 * Reads one request off a connection: the header with the client's three descriptors, then the
 * payload, each held to {@link ServiceWire}'s caps before anything is allocated. On a refusal every
 * descriptor received is closed, and the {@link Request.Refused} says why.
 */
public final class RequestReader {
    /** The socket calls reading a request makes: {@link #LINUX}, or a unit test's scripted bytes. */
    public interface Channel {
        UnixSockets.Received receive(int fd, int size, int maxFds);

        /** Up to {@code size} bytes; 0 at end of stream. */
        int read(int fd, byte[] buffer, int size);

        void close(int fd);
    }

    public static final Channel LINUX = new Channel() {
        @Override
        public UnixSockets.Received receive(int fd, int size, int maxFds) {
            return UnixSockets.receive(fd, size, maxFds);
        }

        @Override
        public int read(int fd, byte[] buffer, int size) {
            return UnixSockets.read(fd, buffer, size);
        }

        @Override
        public void close(int fd) {
            io.barco.sys.Descriptors.closeQuietly(fd);
        }
    };

    /** A request and the client's stdin, stdout and stderr, which the caller now owns. */
    public record Incoming(Request request, int[] stdio) {}

    private RequestReader() {}

    public static Incoming read(Channel channel, int fd) {
        UnixSockets.Received first = channel.receive(fd, ServiceWire.REQUEST_SIZE, ServiceWire.FDS);
        int[] fds = first.fds();
        try {
            if (first.data().length == 0) {
                throw new Request.Refused("the client closed the connection before its request");
            }
            if (first.truncated() || fds.length != ServiceWire.FDS) {
                throw new Request.Refused(
                        "a request comes with exactly " + ServiceWire.FDS + " descriptors (stdin, stdout, stderr), not "
                                + (first.truncated() ? "more" : String.valueOf(fds.length)));
            }
            byte[] head = first.data();
            if (head.length < ServiceWire.REQUEST_SIZE) {
                byte[] whole = new byte[ServiceWire.REQUEST_SIZE];
                System.arraycopy(head, 0, whole, 0, head.length);
                readFully(channel, fd, whole, head.length, "header");
                head = whole;
            }
            Request.Header header = Request.header(head);
            byte[] payload = new byte[header.length()];
            readFully(channel, fd, payload, 0, "payload");
            return new Incoming(Request.decode(header, payload), fds);
        } catch (RuntimeException e) {
            for (int received : fds) {
                channel.close(received);
            }
            throw e;
        }
    }

    private static void readFully(Channel channel, int fd, byte[] into, int from, String what) {
        byte[] buffer = new byte[Math.min(into.length - from, 64 << 10)];
        int done = from;
        while (done < into.length) {
            int n = channel.read(fd, buffer, Math.min(buffer.length, into.length - done));
            if (n <= 0) {
                throw new Request.Refused(
                        "the request ended after " + done + " of the " + into.length + " bytes of its " + what);
            }
            System.arraycopy(buffer, 0, into, done, n);
            done += n;
        }
    }
}
