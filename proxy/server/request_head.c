/* request_head.c: strict request-head parsing (RFC 9112 sections 2-3, 5-7); see request_head.h. */
#include "server/request_head.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Empty lines tolerated before the request line (RFC 9112 2.2 asks for at least one). */
#define LEADING_EMPTY_LINES_MAX 4

static head_result reject(head_verdict *v, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static head_result reject(head_verdict *v, int status, const char *fmt, ...)
{
    v->status = status;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(v->message, sizeof v->message, fmt, ap);
    va_end(ap);
    return HEAD_REJECT;
}

/* RFC 9110 5.6.2 tchar. */
static int is_tchar(unsigned char c)
{
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
        return 1;
    return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static int equals_ci(const char *s, size_t len, const char *lit)
{
    size_t n = strlen(lit);
    return len == n && strncasecmp(s, lit, n) == 0;
}

/* Finds the end of the line starting at p: *content_end excludes the CR of a CRLF, the return
 * value is the offset after the LF; 0 when no LF within limit. */
static size_t line_end(const char *buf, size_t p, size_t len, size_t limit, size_t *content_end)
{
    size_t stop = len < limit ? len : limit;
    const char *lf = p < stop ? memchr(buf + p, '\n', stop - p) : NULL;
    if (!lf)
        return 0;
    size_t e = (size_t)(lf - buf);
    *content_end = (e > p && buf[e - 1] == '\r') ? e - 1 : e;
    return e + 1;
}

/* Visible ASCII only (RFC 9112 3.2: the target has no white space, controls or raw 8-bit);
 * every '%' starts a valid %XX and none decodes to NUL (the router works on C strings). */
static head_result check_target_bytes(const char *s, size_t len, head_verdict *v)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x21 || c > 0x7e)
            return reject(v, 400,
                          "the request target has a byte that is not visible ASCII "
                          "(0x%02x at offset %zu)",
                          c, i);
        if (c != '%')
            continue;
        if (i + 2 >= len || !is_hex((unsigned char)s[i + 1]) || !is_hex((unsigned char)s[i + 2]))
            return reject(v, 400,
                          "the request target has an invalid percent-encoding at offset "
                          "%zu ('%%' must be followed by two hex digits)",
                          i);
        if (s[i + 1] == '0' && s[i + 2] == '0')
            return reject(v, 400, "the request target has %%00 (an encoded NUL byte) at offset %zu",
                          i);
        i += 2;
    }
    return HEAD_OK;
}

/* uri-host [ ":" port ] characters (RFC 3986 reg-name, IP literal, IPv4, port). */
static int authority_ok(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0)
            return 0;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("-._~!$&'()*+,;=:[]%", c)))
            return 0;
    }
    return 1;
}

static head_result parse_target(const char *t, size_t len, request_head *h, head_verdict *v)
{
    if (check_target_bytes(t, len, v) != HEAD_OK)
        return HEAD_REJECT;
    if (t[0] == '/') {
        h->path = t;
        h->path_len = len;
        return HEAD_OK;
    }
    if (len == 1 && t[0] == '*') {
        if (!equals_ci(h->method, h->method_len, "OPTIONS"))
            return reject(v, 400, "the asterisk-form target '*' is only valid for OPTIONS");
        h->path = t;
        h->path_len = 1;
        return HEAD_OK;
    }
    size_t scheme = 0;
    if (len > 7 && strncasecmp(t, "http://", 7) == 0)
        scheme = 7;
    else if (len > 8 && strncasecmp(t, "https://", 8) == 0)
        scheme = 8;
    if (!scheme)
        return reject(v, 400,
                      "the request target must be origin-form (/path) or absolute-form "
                      "(http://host/path)");
    const char *auth = t + scheme;
    size_t auth_len = 0;
    while (scheme + auth_len < len && auth[auth_len] != '/' && auth[auth_len] != '?')
        auth_len++;
    if (auth_len == 0 || memchr(auth, '@', auth_len) || !authority_ok(auth, auth_len))
        return reject(v, 400, "the absolute-form target has an empty or invalid authority");
    h->authority = auth;
    h->authority_len = auth_len;
    const char *rest = auth + auth_len;
    size_t rest_len = len - scheme - auth_len;
    if (rest_len == 0) { /* "http://host" means "/" (RFC 9112 3.2.1) */
        h->path = "/";
        h->path_len = 1;
        return HEAD_OK;
    }
    if (rest[0] != '/')
        return reject(v, 400,
                      "the absolute-form target needs a path starting with '/' after "
                      "the authority");
    h->path = rest;
    h->path_len = rest_len;
    return HEAD_OK;
}

