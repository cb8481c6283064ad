package io.barco.sys;

import java.io.FileInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Reads files of /proc and /sys. JDK 17's Files.readString trusts the size they report and returned
 * "4" for a cap_last_cap of "40\n" here; a plain stream read to end of file is right.
 */
public final class ProcFiles {
    private ProcFiles() {}

    public static String read(Path path) throws IOException {
        try (InputStream in = new FileInputStream(path.toFile())) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }
}
