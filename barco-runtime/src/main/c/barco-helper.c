/*
 * barco-helper: applies a launch plan between fork and exec.
 *
 * The JVM is multithreaded, so no Java code may run in a forked child. Java
 * computes the whole plan (namespaces, id maps, mounts, capabilities, the
 * compiled seccomp program, argv and envp) and hands it over on fd 3. This
 * program holds no policy: it executes the plan's steps in order and, when a
 * step fails, reports the step's index, errno and, for a step that makes several
 * calls, the call that failed on fd 4 so that Java can name the failure. It
 * depends on libc only.
 *
 * The wire contract (op codes, magic, descriptors, status record) is defined
 * once, in Java: the build generates barco-wire.h from it. --echo-plan decodes
 * a plan and prints what it read instead of applying it, for the round-trip test.
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
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <linux/filter.h>
#include <linux/mount.h>
#include <linux/seccomp.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
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

#include "barco-wire.h"

#define MAX_TREES 64

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

struct str {
    uint32_t len; /* bytes, including the terminating NUL Java appends */
    char *ptr;    /* NULL when len == 0 */
};

struct step {
    uint32_t code;
    uint64_t a, b;
    struct str s[BARCO_STEP_STRINGS];
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
static char failed_call[BARCO_STATUS_CALL_SIZE]; /* the call that failed within a step, or "" */

/*
 * Name the call that failed, crun's way ("umount2 . (MNT_DETACH)"), for a step that makes several:
 * the status record carries it to Java. Keeps errno; returns -1 for the step to return.
 */
__attribute__((format(printf, 1, 2))) static int failed(const char *format, ...) {
    int saved = errno;
    va_list args;
    va_start(args, format);
    int n = vsnprintf(failed_call, sizeof failed_call, format, args);
    va_end(args);
    if (n < 0) { /* an encoding error in an argument: the format alone still names the call */
        size_t len = strnlen(format, sizeof failed_call - 1);
        memcpy(failed_call, format, len);
        failed_call[len] = '\0';
    } else if ((size_t)n >= sizeof failed_call) {
        memcpy(failed_call + sizeof failed_call - 4, "...", 4);
    }
    errno = saved;
    return -1;
}

/* Formats into a fixed buffer; a text that does not fit is an error, never a shorter path. */
__attribute__((format(printf, 3, 4))) static int pathf(char *buf, size_t size, const char *fmt, ...) {
    va_list args;
    va_start(args, fmt);
    int n = vsnprintf(buf, size, fmt, args);
    va_end(args);
    if (n < 0 || (size_t)n >= size) {
        errno = ENAMETOOLONG;
        return -1;
    }
    return n;
}

/* One write(2) of at most PIPE_BUF bytes: the parent's and the child's records never interleave. */
static int report(int32_t kind, int32_t step, int32_t err, int32_t value) {
    struct barco_status s = {.kind = kind, .step = step, .err = err, .value = value};
    if (kind == STATUS_ERROR)
        memcpy(s.call, failed_call, sizeof s.call);
    ssize_t n;
    do {
        n = write(BARCO_STATUS_FD, &s, sizeof s);
    } while (n < 0 && errno == EINTR);
    return n == (ssize_t)sizeof s ? 0 : -1;
}

/*
 * Report the failure and leave. If the report cannot be written, Java sees the exit status without
 * a report and says so; if the kill fails the child is gone already, and Java kills the pid it was
 * told about in any case.
 */
static _Noreturn void fail(int32_t index, int err) {
    (void)report(STATUS_ERROR, index < 0 ? index : (int32_t)step_base + index, err, 0);
    if (child_pid > 0)
        (void)kill(child_pid, SIGKILL);
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
        return failed("malloc %zu bytes for the plan", cap);
    for (;;) {
        if (plan_len == cap) {
            cap *= 2;
            char *bigger = realloc(plan, cap);
            if (!bigger)
                return failed("realloc %zu bytes for the plan", cap);
            plan = bigger;
        }
        ssize_t n = read(fd, plan + plan_len, cap - plan_len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return failed("read the plan from fd %d", fd);
        if (n == 0)
            break;
        plan_len += (size_t)n;
    }
    if (close(fd) < 0)
        return failed("close the plan's fd %d", fd);
    return 0;
}

/* A plan that does not parse: errno EPROTO, and the call names what is wrong with it. */
#define malformed(...) (errno = EPROTO, failed(__VA_ARGS__))

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
    if (take(&magic, sizeof magic) < 0)
        return malformed("plan of %zu bytes has no magic", plan_len);
    if (magic != BARCO_PLAN_MAGIC)
        return malformed("plan magic 0x%08x is not 0x%08x", magic, BARCO_PLAN_MAGIC);
    if (take(&step_count, sizeof step_count) < 0 || step_count > 100000)
        return malformed("plan has no step count or more than 100000 steps");
    steps = calloc(step_count, sizeof *steps);
    if (!steps)
        return failed("calloc %u steps", step_count);
    for (uint32_t i = 0; i < step_count; i++) {
        struct step *st = &steps[i];
        if (take(&st->code, 4) < 0 || take(&st->a, 8) < 0 || take(&st->b, 8) < 0)
            return malformed("plan ends in step %u's numbers", i);
        for (int k = 0; k < BARCO_STEP_STRINGS; k++)
            if (take_str(&st->s[k]) < 0)
                return malformed("step %u's string %d overruns the plan or lacks its NUL", i, k);
    }
    if (plan_pos != plan_len)
        return malformed("plan has %zu bytes after its %u steps", plan_len - plan_pos, step_count);
    return 0;
}

/* A packed list is N NUL-terminated strings back to back; NULL when s holds fewer. */
static char **unpack(const struct str *s, uint64_t n) {
    char **v = calloc(n + 1, sizeof *v);
    if (!v)
        return NULL;
    char *p = s->ptr, *end = s->ptr + s->len;
    for (uint64_t i = 0; i < n; i++) {
        if (!p || p >= end) {
            free(v);
            errno = EPROTO;
            return NULL;
        }
        v[i] = p;
        p += strlen(p) + 1;
    }
    return v;
}

/* ---- steps ------------------------------------------------------------
 *
 * A step returns 0, or -1 with errno set. A step that makes several calls
 * names the one that failed with failed(); a step whose description in the
 * plan is its one call (mkdir, mount, symlink...) needs no name.
 */

static int sys_open_tree(int dfd, const char *path, unsigned flags) {
    return (int)syscall(SYS_open_tree, dfd, path, flags);
}

static int sys_mount_setattr(int dfd, const char *path, unsigned flags, struct mount_attr *attr) {
    return (int)syscall(SYS_mount_setattr, dfd, path, flags, attr, sizeof *attr);
}

/* Close a descriptor on a path that fails already: the first error is the one to report. */
static void close_keeping_errno(int fd) {
    int saved = errno;
    (void)close(fd);
    errno = saved;
}

static int do_open_tree(const struct step *st) {
    if (tree_count == MAX_TREES) {
        errno = EMFILE;
        return failed("open_tree: more than %d trees", MAX_TREES);
    }
    unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (st->a ? AT_RECURSIVE : 0);
    int fd = sys_open_tree(AT_FDCWD, st->s[0].ptr, flags);
    if (fd < 0)
        return failed("open_tree %s", st->s[0].ptr);
    /*
     * Always private, whatever else is set: a clone of a shared mount (systemd makes / shared) joins
     * the host mount's peer group, so every mount the container made on it would appear on the host,
     * and pivot_root refuses a shared parent. Private, nothing propagates either way.
     */
    struct mount_attr attr = {.attr_set = st->b, .propagation = MS_PRIVATE};
    if (sys_mount_setattr(fd, "", AT_EMPTY_PATH | (st->a ? AT_RECURSIVE : 0), &attr) < 0) {
        failed("mount_setattr %s (0x%" PRIx64 ", MS_PRIVATE)", st->s[0].ptr, st->b);
        close_keeping_errno(fd);
        return -1;
    }
    trees[tree_count++] = fd;
    return 0;
}

static int do_clone(const struct step *st) {
    if (pipe2(sync_fds, O_CLOEXEC) < 0)
        return failed("pipe2");
    /* Raw clone without CLONE_VM behaves like fork: the child runs on a copy of this stack. */
    long pid = syscall(SYS_clone, (unsigned long)st->a | CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, 0);
    if (pid < 0)
        return failed("clone");
    child_pid = (pid_t)pid;
    if (pid > 0) {
        /* Java must learn the pid, or it could neither wait for the container nor kill it. */
        if (report(STATUS_PID, 0, 0, (int32_t)pid) < 0)
            return failed("write the container's pid on fd %d", BARCO_STATUS_FD);
        close_keeping_errno(sync_fds[0]); /* the child's end: the child holds its own copy */
    } else if (close(sync_fds[1]) < 0) {
        /* Holding the parent's end, the child would wait forever for a parent that died. */
        return failed("close the sync pipe's write end");
    }
    return 0;
}

/* Writes data in one write(2), as the kernel's control files (uid_map, cgroup.procs) require. */
static int write_file(const char *path, int flags, mode_t mode, const char *data, size_t len) {
    int fd = open(path, O_WRONLY | O_CLOEXEC | flags, mode);
    if (fd < 0)
        return failed("open %s", path);
    ssize_t n = write(fd, data, len);
    if (n != (ssize_t)len) {
        if (n >= 0)
            errno = EIO;
        failed("write %s", path);
        close_keeping_errno(fd);
        return -1;
    }
    /* A file system may report a failed write only on close. */
    if (close(fd) < 0)
        return failed("close %s", path);
    return 0;
}

static int write_all(const char *path, const char *data, size_t len) {
    return write_file(path, 0, 0, data, len);
}

static int do_write_proc(const struct step *st) {
    char path[64];
    if (pathf(path, sizeof path, "/proc/%d/%s", (int)child_pid, st->s[0].ptr) < 0)
        return failed("/proc/%d/%s: path too long", (int)child_pid, st->s[0].ptr);
    return write_all(path, st->s[1].ptr, st->s[1].len - 1);
}

static int do_write_pid(const struct step *st) {
    char pid[16];
    int n = pathf(pid, sizeof pid, "%d", (int)child_pid);
    if (n < 0)
        return failed("format pid %d", (int)child_pid);
    return write_all(st->s[0].ptr, pid, (size_t)n);
}

/* Writes "0 ID 1" to /proc/PID/{uid,gid}_map of the holder. */
/* The map line of the holder's user namespace: the given one, or "0 ID 1" (id 0 only). */
static int write_map(long pid, const char *which, unsigned id, const char *line) {
    char path[64], map[64];
    int n = line ? (int)strlen(line) : pathf(map, sizeof map, "0 %u 1\n", id);
    if (n < 0 || pathf(path, sizeof path, "/proc/%ld/%s", pid, which) < 0)
        return failed("format %s of %ld", which, pid);
    return write_all(path, line ? line : map, (size_t)n);
}

/* Opens the holder's user namespace once it maps id 0 to the host's uid and gid (or the lines given). */
static int open_mapped_userns(long pid, uid_t host_uid, gid_t host_gid, const char *uid_line, const char *gid_line) {
    if (write_map(pid, "uid_map", (unsigned)host_uid, uid_line) < 0
        || write_map(pid, "gid_map", (unsigned)host_gid, gid_line) < 0)
        return -1;
    char path[64];
    if (pathf(path, sizeof path, "/proc/%ld/ns/user", pid) < 0)
        return failed("format /proc/%ld/ns/user", pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    return fd < 0 ? failed("open %s", path) : fd;
}

static const char *opt(const struct str *s) { return s->len ? s->ptr : NULL; }

/*
 * A user namespace that maps only id 0, to host uid and gid, or as the map lines given: its holder
 * waits until we close its pipe.
 */
static int mapping_userns(uid_t host_uid, gid_t host_gid, const char *uid_line, const char *gid_line) {
    int hold[2];
    if (pipe2(hold, O_CLOEXEC) < 0)
        return failed("idmap holder: pipe2");
    long pid = syscall(SYS_clone, (unsigned long)CLONE_NEWUSER | SIGCHLD, NULL, NULL, NULL, 0);
    if (pid < 0) {
        failed("idmap holder: clone(CLONE_NEWUSER)");
        close_keeping_errno(hold[0]);
        close_keeping_errno(hold[1]);
        return -1;
    }
    if (pid == 0) {
        char c;
        /* Whatever read returns, EOF or an error, the holder's work is done. */
        (void)close(hold[1]);
        (void)!read(hold[0], &c, 1);
        _exit(0);
    }
    (void)close(hold[0]); /* the holder's end: closing our copy cannot fail in a way that matters */
    int fd = open_mapped_userns(pid, host_uid, host_gid, uid_line, gid_line);
    int saved = errno;
    /* The holder exits on EOF: close its pipe, then reap it, or a zombie outlives the step. */
    if (close(hold[1]) < 0 && fd >= 0) {
        failed("idmap holder: close its pipe");
        close_keeping_errno(fd);
        return -1;
    }
    pid_t reaped;
    do {
        reaped = waitpid((pid_t)pid, NULL, 0);
    } while (reaped < 0 && errno == EINTR);
    if (reaped < 0 && fd >= 0) {
        failed("idmap holder: waitpid %ld", pid);
        close_keeping_errno(fd);
        return -1;
    }
    errno = saved;
    return fd;
}

/*
 * Make tree a (taken by OPEN_TREE) an idmapped mount in which what the host's root owns belongs to
 * the container's user (host uid: the high 32 bits of b, gid: the low 32): it may then enter
 * directories only root could. With map lines (strings 1 and 2, for uids and gids), the tree's ids
 * map as those lines say instead.
 */
static int do_idmap_tree(const struct step *st) {
    uint64_t tree = st->a;
    if (tree >= (uint64_t)tree_count) {
        errno = EBADF;
        return failed("tree %" PRIu64 " was not opened", tree);
    }
    int userns = mapping_userns((uid_t)(st->b >> 32), (gid_t)(st->b & 0xffffffffu), opt(&st->s[0]), opt(&st->s[1]));
    if (userns < 0)
        return -1;
    struct mount_attr attr = {.attr_set = MOUNT_ATTR_IDMAP, .userns_fd = (uint64_t)userns};
    int rc = sys_mount_setattr(trees[tree], "", AT_EMPTY_PATH | AT_RECURSIVE, &attr);
    if (rc < 0)
        failed("mount_setattr MOUNT_ATTR_IDMAP");
    close_keeping_errno(userns);
    return rc;
}

/* Parent: let the child go on and leave. Child: wait for the parent's word. */
static int do_release(void) {
    if (child_pid > 0) {
        char go = 1;
        ssize_t n;
        do {
            n = write(sync_fds[1], &go, 1);
        } while (n < 0 && errno == EINTR);
        if (n != 1)
            return failed("write the sync pipe");
        _exit(0);
    }
    char go;
    ssize_t n;
    do {
        n = read(sync_fds[0], &go, 1);
    } while (n < 0 && errno == EINTR);
    if (n != 1)
        _exit(125); /* the helper died before releasing us: it has reported why */
    close_keeping_errno(sync_fds[0]); /* close-on-exec in any case */
    released = 1;
    return 0;
}

static int do_mount(const struct step *st) {
    return mount(opt(&st->s[0]), st->s[1].ptr, opt(&st->s[2]), (unsigned long)st->a, opt(&st->s[3]));
}

/* Detach whatever is mounted on a path, with its submounts; nothing mounted there is no failure. */
static int do_detach(const struct step *st) {
    if (umount2(st->s[0].ptr, MNT_DETACH) == 0 || errno == EINVAL || errno == ENOENT)
        return 0;
    return -1;
}

/*
 * b = 0: a file of barco's own (on its tmpfs), never through a link. b = 1: a file of the container's
 * root, written after pivot_root (a link resolves inside the container), when its directory exists.
 */
static int do_write_file(const struct step *st) {
    size_t len = st->s[1].len ? st->s[1].len - 1 : 0;
    if (st->b == 1) {
        char dir[PATH_MAX];
        const char *slash = strrchr(st->s[0].ptr, '/');
        size_t n = slash && slash != st->s[0].ptr ? (size_t)(slash - st->s[0].ptr) : 1;
        if (n >= sizeof dir) {
            errno = ENAMETOOLONG;
            return failed("directory of %s", st->s[0].ptr);
        }
        memcpy(dir, st->s[0].ptr, n);
        dir[n] = '\0';
        if (access(dir, F_OK) < 0)
            return errno == ENOENT || errno == ENOTDIR ? 0 : failed("access %s", dir);
        return write_file(st->s[0].ptr, O_CREAT | O_TRUNC, (mode_t)st->a, st->s[1].ptr, len);
    }
    return write_file(st->s[0].ptr, O_CREAT | O_TRUNC | O_NOFOLLOW, (mode_t)st->a, st->s[1].ptr, len);
}

/* Bind a file over another when the target exists: a rootfs without it keeps going without it. */
static int do_bind_if_exists(const struct step *st) {
    const char *target = st->s[1].ptr;
    if (access(target, F_OK) < 0)
        return errno == ENOENT ? 0 : failed("access %s", target);
    if (mount(st->s[0].ptr, target, NULL, MS_BIND, NULL) < 0)
        return failed("mount --bind %s %s", st->s[0].ptr, target);
    if (mount(NULL, target, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV, NULL) < 0)
        return failed("remount %s read-only", target);
    return 0;
}

static int do_attach_tree(const struct step *st) {
    if (st->a >= (uint64_t)tree_count) {
        errno = EBADF;
        return failed("tree %" PRIu64 " was not opened", st->a);
    }
    return (int)syscall(SYS_move_mount, trees[st->a], "", AT_FDCWD, st->s[0].ptr,
                        MOVE_MOUNT_F_EMPTY_PATH);
}

static int do_mkdir(const struct step *st) {
    if (mkdir(st->s[0].ptr, (mode_t)st->a) == 0 || errno == EEXIST)
        return 0;
    return -1;
}

/* Create an empty file to mount on; one that exists already (or cannot be opened but exists) will do. */
static int do_mkfile(const struct step *st) {
    const char *path = st->s[0].ptr;
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, (mode_t)st->a);
    if (fd >= 0)
        return close(fd) < 0 ? failed("close %s", path) : 0;
    if (errno == EEXIST || errno == EISDIR)
        return 0;
    int saved = errno;
    struct stat sb;
    if (stat(path, &sb) == 0)
        return 0;
    errno = saved; /* why it could not be created, not that it does not exist */
    return failed("open %s", path);
}

/*
 * Bind a character device after checking, on the very file that gets mounted,
 * that it is the device we expect: a symlink or a regular file planted in its
 * place must not be bound over /proc paths (CVE-2025-31133).
 */
static int bind_verified_device(const char *source, uint64_t rdev, const char *target) {
    int fd = open(source, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0)
        return failed("open %s", source);
    struct stat sb;
    if (fstat(fd, &sb) < 0) {
        failed("fstat %s", source);
        close_keeping_errno(fd);
        return -1;
    }
    if (!S_ISCHR(sb.st_mode) || sb.st_rdev != (dev_t)rdev) {
        errno = ENODEV;
        failed("%s is not character device %u:%u", source, major((dev_t)rdev), minor((dev_t)rdev));
        close_keeping_errno(fd);
        return -1;
    }
    char via[32];
    int rc = pathf(via, sizeof via, "/proc/self/fd/%d", fd);
    if (rc < 0)
        failed("format /proc/self/fd/%d", fd);
    else if ((rc = mount(via, target, NULL, MS_BIND, NULL)) < 0)
        failed("mount --bind %s %s", source, target);
    close_keeping_errno(fd); /* an O_PATH descriptor: nothing to flush */
    return rc < 0 ? -1 : 0;
}

static int do_bind_device(const struct step *st) {
    return bind_verified_device(st->s[0].ptr, st->b, st->s[1].ptr);
}

/* Hide a path: an empty read-only tmpfs over a directory, the null device over a file. */
static int do_mask(const struct step *st) {
    const char *path = st->s[0].ptr;
    struct stat sb;
    if (lstat(path, &sb) < 0)
        return errno == ENOENT ? 0 : failed("lstat %s", path);
    if (!S_ISDIR(sb.st_mode))
        return bind_verified_device(st->s[1].ptr, st->b, path);
    if (mount("tmpfs", path, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC, "size=0,mode=0555") < 0)
        return failed("mount tmpfs on %s", path);
    return 0;
}

/* Re-mount a path read-only, keeping the flags a user namespace may not clear. */
static int do_read_only(const struct step *st) {
    const char *path = st->s[0].ptr;
    if (mount(path, path, NULL, MS_BIND | MS_REC, NULL) < 0)
        return errno == ENOENT ? 0 : failed("mount --rbind %s %s", path, path);
    struct statvfs vfs;
    if (statvfs(path, &vfs) < 0)
        return failed("statvfs %s", path);
    unsigned long keep = 0;
    if (vfs.f_flag & ST_NOSUID)
        keep |= MS_NOSUID;
    if (vfs.f_flag & ST_NODEV)
        keep |= MS_NODEV;
    if (vfs.f_flag & ST_NOEXEC)
        keep |= MS_NOEXEC;
    if (mount(NULL, path, NULL, MS_BIND | MS_REMOUNT | MS_RDONLY | keep, NULL) < 0)
        return failed("remount %s read-only", path);
    return 0;
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
        return failed("socket(AF_INET, SOCK_DGRAM)");
    struct ifreq ifr;
    memset(&ifr, 0, sizeof ifr);
    strncpy(ifr.ifr_name, "lo", IFNAMSIZ - 1);
    int rc = ioctl(sock, SIOCGIFFLAGS, &ifr);
    if (rc < 0) {
        failed("ioctl(lo, SIOCGIFFLAGS)");
    } else {
        ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
        if ((rc = ioctl(sock, SIOCSIFFLAGS, &ifr)) < 0)
            failed("ioctl(lo, SIOCSIFFLAGS)");
    }
    close_keeping_errno(sock); /* a socket that sent nothing */
    return rc < 0 ? -1 : 0;
}

/* pivot_root(".", ".") stacks the old root on the new one; detaching it leaves only the new root. */
static int do_pivot_root(const struct step *st) {
    if (chdir(st->s[0].ptr) < 0)
        return failed("chdir %s", st->s[0].ptr);
    if (syscall(SYS_pivot_root, ".", ".") < 0)
        return failed("pivot_root . .");
    if (umount2(".", MNT_DETACH) < 0)
        return failed("umount2 . (MNT_DETACH)");
    if (chdir("/") < 0)
        return failed("chdir /");
    return 0;
}

/* The working directory must resolve inside the new root (CVE-2024-21626). */
static int do_chdir(const struct step *st) {
    if (chdir(st->s[0].ptr) < 0)
        return -1; /* the step is this call: its description names it */
    char cwd[4096];
    if (!getcwd(cwd, sizeof cwd))
        return failed("getcwd");
    if (cwd[0] != '/') {
        errno = EXDEV;
        return failed("getcwd: %s is outside the new root", cwd);
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
            return failed("prctl(PR_CAPBSET_DROP, %d)", cap);
    }
    return 0;
}

static int do_set_ids(const struct step *st) {
    uid_t uid = (uid_t)st->a;
    gid_t gid = (gid_t)st->b;
    if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
        return failed("prctl(PR_SET_KEEPCAPS, 1)");
    if (setgroups(0, NULL) < 0)
        return failed("setgroups(0)");
    if (setresgid(gid, gid, gid) < 0)
        return failed("setresgid(%u)", (unsigned)gid);
    if (setresuid(uid, uid, uid) < 0)
        return failed("setresuid(%u)", (unsigned)uid);
    if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
        return failed("prctl(PR_SET_KEEPCAPS, 0)");
    return 0;
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
        return failed("capset");
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0)
        return failed("prctl(PR_CAP_AMBIENT_CLEAR_ALL)");
    return 0;
}

