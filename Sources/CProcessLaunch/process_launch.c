#define _GNU_SOURCE
#include "process_launch.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <pthread.h>
#include <unistd.h>

// Only async-signal-safe calls between vfork and exec: the parent has other threads, and the child shares its memory.
pid_t process_launch(const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd, int stderr_fd,
                     int inherited_fd) {
    int report[2];
    if (pipe2(report, O_CLOEXEC) != 0) return -1;
    pid_t parent = getpid();
    // vfork: the child borrows the parent's memory until it execs, so a runner with a large heap does not copy its
    // page tables for every peer. Signals stay blocked until the child has reset their handlers, so no handler of
    // the parent ever runs on the borrowed stack.
    sigset_t all, previous;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &previous);
    pid_t child = vfork();
    if (child < 0) {
        int saved = errno;
        pthread_sigmask(SIG_SETMASK, &previous, 0);
        close(report[0]);
        close(report[1]);
        errno = saved;
        return -1;
    }
    if (child == 0) {
        int failure = 0;
        // The death signal must be set before the parent's check: a parent gone in between is caught by getppid.
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent) failure = ESRCH;
        if (!failure && setpgid(0, 0) != 0) failure = errno;
        if (!failure && (dup2(stdin_fd, 0) < 0 || dup2(stdout_fd, 1) < 0 || dup2(stderr_fd, 2) < 0)) failure = errno;
        // dup2 onto itself would keep close-on-exec, so descriptor 3 is cleared of it explicitly.
        if (!failure && inherited_fd >= 0 && inherited_fd != 3 && dup2(inherited_fd, 3) < 0) failure = errno;
        if (!failure && inherited_fd == 3 && fcntl(3, F_SETFD, 0) != 0) failure = errno;
        if (!failure) {
            // Every handled signal back to its default (exec would do it anyway, but a signal before the exec must not
            // run a parent's handler here), and those the runner ignores but a child must not.
            int defaults[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD};
            for (unsigned i = 0; i < sizeof defaults / sizeof defaults[0]; i++) signal(defaults[i], SIG_DFL);
            for (int number = 1; number < NSIG; number++) {
                struct sigaction current;
                if (sigaction(number, 0, &current) == 0 && current.sa_handler != SIG_DFL && current.sa_handler != SIG_IGN) {
                    signal(number, SIG_DFL);
                }
            }
            sigset_t none;
            sigemptyset(&none);
            sigprocmask(SIG_SETMASK, &none, 0);
            execve(path, argv, envp);
            failure = errno;
        }
        ssize_t ignored = write(report[1], &failure, sizeof failure);
        (void)ignored;
        _exit(127);
    }
    pthread_sigmask(SIG_SETMASK, &previous, 0);
    close(report[1]);
    int failure = 0;
    ssize_t count;
    do {
        count = read(report[0], &failure, sizeof failure);
    } while (count < 0 && errno == EINTR);
    close(report[0]);
    if (count == (ssize_t)sizeof failure) {
        int status;
        while (waitpid(child, &status, 0) < 0 && errno == EINTR) {}
        errno = failure;
        return -1;
    }
    return child;
}

int process_launch_pipe(int fds[2]) { return pipe2(fds, O_CLOEXEC); }
