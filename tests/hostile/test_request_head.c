/* test_request_head.c: unit tests of the front gate's parsers (request_head.c, body_framer.c,
 * gate_wire.c) and of the UTF-8 repair of error messages (api_error.c), table-driven.
 *
 * The hostile corpus checks the same classes end to end; these pin the exact verdicts, the
 * canonical head handed to libmicrohttpd and the body framing byte by byte (every input is
 * also fed one byte at a time, so no state is lost across reads). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "server/body_framer.h"
#include "server/gate_wire.h"
#include "server/request_head.h"
#include "util/api_error.h"
#include "util/json_text.h"

#define S(lit) lit, sizeof lit - 1

typedef struct head_case {
    const char *raw;
    size_t len;
    head_result result;
    int status;            /* HEAD_REJECT */
    const char *canonical; /* HEAD_OK: what libmicrohttpd gets, NULL = not checked */
} head_case;

static const head_case head_cases[] = {
    {S("GET /health HTTP/1.1\r\nHost: a\r\n\r\n"), HEAD_OK, 0,
     "GET /health HTTP/1.1\r\nHost: a\r\n\r\n"},
    {S("GET /health HTTP/1.1\nHost:   a  \n\n"), HEAD_OK, 0,
     "GET /health HTTP/1.1\r\nHost: a\r\n\r\n"},
    {S("\r\nGET / HTTP/1.0\r\n\r\n"), HEAD_OK, 0, "GET / HTTP/1.0\r\n\r\n"},
    {S("GET http://h:1/x?y HTTP/1.1\r\nHost: other\r\n\r\n"), HEAD_OK, 0,
     "GET /x?y HTTP/1.1\r\nHost: h:1\r\n\r\n"},
    {S("GET http://h HTTP/1.0\r\n\r\n"), HEAD_OK, 0, "GET / HTTP/1.0\r\nHost: h\r\n\r\n"},
    {S("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\ncontent-length: 5, 5\r\n\r\n"), HEAD_OK,
     0, "POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n"},
    {S("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: CHUNKED\r\n\r\n"), HEAD_OK, 0,
     "POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n"},
    {S("OPTIONS * HTTP/1.1\r\nHost: a\r\n\r\n"), HEAD_OK, 0, NULL},
    {S("GET /a%2Fb HTTP/1.1\r\nHost: a\r\nX: caf\xc3\xa9\r\n\r\n"), HEAD_OK, 0, NULL},
    /* incomplete */
    {S(""), HEAD_INCOMPLETE, 0, NULL},
    {S("GET /health HTTP/1.1\r\nHost: a\r\n"), HEAD_INCOMPLETE, 0, NULL},
    {S("GET /health HTTP/1.1\r\nHost: a\r\n\r"), HEAD_INCOMPLETE, 0, NULL},
    /* framing */
    {S("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n"),
     HEAD_REJECT, 400, NULL},
    {S("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 1,2\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n"),
     HEAD_REJECT, 400, NULL},
    {S("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: gzip\r\n\r\n"), HEAD_REJECT, 501, NULL},
    {S("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: identity\r\n\r\n"), HEAD_REJECT, 501,
     NULL},
    {S("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked, chunked\r\n\r\n"), HEAD_REJECT,
     400, NULL},
    {S("POST /p HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: ,\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("POST /p HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("POST /p HTTP/1.1\r\nHost: a\r\nContent-Length: 18446744073709551616\r\n\r\n"), HEAD_REJECT,
     413, NULL},
    /* field lines */
    {S("GET / HTTP/1.1\r\nHost: a\r\nX: a\r\n b\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET / HTTP/1.1\r\nHost : a\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET / HTTP/1.1\r\nHost: a\r\nX: a\0b\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET / HTTP/1.1\r\nHost: a\r\nX: a\rb\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET / HTTP/1.1\r\nHost: a\r\nX: a\x1b\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET / HTTP/1.1\r\nHost: a\r\nNoColon\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET / HTTP/1.1\r\nHost: a\r\n: empty-name\r\n\r\n"), HEAD_REJECT, 400, NULL},
    /* request line and target */
    {S("GET / HTTP/1.1\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET / HTTP/1.1\r\nHost: a\r\nHost: a\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET / HTTP/1.1\r\nHost: a b\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET /a%00 HTTP/1.1\r\nHost: a\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET /a%0 HTTP/1.1\r\nHost: a\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET /a%g0 HTTP/1.1\r\nHost: a\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET /\x80 HTTP/1.1\r\nHost: a\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET / HTTP/2.0\r\nHost: a\r\n\r\n"), HEAD_REJECT, 505, NULL},
    {S("GET / HTTP/1.1 \r\nHost: a\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET  / HTTP/1.1\r\nHost: a\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("G\rET / HTTP/1.1\r\nHost: a\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET x HTTP/1.1\r\nHost: a\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET * HTTP/1.1\r\nHost: a\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET http://u@h/ HTTP/1.1\r\nHost: a\r\n\r\n"), HEAD_REJECT, 400, NULL},
    {S("GET http:///x HTTP/1.1\r\nHost: a\r\n\r\n"), HEAD_REJECT, 400, NULL},
};

static void test_head_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof head_cases / sizeof head_cases[0]; i++) {
        const head_case *c = &head_cases[i];
        request_head h;
        head_verdict v;
        head_result r = request_head_parse(c->raw, c->len, &h, &v);
        if (r != c->result || (r == HEAD_REJECT && v.status != c->status))
            fail_msg("case %zu (%.40s...): result %d status %d (%s), expected %d %d", i, c->raw,
                     (int)r, v.status, v.message, (int)c->result, c->status);
        if (r == HEAD_REJECT)
            assert_true(v.message[0] != '\0');
        if (r == HEAD_OK && c->canonical) {
            char out[1024];
            assert_true(request_head_written_size(&h) <= sizeof out);
            size_t n = request_head_write(&h, out, sizeof out);
            out[n] = '\0';
            if (strcmp(out, c->canonical) != 0)
                fail_msg("case %zu: canonical head\n%s\nexpected\n%s", i, out, c->canonical);
        }
    }
}

static void test_head_limits(void **state)
{
    (void)state;
    size_t cap = REQUEST_HEAD_MAX + 4096;
    char *buf = malloc(cap);
    assert_non_null(buf);
    request_head h;
    head_verdict v;
    /* a request line past the limit is refused before its end arrives */
    memcpy(buf, "GET /", 5);
    memset(buf + 5, 'a', REQUEST_LINE_MAX + 10);
    assert_int_equal(request_head_parse(buf, REQUEST_LINE_MAX + 15, &h, &v), HEAD_REJECT);
    assert_int_equal(v.status, 414);
    /* a head that grows past the limit without a blank line */
    int n = snprintf(buf, cap, "GET / HTTP/1.1\r\nHost: a\r\nX: ");
    memset(buf + n, 'b', cap - (size_t)n);
    assert_int_equal(request_head_parse(buf, cap, &h, &v), HEAD_REJECT);
    assert_int_equal(v.status, 431);
    /* REQUEST_FIELDS_MAX fields pass, one more does not */
    size_t len = (size_t)snprintf(buf, cap, "GET / HTTP/1.1\r\nHost: a\r\n");
    for (int i = 1; i < REQUEST_FIELDS_MAX; i++)
        len += (size_t)snprintf(buf + len, cap - len, "X: v\r\n");
    memcpy(buf + len, "\r\n", 2);
    assert_int_equal(request_head_parse(buf, len + 2, &h, &v), HEAD_OK);
    assert_int_equal(h.field_count, REQUEST_FIELDS_MAX);
    len += (size_t)snprintf(buf + len, cap - len, "X: v\r\n\r\n");
    assert_int_equal(request_head_parse(buf, len, &h, &v), HEAD_REJECT);
    assert_int_equal(v.status, 431);
    free(buf);
}

/* Feeds in either whole or one byte at a time; returns the final status and the output. */
static framer_status feed(body_framing mode, uint64_t length, uint64_t limit, const char *in,
                          size_t len, int bytewise, char *out, size_t *out_len, size_t *used_total,
                          body_framer *f)
{
    body_framer_init(f, mode, length, limit);
    *out_len = *used_total = 0;
    framer_status st = f->mode == BODY_NONE ? FRAMER_DONE : FRAMER_MORE;
    size_t at = 0;
    while (st == FRAMER_MORE && at < len) {
        size_t piece = bytewise ? 1 : len - at;
        size_t used = 0, made = 0;
        st = body_framer_feed(f, in + at, piece, &used, out + *out_len, 4096 - *out_len, &made);
        at += used;
        *out_len += made;
        if (!used && !made && st == FRAMER_MORE)
            break;
    }
    *used_total = at;
    out[*out_len] = '\0';
    return st;
}

typedef struct framer_case {
    const char *in;
    size_t len;
    framer_status st;
    int status;      /* FRAMER_ERROR */
    const char *out; /* canonical output (FRAMER_DONE) */
    size_t used;     /* bytes consumed at FRAMER_DONE (the rest is the next request) */
} framer_case;

static const framer_case chunk_cases[] = {
    {S("5\r\nhello\r\n0\r\n\r\n"), FRAMER_DONE, 0, "5\r\nhello\r\n0\r\n\r\n", 15},
    {S("5;ext=1\r\nhello\r\n0;x\r\nT: v\r\n\r\nNEXT"), FRAMER_DONE, 0, "5\r\nhello\r\n0\r\n\r\n",
     29},
    {S("A\nabcdefghij\n0\n\n"), FRAMER_DONE, 0, "a\r\nabcdefghij\r\n0\r\n\r\n", 16},
    {S("00005 \r\nhello\r\n0\r\n\r\n"), FRAMER_DONE, 0, "5\r\nhello\r\n0\r\n\r\n", 20},
    {S("zz\r\n"), FRAMER_ERROR, 400, NULL, 0},
    {S("\r\n"), FRAMER_ERROR, 400, NULL, 0},
    {S("12345678901234567\r\n"), FRAMER_ERROR, 400, NULL, 0},
    {S("2\r\nabc\r\n"), FRAMER_ERROR, 400, NULL, 0},
    {S("2 x\r\n"), FRAMER_ERROR, 400, NULL, 0},
    {S("2\rx"), FRAMER_ERROR, 400, NULL, 0},
    {S("2;a\x01\r\n"), FRAMER_ERROR, 400, NULL, 0},
    {S("0\r\nX: a\0\r\n\r\n"), FRAMER_ERROR, 400, NULL, 0},
    {S("0\r\n\rx"), FRAMER_ERROR, 400, NULL, 0},
    {S("ffff\r\n"), FRAMER_ERROR, 413, NULL, 0}, /* limit 100 below */
    {S("5\r\nhel"), FRAMER_MORE, 0, NULL, 0},
};

static void test_chunked_table(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof chunk_cases / sizeof chunk_cases[0]; i++) {
        const framer_case *c = &chunk_cases[i];
        for (int bytewise = 0; bytewise < 2; bytewise++) {
            char out[4097];
            size_t out_len, used;
            body_framer f;
            framer_status st =
                feed(BODY_CHUNKED, 0, 100, c->in, c->len, bytewise, out, &out_len, &used, &f);
            if (st != c->st || (st == FRAMER_ERROR && f.status != c->status))
                fail_msg("chunk case %zu (bytewise %d): status %d/%d (%s), expected %d/%d", i,
                         bytewise, (int)st, f.status, f.message, (int)c->st, c->status);
            if (st == FRAMER_DONE) {
                if (strcmp(out, c->out) != 0 || used != c->used)
                    fail_msg("chunk case %zu (bytewise %d): out \"%s\" used %zu", i, bytewise, out,
                             used);
            }
        }
    }
}

