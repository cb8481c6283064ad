package io.barco.spec;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A command to run in a running container: {@code ExecSpec.of("curl", "-s", "http://127.0.0.1:8000/")}.
 * What it does not say comes from the container's spec: the ids, the environment (to which {@link
 * Builder#env} adds) and the working directory; capabilities and the seccomp filter always do, and
 * an exec keeps the capabilities only as uid 0, as the container's own command. By default its
 * stdout and stderr are pipes and its stdin is /dev/null, as for a launch.
 */
public final class ExecSpec {
    private final String command;
    private final List<String> args;
    private final Map<String, String> env;
    private final String workdir;
    private final Long uid;
    private final Long gid;
    private final Stdio stdin;
    private final Stdio stdout;
    private final Stdio stderr;
    private final Duration timeout;

    private ExecSpec(Builder b) {
        this.command = b.command;
        this.args = List.copyOf(b.args);
        this.env = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.env));
        this.workdir = b.workdir;
        this.uid = b.uid;
        this.gid = b.gid;
        this.stdin = b.stdin;
        this.stdout = b.stdout;
        this.stderr = b.stderr;
        this.timeout = b.timeout;
    }

    /** The command and its arguments, as argv: {@code of("sh", "-c", "echo hi")}. */
    public static ExecSpec of(String... argv) {
        if (argv.length == 0) {
            throw new InvalidSpecException("no command given to run in the container");
        }
        return builder(argv[0]).args(List.of(argv).subList(1, argv.length)).build();
    }

    public static Builder builder(String command) {
        return new Builder(command);
    }

    /**
     * The container's spec with this command's own command, arguments, environment, working directory,
     * ids, stdio and timeout.
     *
     * @throws InvalidSpecException when the container's id mapping lacks this command's uid or gid
     */
    public ContainerSpec applyTo(ContainerSpec container) {
        ContainerSpec.Builder b = container.toBuilder()
                .command(command)
                .argv0(command)
                .args(args)
                .stdin(stdin)
                .stdout(stdout)
                .stderr(stderr)
                .timeout(timeout);
        env.forEach(b::env);
        if (workdir != null) {
            b.workdir(workdir);
        }
        if (uid != null) {
            b.uid(uid).gid(uid); // as for the container: the uid is the gid too, unless a gid is given
        }
        if (gid != null) {
            b.gid(gid);
        }
        return b.build();
    }

    public String command() {
        return command;
    }

    public List<String> args() {
        return args;
    }

    @Override
    public String toString() {
        return "ExecSpec[" + command + (args.isEmpty() ? "" : " " + String.join(" ", args)) + "]";
    }

    /** A fluent builder; every setter returns the builder. */
    public static final class Builder {
        private final String command;
        private List<String> args = new ArrayList<>();
        private final Map<String, String> env = new LinkedHashMap<>();
        private String workdir;
        private Long uid;
        private Long gid;
        private Stdio stdin = Stdio.DISCARD;
        private Stdio stdout = Stdio.PIPE;
        private Stdio stderr = Stdio.PIPE;
        private Duration timeout;

        private Builder(String command) {
            this.command = Objects.requireNonNull(command, "command");
        }

        public Builder args(String... args) {
            return args(List.of(args));
        }

        public Builder args(List<String> args) {
            this.args = new ArrayList<>(args);
            return this;
        }

        /** Sets a variable over the container's environment. */
        public Builder env(String name, String value) {
            env.put(Objects.requireNonNull(name), Objects.requireNonNull(value));
            return this;
        }

        public Builder workdir(String workdir) {
            this.workdir = workdir;
            return this;
        }

        /** The uid inside the container, instead of the container's; also the gid unless {@link #gid} is set. */
        public Builder uid(long uid) {
            this.uid = uid;
            return this;
        }

        /** The gid inside the container, instead of the container's (or this command's uid). */
        public Builder gid(long gid) {
            this.gid = gid;
            return this;
        }

        public Builder stdin(Stdio stdin) {
            this.stdin = Objects.requireNonNull(stdin);
            return this;
        }

        public Builder stdout(Stdio stdout) {
            this.stdout = Objects.requireNonNull(stdout);
            return this;
        }

        public Builder stderr(Stdio stderr) {
            this.stderr = Objects.requireNonNull(stderr);
            return this;
        }

        public Builder stdio(Stdio stdio) {
            return stdin(stdio).stdout(stdio).stderr(stdio);
        }

        /** Kill the command (and what it started) when it runs longer than this. */
        public Builder timeout(Duration timeout) {
            this.timeout = timeout;
            return this;
        }

        /**
         * @throws InvalidSpecException for what no container could run: an environment variable name
         *     that is empty or holds '=', a working directory that is not absolute
         */
        public ExecSpec build() {
            // checked here, before a container is reached; the ids need the container's mapping (applyTo)
            ContainerSpec.checkEnv(env);
            if (workdir != null) {
                ContainerSpec.checkWorkdir(workdir);
            }
            return new ExecSpec(this);
        }
    }
}
