/*
 * barco-client: the launch service's client (barco serve; bin/barco-java's fast path). It only moves
 * bytes and descriptors: it sends its argv (the barco CLI's own), its environment and working
 * directory, with its descriptors 0, 1 and 2 for the container's stdio, forwards SIGTERM, SIGINT and
 * SIGHUP as kill messages, and exits with the status the service sends back. Every decision is the
 * service's, in Java. The records are barco-wire.h's, generated from io.barco.service.ServiceWire.
 *
 *   barco-client SOCKET ARG...
 *
 * Run as `java` (bin/barco-java --jdk links a JDK directory's bin/java to it once it is built, and
 * barco-mvn gives that java to Surefire), it is a build's fork: with the build's launch service
 * ($BARCO_SERVICE, a socket) it records the fork's directory in $BARCO_FORK_LOG and asks the
 * service for `java-fork BARCO-JAVA ARG...`, without a shell or any other process before it;
 * without one it execs bin/barco-java, which runs the barco CLI. BARCO-JAVA is the checkout's
 * bin/barco-java, found from this program's own place in it (barco-runtime/target/barco-client).
 *
 * Exit status: the service's (the CLI's: the program's own, 128+N for signal N, 125 barco failed);
 * 125 with one line on stderr, naming the call and errno, when the service cannot be reached or
 * the connection breaks.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "barco-wire.h"

extern char **environ;

static void die(const char *fmt, ...) {
    char line[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    dprintf(2, "barco-client: %s\n", line);
    _exit(BARCO_SERVICE_FAILED);
}

static void send_all(int fd, const void *data, size_t size) {
    const char *p = data;
    while (size > 0) {
        ssize_t n = send(fd, p, size, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("send to the service: %s (errno %d)", strerror(errno), errno);
        }
        p += n;
        size -= (size_t) n;
    }
}

/* Reads exactly size bytes; 0 when the service closed the connection first. */
static int read_all(int fd, void *data, size_t size) {
    char *p = data;
    while (size > 0) {
        ssize_t n = read(fd, p, size);
        if (n < 0) {
            if (errno == EINTR) continue;
            die("read from the service: %s (errno %d)", strerror(errno), errno);
        }
        if (n == 0) return 0;
        p += n;
        size -= (size_t) n;
    }
    return 1;
}

/* The checkout's bin/barco-java: this program is its barco-runtime/target/barco-client. */
static char *barco_java(void) {
    static char path[4096];
    ssize_t n = readlink("/proc/self/exe", path, sizeof path - 32);
    if (n < 0) die("readlink /proc/self/exe: %s (errno %d)", strerror(errno), errno);
    path[n] = '\0';
    for (int up = 0; up < 3; up++) {
        char *slash = strrchr(path, '/');
        if (slash == NULL || slash == path) die("%s is not in a barco checkout's barco-runtime/target", path);
        *slash = '\0';
    }
    strcat(path, "/bin/barco-java");
    if (access(path, X_OK) < 0) die("%s: %s (errno %d): is this client in a barco checkout?", path, strerror(errno), errno);
    return path;
}

