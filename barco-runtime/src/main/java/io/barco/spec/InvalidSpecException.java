package io.barco.spec;

import io.barco.BarcoException;
import io.barco.Setting;

/** The caller asked for something barco cannot do; nothing has been created yet. */
public class InvalidSpecException extends BarcoException {
    private static final long serialVersionUID = 1L;

    public InvalidSpecException(String message) {
        super(message);
    }

    public InvalidSpecException(String message, Setting setting) {
        super(message, setting);
    }

    /** This problem, as a problem of {@code setting} when it names none yet: a size is the memory limit's. */
    public InvalidSpecException about(Setting setting) {
        if (setting().isPresent()) {
            return this;
        }
        InvalidSpecException about = new InvalidSpecException(getMessage(), setting);
        about.setStackTrace(getStackTrace());
        return about;
    }
}
