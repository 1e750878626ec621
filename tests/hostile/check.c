/* check.c: response judgement and process probes; see check.h. */
#include "check.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/wait.h>
#include <time.h>

static int fail(char *why, size_t why_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int fail(char *why, size_t why_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, why_size, fmt, ap);
    va_end(ap);
    return -1;
}

static const char *string_at(const cJSON *o, const char *key)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

int hc_check_anthropic_error(const char *body, const char *type, char *why, size_t why_size)
{
    cJSON *j = cJSON_Parse(body);
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
    const char *top = string_at(j, "type");
    const char *etype = string_at(err, "type");
    int rc = 0;
    if (!j || !top || strcmp(top, "error") != 0 || !cJSON_IsObject(err) || !etype ||
        !string_at(err, "message"))
        rc = fail(why, why_size, "not an Anthropic error: %.200s", body);
    else if (type && *type && strcmp(etype, type) != 0)
        rc = fail(why, why_size, "error.type %s, expected %s", etype, type);
    cJSON_Delete(j);
    return rc;
}

int hc_check_openai_error(const char *body, const char *type, char *why, size_t why_size)
{
    cJSON *j = cJSON_Parse(body);
    const cJSON *err = cJSON_GetObjectItemCaseSensitive(j, "error");
    const char *etype = string_at(err, "type");
    int rc = 0;
    if (!j || !cJSON_IsObject(err) || !string_at(err, "message") || !etype ||
        cJSON_GetObjectItemCaseSensitive(j, "type"))
        rc = fail(why, why_size, "not an OpenAI error: %.200s", body);
    else if (type && *type && strcmp(etype, type) != 0)
        rc = fail(why, why_size, "error.type %s, expected %s", etype, type);
    cJSON_Delete(j);
    return rc;
}

/* 1 when s[0..len) is valid UTF-8 (RFC 3629). */
static int valid_utf8(const unsigned char *s, size_t len)
{
    for (size_t i = 0; i < len;) {
        unsigned char c = s[i];
        size_t n = c < 0x80 ? 1 : c >= 0xc2 && c <= 0xdf ? 2 : c >= 0xe0 && c <= 0xef ? 3
                 : c >= 0xf0 && c <= 0xf4 ? 4 : 0;
        if (n == 0 || i + n > len)
            return 0;
        for (size_t k = 1; k < n; k++)
            if ((s[i + k] & 0xc0) != 0x80)
                return 0;
        if (n > 1 && ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] > 0x9f) ||
                      (c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] > 0x8f)))
            return 0;
        i += n;
    }
    return 1;
}

/* Every JSON answer must be valid UTF-8 (an error message may quote client input). */
static int check_json_type(const rh_response *r, char *why, size_t why_size)
{
    if (!valid_utf8((const unsigned char *)r->body, r->body_len))
        return fail(why, why_size, "the body is not valid UTF-8: %.200s", r->body);
    char ct[128];
    if (!rh_header(r, "Content-Type", ct, sizeof ct) || strncasecmp(ct, "application/json", 16))
        return fail(why, why_size, "Content-Type %s, expected application/json",
                    rh_header(r, "Content-Type", ct, sizeof ct) ? ct : "(none)");
    return 0;
}

int hc_check_response(const hc_case *c, const rh_response *r, char *why, size_t why_size)
{
    if (c->expect_status == 0) {
        if (r->status != 0 || !r->peer_closed || r->timed_out)
            return fail(why, why_size, "expected the connection closed without an answer; got "
                        "status %d%s", r->status, r->timed_out ? " (timed out)" : "");
        return 0;
    }
    if (r->status != c->expect_status)
        return fail(why, why_size, "status %d, expected %d%s%s; body: %.200s", r->status,
                    c->expect_status, r->timed_out ? " (timed out)" : "",
                    r->connect_failed ? " (connect failed)" : "", r->body ? r->body : "");
    if (!r->complete)
        return fail(why, why_size, "incomplete response (%s)",
                    r->timed_out ? "timed out" : "connection closed early");
    if (c->expect_close) {
        char conn[64];
        if (!rh_header(r, "Connection", conn, sizeof conn) || strcasecmp(conn, "close") != 0)
            return fail(why, why_size, "no Connection: close on the answer");
        if (r->extra_bytes)
            return fail(why, why_size, "%zu bytes after the answer (a second response): %.200s",
                        r->extra_bytes, r->body ? r->body : "");
        if (!r->peer_closed)
            return fail(why, why_size, "the server kept the connection open after the answer");
    }
    switch (c->expect_shape) {
    case HC_SHAPE_NONE:
        return 0;
    case HC_SHAPE_ANTHROPIC:
        return check_json_type(r, why, why_size) ||
                       hc_check_anthropic_error(r->body, c->expect_type, why, why_size)
                   ? -1
                   : 0;
    case HC_SHAPE_OPENAI:
        return check_json_type(r, why, why_size) ||
                       hc_check_openai_error(r->body, c->expect_type, why, why_size)
                   ? -1
                   : 0;
    case HC_SHAPE_JSON: {
        if (check_json_type(r, why, why_size) != 0)
            return -1;
        cJSON *j = cJSON_Parse(r->body);
        int ok = cJSON_IsObject(j) && !cJSON_GetObjectItemCaseSensitive(j, "error");
        cJSON_Delete(j);
        return ok ? 0 : fail(why, why_size, "not a JSON success object: %.200s", r->body);
    }
    case HC_SHAPE_SSE:
        if (!strstr(r->body, "event: message_start") || !strstr(r->body, "event: message_stop"))
            return fail(why, why_size, "not a complete Anthropic event stream: %.200s", r->body);
        return 0;
    }
    return fail(why, why_size, "unknown shape");
}

int hc_pid_alive(pid_t pid)
{
    if (pid <= 0 || kill(pid, 0) != 0)
        return 0;
    int st;
    pid_t w = waitpid(pid, &st, WNOHANG);
    return w == 0 || (w < 0 && errno == ECHILD); /* ECHILD: not our child, but it exists */
}

int hc_wait_exited(pid_t pid, int timeout_ms, int *exit_code)
{
    struct timespec pause = {0, 10 * 1000000L};
    for (int waited = 0; waited <= timeout_ms; waited += 10) {
        siginfo_t info;
        memset(&info, 0, sizeof info);
        if (waitid(P_PID, (id_t)pid, &info, WEXITED | WNOHANG | WNOWAIT) == 0 &&
            info.si_pid == pid) {
            *exit_code = info.si_code == CLD_EXITED ? info.si_status : -info.si_status;
            return 0;
        }
        nanosleep(&pause, NULL); /* polling interval of a bounded wait */
    }
    return -1;
}

long hc_rss_kib(pid_t pid, int peak)
{
    char path[64], line[256];
    snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    const char *key = peak ? "VmHWM:" : "VmRSS:";
    long kib = -1;
    while (fgets(line, sizeof line, f))
        if (strncmp(line, key, strlen(key)) == 0) {
            kib = strtol(line + strlen(key), NULL, 10);
            break;
        }
    fclose(f);
    return kib;
}
