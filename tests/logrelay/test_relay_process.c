/* test_relay_process.c: logrelay as a process, end to end: exit codes, signal forwarding,
 * overlong and partial lines, exact drop accounting at a stalled destination, never blocking,
 * a child that closes stdout early, a destination that disappears (EPIPE), rotation, and a
 * shared stdout/stderr pipe. Usage: test_relay_process TEST_NAME (one ctest entry per test, each
 * under a ctest TIMEOUT and an internal watchdog). Every wait is bounded; generous deadlines
 * (a busy 2-core machine) make them fail only when something is really stuck. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "line_splitter.h"
#include "platform/platform.h"
#include "relay_process.h"
#include "tp_check.h"
#include "util/clock.h"

enum { WAIT_MS = 30000, OUTPUT_CAP = 64 << 20 };

static const char mark[] = LINE_SPLITTER_CONTINUES_MARK;

/* ---- small helpers ---- */

static void path_in(char *out, size_t size, const char *dir, const char *name)
{
    snprintf(out, size, "%s/%s", dir, name);
}

static void check_balanced(const struct stream_counters *c)
{
    TP_CHECK(c->forwarded_lines + c->dropped_lines == c->received_lines);
    TP_CHECK(c->forwarded_bytes + c->dropped_bytes == c->received_bytes);
}

/* Reads the "done" line that "notify 3" writes. */
static void wait_notify(int fd, int timeout_ms)
{
    kbuf b = KBUF_INIT(1024);
    TP_CHECK(relay_read_until(fd, &b, "done\n", timeout_ms));
    kbuf_free(&b);
}

/* Splits text into lines (modifies it); returns the count, lines[] point into text. */
static size_t split_lines(char *text, char **lines, size_t max)
{
    size_t n = 0;
    for (char *p = text; p && *p && n < max;) {
        char *nl = strchr(p, '\n');
        if (!nl)
            break;
        *nl = '\0';
        lines[n++] = p;
        p = nl + 1;
    }
    return n;
}

/* ---- exit status ---- */

static void test_exit_code(void)
{
    int out[2];
    relay_pipe(out);
    const char *child[] = {"out-line", "hi", "exit", "3", NULL};
    pid_t pid = relay_spawn(NULL, child, -1, out[1], -1, -1);
    close(out[1]);
    kbuf b = KBUF_INIT(1024);
    TP_CHECK(relay_read_to_eof(out[0], &b, WAIT_MS));
    TP_CHECK(b.data && strcmp(b.data, "hi\n") == 0);
    TP_CHECK(relay_wait_exit(pid, WAIT_MS) == 3);
    kbuf_free(&b);
    close(out[0]);

    const char *killed[] = {"kill-self", "9", NULL};
    TP_CHECK(relay_wait_exit(relay_spawn(NULL, killed, -1, -1, -1, -1), WAIT_MS) == 128 + 9);
}

static void test_exec_failure(void)
{
    /* The first non-option argument starts COMMAND: here a program that does not exist. */
    const char *args[] = {"/nonexistent/logrelay-test-command", NULL};
    TP_CHECK(relay_wait_exit(relay_spawn(args, NULL, -1, -1, -1, -1), WAIT_MS) == 127);
}

/* ---- signals ---- */

static void test_sigterm_forwarded(void)
{
    int out[2];
    relay_pipe(out);
    const char *child[] = {"out-line", "ready", "pause", NULL};
    pid_t pid = relay_spawn(NULL, child, -1, out[1], -1, -1);
    close(out[1]);
    kbuf b = KBUF_INIT(1024);
    TP_CHECK(relay_read_until(out[0], &b, "ready\n", WAIT_MS));
    TP_CHECK(kill(pid, SIGTERM) == 0);
    TP_CHECK(relay_wait_exit(pid, WAIT_MS) == 128 + SIGTERM); /* 143: the child died of it */
    kbuf_free(&b);
    close(out[0]);
}

