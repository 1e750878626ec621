/* fx_probe.c: concurrent probes with deadlines over libcurl multi; see fx_probe.h. */
#include "fx_probe.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fx_http.h"

typedef struct probe_target {
    const char *path;
    int admin;
} probe_target;

static const probe_target targets[] = {
    {"/v1/models", 0},
    {"/health", 0},
    {"/api/admin/user-credentials", 1},
};
#define TARGETS 3

static size_t discard(char *data, size_t size, size_t nmemb, void *user)
{
    (void)data;
    (void)user;
    return size * nmemb;
}

typedef struct probe_slot {
    CURL *easy;
    int target;
    int finished;
    long status;
    long ms;
    CURLcode result;
} probe_slot;

void fx_probe_many(fx_stack *s, int n, int deadline_ms, fx_probe_stats *out)
{
    memset(out, 0, sizeof *out);
    out->total = n;
    CURLM *multi = curl_multi_init();
    probe_slot *slots = calloc((size_t)n, sizeof *slots);
    struct curl_slist *api = NULL, *admin = NULL;
    api = curl_slist_append(api, "x-api-key: " FX_API_KEY);
    admin = curl_slist_append(admin, "x-admin-key: " FX_ADMIN_KEY);
    if (!multi || !slots) {
        snprintf(out->first_bad, sizeof out->first_bad, "cannot set up %d probes", n);
        out->timed_out = n;
        goto done;
    }
    curl_multi_setopt(multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, 0L);
    for (int i = 0; i < n; i++) {
        probe_slot *p = &slots[i];
        p->target = i % TARGETS;
        char url[256];
        snprintf(url, sizeof url, "%s%s", s->proxy_url, targets[p->target].path);
        p->easy = curl_easy_init();
        curl_easy_setopt(p->easy, CURLOPT_URL, url);
        curl_easy_setopt(p->easy, CURLOPT_HTTPHEADER, targets[p->target].admin ? admin : api);
        curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, discard);
        curl_easy_setopt(p->easy, CURLOPT_TIMEOUT_MS, (long)deadline_ms);
        curl_easy_setopt(p->easy, CURLOPT_CONNECTTIMEOUT_MS, (long)deadline_ms);
        curl_easy_setopt(p->easy, CURLOPT_NOSIGNAL, 1L);
        curl_easy_setopt(p->easy, CURLOPT_FRESH_CONNECT, 1L);
        curl_easy_setopt(p->easy, CURLOPT_FORBID_REUSE, 1L);
        curl_easy_setopt(p->easy, CURLOPT_PRIVATE, p);
        curl_multi_add_handle(multi, p->easy);
    }
    /* libcurl enforces each request's deadline; the loop has its own bound on top. */
    long long end = fx_now_ms() + deadline_ms + 1000;
    int running = 1;
    while (running && fx_now_ms() < end) {
        curl_multi_perform(multi, &running);
        CURLMsg *m;
        int left;
        while ((m = curl_multi_info_read(multi, &left))) {
            if (m->msg != CURLMSG_DONE)
                continue;
            char *priv = NULL;
            curl_easy_getinfo(m->easy_handle, CURLINFO_PRIVATE, &priv);
            probe_slot *p = (probe_slot *)(void *)priv;
            p->finished = 1;
            p->result = m->data.result;
            curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &p->status);
            double secs = 0;
            curl_easy_getinfo(p->easy, CURLINFO_TOTAL_TIME, &secs);
            p->ms = (long)(secs * 1000.0);
        }
        if (running)
            curl_multi_poll(multi, NULL, 0, 50, NULL);
    }
    for (int i = 0; i < n; i++) {
        probe_slot *p = &slots[i];
        int ok = p->finished && p->result == CURLE_OK && p->status == 200;
        if (!p->finished)
            p->ms = deadline_ms;
        if (p->ms > out->max_ms)
            out->max_ms = p->ms;
        if (ok) {
            out->answered++;
            continue;
        }
        int timed_out = !p->finished || p->result == CURLE_OPERATION_TIMEDOUT;
        out->timed_out += timed_out;
        if (!out->first_bad[0]) {
            if (timed_out)
                snprintf(out->first_bad, sizeof out->first_bad, "GET %s: no answer within %d ms",
                         targets[p->target].path, deadline_ms);
            else
                snprintf(out->first_bad, sizeof out->first_bad, "GET %s: status %ld (%s)",
                         targets[p->target].path, p->status, curl_easy_strerror(p->result));
        }
    }
done:
    for (int i = 0; slots && i < n; i++) {
        if (slots[i].easy) {
            curl_multi_remove_handle(multi, slots[i].easy);
            curl_easy_cleanup(slots[i].easy);
        }
    }
    free(slots);
    curl_slist_free_all(api);
    curl_slist_free_all(admin);
    if (multi)
        curl_multi_cleanup(multi);
}

int fx_probe_round(fx_run *run, fx_stack *s, const char *when, fx_probe_stats *out)
{
    fx_probe_many(s, TARGETS, FX_PROBE_DEADLINE_MS, out);
    return FX_CHECK(run, out->answered == out->total,
                    "probes %s: all %d answer 200 within %d ms (%d did; %s)", when, out->total,
                    FX_PROBE_DEADLINE_MS, out->answered, out->first_bad[0] ? out->first_bad : "-");
}

int fx_probe_phase(fx_run *run, fx_stack *s, const char *when, int rounds)
{
    int answered = 0, total = 0, all_ok = 1;
    long max_ms = 0;
    char first_bad[200] = "";
    for (int i = 0; i < rounds; i++) {
        fx_probe_stats st;
        int ok = fx_probe_round(run, s, when, &st);
        answered += st.answered;
        total += st.total;
        if (st.max_ms > max_ms)
            max_ms = st.max_ms;
        if (!ok && !first_bad[0])
            snprintf(first_bad, sizeof first_bad, "%s", st.first_bad);
        all_ok &= ok;
        if (!ok && !run->strict)
            break;
    }
    if (all_ok)
        fx_note(run, "probes %s %d/%d in time (max %ld ms)", when, answered, total, max_ms);
    else
        fx_note(run, "probes %s %d/%d in time: %s", when, answered, total, first_bad);
    return all_ok;
}
