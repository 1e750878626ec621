/* fx_logpipe.h: the proxy's log pipe, owned by the test. The test creates the pipe, hands the
 * write end to the proxy as its stdout and stderr, and reads the other end with a thread whose
 * behaviour it switches at will: never read, read slowly, read lines like the launcher's
 * scanner (and stop at the first line over its limit), read everything, or close the read end.
 * Every byte read is kept, so the drained output can be checked after the fault. */
#ifndef FX_LOGPIPE_H
#define FX_LOGPIPE_H

#include <stddef.h>

typedef enum {
    FX_READ_NEVER,   /* nobody reads: the pipe fills */
    FX_READ_SLOW,    /* arg bytes per second */
    FX_READ_SCANNER, /* lines until one longer than arg bytes, then never again */
    FX_READ_DRAIN,   /* reads everything */
    FX_READ_CLOSED,  /* read end closed before the proxy starts: EPIPE */
} fx_read_mode;

typedef struct fx_logpipe fx_logpipe;

/* A pipe of capacity pipe_size (F_SETPIPE_SZ where available; the real one is measured). */
fx_logpipe *fx_logpipe_new(int pipe_size);
/* The write end to give the child; close it in the parent after the spawn. */
int fx_logpipe_write_fd(const fx_logpipe *p);
void fx_logpipe_close_write_end(fx_logpipe *p);
/* Starts the reader thread in mode (FX_READ_CLOSED closes the read end instead). */
int fx_logpipe_start(fx_logpipe *p, fx_read_mode mode, long arg);
/* Switches the reader (e.g. to FX_READ_DRAIN to recover). No effect once closed. */
void fx_logpipe_set_mode(fx_logpipe *p, fx_read_mode mode, long arg);

int fx_logpipe_capacity(const fx_logpipe *p);
/* Bytes waiting in the pipe (FIONREAD), or -1. */
long fx_logpipe_pending(const fx_logpipe *p);
/* 1 when the pipe is full: within 4 KiB of capacity, or (Linux) no free slot for a writer. */
int fx_logpipe_full(const fx_logpipe *p);
/* 1 once a scanner reader met a line over its limit and stopped. */
int fx_logpipe_scanner_stopped(fx_logpipe *p);
long long fx_logpipe_bytes_read(fx_logpipe *p);
/* Newline-terminated lines read so far. */
long long fx_logpipe_lines_read(fx_logpipe *p);
/* 1 when the bytes read from offset from on contain needle. */
int fx_logpipe_contains(fx_logpipe *p, const char *needle, size_t from);
/* A malloc'd, NUL-terminated copy of everything read so far (len in *len). */
char *fx_logpipe_output(fx_logpipe *p, size_t *len);

/* Stops the reader (bounded: it never waits more than 100 ms at a time) and closes the fds. */
void fx_logpipe_free(fx_logpipe *p);

#endif
