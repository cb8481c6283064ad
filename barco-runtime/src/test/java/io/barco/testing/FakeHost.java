package io.barco.testing;

import com.sun.jna.LastErrorException;
import io.barco.launch.StatusRecord;
import io.barco.sys.Host;
import io.barco.sys.LauncherIdentity;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;

/**
 * A {@link Host} for unit tests: no root, no container, no real descriptor. It records every call
 * that creates, changes or destroys something ({@link #calls()}, paths relative to its directory),
 * and serves a temporary directory as /proc and as a cgroup filesystem, acting as the kernel does
 * where the runtime relies on it: a new group gets its controllers' files, a group with tasks cannot
 * be removed, cgroup.kill and SIGKILL end tasks, subtree_control takes "+controller". The native
 * helper is a {@link Helper} the test scripts; processes end when killed or when the test says.
 */
public final class FakeHost implements Host {
    private static final int SIGKILL = 9;
    private static final int ESRCH = 3;
    private static final int EBADF = 9;
    private static final Map<String, Map<String, String>> V2_FILES = Map.of(
            "memory",
                    Map.of(
                            "memory.max",
                            "max",
                            "memory.swap.max",
                            "max",
                            "memory.peak",
                            "0",
                            "memory.events",
                            "low 0\nhigh 0\nmax 0\noom 0\noom_kill 0\n"),
            "pids", Map.of("pids.max", "max", "pids.current", "0", "pids.peak", "0"),
            "cpu",
                    Map.of(
                            "cpu.weight",
                            "100",
                            "cpu.max",
                            "max 100000",
                            "cpu.stat",
                            "usage_usec 0\nuser_usec 0\nsystem_usec 0\n"),
            "io", Map.of("io.stat", ""),
            "cpuset", Map.of("cpuset.cpus", ""));
    private static final Map<String, Map<String, String>> V1_FILES = Map.of(
            "memory",
                    Map.of(
                            "memory.limit_in_bytes",
                            "9223372036854771712",
                            "memory.memsw.limit_in_bytes",
                            "9223372036854771712",
                            "memory.swappiness",
                            "60",
                            "memory.max_usage_in_bytes",
                            "0",
                            "memory.oom_control",
                            "oom_kill_disable 0\nunder_oom 0\noom_kill 0\n"),
            "cpu", Map.of("cpu.shares", "1024", "cpu.cfs_period_us", "100000", "cpu.cfs_quota_us", "-1"),
            "cpuacct", Map.of("cpuacct.usage_user", "0", "cpuacct.usage_sys", "0"),
            "pids", Map.of("pids.max", "max", "pids.current", "0"),
            "blkio", Map.of("blkio.throttle.io_service_bytes", "Total 0\n"),
            "freezer", Map.of("freezer.state", "THAWED"),
            "cpuset", Map.of("cpuset.cpus", "0-1"));

    /** What the fake native helper did: its status records, how it exited, what the container printed. */
    public record HelperRun(byte[] report, int exitCode, byte[] stdout) {
        /** The container started as {@code pid} and the helper exited 0. */
        public static HelperRun started(int pid, String stdout) {
            return new HelperRun(StatusRecord.pid(pid).encode(), 0, stdout.getBytes());
        }

        /** Step {@code step} of the plan failed with {@code errno}, before the container's process existed. */
        public static HelperRun failedAt(int step, int errno) {
            return new HelperRun(StatusRecord.error(step, errno).encode(), 1, new byte[0]);
        }

        /** The container's process {@code pid} existed when step {@code step} failed. */
        public static HelperRun failedAfterStart(int pid, int step, int errno) {
            byte[] started = StatusRecord.pid(pid).encode();
            byte[] failed = StatusRecord.error(step, errno).encode();
            byte[] both = Arrays.copyOf(started, started.length + failed.length);
            System.arraycopy(failed, 0, both, started.length, failed.length);
            return new HelperRun(both, 1, new byte[0]);
        }

        /** The helper exited with {@code code} and wrote nothing. */
        public static HelperRun diedWithoutReport(int code) {
            return new HelperRun(new byte[0], code, new byte[0]);
        }
    }

    /** The native helper as a test scripts it: reads the plan, may start processes of the host, reports. */
    public interface Helper {
        HelperRun run(FakeHost host, byte[] plan);
    }

