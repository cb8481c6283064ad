package io.barco.spec;

import io.barco.Setting;

/** What network a container sees. */
public enum NetworkMode {
    /** A private network namespace with only loopback, which is up. */
    NONE,
    /** The host's network namespace. */
    HOST;

    public static NetworkMode parse(String text) {
        for (NetworkMode mode : values()) {
            if (mode.name().equalsIgnoreCase(text)) {
                return mode;
            }
        }
        throw new InvalidSpecException("unknown network mode '" + text + "': use none or host", Setting.NETWORK);
    }
}
