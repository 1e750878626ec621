/* platform.c: Linux and macOS implementations of platform.h, one #if per function. Each #if
 * asks a KIRO_HAVE_* switch from platform.h (so the portable build takes the macOS road on
 * Linux); only what cannot compile on Linux tests __APPLE__ itself. */
#include "platform/platform.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#if defined(__APPLE__)
#include <mach/mach.h>
#endif
#if defined(__GLIBC__)
#include <malloc.h>
#endif

void platform_set_thread_name(const char *name)
{
    char short_name[16];
    snprintf(short_name, sizeof short_name, "%s", name);
#if defined(__APPLE__)
    pthread_setname_np(short_name);
#else
    pthread_setname_np(pthread_self(), short_name);
#endif
}

const char *platform_flavor(void)
{
    return KIRO_PLATFORM_FLAVOR;
}

size_t platform_pipe_atomic_bytes(void)
{
    return KIRO_PIPE_ATOMIC_BYTES;
}

long platform_pipe_capacity(int fd)
{
#if KIRO_HAVE_PIPE_SIZE_CONTROL
    int n = fcntl(fd, F_GETPIPE_SZ);
    return n < 0 ? -1 : n;
#else
    (void)fd;
    errno = ENOTSUP;
    return -1;
#endif
}

long platform_pipe_set_capacity(int fd, long bytes)
{
#if KIRO_HAVE_PIPE_SIZE_CONTROL
    if (bytes > INT_MAX) {
        errno = EINVAL;
        return -1;
    }
    int n = fcntl(fd, F_SETPIPE_SZ, (int)bytes);
    return n < 0 ? -1 : n;
#else
    (void)fd;
    (void)bytes;
    errno = ENOTSUP;
    return -1;
#endif
}

long platform_pending_bytes(int fd)
{
    int n = 0;
    if (ioctl(fd, FIONREAD, &n) != 0)
        return -1;
    return n;
}

int platform_open_private_nonblocking_pipe(int fd)
{
#if KIRO_HAVE_PRIVATE_PIPE_REOPEN
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISFIFO(st.st_mode))
        return -1;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
    /* A pipe re-opened through /proc is a new open file description of the same pipe:
     * O_NONBLOCK on it does not touch the description shared with the parent. */
    return open(path, O_WRONLY | O_NONBLOCK | O_CLOEXEC);
#else
    (void)fd;
    errno = ENOTSUP;
    return -1;
#endif
}

long platform_resident_bytes(void)
{
    /* Each system has one source and neither runs on the other, so the portable build keeps
     * /proc/self/statm on Linux (a read of this process's own figures, not a change of road). */
#if defined(__linux__)
    FILE *f = fopen("/proc/self/statm", "r");
    if (!f)
        return -1;
    long size = 0, resident = 0;
    int ok = fscanf(f, "%ld %ld", &size, &resident) == 2;
    fclose(f);
    return ok ? resident * sysconf(_SC_PAGESIZE) : -1;
#elif defined(__APPLE__)
    mach_task_basic_info_data_t info;
    mach_msg_type_number_t count = MACH_TASK_BASIC_INFO_COUNT;
    if (task_info(mach_task_self(), MACH_TASK_BASIC_INFO, (task_info_t)&info, &count) !=
        KERN_SUCCESS)
        return -1;
    return (long)info.resident_size;
#else
    return -1;
#endif
}

long platform_raise_fd_limit(long wanted)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    rlim_t target = (rlim_t)wanted;
    if (rl.rlim_max != RLIM_INFINITY && target > rl.rlim_max)
        target = rl.rlim_max;
    if (rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur >= target)
        return rl.rlim_cur == RLIM_INFINITY ? wanted : (long)rl.rlim_cur;
    rl.rlim_cur = target;
    if (setrlimit(RLIMIT_NOFILE, &rl) != 0)
        return -1;
    return (long)target;
}

void platform_tune_allocator(void)
{
    /* An allocator setting, not a road: glibc gets it in every flavor, other C libraries have
     * nothing to set. */
#if defined(__GLIBC__)
    /* Blocks of 256 KiB and more are mmap'ed (and unmapped on free) instead of growing the
     * per-thread heaps, and at most 4 arenas are created for hundreds of connection threads. */
    mallopt(M_MMAP_THRESHOLD, 256 * 1024);
    mallopt(M_TRIM_THRESHOLD, 1024 * 1024);
    mallopt(M_ARENA_MAX, 4);
#endif
}

void platform_fill_standard_fds(void)
{
    for (int fd = 0; fd <= 2; fd++) {
        if (fcntl(fd, F_GETFD) != -1 || errno != EBADF)
            continue;
        int opened = open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY);
        if (opened >= 0 && opened != fd) {
            dup2(opened, fd);
            close(opened);
        }
    }
}

void platform_ignore_sigpipe(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_IGN;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
}

const char *platform_os_name(void)
{
#if defined(__APPLE__)
    return "Darwin";
#elif defined(__linux__)
    return "Linux";
#else
    return "POSIX";
#endif
}
