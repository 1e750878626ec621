/* bench_rows.c: the ROW/NUM/META output lines; see bench_rows.h. */
#include "bench_rows.h"

#include <stdarg.h>
#include <stdio.h>

const char *bench_status_name(bench_status status)
{
    switch (status) {
    case BENCH_PASS:
        return "PASS";
    case BENCH_FAIL:
        return "FAIL";
    case BENCH_INFO:
        return "INFO";
    case BENCH_NA:
        return "N/A";
    }
    return "FAIL";
}

bench_status bench_verdict(int ok)
{
    return ok ? BENCH_PASS : BENCH_FAIL;
}

/* Prints text with tabs and line breaks turned into spaces, so one field stays one field. */
static void put_field(const char *text)
{
    for (const char *p = text; *p; p++)
        putchar(*p == '\t' || *p == '\n' || *p == '\r' ? ' ' : *p);
}

void bench_row(const char *id, const char *section, const char *figure, bench_status status,
               const char *target, const char *measured_fmt, ...)
{
    char measured[512];
    va_list ap;
    va_start(ap, measured_fmt);
    vsnprintf(measured, sizeof measured, measured_fmt, ap);
    va_end(ap);
    fputs("ROW\t", stdout);
    put_field(id);
    putchar('\t');
    put_field(section);
    putchar('\t');
    put_field(figure);
    putchar('\t');
    put_field(bench_status_name(status));
    putchar('\t');
    put_field(target);
    putchar('\t');
    put_field(measured);
    putchar('\n');
    fflush(stdout);
}

void bench_num(const char *id, double value)
{
    fputs("NUM\t", stdout);
    put_field(id);
    printf("\t%.6g\n", value);
    fflush(stdout);
}

void bench_meta(const char *key, const char *value)
{
    fputs("META\t", stdout);
    put_field(key);
    putchar('\t');
    put_field(value);
    putchar('\n');
    fflush(stdout);
}