/*
 * Take the terminal's foreground like a shell's job: keyboard signals then reach the container
 * alone, and an interactive shell inside finds its own group in the foreground when it exits.
 */
static int do_foreground(void) {
    if (setpgid(0, 0) < 0)
        return failed("setpgid(0, 0)");
    struct sigaction ignore = {.sa_handler = SIG_IGN}, old;
    if (sigemptyset(&ignore.sa_mask) < 0 || sigaction(SIGTTOU, &ignore, &old) < 0)
        return failed("sigaction(SIGTTOU, SIG_IGN)"); /* we are a background group until tcsetpgrp succeeds */
    if (tcsetpgrp(STDIN_FILENO, getpgrp()) < 0) {
        failed("tcsetpgrp(0)");
        int saved = errno;
        (void)sigaction(SIGTTOU, &old, NULL); /* the step fails and the process exits in any case */
        errno = saved;
        return -1;
    }
    /* SIGTTOU ignored would survive exec: the container must start with its default. */
    if (sigaction(SIGTTOU, &old, NULL) < 0)
        return failed("sigaction(SIGTTOU) back to its default");
    return 0;
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
        return failed("a seccomp program of %zu bytes is no whole number of instructions", bytes);
    }
    struct sock_fprog fprog = {
        .len = (unsigned short)(bytes / sizeof(struct sock_filter)),
        .filter = (struct sock_filter *)prog->ptr,
    };
    if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0)
        return failed("prctl(PR_SET_SECCOMP)");
    return 0;
}

