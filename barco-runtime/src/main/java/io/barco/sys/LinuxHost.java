package io.barco.sys;

import com.sun.jna.LastErrorException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Optional;

/** The machine this JVM runs on: the C library through JNA, the real /proc and cgroupfs, the system clock. */
public final class LinuxHost implements Host {
    private static final Path PROC = Path.of("/proc");

    /**
     * Loaded at the first native call, not with the host: a forked test JVM reads its own /proc
     * through a host and never pays for JNA's start. Failing, each call says why again.
     */
    private volatile LibC c;

    /**
     * The C library through JNA, whose own native part JNA first writes to a file and maps: where that
     * directory is on a noexec filesystem (a hardened /home, a noexec /tmp given as its directory)
     * the mapping fails, and that is said in one line rather than as a linker's stack trace.
     */
    static LibC libc() {
        try {
            // JNA writes its library to $XDG_CACHE_HOME/JNA/temp and maps it: into a root JVM, from a
            // directory another user may change (sudo -E), it would map theirs. A private one then.
            if (System.getProperty("jna.tmpdir") == null
                    && !trustedOrUnknown(UserCache.home().resolve("JNA").resolve("temp"))) {
                System.setProperty(
                        "jna.tmpdir", UserCache.privateDirectory("jna").toString());
            }
            return LibC.INSTANCE;
        } catch (UnsatisfiedLinkError | NoClassDefFoundError | ExceptionInInitializerError e) {
            String cause = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
            throw new io.barco.BarcoException(
                    "cannot load JNA's native library (" + cause + "): if its directory is on a filesystem"
                            + " mounted noexec, give JNA another with -Djna.tmpdir=DIR or XDG_CACHE_HOME=DIR",
                    e);
        }
    }

    private LibC c() {
        LibC loaded = c;
        if (loaded == null) {
            c = loaded = libc();
        }
        return loaded;
    }

    private static boolean trustedOrUnknown(Path dir) {
        try {
            return UserCache.trustedPath(dir);
        } catch (java.io.IOException | RuntimeException e) {
            return false;
        }
    }

    @Override
    public int[] pipe() {
        return Descriptors.pipe();
    }

    @Override
    public int memfd(String name, byte[] data) {
        return Descriptors.memfd(name, data);
    }

    @Override
    public BoundedRead readUntil(int fd, int maxBytes, long deadline) {
        return Descriptors.readUntil(fd, maxBytes, deadline);
    }

    @Override
    public void close(int fd) {
        Descriptors.closeQuietly(fd);
    }

    @Override
    public InputStream input(int fd) {
        return new FdInputStream(fd);
    }

    @Override
    public OutputStream output(int fd) {
        return new FdOutputStream(fd);
    }

    @Override
    public int spawn(Path program, String argv0, List<Redirect> redirects, int closeFrom) {
        return PosixSpawn.spawn(c, program, argv0, redirects, closeFrom);
    }

    @Override
    public boolean isOwnChild(int pid) {
        try {
            c().waitid(LibC.P_PID, pid, new byte[LibC.SIGINFO_SIZE], LibC.WEXITED | LibC.WNOHANG | LibC.WNOWAIT);
            return true;
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ECHILD || e.getErrorCode() == Errno.EINVAL) {
                return false;
            }
            throw e;
        }
    }

    @Override
    public int waitpid(int pid) {
        int[] status = new int[1];
        for (; ; ) {
            try {
                c().waitpid(pid, status, 0);
                return status[0];
            } catch (LastErrorException e) {
                if (e.getErrorCode() != Errno.EINTR) {
                    throw e;
                }
            }
        }
    }

    @Override
    public void kill(int pid, int signal) {
        c().kill(pid, signal);
    }

    @Override
    public int pidfdOpen(int pid) {
        return (int) c().syscall(LibC.SYS_PIDFD_OPEN, (long) pid, 0L);
    }

    @Override
    public void pidfdSendSignal(int pidfd, int signal) {
        c().syscall(LibC.SYS_PIDFD_SEND_SIGNAL, (long) pidfd, (long) signal, 0L, 0L);
    }

    @Override
    public void setns(int fd, int nstype) {
        c().syscall(LibC.SYS_SETNS, (long) fd, (long) nstype);
    }

    @Override
    public int geteuid() {
        return c().geteuid();
    }

    @Override
    public boolean inForegroundOfTerminal() {
        return Terminal.inForeground();
    }

    @Override
    public Optional<Terminal.Device> stdinTerminal() {
        return Terminal.onStdin();
    }

    @Override
    public void takeForegroundBack() {
        Terminal.takeForegroundBack();
    }

    @Override
    public Path proc() {
        return PROC;
    }

    @Override
    public String read(Path file) throws IOException {
        return ProcFiles.read(file);
    }

    @Override
    public void write(Path file, String value) throws IOException {
        Files.write(file, value.getBytes(StandardCharsets.UTF_8), StandardOpenOption.WRITE);
    }

    @Override
    public void mkdir(Path dir) throws IOException {
        Files.createDirectory(dir);
    }

    @Override
    public void rmdir(Path dir) throws IOException {
        Files.delete(dir);
    }

    @Override
    public String osName() {
        return System.getProperty("os.name");
    }

    @Override
    public String osVersion() {
        return System.getProperty("os.version");
    }

    @Override
    public long nanoTime() {
        return System.nanoTime();
    }
}
