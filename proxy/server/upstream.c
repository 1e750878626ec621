/* upstream.c: generateAssistantResponse over libcurl with failover, retries and timeouts;
 * see upstream.h. Each call owns a curl multi handle that the request thread drives itself, so
 * a slow upstream only ever occupies the thread of the request that asked for it. */
#include "server/upstream.h"

#include <cjson/cJSON.h>
#include <curl/curl.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "log/log.h"
#include "server/app.h"
#include "server/upstream_share.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/random.h"

#define ERROR_BODY_CAP (64 * 1024)
#define MAX_EXCLUDED 16
#define BACKOFF_CAP_MS 8000

struct upstream_call {
    app *a;
    CURLM *multi;
    CURL *easy;
    struct curl_slist *headers;
    char *body;              /* request body with this credential's profileArn */
    size_t body_len;
    upstream_sink sink;
    void *sink_user;
    int client_fd;
    int watch_client;
    int client_gone;
    long status;
    int headers_done;
    int sink_failed;
    int done;
    CURLcode result;
    kbuf error_body;
    char errbuf[CURL_ERROR_SIZE];
    int cred_id;
    char request_id[40];
};

void upstream_base_url(const app *a, const char *region, char *out, size_t out_size)
{
    const char *base = a->cfg->upstream_url;
    if (base && *base) {
        size_t n = strlen(base);
        while (n && base[n - 1] == '/')
            n--;
        snprintf(out, out_size, "%.*s", (int)n, base);
    } else {
        snprintf(out, out_size, "https://q.%s.amazonaws.com",
                 region && *region ? region : a->cfg->region);
    }
}

static size_t on_header(char *data, size_t size, size_t nitems, void *userdata)
{
    upstream_call *c = userdata;
    size_t n = size * nitems;
    if (n <= 2 && (n == 0 || data[0] == '\r' || data[0] == '\n')) {
        long status = 0;
        curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200) { /* skip interim 1xx heads */
            c->status = status;
            c->headers_done = 1;
        }
    }
    return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    upstream_call *c = userdata;
    size_t n = size * nmemb;
    if (!c->headers_done) {
        curl_easy_getinfo(c->easy, CURLINFO_RESPONSE_CODE, &c->status);
        c->headers_done = 1;
    }
    if (c->status == 200) {
        if (c->sink(c->sink_user, data, n) != 0) {
            c->sink_failed = 1;
            return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
        }
        return n;
    }
    size_t room = ERROR_BODY_CAP - c->error_body.len;
    kbuf_append(&c->error_body, data, n < room ? n : room);
    return n;
}

/* The body for one credential: the translated request plus its profileArn (social accounts). */
static int build_body(upstream_call *c, const kiro_request *request, const cred_snapshot *cred)
{
    if (!cred->profile_arn[0] || request->body_len < 2 ||
        request->body[request->body_len - 1] != '}') {
        c->body = malloc(request->body_len + 1);
        if (!c->body)
            return -1;
        memcpy(c->body, request->body, request->body_len + 1);
        c->body_len = request->body_len;
        return 0;
    }
    cJSON *arn = cJSON_CreateString(cred->profile_arn);
    char *arn_json = arn ? cJSON_PrintUnformatted(arn) : NULL;
    cJSON_Delete(arn);
    if (!arn_json)
        return -1;
    kbuf b = KBUF_INIT(0);
    int rc = kbuf_append(&b, request->body, request->body_len - 1);
    rc |= kbuf_printf(&b, ",\"profileArn\":%s}", arn_json);
    cJSON_free(arn_json);
    if (rc) {
        kbuf_free(&b);
        return -1;
    }
    c->body = kbuf_detach(&b, &c->body_len);
    return c->body ? 0 : -1;
}

static struct curl_slist *build_headers(const app *a, const cred_snapshot *cred, int attempt,
                                        int max_attempts)
{
    const proxy_config *cfg = a->cfg;
    char line[9000];
    char uuid[UUID_STR_SIZE];
    random_uuid(uuid);
    struct curl_slist *h = NULL;
    snprintf(line, sizeof line, "Authorization: Bearer %s", cred->access_token);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Accept: application/vnd.amazon.eventstream, application/json");
    snprintf(line, sizeof line, "x-amz-user-agent: aws-sdk-js/1.0.7 KiroIDE-%s-%s",
             cfg->kiro_version, cred->machine_id);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line,
             "User-Agent: aws-sdk-js/1.0.7 ua/2.1 os/%s lang/js md/nodejs#%s "
             "api/codewhispererstreaming#1.0.7 m/E KiroIDE-%s-%s",
             cfg->system_version, cfg->node_version, cfg->kiro_version, cred->machine_id);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, "x-amzn-codewhisperer-optout: true");
    h = curl_slist_append(h, "x-amzn-kiro-agent-mode: vibe");
    snprintf(line, sizeof line, "amz-sdk-invocation-id: %s", uuid);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "amz-sdk-request: attempt=%d; max=%d", attempt, max_attempts);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, "Expect:");
    return h;
}

