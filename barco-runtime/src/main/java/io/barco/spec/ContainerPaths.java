package io.barco.spec;

import java.util.ArrayDeque;
import java.util.Deque;

/** Paths as the container sees them: absolute, lexically normalised, never escaping "/". */
public final class ContainerPaths {
    private ContainerPaths() {
    }

    public static String normalize(String path) {
        if (path.indexOf('\0') >= 0) {
            throw new InvalidSpecException("path contains a NUL byte: " + path.replace('\0', '?'));
        }
        Deque<String> parts = new ArrayDeque<>();
        for (String part : path.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                parts.pollLast();
            } else {
                parts.addLast(part);
            }
        }
        return "/" + String.join("/", parts);
    }

    /** Depth of a normalised path: "/" is 0, "/a/b" is 2. */
    public static int depth(String normalized) {
        return normalized.equals("/") ? 0 : (int) normalized.chars().filter(c -> c == '/').count();
    }
}
