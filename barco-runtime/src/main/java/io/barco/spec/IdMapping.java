package io.barco.spec;

import io.barco.Setting;

/**
 * One line of /proc/PID/uid_map and gid_map: container ids {@code inside .. inside+count-1}
 * are host ids {@code outside .. outside+count-1}.
 */
public record IdMapping(long inside, long outside, long count) {
    /** The seed's mapping: container 0..1999 is host 10000..11999. */
    public static final IdMapping DEFAULT = new IdMapping(0, 10000, 2000);

    public IdMapping {
        if (inside < 0 || outside < 0 || count < 1 || inside + count > 0xFFFF_FFFFL || outside + count > 0xFFFF_FFFFL) {
            throw new InvalidSpecException(
                    "invalid id mapping " + inside + " " + outside + " " + count
                            + ": ids must be non-negative 32-bit values and the count at least 1",
                    Setting.ID_MAP);
        }
    }

    public boolean containsInside(long id) {
        return id >= inside && id < inside + count;
    }

    /** The text written to uid_map and gid_map. */
    public String mapLine() {
        return inside + " " + outside + " " + count + "\n";
    }
}
