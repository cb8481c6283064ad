package io.barco.cli;

import io.barco.BarcoException;
import io.barco.launch.Container;
import io.barco.service.LaunchService;
import io.barco.service.Request;
import io.barco.sys.Descriptors;
import io.barco.sys.FdOutputStream;
import io.barco.sys.UnixSockets;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * {@code barco serve --socket PATH [--parent PID]}: the launch service of one build (barco-mvn
 * starts it). Each client's request is the CLI's own argv, parsed by the CLI's own parser
 * ({@link BarcoCommand#execute(String[], Invocation)}) with the client's environment, directory and
 * descriptors; the exit status is the CLI's. The socket's directory must be this user's and 0700;
 * the socket appears only once it listens, and is removed when the service ends. With
 * {@code --parent PID} the service ends (SIGTERM, its containers killed) when that process, its
 * parent, dies, whatever kills it.
 */
final class ServeCommand {
    static final String USAGE = "barco serve --socket PATH [--parent PID]";
    private static final int SIGTERM = 15;
    /** The received descriptors are moved this high, above those the helper's spawn assigns (0 to 6). */
    private static final int LOWEST_CLIENT_FD = 16;

    private ServeCommand() {}

    static int run(String[] argv, PrintStream err) {
        Path socket = null;
        Integer parent = null;
        for (int i = 1; i < argv.length; i++) {
            if (argv[i].equals("--socket") && i + 1 < argv.length) {
                socket = Path.of(argv[++i]).toAbsolutePath();
            } else if (argv[i].equals("--parent") && i + 1 < argv.length && argv[i + 1].matches("[1-9][0-9]{0,9}")) {
                parent = Integer.parseInt(argv[++i]);
            } else {
                err.println("barco serve: unexpected '" + argv[i] + "': " + USAGE);
                return BarcoCommand.EXIT_BARCO_FAILED;
            }
        }
        if (socket == null) {
            err.println("barco serve: --socket PATH is missing: " + USAGE);
            return BarcoCommand.EXIT_BARCO_FAILED;
        }
        try {
            checkDirectory(socket.getParent());
            if (Files.exists(socket, LinkOption.NOFOLLOW_LINKS)) {
                throw new BarcoException(
                        socket + " exists: another service's, or one left by a service that was killed; remove it");
            }
            if (parent != null && !UnixSockets.dieWithParent(parent, SIGTERM)) {
                err.println("barco serve: the parent " + parent + " is gone already: not serving");
                return BarcoCommand.EXIT_BARCO_FAILED;
            }
            // bound and listening under another name, then renamed: a client that finds the socket is served
            Path pending = socket.resolveSibling(socket.getFileName() + ".new");
            Files.deleteIfExists(pending);
            int listening = UnixSockets.listen(pending, 128);
            Path bound = socket;
            Runtime.getRuntime()
                    .addShutdownHook(new Thread(
                            () -> {
                                try {
                                    Files.deleteIfExists(bound);
                                } catch (IOException e) {
                                    // best effort: the directory is the caller's to remove
                                }
                            },
                            "barco-serve-socket"));
            Files.move(pending, socket, StandardCopyOption.ATOMIC_MOVE);
            new LaunchService(listening, ServeCommand::handle, err).serve();
            return 0;
        } catch (BarcoException e) {
            err.println("barco serve: " + e.getMessage());
            return BarcoCommand.EXIT_BARCO_FAILED;
        } catch (IOException e) {
            err.println("barco serve: " + e);
            return BarcoCommand.EXIT_BARCO_FAILED;
        }
    }

    /** The socket's directory: this user's, and no one else's to enter (0700), so no other user can reach the socket. */
    private static void checkDirectory(Path dir) throws IOException {
        if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
            throw new BarcoException(
                    "the socket's directory " + dir + " is not a directory: make it with mkdir -m 700 (or mktemp -d)");
        }
        int uid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(dir, "unix:mode", LinkOption.NOFOLLOW_LINKS) & 0777;
        if (uid != UnixSockets.ownUid() || mode != 0700) {
            throw new BarcoException(String.format(
                    "the socket's directory %s must be this user's (uid %d) with mode 700, not uid %d mode %o:"
                            + " make one with mktemp -d",
                    dir, UnixSockets.ownUid(), uid, mode));
        }
    }

    /** One client's request: the CLI's argv run for it, its stdout and stderr the CLI's own out and err. */
    private static int handle(Request request, LaunchService.Session session) {
        int[] received = session.stdio();
        int[] stdio = new int[3];
        int outFd = -1;
        int errFd = -1;
        try {
            for (int i = 0; i < 3; i++) {
                stdio[i] = UnixSockets.duplicate(received[i], LOWEST_CLIENT_FD);
            }
            outFd = UnixSockets.duplicate(received[1], LOWEST_CLIENT_FD);
            errFd = UnixSockets.duplicate(received[2], LOWEST_CLIENT_FD);
        } catch (BarcoException e) {
            for (int fd : new int[] {stdio[0], stdio[1], stdio[2], outFd, errFd}) {
                if (fd > 0) {
                    Descriptors.closeQuietly(fd);
                }
            }
            throw e;
        }
        try (PrintStream out = new PrintStream(new FdOutputStream(outFd), true, StandardCharsets.UTF_8);
                PrintStream err = new PrintStream(new FdOutputStream(errFd), true, StandardCharsets.UTF_8)) {
            Invocation invocation = new Invocation(
                    out,
                    err,
                    request.env(),
                    Path.of(request.cwd()),
                    stdio,
                    container -> session.started(target(container)));
            return BarcoCommand.execute(request.argv().toArray(String[]::new), invocation);
        } finally {
            for (int fd : stdio) {
                Descriptors.closeQuietly(fd);
            }
        }
    }

    private static LaunchService.Target target(Container container) {
        return new LaunchService.Target() {
            @Override
            public void signal(int signal) {
                container.signal(signal);
            }

            @Override
            public void kill() {
                container.kill();
            }
        };
    }
}
