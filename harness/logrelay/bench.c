/* bench.c: logrelay-bench, the numbers for `make bench`: how fast logrelay forwards log lines,
 * and how much latency it adds to a line.
 *
 *   logrelay-bench [--logrelay PATH] [--megabytes N] [--line-bytes N]
 *
 * throughput  logrelay -- logrelay-bench --generate: the generator writes N MB of log lines as
 *             fast as it can; logrelay forwards them to /dev/null. Reported: MB/s from start to
 *             logrelay's exit, and the lines logrelay dropped (expected 0: /dev/null never
 *             stalls), read back from its --stats-json.
 * latency     the generator writes 2000 lines carrying their CLOCK_MONOTONIC send time, one per
 *             millisecond; logrelay forwards them into a pipe this program reads. Reported:
 *             p50/p99/max of receive time - send time, idle and while logrelay drains 4 MB/s
 *             of filler lines around them.
 * logrelay is found next to this program unless --logrelay is given. Output: one line per
 * figure, "name value unit", easy to grep. Exit status 0 unless something could not run. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "util/clock.h"

enum { LATENCY_LINES = 2000, GENERATOR_BLOCK = 1 << 20, FILLER_PER_LINE = 4000 };

/* ---- the generator (runs as logrelay's child) ---- */

static void write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            _exit(1);
        data += n, len -= (size_t)n;
    }
}

/* Writes total_bytes of numbered lines of line_bytes each, in 1 MiB writes. */
static int generate_bulk(uint64_t total_bytes, size_t line_bytes)
{
    static char block[GENERATOR_BLOCK];
    size_t lines_per_block = sizeof block / line_bytes, used = 0;
    for (size_t i = 0; i < lines_per_block; i++, used += line_bytes) {
        memset(block + used, 'a' + (int)(i % 26), line_bytes - 1);
        snprintf(block + used, 16, "%010zu", i);
        block[used + 10] = ' ';
        block[used + line_bytes - 1] = '\n';
    }
    for (uint64_t done = 0; done < total_bytes; done += used)
        write_all(STDOUT_FILENO, block, total_bytes - done < used ? (size_t)(total_bytes - done) : used);
    return 0;
}

/* One timestamped line per millisecond, each followed by filler_bytes of filler lines. */
static int generate_timed(size_t filler_bytes)
{
    static char filler[FILLER_PER_LINE]; /* 100-byte lines */
    memset(filler, 'f', sizeof filler);
    for (size_t i = 99; i < sizeof filler; i += 100)
        filler[i] = '\n';
    for (int i = 0; i < LATENCY_LINES; i++) {
        char line[64];
        int len = snprintf(line, sizeof line, "T %" PRId64 "\n", clock_monotonic_us());
        write_all(STDOUT_FILENO, line, (size_t)len);
        if (filler_bytes)
            write_all(STDOUT_FILENO, filler, filler_bytes);
        sleep_ms(1); /* pacing, not synchronisation */
    }
    return 0;
}

/* ---- the measuring side ---- */

static pid_t spawn_relay(const char *logrelay, const char *self, char *const generator_args[],
                         int stdout_fd, const char *stats_json)
{
    char *argv[16];
    int n = 0;
    argv[n++] = (char *)logrelay;
    argv[n++] = "--flush-ms";
    argv[n++] = "10000";
    if (stats_json) {
        argv[n++] = "--stats-json";
        argv[n++] = (char *)stats_json;
    }
    argv[n++] = "--";
    argv[n++] = (char *)self;
    for (int i = 0; generator_args[i] && n < 15; i++)
        argv[n++] = generator_args[i];
    argv[n] = NULL;
    pid_t pid = fork();
    if (pid == 0) {
        dup2(stdout_fd, STDOUT_FILENO);
        execv(logrelay, argv);
        _exit(127);
    }
    return pid;
}

static int wait_status(pid_t pid)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The first "dropped_lines": N in logrelay's --stats-json (stdout comes first), or -1. */
static long long dropped_lines_from_stats(const char *path)
{
    char text[4096];
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[len] = '\0';
    const char *at = strstr(text, "\"dropped_lines\":");
    return at ? strtoll(at + strlen("\"dropped_lines\":"), NULL, 10) : -1;
}

