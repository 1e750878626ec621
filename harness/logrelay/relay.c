/* relay.c: logrelay's lifetime and its one poll loop: the child's pipes, the signal self-pipe
 * and the destinations; reading never waits for writing, writing never blocks. See relay.h. */
#include "relay.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "child.h"
#include "destinations.h"
#include "line_splitter.h"
#include "platform/platform.h"
#include "relay_messages.h"
#include "util/clock.h"

enum {
    READ_CHUNK = 256 * 1024,
    READS_PER_WAKEUP = 16, /* then the other stream and the signals get their turn */
    IDLE_POLL_MS = 1000,   /* nothing depends on it: a safety net for a lost wake-up */
};

struct relay {
    const struct relay_options *options;
    struct relay_stats stats;
    struct destinations destinations;
    struct line_splitter splitters[RELAY_STREAMS];
    int stream_fds[RELAY_STREAMS]; /* the child's pipes; -1 once closed */
    struct child child;
    int signal_fd;
    char *read_buffer;
    size_t read_size;              /* READ_CHUNK, or half the buffer when that is smaller */
};

/* The splitters' output: each record goes to its stream's destination. */
static void queue_record(void *context, int stream, const struct iovec *parts, int count,
                         size_t payload_bytes)
{
    struct relay *r = context;
    destinations_push(&r->destinations, stream, parts, count, payload_bytes);
}

static void close_stream(struct relay *r, int stream)
{
    line_splitter_finish(&r->splitters[stream]);
    close(r->stream_fds[stream]);
    r->stream_fds[stream] = -1;
}

/* Reads what the child's pipe holds now (at most max_reads chunks), feeding the splitter and
 * flushing after each chunk so that a fast destination never lets the queue fill. */
static void read_stream(struct relay *r, int stream, int max_reads)
{
    for (int i = 0; i < max_reads && r->stream_fds[stream] >= 0; i++) {
        ssize_t n = read(r->stream_fds[stream], r->read_buffer, r->read_size);
        if (n > 0) {
            line_splitter_feed(&r->splitters[stream], r->read_buffer, (size_t)n);
            destinations_flush(&r->destinations);
        } else if (n < 0 && errno == EINTR) {
            continue;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            return;
        } else {
            close_stream(r, stream); /* EOF, or an error that ends the stream all the same */
        }
    }
}

static void handle_signals(struct relay *r)
{
    int sig;
    while ((sig = child_signals_next(r->signal_fd)) != 0) {
        if (sig == SIGCHLD)
            child_reap(&r->child);
        else
            child_forward_signal(&r->child, sig);
    }
}

/* Relays while the child runs: one poll over signals, the child's pipes and the stalled sinks. */
static void run_while_child_lives(struct relay *r)
{
    while (!r->child.exited) {
        struct pollfd fds[1 + 2 * RELAY_STREAMS];
        int stream_index[RELAY_STREAMS], sink_index[RELAY_STREAMS];
        nfds_t n = 0;
        fds[n++] = (struct pollfd){.fd = r->signal_fd, .events = POLLIN};
        for (int s = 0; s < RELAY_STREAMS; s++) {
            stream_index[s] = -1;
            if (r->stream_fds[s] >= 0) {
                stream_index[s] = (int)n;
                fds[n++] = (struct pollfd){.fd = r->stream_fds[s], .events = POLLIN};
            }
        }
        n = destinations_add_polls(&r->destinations, fds, n, sink_index);
        int ready = poll(fds, n, IDLE_POLL_MS);
        if (ready < 0 && errno != EINTR)
            break;
        if (ready <= 0) {
            child_reap(&r->child);
            continue;
        }
        destinations_note_polls(&r->destinations, fds, sink_index);
        if (fds[0].revents)
            handle_signals(r);
        for (int s = 0; s < RELAY_STREAMS; s++)
            if (stream_index[s] >= 0 && fds[stream_index[s]].revents)
                read_stream(r, s, READS_PER_WAKEUP);
        destinations_flush(&r->destinations);
    }
}

/* The child has exited: take what it left in its pipes (bounded by the deadline, since its
 * descendants may still hold the pipes open and write), flush until the deadline, and count
 * whatever is left as dropped. */
