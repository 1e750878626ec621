/* fixture_logger.c: blocking, async, file and no logger for stall-test-server; see the header. */
#include "fixture_logger.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/platform.h"

/* Lines the async queue holds before it drops the newest. */
#define QUEUE_SLOTS 256

static fixture_log_kind log_kind = LOG_KIND_NONE;
static int log_fd = STDERR_FILENO;
static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER; /* blocking: held across write */
static atomic_int epipe_seen;

/* async: the queue and its one writer */
static pthread_mutex_t queue_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t queue_ready = PTHREAD_COND_INITIALIZER;
static struct {
    char *data;
    size_t len;
} queue_slots[QUEUE_SLOTS];
static size_t queue_head, queue_count;
static atomic_long lines_dropped;

static void write_all(int fd, const char *data, size_t len)
{
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(fd, data + done, len - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EPIPE)
            atomic_store(&epipe_seen, 1);
        return; /* EPIPE or another error: the line is lost, the server goes on */
    }
}

static void *async_writer(void *arg)
{
    (void)arg;
    platform_set_thread_name("log-writer");
    for (;;) {
        pthread_mutex_lock(&queue_lock);
        while (queue_count == 0)
            pthread_cond_wait(&queue_ready, &queue_lock);
        char *data = queue_slots[queue_head].data;
        size_t len = queue_slots[queue_head].len;
        queue_head = (queue_head + 1) % QUEUE_SLOTS;
        queue_count--;
        pthread_mutex_unlock(&queue_lock);
        write_all(STDERR_FILENO, data, len); /* blocks on a full pipe: only this thread */
        free(data);
    }
    return NULL;
}

int fixture_log_start(fixture_log_kind kind, const char *path)
{
    log_kind = kind;
    if (kind == LOG_KIND_FILE) {
        if (!path)
            return -1;
        log_fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        return log_fd >= 0 ? 0 : -1;
    }
    if (kind == LOG_KIND_ASYNC) {
        pthread_t thread;
        if (pthread_create(&thread, NULL, async_writer, NULL) != 0)
            return -1;
        pthread_detach(thread);
    }
    return 0;
}

void fixture_log_line(const char *line, size_t len)
{
    switch (log_kind) {
    case LOG_KIND_NONE:
        return;
    case LOG_KIND_BLOCKING:
    case LOG_KIND_FILE: {
        char *copy = malloc(len + 1);
        if (!copy)
            return;
        memcpy(copy, line, len);
        copy[len] = '\n';
        pthread_mutex_lock(&log_lock); /* blocking: held across the write, the bug */
        write_all(log_fd, copy, len + 1);
        pthread_mutex_unlock(&log_lock);
        free(copy);
        return;
    }
    case LOG_KIND_ASYNC: {
        char *copy = malloc(len + 1);
        if (!copy)
            return;
        memcpy(copy, line, len);
        copy[len] = '\n';
        pthread_mutex_lock(&queue_lock); /* held for the enqueue only, never across I/O */
        if (queue_count == QUEUE_SLOTS) {
            pthread_mutex_unlock(&queue_lock);
            atomic_fetch_add(&lines_dropped, 1);
            free(copy);
            return;
        }
        size_t tail = (queue_head + queue_count) % QUEUE_SLOTS;
        queue_slots[tail].data = copy;
        queue_slots[tail].len = len + 1;
        queue_count++;
        pthread_cond_signal(&queue_ready);
        pthread_mutex_unlock(&queue_lock);
        return;
    }
    }
}

bool fixture_log_saw_epipe(void)
{
    return atomic_load(&epipe_seen) != 0;
}