static void test_chunk_line_and_trailer_bounds(void **state)
{
    (void)state;
    size_t len = CHUNK_LINE_MAX + 16;
    char *in = malloc(len);
    assert_non_null(in);
    memcpy(in, "5;", 2);
    memset(in + 2, 'e', len - 2);
    body_framer f;
    body_framer_init(&f, BODY_CHUNKED, 0, 0);
    size_t used, made;
    char out[64];
    assert_int_equal(body_framer_feed(&f, in, len, &used, out, sizeof out, &made), FRAMER_ERROR);
    assert_int_equal(f.status, 400);
    assert_true(used <= CHUNK_LINE_MAX + 1);
    free(in);
    len = CHUNK_TRAILERS_MAX + 16;
    in = malloc(len);
    assert_non_null(in);
    memcpy(in, "0\r\nX: ", 6);
    memset(in + 6, 't', len - 6);
    body_framer_init(&f, BODY_CHUNKED, 0, 0);
    assert_int_equal(body_framer_feed(&f, in, len, &used, out, sizeof out, &made), FRAMER_ERROR);
    free(in);
}

static void test_length_and_output_space(void **state)
{
    (void)state;
    char out[4097];
    size_t out_len, used;
    body_framer f;
    assert_int_equal(feed(BODY_LENGTH, 5, 0, S("helloGET"), 0, out, &out_len, &used, &f),
                     FRAMER_DONE);
    assert_string_equal(out, "hello");
    assert_int_equal(used, 5);
    assert_int_equal(feed(BODY_LENGTH, 5, 4, S("hello"), 0, out, &out_len, &used, &f),
                     FRAMER_ERROR);
    assert_int_equal(f.status, 413);
    assert_int_equal(feed(BODY_NONE, 0, 0, S("x"), 0, out, &out_len, &used, &f), FRAMER_DONE);
    assert_int_equal(used, 0);
    /* a tiny output buffer: the framer stops rather than overflow, and resumes */
    body_framer_init(&f, BODY_CHUNKED, 0, 0);
    const char *in = "3\r\nabc\r\n0\r\n\r\n";
    size_t at = 0, total = 0;
    char small[32], all[64] = "";
    framer_status st = FRAMER_MORE;
    while (st == FRAMER_MORE) {
        size_t u = 0, m = 0;
        st = body_framer_feed(&f, in + at, strlen(in) - at, &u, small, 25, &m);
        memcpy(all + total, small, m);
        total += m;
        at += u;
        assert_true(u || m || st != FRAMER_MORE);
    }
    all[total] = '\0';
    assert_int_equal(st, FRAMER_DONE);
    assert_string_equal(all, "3\r\nabc\r\n0\r\n\r\n");
}