static head_result parse_request_line(const char *s, size_t len, request_head *h, head_verdict *v)
{
    size_t m = 0;
    while (m < len && is_tchar((unsigned char)s[m]))
        m++;
    if (m == 0 || m >= len || s[m] != ' ')
        return reject(v, 400, "malformed request line: expected METHOD SP target SP HTTP/1.1");
    h->method = s;
    h->method_len = m;
    h->is_head = m == 4 && memcmp(s, "HEAD", 4) == 0; /* methods are case-sensitive */
    size_t t0 = m + 1, t1 = t0;
    while (t1 < len && s[t1] != ' ')
        t1++;
    if (t1 == t0 || t1 >= len)
        return reject(v, 400, "malformed request line: expected METHOD SP target SP HTTP/1.1");
    const char *ver = s + t1 + 1;
    size_t ver_len = len - t1 - 1;
    if (ver_len != 8 || memcmp(ver, "HTTP/", 5) != 0 || ver[6] != '.' ||
        !(ver[5] >= '0' && ver[5] <= '9') || !(ver[7] >= '0' && ver[7] <= '9'))
        return reject(v, 400,
                      "malformed request line: the HTTP version must be HTTP/1.1 or "
                      "HTTP/1.0, after exactly one space");
    if (ver[5] != '1' || (ver[7] != '0' && ver[7] != '1'))
        return reject(v, 505, "HTTP/%c.%c is not supported: use HTTP/1.1", ver[5], ver[7]);
    h->minor_version = ver[7] - '0';
    return parse_target(s + t0, t1 - t0, h, v);
}

static head_result parse_field_line(const char *s, size_t len, request_head *h, head_verdict *v)
{
    if (s[0] == ' ' || s[0] == '\t')
        return reject(v, 400,
                      "obsolete line folding (a header line starting with white space) "
                      "is not accepted");
    size_t n = 0;
    while (n < len && is_tchar((unsigned char)s[n]))
        n++;
    if (n < len && (s[n] == ' ' || s[n] == '\t'))
        return reject(v, 400,
                      "white space between a header field name and its colon "
                      "(header field %zu)",
                      h->field_count + 1);
    if (n == 0 || n >= len || s[n] != ':')
        return reject(v, 400,
                      "malformed header field line %zu: expected a token name, ':' "
                      "and a value",
                      h->field_count + 1);
    if (h->field_count >= REQUEST_FIELDS_MAX)
        return reject(v, 431, "more than %d header fields", REQUEST_FIELDS_MAX);
    size_t a = n + 1, b = len;
    while (a < b && (s[a] == ' ' || s[a] == '\t'))
        a++;
    while (b > a && (s[b - 1] == ' ' || s[b - 1] == '\t'))
        b--;
    int shown = n > 64 ? 64 : (int)n;
    for (size_t i = a; i < b; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0)
            return reject(v, 400, "a NUL byte in the value of header %.*s", shown, s);
        if (c == '\r')
            return reject(v, 400, "a CR byte in the value of header %.*s", shown, s);
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return reject(v, 400, "a control byte (0x%02x) in the value of header %.*s", c, shown,
                          s);
    }
    head_field *f = &h->fields[h->field_count++];
    f->name = s;
    f->name_len = n;
    f->value = s + a;
    f->value_len = b - a;
    return HEAD_OK;
}

/* Iterates the comma-separated elements of a list value (RFC 9110 5.6.1), OWS trimmed; empty
 * elements are returned too (len 0). Returns 0 at the end. */
static int next_element(const char *v, size_t len, size_t *pos, const char **el, size_t *el_len)
{
    if (*pos > len)
        return 0;
    size_t a = *pos, b = a;
    while (b < len && v[b] != ',')
        b++;
    *pos = b + 1;
    while (a < b && (v[a] == ' ' || v[a] == '\t'))
        a++;
    size_t e = b;
    while (e > a && (v[e - 1] == ' ' || v[e - 1] == '\t'))
        e--;
    *el = v + a;
    *el_len = e - a;
    return 1;
}

