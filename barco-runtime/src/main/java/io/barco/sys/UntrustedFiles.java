package io.barco.sys;

import com.sun.jna.LastErrorException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SecureDirectoryStream;
import java.nio.file.attribute.BasicFileAttributeView;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFileAttributes;

/**
 * Files a container could write, read and removed by the host as data it does not trust. The host
 * JVM runs as root: a container that put a symbolic link, a FIFO or a sparse 100 GB file where the
 * host expects its output must get an error, never a read of /etc/shadow, a hang or a full heap.
 * Opening uses O_NOFOLLOW (a link is refused, not followed) and O_NONBLOCK (a FIFO cannot block the
 * open), then checks the opened file itself: only a regular file within the size cap is read.
 */
public final class UntrustedFiles {
    private static final LinkOption[] NO_FOLLOW = {LinkOption.NOFOLLOW_LINKS};

    private UntrustedFiles() {}

    /** A file that was not read because it is not what the host expects; the message says why. */
    public static final class RefusedFileException extends IOException {
        private static final long serialVersionUID = 1L;

        public RefusedFileException(String message) {
            super(message);
        }
    }

    /** The whole content of a regular file of at most {@code maxBytes}. */
    public static byte[] read(Path file, long maxBytes) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        copy(file, out, maxBytes);
        return out.toByteArray();
    }

    /** Copies a regular file of at most {@code maxBytes} to {@code out}; returns the bytes copied. */
    public static long copy(Path file, OutputStream out, long maxBytes) throws IOException {
        int fd = open(file);
        try (InputStream in = new FdInputStream(fd)) {
            PosixFileAttributes opened = regular(file, fd);
            if (opened.size() > maxBytes) {
                throw new RefusedFileException(
                        file + " is " + opened.size() + " bytes, more than the " + maxBytes + " allowed");
            }
            // the size may grow after the check if a writer still runs: the cap holds while reading too
            byte[] buffer = new byte[65536];
            long total = 0;
            for (int n; (n = in.read(buffer)) > 0; ) {
                total += n;
                if (total > maxBytes) {
                    throw new RefusedFileException(
                            file + " grew past the " + maxBytes + " bytes allowed while it was read");
                }
                out.write(buffer, 0, n);
            }
            return total;
        }
    }

    /**
     * A regular file opened to be read as it grows, as a fork writes it: never through a link, never a
     * FIFO or device; at its current end a read returns -1, and a later read what was added since.
     * What it holds is untrusted: the caller caps what it reads.
     */
    public static InputStream openRegular(Path file) throws IOException {
        int fd = open(file);
        InputStream in = new FdInputStream(fd);
        try {
            regular(file, fd);
            return in;
        } catch (IOException | RuntimeException e) {
            in.close();
            throw e;
        }
    }

    private static PosixFileAttributes regular(Path file, int fd) throws IOException {
        PosixFileAttributes opened = Files.readAttributes(Path.of("/proc/self/fd/" + fd), PosixFileAttributes.class);
        if (!opened.isRegularFile()) {
            throw new RefusedFileException(file + " is " + kind(opened) + ", not a regular file");
        }
        return opened;
    }

    private static int open(Path file) throws IOException {
        try {
            return LibC.INSTANCE.open(
                    file.toString(), LibC.O_RDONLY | LibC.O_NOFOLLOW | LibC.O_NONBLOCK | LibC.O_CLOEXEC);
        } catch (LastErrorException e) {
            if (e.getErrorCode() == Errno.ELOOP) {
                throw new RefusedFileException(file + " is a symbolic link, which the host does not follow");
            }
            if (e.getErrorCode() == Errno.ENOENT) {
                throw new NoSuchFileException(file.toString());
            }
            throw new IOException("open " + file + ": " + Errno.describe(e.getErrorCode()), e);
        }
    }

    private static String kind(BasicFileAttributes attributes) {
        if (attributes.isDirectory()) {
            return "a directory";
        }
        if (attributes.isSymbolicLink()) {
            return "a symbolic link";
        }
        return "a FIFO, socket or device";
    }

    /** Deeper directories are moved up to the top and removed in a later pass: bounded stack and descriptors. */
    private static final int MAX_DEPTH = 32;

    /**
     * Removes a directory and everything in it without following a link: each entry is examined and
     * removed relative to its open parent directory (openat and unlinkat), so a link or a rename made
     * inside cannot point the removal anywhere else; a tree deeper than {@value #MAX_DEPTH} is moved
     * up in pieces, so no depth exhausts the stack or the descriptors. Missing is fine.
     */
    public static void deleteTree(Path dir) throws IOException {
        if (!Files.exists(dir, NO_FOLLOW)) {
            return;
        }
        if (!Files.isDirectory(dir, NO_FOLLOW)) {
            Files.delete(dir); // a link or a file in its place: removed itself, nothing followed
            return;
        }
        for (boolean more = true; more; ) {
            try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir)) {
                if (!(stream instanceof SecureDirectoryStream<Path> top)) {
                    throw new IOException("this platform cannot remove " + dir + " without following links");
                }
                more = empty(top, top, 0);
            }
        }
        Files.delete(dir);
    }

    /** Removes what is in {@code dir}; returns whether directories were moved up to {@code top} for another pass. */
    private static boolean empty(SecureDirectoryStream<Path> dir, SecureDirectoryStream<Path> top, int depth)
            throws IOException {
        boolean movedUp = false;
        for (Path entry : dir) {
            Path name = entry.getFileName();
            BasicFileAttributes attributes;
            try {
                attributes = dir.getFileAttributeView(name, BasicFileAttributeView.class, NO_FOLLOW)
                        .readAttributes();
            } catch (NoSuchFileException e) {
                continue;
            }
            if (!attributes.isDirectory()) {
                dir.deleteFile(name);
            } else if (depth >= MAX_DEPTH) {
                dir.move(name, top, Path.of(".barco-deep-" + System.nanoTime()));
                movedUp = true;
            } else {
                try (SecureDirectoryStream<Path> child = dir.newDirectoryStream(name, NO_FOLLOW)) {
                    movedUp |= empty(child, top, depth + 1);
                }
                dir.deleteDirectory(name);
            }
        }
        return movedUp;
    }
}
