/* corpus.c: parsing of cases.txt and request construction; see corpus.h. */
#include "corpus.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_EXPANSION (64u * 1024u * 1024u)

static int bytes_add(hc_bytes *b, const void *p, size_t n)
{
    if (b->len + n > MAX_EXPANSION)
        return -1;
    char *grown = realloc(b->data, b->len + n + 1);
    if (!grown)
        return -1;
    memcpy(grown + b->len, p, n);
    b->data = grown;
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

static int hex_value(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    ch = tolower(ch);
    return ch >= 'a' && ch <= 'f' ? ch - 'a' + 10 : -1;
}

/* Escapes only, over text[0..len). */
static int expand_escapes(const char *text, size_t len, hc_bytes *out)
{
    for (size_t i = 0; i < len; i++) {
        char ch = text[i];
        if (ch != '\\' || i + 1 >= len) {
            if (bytes_add(out, &ch, 1) != 0)
                return -1;
            continue;
        }
        char e = text[++i];
        char v;
        switch (e) {
        case 'n': v = '\n'; break;
        case 'r': v = '\r'; break;
        case 't': v = '\t'; break;
        case '0': v = '\0'; break;
        case '\\': v = '\\'; break;
        case '<': v = '<'; break;
        case 'x': {
            int hi = i + 1 < len ? hex_value(text[i + 1]) : -1;
            int lo = i + 2 < len ? hex_value(text[i + 2]) : -1;
            if (hi < 0 || lo < 0)
                return -1;
            v = (char)(hi * 16 + lo);
            i += 2;
            break;
        }
        default:
            return -1;
        }
        if (bytes_add(out, &v, 1) != 0)
            return -1;
    }
    return 0;
}

/* "100000", "15Mi", "100Ki" -> count; -1 when malformed. */
static long long parse_count(const char *s, size_t len)
{
    long long n = 0;
    size_t i = 0;
    for (; i < len && isdigit((unsigned char)s[i]); i++)
        n = n * 10 + (s[i] - '0');
    if (i == 0 || n > MAX_EXPANSION)
        return -1;
    if (i == len)
        return n;
    if (len - i == 2 && s[i + 1] == 'i' && (s[i] == 'K' || s[i] == 'M'))
        return n * (s[i] == 'K' ? 1024LL : 1024LL * 1024LL);
    return -1;
}

int hc_expand(const char *text, hc_bytes *out)
{
    memset(out, 0, sizeof *out);
    if (bytes_add(out, "", 0) != 0)
        return -1;
    const char *p = text;
    for (;;) {
        const char *open = strstr(p, "<<");
        if (!open)
            return expand_escapes(p, strlen(p), out);
        if (expand_escapes(p, (size_t)(open - p), out) != 0)
            return -1;
        const char *close = strstr(open + 2, ">>");
        if (!close)
            return -1;
        const char *star = NULL;
        for (const char *q = open + 2; q < close; q++)
            if (*q == '*')
                star = q;
        if (!star)
            return -1;
        long long count = parse_count(star + 1, (size_t)(close - star - 1));
        hc_bytes unit = {0};
        if (count < 0 || expand_escapes(open + 2, (size_t)(star - open - 2), &unit) != 0 ||
            unit.len == 0 || (unsigned long long)count * unit.len > MAX_EXPANSION) {
            free(unit.data);
            return -1;
        }
        /* One allocation, then doubling copies: 15 MiB of one byte is a few memcpy calls. */
        size_t total = unit.len * (size_t)count, start = out->len;
        int rc = 0;
        if (total) {
            char *grown = realloc(out->data, start + total + 1);
            if (!grown)
                rc = -1;
            else {
                out->data = grown;
                memcpy(out->data + start, unit.data, unit.len);
                size_t have = unit.len;
                while (have < total) {
                    size_t n = have < total - have ? have : total - have;
                    memcpy(out->data + start + have, out->data + start, n);
                    have += n;
                }
                out->len = start + total;
                out->data[out->len] = '\0';
            }
        }
        free(unit.data);
        if (rc != 0)
            return -1;
        p = close + 2;
    }
}

static void set_err(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
}

static void case_free(hc_case *c)
{
    free(c->path.data);
    for (size_t i = 0; i < c->header_count; i++)
        free(c->headers[i].data);
    free(c->headers);
    free(c->body.data);
    free(c->raw.data);
    memset(c, 0, sizeof *c);
}

void hc_free(hc_case *cases, size_t count)
{
    for (size_t i = 0; i < count; i++)
        case_free(&cases[i]);
    free(cases);
}

static int parse_auth(const char *v, hc_auth *out)
{
    static const struct {
        const char *name;
        hc_auth auth;
    } table[] = {{"none", HC_AUTH_NONE},   {"api", HC_AUTH_API},
                 {"bearer", HC_AUTH_BEARER}, {"admin", HC_AUTH_ADMIN},
                 {"admin-bearer", HC_AUTH_ADMIN_BEARER}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(v, table[i].name) == 0) {
            *out = table[i].auth;
            return 0;
        }
    return -1;
}

static int parse_shape(const char *v, hc_shape *out)
{
    static const struct {
        const char *name;
        hc_shape shape;
    } table[] = {{"none", HC_SHAPE_NONE},   {"anthropic", HC_SHAPE_ANTHROPIC},
                 {"openai", HC_SHAPE_OPENAI}, {"json", HC_SHAPE_JSON},
                 {"sse", HC_SHAPE_SSE}};
    for (size_t i = 0; i < sizeof table / sizeof table[0]; i++)
        if (strcmp(v, table[i].name) == 0) {
            *out = table[i].shape;
            return 0;
        }
    return -1;
}

static int parse_frame(const char *v, hc_case *c)
{
    if (strcmp(v, "length") == 0)
        c->frame = HC_FRAME_LENGTH;
    else if (strcmp(v, "chunked") == 0)
        c->frame = HC_FRAME_CHUNKED;
    else if (strcmp(v, "none") == 0)
        c->frame = HC_FRAME_NONE;
    else if (strncmp(v, "declare ", 8) == 0) {
        char *end;
        c->frame = HC_FRAME_DECLARE;
        c->declared = strtoull(v + 8, &end, 10);
        return *end ? -1 : 0;
    } else
        return -1;
    return 0;
}

static int parse_expect(const char *v, hc_case *c)
{
    char shape[32] = "", type[64] = "";
    int n = sscanf(v, "%d %31s %63s", &c->expect_status, shape, type);
    if (n < 2 || (c->expect_status != 0 && (c->expect_status < 100 || c->expect_status > 599)) ||
        parse_shape(shape, &c->expect_shape) != 0)
        return -1;
    snprintf(c->expect_type, sizeof c->expect_type, "%s", n == 3 ? type : "");
    c->expect_shape_set = 1;
    return 0;
}

/* Appends the expansion of v to b. */
static int append_expanded(hc_bytes *b, const char *v)
{
    hc_bytes piece;
    if (hc_expand(v, &piece) != 0) {
        free(piece.data);
        return -1;
    }
    int rc = bytes_add(b, piece.data, piece.len);
    free(piece.data);
    return rc;
}

static int apply_line(hc_case *c, const char *key, const char *v)
{
    if (strcmp(key, "why") == 0) {
        snprintf(c->why, sizeof c->why, "%s", v);
        return 0;
    }
    if (strcmp(key, "method") == 0) {
        snprintf(c->method, sizeof c->method, "%s", v);
        return 0;
    }
    if (strcmp(key, "path") == 0) {
        free(c->path.data);
        memset(&c->path, 0, sizeof c->path);
        return append_expanded(&c->path, v);
    }
    if (strcmp(key, "header") == 0) {
        hc_bytes *grown = realloc(c->headers, (c->header_count + 1) * sizeof *grown);
        if (!grown)
            return -1;
        c->headers = grown;
        memset(&c->headers[c->header_count], 0, sizeof *grown);
        return append_expanded(&c->headers[c->header_count++], v);
    }
    if (strcmp(key, "body") == 0)
        return append_expanded(&c->body, v);
    if (strcmp(key, "raw") == 0) {
        c->has_raw = 1;
        return append_expanded(&c->raw, v);
    }
    if (strcmp(key, "auth") == 0)
        return parse_auth(v, &c->auth);
    if (strcmp(key, "frame") == 0)
        return parse_frame(v, c);
    if (strcmp(key, "expect") == 0)
        return parse_expect(v, c);
    if (strcmp(key, "halfclose") == 0) {
        c->half_close = strcmp(v, "yes") == 0;
        return c->half_close ? 0 : -1;
    }
    if (strcmp(key, "closes") == 0) {
        c->expect_close = strcmp(v, "yes") == 0;
        return c->expect_close ? 0 : -1;
    }
    return -1;
}

static int case_complete(const hc_case *c)
{
    return c->expect_shape_set && (c->has_raw || (c->method[0] && c->path.len));
}

int hc_load(const char *path, hc_case **cases_out, size_t *count_out, char *err,
            size_t err_size)
{
    *cases_out = NULL;
    *count_out = 0;
    FILE *f = fopen(path, "r");
    if (!f) {
        set_err(err, err_size, "cannot open %s", path);
        return -1;
    }
    hc_case *cases = NULL;
    size_t count = 0;
    char line[8192];
    int line_no = 0, rc = 0;
    while (rc == 0 && fgets(line, sizeof line, f)) {
        line_no++;
        size_t n = strlen(line);
        if (n == sizeof line - 1 && line[n - 1] != '\n') {
            set_err(err, err_size, "%s:%d: line too long", path, line_no);
            rc = -1;
            break;
        }
        while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        if (line[0] == '[') {
            if (count && !case_complete(&cases[count - 1])) {
                set_err(err, err_size, "%s:%d: case %s is incomplete", path,
                        cases[count - 1].line, cases[count - 1].name);
                rc = -1;
                break;
            }
            hc_case *grown = realloc(cases, (count + 1) * sizeof *grown);
            if (!grown) {
                rc = -1;
                break;
            }
            cases = grown;
            hc_case *c = &cases[count++];
            memset(c, 0, sizeof *c);
            c->line = line_no;
            char *close = strchr(line, ']');
            if (!close || close - line - 1 <= 0 || close - line - 1 >= (long)sizeof c->name) {
                set_err(err, err_size, "%s:%d: bad case header", path, line_no);
                rc = -1;
                break;
            }
            memcpy(c->name, line + 1, (size_t)(close - line - 1));
            continue;
        }
        char *space = strchr(line, ' ');
        if (!count || !space) {
            set_err(err, err_size, "%s:%d: expected \"keyword value\" inside a case", path,
                    line_no);
            rc = -1;
            break;
        }
        *space = '\0';
        if (apply_line(&cases[count - 1], line, space + 1) != 0) {
            set_err(err, err_size, "%s:%d: bad %s line", path, line_no, line);
            rc = -1;
        }
    }
    fclose(f);
    if (rc == 0 && count && !case_complete(&cases[count - 1])) {
        set_err(err, err_size, "%s:%d: case %s is incomplete", path, cases[count - 1].line,
                cases[count - 1].name);
        rc = -1;
    }
    if (rc != 0) {
        hc_free(cases, count);
        return -1;
    }
    *cases_out = cases;
    *count_out = count;
    return 0;
}

static int add_str(hc_bytes *b, const char *s)
{
    return bytes_add(b, s, strlen(s));
}

static int add_line(hc_bytes *b, const char *a, const char *c)
{
    return add_str(b, a) || add_str(b, c) || add_str(b, "\r\n") ? -1 : 0;
}

static int method_has_body(const char *m)
{
    return !strcmp(m, "POST") || !strcmp(m, "PUT") || !strcmp(m, "PATCH");
}

int hc_build_head(const hc_case *c, const char *api_key, const char *admin_key, hc_bytes *out)
{
    memset(out, 0, sizeof *out);
    if (c->has_raw)
        return bytes_add(out, c->raw.data, c->raw.len);
    int rc = add_str(out, c->method) || add_str(out, " ") ||
             bytes_add(out, c->path.data, c->path.len) ||
             add_str(out, " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n");
    switch (c->auth) {
    case HC_AUTH_API:
        rc = rc || add_line(out, "x-api-key: ", api_key);
        break;
    case HC_AUTH_BEARER:
        rc = rc || add_line(out, "Authorization: Bearer ", api_key);
        break;
    case HC_AUTH_ADMIN:
        rc = rc || add_line(out, "x-admin-key: ", admin_key);
        break;
    case HC_AUTH_ADMIN_BEARER:
        rc = rc || add_line(out, "Authorization: Bearer ", admin_key);
        break;
    case HC_AUTH_NONE:
        break;
    }
    for (size_t i = 0; i < c->header_count && !rc; i++)
        rc = bytes_add(out, c->headers[i].data, c->headers[i].len) || add_str(out, "\r\n");
    char length[64];
    switch (c->frame) {
    case HC_FRAME_LENGTH:
        if (c->body.len || method_has_body(c->method)) {
            snprintf(length, sizeof length, "%zu", c->body.len);
            rc = rc || add_line(out, "Content-Length: ", length);
        }
        break;
    case HC_FRAME_DECLARE:
        snprintf(length, sizeof length, "%llu", c->declared);
        rc = rc || add_line(out, "Content-Length: ", length);
        break;
    case HC_FRAME_CHUNKED:
        rc = rc || add_str(out, "Transfer-Encoding: chunked\r\n");
        break;
    case HC_FRAME_NONE:
        break;
    }
    return rc || add_str(out, "\r\n") ? -1 : 0;
}
