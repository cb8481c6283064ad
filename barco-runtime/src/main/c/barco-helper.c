/*
 * barco-helper: applies a launch plan between fork and exec.
 *
 * The JVM is multithreaded, so no Java code may run in a forked child. Java
 * computes the whole plan (namespaces, id maps, mounts, capabilities, the
 * compiled seccomp program, argv and envp) and hands it over on fd 3. This
 * program holds no policy: it executes the plan's steps in order and, when a
 * step fails, reports the step's index and errno on fd 4 so that Java can name
 * the failure. It depends on libc only.
 *
 * One plan runs in two processes. Steps before CLONE run in the helper. CLONE
 * creates the container's first process as a sibling of the helper
 * (CLONE_PARENT), so the JVM is its parent and reaps it directly; the helper
 * runs the parent-side steps (id maps), then RELEASE lets the child go on and
 * the helper exits. The child waits at RELEASE, then runs the remaining steps
 * and ends in EXEC.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/mount.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define PLAN_FD 3
#define STATUS_FD 4
#define JOIN_FD 5 /* a pidfd of the running container an exec joins, when the plan has SETNS */
#define PLAN_MAGIC 0x31435242u /* "BRC1" */
#define MAX_TREES 64

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* Keep in sync with io.barco.plan.Op. */
enum op {
    OP_OPEN_TREE = 1,
    OP_CLONE = 2,
    OP_WRITE_PROC = 3,
    OP_RELEASE = 4,
    OP_WRITE_PID = 5,
    OP_UNSHARE = 6,
    OP_IDMAP_TREE = 7,
    OP_DETACH = 8,
    OP_WRITE_FILE = 9,
    OP_BIND_IF_EXISTS = 31,
    OP_MOUNT = 10,
    OP_ATTACH_TREE = 11,
    OP_MKDIR = 12,
    OP_MKFILE = 13,
    OP_BIND_DEVICE = 14,
    OP_MASK = 15,
    OP_READ_ONLY = 16,
    OP_SYMLINK = 17,
    OP_SETHOSTNAME = 18,
    OP_LOOPBACK_UP = 19,
    OP_PIVOT_ROOT = 20,
    OP_CHDIR = 21,
    OP_SETSID = 22,
    OP_DROP_BOUNDING = 23,
    OP_SET_IDS = 24,
    OP_SET_CAPS = 25,
    OP_NO_NEW_PRIVS = 26,
    OP_CLOSE_FDS = 27,
    OP_SECCOMP = 28,
    OP_EXEC = 29,
    OP_FOREGROUND = 30,
    OP_WATCH_LAUNCHER = 32,
    OP_INIT = 33,
    OP_SETNS = 34,
    OP_NEXT_PLAN = 35,
};

/* Keep in sync with io.barco.launch.StatusRecord. */
enum status_kind { STATUS_PID = 1, STATUS_ERROR = 2 };

struct status {
    int32_t kind;
    int32_t step;
    int32_t err;
    int32_t value;
};

struct str {
    uint32_t len; /* bytes, including the terminating NUL Java appends */
    char *ptr;    /* NULL when len == 0 */
};

struct step {
    uint32_t code;
    uint64_t a, b;
    struct str s[4];
};

static struct step *steps;
static uint32_t step_count;
static int trees[MAX_TREES];
static int tree_count;
static pid_t child_pid; /* 0 in the child */
static int sync_fds[2] = {-1, -1};
static int released;   /* child: past RELEASE */
static int launcher_fd = -1; /* a pidfd of the JVM that launched us, from WATCH_LAUNCHER */
static uint32_t step_base;   /* steps of earlier plans (NEXT_PLAN): reports count from the first */

static void report(int32_t kind, int32_t step, int32_t err, int32_t value) {
    struct status s = {kind, step, err, value};
    ssize_t n;
    do {
        n = write(STATUS_FD, &s, sizeof s);
    } while (n < 0 && errno == EINTR);
}

