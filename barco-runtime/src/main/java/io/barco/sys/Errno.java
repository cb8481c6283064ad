package io.barco.sys;

/** errno values the runtime acts on, and their text. */
public final class Errno {
    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int ECHILD = 10;
    public static final int EINTR = 4;
    public static final int EACCES = 13;
    public static final int ENOTDIR = 20;
    public static final int ENOEXEC = 8;
    public static final int EINVAL = 22;
    public static final int EROFS = 30;
    public static final int ELOOP = 40;

    private Errno() {}

    /** The C library's text for errno, e.g. "Invalid argument". */
    public static String describe(int errno) {
        String text = LibC.INSTANCE.strerror(errno);
        return text == null ? "errno " + errno : text;
    }
}
