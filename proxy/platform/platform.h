/* platform.h: the only place where Linux and macOS differ.
 *
 * Everything Linux-specific (F_SETPIPE_SZ, /proc) and macOS-specific (Mach task info, the
 * pthread_setname_np signature) is behind these functions; the rest of the project is POSIX.
 * Each function documents what it does where the facility does not exist.
 *
 * The platform switch. Code outside this module never tests __linux__ for a facility; it asks
 * one of the KIRO_HAVE_* macros below (each 1 or 0). A native build (the default) turns on what
 * the system has. A portable build (cmake -DKIRO_PLATFORM=portable, which defines
 * KIRO_PLATFORM_PORTABLE=1) turns every Linux-only facility off, so that the road macOS takes
 * is compiled and run on Linux too: no /proc/self/fd re-open, PIPE_BUF taken as 512, no
 * F_SETPIPE_SZ / F_GETPIPE_SZ, no sigtimedwait, no MSG_NOSIGNAL, no monotonic condition
 * variables, no /proc thread evidence, no child subreaper. Only what cannot run on Linux at all
 * (the one-argument pthread_setname_np, Mach task info, the `sample` parser) stays behind
 * __APPLE__. */
#ifndef KIRO_PLATFORM_H
#define KIRO_PLATFORM_H

#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#if defined(KIRO_PLATFORM_PORTABLE) && KIRO_PLATFORM_PORTABLE
#define KIRO_PLATFORM_FLAVOR "portable"
#define KIRO_HAVE_PRIVATE_PIPE_REOPEN 0
#define KIRO_HAVE_PIPE_SIZE_CONTROL 0
#define KIRO_HAVE_SIGTIMEDWAIT 0
#define KIRO_HAVE_MSG_NOSIGNAL 0
#define KIRO_HAVE_COND_MONOTONIC 0
#define KIRO_HAVE_PROC_EVIDENCE 0
#define KIRO_HAVE_CHILD_SUBREAPER 0
#define KIRO_HAVE_STAT_MTIM 0
#define KIRO_PIPE_ATOMIC_BYTES 512 /* macOS's PIPE_BUF */
#else
#define KIRO_PLATFORM_FLAVOR "native"
/* A private O_NONBLOCK description of a pipe through /proc/self/fd/N. */
#if defined(__linux__)
#define KIRO_HAVE_PRIVATE_PIPE_REOPEN 1
#define KIRO_HAVE_PROC_EVIDENCE 1
#else
#define KIRO_HAVE_PRIVATE_PIPE_REOPEN 0
#define KIRO_HAVE_PROC_EVIDENCE 0
#endif
#if defined(__linux__) && defined(F_GETPIPE_SZ) && defined(F_SETPIPE_SZ)
#define KIRO_HAVE_PIPE_SIZE_CONTROL 1
#else
#define KIRO_HAVE_PIPE_SIZE_CONTROL 0
#endif
#if defined(_POSIX_REALTIME_SIGNALS) && _POSIX_REALTIME_SIGNALS > 0
#define KIRO_HAVE_SIGTIMEDWAIT 1
#else
#define KIRO_HAVE_SIGTIMEDWAIT 0 /* macOS */
#endif
#if defined(MSG_NOSIGNAL)
#define KIRO_HAVE_MSG_NOSIGNAL 1
#else
#define KIRO_HAVE_MSG_NOSIGNAL 0
#endif
#if defined(_POSIX_CLOCK_SELECTION) && _POSIX_CLOCK_SELECTION > 0
#define KIRO_HAVE_COND_MONOTONIC 1
#else
#define KIRO_HAVE_COND_MONOTONIC 0 /* macOS: no pthread_condattr_setclock */
#endif
#if defined(__linux__)
#define KIRO_HAVE_CHILD_SUBREAPER 1 /* prctl(PR_SET_CHILD_SUBREAPER) */
#define KIRO_HAVE_STAT_MTIM 1       /* struct stat's st_mtim (macOS: st_mtimespec) */
#else
#define KIRO_HAVE_CHILD_SUBREAPER 0
#define KIRO_HAVE_STAT_MTIM 0
#endif
#define KIRO_PIPE_ATOMIC_BYTES PIPE_BUF
#endif

/* "native" or "portable": which road this build takes (for reports and tests). */
const char *platform_flavor(void);

/* Names the calling thread (visible in /proc/PID/task/TID/comm, debuggers, `sample`).
 * Names longer than 15 characters are truncated. */
void platform_set_thread_name(const char *name);

/* PIPE_BUF: the largest write that is atomic on a pipe, and that a single writer may issue
 * after poll() reported POLLOUT without blocking (4096 on Linux, 512 on macOS and in the
 * portable build, KIRO_PIPE_ATOMIC_BYTES). */
size_t platform_pipe_atomic_bytes(void);

/* Capacity of the pipe behind fd in bytes, or -1 with errno ENOTSUP where it cannot be queried
 * (!KIRO_HAVE_PIPE_SIZE_CONTROL; macOS: the buffer grows on demand from 16 KiB to 64 KiB).
 * Callers then measure by filling a scratch pipe. */
long platform_pipe_capacity(int fd);

/* Asks for a pipe capacity (Linux F_SETPIPE_SZ). Returns the capacity now in force, or -1
 * with errno ENOTSUP where the call does not exist (!KIRO_HAVE_PIPE_SIZE_CONTROL). */
long platform_pipe_set_capacity(int fd, long bytes);

/* Bytes queued in a pipe or socket (FIONREAD), or -1. */
long platform_pending_bytes(int fd);

/* Opens a second, private, non-blocking write description of the pipe behind fd, leaving
 * fd's own flags untouched (they are shared with the parent); the caller owns the new fd.
 * Linux: re-opens /proc/self/fd/N. Returns -1 when fd is not a pipe, or with errno ENOTSUP
 * where this is impossible (!KIRO_HAVE_PRIVATE_PIPE_REOPEN: macOS, the portable build);
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

/* Short operating system name for reports: "Linux" or "Darwin" (the system, whatever the
 * flavor: a portable build on Linux says "Linux"). */
const char *platform_os_name(void);

#endif
