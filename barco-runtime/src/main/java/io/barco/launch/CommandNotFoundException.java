package io.barco.launch;

/** The command does not exist in the container (a shell would say 127). */
public class CommandNotFoundException extends LaunchException {
    private static final long serialVersionUID = 1L;

    public CommandNotFoundException(String command, String step, int errno) {
        super(
                step,
                errno,
                "command not found in the container: " + command
                        + " (give an absolute path, or one on the container's PATH)");
    }
}