static _Noreturn void fail(uint32_t index, int err) {
    report(STATUS_ERROR, (int32_t)(step_base + index), err, 0);
    if (child_pid > 0)
        kill(child_pid, SIGKILL);
    _exit(child_pid == 0 ? 125 : 1);
}

/* ---- plan parsing ---------------------------------------------------- */

static char *plan;
static size_t plan_len, plan_pos;

static int read_plan(int fd) {
    size_t cap = 1 << 16;
    plan_len = plan_pos = 0;
    plan = malloc(cap);
    if (!plan)
        return -1;
    for (;;) {
        if (plan_len == cap) {
            cap *= 2;
            char *bigger = realloc(plan, cap);
            if (!bigger)
                return -1;
            plan = bigger;
        }
        ssize_t n = read(fd, plan + plan_len, cap - plan_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        plan_len += (size_t)n;
    }
    close(fd);
    return 0;
}

static int take(void *out, size_t n) {
    if (plan_len - plan_pos < n)
        return -1;
    memcpy(out, plan + plan_pos, n);
    plan_pos += n;
    return 0;
}

static int take_str(struct str *s) {
    if (take(&s->len, sizeof s->len) < 0 || plan_len - plan_pos < s->len)
        return -1;
    s->ptr = s->len ? plan + plan_pos : NULL;
    if (s->len && s->ptr[s->len - 1] != '\0')
        return -1;
    plan_pos += s->len;
    return 0;
}

static int parse_plan(void) {
    uint32_t magic;
    if (take(&magic, sizeof magic) < 0 || magic != PLAN_MAGIC)
        return -1;
    if (take(&step_count, sizeof step_count) < 0 || step_count > 100000)
        return -1;
    steps = calloc(step_count, sizeof *steps);
    if (!steps)
        return -1;
    for (uint32_t i = 0; i < step_count; i++) {
        struct step *st = &steps[i];
        if (take(&st->code, 4) < 0 || take(&st->a, 8) < 0 || take(&st->b, 8) < 0)
            return -1;
        for (int k = 0; k < 4; k++)
            if (take_str(&st->s[k]) < 0)
                return -1;
    }
    return plan_pos == plan_len ? 0 : -1;
}

/* A packed list is N NUL-terminated strings back to back. */
static char **unpack(const struct str *s, uint64_t n) {
    char **v = calloc(n + 1, sizeof *v);
    if (!v)
        return NULL;
    char *p = s->ptr;
    for (uint64_t i = 0; i < n; i++) {
        v[i] = p;
        p += strlen(p) + 1;
    }
    return v;
}

/* ---- steps ----------------------------------------------------------- */

static int sys_open_tree(int dfd, const char *path, unsigned flags) {
    return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static int sys_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *attr) {
    return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, sizeof *attr);
}

static int do_open_tree(const struct step *st) {
    if (tree_count == MAX_TREES) {
        errno = EMFILE;
        return -1;
    }
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (st->a ? AT_RECURSIVE : 0);
    int fd = sys_open_tree(AT_FDCWD, st->s[0].ptr, flags);
    if (fd < 0)
        return -1;
    if (st->b) {
        struct mount_attr attr = {.attr_set = st->b};
        if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | (st->a ? AT_RECURSIVE : 0), &attr) < 0)
            return -1;
    }
    trees[tree_count++] = fd;
    return 0;
}

static int do_clone(const struct step *st) {
    if (pipe2(sync_fds, O_CLOEXEC) < 0)
        return -1;
    /* Raw clone without CLONE_VM behaves like fork: the child runs on a copy of this stack. */
    long pid = syscall(SYS_clone, (unsigned long)st->a | CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, 0);
    if (pid < 0)
        return -1;
    child_pid = (pid_t)pid;
    if (pid > 0) {
        close(sync_fds[0]);
        report(STATUS_PID, 0, 0, (int32_t)pid);
    } else {
        close(sync_fds[1]);
    }
    return 0;
}

