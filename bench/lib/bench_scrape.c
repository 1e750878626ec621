/* bench_scrape.c: /metrics counters and another process's RSS; see bench_scrape.h. */
#include "bench_scrape.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_load.h"
#include "http.h"

enum { METRICS_TIMEOUT_MS = 5000 };

double bench_metric(const char *base_url, const char *name)
{
    char url[256];
    snprintf(url, sizeof url, "%s/metrics", base_url);
    tp_response r;
    double value = -1;
    if (tp_http("GET", url, bench_api_headers, NULL, 0, METRICS_TIMEOUT_MS, &r) == 0 &&
        r.status == 200 && r.body) {
        size_t name_len = strlen(name);
        const char *line = r.body;
        while (line && *line) {
            if (strncmp(line, name, name_len) == 0 && line[name_len] == ' ') {
                value = strtod(line + name_len + 1, NULL);
                break;
            }
            line = strchr(line, '\n');
            if (line)
                line++;
        }
    }
    tp_response_free(&r);
    return value;
}

#if defined(__linux__)
/* The number of field `name` ("VmRSS:", "Threads:") in /proc/PID/status, or -1. */
static long status_number(pid_t pid, const char *name)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%ld/status", (long)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    long value = -1;
    size_t len = strlen(name);
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, name, len) == 0) {
            char *end;
            value = strtol(line + len, &end, 10);
            if (end == line + len)
                value = -1;
            break;
        }
    }
    fclose(f);
    return value;
}
#endif

long bench_resident_bytes(pid_t pid)
{
#if defined(__linux__)
    long kib = status_number(pid, "VmRSS:");
    return kib < 0 ? -1 : kib * 1024;
#elif defined(__APPLE__)
    char command[64];
    snprintf(command, sizeof command, "ps -o rss= -p %ld", (long)pid);
    FILE *p = popen(command, "r");
    if (!p)
        return -1;
    long kib = -1;
    if (fscanf(p, "%ld", &kib) != 1)
        kib = -1;
    pclose(p);
    return kib < 0 ? -1 : kib * 1024;
#else
    (void)pid;
    return -1;
#endif
}

long bench_thread_count(pid_t pid)
{
#if defined(__linux__)
    return status_number(pid, "Threads:");
#elif defined(__APPLE__)
    char command[64];
    snprintf(command, sizeof command, "ps -M -p %ld", (long)pid);
    FILE *p = popen(command, "r");
    if (!p)
        return -1;
    long lines = 0;
    char line[512];
    while (fgets(line, sizeof line, p))
        lines++;
    pclose(p);
    return lines > 1 ? lines - 1 : -1; /* a header line, then one line per thread */
#else
    (void)pid;
    return -1;
#endif
}

const char *bench_resident_method(void)
{
#if defined(__linux__)
    return "/proc/PID/status VmRSS";
#elif defined(__APPLE__)
    return "ps -o rss";
#else
    return "n/a";
#endif
}
