package io.barco.junit.fork;

import io.barco.sys.UntrustedFiles;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.channels.Channels;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;

/**
 * The build's JaCoCo execution data file ({@code destfile}), to which the host appends what each fork's
 * agent wrote. A fork's file is untrusted: it is appended only if it is JaCoCo execution data through
 * and through, as JaCoCo's own reader would load it, and agrees with every class already in the
 * file; else the fork loses its own coverage with a warning, and the file stays loadable with
 * everyone else's. A small strict parser of our own, rather than org.jacoco.core at run time: the
 * format is a few blocks, and a build that uses JaCoCo need not put its core on the test classpath.
 *
 * <p>The format, as JaCoCo's ExecutionDataWriter writes it (DataOutput, big-endian): blocks, each a type
 * byte. {@code 0x01} header: char {@code 0xC0C0}, char format version {@code 0x1007}. {@code 0x10} session:
 * UTF id, long start, long dump. {@code 0x11} class: long id, UTF name, the probes as a var-int count
 * and that many bits, eight a byte. The first block is a header; appended sessions repeat it.
 * JaCoCo refuses a whole file in which one class id comes with two names or probe counts.
 */
final class CoverageFile {
    static final byte BLOCK_HEADER = 0x01;
    static final byte BLOCK_SESSION = 0x10;
    static final byte BLOCK_CLASS = 0x11;
    static final char MAGIC = 0xC0C0;
    static final char FORMAT_VERSION = 0x1007;

    /** Far above one fork's data (a few hundred KB for a large project). */
    static final long MAX_FORK_BYTES = 32L << 20;
    /** What the host appends to one file in a run, in all. */
    static final long MAX_RUN_BYTES = 1L << 30;
    /** Distinct classes the host remembers of one file: far above any project's. */
    static final int MAX_CLASSES = 200_000;
    /** Probes of one class: far above any method-heavy class's. */
    static final int MAX_PROBES = 1 << 20;

    /** A class as the data names it: JaCoCo's merge needs both to agree for one id. */
    record Shape(String name, int probes) {}

    /** A file's data that does not load as JaCoCo's, or would break a file it is added to. */
    static final class RefusedCoverageException extends IOException {
        private static final long serialVersionUID = 1L;

        RefusedCoverageException(String message) {
            super(message);
        }
    }

    private final Path target;
    /** The classes the file holds, as far as it was read: by id. */
    private final Map<Long, Shape> known = new HashMap<>();
    /** How far the file was read (others append to it too: the build's own agent, other test JVMs). */
    private long readTo;

    private long appended;

    private CoverageFile(Path target) {
        this.target = target;
    }

    /**
     * Appends a fork's data to the build's file; refused data is not appended, and the exception says
     * why. {@code files}: the run's coverage files by path (what each holds, as far as it was read).
     */
    static void append(Map<Path, CoverageFile> files, Path written, Path target) throws IOException {
        files.computeIfAbsent(target.toAbsolutePath().normalize(), CoverageFile::new)
                .appendChecked(written);
    }

