/* fk_http.c: libcurl requests and /__fake/stats helpers for tests; see fk_http.h. */
#include "fk_http.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "util/clock.h"

#define BODY_CAP (64u * 1024u * 1024u)

void fk_response_init(fk_response *r)
{
    memset(r, 0, sizeof *r);
    kbuf_init(&r->body, BODY_CAP);
}

void fk_response_free(fk_response *r)
{
    kbuf_free(&r->body);
}

static size_t on_body(char *data, size_t size, size_t count, void *user)
{
    fk_response *r = user;
    size_t n = size * count;
    if (kbuf_append(&r->body, data, n) != KBUF_OK)
        return 0;
    if (r->abort_after && r->body.len >= r->abort_after)
        return 0; /* makes curl fail the transfer and close the connection */
    return n;
}

static void copy_header_value(const char *line, size_t len, size_t name_len, char *out,
                              size_t out_size)
{
    const char *v = line + name_len;
    size_t n = len - name_len;
    while (n > 0 && (*v == ' ' || *v == '\t')) {
        v++;
        n--;
    }
    while (n > 0 && (v[n - 1] == '\r' || v[n - 1] == '\n' || v[n - 1] == ' '))
        n--;
    if (n >= out_size)
        n = out_size - 1;
    memcpy(out, v, n);
    out[n] = '\0';
}

static size_t on_header(char *line, size_t size, size_t count, void *user)
{
    fk_response *r = user;
    size_t len = size * count;
    static const struct {
        const char *name;
        size_t offset;
        size_t size;
    } wanted[] = {
        {"X-Fake-Reason:", offsetof(fk_response, reason), sizeof(((fk_response *)0)->reason)},
        {"Content-Type:", offsetof(fk_response, content_type),
         sizeof(((fk_response *)0)->content_type)},
        {"x-amzn-ErrorType:", offsetof(fk_response, error_type),
         sizeof(((fk_response *)0)->error_type)},
    };
    for (size_t i = 0; i < sizeof wanted / sizeof wanted[0]; i++) {
        size_t name_len = strlen(wanted[i].name);
        if (len >= name_len && strncasecmp(line, wanted[i].name, name_len) == 0)
            copy_header_value(line, len, name_len, (char *)r + wanted[i].offset, wanted[i].size);
    }
    return len;
}

static const char *const api_identity[] = {
    "x-amz-user-agent: aws-sdk-js/1.0.27 KiroIDE-1.6.0-" FK_TEST_MACHINE_ID,
    "User-Agent: aws-sdk-js/1.0.27 ua/2.1 os/linux#6.1.0 lang/js md/nodejs#22.21.1 "
    "api/codewhispererstreaming#1.0.27 m/E KiroIDE-1.6.0-" FK_TEST_MACHINE_ID,
    NULL};
static const char *const social_identity[] = {"User-Agent: KiroIDE-1.6.0-" FK_TEST_MACHINE_ID,
                                              NULL};
static const char *const idc_identity[] = {
    "x-amz-user-agent: aws-sdk-js/3.738.0 ua/2.1 os/other lang/js md/browser#unknown_unknown "
    "api/sso-oidc#3.738.0 m/E KiroIDE",
    "User-Agent: node", NULL};
static const char *const no_identity[] = {NULL};

/* 1 when the path of url (before any '?') ends with suffix. */
static int path_ends_with(const char *url, const char *suffix)
{
    size_t n = strcspn(url, "?"), m = strlen(suffix);
    return n >= m && strncmp(url + n - m, suffix, m) == 0;
}

const char *const *fk_default_identity(const char *url)
{
    if (strstr(url, "/__fake/"))
        return no_identity;
    if (path_ends_with(url, "/refreshToken"))
        return social_identity;
    if (path_ends_with(url, "/token"))
        return idc_identity;
    return api_identity;
}

CURLcode fk_http(fk_response *r, const char *method, const char *url, const char *bearer,
                 const char *body, long timeout_ms)
{
    CURL *curl = curl_easy_init();
    if (!curl)
        return r->curl_code = CURLE_FAILED_INIT;
    struct curl_slist *headers = NULL;
    char auth[512];
    if (bearer) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", bearer);
        headers = curl_slist_append(headers, auth);
    }
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Expect:");
    const char *const *identity = r->identity ? r->identity : fk_default_identity(url);
    for (size_t i = 0; identity[i]; i++)
        headers = curl_slist_append(headers, identity[i]);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, r);
    curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(curl, CURLOPT_HEADERDATA, r);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, timeout_ms);
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    if (strcmp(method, "POST") == 0) {
        curl_easy_setopt(curl, CURLOPT_POST, 1L);
        curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body ? body : "");
        curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(body ? strlen(body) : 0));
    } else if (strcmp(method, "GET") != 0) {
        curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
    }
    r->curl_code = curl_easy_perform(curl);
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &r->status);
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    return r->curl_code;
}

CURLcode fk_post(fk_response *r, const char *base_url, const char *path, const char *body)
{
    char url[512];
    snprintf(url, sizeof url, "%s%s", base_url, path);
    return fk_http(r, "POST", url, "test-token", body, FK_HTTP_TIMEOUT_MS);
}

cJSON *fk_response_json(const fk_response *r)
{
    return r->body.data ? cJSON_ParseWithLength(r->body.data, r->body.len) : NULL;
}

long fk_stat(const char *base_url, const char *name)
{
    char url[512];
    snprintf(url, sizeof url, "%s/__fake/stats", base_url);
    fk_response r;
    fk_response_init(&r);
    long value = -1;
    if (fk_http(&r, "GET", url, NULL, NULL, 5000) == CURLE_OK && r.status == 200) {
        cJSON *root = fk_response_json(&r);
        const cJSON *node = root;
        char key[128];
        snprintf(key, sizeof key, "%s", name);
        for (char *part = key, *dot; node && part; part = dot ? dot + 1 : NULL) {
            dot = strchr(part, '.');
            if (dot)
                *dot = '\0';
            node = cJSON_GetObjectItemCaseSensitive(node, part);
        }
        if (cJSON_IsNumber(node))
            value = (long)node->valuedouble;
        cJSON_Delete(root);
    }
    fk_response_free(&r);
    return value;
}

int fk_wait_stat(const char *base_url, const char *name, long want, int timeout_ms)
{
    int64_t deadline = clock_monotonic_ms() + timeout_ms;
    for (;;) {
        if (fk_stat(base_url, name) == want)
            return 0;
        if (clock_monotonic_ms() >= deadline)
            return -1;
        sleep_ms(5);
    }
}

long fk_set_faults(const char *base_url, const char *json)
{
    char url[512];
    snprintf(url, sizeof url, "%s/__fake/faults", base_url);
    fk_response r;
    fk_response_init(&r);
    fk_http(&r, "POST", url, NULL, json, 5000);
    long status = r.status;
    fk_response_free(&r);
    return status;
}
