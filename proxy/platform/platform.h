/* platform.h: the only place where Linux and macOS differ.
 *
 * Everything Linux-specific (F_SETPIPE_SZ, /proc) and macOS-specific (Mach task info, the
 * pthread_setname_np signature) is behind these functions; the rest of the project is POSIX.
 * Each function documents what it does where the facility does not exist. */
#ifndef KIRO_PLATFORM_H
#define KIRO_PLATFORM_H

#include <stddef.h>
#include <sys/types.h>

/* Names the calling thread (visible in /proc/PID/task/TID/comm, debuggers, `sample`).
 * Names longer than 15 characters are truncated. */
void platform_set_thread_name(const char *name);

/* PIPE_BUF: the largest write that is atomic on a pipe, and that a single writer may issue
 * after poll() reported POLLOUT without blocking (4096 on Linux, 512 on macOS). */
size_t platform_pipe_atomic_bytes(void);

/* Capacity of the pipe behind fd in bytes, or -1 where it cannot be queried (macOS: the buffer
 * grows on demand from 16 KiB to 64 KiB; callers measure instead). */
long platform_pipe_capacity(int fd);

/* Asks for a pipe capacity (Linux F_SETPIPE_SZ). Returns the capacity now in force, or -1
 * with errno ENOTSUP where the call does not exist. */
long platform_pipe_set_capacity(int fd, long bytes);

/* Bytes queued in a pipe or socket (FIONREAD), or -1. */
long platform_pending_bytes(int fd);

/* Opens a second, private, non-blocking write description of the pipe behind fd, leaving
 * fd's own flags untouched (they are shared with the parent). Linux: re-opens
 * /proc/self/fd/N. Returns -1 when fd is not a pipe or where this is impossible (macOS);
 * callers then fall back to poll() + PIPE_BUF-sized writes. */
int platform_open_private_nonblocking_pipe(int fd);

/* Resident set size of this process in bytes, or -1. */
long platform_resident_bytes(void);

/* Opens /dev/null onto any of fds 0, 1 and 2 that is closed, so that nothing the process opens
 * later (a socket, an eventfd) takes number 2 and receives log lines meant for stderr. */
void platform_fill_standard_fds(void);

/* Ignores SIGPIPE process-wide so that a vanished reader yields EPIPE instead of death. */
void platform_ignore_sigpipe(void);

/* Raises the soft limit on open files to the hard limit (at most `wanted`): a server with one
 * thread per connection plus upstream sockets needs more than the common default of 1024.
 * Returns the soft limit now in force, or -1. */
long platform_raise_fd_limit(long wanted);

/* Makes the C allocator give large freed blocks back to the system promptly (glibc: mmap
 * threshold and trim threshold fixed, fewer arenas), so that a burst of 16 MiB request bodies
 * does not stay resident. No-op elsewhere. */
void platform_tune_allocator(void);

/* Short operating system name for reports: "Linux" or "Darwin". */
const char *platform_os_name(void);

#endif