/* Writes data in one write(2), as the kernel's control files (uid_map, cgroup.procs) require. */
static int write_file(const char *path, int flags, mode_t mode, const char *data, size_t len) {
    int fd = open(path, O_WRONLY | O_CLOEXEC | flags, mode);
    if (fd < 0)
        return -1;
    ssize_t n = write(fd, data, len);
    int saved = errno;
    close(fd);
    if (n != (ssize_t)len) {
        errno = n < 0 ? saved : EIO;
        return -1;
    }
    return 0;
}

static int write_all(const char *path, const char *data, size_t len) {
    return write_file(path, 0, 0, data, len);
}

static int do_write_proc(const struct step *st) {
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/%s", (int)child_pid, st->s[0].ptr);
    return write_all(path, st->s[1].ptr, st->s[1].len - 1);
}

static int do_write_pid(const struct step *st) {
    char pid[16];
    int n = snprintf(pid, sizeof pid, "%d", (int)child_pid);
    return write_all(st->s[0].ptr, pid, (size_t)n);
}

/* A user namespace that maps only id 0, to host uid and gid: its holder waits until killed. */
static int mapping_userns(uid_t host_uid, gid_t host_gid) {
    int hold[2];
    if (pipe2(hold, O_CLOEXEC) < 0)
        return -1;
    long pid = syscall(SYS_clone, (unsigned long)CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
    if (pid < 0)
        return -1;
    if (pid == 0) {
        char c;
        close(hold[1]);
        (void)!read(hold[0], &c, 1);
        _exit(0);
    }
    close(hold[0]);
    char path[64], map[64];
    int fd = -1;
    snprintf(map, sizeof map, "0 %u 1\n", (unsigned)host_uid);
    snprintf(path, sizeof path, "/proc/%ld/uid_map", pid);
    if (write_all(path, map, strlen(map)) == 0) {
        snprintf(map, sizeof map, "0 %u 1\n", (unsigned)host_gid);
        snprintf(path, sizeof path, "/proc/%ld/gid_map", pid);
        if (write_all(path, map, strlen(map)) == 0) {
            snprintf(path, sizeof path, "/proc/%ld/ns/user", pid);
            fd = open(path, O_RDONLY | O_CLOEXEC);
        }
    }
    int saved = errno;
    close(hold[1]); /* the holder exits */
    waitpid((pid_t)pid, NULL, 0);
    errno = saved;
    return fd;
}

/*
 * Make a tree taken by OPEN_TREE an idmapped mount in which what the host's root owns belongs to
 * the container's user (host uid a, gid b): it may then enter directories only root could.
 */
static int do_idmap_tree(const struct step *st) {
    uint64_t tree = st->a;
    if (tree >= (uint64_t)tree_count) {
        errno = EBADF;
        return -1;
    }
    int userns = mapping_userns((uid_t)(st->b >> 32), (gid_t)(st->b & 0xffffffffu));
    if (userns < 0)
        return -1;
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
    int rc = sys_mount_setattr(trees[tree], "", AT_EMPTY_PATH | AT_RECURSIVE, &attr);
    int saved = errno;
    close(userns);
    errno = saved;
    return rc;
}

/* Parent: let the child go on and leave. Child: wait for the parent's word. */
static int do_release(void) {
    if (child_pid > 0) {
        char go = 1;
        if (write(sync_fds[1], &go, 1) != 1)
            return -1;
        _exit(0);
    }
    char go;
    ssize_t n;
    do {
        n = read(sync_fds[0], &go, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1)
        _exit(125); /* the helper died before releasing us: it has reported why */
    close(sync_fds[0]);
    released = 1;
    return 0;
}

static const char *opt(const struct str *s) { return s->len ? s->ptr : NULL; }

static int do_mount(const struct step *st) {
    return mount(opt(&st->s[0]), st->s[1].ptr, opt(&st->s[2]), (unsigned long)st->a, opt(&st->s[3]));
}

/* Detach whatever is mounted on a path, with its submounts; nothing mounted there is no failure. */
static int do_detach(const struct step *st) {
    if (umount2(st->s[0].ptr, MNT_DETACH) == 0 || errno == EINVAL || errno == ENOENT)
        return 0;
    return -1;
}

static int do_write_file(const struct step *st) {
    size_t len = st->s[1].len ? st->s[1].len - 1 : 0;
    return write_file(st->s[0].ptr, O_CREAT | O_TRUNC | O_NOFOLLOW, (mode_t)st->a, st->s[1].ptr, len);
}

/* Bind a file over another when the target exists: a rootfs without it keeps going without it. */
static int do_bind_if_exists(const struct step *st) {
    if (access(st->s[1].ptr, F_OK) < 0)
        return errno == ENOENT ? 0 : -1;
    if (mount(st->s[0].ptr, st->s[1].ptr, NULL, MS_BIND, NULL) < 0)
        return -1;
    return mount(NULL, st->s[1].ptr, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL);
}

static int do_attach_tree(const struct step *st) {
    if (st->a >= (uint64_t)tree_count) {
        errno = EBADF;
        return -1;
    }
    return (int)syscall(SYS_move_mount, trees[st->a], "", AT_FDCWD, st->s[0].ptr,
                        MOVE_MOUNT_F_EMPTY_PATH);
}

static int do_mkdir(const struct step *st) {
    if (mkdir(st->s[0].ptr, (mode_t)st->a) == 0 || errno == EEXIST)
        return 0;
    return -1;
}

static int do_mkfile(const struct step *st) {
    int fd = open(st->s[0].ptr, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, (mode_t)st->a);
    if (fd >= 0)
        return close(fd);
    if (errno == EEXIST || errno == EISDIR)
        return 0;
    struct stat sb;
    return stat(st->s[0].ptr, &sb) == 0 ? 0 : -1;
}

/*
 * Bind a character device after checking, on the very file that gets mounted,
 * that it is the device we expect: a symlink or a regular file planted in its
 * place must not be bound over /proc paths (CVE-2025-31133).
 */
static int bind_verified_device(const char *source, uint64_t rdev, const char *target) {
    int fd = open(source, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return -1;
    struct stat sb;
    if (fstat(fd, &sb) < 0 || !S_ISCHR(sb.st_mode) || sb.st_rdev != (dev_t)rdev) {
        close(fd);
        errno = ENODEV;
        return -1;
    }
    char via[32];
    snprintf(via, sizeof via, "/proc/self/fd/%d", fd);
    int rc = mount(via, target, NULL, MS_BIND, NULL);
    int saved = errno;
    close(fd);
    errno = saved;
    return rc;
}

static int do_bind_device(const struct step *st) {
    return bind_verified_device(st->s[0].ptr, st->b, st->s[1].ptr);
}

/* Hide a path: an empty read-only tmpfs over a directory, the null device over a file. */
static int do_mask(const struct step *st) {
    struct stat sb;
    if (lstat(st->s[0].ptr, &sb) < 0)
        return errno == ENOENT ? 0 : -1;
    if (S_ISDIR(sb.st_mode))
        return mount("tmpfs", st->s[0].ptr, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                     "size=0,mode=0555");
    return bind_verified_device(st->s[1].ptr, st->b, st->s[0].ptr);
}

/* Re-mount a path read-only, keeping the flags a user namespace may not clear. */
static int do_read_only(const struct step *st) {
    const char *path = st->s[0].ptr;
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
        return errno == ENOENT ? 0 : -1;
    struct statvfs vfs;
    if (statvfs(path, &vfs) < 0)
        return -1;
    unsigned long keep = 0;
    if (vfs.f_flag & ST_NOSUID)
        keep |= MS_NOSUID;
    if (vfs.f_flag & ST_NODEV)
        keep |= MS_NODEV;
    if (vfs.f_flag & ST_NOEXEC)
        keep |= MS_NOEXEC;
    return mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL);
}

static int do_symlink(const struct step *st) {
    if (symlink(st->s[0].ptr, st->s[1].ptr) == 0 || errno == EEXIST)
        return 0;
    return -1;
}

static int do_sethostname(const struct step *st) {
    return sethostname(st->s[0].ptr, st->s[0].len - 1);
}

/* In a new network namespace the kernel gives lo its addresses once it is up. */
static int do_loopback_up(void) {
    int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (sock < 0)
        return -1;
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    int rc = ioctl(sock, SIOCGIFFLAGS, &ifr);
    if (rc == 0) {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        rc = ioctl(sock, SIOCSIFFLAGS, &ifr);
    }
    int saved = errno;
    close(sock);
    errno = saved;
    return rc;
}

/* pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only the new root. */
static int do_pivot_root(const struct step *st) {
    if (chdir(st->s[0].ptr) < 0)
        return -1;
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return -1;
    if (umount2(".", MNT_DETACH) < 0)
        return -1;
    return chdir("/");
}

/* The working directory must resolve inside the new root (CVE-2024-21626). */
static int do_chdir(const struct step *st) {
    if (chdir(st->s[0].ptr) < 0)
        return -1;
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return -1;
    if (cwd[0] != '/') {
        errno = EXDEV;
        return -1;
    }
    return 0;
}

static int do_drop_bounding(const struct step *st) {
    uint64_t keep = st->a;
    int last = (int)st->b;
    for (int cap = 0; cap <= last; cap++) {
        if (keep & (1ULL << cap))
            continue;
        if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) < 0 && errno != EINVAL)
            return -1;
    }
    return 0;
}

