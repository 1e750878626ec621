/* probes.h: the requests that tell a frozen server from a working one.
 *
 * All probes of a round go out at the same moment, each under the same deadline, so one round
 * costs at most one deadline. The defaults go through the logging path of the Kiro proxy
 * (/v1/models and an admin endpoint): a health check that skips the logger would miss the bug. */
#ifndef STALLCHECK_PROBES_H
#define STALLCHECK_PROBES_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "options.h"
#include "string_list.h"

typedef struct probe_result {
    int round;                 /* 1..rounds; rounds+1 for the recovery probe */
    const char *method;        /* points into the options */
    const char *path;
    long status;               /* 0 when no HTTP answer */
    bool answered;
    bool timed_out;
    unsigned long long bytes;  /* header + body bytes received */
    int64_t latency_ms;
    bool near_deadline;        /* answered, but after more than 75% of the deadline: a thin margin */
    char error[160];
} probe_result;

/* A probe answered after more than this share of its deadline is flagged (percent). */
#define PROBE_NEAR_DEADLINE_PERCENT 75

/* Runs one round of count probes concurrently; writes count results to out. Gives up soon
 * after *cancel becomes true (may be NULL). */
void probes_run_round(const char *base_url, const request_line *probes, size_t count,
                      const string_list *headers, long deadline_ms, int round,
                      const atomic_bool *cancel, probe_result *out);
/* Whether an answer after latency_ms is a thin margin for deadline_ms. */
bool probes_is_near_deadline(int64_t latency_ms, long deadline_ms);
size_t probes_count_timed_out(const probe_result *results, size_t count);
/* True when any of the results missed its deadline. */
bool probes_any_timed_out(const probe_result *results, size_t count);
/* True when any result got no HTTP answer for another reason (refused, reset). */
bool probes_any_failed_without_timeout(const probe_result *results, size_t count);
size_t probes_count_answered(const probe_result *results, size_t count);

#endif