static void test_signals_forwarded_to_handler(void)
{
    const int signals[] = {SIGINT, SIGHUP};
    for (int i = 0; i < 2; i++) {
        char number[8], expected[32];
        snprintf(number, sizeof number, "%d", signals[i]);
        snprintf(expected, sizeof expected, "got signal %d\n", signals[i]);
        int out[2];
        relay_pipe(out);
        const char *child[] = {"on-signal", number, "out-line", "ready", "pause", NULL};
        pid_t pid = relay_spawn(NULL, child, -1, out[1], -1, -1);
        close(out[1]);
        kbuf b = KBUF_INIT(1024);
        TP_CHECK(relay_read_until(out[0], &b, "ready\n", WAIT_MS));
        TP_CHECK(kill(pid, signals[i]) == 0);
        TP_CHECK(relay_read_until(out[0], &b, expected, WAIT_MS));
        TP_CHECK(relay_wait_exit(pid, WAIT_MS) == 0); /* the child handled it and exited 0 */
        kbuf_free(&b);
        close(out[0]);
    }
}

/* ---- line handling ---- */

static void test_overlong_and_partial_lines(void)
{
    char dir[256], stats_path[300];
    relay_temp_dir(dir, sizeof dir);
    path_in(stats_path, sizeof stats_path, dir, "stats.json");
    int out[2];
    relay_pipe(out);
    const char *args[] = {"--max-line", "1M", "--stats-json", stats_path, NULL};
    const char *child[] = {"out-long", "2500000", "out-text", "tail", NULL};
    pid_t pid = relay_spawn(args, child, -1, out[1], -1, -1);
    close(out[1]);
    kbuf b = KBUF_INIT(OUTPUT_CAP);
    TP_CHECK(relay_read_to_eof(out[0], &b, WAIT_MS));
    TP_CHECK(relay_wait_exit(pid, WAIT_MS) == 0);

    size_t mark_len = strlen(mark), piece = 1 << 20;
    TP_CHECK(b.len == 2500000 + 2 * (mark_len + 1) + 1 + strlen("tail\n"));
    char *lines[8];
    size_t n = split_lines(b.data, lines, 8);
    TP_CHECK(n == 4);
    for (int i = 0; i < 2; i++) {
        TP_CHECK(strlen(lines[i]) == piece + mark_len);
        TP_CHECK(strcmp(lines[i] + piece, mark) == 0);
        TP_CHECK(strspn(lines[i], "x") == piece);
    }
    TP_CHECK(strlen(lines[2]) == 2500000 - 2 * piece && strspn(lines[2], "x") == strlen(lines[2]));
    TP_CHECK(strcmp(lines[3], "tail") == 0); /* the final partial line, completed */

    struct relay_stats stats;
    TP_CHECK(relay_load_stats(stats_path, &stats) == 0);
    const struct stream_counters *c = &stats.stream[RELAY_STDOUT];
    TP_CHECK(c->received_lines == 4 && c->received_bytes == 2500005);
    TP_CHECK(c->forwarded_lines == 4 && c->forwarded_bytes == 2500005);
    TP_CHECK(c->split_lines == 1 && c->dropped_lines == 0);
    kbuf_free(&b);
    close(out[0]);
    relay_remove_temp_dir(dir);
}

static void test_small_buffer_splits_long_lines(void)
{
    char dir[256], stats_path[300];
    relay_temp_dir(dir, sizeof dir);
    path_in(stats_path, sizeof stats_path, dir, "stats.json");
    int out[2];
    relay_pipe(out);
    /* --max-line is larger than the buffer: the buffer decides the piece size. */
    const char *args[] = {"--buffer-bytes", "8K", "--max-line", "1M", "--stats-json", stats_path,
                          NULL};
    const char *child[] = {"out-long", "20000", "out-line", "end", NULL};
    pid_t pid = relay_spawn(args, child, -1, out[1], -1, -1);
    close(out[1]);
    kbuf b = KBUF_INIT(OUTPUT_CAP);
    TP_CHECK(relay_read_to_eof(out[0], &b, WAIT_MS));
    TP_CHECK(relay_wait_exit(pid, WAIT_MS) == 0);

    char *lines[64];
    size_t n = split_lines(b.data, lines, 64), xs = 0;
    TP_CHECK(n > 2 && strcmp(lines[n - 1], "end") == 0);
    for (size_t i = 0; i + 1 < n; i++) {
        size_t len = strlen(lines[i]), run = strspn(lines[i], "x");
        TP_CHECK(len < 8192);
        if (i + 2 < n)
            TP_CHECK(len == run + strlen(mark) && strcmp(lines[i] + run, mark) == 0);
        else
            TP_CHECK(len == run); /* the last piece ends the line: no mark */
        xs += run;
    }
    TP_CHECK(xs == 20000);
    struct relay_stats stats;
    TP_CHECK(relay_load_stats(stats_path, &stats) == 0);
    TP_CHECK(stats.stream[RELAY_STDOUT].split_lines == 1);
    TP_CHECK(stats.stream[RELAY_STDOUT].received_lines == n);
    TP_CHECK(stats.stream[RELAY_STDOUT].dropped_lines == 0);
    kbuf_free(&b);
    close(out[0]);
    relay_remove_temp_dir(dir);
}