/*
 * Search PATH (given by the plan, not ours) the way execvp does, inside the new root. The errno
 * is execve's, which Java turns into "not found" or "not executable": no call to name there.
 */
static int do_exec(const struct step *st) {
    const char *file = st->s[0].ptr;
    char **argv = unpack(&st->s[1], st->a);
    if (!argv)
        return failed("unpack %" PRIu64 " arguments", st->a);
    char **envp = unpack(&st->s[2], st->b);
    if (!envp)
        return failed("unpack %" PRIu64 " environment variables", st->b);
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
        /* an empty PATH entry means the working directory; an entry too long to hold is skipped, as execvp does */
        int n = dlen == 0 ? pathf(path, sizeof path, "%s", file)
                          : pathf(path, sizeof path, "%.*s/%s", (int)dlen, dir, file);
        if (n >= 0) {
            execve(path, argv, envp);
            if (errno == EACCES)
                seen_eacces = 1;
            else if (errno != ENOENT && errno != ENOTDIR)
                return -1;
        }
        if (*end == '\0')
            break;
        dir = end + 1;
    }
    errno = seen_eacces ? EACCES : ENOENT;
    return -1;
}

/* No default case: -Wswitch (in -Wall) makes an op the header defines without a handler an error. */
/* A pidfd of our parent, the launching JVM: INIT ends when it becomes readable (the JVM is gone). */
static int do_watch_launcher(void) {
    launcher_fd = (int)syscall(SYS_pidfd_open, getppid(), 0);
    return launcher_fd < 0 ? failed("pidfd_open(%d)", (int)getppid()) : 0;
}

