package io.barco.launch;

import static org.assertj.core.api.Assertions.assertThat;

import io.barco.spec.Mount;
import io.barco.spec.RootMode;
import io.barco.testing.RequiresContainers;
import io.barco.testing.Sh;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The container's view of the filesystem, checked from inside, and what the host keeps. */
@RequiresContainers
class FilesystemIT {
    private Path hostFile;

    @BeforeEach
    void cleanSlate() {
        hostFile = Path.of("/var/tmp/barco-it-" + ProcessHandle.current().pid() + "-" + System.nanoTime());
    }

    @AfterEach
    void removeHostFile() throws Exception {
        Files.deleteIfExists(hostFile);
    }

    /**
     * A project a user owns, built through sudo (Vagrant's /vagrant, a laptop checkout): its sources
     * are the user's, its target/ root's (the build runs as root). Bound idmapped under a throwaway
     * overlay, as barco-junit binds the working directory, container root writes both, and the host's
     * files never change.
     */
    @Test
    void aProjectAUserOwnsIsWritableThroughItsOverlayInItsOwnFilesAndInRootsTarget(@TempDir Path dir) throws Exception {
        String fstype = Files.getFileStore(dir).type();
        org.junit.jupiter.api.Assumptions.assumeTrue(
                Mount.idmappable(fstype, System.getProperty("os.version")),
                "Linux " + System.getProperty("os.version") + " makes no idmapped mount of " + dir + "'s " + fstype);
        Path project = dir.resolve("project");
        Files.createDirectories(project.resolve("target"));
        Files.writeString(project.resolve("pom.xml"), "<project/>\n");
        Files.writeString(project.resolve("target/built.txt"), "built\n");
        for (Path p : List.of(project, project.resolve("pom.xml"))) {
            Files.setAttribute(p, "unix:uid", 1000);
            Files.setAttribute(p, "unix:gid", 1000);
        }
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        String out = Sh.output(Sh.spec(
                        "cd /tmp/project && echo more >> pom.xml && echo new > new.txt && echo t >> target/built.txt"
                                + " && mkdir target/classes && stat -c '%u %n' pom.xml target && cat pom.xml target/built.txt")
                .mount(Mount.tmpfs("/tmp/layers"))
                .mount(Mount.bindAsContainerRoot(project, "/tmp/project"))
                .mount(Mount.overlay("/tmp/project", "/tmp/layers")));
        assertThat(out).isEqualTo("1000 pom.xml\n0 target\n<project/>\nmore\nbuilt\nt\n");
        assertThat(project.resolve("pom.xml")).hasContent("<project/>");
        assertThat(project.resolve("target/built.txt")).hasContent("built");
        assertThat(project.resolve("new.txt")).doesNotExist();
        assertThat(project.resolve("target/classes")).doesNotExist();
    }

    @Test
    void hostRootIsReadOnlyByDefault() throws Exception {
        var result = Sh.run("touch " + hostFile + " 2>&1; echo rc=$?");
        assertThat(result.stdout()).contains("Read-only file system").contains("rc=1");
        assertThat(hostFile).doesNotExist();
    }

    @Test
    void writeThroughRootWritesToTheHostAsTheMappedUser() throws Exception {
        // only on purpose (RootMode.WRITE_THROUGH): a writable root is an overlay (WritableRootIT).
        // /var/tmp is world-writable, so container root (host uid 10000) may create a file there
        Sh.output(Sh.spec("echo written > " + hostFile).rootMode(RootMode.WRITE_THROUGH));
        assertThat(hostFile).hasContent("written");
        assertThat(Files.getAttribute(hostFile, "unix:uid")).isEqualTo(10000);
    }

    @Test
    void tmpAndRunAreFreshPrivateTmpfs() throws Exception {
        Path marker = Files.createTempFile("barco-it-host", ".txt");
        try {
            String out = Sh.output("ls -A /tmp | wc -l; ls -A /run | wc -l; echo hi > /tmp/inside && cat /tmp/inside;"
                    + " grep -E ' /(tmp|run) ' /proc/self/mounts | cut -d' ' -f2,3");
            assertThat(out).isEqualTo("0\n0\nhi\n/tmp tmpfs\n/run tmpfs\n");
            assertThat(Path.of("/tmp/inside")).doesNotExist();
        } finally {
            Files.delete(marker);
        }
    }

    @Test
    void procIsTheContainersOwnAndSysIsReadOnly() throws Exception {
        String out = Sh.output("grep -E ' /(proc|sys) ' /proc/self/mounts | cut -d' ' -f2,3,4 | cut -d, -f1");
        assertThat(out).contains("/proc proc rw").contains("/sys sysfs ro");
    }

    @Test
    void devHoldsOnlyTheMinimalDevices() throws Exception {
        String out = Sh.output(
                "ls -A /dev | sort | tr '\\n' ' '; echo; head -c 4 /dev/zero | od -An -tx1; echo x > /dev/null && echo null-ok;"
                        + " head -c 8 /dev/urandom | wc -c");
        assertThat(out.lines().toList())
                .containsExactly(
                        "fd full mqueue null ptmx pts random shm stderr stdin stdout tty urandom zero ",
                        " 00 00 00 00",
                        "null-ok",
                        "8");
    }