/* ---- stalls, drops, EPIPE ---- */

/* 3 MB: more than the child's pipe (logrelay asks for 1 MiB) can hold, so when the child is done
 * writing, logrelay has read past its 64 KiB buffer and the first drop has happened. */
enum { STALL_LINES = 30000, STALL_LINE_BYTES = 100 };

/* The output of a stalled-then-drained run: numbered lines 0..STALL_LINES with gap markers.
 * Each marker must stand exactly where its lines are missing and count them and their bytes. */
static void check_gaps(char *output, uint64_t *seen_out, uint64_t *dropped_out,
                       uint64_t *markers_out, uint64_t *seen_before_first_gap)
{
    static char *lines[STALL_LINES + 64];
    size_t n = split_lines(output, lines, STALL_LINES + 64);
    uint64_t expected = 0, pending_gap = 0, seen = 0, dropped = 0, markers = 0;
    *seen_before_first_gap = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned long long gap_lines, gap_bytes;
        if (sscanf(lines[i], "logrelay: dropped %llu lines (%llu bytes)", &gap_lines,
                   &gap_bytes) == 2) {
            TP_CHECK(pending_gap == 0);           /* two markers in a row: one gap counted twice */
            TP_CHECK(gap_lines > 0 && gap_bytes == gap_lines * STALL_LINE_BYTES);
            if (markers == 0)
                *seen_before_first_gap = seen;
            pending_gap = gap_lines;
            dropped += gap_lines;
            markers++;
            continue;
        }
        TP_CHECK(strlen(lines[i]) == STALL_LINE_BYTES - 1); /* never torn */
        TP_CHECK(strtoull(lines[i], NULL, 10) == expected + pending_gap);
        expected += pending_gap + 1;
        pending_gap = 0;
        seen++;
    }
    TP_CHECK(expected + pending_gap == STALL_LINES + 1); /* every line seen or in a gap */
    *seen_out = seen;
    *dropped_out = dropped;
    *markers_out = markers;
}

static void test_stalled_destination_accounting(void)
{
    char dir[256], stats_path[300];
    relay_temp_dir(dir, sizeof dir);
    path_in(stats_path, sizeof stats_path, dir, "stats.json");
    int in[2], out[2], notify[2];
    relay_pipe(in);
    relay_pipe(out);
    relay_pipe(notify);
    long pipe_bytes = platform_pipe_capacity(out[1]);
    const char *args[] = {"--buffer-bytes", "64K", "--flush-ms", "20000", "--stats-json",
                          stats_path, NULL};
    /* 30000 lines while nobody reads, then (after the test drained) line 30000. */
    const char *child[] = {"out-lines", "0", "30000", "100", "notify", "3", "wait-stdin",
                           "out-lines", "30000", "1", "100", NULL};
    pid_t pid = relay_spawn(args, child, in[0], out[1], -1, notify[1]);
    close(in[0]);
    close(out[1]);
    close(notify[1]);
    wait_notify(notify[0], WAIT_MS);

    /* Drain: the queue empties, the gap is closed by its marker; then let the child finish. */
    kbuf b = KBUF_INIT(OUTPUT_CAP);
    TP_CHECK(relay_read_until(out[0], &b, " bytes)\n", WAIT_MS));
    close(in[1]);
    TP_CHECK(relay_read_to_eof(out[0], &b, WAIT_MS));
    TP_CHECK(relay_wait_exit(pid, WAIT_MS) == 0);

    uint64_t seen, dropped, markers, before_gap;
    check_gaps(b.data, &seen, &dropped, &markers, &before_gap);
    TP_CHECK(markers >= 1 && dropped > 0);
    /* What got through before the first gap fits in the stalled pipe plus the 64 KiB buffer. */
    uint64_t bound = ((uint64_t)(pipe_bytes > 0 ? pipe_bytes : 65536) + 65536) / 100 + 1;
    TP_CHECK(before_gap <= bound);

    struct relay_stats stats;
    TP_CHECK(relay_load_stats(stats_path, &stats) == 0);
    const struct stream_counters *c = &stats.stream[RELAY_STDOUT];
    TP_CHECK(c->received_lines == STALL_LINES + 1);
    TP_CHECK(c->received_bytes == (STALL_LINES + 1) * STALL_LINE_BYTES);
    TP_CHECK(c->forwarded_lines == seen && c->forwarded_bytes == seen * STALL_LINE_BYTES);
    TP_CHECK(c->dropped_lines == dropped && c->dropped_bytes == dropped * STALL_LINE_BYTES);
    TP_CHECK(stats.gap_markers == markers);
    check_balanced(c);
    printf("stalled: %llu lines forwarded, %llu dropped in %llu gap(s), %llu before the first\n",
           (unsigned long long)seen, (unsigned long long)dropped, (unsigned long long)markers,
           (unsigned long long)before_gap);
    kbuf_free(&b);
    close(out[0]);
    close(notify[0]);
    relay_remove_temp_dir(dir);
}