static void test_response_heads(void **state)
{
    (void)state;
    response_info info;
    const char *mhd_page = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\nContent-Length: 10"
                           "\r\nDate: x\r\n\r\n<html>...";
    assert_int_equal(gate_parse_response_head(mhd_page, strlen(mhd_page), 16384, 0, &info), 1);
    assert_int_equal(info.status, 400);
    assert_false(info.has_request_id);
    assert_true(info.connection_close);
    assert_int_equal(info.framing, BODY_LENGTH);
    assert_int_equal(info.content_length, 10);
    const char *ours = "HTTP/1.1 200 OK\r\nrequest-id: req_1\r\nTransfer-Encoding: chunked\r\n\r\n";
    assert_int_equal(gate_parse_response_head(ours, strlen(ours), 16384, 0, &info), 1);
    assert_true(info.has_request_id);
    assert_int_equal(info.framing, BODY_CHUNKED);
    assert_int_equal(gate_parse_response_head(ours, strlen(ours), 16384, 1, &info), 1);
    assert_int_equal(info.framing, BODY_NONE); /* answer to HEAD */
    const char *cont = "HTTP/1.1 100 Continue\r\n\r\n";
    assert_int_equal(gate_parse_response_head(cont, strlen(cont), 16384, 0, &info), 1);
    assert_int_equal(info.framing, BODY_NONE);
    const char *close_delim = "HTTP/1.0 200 OK\r\nrequest-id: r\r\n\r\n";
    assert_int_equal(gate_parse_response_head(close_delim, strlen(close_delim), 16384, 0, &info),
                     1);
    assert_int_equal(info.framing, BODY_UNTIL_CLOSE);
    assert_int_equal(gate_parse_response_head("HTTP/1.1 200 OK\r\n", 17, 16384, 0, &info), 0);
    assert_int_equal(gate_parse_response_head("garbage\r\n\r\n", 11, 16384, 0, &info), -1);
}

