/* http.c: one-shot libcurl requests with a deadline for tests; see http.h. */
#include "http.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

typedef struct {
    char *data;
    size_t len;
} body_buf;

static size_t on_body(char *data, size_t size, size_t nmemb, void *userdata)
{
    body_buf *b = userdata;
    size_t n = size * nmemb;
    char *p = realloc(b->data, b->len + n + 1);
    if (!p)
        return 0;
    memcpy(p + b->len, data, n);
    b->data = p;
    b->len += n;
    p[b->len] = '\0';
    return n;
}

static size_t on_header(char *data, size_t size, size_t nitems, void *userdata)
{
    tp_response *r = userdata;
    size_t n = size * nitems;
    if (n > 6 && strncasecmp(data, "Allow:", 6) == 0) {
        size_t v = n - 6;
        const char *p = data + 6;
        while (v && *p == ' ') {
            p++;
            v--;
        }
        while (v && (p[v - 1] == '\r' || p[v - 1] == '\n'))
            v--;
        if (v >= sizeof r->allow)
            v = sizeof r->allow - 1;
        memcpy(r->allow, p, v);
        r->allow[v] = '\0';
    }
    return n;
}

int tp_http(const char *method, const char *url, const char *const *headers, const char *body,
            size_t body_len, int timeout_ms, tp_response *out)
{
    memset(out, 0, sizeof *out);
    CURL *e = curl_easy_init();
    if (!e)
        return -1;
    body_buf b = {NULL, 0};
    struct curl_slist *h = NULL;
    for (size_t i = 0; headers && headers[i]; i++)
        h = curl_slist_append(h, headers[i]);
    h = curl_slist_append(h, "Expect:");
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    if (body) {
        curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
    } else if (!strcmp(method, "GET") || !strcmp(method, "HEAD")) {
        curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
        curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, method);
    }
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(e, CURLOPT_HEADERDATA, out);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)timeout_ms);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(e);
    out->curl_code = (int)rc;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &out->status);
    curl_easy_getinfo(e, CURLINFO_TOTAL_TIME, &out->seconds);
    char *ct = NULL;
    curl_easy_getinfo(e, CURLINFO_CONTENT_TYPE, &ct);
    if (ct) {
        strncpy(out->content_type, ct, sizeof out->content_type - 1);
    }
    out->timed_out = rc == CURLE_OPERATION_TIMEDOUT;
    out->body = b.data ? b.data : calloc(1, 1);
    out->body_len = b.len;
    curl_slist_free_all(h);
    curl_easy_cleanup(e);
    return rc == CURLE_OK || (out->status > 0 && rc != CURLE_OPERATION_TIMEDOUT) ? 0 : -1;
}

void tp_response_free(tp_response *r)
{
    free(r->body);
    r->body = NULL;
}
