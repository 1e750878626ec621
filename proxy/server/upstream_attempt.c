/* upstream_attempt.c: one generateAssistantResponse call over libcurl; see upstream_attempt.h. */
#include "server/upstream_attempt.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "server/upstream_share.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/kiro_identity.h"
#include "util/random.h"

#define ERROR_BODY_CAP (64 * 1024)

struct upstream_attempt {
    CURLM *multi;
    CURL *easy;
    struct curl_slist *headers;
    char *body; /* request body with this credential's profileArn */
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
};

static size_t on_header(char *data, size_t size, size_t nitems, void *userdata)
{
    upstream_attempt *t = userdata;
    size_t n = size * nitems;
    if (n <= 2 && (n == 0 || data[0] == '\r' || data[0] == '\n')) {
        long status = 0;
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
        if (status >= 200) { /* skip interim 1xx heads */
            t->status = status;
            t->headers_done = 1;
        }
    }
    return n;
}

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    upstream_attempt *t = userdata;
    size_t n = size * nmemb;
    if (!t->headers_done) {
        curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &t->status);
        t->headers_done = 1;
    }
    if (t->status == 200) {
        if (t->sink(t->sink_user, data, n) != 0) {
            t->sink_failed = 1;
            return 0; /* aborts the transfer with CURLE_WRITE_ERROR */
        }
        return n;
    }
    size_t room = ERROR_BODY_CAP - t->error_body.len;
    kbuf_append(&t->error_body, data, n < room ? n : room);
    return n;
}

/* The headers the Kiro IDE sends on generateAssistantResponse; NULL when they cannot be built
 * (out of memory, or no identity for this credential). */
static struct curl_slist *build_headers(const proxy_config *cfg, const cred_snapshot *cred,
                                        int attempt, int max_attempts)
{
    kiro_client_versions versions = config_client_versions(cfg);
    kiro_identity_lines identity;
    if (kiro_identity_api(&versions, cred->machine_id, &identity) != 0)
        return NULL;
    char line[9000];
    char uuid[UUID_STR_SIZE];
    random_uuid(uuid);
    struct curl_slist *h = NULL;
    snprintf(line, sizeof line, "Authorization: Bearer %s", cred->access_token);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, "Content-Type: application/json");
    h = curl_slist_append(h, "Accept: application/vnd.amazon.eventstream, application/json");
    h = curl_slist_append(h, identity.amz_user_agent);
    h = curl_slist_append(h, identity.user_agent);
    h = curl_slist_append(h, "x-amzn-codewhisperer-optout: true");
    h = curl_slist_append(h, "x-amzn-kiro-agent-mode: vibe");
    snprintf(line, sizeof line, "amz-sdk-invocation-id: %s", uuid);
    h = curl_slist_append(h, line);
    snprintf(line, sizeof line, "amz-sdk-request: attempt=%d; max=%d", attempt, max_attempts);
    h = curl_slist_append(h, line);
    h = curl_slist_append(h, "Expect:");
    return h;
}

void upstream_attempt_free(upstream_attempt *t)
{
    if (!t)
        return;
    if (t->easy) {
        curl_multi_remove_handle(t->multi, t->easy);
        curl_easy_cleanup(t->easy);
    }
    if (t->multi)
        curl_multi_cleanup(t->multi);
    curl_slist_free_all(t->headers);
    free(t->body);
    kbuf_free(&t->error_body);
    free(t);
}

static void set_options(upstream_attempt *t, const proxy_config *cfg, const char *url)
{
    CURL *e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_POST, 1L);
    curl_easy_setopt(e, CURLOPT_POSTFIELDS, t->body);
    curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)t->body_len);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->headers);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, t);
    curl_easy_setopt(e, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(e, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(e, CURLOPT_SHARE, upstream_share()); /* keep connections across calls */
}

upstream_attempt *upstream_attempt_start(const upstream_attempt_params *p)
{
    upstream_attempt *t = calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->sink = p->sink;
    t->sink_user = p->sink_user;
    t->client_fd = p->client_fd;
    t->watch_client = p->client_fd >= 0;
    kbuf_init(&t->error_body, ERROR_BODY_CAP);
    if (kiro_request_body_for_account(p->request, p->cred->profile_arn, &t->body, &t->body_len) !=
        0)
        goto fail;
    t->headers = build_headers(p->cfg, p->cred, p->attempt, p->max_attempts);
    t->multi = curl_multi_init();
    t->easy = curl_easy_init();
    if (!t->headers || !t->multi || !t->easy)
        goto fail;
    char url[640];
    config_upstream_base_url(p->cfg, p->cred->region, url, sizeof url - 32);
    strcat(url, "/generateAssistantResponse");
    set_options(t, p->cfg, url);
    if (curl_multi_add_handle(t->multi, t->easy) != CURLM_OK)
        goto fail;
    return t;
fail:
    upstream_attempt_free(t);
    return NULL;
}

int upstream_client_closed(int fd)
{
    char byte;
    ssize_t n = recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT);
    if (n == 0)
        return 1;
    if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        return 1;
    return 0;
}

static void collect_done(upstream_attempt *t)
{
    int left;
    CURLMsg *m;
    while ((m = curl_multi_info_read(t->multi, &left))) {
        if (m->msg == CURLMSG_DONE) {
            t->done = 1;
            t->result = m->data.result;
        }
    }
}

void upstream_attempt_drive(upstream_attempt *t, int timeout_ms)
{
    int running = 0;
    curl_multi_perform(t->multi, &running);
    collect_done(t);
    if (t->done)
        return;
    struct curl_waitfd extra = {0};
    unsigned n_extra = 0;
    if (t->watch_client) {
        extra.fd = t->client_fd;
        extra.events = CURL_WAIT_POLLIN;
        n_extra = 1;
    }
    curl_multi_poll(t->multi, n_extra ? &extra : NULL, n_extra, timeout_ms, NULL);
    if (n_extra && extra.revents) {
        if (upstream_client_closed(t->client_fd))
            t->client_gone = 1;
        else
            t->watch_client = 0; /* the client sent more bytes: stop watching, never spin */
    }
    curl_multi_perform(t->multi, &running);
    collect_done(t);
}

int upstream_attempt_wait_head(upstream_attempt *t, int timeout_ms, const atomic_int *stopping)
{
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    while (!t->headers_done && !t->done && !t->client_gone) {
        int64_t left = deadline - clock_monotonic_ms();
        if (left <= 0 || atomic_load(stopping))
            break;
        upstream_attempt_drive(t, (int)(left < 250 ? left : 250));
    }
    return t->headers_done || t->done;
}

void upstream_attempt_finish_error_body(upstream_attempt *t, int timeout_ms)
{
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    while (!t->done && !t->client_gone && clock_monotonic_ms() < deadline)
        upstream_attempt_drive(t, 250);
}

long upstream_attempt_status(const upstream_attempt *t)
{
    return t->headers_done ? t->status : 0;
}

int upstream_attempt_done(const upstream_attempt *t)
{
    return t->done;
}

int upstream_attempt_ok(const upstream_attempt *t)
{
    return t->done && t->result == CURLE_OK;
}

int upstream_attempt_client_gone(const upstream_attempt *t)
{
    return t->client_gone;
}

int upstream_attempt_sink_failed(const upstream_attempt *t)
{
    return t->sink_failed;
}

const char *upstream_attempt_error_body(const upstream_attempt *t, size_t *len)
{
    *len = t->error_body.len;
    return t->error_body.data;
}

const char *upstream_attempt_transport_error(const upstream_attempt *t)
{
    return t->errbuf[0] ? t->errbuf : curl_easy_strerror(t->result);
}
