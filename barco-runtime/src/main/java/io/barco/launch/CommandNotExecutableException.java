package io.barco.launch;

import io.barco.sys.Errno;

/** The command exists but cannot be executed (a shell would say 126). */
public class CommandNotExecutableException extends LaunchException {
    private static final long serialVersionUID = 1L;

    public CommandNotExecutableException(String command, String step, int errno) {
        super(step, errno, "cannot execute " + command + " in the container: " + Errno.describe(errno));
    }
}