static int do_set_ids(const struct step *st) {
    uid_t uid = (uid_t)st->a;
    gid_t gid = (gid_t)st->b;
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return -1;
    if (setgroups(0, NULL) < 0 || setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
        return -1;
    return prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0);
}

static int do_set_caps(const struct step *st) {
    uint64_t keep = st->a;
    struct __user_cap_header_struct hdr = {_LINUX_CAPABILITY_VERSION_3, 0};
    struct __user_cap_data_struct data[2];
    memset(data, 0, sizeof data);
    for (int i = 0; i < 2; i++) {
        uint32_t word = (uint32_t)(keep >> (32 * i));
        data[i].effective = data[i].permitted = data[i].inheritable = word;
    }
    if (syscall(SYS_capset, &hdr, data) < 0)
        return -1;
    return prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0);
}

/*
 * Take the terminal's foreground like a shell's job: keyboard signals then reach the container
 * alone, and an interactive shell inside finds its own group in the foreground when it exits.
 */
static int do_foreground(void) {
    if (setpgid(0, 0) < 0)
        return -1;
    struct sigaction ignore = {.sa_handler = SIG_IGN}, old;
    sigemptyset(&ignore.sa_mask);
    sigaction(SIGTTOU, &ignore, &old); /* we are a background group until this succeeds */
    int rc = tcsetpgrp(STDIN_FILENO, getpgrp());
    int saved = errno;
    sigaction(SIGTTOU, &old, NULL);
    errno = saved;
    return rc;
}