static void call_free(upstream_call *c)
{
    if (!c)
        return;
    if (c->easy) {
        curl_multi_remove_handle(c->multi, c->easy);
        curl_easy_cleanup(c->easy);
    }
    if (c->multi)
        curl_multi_cleanup(c->multi);
    curl_slist_free_all(c->headers);
    free(c->body);
    kbuf_free(&c->error_body);
    free(c);
}

static upstream_call *attempt_start(app *a, const kiro_request *request, const cred_snapshot *cred,
                                    upstream_sink sink, void *sink_user, int client_fd,
                                    const char *request_id, int attempt, int max_attempts)
{
    upstream_call *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->a = a;
    c->sink = sink;
    c->sink_user = sink_user;
    c->client_fd = client_fd;
    c->watch_client = client_fd >= 0;
    c->cred_id = cred->id;
    kbuf_init(&c->error_body, ERROR_BODY_CAP);
    snprintf(c->request_id, sizeof c->request_id, "%s", request_id);
    if (build_body(c, request, cred) != 0)
        goto fail;
    c->headers = build_headers(a, cred, attempt, max_attempts);
    c->multi = curl_multi_init();
    c->easy = curl_easy_init();
    if (!c->headers || !c->multi || !c->easy)
        goto fail;

    char url[640];
    upstream_base_url(a, cred->region, url, sizeof url - 32);
    strcat(url, "/generateAssistantResponse");
    CURL *e = c->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, c->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)c->body_len);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, c->headers);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, c);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, c);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, c->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)a->cfg->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_SHARE, upstream_share()); /* keep connections across calls */
    if (curl_multi_add_handle(c->multi, e) != CURLM_OK)
        goto fail;
    return c;
fail:
    call_free(c);
    return NULL;
}

/* 1 when the client closed its connection (EOF or reset on its socket). */
static int client_closed(int fd)
{
    char byte;
    ssize_t n = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0)
        return 1;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return 1;
    return 0;
}

static void collect_done(upstream_call *c)
{
    int left;
    CURLMsg *m;
    while ((m = curl_multi_info_read(c->multi, &left))) {
        if (m->msg == CURLMSG_DONE) {
            c->done = 1;
            c->result = m->data.result;
        }
    }
}

/* Runs the transfer for up to timeout_ms, returning early on progress. */
static void drive(upstream_call *c, int timeout_ms)
{
    int running = 0;
    curl_multi_perform(c->multi, &running);
    collect_done(c);
    if (c->done)
        return;
    struct curl_waitfd extra = {0};
    unsigned n_extra = 0;
    if (c->watch_client) {
        extra.fd = c->client_fd;
        extra.events = CURL_WAIT_POLLIN;
        n_extra = 1;
    }
    curl_multi_poll(c->multi, n_extra ? &extra : NULL, n_extra, timeout_ms, NULL);
    if (n_extra && extra.revents) {
        if (client_closed(c->client_fd))
            c->client_gone = 1;
        else
            c->watch_client = 0; /* the client sent more bytes: stop watching, never spin */
    }
    curl_multi_perform(c->multi, &running);
    collect_done(c);
}

/* Waits (interruptibly) for ms; returns 1 when the client went away meanwhile. */
static int backoff_wait(app *a, int client_fd, int ms)
{
    int64_t end = clock_monotonic_ms() + ms;
    for (;;) {
        int64_t left = end - clock_monotonic_ms();
        if (left <= 0 || atomic_load(&a->stopping))
            return 0;
        if (client_fd < 0) {
            struct timespec ts = {0, (long)(left > 100 ? 100 : left) * 1000000L};
            nanosleep(&ts, NULL);
            continue;
        }
        struct pollfd p = {client_fd, POLLIN, 0};
        if (poll(&p, 1, (int)(left > 100 ? 100 : left)) > 0 && client_closed(client_fd))
            return 1;
    }
}

