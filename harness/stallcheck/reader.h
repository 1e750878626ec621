/* reader.h: who reads the child's output pipe while the server runs.
 *
 * The launcher in the incident stopped reading its child's pipe; every other behaviour of a
 * launcher is a variant of how (and whether) it reads. Each mode runs in its own thread that
 * waits with poll() on the pipe and on a wake-up pipe, so it can be stopped at any moment.
 * The recovery check switches any reader to draining, continuing the counters. */
#ifndef STALLCHECK_READER_H
#define STALLCHECK_READER_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "log_pipe.h"
#include "options.h"
#include "scanner.h"

#define READER_TAIL_BYTES 4096

typedef struct pipe_reader {
    log_pipe *pipe;
    reader_mode mode;     /* the mode asked for */
    long arg;
    reader_mode active;   /* the mode now running (drain after the switch) */

    pthread_t thread;
    bool thread_running;
    int wake[2];          /* writing a byte to wake[1] stops the thread */

    pthread_mutex_t lock; /* guards everything below */
    unsigned long long bytes_read;
    line_scanner scanner;
    bool scanner_stopped;             /* scanner mode hit the line limit */
    unsigned long long stop_line_bytes; /* full length of that line, once drained past it */
    bool stop_line_complete;          /* stop_line_bytes is the whole line */
    bool eof;
    char tail[READER_TAIL_BYTES];     /* the last bytes read, for error messages */
    size_t tail_len;
} pipe_reader;

/* Sets up a reader for mode. Returns 0 or -1. */
int reader_init(pipe_reader *r, log_pipe *pipe, reader_mode mode, long arg);
/* Starts the mode: a thread (scanner, slow, drain), closes the read end (close), or nothing
 * (never). Returns 0 or -1. */
int reader_start(pipe_reader *r);
/* Stops and joins the thread, if any. */
void reader_stop(pipe_reader *r);
/* Stops whatever runs and starts draining (the recovery check). No-op after close. */
int reader_switch_to_drain(pipe_reader *r);
void reader_destroy(pipe_reader *r);

typedef struct reader_snapshot {
    unsigned long long bytes_read;
    bool scanner_stopped;
    unsigned long long lines;
    unsigned long long stop_line_bytes;
    bool stop_line_complete;
    bool eof;
    reader_mode active; /* the mode running now (drain after the recovery switch) */
} reader_snapshot;

void reader_get_snapshot(pipe_reader *r, reader_snapshot *out);
/* Copies the last bytes read (NUL-terminated) into out. */
void reader_copy_tail(pipe_reader *r, char *out, size_t out_size);

#endif