/* Mark every descriptor but stdio close-on-exec: nothing of the host survives the exec. */
static int do_close_fds(void) {
    return (int)syscall(SYS_close_range, 3U, ~0U, CLOSE_RANGE_CLOEXEC);
}

static int do_seccomp(const struct step *st) {
    const struct str *prog = &st->s[0];
    size_t bytes = prog->len ? prog->len - 1 : 0; /* Java appends a NUL to every string */
    if (bytes % sizeof(struct sock_filter) != 0 || bytes == 0) {
        errno = EINVAL;
        return -1;
    }
    struct sock_fprog fprog = {
        .len = (unsigned short)(bytes / sizeof(struct sock_filter)),
        .filter = (struct sock_filter *)prog->ptr,
    };
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0);
}

/* Search PATH (given by the plan, not ours) the way execvp does, inside the new root. */
static int do_exec(const struct step *st) {
    const char *file = st->s[0].ptr;
    char **argv = unpack(&st->s[1], st->a);
    char **envp = unpack(&st->s[2], st->b);
    if (!argv || !envp) {
        errno = ENOMEM;
        return -1;
    }
    if (strchr(file, '/') || !st->s[3].len) {
        execve(file, argv, envp);
        return -1;
    }
    int seen_eacces = 0;
    char path[4096];
    const char *dir = st->s[3].ptr;
    for (;;) {
        const char *end = strchrnul(dir, ':');
        size_t dlen = (size_t)(end - dir);
        if (dlen == 0) /* an empty PATH entry means the working directory */
            snprintf(path, sizeof path, "%s", file);
        else
            snprintf(path, sizeof path, "%.*s/%s", (int)dlen, dir, file);
        execve(path, argv, envp);
        if (errno == EACCES)
            seen_eacces = 1;
        else if (errno != ENOENT && errno != ENOTDIR)
            return -1;
        if (*end == '\0')
            break;
        dir = end + 1;
    }
    errno = seen_eacces ? EACCES : ENOENT;
    return -1;
}