static void test_gate_answers(void **state)
{
    (void)state;
    size_t len;
    char *r = gate_error_response(501, "not implemented here", 0, 0, &len);
    assert_non_null(r);
    assert_int_equal(len, strlen(r));
    assert_true(strncmp(r, "HTTP/1.1 501 Not Implemented\r\n", 30) == 0);
    assert_non_null(strstr(r, "\r\nConnection: close\r\n"));
    assert_non_null(strstr(r, "\r\nrequest-id: req_"));
    assert_non_null(strstr(r, "\r\n\r\n{\"type\":\"error\",\"error\":{\"type\":\"api_error\""));
    free(r);
    r = gate_error_response(413, "too big", 1, 1, &len);
    assert_non_null(r);
    assert_non_null(strstr(r, "Content-Length: "));
    assert_true(len >= 4 && strcmp(r + len - 4, "\r\n\r\n") == 0); /* HEAD: no body */
    free(r);
    assert_true(gate_request_is_openai(S("POST /v1/chat/completions HTTP/1.1")));
    assert_true(gate_request_is_openai(S("GET http://h/v1/chat/x HTTP/1.1")));
    assert_false(gate_request_is_openai(S("POST /v1/messages HTTP/1.1")));
    assert_false(gate_request_is_openai(S("garbage")));
}