    private final Path root;
    private final Path proc;
    private final Map<Path, Set<String>> mounts =
            new LinkedHashMap<>(); // cgroup mount point -> controllers, empty for v2
    private final List<String> calls = Collections.synchronizedList(new ArrayList<>());
    private final AtomicInteger nextFd = new AtomicInteger(100);
    private final AtomicInteger nextPid = new AtomicInteger(4000);
    private final Set<Integer> open = ConcurrentHashMap.newKeySet();
    private final Map<Integer, byte[]> contents = new ConcurrentHashMap<>();
    private final Map<Integer, Integer> readEnds = new ConcurrentHashMap<>(); // pipe write end -> read end
    private final Map<Integer, CompletableFuture<Integer>> processes = new ConcurrentHashMap<>(); // pid -> wait status
    private final Set<Integer> unkillable = ConcurrentHashMap.newKeySet();
    private final Set<Integer> stalledReads = ConcurrentHashMap.newKeySet();
    private volatile boolean stallStatus;
    private final Map<Integer, Integer> pidfds = new ConcurrentHashMap<>();
    private final Map<String, Integer> failingCalls = new ConcurrentHashMap<>();
    private final Map<String, String> failingWrites = new ConcurrentHashMap<>();
    private final List<Path> newGroups = Collections.synchronizedList(new ArrayList<>());
    private final AtomicLong clock = new AtomicLong();
    private volatile Helper helper = (host, plan) -> HelperRun.started(host.startInNewGroups(), "");
    private volatile int euid;
    private volatile String osName = "Linux";
    private volatile String osVersion = "6.1.0-13-amd64";

    private final boolean swapAccounting;

    private FakeHost(Path root, boolean swapAccounting) {
        this.root = root;
        this.swapAccounting = swapAccounting;
        this.proc = root.resolve("proc");
        LauncherIdentity.self(); // as the runtime does, so that the JVM's own start time can be copied below
        String[] self = LauncherIdentity.self().split("-");
        StringBuilder stat = new StringBuilder(self[0] + " (java) S");
        for (int i = 1; i < 19; i++) {
            stat.append(" 0");
        }
        stat.append(' ').append(self[1]).append(" 0 0\n");
        file(proc.resolve(self[0] + "/stat"), stat.toString());
        file(proc.resolve("sys/kernel/cap_last_cap"), "40\n");
        file(proc.resolve("sys/user/max_user_namespaces"), "15000\n");
    }

    /** A cgroup v2 host with these controllers at the root, our process in the root group. */
    public static FakeHost v2(Path dir, String... controllers) {
        FakeHost host = new FakeHost(dir, true);
        Path unified = dir.resolve("sys/fs/cgroup");
        List<String> available =
                controllers.length > 0 ? List.of(controllers) : List.of("cpuset", "cpu", "io", "memory", "pids");
        host.mounts.put(unified, Set.of());
        host.file(unified.resolve("cgroup.controllers"), String.join(" ", available) + "\n");
        host.file(unified.resolve("cgroup.subtree_control"), "\n");
        host.file(unified.resolve("cgroup.procs"), "");
        host.file(
                host.proc.resolve("self/mountinfo"),
                "24 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n" + "35 24 0:30 / " + unified
                        + " rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate\n");
        host.file(host.proc.resolve("self/cgroup"), "0::/\n");
        return host;
    }