static head_result check_content_length(request_head *h, head_verdict *v, int *seen)
{
    for (size_t i = 0; i < h->field_count; i++) {
        const head_field *f = &h->fields[i];
        if (!equals_ci(f->name, f->name_len, "Content-Length"))
            continue;
        size_t pos = 0;
        const char *el;
        size_t el_len;
        while (next_element(f->value, f->value_len, &pos, &el, &el_len)) {
            if (el_len == 0)
                return reject(v, 400, "Content-Length is empty or has an empty list element");
            uint64_t n = 0;
            for (size_t k = 0; k < el_len; k++) {
                unsigned char c = (unsigned char)el[k];
                if (c < '0' || c > '9')
                    return reject(v, 400, "Content-Length must be a decimal number of bytes");
                if (n > (UINT64_MAX - 9) / 10)
                    return reject(v, 413, "Content-Length is too large");
                n = n * 10 + (uint64_t)(c - '0');
            }
            if (*seen && n != h->content_length)
                return reject(v, 400,
                              "Content-Length is sent more than once with different "
                              "values (%llu and %llu)",
                              (unsigned long long)h->content_length, (unsigned long long)n);
            h->content_length = n;
            *seen = 1;
        }
    }
    return HEAD_OK;
}

static head_result check_transfer_encoding(request_head *h, head_verdict *v, int *seen)
{
    int chunked = 0;
    for (size_t i = 0; i < h->field_count; i++) {
        const head_field *f = &h->fields[i];
        if (!equals_ci(f->name, f->name_len, "Transfer-Encoding"))
            continue;
        *seen = 1;
        size_t pos = 0;
        const char *el;
        size_t el_len;
        while (next_element(f->value, f->value_len, &pos, &el, &el_len)) {
            if (el_len == 0)
                continue;
            if (!equals_ci(el, el_len, "chunked"))
                return reject(v, 501, "Transfer-Encoding other than chunked is not implemented");
            chunked++;
        }
    }
    if (*seen && chunked != 1)
        return reject(v, 400,
                      chunked ? "chunked is applied more than once in Transfer-Encoding"
                              : "Transfer-Encoding is empty");
    return HEAD_OK;
}

/* What the fields mean together: Host, and one unambiguous body length. */
static head_result check_semantics(request_head *h, head_verdict *v)
{
    size_t hosts = 0;
    for (size_t i = 0; i < h->field_count; i++) {
        const head_field *f = &h->fields[i];
        if (!equals_ci(f->name, f->name_len, "Host"))
            continue;
        hosts++;
        if (!authority_ok(f->value, f->value_len))
            return reject(v, 400, "the Host header is not a valid host[:port]");
    }
    if (hosts > 1)
        return reject(v, 400, "more than one Host header");
    if (hosts == 0 && h->minor_version == 1)
        return reject(v, 400, "HTTP/1.1 requests must carry a Host header");
    if (hosts == 0 && h->authority && h->field_count >= REQUEST_FIELDS_MAX)
        return reject(v, 431,
                      "more than %d header fields with the Host of the absolute-form "
                      "target",
                      REQUEST_FIELDS_MAX);
    int has_length = 0, has_te = 0;
    if (check_content_length(h, v, &has_length) != HEAD_OK ||
        check_transfer_encoding(h, v, &has_te) != HEAD_OK)
        return HEAD_REJECT;
    if (has_te && has_length)
        return reject(v, 400, "Content-Length and Transfer-Encoding together are ambiguous");
    if (has_te && h->minor_version == 0)
        return reject(v, 400, "Transfer-Encoding is not defined for HTTP/1.0");
    h->framing = has_te ? BODY_CHUNKED : has_length ? BODY_LENGTH : BODY_NONE;
    return HEAD_OK;
}

