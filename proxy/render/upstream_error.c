/* upstream_error.c: upstream exception types to client-facing errors; see upstream_error.h.
 *
 * AWS sometimes qualifies the type ("com.amazon.aws.codewhisperer#ThrottlingException") or
 * appends details after a colon; only the bare name is compared. */
#include "render/upstream_error.h"

#include <stdio.h>
#include <string.h>

#include "util/utf8.h"
#include "util/buf.h"

/* Room for the exception name and the quoted upstream message inside api_error.message
 * (512 bytes): both are cut at a character boundary so the result stays valid UTF-8. */
#define UPSTREAM_NAME_MAX 64
#define UPSTREAM_MESSAGE_MAX 400

/* The bare exception name: after the last '#', before any ':'; at most out_size - 1 bytes. */
static void bare_name(const char *type, char *out, size_t out_size)
{
    const char *hash = type ? strrchr(type, '#') : NULL;
    const char *start = hash ? hash + 1 : (type ? type : "");
    size_t len = strcspn(start, ":");
    if (len >= out_size)
        len = out_size - 1;
    memcpy(out, start, len);
    out[len] = '\0';
}

int upstream_exception_is_length_limit(const char *exception_type)
{
    char name[128];
    bare_name(exception_type, name, sizeof name);
    return strcmp(name, "ContentLengthExceededException") == 0;
}

static int mentions_quota(const char *name, const char *message)
{
    return strstr(name, "Quota") || strstr(name, "quota") ||
           (message && (strstr(message, "MONTHLY_REQUEST_COUNT") || strstr(message, "quota") ||
                        strstr(message, "Quota")));
}

static int status_for(const char *name, const char *message)
{
    if (strcmp(name, "ThrottlingException") == 0 || mentions_quota(name, message))
        return 429;
    if (strcmp(name, "ValidationException") == 0)
        return 400;
    if (strcmp(name, "AccessDeniedException") == 0)
        return 403;
    if (strcmp(name, "InternalServerException") == 0 ||
        strcmp(name, "ServiceUnavailableException") == 0)
        return 529;
    return 502;
}

static const char *type_for(int status)
{
    switch (status) {
    case 429: return "rate_limit_error";
    case 400: return "invalid_request_error";
    case 403: return "permission_error";
    case 529: return "overloaded_error";
    default: return "api_error";
    }
}

/* Copies at most max bytes of valid UTF-8 made from the start of s into out (NUL-terminated;
 * out_size must exceed 3 * max). */
static void clean_prefix(const char *s, size_t max, char *out, size_t out_size)
{
    size_t len = strnlen(s, max);
    kbuf clean = KBUF_INIT(out_size - 1);
    out[0] = '\0';
    if (utf8_sanitize_append(&clean, s, len) == KBUF_OK && clean.data) {
        size_t keep = utf8_truncate(clean.data, clean.len, max);
        memcpy(out, clean.data, keep);
        out[keep] = '\0';
    }
    kbuf_free(&clean);
}

int upstream_exception_to_error(api_error *e, const char *exception_type, const char *message)
{
    char name[128];
    bare_name(exception_type, name, sizeof name);
    char shown_name[UPSTREAM_NAME_MAX * 3 + 1];
    clean_prefix(name[0] ? name : "UnknownError", UPSTREAM_NAME_MAX, shown_name,
                 sizeof shown_name);
    char shown_message[UPSTREAM_MESSAGE_MAX * 3 + 1];
    clean_prefix(message ? message : "", UPSTREAM_MESSAGE_MAX, shown_message,
                 sizeof shown_message);
    int status = status_for(name, message);
    if (shown_message[0])
        return api_error_set(e, status, type_for(status), "upstream %s: %s", shown_name,
                             shown_message);
    return api_error_set(e, status, type_for(status), "upstream %s", shown_name);
}
