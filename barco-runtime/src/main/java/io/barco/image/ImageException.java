package io.barco.image;

import io.barco.BarcoException;
import io.barco.Setting;

/**
 * An image that cannot be used: a bad reference, a missing or corrupt image, a layer barco refuses.
 * One line that names the image (and the layer and entry, for a refused one) and the fix; whatever
 * was being unpacked when it was thrown has been removed.
 */
public final class ImageException extends BarcoException {
    private static final long serialVersionUID = 1L;

    public ImageException(String message) {
        super(message, Setting.IMAGE);
    }

    public ImageException(String message, Throwable cause) {
        super(message, Setting.IMAGE, cause);
    }
}
