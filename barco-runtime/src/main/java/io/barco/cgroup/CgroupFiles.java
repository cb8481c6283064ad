package io.barco.cgroup;

import io.barco.sys.Host;
import java.io.IOException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * Reading and writing cgroupfs control files through the host, each write one value, each failure
 * naming the file.
 */
final class CgroupFiles {
    private final Host host;

    CgroupFiles(Host host) {
        this.host = host;
    }

    Host host() {
        return host;
    }

    void write(Path file, String value) {
        try {
            host.write(file, value);
        } catch (IOException e) {
            throw new CgroupException("cannot write '" + value + "' to " + file + ": " + reason(e), e);
        }
    }

    String read(Path file) throws IOException {
        return host.read(file);
    }

    /** A single number, or empty when the file is missing or says "max". */
    OptionalLong readLong(Path file) {
        try {
            String text = read(file).trim();
            return text.equals("max") ? OptionalLong.empty() : OptionalLong.of(Long.parseLong(text));
        } catch (IOException | NumberFormatException e) {
            return OptionalLong.empty();
        }
    }

    /** "key value" lines, as in memory.events, cpu.stat or cpuacct.stat. */
    Map<String, Long> readKeyed(Path file) {
        Map<String, Long> values = new HashMap<>();
        try {
            for (String line : read(file).split("\n")) {
                String[] parts = line.trim().split("\\s+");
                if (parts.length == 2) {
                    try {
                        values.put(parts[0], Long.parseLong(parts[1]));
                    } catch (NumberFormatException ignored) {
                        // not a counter
                    }
                }
            }
        } catch (IOException e) {
            // missing file: no figures
        }
        return values;
    }

    static String reason(IOException e) {
        String message = e.getMessage();
        if (e instanceof java.nio.file.NoSuchFileException) {
            return "No such file or directory";
        }
        if (e instanceof java.nio.file.AccessDeniedException) {
            return "Permission denied";
        }
        if (e instanceof java.nio.file.FileSystemException fs && fs.getReason() != null) {
            return fs.getReason();
        }
        if (message != null && message.contains(": ")) {
            return message.substring(message.lastIndexOf(": ") + 2);
        }
        return message == null ? e.getClass().getSimpleName() : message;
    }
}
