/* bench_rows.h: how every bench program hands its figures to bench-report.
 *
 * A program prints its results on stdout as tab-separated lines, one per figure, and nothing
 * else there (progress goes to stderr):
 *   ROW  <id> <section> <figure> <status> <target> <measured>
 *   NUM  <id> <value>                      raw numbers, copied into bench.json
 *   META <key> <value>                     machine facts (bench-machine only)
 * status is PASS, FAIL, INFO (no target) or N/A (cannot be measured here). Text fields never
 * contain tabs or newlines; bench_row() replaces any that slip in. */
#ifndef KIRO_BENCH_ROWS_H
#define KIRO_BENCH_ROWS_H

typedef enum {
    BENCH_PASS,
    BENCH_FAIL,
    BENCH_INFO,
    BENCH_NA,
} bench_status;

const char *bench_status_name(bench_status status);

/* PASS when ok, FAIL otherwise. */
bench_status bench_verdict(int ok);

/* One figure. measured is a printf format. */
void bench_row(const char *id, const char *section, const char *figure, bench_status status,
               const char *target, const char *measured_fmt, ...)
    __attribute__((format(printf, 6, 7)));

/* One raw number for bench.json. */
void bench_num(const char *id, double value);

/* One machine fact. */
void bench_meta(const char *key, const char *value);

#endif
