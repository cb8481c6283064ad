package io.barco.sys;

import com.sun.jna.LastErrorException;
import com.sun.jna.Library;
import com.sun.jna.Native;
import com.sun.jna.Pointer;

/**
 * The C library calls the runtime makes from Java. Each throws {@link LastErrorException} carrying
 * errno on failure. Nothing here runs between fork and exec: that is the native helper's job.
 */
public interface LibC extends Library {
    LibC INSTANCE = Native.load("c", LibC.class);

    int O_RDONLY = 0;
    int O_NONBLOCK = 0x800;
    int O_NOFOLLOW = 0x20000;
    int O_CLOEXEC = 0x80000;
    int MFD_CLOEXEC = 1;
    int SEEK_SET = 0;
    int POSIX_SPAWN_SETSIGMASK = 0x08;
    int POSIX_SPAWN_SETSIGDEF = 0x04;

    long SYS_PIDFD_OPEN = 434;
    long SYS_PIDFD_SEND_SIGNAL = 424;
    long SYS_SETNS = 308;

    int pipe2(int[] fds, int flags) throws LastErrorException;

    int memfd_create(String name, int flags) throws LastErrorException;

    int open(String path, int flags) throws LastErrorException;

    int close(int fd) throws LastErrorException;

    long read(int fd, byte[] buffer, long count) throws LastErrorException;

    long write(int fd, byte[] buffer, long count) throws LastErrorException;

    long lseek(int fd, long offset, int whence) throws LastErrorException;

    int waitpid(int pid, int[] status, int options) throws LastErrorException;

    int P_PID = 1;
    int WNOHANG = 1;
    int WEXITED = 4;
    int WNOWAIT = 0x01000000;
    /** sizeof(siginfo_t) */
    int SIGINFO_SIZE = 128;

    int waitid(int idtype, int id, byte[] siginfo, int options) throws LastErrorException;

    int POLLIN = 1;

    /** {@code fds} holds struct pollfd as ints: the descriptor, then events in the low and revents in the high 16 bits. */
    int poll(int[] fds, long nfds, int timeoutMillis) throws LastErrorException;

    int kill(int pid, int signal) throws LastErrorException;

    long syscall(long number, Object... args) throws LastErrorException;

    int geteuid();

    int isatty(int fd);

    int tcgetpgrp(int fd);

    int getpgrp();

    int tcsetpgrp(int fd, int pgrp) throws LastErrorException;

    int sigaddset(Pointer set, int signal);

    int pthread_sigmask(int how, Pointer set, Pointer old);

    String strerror(int errno);

    int posix_spawn(int[] pid, String path, Pointer fileActions, Pointer attr, String[] argv, String[] envp);

    int posix_spawn_file_actions_init(Pointer fileActions);

    int posix_spawn_file_actions_destroy(Pointer fileActions);

    int posix_spawn_file_actions_adddup2(Pointer fileActions, int fd, int newFd);

    int posix_spawn_file_actions_addopen(Pointer fileActions, int fd, String path, int flags, int mode);

    int posix_spawn_file_actions_addclosefrom_np(Pointer fileActions, int from);

    int posix_spawnattr_init(Pointer attr);

    int posix_spawnattr_destroy(Pointer attr);

    int posix_spawnattr_setflags(Pointer attr, short flags);

    int posix_spawnattr_setsigmask(Pointer attr, Pointer sigset);

    int posix_spawnattr_setsigdefault(Pointer attr, Pointer sigset);

    int sigemptyset(Pointer set);

    int sigfillset(Pointer set);

    // Unix domain sockets, for the launch service (io.barco.service): the JDK has no SCM_RIGHTS nor SO_PEERCRED.
    int AF_UNIX = 1;
    int SOCK_STREAM = 1;
    int SOCK_CLOEXEC = 0x80000;
    int SOL_SOCKET = 1;
    int SO_PEERCRED = 17;
    int SO_RCVTIMEO = 20;
    int SCM_RIGHTS = 1;
    int MSG_NOSIGNAL = 0x4000;
    int MSG_CTRUNC = 0x8;
    int MSG_CMSG_CLOEXEC = 0x40000000;
    int SHUT_WR = 1;
    int SHUT_RDWR = 2;
    int F_DUPFD_CLOEXEC = 1030;
    int PR_SET_PDEATHSIG = 1;

    int socket(int domain, int type, int protocol) throws LastErrorException;

    /** {@code address} is a struct sockaddr_un. */
    int bind(int fd, byte[] address, int length) throws LastErrorException;

    int listen(int fd, int backlog) throws LastErrorException;

    int accept4(int fd, Pointer address, Pointer length, int flags) throws LastErrorException;

    /** {@code message} is a struct msghdr. */
    long recvmsg(int fd, Pointer message, int flags) throws LastErrorException;

    long send(int fd, byte[] buffer, long count, int flags) throws LastErrorException;

    int getsockopt(int fd, int level, int name, byte[] value, int[] length) throws LastErrorException;

    int setsockopt(int fd, int level, int name, byte[] value, int length) throws LastErrorException;

    int shutdown(int fd, int how) throws LastErrorException;

    int fcntl(int fd, int command, int argument) throws LastErrorException;

    int prctl(int option, long a, long b, long c, long d) throws LastErrorException;

    int getppid();
}
