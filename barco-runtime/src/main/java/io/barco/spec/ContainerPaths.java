package io.barco.spec;

import java.util.ArrayDeque;
import java.util.Deque;

/** Paths as the container sees them: absolute, lexically normalised, never escaping "/". */
public final class ContainerPaths {
    private ContainerPaths() {}

    /** Whether normalized {@code path} is {@code dir} or lies below it. */
    public static boolean isUnder(String path, String dir) {
        return path.equals(dir) || dir.equals("/") || path.startsWith(dir + "/");
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
}