/* A pidfd of our parent, the launching JVM: INIT ends when it becomes readable (the JVM is gone). */
static int do_watch_launcher(void) {
    launcher_fd = (int)syscall(SYS_pidfd_open, getppid(), 0);
    return launcher_fd < 0 ? -1 : 0;
}

/*
 * Join a running container's namespaces through a pidfd, as nsenter does: all in one setns(2), so
 * the kernel checks the other namespaces with the credentials of the joined user namespace. The
 * pid namespace applies to the children: CLONE comes after.
 */
static int do_setns(const struct step *st) {
    if (syscall(SYS_setns, (int)st->a, (int)st->b) < 0)
        return -1;
    return close((int)st->a);
}

/* Close every descriptor from 3 on but the two kept (-1: none). */
static void close_all_but(int keep1, int keep2) {
    int lo = keep1 < keep2 ? keep1 : keep2, hi = keep1 < keep2 ? keep2 : keep1;
    unsigned from = 3;
    for (int k = 0; k < 2; k++) {
        int keep = k == 0 ? lo : hi;
        if (keep < 3)
            continue;
        if ((unsigned)keep > from)
            syscall(SYS_close_range, from, (unsigned)keep - 1, 0U);
        from = (unsigned)keep + 1;
    }
    syscall(SYS_close_range, from, ~0U, 0U);
}

/*
 * The plan's end for a container that runs until closed: this process stays its PID 1, reaps the
 * orphans the kernel hands it, forwards every signal it gets to all other processes of the
 * container, and exits when the launching JVM is gone (the kernel then kills the whole PID
 * namespace). Closing the status descriptor tells Java the container is ready.
 */
static int do_init(void) {
    sigset_t all;
    sigfillset(&all);
    if (sigprocmask(SIG_BLOCK, &all, NULL) < 0)
        return -1;
    int sfd = signalfd(-1, &all, SFD_CLOEXEC);
    if (sfd < 0)
        return -1;
    close_all_but(sfd, launcher_fd); /* the plan, the status pipe, whatever reached us */
    for (;;) {
        struct pollfd p[2] = {{.fd = sfd, .events = POLLIN}, {.fd = launcher_fd, .events = POLLIN}};
        if (poll(p, launcher_fd >= 0 ? 2 : 1, -1) < 0) {
            if (errno == EINTR)
                continue;
            _exit(1);
        }
        if (launcher_fd >= 0 && p[1].revents)
            _exit(0);
        if (!(p[0].revents & POLLIN))
            continue;
        struct signalfd_siginfo si;
        if (read(sfd, &si, sizeof si) != (ssize_t)sizeof si)
            continue;
        if (si.ssi_signo == SIGCHLD) {
            while (waitpid(-1, NULL, WNOHANG) > 0)
                ;
        } else {
            kill(-1, (int)si.ssi_signo); /* every process of the namespace but us */
        }
    }
}

