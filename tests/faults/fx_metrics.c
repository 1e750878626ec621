/* fx_metrics.c: parsing /metrics and /__fake/stats; see fx_metrics.h. */
#include "fx_metrics.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx_http.h"

/* The value of the sample line "name value" (no labels), or -1 when absent. */
static long long sample(const char *text, const char *name)
{
    size_t n = strlen(name);
    for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
        if (strncmp(p, name, n) == 0 && p[n] == ' ')
            return strtoll(p + n + 1, NULL, 10);
    }
    return -1;
}

int fx_metrics_parse(const char *text, fx_metrics *m)
{
    memset(m, 0, sizeof *m);
    struct {
        const char *name;
        long long *into;
    } fields[] = {
        {"kiro_log_lines_logged_total", &m->lines_logged},
        {"kiro_log_lines_written_total", &m->lines_written},
        {"kiro_log_lines_dropped_total", &m->lines_dropped},
        {"kiro_log_lines_queued", &m->lines_queued},
        {"kiro_log_bytes_logged_total", &m->bytes_logged},
        {"kiro_log_bytes_written_total", &m->bytes_written},
        {"kiro_log_bytes_dropped_total", &m->bytes_dropped},
        {"kiro_log_bytes_queued", &m->bytes_queued},
        {"kiro_log_gap_lines_total", &m->gap_lines},
        {"kiro_log_write_errors_total", &m->write_errors},
        {"kiro_upstream_calls_total", &m->upstream_calls},
        {"kiro_upstream_errors_total", &m->upstream_errors},
        {"kiro_upstream_retries_total", &m->upstream_retries},
        {"kiro_upstream_failovers_total", &m->upstream_failovers},
        {"kiro_upstream_aborted_total", &m->upstream_aborted},
        {"kiro_streams_active", &m->streams_active},
        {"kiro_connections_active", &m->connections_active},
        {"kiro_token_refreshes_total", &m->token_refreshes},
        {"kiro_token_refresh_failures_total", &m->token_refresh_failures},
        {"kiro_credentials_usable", &m->credentials_usable},
    };
    int missing = 0;
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        *fields[i].into = sample(text, fields[i].name);
        if (*fields[i].into < 0) {
            fprintf(stderr, "/metrics has no %s\n", fields[i].name);
            missing++;
        }
    }
    return missing ? -1 : 0;
}

int fx_metrics_get(fx_stack *s, int timeout_ms, fx_metrics *m)
{
    memset(m, 0, sizeof *m);
    tp_response r;
    int rc = fx_proxy_request(s, "GET", "/metrics", NULL, NULL, timeout_ms, &r);
    int parsed = rc == 0 && r.status == 200 ? fx_metrics_parse(r.body, m) : -1;
    tp_response_free(&r);
    return parsed;
}

static long long number_at(const cJSON *obj, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
    return cJSON_IsNumber(v) ? (long long)v->valuedouble : -1;
}

int fx_fake_stats_get(fx_stack *s, fx_fake_stats *st)
{
    memset(st, 0, sizeof *st);
    tp_response r;
    int rc = fx_fake_request(s, "GET", "/__fake/stats", NULL, &r);
    cJSON *j = rc == 0 && r.status == 200 ? cJSON_Parse(r.body) : NULL;
    tp_response_free(&r);
    if (!j)
        return -1;
    const cJSON *req = cJSON_GetObjectItemCaseSensitive(j, "requests");
    st->generate = number_at(req, "generateAssistantResponse");
    st->list_models = number_at(req, "ListAvailableModels");
    st->refresh_token = number_at(req, "refreshToken");
    st->rejected = number_at(j, "rejected");
    st->faults_injected = number_at(j, "faults_injected");
    st->streams_completed = number_at(j, "streams_completed");
    st->streams_aborted = number_at(j, "streams_aborted");
    st->streams_cut = number_at(j, "streams_cut");
    st->streams_active = number_at(j, "streams_active");
    st->hangs_active = number_at(j, "hangs_active");
    cJSON_Delete(j);
    return 0;
}