static void test_never_blocks_on_stalled_destination(void)
{
    char dir[256], stats_path[300];
    relay_temp_dir(dir, sizeof dir);
    path_in(stats_path, sizeof stats_path, dir, "stats.json");
    int out[2], notify[2];
    relay_pipe(out);
    relay_pipe(notify);
    const char *args[] = {"--flush-ms", "500", "--stats-json", stats_path, NULL};
    const char *child[] = {"out-lines", "0", "500000", "100", "notify", "3", NULL}; /* 50 MB */
    int64_t start = clock_monotonic_ms();
    pid_t pid = relay_spawn(args, child, -1, out[1], -1, notify[1]);
    close(out[1]);
    close(notify[1]);
    wait_notify(notify[0], 60000); /* typically well under a second */
    int64_t child_done = clock_monotonic_ms() - start;
    TP_CHECK(relay_wait_exit(pid, WAIT_MS) == 0);
    int64_t relay_done = clock_monotonic_ms() - start;

    struct relay_stats stats;
    TP_CHECK(relay_load_stats(stats_path, &stats) == 0);
    const struct stream_counters *c = &stats.stream[RELAY_STDOUT];
    TP_CHECK(c->received_bytes == 50000000 && c->received_lines == 500000);
    TP_CHECK(c->dropped_lines > 400000);
    check_balanced(c);
    printf("50 MB into a stalled destination: child done after %lld ms, logrelay exited after "
           "%lld ms; %llu lines dropped\n", (long long)child_done, (long long)relay_done,
           (unsigned long long)c->dropped_lines);
    close(out[0]);
    close(notify[0]);
    relay_remove_temp_dir(dir);
}

/* logrelay must not set O_NONBLOCK on its stdout: that flag lives in the open file description
 * it shares with its parent (here: this test, which keeps a copy of the write end). */
static void test_destination_flags_unchanged(void)
{
    int out[2], notify[2];
    relay_pipe(out);
    relay_pipe(notify);
    int flags_before = fcntl(out[1], F_GETFL);
    const char *args[] = {"--flush-ms", "200", NULL};
    const char *child[] = {"out-lines", "0", "20000", "100", "notify", "3", NULL}; /* stalls */
    pid_t pid = relay_spawn(args, child, -1, out[1], -1, notify[1]);
    close(notify[1]);
    wait_notify(notify[0], WAIT_MS);
    TP_CHECK(fcntl(out[1], F_GETFL) == flags_before); /* while logrelay writes to it */
    TP_CHECK(relay_wait_exit(pid, WAIT_MS) == 0);
    TP_CHECK(fcntl(out[1], F_GETFL) == flags_before);
    TP_CHECK((flags_before & O_NONBLOCK) == 0);
    close(out[0]);
    close(out[1]);
    close(notify[0]);
}

/* The destination is a stream socket whose peer goes away: sendmsg() fails with EPIPE. Where
 * MSG_NOSIGNAL is missing (macOS, the portable build) the SIGPIPE this raises must be ignored,
 * not fatal; the relay counts the rest as dropped and keeps the child running. The flush
 * deadline is far longer than the exit wait: only a destination seen gone (EPIPE) lets the
 * relay exit in time once the child is done, so a peer that never really closed fails here. */
