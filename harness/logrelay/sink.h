/* sink.h: a destination that logrelay writes to without ever blocking on it.
 *
 * logrelay's stdout and stderr are usually descriptions shared with its parent (the launcher):
 * their O_NONBLOCK flag must not be changed. How each kind of destination is written:
 *   SINK_NONBLOCKING_REOPEN  Linux pipe/FIFO: a private O_NONBLOCK re-open of /proc/self/fd/N
 *                            (platform_open_private_nonblocking_pipe); any size, EAGAIN = full.
 *   SINK_SOCKET              send() with MSG_DONTWAIT: non-blocking per call, flags untouched.
 *   SINK_POLLED_ATOMIC       other pipes, FIFOs and terminals (a terminal can block too: flow
 *                            control, a stopped pager): write only after poll() reported
 *                            POLLOUT, at most PIPE_BUF bytes (platform_pipe_atomic_bytes), which
 *                            a single writer can always write to a pipe without blocking.
 *   SINK_FILE                regular files and other devices (/dev/null): plain writes.
 * A vanished reader (EPIPE) or any other write error marks the sink gone; SIGPIPE must be ignored
 * by the caller (platform_ignore_sigpipe). */
#ifndef LOGRELAY_SINK_H
#define LOGRELAY_SINK_H

#include <stddef.h>
#include <sys/types.h>
#include <sys/uio.h>

enum sink_mode { SINK_FILE, SINK_NONBLOCKING_REOPEN, SINK_SOCKET, SINK_POLLED_ATOMIC };

struct sink {
    int fd;             /* what is written to */
    int owned_fd;       /* fd when it is a private re-open that sink_close closes, else -1 */
    enum sink_mode mode;
    int poll_ready;     /* SINK_POLLED_ATOMIC: poll() reported POLLOUT since the last write */
    int needs_pollout;  /* the last write would have blocked: wait for POLLOUT */
    int gone;           /* EPIPE or a write error: nothing more can be written */
    int error;          /* errno of the failure that made it gone */
};

/* Picks the mode for fd (which stays open and unchanged). */
void sink_open(struct sink *s, int fd);
void sink_close(struct sink *s);

/* Whether the main loop should poll fd for POLLOUT before the next write (given pending data). */
int sink_wants_pollout(const struct sink *s);

/* The main loop saw POLLOUT (or POLLERR/POLLHUP) on the sink's fd. */
void sink_note_pollout(struct sink *s);

/* SINK_POLLED_ATOMIC: asks poll() again without waiting, so that a fast reader is not held to
 * one PIPE_BUF-sized write per turn of the main loop. Returns whether a write may follow
 * (always 0 for the other modes, which never need it). */
int sink_poll_again(struct sink *s);

/* Whether a write may be attempted now. */
int sink_can_write(const struct sink *s);

/* Writes a prefix of the segments without blocking. Returns the bytes written (0 when the
 * destination is full: wait for POLLOUT), or -1 when the sink is now gone. */
ssize_t sink_write(struct sink *s, const struct iovec *segments, int count);

/* Most bytes one sink_write may take (SIZE_MAX when unlimited). */
size_t sink_write_limit(const struct sink *s);

#endif
