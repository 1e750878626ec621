/* api_error.c: client-facing errors in the Anthropic and OpenAI shapes; see api_error.h. */
#include "util/api_error.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "util/buf.h"
#include "util/utf8.h"

/* Rewrites the C string s (buffer of cap bytes) as valid UTF-8: every invalid sequence becomes
 * U+FFFD, and the text is cut at a character boundary where the replacements do not fit. An
 * error message may quote client input (a model name, a path): the error body must still be
 * valid UTF-8 JSON. */
static void utf8_make_valid(char *s, size_t cap)
{
    size_t len = strlen(s);
    kbuf clean;
    kbuf_init(&clean, 3 * len + 1);
    if (utf8_sanitize_append(&clean, s, len) != KBUF_OK || !clean.data) {
        kbuf_free(&clean);
        s[0] = '\0'; /* out of memory: no message rather than an invalid one */
        return;
    }
    size_t keep = utf8_truncate(clean.data, clean.len, cap - 1);
    memcpy(s, clean.data, keep);
    s[keep] = '\0';
    kbuf_free(&clean);
}

int api_error_set(api_error *e, int status, const char *type, const char *fmt, ...)
{
    if (!e)
        return -1;
    e->status = status;
    snprintf(e->type, sizeof e->type, "%s", type ? type : api_error_type_for_status(status));
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(e->message, sizeof e->message, fmt, ap);
    va_end(ap);
    utf8_make_valid(e->message, sizeof e->message);
    return -1;
}

const char *api_error_type_for_status(int status)
{
    switch (status) {
    case 400: case 405: case 413: case 414: case 431: return "invalid_request_error";
    case 401: return "authentication_error";
    case 403: return "permission_error";
    case 404: return "not_found_error";
    case 408: case 504: return "timeout_error";
    case 429: return "rate_limit_error";
    case 503: case 529: return "overloaded_error";
    default: return "api_error";
    }
}

char *api_error_anthropic_json(const api_error *e)
{
    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "type", "error");
    cJSON *err = cJSON_AddObjectToObject(root, "error");
    cJSON_AddStringToObject(err, "type", e->type);
    cJSON_AddStringToObject(err, "message", e->message);
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}

char *api_error_openai_json(const api_error *e)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *err = cJSON_AddObjectToObject(root, "error");
    cJSON_AddStringToObject(err, "message", e->message);
    cJSON_AddStringToObject(err, "type", e->type);
    if (e->status >= 400) {
        char code[16];
        snprintf(code, sizeof code, "%d", e->status);
        cJSON_AddStringToObject(err, "code", code);
    } else {
        cJSON_AddNullToObject(err, "code");
    }
    cJSON_AddNullToObject(err, "param");
    char *s = cJSON_PrintUnformatted(root);
    cJSON_Delete(root);
    return s;
}