static void drain_and_flush(struct relay *r, int64_t deadline)
{
    for (int s = 0; s < RELAY_STREAMS; s++) {
        while (r->stream_fds[s] >= 0 && clock_monotonic_ms() < deadline) {
            struct pollfd p = {.fd = r->stream_fds[s], .events = POLLIN};
            if (poll(&p, 1, 0) <= 0)
                break; /* empty now: everything the child wrote has been read */
            read_stream(r, s, 1);
        }
        if (r->stream_fds[s] >= 0)
            close_stream(r, s);
    }
    for (;;) {
        destinations_flush(&r->destinations);
        int64_t left = deadline - clock_monotonic_ms();
        if (!destinations_pending(&r->destinations) || left <= 0)
            break;
        struct pollfd fds[1 + RELAY_STREAMS];
        int sink_index[RELAY_STREAMS];
        nfds_t n = 0;
        fds[n++] = (struct pollfd){.fd = r->signal_fd, .events = POLLIN};
        n = destinations_add_polls(&r->destinations, fds, n, sink_index);
        if (poll(fds, n, (int)left) < 0 && errno != EINTR)
            break;
        destinations_note_polls(&r->destinations, fds, sink_index);
        if (fds[0].revents)
            handle_signals(r); /* the child is gone: this only empties the self-pipe */
    }
    destinations_drop_all(&r->destinations);
}

static void report_stats(struct relay *r)
{
    if (r->options->stats_json_path &&
        relay_stats_write_json(&r->stats, r->options->stats_json_path) != 0)
        relay_message_error("cannot write --stats-json", strerror(errno));
    if (r->options->print_stats) {
        kbuf text = KBUF_INIT(64 * 1024);
        if (relay_stats_format_text(&r->stats, &text) == 0)
            relay_message_write(text.data, text.len);
        kbuf_free(&text);
    }
}

static int start(struct relay *r)
{
    const struct relay_options *o = r->options;
    r->read_size = o->buffer_bytes / 2 < READ_CHUNK ? o->buffer_bytes / 2 : READ_CHUNK;
    r->read_buffer = malloc(r->read_size);
    r->signal_fd = child_signals_install();
    if (!r->read_buffer || r->signal_fd < 0) {
        relay_message_error("cannot set up", strerror(errno));
        return -1;
    }
    if (destinations_open(&r->destinations, o, &r->stats) != 0)
        return -1;
    size_t piece_limit = destinations_max_piece(&r->destinations);
    if (o->max_line < piece_limit)
        piece_limit = o->max_line;
    for (int s = 0; s < RELAY_STREAMS; s++)
        line_splitter_init(&r->splitters[s], s, piece_limit, queue_record, r,
                           &r->stats.stream[s]);
    if (child_spawn(&r->child, o->command, o->own_process_group) != 0) {
        relay_message_error("cannot start the command", strerror(errno));
        return -1;
    }
    r->stream_fds[RELAY_STDOUT] = r->child.stdout_fd;
    r->stream_fds[RELAY_STDERR] = r->child.stderr_fd;
    return 0;
}

static void stop(struct relay *r)
{
    for (int s = 0; s < RELAY_STREAMS; s++) {
        line_splitter_free(&r->splitters[s]);
        if (r->stream_fds[s] >= 0)
            close(r->stream_fds[s]);
    }
    destinations_close(&r->destinations);
    free(r->read_buffer);
    child_signals_restore();
}

int relay_run(const struct relay_options *options, struct relay_stats *stats_out)
{
    struct relay r = {.options = options, .signal_fd = -1, .stream_fds = {-1, -1}};
    int status = RELAY_EXIT_CANNOT_START;
    platform_ignore_sigpipe();
    if (start(&r) == 0) {
        run_while_child_lives(&r);
        drain_and_flush(&r, clock_monotonic_ms() + options->flush_ms);
        status = r.child.exited ? r.child.exit_status : 1;
    }
    r.stats.child_exit_status = status;
    report_stats(&r);
    if (stats_out)
        *stats_out = r.stats;
    stop(&r);
    return status;
}
