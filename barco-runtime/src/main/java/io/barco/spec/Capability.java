package io.barco.spec;

import io.barco.Setting;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Locale;
import java.util.Set;

/** Linux capabilities, with their kernel numbers. */
public enum Capability {
    CHOWN(0),
    DAC_OVERRIDE(1),
    DAC_READ_SEARCH(2),
    FOWNER(3),
    FSETID(4),
    KILL(5),
    SETGID(6),
    SETUID(7),
    SETPCAP(8),
    LINUX_IMMUTABLE(9),
    NET_BIND_SERVICE(10),
    NET_BROADCAST(11),
    NET_ADMIN(12),
    NET_RAW(13),
    IPC_LOCK(14),
    IPC_OWNER(15),
    SYS_MODULE(16),
    SYS_RAWIO(17),
    SYS_CHROOT(18),
    SYS_PTRACE(19),
    SYS_PACCT(20),
    SYS_ADMIN(21),
    SYS_BOOT(22),
    SYS_NICE(23),
    SYS_RESOURCE(24),
    SYS_TIME(25),
    SYS_TTY_CONFIG(26),
    MKNOD(27),
    LEASE(28),
    AUDIT_WRITE(29),
    AUDIT_CONTROL(30),
    SETFCAP(31),
    MAC_OVERRIDE(32),
    MAC_ADMIN(33),
    SYSLOG(34),
    WAKE_ALARM(35),
    BLOCK_SUSPEND(36),
    AUDIT_READ(37),
    PERFMON(38),
    BPF(39),
    CHECKPOINT_RESTORE(40);

    private final int number;

    Capability(int number) {
        this.number = number;
    }

    public int number() {
        return number;
    }

    /**
     * The seed's drop list, plus the capabilities added to Linux after it was written, plus SYS_PTRACE,
     * which Docker drops too: with it container root may ptrace, pidfd_getfd and process_vm_writev any
     * process of its user namespace, barco's own exec helper included while it joins.
     */
    public static final Set<Capability> DROPPED_BY_DEFAULT = Collections.unmodifiableSet(EnumSet.of(
            AUDIT_CONTROL,
            AUDIT_READ,
            AUDIT_WRITE,
            BLOCK_SUSPEND,
            DAC_READ_SEARCH,
            FSETID,
            IPC_LOCK,
            MAC_ADMIN,
            MAC_OVERRIDE,
            MKNOD,
            SETFCAP,
            SYSLOG,
            SYS_ADMIN,
            SYS_BOOT,
            SYS_MODULE,
            SYS_NICE,
            SYS_RAWIO,
            SYS_RESOURCE,
            SYS_TIME,
            WAKE_ALARM,
            PERFMON,
            BPF,
            CHECKPOINT_RESTORE,
            SYS_PTRACE));

    /** What container root keeps by default. */
    public static Set<Capability> defaults() {
        return Collections.unmodifiableSet(EnumSet.complementOf(EnumSet.copyOf(DROPPED_BY_DEFAULT)));
    }

    /** Accepts {@code SYS_ADMIN}, {@code sys_admin} and {@code CAP_SYS_ADMIN}; an unknown name is a problem of {@code setting}. */
    public static Capability parse(String text, Setting setting) {
        String name = text.trim().toUpperCase(Locale.ROOT);
        if (name.startsWith("CAP_")) {
            name = name.substring(4);
        }
        try {
            return valueOf(name);
        } catch (IllegalArgumentException e) {
            throw new InvalidSpecException(
                    "unknown capability '" + text + "': use a name such as NET_ADMIN or CAP_SYS_ADMIN", setting);
        }
    }

    /** The set as the kernel's 64-bit mask. */
    public static long mask(Set<Capability> capabilities) {
        long mask = 0;
        for (Capability capability : capabilities) {
            mask |= 1L << capability.number;
        }
        return mask;
    }
}
