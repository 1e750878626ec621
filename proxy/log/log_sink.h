/* log_sink.h: internal to proxy/log: how the async logger's drain thread writes to the log fd
 * without ever sleeping in write(2) and without touching the fd's flags.
 *
 * The log fd (usually 2) is an open file description shared with the parent process, so
 * setting O_NONBLOCK on it would change the parent's stderr too. Instead the sink picks, once,
 * a way of writing that cannot block for long:
 *   - a pipe on Linux: a private non-blocking description of the same pipe (re-opened through
 *     /proc by proxy/platform); write as much as the pipe takes, EAGAIN -> poll;
 *   - a stream socket: send(MSG_DONTWAIT), a per-call non-blocking flag;
 *   - other pipes, FIFOs, sockets and terminals: poll(POLLOUT) first, then write at most
 *     PIPE_BUF bytes, which a single writer can always do after POLLOUT (4096 Linux, 512 macOS);
 *   - regular files and other character devices (/dev/null, /dev/full): write freely, they do
 *     not wait for a reader.
 * A vanished reader must give EPIPE, not kill the process: the drain thread blocks SIGPIPE for
 * itself and consumes the signal a failed write leaves pending. */
#ifndef KIRO_LOG_SINK_H
#define KIRO_LOG_SINK_H

#include <stddef.h>
#include <sys/types.h>

typedef enum {
    LOG_SINK_WRITE_FREELY,       /* regular file, /dev/null, /dev/full */
    LOG_SINK_PRIVATE_NONBLOCKING, /* Linux pipe through a private O_NONBLOCK description */
    LOG_SINK_SEND_DONTWAIT,      /* stream socket, send(MSG_DONTWAIT) */
    LOG_SINK_POLL_THEN_ATOMIC,   /* poll(POLLOUT), then at most PIPE_BUF bytes */
} log_sink_mode;

typedef struct log_sink {
    int fd;              /* the configured fd; never closed, its flags never changed */
    int private_fd;      /* private description owned by the sink, or -1 */
    log_sink_mode mode;
    size_t atomic_bytes; /* PIPE_BUF */
} log_sink;

/* Chooses how to write to fd (see above). Makes no change to fd. */
void log_sink_open(log_sink *sink, int fd);

/* Closes the private description, if any. */
void log_sink_close(log_sink *sink);

/* Writes a prefix of data[0..len). Returns the bytes written (> 0), 0 when the sink did not
 * become writable within wait_ms, or -1 with errno set on a write error. Waits at most
 * wait_ms, except for sinks written freely, which do not wait for a reader. */
ssize_t log_sink_write(const log_sink *sink, const char *data, size_t len, int wait_ms);

/* 1 when err from log_sink_write() means the sink is gone for good (EPIPE and friends). */
int log_sink_error_is_permanent(int err);

/* Blocks SIGPIPE in the calling thread, so that a write to a closed pipe returns EPIPE. */
void log_sink_block_sigpipe(void);

/* Consumes a SIGPIPE left pending by a failed write, so it is never delivered later. */
void log_sink_consume_sigpipe(void);

const char *log_sink_mode_name(log_sink_mode mode);

#endif
