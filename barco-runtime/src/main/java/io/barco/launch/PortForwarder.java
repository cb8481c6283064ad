package io.barco.launch;

import com.sun.jna.LastErrorException;
import io.barco.BarcoException;
import io.barco.sys.Errno;
import io.barco.sys.Host;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Forwards a port of the host's loopback to a port of a container's own network, as
 * {@code docker run -p 127.0.0.1::8080} does, without touching the container's network: each
 * connection accepted on the host is carried by a socket created inside the container's network
 * namespace. Those sockets come from one dedicated thread that joined the namespace with setns
 * and does nothing else (a socket keeps the namespace it was created in, whichever thread uses it
 * afterwards), so no thread of the JVM's ever runs other work in the container's network.
 */
final class PortForwarder implements AutoCloseable {
    private static final int CLONE_NEWNET = 0x40000000;
    private static final AtomicInteger THREADS = new AtomicInteger();

    /** Creates sockets in one network namespace, from a thread that lives there. */
    static final class NamespaceSockets implements AutoCloseable {
        private final LinkedBlockingQueue<CompletableFuture<SocketChannel>> requests = new LinkedBlockingQueue<>();
        private final Thread thread;
        private volatile boolean closed;

        NamespaceSockets(Host host, int pidfd, String what) {
            CompletableFuture<Void> joined = new CompletableFuture<>();
            thread = new Thread(
                    () -> {
                        try {
                            host.setns(pidfd, CLONE_NEWNET);
                        } catch (LastErrorException e) {
                            joined.completeExceptionally(new BarcoException(
                                    "setns into the network of " + what + ": " + Errno.describe(e.getErrorCode())));
                            return;
                        }
                        joined.complete(null);
                        serve();
                    },
                    "barco-netns-" + THREADS.incrementAndGet());
            thread.setDaemon(true);
            thread.start();
            joined.join();
        }

        private void serve() {
            while (!closed) {
                CompletableFuture<SocketChannel> request;
                try {
                    request = requests.take();
                } catch (InterruptedException e) {
                    break;
                }
                try {
                    request.complete(SocketChannel.open());
                } catch (IOException | RuntimeException e) {
                    request.completeExceptionally(e);
                }
            }
            CompletableFuture<SocketChannel> left;
            while ((left = requests.poll()) != null) {
                left.completeExceptionally(new IOException("the container's network is closed"));
            }
        }

        /** A new, unconnected TCP socket in the namespace. */
        SocketChannel open() throws IOException {
            if (closed) {
                throw new IOException("the container's network is closed");
            }
            CompletableFuture<SocketChannel> request = new CompletableFuture<>();
            requests.add(request);
            try {
                return request.join();
            } catch (java.util.concurrent.CompletionException e) {
                throw e.getCause() instanceof IOException io ? io : new IOException(e.getCause());
            }
        }

        @Override
        public void close() {
            closed = true;
            thread.interrupt();
        }
    }

    private final NamespaceSockets sockets;
    private final int containerPort;
    private final ServerSocketChannel server;
    private final int hostPort;
    private final Set<SocketChannel> open = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    PortForwarder(NamespaceSockets sockets, int containerPort) {
        this.sockets = sockets;
        this.containerPort = containerPort;
        try {
            server = ServerSocketChannel.open().bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
        } catch (IOException e) {
            throw new BarcoException(
                    "cannot listen on the host's loopback for port " + containerPort + ": " + e.getMessage(), e);
        }
        hostPort = ((InetSocketAddress) server.socket().getLocalSocketAddress()).getPort();
        Thread acceptor = new Thread(this::accept, "barco-port-" + containerPort);
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** The port on the host's loopback. */
    int hostPort() {
        return hostPort;
    }

    private void accept() {
        while (!closed) {
            SocketChannel outside;
            try {
                outside = server.accept();
            } catch (IOException e) {
                return; // closed
            }
            track(outside);
            Thread connect = new Thread(() -> connect(outside), "barco-port-" + containerPort + "-conn");
            connect.setDaemon(true);
            connect.start();
        }
    }

    private void connect(SocketChannel outside) {
        SocketChannel inside = null;
        try {
            inside = track(sockets.open());
            inside.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), containerPort));
        } catch (IOException | RuntimeException e) {
            // nothing listens inside (yet): the host's client sees its connection closed
            closeQuietly(inside);
            closeQuietly(outside);
            return;
        }
        SocketChannel in = inside;
        AtomicInteger directions = new AtomicInteger(2);
        Thread back = new Thread(() -> pump(in, outside, directions), "barco-port-" + containerPort + "-back");
        back.setDaemon(true);
        back.start();
        pump(outside, inside, directions);
    }

    /**
     * Copies one direction until its end, then half-closes the other side, as a TCP proxy does; the
     * last direction to end closes both. A failure closes both at once.
     */
    private void pump(SocketChannel from, SocketChannel to, AtomicInteger directions) {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        try {
            while (from.read(buffer) >= 0) {
                buffer.flip();
                while (buffer.hasRemaining()) {
                    to.write(buffer);
                }
                buffer.clear();
            }
            to.shutdownOutput();
        } catch (IOException e) {
            directions.set(0);
            release(from, to);
            return;
        }
        if (directions.decrementAndGet() == 0) {
            release(from, to);
        }
    }

    private void release(SocketChannel a, SocketChannel b) {
        closeQuietly(a);
        closeQuietly(b);
        open.remove(a);
        open.remove(b);
    }

    private SocketChannel track(SocketChannel channel) {
        open.add(channel);
        if (closed) {
            closeQuietly(channel);
        }
        return channel;
    }

    private static void closeQuietly(SocketChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (IOException ignored) {
                // closing is best effort
            }
        }
    }

    @Override
    public void close() {
        closed = true;
        try {
            server.close();
        } catch (IOException ignored) {
            // closing is best effort
        }
        open.forEach(PortForwarder::closeQuietly);
    }

    @Override
    public String toString() {
        return "port forwarder 127.0.0.1:" + hostPort() + " -> container port " + containerPort;
    }
}