    private synchronized void appendChecked(Path written) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try {
            UntrustedFiles.copy(written, bytes, MAX_FORK_BYTES);
        } catch (UntrustedFiles.RefusedFileException e) {
            throw new RefusedCoverageException(e.getMessage());
        }
        byte[] data = bytes.toByteArray();
        if (data.length == 0) {
            return;
        }
        if (appended + data.length > MAX_RUN_BYTES) {
            throw new RefusedCoverageException(
                    "the forks' coverage data added to it in this run reached " + (MAX_RUN_BYTES >> 20) + " MiB");
        }
        Files.createDirectories(target.getParent());
        try (FileChannel channel = FileChannel.open(
                        target, StandardOpenOption.CREATE, StandardOpenOption.READ, StandardOpenOption.WRITE);
                FileLock lock = channel.lock()) {
            // forks that end at once take turns, in this JVM and others; what others added since is learnt first
            learn(channel);
            Map<Long, Shape> adds = parse(new ByteArrayInputStream(data), known);
            if (known.size() + adds.size() > MAX_CLASSES) {
                throw new RefusedCoverageException("it would hold more than " + MAX_CLASSES + " classes");
            }
            channel.position(channel.size());
            Channels.newOutputStream(channel).write(data);
            known.putAll(adds);
            readTo = channel.size();
            appended += data.length;
        }
    }

    /**
     * Learns the classes of what was added to the file since it was last read, as far as it parses
     * (a file broken before barco touched it is left as it is).
     */
    private void learn(FileChannel channel) throws IOException {
        long size = channel.size();
        if (size < readTo) {
            readTo = 0; // replaced (a new build's clean): what it holds now is all there is
            known.clear();
        }
        if (size == readTo) {
            return;
        }
        channel.position(readTo);
        InputStream in = Channels.newInputStream(channel);
        boolean fromStart = readTo == 0;
        try {
            // a middle part begins with the header of the session appended there, as JaCoCo appends
            known.putAll(
                    parse(new java.io.BufferedInputStream(limited(in, MAX_RUN_BYTES)), fromStart ? Map.of() : known));
        } catch (IOException e) {
            // unreadable already, or past what is worth reading: only what the host adds is checked
        }
        readTo = size;
    }

    private static InputStream limited(InputStream in, long max) {
        return new java.io.FilterInputStream(in) {
            private long left = max;

            @Override
            public int read() throws IOException {
                if (left <= 0) {
                    throw new RefusedCoverageException("more than " + max + " bytes");
                }
                left--;
                return super.read();
            }

            @Override
            public int read(byte[] b, int off, int len) throws IOException {
                if (left <= 0) {
                    throw new RefusedCoverageException("more than " + max + " bytes");
                }
                int n = super.read(b, off, (int) Math.min(len, left));
                left -= Math.max(n, 0);
                return n;
            }
        };
    }

    /**
     * The classes of execution data, checked as JaCoCo's reader and merge would: refused at the first
     * byte they would refuse, or at a class that disagrees with one already known (or earlier in it).
     */
    static Map<Long, Shape> parse(InputStream bytes, Map<Long, Shape> known) throws IOException {
        DataInputStream in = new DataInputStream(bytes);
        Map<Long, Shape> classes = new HashMap<>();
        boolean first = true;
        try {
            for (int type; (type = in.read()) != -1; first = false) {
                if (first && type != BLOCK_HEADER) {
                    throw new RefusedCoverageException(
                            "not JaCoCo execution data (first byte " + hex(type) + ", not a header block)");
                }
                switch (type) {
                    case BLOCK_HEADER -> header(in);
                    case BLOCK_SESSION -> {
                        in.readUTF();
                        in.readLong();
                        in.readLong();
                    }
                    case BLOCK_CLASS -> {
                        long id = in.readLong();
                        Shape shape = new Shape(in.readUTF(), probes(in));
                        Shape before = classes.containsKey(id) ? classes.get(id) : known.get(id);
                        if (before != null && !before.equals(shape)) {
                            throw new RefusedCoverageException("class id " + Long.toHexString(id) + " comes as "
                                    + shape.name() + " with " + shape.probes() + " probes, and as " + before.name()
                                    + " with " + before.probes());
                        }
                        if (classes.size() >= MAX_CLASSES) {
                            throw new RefusedCoverageException("more than " + MAX_CLASSES + " classes");
                        }
                        classes.put(id, shape);
                    }
                    default -> throw new RefusedCoverageException("unknown block type " + hex(type));
                }
            }
        } catch (EOFException e) {
            throw new RefusedCoverageException("it ends inside a block");
        } catch (java.io.UTFDataFormatException e) {
            throw new RefusedCoverageException("a name is not modified UTF-8");
        }
        return classes;
    }

    private static void header(DataInputStream in) throws IOException {
        char magic = in.readChar();
        if (magic != MAGIC) {
            throw new RefusedCoverageException("not JaCoCo execution data (magic " + hex(magic) + ")");
        }
        char version = in.readChar();
        if (version != FORMAT_VERSION) {
            throw new RefusedCoverageException(
                    "JaCoCo execution data of format " + hex(version) + ", not " + hex(FORMAT_VERSION));
        }
    }

    /** The probe count, as JaCoCo's var-int (seven bits a byte, low first); the probe bytes themselves are skipped. */
    private static int probes(DataInputStream in) throws IOException {
        long count = 0;
        for (int shift = 0; ; shift += 7) {
            int b = in.readUnsignedByte();
            count |= (long) (b & 0x7F) << shift;
            if ((b & 0x80) == 0) {
                break;
            }
            if (shift > 28) {
                throw new RefusedCoverageException("a probe count runs past five bytes");
            }
        }
        if (count > MAX_PROBES) {
            throw new RefusedCoverageException("a class with " + count + " probes, more than " + MAX_PROBES);
        }
        in.readFully(new byte[(int) ((count + 7) / 8)]);
        return (int) count;
    }

    private static String hex(int value) {
        return "0x" + Integer.toHexString(value);
    }

    /** A file's header bytes, as JaCoCo starts each session it writes: for tests. */
    static byte[] header() {
        return ByteBuffer.allocate(5)
                .put(BLOCK_HEADER)
                .putChar(MAGIC)
                .putChar(FORMAT_VERSION)
                .array();
    }
}