head_result request_head_parse(const char *buf, size_t len, request_head *h, head_verdict *v)
{
    memset(h, 0, sizeof *h);
    v->status = 0;
    v->message[0] = '\0';
    size_t p = 0;
    for (int i = 0; i < LEADING_EMPTY_LINES_MAX; i++) {
        if (p + 1 < len && buf[p] == '\r' && buf[p + 1] == '\n')
            p += 2;
        else if (p < len && buf[p] == '\n')
            p += 1;
        else
            break;
    }
    if (p >= len || (p + 1 == len && buf[p] == '\r'))
        return HEAD_INCOMPLETE;
    size_t content_end;
    size_t next = line_end(buf, p, len, p + REQUEST_LINE_MAX + 2, &content_end);
    if (!next)
        return len - p > REQUEST_LINE_MAX + 1
                   ? reject(v, 414, "the request line is longer than %d bytes", REQUEST_LINE_MAX)
                   : HEAD_INCOMPLETE;
    if (content_end - p > REQUEST_LINE_MAX)
        return reject(v, 414, "the request line is longer than %d bytes", REQUEST_LINE_MAX);
    if (memchr(buf + p, '\r', content_end - p))
        return reject(v, 400, "a CR byte inside the request line");
    if (parse_request_line(buf + p, content_end - p, h, v) != HEAD_OK)
        return HEAD_REJECT;
    p = next;
    for (;;) {
        next = line_end(buf, p, len, REQUEST_HEAD_MAX, &content_end);
        if (!next)
            return len >= REQUEST_HEAD_MAX
                       ? reject(v, 431, "the request head is larger than %d bytes",
                                REQUEST_HEAD_MAX)
                       : HEAD_INCOMPLETE;
        if (memchr(buf + p, '\r', content_end - p))
            return reject(v, 400, "a CR byte that does not end a line in header field %zu",
                          h->field_count + 1);
        if (content_end == p)
            break;
        if (parse_field_line(buf + p, content_end - p, h, v) != HEAD_OK)
            return HEAD_REJECT;
        p = next;
    }
    h->head_len = next;
    return check_semantics(h, v) == HEAD_OK ? HEAD_OK : HEAD_REJECT;
}

size_t request_head_written_size(const request_head *h)
{
    size_t n = h->method_len + 1 + h->path_len + sizeof " HTTP/1.1\r\n";
    n += sizeof "Host: \r\n" + h->authority_len;
    n += sizeof "Content-Length: 18446744073709551615\r\n";
    n += sizeof "Transfer-Encoding: chunked\r\n";
    for (size_t i = 0; i < h->field_count; i++)
        n += h->fields[i].name_len + 2 + h->fields[i].value_len + 2;
    return n + 2;
}

typedef struct writer {
    char *out;
    size_t cap, len;
    int overflow;
} writer;

static void put(writer *w, const char *s, size_t n)
{
    if (w->overflow || n > w->cap - w->len) {
        w->overflow = 1;
        return;
    }
    memcpy(w->out + w->len, s, n);
    w->len += n;
}

static void put_str(writer *w, const char *s)
{
    put(w, s, strlen(s));
}

size_t request_head_write(const request_head *h, char *out, size_t cap)
{
    writer w = {out, cap, 0, 0};
    put(&w, h->method, h->method_len);
    put_str(&w, " ");
    put(&w, h->path, h->path_len);
    put_str(&w, h->minor_version ? " HTTP/1.1\r\n" : " HTTP/1.0\r\n");
    int host_done = 0, length_done = 0, te_done = 0;
    for (size_t i = 0; i < h->field_count; i++) {
        const head_field *f = &h->fields[i];
        if (equals_ci(f->name, f->name_len, "Content-Length")) {
            if (!length_done) {
                char line[64];
                snprintf(line, sizeof line, "Content-Length: %llu\r\n",
                         (unsigned long long)h->content_length);
                put_str(&w, line);
            }
            length_done = 1;
        } else if (equals_ci(f->name, f->name_len, "Transfer-Encoding")) {
            if (!te_done)
                put_str(&w, "Transfer-Encoding: chunked\r\n");
            te_done = 1;
        } else if (equals_ci(f->name, f->name_len, "Host") && h->authority) {
            put_str(&w, "Host: ");
            put(&w, h->authority, h->authority_len);
            put_str(&w, "\r\n");
            host_done = 1;
        } else {
            put(&w, f->name, f->name_len);
            put_str(&w, ": ");
            put(&w, f->value, f->value_len);
            put_str(&w, "\r\n");
        }
    }
    if (h->authority && !host_done) {
        put_str(&w, "Host: ");
        put(&w, h->authority, h->authority_len);
        put_str(&w, "\r\n");
    }
    put_str(&w, "\r\n");
    return w.overflow ? 0 : w.len;
}

const char *http_reason_phrase(int status)
{
    switch (status) {
    case 400:
        return "Bad Request";
    case 401:
        return "Unauthorized";
    case 404:
        return "Not Found";
    case 408:
        return "Request Timeout";
    case 411:
        return "Length Required";
    case 413:
        return "Content Too Large";
    case 414:
        return "URI Too Long";
    case 431:
        return "Request Header Fields Too Large";
    case 500:
        return "Internal Server Error";
    case 501:
        return "Not Implemented";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return status < 500 ? "Bad Request" : "Internal Server Error";
    }
}