static void test_epipe_socket_destination(void)
{
    char dir[256], stats_path[300];
    relay_temp_dir(dir, sizeof dir);
    path_in(stats_path, sizeof stats_path, dir, "stats.json");
    int in[2], out[2], err[2], notify[2];
    relay_pipe(in);
    TP_CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, out) == 0);
    for (int i = 0; i < 2; i++)
        fcntl(out[i], F_SETFD, FD_CLOEXEC); /* else logrelay holds the peer open itself */
    relay_pipe(err);
    relay_pipe(notify);
    const char *args[] = {"--stats-json", stats_path, "--flush-ms", "600000", NULL};
    const char *child[] = {"out-lines", "0", "10", "100", "wait-stdin",
                           "out-lines", "10", "200000", "100", "err-line", "still-alive",
                           "notify", "3", NULL};
    pid_t pid = relay_spawn(args, child, in[0], out[1], err[1], notify[1]);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    close(notify[1]);
    kbuf b = KBUF_INIT(OUTPUT_CAP);
    TP_CHECK(relay_read_until(out[0], &b, "00000009 ", WAIT_MS)); /* the socket carries lines */
    close(out[0]); /* the peer disappears */
    close(in[1]);
    kbuf e = KBUF_INIT(1 << 20);
    TP_CHECK(relay_read_until(err[0], &e, "still-alive\n", 60000));
    wait_notify(notify[0], WAIT_MS);
    TP_CHECK(relay_wait_exit(pid, WAIT_MS) == 0); /* not 141: no death by SIGPIPE */

    struct relay_stats stats;
    TP_CHECK(relay_load_stats(stats_path, &stats) == 0);
    const struct stream_counters *c = &stats.stream[RELAY_STDOUT];
    TP_CHECK(c->received_lines == 200010);
    TP_CHECK(c->forwarded_lines >= 10 && c->dropped_lines > 0); /* the fault took effect */
    check_balanced(c);
    kbuf_free(&b);
    kbuf_free(&e);
    close(err[0]);
    close(notify[0]);
    relay_remove_temp_dir(dir);
}

static void test_epipe_destination(void)
{
    char dir[256], stats_path[300];
    relay_temp_dir(dir, sizeof dir);
    path_in(stats_path, sizeof stats_path, dir, "stats.json");
    int in[2], out[2], err[2], notify[2];
    relay_pipe(in);
    relay_pipe(out);
    relay_pipe(err);
    relay_pipe(notify);
    const char *args[] = {"--stats-json", stats_path, NULL};
    const char *child[] = {"out-lines", "0", "10", "100", "wait-stdin",
                           "out-lines", "10", "200000", "100", "err-line", "still-alive",
                           "notify", "3", NULL};
    pid_t pid = relay_spawn(args, child, in[0], out[1], err[1], notify[1]);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    close(notify[1]);
    kbuf b = KBUF_INIT(OUTPUT_CAP);
    TP_CHECK(relay_read_until(out[0], &b, "00000009 ", WAIT_MS));
    close(out[0]); /* the destination disappears */
    close(in[1]);  /* the child goes on: 20 MB more */
    kbuf e = KBUF_INIT(1 << 20);
    TP_CHECK(relay_read_until(err[0], &e, "still-alive\n", 60000)); /* relay alive, child not blocked */
    wait_notify(notify[0], WAIT_MS);
    TP_CHECK(relay_wait_exit(pid, WAIT_MS) == 0); /* not 141: no death by SIGPIPE */

    struct relay_stats stats;
    TP_CHECK(relay_load_stats(stats_path, &stats) == 0);
    const struct stream_counters *c = &stats.stream[RELAY_STDOUT];
    TP_CHECK(c->received_lines == 200010);
    TP_CHECK(c->forwarded_lines >= 10 && c->dropped_lines > 0);
    check_balanced(c);
    TP_CHECK(stats.stream[RELAY_STDERR].forwarded_lines == 1);
    kbuf_free(&b);
    kbuf_free(&e);
    close(err[0]);
    close(notify[0]);
    relay_remove_temp_dir(dir);
}

