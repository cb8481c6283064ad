package io.barco;

import java.util.Optional;

/**
 * A failure of barco itself, as opposed to a failure of the contained program.
 * Its message is one line that names the problem and, where there is one, the fix; when a setting
 * of the container is the fix, {@link #setting()} names it, and the front end says how to change it.
 */
public class BarcoException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    private final Setting setting;

    public BarcoException(String message) {
        this(message, (Setting) null);
    }

    public BarcoException(String message, Setting setting) {
        super(message);
        this.setting = setting;
    }

    public BarcoException(String message, Throwable cause) {
        this(message, null, cause);
    }

    public BarcoException(String message, Setting setting, Throwable cause) {
        super(message, cause);
        this.setting = setting;
    }

    /** The setting whose change fixes this, if one does. */
    public Optional<Setting> setting() {
        return Optional.ofNullable(setting);
    }
}
