package io.barco.junit.outcome;

import io.barco.sys.UntrustedFiles;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Follows a fork's outcome file as it grows, so that the host's tests end as the fork's do: opened
 * once it exists (never through a link, never a FIFO or device), read from where the last poll
 * stopped, parsed by an {@link OutcomeFile.Reader}, which caps it. The first unreadable byte ends the
 * reading for good: what the fork writes after that is not believed.
 */
public final class OutcomeTail implements AutoCloseable {
    private final Path file;
    private final OutcomeFile.Reader reader = new OutcomeFile.Reader();
    private final byte[] chunk = new byte[65536];
    private InputStream in;
    private IOException failure;
    private long fed;

    public OutcomeTail(Path file) {
        this.file = file;
    }

    /** Reads what was added since the last poll; true when that brought something new. */
    public boolean poll() {
        if (failure != null) {
            return false;
        }
        long before = fed;
        try {
            if (in == null) {
                if (!Files.exists(file, LinkOption.NOFOLLOW_LINKS)) {
                    return false;
                }
                in = UntrustedFiles.openRegular(file);
            }
            for (int n; (n = in.read(chunk, 0, chunk.length)) > 0; ) {
                reader.feed(chunk, n);
                fed += n;
            }
        } catch (IOException e) {
            failure = e;
        }
        return fed > before;
    }

    /** The outcomes so far, the same object as they grow; {@link Outcomes#NONE} when the fork wrote no file. */
    public Outcomes outcomes() {
        return in == null ? Outcomes.NONE : reader.outcomes();
    }

    /** The fork has ended and the file was read to its end: what was believed is decided. */
    public void finish() {
        reader.outcomes().close();
    }

    /** Why the file could not be read, once it could not. */
    public IOException failure() {
        return failure;
    }

    @Override
    public void close() throws IOException {
        if (in != null) {
            in.close();
        }
    }
}
