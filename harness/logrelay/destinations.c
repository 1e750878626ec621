/* destinations.c: choosing destinations, flushing queues into sinks, rotating --output. */
#include "destinations.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relay_messages.h"

static int same_object(int fd_a, int fd_b)
{
    struct stat a, b;
    return fstat(fd_a, &a) == 0 && fstat(fd_b, &b) == 0 && a.st_dev == b.st_dev &&
           a.st_ino == b.st_ino;
}

int destinations_open(struct destinations *set, const struct relay_options *options,
                      struct relay_stats *stats)
{
    memset(set, 0, sizeof *set);
    set->stats = stats;
    if (options->output_path) {
        if (rotating_file_open(&set->file, options->output_path, options->rotate_bytes,
                               options->rotate_keep) != 0) {
            relay_message_error("cannot open the output file", strerror(errno));
            return -1;
        }
        set->has_file = 1;
        set->count = 1;
        sink_open(&set->items[0].sink, set->file.fd);
        set->items[0].file = &set->file;
    } else if (same_object(STDOUT_FILENO, STDERR_FILENO)) {
        set->count = 1;
        sink_open(&set->items[0].sink, STDOUT_FILENO);
    } else {
        set->count = 2;
        sink_open(&set->items[0].sink, STDOUT_FILENO);
        sink_open(&set->items[1].sink, STDERR_FILENO);
    }
    for (int i = 0; i < set->count; i++) {
        if (line_queue_init(&set->items[i].queue, options->buffer_bytes, stats) != 0) {
            relay_message_error("out of memory for the buffer", NULL);
            return -1;
        }
    }
    set->of_stream[RELAY_STDOUT] = 0;
    set->of_stream[RELAY_STDERR] = set->count > 1 ? 1 : 0;
    return 0;
}

void destinations_close(struct destinations *set)
{
    for (int i = 0; i < set->count; i++) {
        line_queue_free(&set->items[i].queue);
        sink_close(&set->items[i].sink);
    }
    if (set->has_file)
        rotating_file_close(&set->file);
    set->count = 0;
}

size_t destinations_max_piece(const struct destinations *set)
{
    return line_queue_max_piece(&set->items[0].queue); /* all queues have the same capacity */
}

/* Bytes that may go into the current --output file now: whole records up to the rotation size,
 * rotating first when not even the next record fits. A record larger than the rotation size
 * goes alone into a file of its own. */
static size_t file_write_limit(struct destinations *set, struct destination *d)
{
    size_t pending = line_queue_used(&d->queue);
    uint64_t room = rotating_file_room(d->file);
    if (room >= pending)
        return pending;
    size_t whole = line_queue_bytes_of_whole_records(&d->queue, (size_t)room);
    if (whole > 0 || d->file->size == 0)
        return whole > 0 ? whole : line_queue_first_record_bytes(&d->queue);
    if (rotating_file_rotate(d->file) == 0) {
        set->stats->rotations++;
        d->sink.fd = d->file->fd;
        whole = line_queue_bytes_of_whole_records(&d->queue, (size_t)rotating_file_room(d->file));
    } else if (!set->rotation_error_reported) {
        set->rotation_error_reported = 1; /* once: the output goes on into the current file */
        relay_message_error("cannot rotate the output file", strerror(errno));
    }
    return whole > 0 ? whole : line_queue_first_record_bytes(&d->queue);
}

/* Most PIPE_BUF-sized writes to a polled destination in one flush (each after its own
 * POLLOUT), so that reading the command's pipes is never starved: 128 x 512 B = 64 KiB on macOS. */
#define POLLED_WRITES_PER_FLUSH 128

/* Writes as much as the destination takes now. */
static void flush_destination(struct destinations *set, struct destination *d)
{
    int polled_writes = 0;
    /* A polled destination is asked again (without waiting) whenever its last POLLOUT has been
     * used up: the queue can fill within one read burst from the command, before the main loop
     * polls the destination at all. */
    while (line_queue_used(&d->queue) > 0 &&
           (sink_can_write(&d->sink) || sink_poll_again(&d->sink))) {
        size_t limit = sink_write_limit(&d->sink);
        if (d->file) {
            size_t file_limit = file_write_limit(set, d);
            if (file_limit < limit)
                limit = file_limit;
        }
        struct iovec segments[2];
        line_queue_peek(&d->queue, segments, limit);
        ssize_t n = sink_write(&d->sink, segments, 2);
        if (n < 0) {
            line_queue_set_gone(&d->queue); /* counted as dropped from here on */
            break;
        }
        if (n == 0)
            break;
        if (d->file)
            rotating_file_note_written(d->file, (size_t)n);
        line_queue_consume(&d->queue, (size_t)n);
        /* One write per POLLOUT (the loop condition asks again), a bounded number per flush. */
        if (d->sink.mode == SINK_POLLED_ATOMIC && ++polled_writes >= POLLED_WRITES_PER_FLUSH)
            break;
    }
    line_queue_close_gap(&d->queue);
}

void destinations_push(struct destinations *set, int stream, const struct iovec *parts,
                       int part_count, size_t payload_bytes)
{
    struct destination *d = &set->items[set->of_stream[stream]];
    size_t out_bytes = 0;
    for (int i = 0; i < part_count; i++)
        out_bytes += parts[i].iov_len;
    if (line_queue_in_gap(&d->queue) ||
        line_queue_used(&d->queue) + out_bytes > d->queue.capacity)
        flush_destination(set, d);
    line_queue_push(&d->queue, stream, parts, part_count, payload_bytes);
}

void destinations_flush(struct destinations *set)
{
    for (int i = 0; i < set->count; i++)
        flush_destination(set, &set->items[i]);
}

nfds_t destinations_add_polls(struct destinations *set, struct pollfd *fds, nfds_t n,
                              int *index_of)
{
    for (int i = 0; i < set->count; i++) {
        struct destination *d = &set->items[i];
        index_of[i] = -1;
        if (line_queue_used(&d->queue) > 0 && sink_wants_pollout(&d->sink)) {
            index_of[i] = (int)n;
            fds[n++] = (struct pollfd){.fd = d->sink.fd, .events = POLLOUT};
        }
    }
    return n;
}

void destinations_note_polls(struct destinations *set, const struct pollfd *fds,
                             const int *index_of)
{
    for (int i = 0; i < set->count; i++)
        if (index_of[i] >= 0 && fds[index_of[i]].revents != 0)
            sink_note_pollout(&set->items[i].sink); /* POLLERR/HUP/NVAL: the write will say */
}

int destinations_pending(const struct destinations *set)
{
    for (int i = 0; i < set->count; i++)
        if (line_queue_used(&set->items[i].queue) > 0 && !set->items[i].sink.gone)
            return 1;
    return 0;
}

void destinations_drop_all(struct destinations *set)
{
    for (int i = 0; i < set->count; i++)
        line_queue_drop_all(&set->items[i].queue);
}
