package io.barco.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.testing.RequiresContainers;
import org.junit.jupiter.api.Test;

/**
 * The CLI on a host whose {@code /} is a shared mount, as systemd makes it on every distribution
 * that boots with it. This machine's {@code /} is private, so the test makes its own: a mount
 * namespace of its own (unshare --propagation unchanged) whose root it marks rshared, from which
 * it launches containers that succeed, fail halfway and keep running, and checks both directions:
 * nothing a container mounts appears in the launcher's mount table, and a mount the host makes
 * while a container runs does not appear in the container.
 */
@RequiresContainers
class SharedPropagationIT {
    /** The launcher's mount table, as mount point, type and source: ids change nothing of what is mounted. */
    private static final String SCRIPT = """
            set -u
            mount --make-rshared / || { echo "cannot make / rshared"; exit 1; }
            table() { awk '{for (i = 7; i <= NF; i++) if ($i == "-") { print $5, $(i + 1), $(i + 2); break }}' /proc/self/mountinfo | sort; }
            before=$(table)
            same() {
              if [ "$(table)" = "$before" ]; then echo "$1: table unchanged"
              else echo "$1: table changed:"; diff <(echo "$before") <(table) | head -20; fi
            }
            out=$($BARCO -c /bin/echo -- hi 2>&1); echo "echo: exit $? $out"; same echo
            $BARCO --rw -c /bin/sh -- -c 'touch /etc/barco-propagation && echo rw-ok'; echo "rw: exit $?"; same rw
            $BARCO --network host -c /bin/true; echo "host network: exit $?"; same "host network"
            # fails after every mount is made: chdir comes after pivot_root
            $BARCO -w /nope -c /bin/true 2>/dev/null; echo "failed chdir: exit $?"; same "failed chdir"
            # fails halfway: the bind's mount point cannot be made in the read-only root, after /proc, /sys, /dev
            $BARCO --bind /etc:/barco-propagation-nope -c /bin/true 2>/dev/null; echo "failed mkdir: exit $?"; same "failed mkdir"
            name=propagation-$$
            # outlives the checks however slow the machine (each CLI start took some 30 s under emulation, and a
            # sleep of 120 s had ended before the last exec); stopped below
            $BARCO --name $name -c /bin/sleep -- 3600 </dev/null >/dev/null 2>&1 &
            server=$!
            for i in $(seq 1 100); do $BARCO exec $name true 2>/dev/null && break; sleep 0.1; done
            echo "exec: $($BARCO exec $name hostname)"
            same "running"
            # a mount the host makes now, in a directory the container sees through its root
            probe=$(mktemp -d /var/tmp/barco-propagation.XXXXXX)
            mount -t tmpfs barco-leak-probe "$probe"
            echo "host mount seen inside: $($BARCO exec $name grep -c barco-leak-probe /proc/self/mountinfo)"
            umount "$probe"; rmdir "$probe"
            kill -TERM $server; wait $server
            same "after"
            """;

    @Test
    void containersLaunchedFromAnRsharedRootMountNothingOnTheHostAndSeeNoLaterHostMount() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                        "unshare", "--mount", "--propagation", "unchanged", "bash", "-c", SCRIPT)
                .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                .redirectErrorStream(true);
        // the packaged CLI, as CliIT runs it; its path has no spaces (the build's target directory)
        builder.environment().put("BARCO", String.join(" ", CliIT.command()));
        String out = io.barco.testing.Processes.run(builder, 180).stdout();
        assertThat(out).isEqualTo("""
                echo: exit 0 hi
                echo: table unchanged
                rw-ok
                rw: exit 0
                rw: table unchanged
                host network: exit 0
                host network: table unchanged
                failed chdir: exit 125
                failed chdir: table unchanged
                failed mkdir: exit 125
                failed mkdir: table unchanged
                exec: %s
                running: table unchanged
                host mount seen inside: 0
                after: table unchanged
                """.formatted(io.barco.spec.ContainerSpec.DEFAULT_HOSTNAME));
    }
}
