package io.barco.sys;

/** A kernel release as uname gives it ("6.1.0-13-amd64", "6.18.44-fc-v1272"), compared by major and minor. */
public final class KernelRelease {
    private KernelRelease() {}

    /** Whether {@code release} is {@code major.minor} or newer; a release that does not parse counts as new enough. */
    public static boolean atLeast(String release, int major, int minor) {
        String[] parts = release.split("[.-]");
        try {
            int ma = Integer.parseInt(parts[0]);
            int mi = parts.length > 1 ? Integer.parseInt(parts[1]) : 0;
            return ma > major || (ma == major && mi >= minor);
        } catch (NumberFormatException e) {
            return true;
        }
    }
}