static int run_step(const struct step *st) {
    switch (st->code) {
    case OP_OPEN_TREE: return do_open_tree(st);
    case OP_CLONE: return do_clone(st);
    case OP_WRITE_PROC: return do_write_proc(st);
    case OP_RELEASE: return do_release();
    case OP_WRITE_PID: return do_write_pid(st);
    case OP_UNSHARE: return unshare((int)st->a);
    case OP_IDMAP_TREE: return do_idmap_tree(st);
    case OP_DETACH: return do_detach(st);
    case OP_WRITE_FILE: return do_write_file(st);
    case OP_BIND_IF_EXISTS: return do_bind_if_exists(st);
    case OP_MOUNT: return do_mount(st);
    case OP_ATTACH_TREE: return do_attach_tree(st);
    case OP_MKDIR: return do_mkdir(st);
    case OP_MKFILE: return do_mkfile(st);
    case OP_BIND_DEVICE: return do_bind_device(st);
    case OP_MASK: return do_mask(st);
    case OP_READ_ONLY: return do_read_only(st);
    case OP_SYMLINK: return do_symlink(st);
    case OP_SETHOSTNAME: return do_sethostname(st);
    case OP_LOOPBACK_UP: return do_loopback_up();
    case OP_PIVOT_ROOT: return do_pivot_root(st);
    case OP_CHDIR: return do_chdir(st);
    case OP_SETSID: return setsid() < 0 ? -1 : 0;
    case OP_DROP_BOUNDING: return do_drop_bounding(st);
    case OP_SET_IDS: return do_set_ids(st);
    case OP_SET_CAPS: return do_set_caps(st);
    case OP_NO_NEW_PRIVS: return prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0);
    case OP_CLOSE_FDS: return do_close_fds();
    case OP_SECCOMP: return do_seccomp(st);
    case OP_EXEC: return do_exec(st);
    case OP_FOREGROUND: return do_foreground();
    case OP_WATCH_LAUNCHER: return do_watch_launcher();
    case OP_INIT: return do_init();
    case OP_SETNS: return do_setns(st);
    default: errno = ENOSYS; return -1;
    }
}

/*
 * posix_spawn children inherit ignored signals (glibc leaves 32 and 33 ignored)
 * and the caller's mask; SIG_IGN would survive exec, so start from defaults.
 * The raw syscall reaches the signals glibc's sigaction refuses.
 */
static void reset_signals(void) {
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        uint64_t mask;
    } dfl = {SIG_DFL, 0, NULL, 0};
    for (int sig = 1; sig <= 64; sig++)
        if (sig != SIGKILL && sig != SIGSTOP)
            syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(uint64_t));
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

int main(int argc, char **argv) {
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "barco-helper: not for direct use; the barco runtime starts it with a plan on fd 3\n");
        return 2;
    }
    reset_signals();
    if (fcntl(STATUS_FD, F_SETFD, FD_CLOEXEC) < 0)
        return 3;
    if (read_plan(PLAN_FD) < 0 || parse_plan() < 0) {
        report(STATUS_ERROR, -1, EPROTO, 0);
        return 4;
    }
    /* CLONE splits the plan: the child skips the parent's steps and waits at RELEASE. */
    int cloned = 0;
    for (uint32_t i = 0; i < step_count; i++) {
        const struct step *st = &steps[i];
        if (st->code == OP_NEXT_PLAN) {
            /*
             * The rest of the plan comes later, on a pipe: a helper made ahead of time runs the first
             * steps (joining a cgroup, whose cost is a wait for the kernel) before its plan exists.
             * End of file without a plan means it is not needed: leave quietly.
             */
            uint32_t done = step_count;
            if (read_plan((int)st->a) < 0 || plan_len == 0)
                _exit(0);
            if (parse_plan() < 0) {
                report(STATUS_ERROR, -1, EPROTO, 0);
                return 4;
            }
            step_base += done;
            i = (uint32_t)-1;
            continue;
        }
        int parents_step = cloned && st->code != OP_RELEASE;
        if (child_pid == 0 && parents_step && !released)
            continue;
        if (run_step(st) < 0)
            fail(i, errno);
        if (st->code == OP_CLONE)
            cloned = 1;
    }
    /* A well-formed plan ends in EXEC or INIT, which return only on failure. */
    report(STATUS_ERROR, (int32_t)step_count, ENOEXEC, 0);
    return 5;
}