static void test_child_closes_stdout_early(void)
{
    int in[2], out[2], err[2], notify[2];
    relay_pipe(in);
    relay_pipe(out);
    relay_pipe(err);
    relay_pipe(notify);
    const char *child[] = {"out-line", "a", "close-stdout", "err-line", "b", "notify", "3",
                           "wait-stdin", "err-text", "c", NULL};
    pid_t pid = relay_spawn(NULL, child, in[0], out[1], err[1], notify[1]);
    close(in[0]);
    close(out[1]);
    close(err[1]);
    close(notify[1]);
    kbuf o = KBUF_INIT(1024), e = KBUF_INIT(1024);
    TP_CHECK(relay_read_until(out[0], &o, "a\n", WAIT_MS));
    TP_CHECK(relay_read_until(err[0], &e, "b\n", WAIT_MS));
    wait_notify(notify[0], WAIT_MS);
    TP_CHECK(relay_is_running(pid)); /* stdout at EOF, child alive: logrelay keeps relaying */
    close(in[1]);
    TP_CHECK(relay_read_to_eof(err[0], &e, WAIT_MS));
    TP_CHECK(relay_read_to_eof(out[0], &o, WAIT_MS));
    TP_CHECK(relay_wait_exit(pid, WAIT_MS) == 0);
    TP_CHECK(strcmp(o.data, "a\n") == 0);
    TP_CHECK(strcmp(e.data, "b\nc\n") == 0);
    kbuf_free(&o);
    kbuf_free(&e);
    close(out[0]);
    close(err[0]);
    close(notify[0]);
}

/* ---- --output and rotation ---- */