/*
 * Join a running container's namespaces through a pidfd, as nsenter does: all in one setns(2), so
 * the kernel checks the other namespaces with the credentials of the joined user namespace. The
 * pid namespace applies to the children: CLONE comes after.
 */
static int do_setns(const struct step *st) {
    if (syscall(SYS_setns, (int)st->a, (int)st->b) < 0)
        return failed("setns(fd %d, 0x%" PRIx64 ")", (int)st->a, st->b);
    return close((int)st->a) < 0 ? failed("close fd %d", (int)st->a) : 0;
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
        return failed("sigprocmask(SIG_BLOCK, all)");
    int sfd = signalfd(-1, &all, SFD_CLOEXEC);
    if (sfd < 0)
        return failed("signalfd");
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
            (void)kill(-1, (int)si.ssi_signo); /* every process of the namespace but us */
        }
    }
}

static int run_step(const struct step *st) {
    switch ((enum barco_op)st->code) {
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
    case OP_NEXT_PLAN: break; /* the main loop's: it replaces the plan */
    }
    errno = ENOSYS;
    return failed("op %u is not one the helper knows", st->code);
}

/* ---- the round-trip test's mode ---------------------------------------- */

/* A string as data: "-" when absent, else "x" and the hex of its bytes without the trailing NUL. */
static void echo_str(const struct str *s) {
    if (!s->len) {
        fputs(" -", stdout);
        return;
    }
    fputs(" x", stdout);
    for (uint32_t i = 0; i + 1 < s->len; i++)
        printf("%02x", (unsigned char)s->ptr[i]);
}

