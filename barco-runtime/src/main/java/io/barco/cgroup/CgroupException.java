package io.barco.cgroup;

import io.barco.BarcoException;
import io.barco.Setting;

/** A cgroup could not be created, limited, read or removed; the message names the file. */
public class CgroupException extends BarcoException {
    private static final long serialVersionUID = 1L;

    public CgroupException(String message) {
        super(message);
    }

    public CgroupException(String message, Setting setting) {
        super(message, setting);
    }

    public CgroupException(String message, Throwable cause) {
        super(message, cause);
    }
}
