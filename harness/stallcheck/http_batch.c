/* http_batch.c: concurrent requests with per-request deadlines on libcurl multi; see http_batch.h. */
#include "http_batch.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/clock.h"

/* The loop's own guard fires this long after a request's deadline if curl has not ended it. */
#define GUARD_MS 1000
/* Upper bound of one curl_multi_poll wait, so deadlines and cancellation are noticed promptly. */
#define POLL_SLICE_MS 10

typedef struct transfer {
    http_call *call;
    CURL *easy;
    struct curl_slist *header_list;
    char *url;
    int64_t started_ms;
    bool done;
} transfer;

int http_global_init(void)
{
    return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -1;
}

void http_global_cleanup(void)
{
    curl_global_cleanup();
}

static size_t count_body(char *data, size_t size, size_t nmemb, void *user)
{
    http_call *call = user;
    size_t n = size * nmemb;
    call->bytes += (unsigned long long)n;
    if (call->body_out && call->body_out_cap > call->body_out_len + 1) {
        size_t room = call->body_out_cap - call->body_out_len - 1;
        size_t take = n < room ? n : room;
        memcpy(call->body_out + call->body_out_len, data, take);
        call->body_out_len += take;
        call->body_out[call->body_out_len] = '\0';
    }
    return n;
}

static size_t count_header(char *data, size_t size, size_t nmemb, void *user)
{
    (void)data;
    http_call *call = user;
    call->bytes += (unsigned long long)(size * nmemb);
    return size * nmemb;
}

static bool has_header(const struct curl_slist *list, const char *name)
{
    size_t len = strlen(name);
    for (; list; list = list->next)
        if (strncasecmp(list->data, name, len) == 0 && list->data[len] == ':')
            return true;
    return false;
}

static struct curl_slist *append_all(struct curl_slist *list, const string_list *headers, bool *ok)
{
    if (!headers)
        return list;
    for (size_t i = 0; i < headers->count; i++) {
        struct curl_slist *grown = curl_slist_append(list, headers->items[i]);
        if (!grown) {
            *ok = false;
            return list;
        }
        list = grown;
    }
    return list;
}

static struct curl_slist *build_headers(const http_call *call, bool *ok)
{
    struct curl_slist *list = NULL;
    *ok = true;
    list = append_all(list, call->headers, ok);
    list = append_all(list, call->extra_headers, ok);
    if (call->body && !has_header(list, "Content-Type")) {
        struct curl_slist *grown = curl_slist_append(list, "Content-Type: application/json");
        if (grown)
            list = grown;
        else
            *ok = false;
    }
    /* No "Expect: 100-continue" round trip: send large bodies straight away. */
    struct curl_slist *grown = curl_slist_append(list, "Expect:");
    if (grown)
        list = grown;
    else
        *ok = false;
    return list;
}

static int setup_transfer(transfer *t, const char *base_url)
{
    http_call *call = t->call;
    size_t url_size = strlen(base_url) + strlen(call->path) + 1;
    t->url = malloc(url_size);
    if (!t->url)
        return -1;
    snprintf(t->url, url_size, "%s%s", base_url, call->path);
    t->easy = curl_easy_init();
    if (!t->easy)
        return -1;
    bool ok = true;
    t->header_list = build_headers(call, &ok);
    if (!ok)
        return -1;

    CURL *e = t->easy;
    curl_easy_setopt(e, CURLOPT_URL, t->url);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_PROXY, "");          /* never through an environment proxy */
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, call->deadline_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, call->deadline_ms);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, count_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, call);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, count_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, call);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, t->header_list);
    curl_easy_setopt(e, CURLOPT_FORBID_REUSE, 1L);
    curl_easy_setopt(e, CURLOPT_PRIVATE, t);

    if (strcmp(call->method, "GET") == 0 && !call->body) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
    } else if (strcmp(call->method, "HEAD") == 0) {
        curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
    } else {
        if (call->body) {
            curl_easy_setopt(e, CURLOPT_POSTFIELDS, call->body);
            curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->body_len);
        }
        if (strcmp(call->method, "POST") != 0 || !call->body)
            curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, call->method);
    }
    return 0;
}

static void finish_transfer(transfer *t, CURLcode code, int64_t now)
{
    http_call *call = t->call;
    t->done = true;
    call->latency_ms = now - t->started_ms;
    long status = 0;
    curl_easy_getinfo(t->easy, CURLINFO_RESPONSE_CODE, &status);
    call->status = status;
    call->answered = status > 0;
    if (code == CURLE_OPERATION_TIMEDOUT) {
        call->timed_out = true;
        snprintf(call->error, sizeof call->error, "no complete answer within %ld ms (%lld bytes received)",
                 call->deadline_ms, (long long)call->bytes);
    } else if (code != CURLE_OK) {
        snprintf(call->error, sizeof call->error, "%s", curl_easy_strerror(code));
    }
}

static void release_transfer(transfer *t)
{
    if (t->easy)
        curl_easy_cleanup(t->easy);
    curl_slist_free_all(t->header_list);
    free(t->url);
    memset(t, 0, sizeof *t);
}

