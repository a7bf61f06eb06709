#ifndef PROCESS_LAUNCH_H
#define PROCESS_LAUNCH_H

#include <sys/types.h>

/// Starts `path` with `argv` and `envp` in a process group of its own, with `stdin_fd`, `stdout_fd` and
/// `stderr_fd` as its standard streams, `inherited_fd` (when not -1) as its descriptor 3, and default signal
/// handling. It is sent SIGKILL when the thread that started it dies, so no child outlives a runner that is
/// killed. Returns the pid, or -1 with errno set (also when the program could not be executed).
pid_t process_launch(const char *path, char *const argv[], char *const envp[], int stdin_fd, int stdout_fd, int stderr_fd,
                     int inherited_fd);

/// pipe2(fds, O_CLOEXEC), which needs _GNU_SOURCE and so is not visible to Swift through Glibc.
int process_launch_pipe(int fds[2]);

#endif