/* A short message from an upstream error body ({"message":...} or raw text). */
static void error_message(const kbuf *body, char *out, size_t out_size)
{
    out[0] = '\0';
    if (!body->len)
        return;
    cJSON *j = cJSON_ParseWithLength(body->data, body->len);
    const cJSON *m = j ? cJSON_GetObjectItemCaseSensitive(j, "message") : NULL;
    if (!cJSON_IsString(m) && j)
        m = cJSON_GetObjectItemCaseSensitive(j, "Message");
    const cJSON *reason = j ? cJSON_GetObjectItemCaseSensitive(j, "reason") : NULL;
    if (cJSON_IsString(m))
        snprintf(out, out_size, "%.300s%s%.60s", m->valuestring, cJSON_IsString(reason) ? " reason=" : "",
                 cJSON_IsString(reason) ? reason->valuestring : "");
    else
        snprintf(out, out_size, "%.300s", body->data);
    cJSON_Delete(j);
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
}

static int is_quota_error(long status, const kbuf *body)
{
    if (status == 402)
        return 1;
    if (status != 403 && status != 429)
        return 0;
    return body->len && (strstr(body->data, "MONTHLY_REQUEST_COUNT") ||
                         strstr(body->data, "QUOTA_EXCEEDED") ||
                         strstr(body->data, "ServiceQuotaExceeded"));
}

static int backoff_ms(const proxy_config *cfg, int retry)
{
    long base = cfg->retry_base_ms > 0 ? cfg->retry_base_ms : 250;
    long d = base << (retry < 10 ? retry : 10);
    if (d > BACKOFF_CAP_MS)
        d = BACKOFF_CAP_MS;
    return (int)(d / 2 + (long)random_below((uint64_t)d / 2 + 1)); /* "equal jitter" */
}