    /**
     * A cgroup v1 host as this project's CI machine is: memory, cpu+cpuacct, pids, blkio, freezer and
     * cpuset hierarchies, our process in {@code /user.slice} of each; memory.memsw files only with swap accounting.
     */
    public static FakeHost v1(Path dir, boolean swapAccounting) {
        FakeHost host = new FakeHost(dir, swapAccounting);
        StringBuilder mountinfo = new StringBuilder("24 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw\n");
        StringBuilder cgroup = new StringBuilder();
        int id = 40;
        for (String hierarchy : List.of("memory", "cpu,cpuacct", "pids", "blkio", "freezer", "cpuset")) {
            Path mount = dir.resolve("sys/fs/cgroup/" + hierarchy);
            Set<String> controllers = new LinkedHashSet<>(List.of(hierarchy.split(",")));
            host.mounts.put(mount, controllers);
            mountinfo
                    .append(id)
                    .append(" 30 0:")
                    .append(id)
                    .append(" / ")
                    .append(mount)
                    .append(" rw,nosuid,nodev,noexec,relatime shared:")
                    .append(id)
                    .append(" - cgroup cgroup rw,")
                    .append(hierarchy)
                    .append('\n');
            cgroup.append(id - 30).append(':').append(hierarchy).append(":/user.slice\n");
            host.file(mount.resolve("cgroup.procs"), "");
            try {
                host.fill(mount.resolve("user.slice"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
            id++;
        }
        host.file(host.proc.resolve("self/mountinfo"), mountinfo.toString());
        host.file(host.proc.resolve("self/cgroup"), cgroup.toString());
        return host;
    }

    // ---- what a test sets up and looks at

    /** The calls made so far, such as "mkdir sys/fs/cgroup/barco", "write …/pids.max 64", "close 103". */
    public List<String> calls() {
        synchronized (calls) {
            return List.copyOf(calls);
        }
    }

    /** The fake descriptors still open. */
    public Set<Integer> openDescriptors() {
        return Set.copyOf(open);
    }

    /** The path a recorded call names, such as "sys/fs/cgroup/barco", as a path of this host. */
    public Path path(String relative) {
        return root.resolve(relative);
    }

    public Path cgroupfs() {
        return root.resolve("sys/fs/cgroup");
    }

    public FakeHost helper(Helper script) {
        this.helper = script;
        return this;
    }

    public FakeHost euid(int uid) {
        this.euid = uid;
        return this;
    }

    public FakeHost os(String name, String version) {
        this.osName = name;
        this.osVersion = version;
        return this;
    }

    /** The next call of this name ("spawn", "pipe", "pidfd_open", …) fails with errno. */
    public FakeHost failCall(String name, int errno) {
        failingCalls.put(name, errno);
        return this;
    }

    /** Writes to control files of this name fail, as the kernel refuses a value: "Invalid argument". */
    public FakeHost failWrites(String fileName, String reason) {
        failingWrites.put(fileName, reason);
        return this;
    }

    /** A running process of this host, not in any group. */
    public int startProcess() {
        int pid = nextPid.incrementAndGet();
        processes.put(pid, new CompletableFuture<>());
        return pid;
    }

    /** A running process in {@code group}, as a task the container forked. */
    public int startTask(Path group) {
        int pid = startProcess();
        appendLine(group.resolve("cgroup.procs"), Integer.toString(pid));
        return pid;
    }

    /** The process ignores SIGKILL, as one stuck in the kernel seems to: its group cannot be removed. */
    public void unkillable(int pid) {
        unkillable.add(pid);
    }

    /** The process exits with {@code code}. */
    public void exit(int pid, int code) {
        end(pid, (code & 0xff) << 8);
    }

    /** The raw wait status of a process that ended (9: killed by SIGKILL), or null while it runs. */
    public Integer waitStatus(int pid) {
        return processes.get(pid).getNow(null);
    }

    /** Sets a control file as the kernel would after the container ran, such as memory.peak. */
    public void kernelSets(Path file, String value) {
        file(file, value);
    }

    /** The groups created since the last spawn: the fake helper places the container's process in these. */
    public List<Path> newGroups() {
        synchronized (newGroups) {
            return List.copyOf(newGroups);
        }
    }

    // ---- descriptors

    @Override
    public int[] pipe() {
        fail("pipe");
        int read = fd();
        int write = fd();
        readEnds.put(write, read);
        record("pipe " + read + " " + write);
        return new int[] {read, write};
    }

    @Override
    public int memfd(String name, byte[] data) {
        fail("memfd_create");
        int fd = fd();
        contents.put(fd, data.clone());
        record("memfd " + name + " " + fd);
        return fd;
    }

    @Override
    public BoundedRead readUntil(int fd, int maxBytes, long deadline) {
        if (!open.contains(fd)) {
            throw new LastErrorException(EBADF);
        }
        byte[] data = contents.getOrDefault(fd, new byte[0]);
        if (stalledReads.contains(fd)) {
            record("read " + fd + " stalled until the deadline");
            return new BoundedRead(data, false);
        }
        return data.length > maxBytes
                ? new BoundedRead(Arrays.copyOf(data, maxBytes + 1), false)
                : new BoundedRead(data, true);
    }

    @Override
    public void close(int fd) {
        record(open.remove(fd) ? "close " + fd : "close " + fd + " (not open)");
    }

    @Override
    public InputStream input(int fd) {
        Runnable close = closeOnce(fd);
        return new ByteArrayInputStream(contents.getOrDefault(fd, new byte[0])) {
            @Override
            public void close() {
                close.run();
            }
        };
    }

    @Override
    public OutputStream output(int fd) {
        Runnable close = closeOnce(fd);
        return new ByteArrayOutputStream() {
            @Override
            public void close() {
                close.run();
            }
        };
    }

    /** Closes the descriptor at the first call only, as a stream that owns it does. */
    private Runnable closeOnce(int fd) {
        java.util.concurrent.atomic.AtomicBoolean closed = new java.util.concurrent.atomic.AtomicBoolean();
        return () -> {
            if (closed.compareAndSet(false, true)) {
                close(fd);
            }
        };
    }

    // ---- processes

    @Override
    public int spawn(Path program, String argv0, List<Redirect> redirects, int closeFrom) {
        fail("spawn");
        record("spawn " + argv0);
        Map<Integer, Integer> at = new LinkedHashMap<>();
        redirects.forEach(r -> at.put(r.target(), r.source()));
        HelperRun run = helper.run(this, contents.getOrDefault(at.getOrDefault(3, -1), new byte[0]));
        newGroups.clear();
        Integer status = readEnds.get(at.getOrDefault(4, -1));
        if (status != null) {
            contents.put(status, run.report());
            if (stallStatus) {
                stalledReads.add(status);
            }
        }
        Integer stdout = readEnds.get(at.getOrDefault(1, -1));
        if (stdout != null) {
            contents.put(stdout, run.stdout());
        }
        int pid = startProcess();
        exit(pid, run.exitCode());
        return pid;
    }

    /** Starts a process in each group created since the last spawn, as the helper places the container. */
    public int startInNewGroups() {
        int pid = startProcess();
        for (Path group : newGroups()) {
            appendLine(group.resolve("cgroup.procs"), Integer.toString(pid));
        }
        return pid;
    }

    @Override
    public int waitpid(int pid) {
        CompletableFuture<Integer> process = processes.get(pid);
        if (process == null) {
            throw new LastErrorException(10); // ECHILD
        }
        try {
            int status = process.get(20, TimeUnit.SECONDS);
            record("waitpid " + pid);
            return status;
        } catch (Exception e) {
            throw new IllegalStateException("fake process " + pid + " did not end", e);
        }
    }

    @Override
    public boolean isOwnChild(int pid) {
        return processes.containsKey(pid);
    }

    /** The helper's status pipe stays open past every deadline, as when a process in the container stopped the helper's child. */
    public FakeHost stallStatus() {
        stallStatus = true;
        return this;
    }

    @Override
    public void kill(int pid, int signal) {
        record("kill " + pid + " " + signal);
        signal(pid, signal);
    }

    @Override
    public int pidfdOpen(int pid) {
        fail("pidfd_open");
        int fd = fd();
        pidfds.put(fd, pid);
        record("pidfd_open " + pid + " " + fd);
        return fd;
    }

    @Override
    public void setns(int fd, int nstype) {
        record("setns " + fd + " " + nstype);
    }

    @Override
    public void pidfdSendSignal(int pidfd, int signal) {
        record("pidfd_send_signal " + pidfd + " " + signal);
        signal(pidfds.get(pidfd), signal);
    }

    private void signal(Integer pid, int signal) {
        CompletableFuture<Integer> process = pid == null ? null : processes.get(pid);
        if (process == null || process.isDone()) {
            throw new LastErrorException(ESRCH);
        }
        if (signal == SIGKILL && !unkillable.contains(pid)) {
            end(pid, SIGKILL);
        }
    }

    private void end(int pid, int waitStatus) {
        try (Stream<Path> files = Files.walk(cgroupfs())) {
            for (Path procs : files.filter(f -> f.getFileName().toString().equals("cgroup.procs"))
                    .toList()) {
                List<String> left = new ArrayList<>(Files.readAllLines(procs));
                if (left.remove(Integer.toString(pid))) {
                    Files.write(procs, left);
                }
            }
        } catch (NoSuchFileException e) {
            // no cgroupfs
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        processes.get(pid).complete(waitStatus);
    }

    @Override
    public int geteuid() {
        return euid;
    }

    @Override
    public boolean inForegroundOfTerminal() {
        return false;
    }

    /** No terminal: a unit test's stdin is not one it made. */
    @Override
    public Optional<io.barco.sys.Terminal.Device> stdinTerminal() {
        return Optional.empty();
    }

    @Override
    public void takeForegroundBack() {
        record("tcsetpgrp");
    }

    // ---- files

    @Override
    public Path proc() {
        return proc;
    }

    @Override
    public String read(Path file) throws IOException {
        return Files.readString(file);
    }

    @Override
    public void write(Path file, String value) throws IOException {
        String name = file.getFileName().toString();
        if (!Files.isRegularFile(file)) {
            throw new NoSuchFileException(file.toString());
        }
        record("write " + rel(file) + " " + value);
        String refused = failingWrites.get(name);
        if (refused != null) {
            throw new FileSystemException(file.toString(), null, refused);
        }
        switch (name) {
            case "cgroup.procs" -> appendLine(file, value);
            case "cgroup.kill" -> {
                for (String pid : Files.readAllLines(file.resolveSibling("cgroup.procs"))) {
                    signal(Integer.parseInt(pid.trim()), SIGKILL);
                }
            }
            case "cgroup.subtree_control" -> {
                Set<String> enabled = new LinkedHashSet<>(
                        List.of(Files.readString(file).trim().split("\\s+")));
                enabled.remove("");
                enabled.add(value.substring(1));
                Files.writeString(file, String.join(" ", enabled) + "\n");
            }
            default -> Files.writeString(file, value);
        }
    }

    @Override
    public void mkdir(Path dir) throws IOException {
        if (Files.exists(dir)) {
            throw new FileAlreadyExistsException(dir.toString());
        }
        if (!Files.isDirectory(dir.getParent())) {
            throw new NoSuchFileException(dir.toString());
        }
        record("mkdir " + rel(dir));
        fill(dir);
        if (dir.getFileName().toString().matches("barco-\\d+-\\d+-\\d+")) {
            newGroups.add(dir);
        }
    }

    @Override
    public void rmdir(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString());
        }
        try (Stream<Path> entries = Files.list(dir)) {
            List<Path> all = entries.toList();
            Path procs = dir.resolve("cgroup.procs");
            if (all.stream().anyMatch(Files::isDirectory)
                    || (Files.exists(procs) && !Files.readString(procs).isBlank())) {
                record("rmdir " + rel(dir) + " (busy)");
                throw new FileSystemException(dir.toString(), null, "Device or resource busy");
            }
            record("rmdir " + rel(dir));
            for (Path file : all) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }

    // ---- the system

    @Override
    public String osName() {
        record("uname");
        return osName;
    }

    @Override
    public String osVersion() {
        return osVersion;
    }

    /** Each look at the clock is a second later: timeouts of the code under test pass in a few calls. */
    @Override
    public long nanoTime() {
        return clock.addAndGet(1_000_000_000L);
    }

    // ---- the fake kernel

    /** Makes a directory, and, in a cgroup hierarchy, the files the kernel puts in a new group. */
    private void fill(Path dir) throws IOException {
        Files.createDirectories(dir);
        Path mount =
                mounts.keySet().stream().filter(dir::startsWith).findFirst().orElse(null);
        if (mount == null) {
            return;
        }
        file(dir.resolve("cgroup.procs"), "");
        Set<String> controllers = mounts.get(mount);
        if (controllers.isEmpty()) { // v2: what the parent enabled for its children
            String enabled = Files.readString(dir.getParent().resolve("cgroup.subtree_control"))
                    .trim();
            file(dir.resolve("cgroup.controllers"), enabled + "\n");
            file(dir.resolve("cgroup.subtree_control"), "\n");
            file(dir.resolve("cgroup.kill"), "");
            for (String controller : enabled.isEmpty() ? new String[0] : enabled.split("\\s+")) {
                V2_FILES.getOrDefault(controller, Map.of()).forEach((name, value) -> file(dir.resolve(name), value));
            }
        } else {
            file(dir.resolve("tasks"), "");
            for (String controller : controllers) {
                V1_FILES.getOrDefault(controller, Map.of()).forEach((name, value) -> {
                    if (swapAccounting || !name.startsWith("memory.memsw")) {
                        file(dir.resolve(name), value);
                    }
                });
            }
        }
    }

    private void file(Path file, String content) {
        try {
            if (content == null) {
                Files.deleteIfExists(file);
                return;
            }
            Files.createDirectories(file.getParent());
            Files.writeString(file, content);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void appendLine(Path file, String line) {
        try {
            String text = Files.readString(file);
            Files.writeString(file, text + line.trim() + "\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private int fd() {
        int fd = nextFd.incrementAndGet();
        open.add(fd);
        return fd;
    }

    private void fail(String call) {
        Integer errno = failingCalls.remove(call);
        if (errno != null) {
            record(call + " fails " + errno);
            throw new LastErrorException(errno);
        }
    }

    private void record(String call) {
        calls.add(call);
    }

    private String rel(Path path) {
        return root.relativize(path).toString();
    }
}
