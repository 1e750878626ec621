/* api_error.c: client-facing errors in the Anthropic and OpenAI shapes; see api_error.h. */
#include "util/api_error.h"

#include <cjson/cJSON.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

/* Length of the valid UTF-8 sequence at s[0..len) (RFC 3629: no overlong forms, no
 * surrogates, nothing past U+10FFFF), or 0 when it is not one. */
static size_t utf8_sequence(const unsigned char *s, size_t len)
{
    if (s[0] < 0x80)
        return 1;
    size_t n = s[0] >= 0xc2 && s[0] <= 0xdf ? 2 : s[0] >= 0xe0 && s[0] <= 0xef ? 3
             : s[0] >= 0xf0 && s[0] <= 0xf4 ? 4 : 0;
    if (n == 0 || n > len)
        return 0;
    for (size_t i = 1; i < n; i++)
        if ((s[i] & 0xc0) != 0x80)
            return 0;
    if ((s[0] == 0xe0 && s[1] < 0xa0) || (s[0] == 0xed && s[1] > 0x9f) ||
        (s[0] == 0xf0 && s[1] < 0x90) || (s[0] == 0xf4 && s[1] > 0x8f))
        return 0;
    return n;
}

/* Rewrites the C string s (buffer of cap bytes) as valid UTF-8: every invalid byte becomes
 * U+FFFD, and the text is cut at a character boundary where the replacements do not fit. An
 * error message may quote client input (a model name, a path): the error body must still be
 * valid UTF-8 JSON. (To move to util/utf8 once that module lands.) */
static void utf8_make_valid(char *s, size_t cap)
{
    char clean[sizeof ((api_error *)0)->message];
    size_t in_len = strlen(s), out = 0;
    for (size_t i = 0; i < in_len;) {
        size_t n = utf8_sequence((const unsigned char *)s + i, in_len - i);
        const char *piece = n ? s + i : "\xef\xbf\xbd";
        size_t piece_len = n ? n : 3;
        if (out + piece_len >= sizeof clean || out + piece_len >= cap)
            break;
        memcpy(clean + out, piece, piece_len);
        out += piece_len;
        i += n ? n : 1;
    }
    memcpy(s, clean, out);
    s[out] = '\0';
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
