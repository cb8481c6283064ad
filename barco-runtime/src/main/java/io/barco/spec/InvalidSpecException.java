package io.barco.spec;

import io.barco.BarcoException;

/** The caller asked for something barco cannot do; nothing has been created yet. */
public class InvalidSpecException extends BarcoException {
    private static final long serialVersionUID = 1L;

    public InvalidSpecException(String message) {
        super(message);
    }
}
