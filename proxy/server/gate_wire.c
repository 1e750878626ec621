/* gate_wire.c: the front gate's own answers and its reading of libmicrohttpd's; see
 * gate_wire.h. */
#include "server/gate_wire.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/api_error.h"
#include "util/random.h"

int gate_request_is_openai(const char *buf, size_t len)
{
    const char *sp = memchr(buf, ' ', len);
    if (!sp)
        return 0;
    const char *t = sp + 1;
    size_t n = len - (size_t)(t - buf);
    size_t skip = 0;
    if (n > 7 && strncasecmp(t, "http://", 7) == 0)
        skip = 7;
    else if (n > 8 && strncasecmp(t, "https://", 8) == 0)
        skip = 8;
    if (skip) {
        const char *slash = memchr(t + skip, '/', n - skip);
        if (!slash)
            return 0;
        n -= (size_t)(slash - t);
        t = slash;
    }
    return n >= 9 && memcmp(t, "/v1/chat/", 9) == 0;
}

char *gate_error_response(int status, const char *message, int openai, int head_only, size_t *len)
{
    api_error e;
    api_error_set(&e, status, status == 413 ? "request_too_large" : NULL, "%s", message);
    char *body = openai ? api_error_openai_json(&e) : api_error_anthropic_json(&e);
    if (!body)
        return NULL;
    char id[40];
    random_id("req_", id, sizeof id);
    size_t body_len = strlen(body);
    char head[512];
    int n = snprintf(head, sizeof head,
                     "HTTP/1.1 %d %s\r\n"
                     "Content-Type: application/json\r\n"
                     "Content-Length: %zu\r\n"
                     "Connection: close\r\n"
                     "request-id: %s\r\n"
                     "\r\n",
                     status, http_reason_phrase(status), body_len, id);
    size_t total = (size_t)n + (head_only ? 0 : body_len);
    char *out = malloc(total + 1);
    if (out) {
        memcpy(out, head, (size_t)n);
        if (!head_only)
            memcpy(out + n, body, body_len);
        out[total] = '\0';
        *len = total;
    }
    cJSON_free(body);
    return out;
}

static int name_is(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len == n && strncasecmp(s, lit, n) == 0;
}

int gate_parse_response_head(const char *buf, size_t len, size_t max, int request_was_head,
                             response_info *info)
{
    memset(info, 0, sizeof *info);
    size_t scan = len < max ? len : max;
    const char *end = NULL;
    for (size_t i = 0; i + 3 < scan; i++)
        if (buf[i] == '\r' && buf[i + 1] == '\n' && buf[i + 2] == '\r' && buf[i + 3] == '\n') {
            end = buf + i;
            break;
        }
    if (!end)
        return len >= max ? -1 : 0;
    info->head_len = (size_t)(end - buf) + 4;
    if (end - buf < 12 || memcmp(buf, "HTTP/1.", 7) != 0 || buf[8] != ' ')
        return -1;
    int status = 0;
    for (int i = 9; i < 12; i++) {
        if (buf[i] < '0' || buf[i] > '9')
            return -1;
        status = status * 10 + (buf[i] - '0');
    }
    info->status = status;
    int chunked = 0, has_length = 0;
    const char *p = memchr(buf, '\n', (size_t)(end - buf));
    while (p && p < end) {
        const char *line = p + 1;
        const char *eol = memchr(line, '\r', (size_t)(end + 2 - line));
        if (!eol)
            break;
        const char *colon = memchr(line, ':', (size_t)(eol - line));
        if (colon) {
            const char *v = colon + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            size_t name_len = (size_t)(colon - line), v_len = (size_t)(eol - v);
            if (name_is(line, name_len, "request-id")) {
                info->has_request_id = 1;
            } else if (name_is(line, name_len, "Content-Length")) {
                uint64_t n = 0;
                for (size_t k = 0; k < v_len && v[k] >= '0' && v[k] <= '9'; k++)
                    n = n * 10 + (uint64_t)(v[k] - '0');
                info->content_length = n;
                has_length = 1;
            } else if (name_is(line, name_len, "Transfer-Encoding")) {
                chunked = v_len >= 7 && strncasecmp(v + v_len - 7, "chunked", 7) == 0;
            } else if (name_is(line, name_len, "Connection")) {
                info->connection_close = v_len >= 5 && strncasecmp(v, "close", 5) == 0;
            }
        }
        p = eol + 1;
    }
    if (status < 200 || status == 204 || status == 304 || request_was_head)
        info->framing = BODY_NONE;
    else if (chunked)
        info->framing = BODY_CHUNKED;
    else if (has_length)
        info->framing = BODY_LENGTH;
    else
        info->framing = BODY_UNTIL_CLOSE;
    return 1;
}