/*
 * Print the plan as decoded, one line per step: the op's name (or "?" and its code), a, b and the
 * strings; then report a PID record (our pid) and an ERROR record naming the step count, so the
 * status record's layout is checked as well. Nothing of the plan is applied.
 */
static int echo_plan(void) {
    printf("steps %u\n", step_count);
    for (uint32_t i = 0; i < step_count; i++) {
        const struct step *st = &steps[i];
        const char *name = barco_op_name(st->code);
        if (name)
            printf("%s", name);
        else
            printf("?%u", st->code);
        printf(" %" PRIu64 " %" PRIu64, st->a, st->b);
        for (int k = 0; k < BARCO_STEP_STRINGS; k++)
            echo_str(&st->s[k]);
        putchar('\n');
    }
    /* stdio's error indicator sticks: this checks every printf above */
    if (fflush(stdout) == EOF || ferror(stdout)) {
        perror("barco-helper: --echo-plan: write stdout");
        return 6;
    }
    errno = ECANCELED;
    failed("echo-plan: applied none of %u steps", step_count);
    if (report(STATUS_PID, 0, 0, (int32_t)getpid()) < 0 || report(STATUS_ERROR, (int32_t)step_count, ECANCELED, 0) < 0) {
        perror("barco-helper: --echo-plan: write the status records");
        return 6;
    }
    return 0;
}

