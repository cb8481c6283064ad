/*
 * The kernel's floor under any container launch on this machine, measured in C with nothing of
 * barco in it: a fork that exits, a posix_spawn of /bin/true, and a clone into the seven
 * namespaces a barco container gets (user, mount, PID, network, IPC, UTS, cgroup) that execs
 * /bin/true. Printed as p50/p90/p99 in the launch benchmark's format, so that barco's row can be
 * read against the cost of the kernel work it cannot avoid. Built and run by bench/launch.sh.
 */
#define _GNU_SOURCE
#include <sched.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;
static char *const true_argv[] = {"/bin/true", NULL};
static char stack[1 << 16];

static int exits(void *arg) { (void) arg; return 0; }
static int execs_true(void *arg) { (void) arg; execve(true_argv[0], true_argv, environ); _exit(127); }

static long long now_ns(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static int by_value(const void *a, const void *b) {
  long long x = *(const long long *) a, y = *(const long long *) b;
  return (x > y) - (x < y);
}

static void run_and_wait(int kind) {
  const int all_namespaces = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC
      | CLONE_NEWUTS | CLONE_NEWCGROUP;
  pid_t pid;
  if (kind == 0) {
    pid = clone(exits, stack + sizeof stack, SIGCHLD, NULL);
  } else if (kind == 1) {
    if (posix_spawn(&pid, true_argv[0], NULL, NULL, true_argv, environ) != 0) pid = -1;
  } else {
    pid = clone(execs_true, stack + sizeof stack, all_namespaces | SIGCHLD, NULL);
  }
  int status;
  if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    perror("floor: a run failed");
    exit(1);
  }
}

int main(int argc, char **argv) {
  int runs = argc > 1 && atoi(argv[1]) > 0 ? atoi(argv[1]) : 300;
  const char *names[] = {
      "floor (C): fork, child exits",
      "floor (C): posix_spawn /bin/true",
      "floor (C): clone, 7 namespaces, exec true",
  };
  long long *ns = calloc(runs, sizeof *ns);
  for (int kind = 0; kind < 3; kind++) {
    for (int i = 0; i < 50; i++) run_and_wait(kind);
    for (int i = 0; i < runs; i++) {
      long long start = now_ns();
      run_and_wait(kind);
      ns[i] = now_ns() - start;
    }
    qsort(ns, runs, sizeof *ns, by_value);
    printf("%-44s %6.2f ms %6.2f ms %6.2f ms\n", names[kind], ns[(runs + 1) / 2 - 1] / 1e6,
        ns[(runs * 9 + 9) / 10 - 1] / 1e6, ns[(runs * 99 + 99) / 100 - 1] / 1e6);
  }
  free(ns);
  return 0;
}