/* Contents of dir/name, or NULL when it does not exist. */
static char *read_file(const char *dir, const char *name, size_t *len)
{
    char path[400];
    path_in(path, sizeof path, dir, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    kbuf b = KBUF_INIT(OUTPUT_CAP);
    char chunk[4096];
    size_t n;
    while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
        TP_CHECK(kbuf_append(&b, chunk, n) == KBUF_OK);
    fclose(f);
    if (!b.data)
        TP_CHECK(kbuf_append(&b, "", 0) == KBUF_OK);
    return kbuf_detach(&b, len);
}

static void test_rotation(void)
{
    char dir[256], output[300], stats_path[300];
    relay_temp_dir(dir, sizeof dir);
    path_in(output, sizeof output, dir, "out.log");
    path_in(stats_path, sizeof stats_path, dir, "stats.json");
    const char *args[] = {"--output", output, "--rotate-bytes", "10000", "--rotate-keep", "3",
                          "--stats-json", stats_path, NULL};
    const char *child[] = {"out-lines", "0", "1000", "100", "err-line", "from-stderr", NULL};
    TP_CHECK(relay_wait_exit(relay_spawn(args, child, -1, -1, -1, -1), WAIT_MS) == 0);

    const char *kept[] = {"out.log.3", "out.log.2", "out.log.1", "out.log"};
    size_t len;
    char *gone = read_file(dir, "out.log.4", &len);
    TP_CHECK(gone == NULL);
    long next = -1, numbered = 0;
    int stderr_seen = 0;
    for (int i = 0; i < 4; i++) {
        char *text = read_file(dir, kept[i], &len);
        TP_CHECK(text != NULL);
        TP_CHECK(len > 0 && len <= 10000 && text[len - 1] == '\n'); /* whole lines, within size */
        char *lines[200];
        size_t n = split_lines(text, lines, 200);
        for (size_t k = 0; k < n; k++) {
            if (strcmp(lines[k], "from-stderr") == 0) {
                stderr_seen = 1;
                continue;
            }
            long number = strtol(lines[k], NULL, 10);
            TP_CHECK(next < 0 || number == next); /* in order across the kept files */
            TP_CHECK(strlen(lines[k]) == 99);
            next = number + 1;
            numbered++;
        }
        free(text);
    }
    TP_CHECK(next == 1000 && numbered >= 300);
    TP_CHECK(stderr_seen);
    struct relay_stats stats;
    TP_CHECK(relay_load_stats(stats_path, &stats) == 0);
    TP_CHECK(stats.rotations >= 9);
    TP_CHECK(stats.stream[RELAY_STDOUT].forwarded_lines == 1000);
    TP_CHECK(stats.stream[RELAY_STDERR].forwarded_lines == 1);
    relay_remove_temp_dir(dir);
}

static void test_rotation_oversized_line(void)
{
    char dir[256], output[300];
    relay_temp_dir(dir, sizeof dir);
    path_in(output, sizeof output, dir, "out.log");
    const char *args[] = {"--output", output, "--rotate-bytes", "1000", NULL};
    const char *child[] = {"out-line", "small", "out-long", "5000", "out-line", "after", NULL};
    TP_CHECK(relay_wait_exit(relay_spawn(args, child, -1, -1, -1, -1), WAIT_MS) == 0);
    size_t len;
    char *oldest = read_file(dir, "out.log.2", &len);
    TP_CHECK(oldest && strcmp(oldest, "small\n") == 0);
    char *big = read_file(dir, "out.log.1", &len);
    TP_CHECK(big && len == 5001 && strspn(big, "x") == 5000); /* alone in a file of its own */
    char *newest = read_file(dir, "out.log", &len);
    TP_CHECK(newest && strcmp(newest, "after\n") == 0);
    free(oldest);
    free(big);
    free(newest);
    relay_remove_temp_dir(dir);
}

/* ---- both streams into one pipe (2>&1) ---- */

/* logrelay's stdout and stderr are one pipe: both streams share one queue, so lines from the
 * two never interleave inside a line. (A burst larger than the buffer may still be dropped,
 * whole and counted, if this reader falls behind; the buffer is made large to make that rare.) */
static void test_merged_stdout_stderr(void)
{
    int out[2];
    relay_pipe(out);
    const char *args[] = {"--buffer-bytes", "32M", NULL};
    const char *child[] = {"out-lines", "0", "2000", "3000", "err-lines", "0", "2000", "3000",
                           NULL};
    pid_t pid = relay_spawn(args, child, -1, out[1], out[1], -1);
    close(out[1]);
    kbuf b = KBUF_INIT(OUTPUT_CAP);
    TP_CHECK(relay_read_to_eof(out[0], &b, WAIT_MS));
    TP_CHECK(relay_wait_exit(pid, WAIT_MS) == 0);
    static char *lines[4100];
    size_t n = split_lines(b.data, lines, 4100);
    unsigned long long intact = 0, dropped = 0, gap;
    for (size_t i = 0; i < n; i++) {
        if (sscanf(lines[i], "logrelay: dropped %llu lines", &gap) == 1) {
            dropped += gap;
            continue;
        }
        TP_CHECK(strlen(lines[i]) == 2999 && strspn(lines[i] + 9, "x") == 2990); /* none torn */
        intact++;
    }
    TP_CHECK(intact + dropped == 4000);
    kbuf_free(&b);
    close(out[0]);
}

struct named_test {
    const char *name;
    void (*run)(void);
};

static const struct named_test tests[] = {
    {"exit_code", test_exit_code},
    {"exec_failure", test_exec_failure},
    {"sigterm_forwarded", test_sigterm_forwarded},
    {"signals_forwarded_to_handler", test_signals_forwarded_to_handler},
    {"overlong_and_partial_lines", test_overlong_and_partial_lines},
    {"small_buffer_splits_long_lines", test_small_buffer_splits_long_lines},
    {"stalled_destination_accounting", test_stalled_destination_accounting},
    {"never_blocks_on_stalled_destination", test_never_blocks_on_stalled_destination},
    {"destination_flags_unchanged", test_destination_flags_unchanged},
    {"epipe_destination", test_epipe_destination},
    {"epipe_socket_destination", test_epipe_socket_destination},
    {"child_closes_stdout_early", test_child_closes_stdout_early},
    {"rotation", test_rotation},
    {"rotation_oversized_line", test_rotation_oversized_line},
    {"merged_stdout_stderr", test_merged_stdout_stderr},
};

int main(int argc, char **argv)
{
    size_t count = sizeof tests / sizeof tests[0];
    if (argc != 2) {
        fprintf(stderr, "usage: %s TEST_NAME; tests:", argv[0]);
        for (size_t i = 0; i < count; i++)
            fprintf(stderr, " %s", tests[i].name);
        fputc('\n', stderr);
        return 2;
    }
    signal(SIGPIPE, SIG_IGN); /* a test closing a pipe must not kill the test itself */
    tp_check_set_cleanup(relay_kill_all);
    for (size_t i = 0; i < count; i++) {
        if (strcmp(argv[1], tests[i].name) == 0) {
            relay_watchdog_start(150);
            tests[i].run();
            relay_kill_all();
            printf("ok %s\n", tests[i].name);
            return 0;
        }
    }
    fprintf(stderr, "unknown test '%s'\n", argv[1]);
    return 2;
}
