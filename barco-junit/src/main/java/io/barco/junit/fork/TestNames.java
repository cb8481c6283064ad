package io.barco.junit.fork;

/** A test's name for a message, from its unique id: the method ({@code suspends()}), or the invocation of one ({@code add(int) #2}). */
final class TestNames {
    private static final int MAX_CHARS = 200;

    private TestNames() {}

    static String of(String uniqueId) {
        String[] segments = uniqueId.split("/");
        String name = value(segments[segments.length - 1]);
        if (name.startsWith("#") && segments.length > 1) {
            name = value(segments[segments.length - 2]) + " " + name;
        }
        // the id came from the fork: no line breaks, no screenful
        name = name.replaceAll("\\p{Cntrl}", "?");
        return name.length() > MAX_CHARS ? name.substring(0, MAX_CHARS) + "…" : name;
    }

    /** {@code [method:suspends()]} is {@code suspends()}. */
    private static String value(String segment) {
        int colon = segment.indexOf(':');
        return segment.startsWith("[") && segment.endsWith("]") && colon > 0
                ? segment.substring(colon + 1, segment.length() - 1)
                : segment;
    }
}
