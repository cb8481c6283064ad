package io.barco.launch;

import io.barco.BarcoException;
import io.barco.Setting;
import io.barco.sys.Errno;

/**
 * A launch step failed; the message names the step, the call within it when the step makes several,
 * and the kernel's answer, e.g. {@code pivot_root(/tmp/root): umount2 . (MNT_DETACH): Invalid argument}.
 * Nothing of the container is left behind.
 */
public class LaunchException extends BarcoException {
    private static final long serialVersionUID = 1L;
    private final String step;
    private final int errno;

    public LaunchException(String step, int errno) {
        this(step, errno, step + ": " + Errno.describe(errno));
    }

    protected LaunchException(String step, int errno, String message) {
        this(step, errno, message, null);
    }

    /** A failed step whose fix is a setting of the spec, such as a working directory the rootfs lacks. */
    protected LaunchException(String step, int errno, String message, Setting setting) {
        super(message, setting);
        this.step = step;
        this.errno = errno;
    }

    /** The failed step as the plan describes it. */
    public String step() {
        return step;
    }

    public int errno() {
        return errno;
    }
}