static int measure_throughput(const char *logrelay, const char *self, uint64_t megabytes,
                              size_t line_bytes)
{
    int devnull = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (devnull < 0)
        return -1;
    char total[32], line[32], stats_json[1024];
    snprintf(total, sizeof total, "%" PRIu64, megabytes * 1000000);
    snprintf(line, sizeof line, "%zu", line_bytes);
    const char *tmp = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
    snprintf(stats_json, sizeof stats_json, "%s/logrelay-bench-%ld.json", tmp, (long)getpid());
    char *args[] = {"--generate", total, line, NULL};

    int64_t start = clock_monotonic_us();
    int status = wait_status(spawn_relay(logrelay, self, args, devnull, stats_json));
    int64_t relay_us = clock_monotonic_us() - start;
    close(devnull);
    long long dropped = dropped_lines_from_stats(stats_json);
    unlink(stats_json);
    if (status != 0) {
        fprintf(stderr, "logrelay-bench: throughput run failed (status %d)\n", status);
        return -1;
    }
    printf("throughput_mb_per_s %.1f MB/s (%" PRIu64 " MB of %zu-byte lines through logrelay to "
           "/dev/null)\n", megabytes * 1e6 / (double)relay_us, megabytes, line_bytes);
    printf("throughput_dropped_lines %lld lines\n", dropped);
    return 0;
}

static int compare_int64(const void *a, const void *b)
{
    int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
    return (x > y) - (x < y);
}

/* Reads logrelay's output, timing each "T <us>" line. Returns the count of samples. */
static int collect_latencies(int fd, int64_t *samples, int max_samples)
{
    static char buf[1 << 16];
    char line[64];
    size_t line_len = 0;
    int count = 0;
    for (;;) {
        ssize_t n = read(fd, buf, sizeof buf);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return count;
        int64_t now = clock_monotonic_us();
        for (ssize_t i = 0; i < n; i++) {
            if (buf[i] != '\n') {
                if (line_len < sizeof line - 1)
                    line[line_len++] = buf[i];
                continue;
            }
            line[line_len] = '\0';
            if (line[0] == 'T' && line[1] == ' ' && count < max_samples)
                samples[count++] = now - strtoll(line + 2, NULL, 10);
            line_len = 0;
        }
    }
}

static int measure_latency(const char *logrelay, const char *self, const char *label,
                           const char *filler)
{
    int fds[2];
    if (pipe(fds) != 0)
        return -1;
    char *args[] = {"--generate-timed", (char *)filler, NULL};
    pid_t pid = spawn_relay(logrelay, self, args, fds[1], NULL);
    close(fds[1]);
    static int64_t samples[LATENCY_LINES];
    int count = collect_latencies(fds[0], samples, LATENCY_LINES);
    close(fds[0]);
    int status = wait_status(pid);
    if (count == 0 || status != 0) {
        fprintf(stderr, "logrelay-bench: latency run failed (status %d)\n", status);
        return -1;
    }
    qsort(samples, (size_t)count, sizeof samples[0], compare_int64);
    printf("latency_%s_us p50 %" PRId64 " p99 %" PRId64 " max %" PRId64 " (%d lines%s)\n", label,
           samples[count / 2], samples[count * 99 / 100], samples[count - 1], count,
           strcmp(filler, "0") ? ", with 4 MB/s of filler" : "");
    return 0;
}

int main(int argc, char **argv)
{
    if (argc >= 4 && strcmp(argv[1], "--generate") == 0)
        return generate_bulk(strtoull(argv[2], NULL, 10), strtoul(argv[3], NULL, 10));
    if (argc >= 3 && strcmp(argv[1], "--generate-timed") == 0)
        return generate_timed(strtoul(argv[2], NULL, 10));

    char default_relay[4096];
    const char *slash = strrchr(argv[0], '/');
    snprintf(default_relay, sizeof default_relay, "%.*slogrelay",
             slash ? (int)(slash - argv[0] + 1) : 0, argv[0]);
    const char *logrelay = default_relay;
    uint64_t megabytes = 1000;
    size_t line_bytes = 100;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--logrelay") == 0)
            logrelay = argv[i + 1];
        else if (strcmp(argv[i], "--megabytes") == 0)
            megabytes = strtoull(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--line-bytes") == 0)
            line_bytes = strtoul(argv[i + 1], NULL, 10);
    }
    if (line_bytes < 16 || line_bytes > GENERATOR_BLOCK || megabytes == 0) {
        fprintf(stderr, "usage: logrelay-bench [--logrelay PATH] [--megabytes N] "
                        "[--line-bytes 16..1048576]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    int failed = measure_throughput(logrelay, argv[0], megabytes, line_bytes) != 0;
    failed |= measure_latency(logrelay, argv[0], "idle", "0") != 0;
    char filler[16];
    snprintf(filler, sizeof filler, "%d", FILLER_PER_LINE);
    failed |= measure_latency(logrelay, argv[0], "loaded", filler) != 0;
    return failed ? 1 : 0;
}