    @Test
    void ociMaskedPathsShowNothing() throws Exception {
        List<String> files = Stream.of(
                        "/proc/kcore",
                        "/proc/keys",
                        "/proc/timer_list",
                        "/proc/sched_debug",
                        "/proc/latency_stats",
                        "/proc/timer_stats")
                .filter(p -> Files.exists(Path.of(p)))
                .toList();
        List<String> dirs = Stream.of("/proc/acpi", "/proc/asound", "/proc/scsi", "/sys/firmware")
                .filter(p -> Files.isDirectory(Path.of(p)))
                .toList();
        assertThat(files).contains("/proc/keys");
        assertThat(dirs).contains("/sys/firmware");
        StringBuilder script = new StringBuilder();
        files.forEach(f ->
                script.append("echo ").append(f).append(" $(wc -c < ").append(f).append(");"));
        dirs.forEach(d ->
                script.append("echo ").append(d).append(" $(ls -A ").append(d).append(" | wc -l);"));
        assertThat(Sh.output(script.toString()).lines())
                .hasSize(files.size() + dirs.size())
                .allMatch(l -> l.endsWith(" 0"));
    }

    @Test
    void ociReadOnlyPathsRefuseWrites() throws Exception {
        List<String> paths = Stream.of("/proc/sys", "/proc/sysrq-trigger", "/proc/irq", "/proc/bus", "/proc/fs")
                .filter(p -> Files.exists(Path.of(p)))
                .toList();
        StringBuilder script = new StringBuilder();
        paths.forEach(
                p -> script.append("grep ' ").append(p).append(" ' /proc/self/mounts | cut -d' ' -f4 | cut -d, -f1;"));
        script.append("(echo 1 > /proc/sys/kernel/ns_last_pid) 2>&1; echo rc=$?");
        List<String> out = Sh.output(script.toString()).lines().toList();
        assertThat(out.subList(0, paths.size())).containsOnly("ro");
        assertThat(out.get(paths.size())).contains("Read-only file system");
        assertThat(out.get(paths.size() + 1)).isNotEqualTo("rc=0");
    }

    @Test
    void bindMountsReadWriteAndReadOnly(@TempDir Path dir) throws Exception {
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.writeString(dir.resolve("from-host"), "host data");
        // /media and /srv exist on the host's read-only root: they can be mount points
        String out =
                Sh.output(Sh.spec("cat /media/from-host; echo; echo inside > /media/from-container; cat /srv/from-host;"
                                + " echo; touch /srv/nope 2>&1; true")
                        .mount(Mount.bind(dir, "/media", false))
                        .mount(Mount.bind(dir, "/srv", true)));
        assertThat(out).startsWith("host data\nhost data\n").contains("Read-only file system");
        assertThat(dir.resolve("from-container")).hasContent("inside");
        assertThat(dir.resolve("nope")).doesNotExist();
    }

    @Test
    void bindMountWorksFromUnderADirectoryOnlyRootMayEnter() throws Exception {
        // like /root/.m2 when building as root: container root (host uid 10000) may not walk the path
        Path secret = Files.createTempDirectory(Path.of(System.getProperty("user.home")), ".barco-it-");
        try {
            Files.setPosixFilePermissions(secret, PosixFilePermissions.fromString("rwx------"));
            Path inner = Files.createDirectories(secret.resolve("lib"));
            Files.setPosixFilePermissions(inner, PosixFilePermissions.fromString("rwxr-xr-x"));
            Files.writeString(inner.resolve("classes.txt"), "visible");
            Files.setPosixFilePermissions(inner.resolve("classes.txt"), PosixFilePermissions.fromString("rw-r--r--"));
            assertThat(Sh.output(Sh.spec("cat /tmp/lib-in/classes.txt").mount(Mount.bind(inner, "/tmp/lib-in", true))))
                    .isEqualTo("visible");
        } finally {
            try (Stream<Path> walk = Files.walk(secret)) {
                walk.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }

    @Test
    void bindMountOfAFileAndTmpfsMounts(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("config.properties"), "a=1");
        String out = Sh.output(Sh.spec("cat /tmp/config.properties; echo; echo x > /media/y && cat /media/y;"
                        + " grep ' /media ' /proc/self/mounts | cut -d' ' -f3")
                .mount(Mount.bind(file, "/tmp/config.properties", true))
                .tmpfs("/media"));
        assertThat(out).isEqualTo("a=1\nx\ntmpfs\n");
    }

    @Test
    void missingMountPointOnTheReadOnlyRootIsAClearError(@TempDir Path dir) {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> Sh.run(Sh.spec("true").mount(Mount.bind(dir, "/data", false))))
                .isInstanceOf(LaunchException.class)
                .hasMessageStartingWith(
                        "create mount point /data (mkdir): Read-only file system (the rootfs is read-only:");
    }

    @Test
    void workingDirectoryIsSetInsideTheNewRoot() throws Exception {
        assertThat(Sh.output(Sh.spec("pwd").workdir("/usr/share"))).isEqualTo("/usr/share\n");
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> Sh.run(Sh.spec("pwd").workdir("/no/such")))
                .isInstanceOf(LaunchException.class)
                .hasMessage(
                        "working directory /no/such does not exist in the container: create it in the rootfs, or give another")
                .satisfies(e -> assertThat(((LaunchException) e).setting()).contains(io.barco.Setting.WORKDIR));
    }

    @Test
    void rootfsCanBeAnyDirectoryTree(@TempDir Path dir) throws Exception {
        // a tiny root: the host's /usr and the usual symlinks, nothing else
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
        for (String d : new String[] {"usr", "proc", "sys", "dev", "tmp", "run", "etc"}) {
            Files.createDirectories(dir.resolve(d));
        }
        for (String link : new String[] {"bin", "lib", "lib64", "sbin"}) {
            Files.createSymbolicLink(dir.resolve(link), Path.of("usr/" + link));
        }
        String out = Sh.output(Sh.spec("ls / | tr '\\n' ' '")
                .mount(Mount.bind(Path.of("/usr"), "/usr", true))
                .rootfs(dir));
        assertThat(out).isEqualTo("bin dev etc lib lib64 proc run sbin sys tmp usr ");
    }
}
