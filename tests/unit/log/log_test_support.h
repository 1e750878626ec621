/* log_test_support.h: what the logger tests share: a pipe whose reader the test can stall and
 * resume, and bounded waits (every wait here has a deadline, so a hang fails the test instead
 * of hanging it). */
#ifndef KIRO_LOG_TEST_SUPPORT_H
#define KIRO_LOG_TEST_SUPPORT_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "log/log.h"

/* Generous deadline for anything that should take milliseconds: a busy 2-core CI machine
 * running ThreadSanitizer must never hit it. */
#define TEST_DEADLINE_MS 30000

/* A pipe plus a thread that reads everything from it into memory, while "reading" is on. */
typedef struct pipe_reader {
    int read_fd;
    int write_fd; /* the logger's sink */
    pthread_t thread;
    pthread_mutex_t lock;
    pthread_cond_t changed;
    int reading; /* 0: the thread leaves the pipe alone (a stalled consumer) */
    int eof;
    char *data;
    size_t len, cap;
} pipe_reader;

/* Creates the pipe and the reader thread; reading says whether it starts stalled (0). */
void pipe_reader_start(pipe_reader *r, int reading);
/* Lets the reader thread read. */
void pipe_reader_resume(pipe_reader *r);
/* Closes the write end, resumes reading and waits (bounded) for end of file. Returns 1 when
 * everything was read. The logger must have been stopped. */
int pipe_reader_finish(pipe_reader *r);
/* Joins the thread (after pipe_reader_finish() succeeded) and frees everything. */
void pipe_reader_destroy(pipe_reader *r);
/* Bytes read so far. */
size_t pipe_reader_length(pipe_reader *r);

/* Fills the pipe until it takes not one more byte. The test owns the pipe, so it may set
 * O_NONBLOCK while filling; the flags are restored. Returns the bytes written (0 on error). */
size_t fill_pipe(int write_fd);

/* log_get_stats() as a value. */
log_stats stats_now(void);

/* Runs count threads of fn(arg_i) and waits for all of them for at most timeout_ms. Returns 1
 * when all finished (and were joined); 0 on timeout (the threads are left running). */
int run_threads_bounded(int count, void *(*fn)(void *), void **args, int timeout_ms);

/* Polls log_get_stats() until done(stats, arg) holds or timeout_ms passes. Returns 1 if it
 * held. Used where the logger has no notification to wait on. */
int wait_for_stats(int (*done)(const log_stats *, const void *), const void *arg, int timeout_ms);

int64_t test_now_ms(void);

#endif
