package io.barco.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.testing.RequiresContainers;
import java.io.File;
import org.junit.jupiter.api.Test;

/**
 * The CLI on hosts whose filesystems are not this machine's, each made in a mount namespace of the
 * test's own: a {@code /tmp} that is a noexec tmpfs (hardened hosts), a {@code /tmp} on overlayfs
 * and a project on overlayfs (inside a Docker container, whose root is an overlayfs, on which Linux
 * makes no idmapped mounts), and a cache directory on a noexec filesystem. Each works, or is refused
 * in one line, exit 125, with nothing left on the mount table.
 */
@RequiresContainers
class HostFilesystemsIT {
    private static final String SCRIPT = """
            set -u
            table() { awk '{for (i = 7; i <= NF; i++) if ($i == "-") { print $5, $(i + 1), $(i + 2); break }}' /proc/self/mountinfo | sort; }
            work=$(mktemp -d /var/tmp/barco-hostfs.XXXXXX)
            trap 'cd /; umount -R /tmp "$work/merged" "$work/noexec" 2>/dev/null; rm -rf "$work"' EXIT
            mount -t tmpfs -o noexec,nosuid,nodev barco-noexec-tmp /tmp
            echo "noexec /tmp: $($BARCO -c /bin/echo -- hi 2>&1), exit $?"
            echo "noexec /tmp, --rw: $($BARCO --rw -c /bin/sh -- -c 'echo x > /etc/barco-hostfs && cat /etc/barco-hostfs' 2>&1), exit $?"
            umount /tmp
            mkdir -p "$work/lower/project" "$work/upper" "$work/work" "$work/merged" "$work/noexec"
            echo readable > "$work/lower/project/pom.xml"
            echo secret > "$work/lower/project/private" && chmod 600 "$work/lower/project/private"
            mount -t overlay barco-hostfs-overlay -o "lowerdir=$work/lower,upperdir=$work/upper,workdir=$work/work" "$work/merged"
            mount --bind "$work/merged" /tmp
            echo "overlayfs /tmp: $($BARCO -c /bin/echo -- hi 2>&1), exit $?"
            echo "overlayfs /tmp, --rw: $($BARCO --rw -c /bin/sh -- -c 'echo x > /etc/barco-hostfs && cat /etc/barco-hostfs' 2>&1), exit $?"
            umount /tmp
            cd "$work/merged/project"
            before=$(table)
            echo "ro,idmap on overlayfs: $($BARCO --bind .:/tmp/project:ro,idmap -w /tmp/project -c /bin/cat -- pom.xml 2>&1), exit $?"
            out=$($BARCO --bind .:/tmp/project:overlay -c /bin/true 2>&1); status=$?; echo "$out, exit $status" | sed "s|$work|WORK|"
            [ "$(table)" = "$before" ] && echo "refused: table unchanged" || echo "refused: table changed"
            mount -t tmpfs -o noexec,mode=0700 barco-noexec-cache "$work/noexec"
            XDG_CACHE_HOME=$work/noexec $BARCO -c /bin/true 2>&1 | sed "s|$work|WORK|g; s|jna[0-9][0-9]*\\.tmp|jnaN.tmp|g"; echo "exit ${PIPESTATUS[0]}"
            """;

    @Test
    void worksOrSaysWhyNotOnNoexecAndOverlayFilesystems() throws Exception {
        ProcessBuilder builder = new ProcessBuilder(
                        "unshare", "--mount", "--propagation", "private", "bash", "-c", SCRIPT)
                .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectErrorStream(true);
        // the CLI as CliIT runs it, from the build's target directory, which is on none of these filesystems
        builder.environment().put("BARCO", String.join(" ", CliIT.command()));
        String out = io.barco.testing.Processes.run(builder, 180).stdout();
        String jnaLine =
                "barco: cannot load JNA's native library (WORK/noexec/JNA/temp/jnaN.tmp: WORK/noexec/JNA/temp/jnaN.tmp: failed to "
                        + "map segment from shared object): if its directory is on a filesystem mounted noexec, give JNA another with "
                        + "-Djna.tmpdir=DIR or XDG_CACHE_HOME=DIR";
        assertThat(out).isEqualTo("""
                noexec /tmp: hi, exit 0
                noexec /tmp, --rw: x, exit 0
                overlayfs /tmp: hi, exit 0
                overlayfs /tmp, --rw: x, exit 0
                ro,idmap on overlayfs: readable, exit 0
                barco: bind source WORK/merged/project is on overlay, which has no idmapped mounts, so an overlay on it cannot copy up the files \
                the host's root owns: bind it read-only or plain rw, or use a directory on btrfs, ext2, ext3, ext4, f2fs, tmpfs, \
                vfat, xfs (--bind), exit 125
                refused: table unchanged
                %s
                exit 125
                """.formatted(jnaLine));
    }
}