static void reset_call(http_call *call)
{
    call->answered = false;
    call->status = 0;
    call->bytes = 0;
    call->latency_ms = 0;
    call->timed_out = false;
    call->error[0] = '\0';
    call->body_out_len = 0;
    if (call->body_out && call->body_out_cap > 0)
        call->body_out[0] = '\0';
}

/* Starts call in a free slot of transfers (cap slots). Returns the slot, or NULL when the
 * request could not be set up (the call then carries the error). */
static transfer *start_transfer(CURLM *multi, transfer *transfers, size_t cap, const char *base_url,
                                http_call *call, int64_t now)
{
    transfer *t = NULL;
    for (size_t i = 0; i < cap && !t; i++)
        if (!transfers[i].call)
            t = &transfers[i];
    if (!t)
        return NULL;
    reset_call(call);
    if (call->started_ms == 0)
        call->started_ms = now;
    t->call = call;
    t->started_ms = now;
    t->done = false;
    if (setup_transfer(t, base_url) != 0 || curl_multi_add_handle(multi, t->easy) != CURLM_OK) {
        snprintf(call->error, sizeof call->error, "cannot set up the request");
        release_transfer(t);
        return NULL;
    }
    return t;
}

void http_stream_run(const char *base_url, const http_stream *stream, const atomic_bool *cancel)
{
    size_t cap = stream->max_in_flight > 0 ? stream->max_in_flight : 1;
    transfer *transfers = calloc(cap, sizeof *transfers);
    CURLM *multi = curl_multi_init();
    if (!transfers || !multi) {
        /* nothing can be sent: hand every call back with the error */
        http_call *call;
        while ((call = stream->next(stream->ctx)) != NULL) {
            reset_call(call);
            snprintf(call->error, sizeof call->error, "out of memory");
            stream->done(stream->ctx, call);
        }
        free(transfers);
        if (multi)
            curl_multi_cleanup(multi);
        return;
    }

    size_t active = 0;
    for (;;) {
        int64_t now = clock_monotonic_ms();
        bool cancelled = (cancel && atomic_load(cancel)) || !stream->keep_going(stream->ctx, active);
        while (!cancelled && active < cap) {
            http_call *call = stream->next(stream->ctx);
            if (!call)
                break;
            if (start_transfer(multi, transfers, cap, base_url, call, now))
                active++;
            else
                stream->done(stream->ctx, call);
        }
        if (cancelled && active == 0)
            break;

        int running = 0;
        curl_multi_perform(multi, &running);
        int queued = 0;
        CURLMsg *msg;
        now = clock_monotonic_ms();
        while ((msg = curl_multi_info_read(multi, &queued)) != NULL) {
            if (msg->msg != CURLMSG_DONE)
                continue;
            transfer *t = NULL;
            curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&t);
            if (!t || t->done || !t->call)
                continue;
            finish_transfer(t, msg->data.result, now);
            curl_multi_remove_handle(multi, t->easy);
            http_call *call = t->call;
            release_transfer(t);
            active--;
            stream->done(stream->ctx, call);
        }
        /* The second line of defence: no transfer outlives its deadline by more than GUARD_MS,
         * and cancellation ends everything. */
        for (size_t i = 0; i < cap; i++) {
            transfer *t = &transfers[i];
            if (!t->call || t->done)
                continue;
            bool overdue = now - t->started_ms > t->call->deadline_ms + GUARD_MS;
            if (!overdue && !cancelled)
                continue;
            finish_transfer(t, overdue ? CURLE_OPERATION_TIMEDOUT : CURLE_ABORTED_BY_CALLBACK, now);
            if (cancelled && !overdue)
                snprintf(t->call->error, sizeof t->call->error, "cancelled");
            curl_multi_remove_handle(multi, t->easy);
            http_call *call = t->call;
            release_transfer(t);
            active--;
            stream->done(stream->ctx, call);
        }
        if (cancelled && active == 0)
            break;
        curl_multi_poll(multi, NULL, 0, POLL_SLICE_MS, NULL);
    }
    curl_multi_cleanup(multi);
    free(transfers);
}

/* http_batch_run as a stream: every call at once, until all have ended. */
typedef struct batch_cursor {
    http_call *calls;
    size_t n;
    size_t next;
    size_t ended;
} batch_cursor;

static http_call *batch_next(void *ctx)
{
    batch_cursor *b = ctx;
    return b->next < b->n ? &b->calls[b->next++] : NULL;
}

static void batch_done(void *ctx, http_call *call)
{
    (void)call;
    batch_cursor *b = ctx;
    b->ended++;
}

static bool batch_keep_going(void *ctx, size_t in_flight)
{
    (void)in_flight;
    batch_cursor *b = ctx;
    return b->ended < b->n;
}

void http_batch_run(const char *base_url, http_call *calls, size_t n, const atomic_bool *cancel)
{
    if (n == 0)
        return;
    batch_cursor cursor = { calls, n, 0, 0 };
    http_stream stream = { n, batch_next, batch_done, batch_keep_going, &cursor };
    http_stream_run(base_url, &stream, cancel);
    /* calls never started (cancelled before their turn) */
    for (size_t i = cursor.next; i < n; i++) {
        reset_call(&calls[i]);
        snprintf(calls[i].error, sizeof calls[i].error, "cancelled");
    }
}
