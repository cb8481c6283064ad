package io.barco;

/**
 * A failure of barco itself, as opposed to a failure of the contained program.
 * Its message is one line that names the problem and, where there is one, the fix.
 */
public class BarcoException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public BarcoException(String message) {
        super(message);
    }

    public BarcoException(String message, Throwable cause) {
        super(message, cause);
    }
}
