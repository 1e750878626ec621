/* log_pipe.h: the pipe that stands in for the launcher's stdout/stderr pipe.
 *
 * The harness creates it, asks for a capacity (F_SETPIPE_SZ where it exists), and measures what
 * it really got, because per-user page limits, 64 KiB-page kernels and macOS's 16 -> 64 KiB
 * growth all change the figure. Its read end belongs to the harness alone (close-on-exec, not
 * inherited), so the harness decides who reads it; its write end becomes the child's fd 1/2.
 * The pipe's identity (inode) lets /proc evidence tell a write to *this* pipe from any other.
 * The harness also keeps a private duplicate of the write end (probe_fd, close-on-exec, never
 * written): poll() on it for POLLOUT asks the kernel whether a writer could add to the pipe,
 * with nothing but POSIX, so the flood's stop rule and the fault rule work the same way on
 * Linux, macOS and in the portable build (no /proc/self/fd re-open). */
#ifndef STALLCHECK_LOG_PIPE_H
#define STALLCHECK_LOG_PIPE_H

#include <stdbool.h>
#include <stddef.h>

typedef struct log_pipe {
    char name[24];               /* "stdout+stderr", "stdout" or "stderr" */
    int read_fd;                 /* harness side, O_NONBLOCK; -1 once closed */
    int write_fd;                /* child side until spawned; -1 once closed here */
    int probe_fd;                /* the harness's duplicate of the write end, only ever polled
                                    for POLLOUT (never written, so its flags do not matter); -1
                                    when it could not be made */
    long requested;              /* --pipe-size (0 = kernel default) */
    long capacity;               /* bytes the pipe holds */
    const char *capacity_source; /* "F_GETPIPE_SZ" or "measured" */
    long scratch_capacity;       /* a fresh pipe of the same request, filled non-blockingly */
    unsigned long long inode;    /* st_ino of the pipe, as in /proc/PID/fd/N -> pipe:[inode] */
} log_pipe;

/* Creates the pipe, applies requested (when > 0 and possible), measures. Returns 0 or -1 with
 * a reason in err. */
int log_pipe_open(log_pipe *p, const char *name, long requested, char *err, size_t err_size);
/* Closes the harness's copy of the write end (after the child has its own). */
void log_pipe_close_write(log_pipe *p);
/* Closes the read end: writers then get EPIPE (or SIGPIPE). */
void log_pipe_close_read(log_pipe *p);
void log_pipe_close(log_pipe *p);
/* Bytes queued in the pipe (FIONREAD), or -1 when unknown (read end closed). */
long log_pipe_pending(const log_pipe *p);
/* Slack allowed below capacity for "full": writes larger than PIPE_BUF and partly filled
 * pages leave a full pipe a little short of its capacity. */
long log_pipe_full_slack(long capacity);
bool log_pipe_level_is_full(long pending, long capacity);
/* Whether a writer could add to the pipe right now, asked of the kernel itself: 1 yes, 0 no (every
 * pipe buffer slot is taken, so writers block), -1 unknown (read end closed, or no probe_fd).
 * poll() for POLLOUT on probe_fd, with a zero timeout; nothing is written. On Linux this catches
 * full pipes whose pages are only partly filled, which look thousands of bytes short of capacity
 * to FIONREAD; on macOS POLLOUT means at least PIPE_BUF bytes of room in the buffer as it is. */
int log_pipe_has_room(const log_pipe *p);
/* Full by either measure: no room, or FIONREAD within the slack of capacity. */
bool log_pipe_is_full(const log_pipe *p);
/* Capacity of a fresh pipe after asking for requested bytes, measured by filling it with
 * non-blocking writes (works everywhere, including macOS). -1 on failure. */
long log_pipe_measure_scratch(long requested);
/* Reads what is queued without blocking, keeping the last out_size-1 bytes in out
 * (NUL-terminated). Returns the number of bytes read from the pipe. */
size_t log_pipe_read_tail(log_pipe *p, char *out, size_t out_size);

#endif
