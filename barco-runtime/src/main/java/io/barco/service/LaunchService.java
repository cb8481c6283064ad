package io.barco.service;

import io.barco.BarcoException;
import io.barco.sys.Descriptors;
import io.barco.sys.UnixSockets;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Semaphore;

/**
 * A build's launch service: one JVM that launches the containers of many short-lived clients (the C
 * client, bin/barco-java's fast path), so that a fork pays a connection instead of a JVM's start.
 * Each connection runs on threads of its own, so forks launch in parallel. A connection: the peer
 * must be this process's uid (SO_PEERCRED); its request is read under a deadline and held to
 * {@link ServiceWire}'s caps; the {@link Handler} runs it with the client's descriptors as the
 * container's stdio; meanwhile a KILL message signals the container and the connection's end kills
 * it. The exit status goes back; a refusal is status 125 and one line for the client to print.
 */
public final class LaunchService {
    /** How long a client may take to send its request; a stalled one holds a thread no longer. */
    public static final long REQUEST_TIMEOUT_MILLIS = 10_000;
    /** Connections at once; beyond, a client is refused at once rather than queued without bound. */
    public static final int MAX_CLIENTS = 256;

    /** What a running request can be asked to do: signal the container, or kill it (its client is gone). */
    public interface Target {
        void signal(int signal);

        void kill();
    }

    /** Runs one request; returns the exit status for the client (the CLI's mapping). */
    public interface Handler {
        int handle(Request request, Session session);
    }

    /** One request's descriptors and its link to the container it started. */
    public static final class Session {
        private final int[] stdio;
        private final List<Integer> pending = new ArrayList<>();
        private Target target;
        private boolean gone;
        private boolean finished;

        Session(int[] stdio) {
            this.stdio = stdio.clone();
        }

        /** The client's stdin, stdout and stderr: the container's stdio. Owned by the session. */
        public int[] stdio() {
            return stdio.clone();
        }

        /** Called once the container runs: signals that came meanwhile reach it; if the client left, it is killed. */
        public synchronized void started(Target started) {
            this.target = started;
            if (gone) {
                started.kill();
            } else {
                pending.forEach(started::signal);
            }
            pending.clear();
        }

        public synchronized boolean clientGone() {
            return gone;
        }

        synchronized void signal(int signal) {
            if (target == null) {
                pending.add(signal);
            } else {
                target.signal(signal);
            }
        }

        synchronized void leave() {
            if (!finished) {
                gone = true;
                if (target != null) {
                    target.kill();
                }
            }
        }

        synchronized void finish() {
            finished = true;
        }
    }

    private final int listening;
    private final Handler handler;
    private final PrintStream log;
    private final int uid;
    private final Semaphore slots = new Semaphore(MAX_CLIENTS);

    /** Serves connections to the listening socket {@code listening} with {@code handler}; problems of the service itself go to {@code log}. */
    public LaunchService(int listening, Handler handler, PrintStream log) {
        this.listening = listening;
        this.handler = handler;
        this.log = log;
        this.uid = UnixSockets.ownUid();
    }

    /** Accepts connections until the listening socket fails (it is closed, or the JVM exits). */
    public void serve() {
        for (; ; ) {
            int fd = UnixSockets.accept(listening);
            if (!slots.tryAcquire()) {
                refuse(fd, "the service has " + MAX_CLIENTS + " clients already");
                continue;
            }
            Thread thread = new Thread(
                    () -> {
                        try {
                            connection(fd);
                        } finally {
                            slots.release();
                        }
                    },
                    "barco-service-" + fd);
            thread.setDaemon(true);
            thread.start();
        }
    }

    private void refuse(int fd, String why) {
        try {
            UnixSockets.send(fd, ServiceWire.exit(ServiceWire.EXIT_BARCO_FAILED, "barco serve: refused: " + why));
            // What the client sent beyond what was read is drained (briefly, boundedly) before the close:
            // closing with unread bytes resets the connection, and the client would lose the refusal.
            UnixSockets.shutdownOutput(fd);
            UnixSockets.receiveTimeout(fd, 200);
            byte[] drain = new byte[4096];
            for (int total = 0; total < REFUSED_DRAIN_BYTES; ) {
                int n = UnixSockets.read(fd, drain, drain.length);
                if (n <= 0) {
                    break;
                }
                total += n;
            }
        } catch (BarcoException e) {
            // the client left, or is slow to: nothing more to tell
        } finally {
            Descriptors.closeQuietly(fd);
        }
    }

    /** The most a refused client's excess bytes are read before its connection closes. */
    private static final int REFUSED_DRAIN_BYTES = 1 << 20;

    private void connection(int fd) {
        RequestReader.Incoming incoming;
        try {
            UnixSockets.Peer peer = UnixSockets.peer(fd);
            if (peer.uid() != uid) {
                refuse(fd, "the client's uid " + peer.uid() + " is not the service's (" + uid + ")");
                return;
            }
            UnixSockets.receiveTimeout(fd, REQUEST_TIMEOUT_MILLIS);
            incoming = RequestReader.read(RequestReader.LINUX, fd);
            UnixSockets.receiveTimeout(fd, 0);
        } catch (Request.Refused | BarcoException e) {
            refuse(fd, e.getMessage());
            return;
        }
        Session session = new Session(incoming.stdio());
        Thread worker = new Thread(() -> run(fd, incoming.request(), session), "barco-service-run-" + fd);
        worker.setDaemon(true);
        worker.start();
        try {
            watch(fd, session);
            worker.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            for (int stdio : incoming.stdio()) {
                Descriptors.closeQuietly(stdio);
            }
            Descriptors.closeQuietly(fd);
        }
    }

    /** Runs the request and sends its status back; then ends the connection, which ends {@link #watch}. */
    private void run(int fd, Request request, Session session) {
        int status;
        String message = null;
        try {
            status = handler.handle(request, session);
        } catch (RuntimeException | Error e) {
            status = ServiceWire.EXIT_BARCO_FAILED;
            message = "barco serve: " + e;
            log.println(message);
        }
        session.finish();
        try {
            UnixSockets.send(fd, ServiceWire.exit(status, message));
        } catch (BarcoException e) {
            // the client is gone: its container was killed when it left
        }
        UnixSockets.shutdown(fd);
    }

    /** Reads the client's messages while its request runs: KILL signals the container; the end of the connection, or anything else, kills it. */
    private static void watch(int fd, Session session) {
        byte[] message = new byte[ServiceWire.MESSAGE_SIZE];
        try {
            for (; ; ) {
                int done = 0;
                while (done < message.length) {
                    byte[] rest = new byte[message.length - done];
                    int n = UnixSockets.read(fd, rest, rest.length);
                    if (n <= 0) {
                        return;
                    }
                    System.arraycopy(rest, 0, message, done, n);
                    done += n;
                }
                ByteBuffer b = ByteBuffer.wrap(message).order(ByteOrder.nativeOrder());
                int signal = b.getInt(8);
                if (b.getInt(0) != ServiceWire.MAGIC || b.getInt(4) != ServiceWire.KILL || signal < 1 || signal > 64) {
                    return;
                }
                session.signal(signal);
            }
        } catch (BarcoException e) {
            // a broken connection: the client is gone
        } finally {
            session.leave();
        }
    }
}
