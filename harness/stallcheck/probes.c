/* probes.c: one concurrent probe round and its tallies; see probes.h. */
#include "probes.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_batch.h"

void probes_run_round(const char *base_url, const request_line *probes, size_t count,
                      const string_list *headers, long deadline_ms, int round,
                      const atomic_bool *cancel, probe_result *out)
{
    http_call *calls = calloc(count, sizeof *calls);
    for (size_t i = 0; i < count; i++) {
        memset(&out[i], 0, sizeof out[i]);
        out[i].round = round;
        out[i].method = probes[i].method;
        out[i].path = probes[i].path;
    }
    if (!calls) {
        for (size_t i = 0; i < count; i++)
            snprintf(out[i].error, sizeof out[i].error, "out of memory");
        return;
    }
    for (size_t i = 0; i < count; i++) {
        calls[i].method = probes[i].method;
        calls[i].path = probes[i].path;
        calls[i].headers = headers;
        calls[i].deadline_ms = deadline_ms;
    }
    http_batch_run(base_url, calls, count, cancel);
    for (size_t i = 0; i < count; i++) {
        out[i].status = calls[i].status;
        out[i].answered = calls[i].answered;
        out[i].timed_out = calls[i].timed_out;
        out[i].bytes = calls[i].bytes;
        out[i].latency_ms = calls[i].latency_ms;
        out[i].near_deadline = out[i].answered && !out[i].timed_out &&
                               probes_is_near_deadline(out[i].latency_ms, deadline_ms);
        snprintf(out[i].error, sizeof out[i].error, "%s", calls[i].error);
    }
    free(calls);
}

bool probes_is_near_deadline(int64_t latency_ms, long deadline_ms)
{
    return deadline_ms > 0 && latency_ms * 100 > (int64_t)deadline_ms * PROBE_NEAR_DEADLINE_PERCENT;
}

size_t probes_count_timed_out(const probe_result *results, size_t count)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        n += results[i].timed_out;
    return n;
}

bool probes_any_timed_out(const probe_result *results, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (results[i].timed_out)
            return true;
    return false;
}

bool probes_any_failed_without_timeout(const probe_result *results, size_t count)
{
    for (size_t i = 0; i < count; i++)
        if (!results[i].answered && !results[i].timed_out)
            return true;
    return false;
}

size_t probes_count_answered(const probe_result *results, size_t count)
{
    size_t n = 0;
    for (size_t i = 0; i < count; i++)
        n += results[i].answered;
    return n;
}