/* As a build's java: the argv of `barco-client SOCKET java-fork BARCO-JAVA ARG...`, or exec barco-java. */
static char **as_java(int argc, char **argv) {
    char *self = barco_java();
    const char *service = getenv("BARCO_SERVICE");
    struct stat socket_stat;
    if (service == NULL || *service == '\0' || stat(service, &socket_stat) < 0 || !S_ISSOCK(socket_stat.st_mode)) {
        argv[0] = self; /* no service: the shell script, which runs the CLI and records the fork itself */
        execv(self, argv);
        die("execv %s: %s (errno %d)", self, strerror(errno), errno);
    }
    const char *fork_log = getenv("BARCO_FORK_LOG");
    if (fork_log != NULL && *fork_log != '\0') {
        /* best effort, as barco-java's own record: barco-mvn then says which module had no fork */
        char *cwd = getcwd(NULL, 0);
        int log = open(fork_log, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
        if (cwd != NULL && log >= 0) dprintf(log, "%s\n", cwd);
        if (log >= 0) close(log);
        free(cwd);
    }
    char **forked = calloc((size_t) argc + 4, sizeof *forked);
    if (forked == NULL) die("calloc: %s (errno %d)", strerror(errno), errno);
    forked[0] = argv[0];
    forked[1] = (char *) service;
    forked[2] = "java-fork";
    forked[3] = self;
    for (int i = 1; i < argc; i++) forked[3 + i] = argv[i];
    return forked;
}

int main(int argc, char **argv) {
    const char *name = strrchr(argv[0], '/');
    if (strcmp(name != NULL ? name + 1 : argv[0], "java") == 0) {
        argv = as_java(argc, argv);
        argc += 3;
    }
    if (argc < 3) die("usage: barco-client SOCKET ARG... (the barco CLI's arguments)");

    /* a closed stdio descriptor cannot be sent: /dev/null in its place, as a shell would give */
    for (int fd = 0; fd < 3; fd++) {
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0) die("open /dev/null: %s (errno %d)", strerror(errno), errno);
    }

    /* signals for the container, from now on: none is lost between here and the service's launch */
    sigset_t forwarded;
    sigemptyset(&forwarded);
    sigaddset(&forwarded, SIGTERM);
    sigaddset(&forwarded, SIGINT);
    sigaddset(&forwarded, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &forwarded, NULL) < 0) die("sigprocmask: %s (errno %d)", strerror(errno), errno);
    int sfd = signalfd(-1, &forwarded, SFD_CLOEXEC);
    if (sfd < 0) die("signalfd: %s (errno %d)", strerror(errno), errno);

    struct sockaddr_un address = {.sun_family = AF_UNIX};
    if (strlen(argv[1]) >= sizeof address.sun_path) die("socket path %s is too long", argv[1]);
    strcpy(address.sun_path, argv[1]);
    int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (sock < 0) die("socket: %s (errno %d)", strerror(errno), errno);
    if (connect(sock, (struct sockaddr *) &address, sizeof address) < 0)
        die("connect %s: %s (errno %d): is the build's barco serve running?", argv[1], strerror(errno), errno);

    char *cwd = getcwd(NULL, 0);
    if (cwd == NULL) die("getcwd: %s (errno %d)", strerror(errno), errno);
    size_t envc = 0, length = strlen(cwd) + 1;
    size_t args = (size_t) argc - 2;
    for (size_t i = 0; i < args; i++) length += strlen(argv[2 + i]) + 1;
    for (; environ[envc] != NULL; envc++) length += strlen(environ[envc]) + 1;
    if (args > BARCO_SERVICE_MAX_ARGS || envc > BARCO_SERVICE_MAX_ENV || length > BARCO_SERVICE_MAX_LENGTH)
        die("%zu arguments, %zu environment entries, %zu bytes: more than the service takes (%d, %d, %d)", args, envc, length,
            BARCO_SERVICE_MAX_ARGS, BARCO_SERVICE_MAX_ENV, BARCO_SERVICE_MAX_LENGTH);
    char *payload = malloc(length), *p = payload;
    if (payload == NULL) die("malloc %zu: %s (errno %d)", length, strerror(errno), errno);
    p = stpcpy(p, cwd) + 1;
    for (size_t i = 0; i < args; i++) p = stpcpy(p, argv[2 + i]) + 1;
    for (size_t i = 0; i < envc; i++) p = stpcpy(p, environ[i]) + 1;

    struct barco_request request = {BARCO_SERVICE_MAGIC, (uint32_t) args, (uint32_t) envc, (uint32_t) length};
    struct iovec iov = {.iov_base = &request, .iov_len = sizeof request};
    union {
        char buf[CMSG_SPACE(sizeof(int) * BARCO_SERVICE_FDS)];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf};
    struct cmsghdr *cmsg = CMSG_FIRSTHDR(&msg);
    cmsg->cmsg_level = SOL_SOCKET;
    cmsg->cmsg_type = SCM_RIGHTS;
    cmsg->cmsg_len = CMSG_LEN(sizeof(int) * BARCO_SERVICE_FDS);
    int stdio[BARCO_SERVICE_FDS] = {0, 1, 2};
    memcpy(CMSG_DATA(cmsg), stdio, sizeof stdio);
    for (;;) {
        ssize_t n = sendmsg(sock, &msg, MSG_NOSIGNAL);
        if (n == (ssize_t) sizeof request) break;
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) die("sendmsg to the service: %s (errno %d)", strerror(errno), errno);
        die("sendmsg to the service: sent %zd of %zu bytes", n, sizeof request);
    }
    send_all(sock, payload, length);

    struct pollfd fds[2] = {{.fd = sock, .events = POLLIN}, {.fd = sfd, .events = POLLIN}};
    for (;;) {
        if (poll(fds, 2, -1) < 0) {
            if (errno == EINTR) continue;
            die("poll: %s (errno %d)", strerror(errno), errno);
        }
        if (fds[1].revents & POLLIN) {
            struct signalfd_siginfo info;
            if (read(sfd, &info, sizeof info) == (ssize_t) sizeof info) {
                struct barco_message kill = {BARCO_SERVICE_MAGIC, BARCO_MSG_KILL, (int32_t) info.ssi_signo, 0};
                send_all(sock, &kill, sizeof kill);
            }
        }
        if (fds[0].revents & (POLLIN | POLLHUP | POLLERR)) {
            struct barco_message reply;
            if (!read_all(sock, &reply, sizeof reply))
                die("the service closed the connection without an exit status (did barco serve end?)");
            if (reply.magic != BARCO_SERVICE_MAGIC || reply.kind != BARCO_MSG_EXIT || reply.length > BARCO_SERVICE_MAX_MESSAGE)
                die("the service sent what is no exit status (magic 0x%08x, kind %u)", reply.magic, reply.kind);
            if (reply.length > 0) {
                char text[BARCO_SERVICE_MAX_MESSAGE + 1];
                if (!read_all(sock, text, reply.length)) die("the service closed the connection in its message");
                text[reply.length] = '\0';
                dprintf(2, "%s\n", text);
            }
            return reply.value & 0xff;
        }
    }
}