upstream_call *upstream_open(app *a, const kiro_request *request, upstream_sink sink,
                             void *sink_user, int client_fd, const char *request_id,
                             api_error *err, int *client_gone)
{
    const proxy_config *cfg = a->cfg;
    int excluded[MAX_EXCLUDED];
    size_t n_excluded = 0;
    int retries = 0;
    int max_attempts = cfg->max_retries + 1;
    api_error last;
    api_error_set(&last, 503, "api_error", "no usable Kiro credential");
    *client_gone = 0;

    for (int attempt = 1; attempt <= max_attempts + MAX_EXCLUDED; attempt++) {
        if (atomic_load(&a->stopping)) {
            api_error_set(err, 503, "overloaded_error", "the proxy is shutting down");
            return NULL;
        }
        cred_snapshot cred;
        if (cred_pool_acquire(a->pool, excluded, n_excluded, time(NULL), &cred) != 0) {
            if (n_excluded == 0) {
                if (a->refresher)
                    token_refresher_poke(a->refresher);
                api_error_set(err, 503, "api_error",
                              "no usable Kiro credential: %zu loaded, none enabled with a valid "
                              "access token (see GET /api/admin/credentials)",
                              cred_pool_count(a->pool));
            } else {
                *err = last;
            }
            return NULL;
        }
        upstream_call *c = attempt_start(a, request, &cred, sink, sink_user, client_fd,
                                         request_id, retries + 1, max_attempts);
        if (!c) {
            api_error_set(err, 500, "api_error", "cannot start the upstream request");
            return NULL;
        }
        atomic_fetch_add(&a->metrics.upstream_calls, 1);

        int64_t deadline = clock_monotonic_ms() + cfg->first_byte_timeout_ms;
        while (!c->headers_done && !c->done && !c->client_gone) {
            int64_t left = deadline - clock_monotonic_ms();
            if (left <= 0 || atomic_load(&a->stopping))
                break;
            drive(c, (int)(left < 250 ? left : 250));
        }
        if (c->client_gone) {
            atomic_fetch_add(&a->metrics.upstream_aborted, 1);
            call_free(c);
            *client_gone = 1;
            api_error_set(err, 499, "api_error", "client closed the connection");
            return NULL;
        }
        if (!c->headers_done && !c->done) {
            atomic_fetch_add(&a->metrics.upstream_errors, 1);
            LOG_WARN("[UPSTREAM] id=%s cred=%d no response within %d ms: giving up", request_id,
                     cred.id, cfg->first_byte_timeout_ms);
            call_free(c);
            api_error_set(err, 504, "timeout_error",
                          "the upstream sent no response within %d ms", cfg->first_byte_timeout_ms);
            return NULL;
        }
        if (c->headers_done && c->status == 200) {
            cred_pool_report(a->pool, cred.id, CRED_OUTCOME_OK, NULL);
            return c;
        }
        /* A failed attempt: read the whole (small, capped) error body, bounded in time. */
        int64_t body_deadline = clock_monotonic_ms() + 5000;
        while (!c->done && !c->client_gone && clock_monotonic_ms() < body_deadline)
            drive(c, 250);
        atomic_fetch_add(&a->metrics.upstream_errors, 1);
        long status = c->headers_done ? c->status : 0;
        char msg[400];
        if (status)
            error_message(&c->error_body, msg, sizeof msg);
        else
            snprintf(msg, sizeof msg, "%s", c->errbuf[0] ? c->errbuf : curl_easy_strerror(c->result));
        int quota = is_quota_error(status, &c->error_body);
        call_free(c);

        if (quota || status == 401 || status == 403) {
            cred_pool_report(a->pool, cred.id, quota ? CRED_OUTCOME_QUOTA : CRED_OUTCOME_AUTH_FAILED, msg);
            if (!quota && a->refresher)
                token_refresher_poke(a->refresher);
            if (n_excluded < MAX_EXCLUDED)
                excluded[n_excluded++] = cred.id;
            atomic_fetch_add(&a->metrics.upstream_failovers, 1);
            LOG_WARN("[UPSTREAM] id=%s cred=%d status=%ld %s: trying another credential (%s)",
                     request_id, cred.id, status, quota ? "quota exhausted" : "rejected", msg);
            if (quota)
                api_error_set(&last, 429, "rate_limit_error",
                              "Kiro quota exhausted on every usable credential: %s", msg);
            else
                api_error_set(&last, 502, "api_error",
                              "every usable Kiro credential was rejected (HTTP %ld): %s; tokens are "
                              "being refreshed", status, msg);
            continue;
        }
        if (status == 0 || status == 408 || status == 429 || status >= 500) {
            cred_pool_report(a->pool, cred.id, CRED_OUTCOME_TRANSIENT, msg);
            if (status == 429)
                api_error_set(&last, 429, "rate_limit_error", "upstream throttled the request: %s", msg);
            else if (status == 0)
                api_error_set(&last, 502, "api_error", "upstream unreachable: %s", msg);
            else if (status == 408)
                api_error_set(&last, 504, "timeout_error", "upstream timed out (408): %s", msg);
            else
                api_error_set(&last, status == 503 ? 529 : 502, status == 503 ? "overloaded_error" : "api_error",
                              "upstream error %ld: %s", status, msg);
            if (retries >= cfg->max_retries) {
                LOG_WARN("[UPSTREAM] id=%s cred=%d status=%ld: giving up after %d retries (%s)",
                         request_id, cred.id, status, retries, msg);
                *err = last;
                return NULL;
            }
            int wait = backoff_ms(cfg, retries);
            retries++;
            atomic_fetch_add(&a->metrics.upstream_retries, 1);
            LOG_WARN("[UPSTREAM] id=%s cred=%d status=%ld: retry %d/%d in %d ms (%s)", request_id,
                     cred.id, status, retries, cfg->max_retries, wait, msg);
            if (backoff_wait(a, client_fd, wait)) {
                *client_gone = 1;
                api_error_set(err, 499, "api_error", "client closed the connection");
                return NULL;
            }
            continue;
        }
        LOG_WARN("[UPSTREAM] id=%s cred=%d status=%ld: request rejected (%s)", request_id, cred.id,
                 status, msg);
        if (status == 400)
            api_error_set(err, 400, "invalid_request_error", "the upstream rejected the request: %s", msg);
        else
            api_error_set(err, 502, "api_error", "unexpected upstream status %ld: %s", status, msg);
        return NULL;
    }
    *err = last;
    return NULL;
}

upstream_status upstream_pump(upstream_call *c, int timeout_ms, api_error *err)
{
    if (!c->done && !c->sink_failed)
        drive(c, timeout_ms);
    if (c->client_gone)
        return UPSTREAM_CLIENT_GONE;
    if (c->sink_failed)
        return UPSTREAM_ABORTED;
    if (!c->done)
        return UPSTREAM_MORE;
    if (c->result == CURLE_OK)
        return UPSTREAM_DONE;
    atomic_fetch_add(&c->a->metrics.upstream_errors, 1);
    api_error_set(err, 502, "api_error", "the upstream connection failed mid-response: %s",
                  c->errbuf[0] ? c->errbuf : curl_easy_strerror(c->result));
    return UPSTREAM_FAILED;
}

int upstream_credential_id(const upstream_call *c)
{
    return c ? c->cred_id : -1;
}

void upstream_close(upstream_call *c)
{
    if (!c)
        return;
    if (!c->done) {
        atomic_fetch_add(&c->a->metrics.upstream_aborted, 1);
        LOG_INFO("[UPSTREAM] id=%s transfer aborted before its end", c->request_id);
    }
    call_free(c);
}