static void test_error_messages_valid_utf8(void **state)
{
    (void)state;
    api_error e;
    api_error_set(&e, 400, NULL, "unknown model \"%s\"",
                  "a\xff\xfe"
                  "b\xc3");
    assert_string_equal(e.message, "unknown model \"a\xef\xbf\xbd\xef\xbf\xbd"
                                   "b\xef\xbf\xbd\"");
    api_error_set(&e, 400, NULL, "%s", "ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    assert_string_equal(e.message, "ok \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
    api_error_set(&e, 400, NULL, "%s", "\xed\xa0\x80 \xc0\xaf"); /* surrogate, overlong */
    assert_null(strchr(e.message, '\xed'));
    assert_null(strchr(e.message, '\xc0'));
    /* 511 invalid bytes: each becomes 3 bytes; the message is cut, never invalid */
    char many[600];
    memset(many, '\xff', 511);
    many[511] = '\0';
    api_error_set(&e, 400, NULL, "%s", many);
    assert_true(strlen(e.message) % 3 == 0 && strlen(e.message) < sizeof e.message);
}

static void test_json_nul_escape(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        long at;
    } cases[] = {
        {"{\"a\":\"x\\u0000\"}", 7},    /* "x\u0000" */
        {"{\"a\\u0000\":1}", 3},        /* in a key */
        {"{\"a\":\"x\\\\u0000\"}", -1}, /* "x\\u0000": backslash, then text */
        {"{\"a\":\"\\\"\\u0000\"}", 8}, /* after an escaped quote */
        {"[\\u0000]", -1},              /* outside a string (invalid JSON anyway) */
        {"{\"a\":\"\\u0001\\u00000\"}", 12},
        {"{\"a\":\"\\u000\"}", -1},
        {"\"\\u0000", 1},
        {"\"\\u000", -1},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        long at = json_text_nul_escape(cases[i].text, strlen(cases[i].text));
        if (at != cases[i].at)
            fail_msg("case %zu (%s): %ld, expected %ld", i, cases[i].text, at, cases[i].at);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_head_table),
        cmocka_unit_test(test_head_limits),
        cmocka_unit_test(test_chunked_table),
        cmocka_unit_test(test_chunk_line_and_trailer_bounds),
        cmocka_unit_test(test_length_and_output_space),
        cmocka_unit_test(test_response_heads),
        cmocka_unit_test(test_gate_answers),
        cmocka_unit_test(test_error_messages_valid_utf8),
        cmocka_unit_test(test_json_nul_escape),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
