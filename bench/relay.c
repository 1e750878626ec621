/* relay.c: bench-logrelay, figure 6: logrelay's forwarding rate and the latency it adds.
 *
 * Runs build/bin/logrelay-bench (harness/logrelay/bench.c) under a deadline and turns its
 * output into rows:
 *   throughput_mb_per_s      N MB of 100-byte lines from a generator through logrelay into
 *                            /dev/null, start to exit (target >= 200 MB/s, 0 lines dropped);
 *   latency_idle_us          write-to-arrival time of 2000 timestamped lines, 1 ms apart;
 *   latency_loaded_us        the same with 4 MB/s of filler lines around them: the latency
 *                            logrelay adds per line while draining.
 *
 *   bench-logrelay [--megabytes N]       (default 500) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_capture.h"
#include "bench_rows.h"
#include "bench_watchdog.h"
#include "proc.h"

enum { RUN_TIMEOUT_MS = 60000, WATCHDOG_S = 90 };

#define SECTION "6 logrelay"
#define TARGET_MB_S 200.0

/* Text after "name " on its line in out, or NULL. */
static const char *field(const char *out, const char *name)
{
    size_t len = strlen(name);
    for (const char *line = out; line && *line;) {
        if (!strncmp(line, name, len) && line[len] == ' ')
            return line + len + 1;
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return NULL;
}

static void latency_row(const char *out, const char *name, const char *id, const char *figure)
{
    const char *at = field(out, name);
    long p50 = -1, p99 = -1, max = -1, lines = 0;
    if (!at || sscanf(at, "p50 %ld p99 %ld max %ld (%ld lines", &p50, &p99, &max, &lines) != 4) {
        bench_row(id, SECTION, figure, BENCH_FAIL, "(reference)", "no %s in logrelay-bench output",
                  name);
        return;
    }
    bench_row(id, SECTION, figure, BENCH_INFO, "(reference)",
              "p50 %ld / p99 %ld / max %ld us over %ld lines", p50, p99, max, lines);
    char key[64];
    snprintf(key, sizeof key, "%s.p50_us", id);
    bench_num(key, (double)p50);
    snprintf(key, sizeof key, "%s.p99_us", id);
    bench_num(key, (double)p99);
}

int main(int argc, char **argv)
{
    const char *megabytes = "500";
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--megabytes") && i + 1 < argc && atol(argv[i + 1]) > 0) {
            megabytes = argv[++i];
        } else {
            fprintf(stderr, "usage: bench-logrelay [--megabytes N]\n");
            return 2;
        }
    }
    bench_watchdog_start(argv[0], WATCHDOG_S);
    char bench[512], relay[512];
    tp_bin_path("logrelay-bench", bench, sizeof bench);
    tp_bin_path("logrelay", relay, sizeof relay);
    char *run[] = {bench, "--logrelay", relay, "--megabytes", (char *)megabytes, NULL};
    bench_capture c;
    if (bench_capture_run(run, RUN_TIMEOUT_MS, &c) != 0) {
        bench_row("relay.throughput", SECTION, "logrelay to /dev/null", BENCH_FAIL, ">= 200 MB/s",
                  "could not run %s", bench);
        return 1;
    }
    const char *rate_text = field(c.output, "throughput_mb_per_s");
    const char *dropped_text = field(c.output, "throughput_dropped_lines");
    double rate = rate_text ? strtod(rate_text, NULL) : 0;
    long dropped = dropped_text ? strtol(dropped_text, NULL, 10) : -1;
    bench_row("relay.throughput", SECTION, "forwarding rate, 100-byte lines to /dev/null",
              bench_verdict(c.exited && c.status == 0 && rate >= TARGET_MB_S && dropped == 0),
              ">= 200 MB/s, 0 dropped", "%.0f MB/s over %s MB, %ld lines dropped%s", rate,
              megabytes, dropped, c.exited ? "" : " (run killed at its deadline)");
    bench_num("relay.throughput_mb_s", rate);
    latency_row(c.output, "latency_idle_us", "relay.latency_idle",
                "added latency per line, idle (write to arrival)");
    latency_row(c.output, "latency_loaded_us", "relay.latency_loaded",
                "added latency per line while draining 4 MB/s");
    bench_capture_free(&c);
    return 0;
}