/*
 * posix_spawn children inherit ignored signals (glibc leaves 32 and 33 ignored)
 * and the caller's mask; SIG_IGN would survive exec, so start from defaults.
 * The raw syscall reaches the signals glibc's sigaction refuses.
 */
static int reset_signals(void) {
    struct {
        void *handler;
        unsigned long flags;
        void *restorer;
        uint64_t mask;
    } dfl = {SIG_DFL, 0, NULL, 0};
    for (int sig = 1; sig <= 64; sig++)
        if (sig != SIGKILL && sig != SIGSTOP && syscall(SYS_rt_sigaction, sig, &dfl, NULL, sizeof(uint64_t)) < 0)
            return failed("rt_sigaction(%d, SIG_DFL)", sig);
    sigset_t none;
    if (sigemptyset(&none) < 0 || sigprocmask(SIG_SETMASK, &none, NULL) < 0)
        return failed("sigprocmask(SIG_SETMASK, {})");
    return 0;
}

int main(int argc, char **argv) {
    int echo = argc == 2 && strcmp(argv[1], "--echo-plan") == 0;
    if (argc > 1 && !echo) {
        fprintf(stderr, "barco-helper: not for direct use; the barco runtime starts it with a plan on fd %d\n",
                BARCO_PLAN_FD);
        return 2;
    }
    if (fcntl(BARCO_STATUS_FD, F_SETFD, FD_CLOEXEC) < 0)
        return 3; /* no status descriptor to report on: Java sees the exit status alone */
    /*
     * Not dumpable until execve, in every process this plan makes (fork keeps it; execve resets it):
     * an exec's child joins a container whose root may hold CAP_SYS_PTRACE over its user namespace,
     * and a dumpable child would let it ptrace, pidfd_getfd or process_vm_writev this process while it
     * still holds the status pipe and runs as the host's root (runc's nsexec does the same). The
     * kernel then asks for CAP_SYS_PTRACE in the host's user namespace, which no container has.
     */
    if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0) {
        failed("prctl(PR_SET_DUMPABLE, 0)");
        fail(-1, errno);
    }
    /* Step -1: the helper's own setup, before any step of the plan. */
    if (reset_signals() < 0)
        fail(-1, errno);
    if (read_plan(BARCO_PLAN_FD) < 0 || parse_plan() < 0)
        fail(-1, errno);
    if (echo)
        return echo_plan();
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
            if (read_plan((int)st->a) < 0)
                fail((int32_t)i, errno);
            if (plan_len == 0)
                _exit(0);
            if (parse_plan() < 0)
                fail(-1, errno);
            step_base += done;
            i = (uint32_t)-1;
            continue;
        }
        int parents_step = cloned && st->code != OP_RELEASE;
        if (child_pid == 0 && parents_step && !released)
            continue;
        failed_call[0] = '\0';
        if (run_step(st) < 0)
            fail((int32_t)i, errno);
        if (st->code == OP_CLONE)
            cloned = 1;
    }
    /* A well-formed plan ends in EXEC or INIT, which return only on failure. */
    errno = ENOEXEC;
    failed("the plan does not end in EXEC or INIT");
    fail((int32_t)step_count, ENOEXEC);
}
