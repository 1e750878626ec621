/* bench_pipe.h: the log pipe a bench puts behind a server's stdout and stderr.
 *
 * Two ways to treat it: drained (a thread of the bench reads everything, as a healthy launcher
 * does) or stalled (nobody reads; the pipe fills and stays full, as behind the launcher that
 * stopped reading). Fullness is checked two ways: FIONREAD on the read end (bytes queued) and
 * poll() on the bench's own copy of the write end (not writable = no free slot). Both ends are
 * close-on-exec, so a child only gets the end it is given with dup2(). */
#ifndef KIRO_BENCH_PIPE_H
#define KIRO_BENCH_PIPE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

typedef struct bench_pipe {
    int read_fd, write_fd;
    long capacity; /* bytes, from F_GETPIPE_SZ where it exists, else measured */
    int draining;
    pthread_t drainer;
    atomic_int stop;
    atomic_uint_least64_t bytes_read;
} bench_pipe;

/* Returns 0 or -1. */
int bench_pipe_open(bench_pipe *p);

/* Starts the reader thread. Returns 0 or -1. */
int bench_pipe_start_draining(bench_pipe *p);

/* Bytes queued in the pipe (FIONREAD), or -1. */
long bench_pipe_pending(const bench_pipe *p);

/* 1 when no byte can be written without blocking (poll on the write end), 0 when it can. */
int bench_pipe_is_full(const bench_pipe *p);

/* Waits up to timeout_ms for the pipe to be full. Returns 0 when full; pending gets FIONREAD. */
int bench_pipe_wait_full(const bench_pipe *p, int timeout_ms, long *pending);

/* Stops the reader (bounded: it polls in 100 ms slices) and closes both ends. */
void bench_pipe_close(bench_pipe *p);

/* Capacity of a fresh pipe in bytes, found by filling one without blocking; -1 on error. */
long bench_pipe_measure_capacity(void);

#endif
