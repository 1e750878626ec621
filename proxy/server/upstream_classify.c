/* upstream_classify.c: the verdict on one upstream answer; see upstream_classify.h. */
#include "server/upstream_classify.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <string.h>

/* 1 when needle occurs in body[0..len) (the body need not be NUL-terminated). */
static int body_contains(const char *body, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; body && n <= len && i <= len - n; i++) {
        if (memcmp(body + i, needle, n) == 0)
            return 1;
    }
    return 0;
}

void upstream_error_message(const char *body, size_t body_len, char *out, size_t out_size)
{
    out[0] = '\0';
    if (!body || !body_len)
        return;
    cJSON *j = cJSON_ParseWithLength(body, body_len);
    const cJSON *m = j ? cJSON_GetObjectItemCaseSensitive(j, "message") : NULL;
    if (!cJSON_IsString(m) && j)
        m = cJSON_GetObjectItemCaseSensitive(j, "Message");
    const cJSON *reason = j ? cJSON_GetObjectItemCaseSensitive(j, "reason") : NULL;
    if (cJSON_IsString(m))
        snprintf(out, out_size, "%.300s%s%.60s", m->valuestring,
                 cJSON_IsString(reason) ? " reason=" : "",
                 cJSON_IsString(reason) ? reason->valuestring : "");
    else
        snprintf(out, out_size, "%.*s", (int)(body_len < 300 ? body_len : 300), body);
    cJSON_Delete(j);
    for (char *p = out; *p; p++)
        if ((unsigned char)*p < 0x20)
            *p = ' ';
}

int upstream_is_quota_error(long status, const char *body, size_t body_len)
{
    if (status == 402)
        return 1;
    if (status != 403 && status != 429)
        return 0;
    return body_contains(body, body_len, "MONTHLY_REQUEST_COUNT") ||
           body_contains(body, body_len, "QUOTA_EXCEEDED") ||
           body_contains(body, body_len, "ServiceQuotaExceeded");
}

static void classify_fail_over(long status, upstream_answer_class *out)
{
    out->verdict = UPSTREAM_VERDICT_FAIL_OVER;
    if (out->quota) {
        out->outcome = CRED_OUTCOME_QUOTA;
        api_error_set(&out->error, 429, "rate_limit_error",
                      "Kiro quota exhausted on every usable credential: %s", out->message);
    } else {
        out->outcome = CRED_OUTCOME_AUTH_FAILED;
        api_error_set(&out->error, 502, "api_error",
                      "every usable Kiro credential was rejected (HTTP %ld): %s; tokens are "
                      "being refreshed",
                      status, out->message);
    }
}

static void classify_retry(long status, upstream_answer_class *out)
{
    out->verdict = UPSTREAM_VERDICT_RETRY;
    out->outcome = CRED_OUTCOME_TRANSIENT;
    const char *msg = out->message;
    if (status == 429)
        api_error_set(&out->error, 429, "rate_limit_error", "upstream throttled the request: %s",
                      msg);
    else if (status == 0)
        api_error_set(&out->error, 502, "api_error", "upstream unreachable: %s", msg);
    else if (status == 408)
        api_error_set(&out->error, 504, "timeout_error", "upstream timed out (408): %s", msg);
    else if (status == 503)
        api_error_set(&out->error, 529, "overloaded_error", "upstream error %ld: %s", status, msg);
    else
        api_error_set(&out->error, 502, "api_error", "upstream error %ld: %s", status, msg);
}

static void classify_fatal(long status, upstream_answer_class *out)
{
    out->verdict = UPSTREAM_VERDICT_FATAL;
    out->outcome = CRED_OUTCOME_OK; /* the request was at fault, not the credential */
    if (status == 400)
        api_error_set(&out->error, 400, "invalid_request_error",
                      "the upstream rejected the request: %s", out->message);
    else
        api_error_set(&out->error, 502, "api_error", "unexpected upstream status %ld: %s", status,
                      out->message);
}

upstream_verdict upstream_classify(long status, const char *body, size_t body_len,
                                   const char *transport_error, upstream_answer_class *out)
{
    memset(out, 0, sizeof *out);
    out->outcome = CRED_OUTCOME_OK;
    if (status == 200) {
        out->verdict = UPSTREAM_VERDICT_OK;
        return out->verdict;
    }
    if (status)
        upstream_error_message(body, body_len, out->message, sizeof out->message);
    else
        snprintf(out->message, sizeof out->message, "%s", transport_error ? transport_error : "");
    out->quota = upstream_is_quota_error(status, body, body_len);
    if (out->quota || status == 401 || status == 403)
        classify_fail_over(status, out);
    else if (status == 0 || status == 408 || status == 429 || status >= 500)
        classify_retry(status, out);
    else
        classify_fatal(status, out);
    return out->verdict;
}
