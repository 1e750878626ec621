/* test_eventstream.c: unit tests for the event-stream CRC32, encoder and incremental decoder.
 *
 * The decoder is fed streams split at every byte offset, byte by byte and corrupted in each
 * field the framing has; hand-built frames (bytes and CRCs written out from the spec, CRCs
 * computed independently with zlib) keep the encoder and decoder from sharing a bug. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "eventstream/eventstream.h"

/* ---- recording decoded messages ---------------------------------------------------------- */

/* Every decoded message, rendered as one line of text so whole decodes compare with strcmp. */
typedef struct recorder {
    kbuf text;
    int count;
    int stop_at;   /* the callback returns non-zero for message number stop_at (1-based) */
} recorder;

static void recorder_init(recorder *r)
{
    kbuf_init(&r->text, 0);
    r->count = 0;
    r->stop_at = 0;
}

static void put_field(kbuf *b, const char *label, const char *value)
{
    kbuf_printf(b, "%s=%s;", label, value ? value : "(null)");
}

static int record_message(void *user, const es_message *m)
{
    recorder *r = user;
    kbuf *b = &r->text;
    put_field(b, "mt", m->message_type);
    put_field(b, "et", m->event_type);
    put_field(b, "xt", m->exception_type);
    put_field(b, "ec", m->error_code);
    put_field(b, "ct", m->content_type);
    for (size_t i = 0; i < m->header_count; i++) {
        const es_header *h = &m->headers[i];
        kbuf_printf(b, "[%s:%u:", h->name, h->type);
        if (h->type == 6 || h->type == 7 || h->type == 9) {
            assert_non_null(h->str);
            assert_int_equal(h->str[h->str_len], '\0');
            for (size_t k = 0; k < h->str_len; k++)
                kbuf_printf(b, "%02x", (unsigned char)h->str[k]);
        } else {
            kbuf_printf(b, "%lld", (long long)h->num);
        }
        kbuf_append_str(b, "]");
    }
    kbuf_append_str(b, "payload=");
    kbuf_append(b, m->payload, m->payload_len);
    kbuf_append_str(b, "\n");
    r->count++;
    return r->stop_at && r->count == r->stop_at;
}

/* ---- building raw frames by hand ---------------------------------------------------------- */

static void put_be32(uint8_t *p, uint32_t v)
{
    p[0] = (uint8_t)(v >> 24);
    p[1] = (uint8_t)(v >> 16);
    p[2] = (uint8_t)(v >> 8);
    p[3] = (uint8_t)v;
}

/* A frame around an arbitrary header block (possibly malformed) with correct CRCs. */
static void raw_frame(kbuf *out, const void *headers, size_t headers_len, const char *payload)
{
    size_t payload_len = strlen(payload);
    size_t total = 16 + headers_len + payload_len;
    size_t start = out->len;
    uint8_t prelude[12];
    put_be32(prelude, (uint32_t)total);
    put_be32(prelude + 4, (uint32_t)headers_len);
    put_be32(prelude + 8, es_crc32(0, prelude, 8));
    kbuf_append(out, prelude, 12);
    kbuf_append(out, headers, headers_len);
    kbuf_append(out, payload, payload_len);
    uint8_t crc[4];
    put_be32(crc, es_crc32(0, out->data + start, total - 4));
    kbuf_append(out, crc, 4);
}

/* A prelude with a valid CRC for arbitrary (possibly absurd) lengths. */
static void raw_prelude(uint8_t out[12], uint32_t total, uint32_t headers_len)
{
    put_be32(out, total);
    put_be32(out + 4, headers_len);
    put_be32(out + 8, es_crc32(0, out, 8));
}

static int decode_all(const void *data, size_t len, recorder *r)
{
    es_decoder *d = es_decoder_new(0);
    assert_non_null(d);
    int rc = es_decoder_feed(d, data, len, record_message, r);
    if (rc == ES_OK)
        rc = es_decoder_finish(d);
    es_decoder_free(d);
    return rc;
}

/* ---- CRC32 --------------------------------------------------------------------------------- */

static void test_crc32_known_vector(void **state)
{
    (void)state;
    assert_int_equal(es_crc32(0, "123456789", 9), 0xCBF43926u);
    assert_int_equal(es_crc32(0, "", 0), 0u);
    assert_int_equal(es_crc32(0, "a", 1), 0xE8B7BE43u);
    assert_int_equal(es_crc32(0, "The quick brown fox jumps over the lazy dog", 43), 0x414FA339u);
}

static void test_crc32_incremental(void **state)
{
    (void)state;
    uint32_t c = es_crc32(0, "1234", 4);
    c = es_crc32(c, "56789", 5);
    assert_int_equal(c, 0xCBF43926u);
}

/* ---- hand-built frames --------------------------------------------------------------------- */

/* assistantResponseEvent {"content":"hi"}, bytes written out per the spec; CRCs from zlib. */
static const uint8_t hand_event_frame[] = {
    0x00, 0x00, 0x00, 0x7c,             /* total length 124 */
    0x00, 0x00, 0x00, 0x5c,             /* headers length 92 */
    0x3b, 0xdd, 0xcf, 0x78,             /* CRC32 of the 8 bytes above */
    11, ':', 'e', 'v', 'e', 'n', 't', '-', 't', 'y', 'p', 'e', 7, 0x00, 22,
    'a', 's', 's', 'i', 's', 't', 'a', 'n', 't', 'R', 'e', 's', 'p', 'o', 'n', 's', 'e',
    'E', 'v', 'e', 'n', 't',
    13, ':', 'c', 'o', 'n', 't', 'e', 'n', 't', '-', 't', 'y', 'p', 'e', 7, 0x00, 16,
    'a', 'p', 'p', 'l', 'i', 'c', 'a', 't', 'i', 'o', 'n', '/', 'j', 's', 'o', 'n',
    13, ':', 'm', 'e', 's', 's', 'a', 'g', 'e', '-', 't', 'y', 'p', 'e', 7, 0x00, 5,
    'e', 'v', 'e', 'n', 't',
    '{', '"', 'c', 'o', 'n', 't', 'e', 'n', 't', '"', ':', '"', 'h', 'i', '"', '}',
    0x10, 0x19, 0x04, 0xe2,             /* CRC32 of everything before */
};

/* Headers n:int32 -2, b:bool true, t:timestamp 1700000000000, s:int16 -300; no payload. */
static const uint8_t hand_numeric_frame[] = {
    0x00, 0x00, 0x00, 0x2a, 0x00, 0x00, 0x00, 0x1a, 0x13, 0x31, 0x11, 0xb6,
    1, 'n', 4, 0xff, 0xff, 0xff, 0xfe,
    1, 'b', 0,
    1, 't', 8, 0x00, 0x00, 0x01, 0x8b, 0xcf, 0xe5, 0x68, 0x00,
    1, 's', 3, 0xfe, 0xd4,
    0x58, 0xbc, 0x67, 0x8a,
};

static int expect_hand_event(void *user, const es_message *m)
{
    int *calls = user;
    (*calls)++;
    assert_string_equal(m->message_type, "event");
    assert_string_equal(m->event_type, "assistantResponseEvent");
    assert_string_equal(m->content_type, "application/json");
    assert_null(m->exception_type);
    assert_null(m->error_code);
    assert_int_equal(m->header_count, 3);
    assert_string_equal(m->headers[0].name, ":event-type");
    assert_int_equal(m->headers[0].type, 7);
    assert_int_equal(m->headers[0].str_len, 22);
    assert_int_equal(m->payload_len, 16);
    assert_memory_equal(m->payload, "{\"content\":\"hi\"}", 16);
    return 0;
}

static void test_decode_hand_built_event(void **state)
{
    (void)state;
    int calls = 0;
    es_decoder *d = es_decoder_new(0);
    assert_int_equal(es_decoder_feed(d, hand_event_frame, sizeof hand_event_frame,
                                     expect_hand_event, &calls), ES_OK);
    assert_int_equal(es_decoder_finish(d), ES_OK);
    assert_int_equal(calls, 1);
    es_decoder_free(d);
}

static void test_encode_matches_hand_built_event(void **state)
{
    (void)state;
    es_header h[3] = {
        { ":event-type", 7, "assistantResponseEvent", 22, 0 },
        { ":content-type", 7, "application/json", 16, 0 },
        { ":message-type", 7, "event", 5, 0 },
    };
    kbuf out = KBUF_INIT(0);
    assert_int_equal(es_encode_frame(&out, h, 3, "{\"content\":\"hi\"}", 16), ES_OK);
    assert_int_equal(out.len, sizeof hand_event_frame);
    assert_memory_equal(out.data, hand_event_frame, sizeof hand_event_frame);
    kbuf_free(&out);
}

static int expect_hand_numeric(void *user, const es_message *m)
{
    int *calls = user;
    (*calls)++;
    assert_null(m->message_type);
    assert_int_equal(m->header_count, 4);
    assert_string_equal(m->headers[0].name, "n");
    assert_int_equal(m->headers[0].type, 4);
    assert_int_equal(m->headers[0].num, -2);
    assert_int_equal(m->headers[1].type, 0);
    assert_int_equal(m->headers[1].num, 1);
    assert_int_equal(m->headers[2].type, 8);
    assert_true(m->headers[2].num == 1700000000000LL);
    assert_int_equal(m->headers[3].type, 3);
    assert_int_equal(m->headers[3].num, -300);
    assert_int_equal(m->payload_len, 0);
    return 0;
}

static void test_decode_hand_built_numeric_headers(void **state)
{
    (void)state;
    int calls = 0;
    es_decoder *d = es_decoder_new(0);
    assert_int_equal(es_decoder_feed(d, hand_numeric_frame, sizeof hand_numeric_frame,
                                     expect_hand_numeric, &calls), ES_OK);
    assert_int_equal(calls, 1);
    es_decoder_free(d);

    es_header h[4] = {
        { "n", 4, NULL, 0, -2 },
        { "b", 0, NULL, 0, 0 },
        { "t", 8, NULL, 0, 1700000000000LL },
        { "s", 3, NULL, 0, -300 },
    };
    kbuf out = KBUF_INIT(0);
    assert_int_equal(es_encode_frame(&out, h, 4, NULL, 0), ES_OK);
    assert_int_equal(out.len, sizeof hand_numeric_frame);
    assert_memory_equal(out.data, hand_numeric_frame, sizeof hand_numeric_frame);
    kbuf_free(&out);
}

/* ---- header round trips -------------------------------------------------------------------- */

static const uint8_t uuid_bytes[16] = { 0x12, 0x34, 0x00, 0xff, 5, 6, 7, 8,
                                        9, 10, 11, 12, 13, 14, 15, 0x80 };

static int check_all_types(void *user, const es_message *m)
{
    int *calls = user;
    (*calls)++;
    assert_int_equal(m->header_count, 12);
    const es_header *h = m->headers;
    assert_string_equal(h[0].name, "t");
    assert_int_equal(h[0].type, 0);
    assert_int_equal(h[0].num, 1);
    assert_string_equal(h[1].name, "f");
    assert_int_equal(h[1].type, 1);
    assert_int_equal(h[1].num, 0);
    assert_int_equal(h[2].type, 2);
    assert_int_equal(h[2].num, -128);
    assert_int_equal(h[3].type, 3);
    assert_int_equal(h[3].num, 32767);
    assert_int_equal(h[4].type, 4);
    assert_true(h[4].num == INT32_MIN);
    assert_int_equal(h[5].type, 5);
    assert_true(h[5].num == INT64_MIN);
    assert_int_equal(h[6].type, 5);
    assert_true(h[6].num == INT64_MAX);
    assert_int_equal(h[7].type, 6);
    assert_int_equal(h[7].str_len, 4);
    assert_memory_equal(h[7].str, "a\0b\xff", 4);
    assert_int_equal(h[8].type, 7);
    assert_string_equal(h[8].str, "h\xc3\xa9llo");
    assert_int_equal(h[9].type, 7);
    assert_int_equal(h[9].str_len, 0);
    assert_string_equal(h[9].str, "");
    assert_int_equal(h[10].type, 8);
    assert_true(h[10].num == 1735689600123LL);
    assert_int_equal(h[11].type, 9);
    assert_int_equal(h[11].str_len, 16);
    assert_memory_equal(h[11].str, uuid_bytes, 16);
    assert_int_equal(m->payload_len, 3);
    assert_memory_equal(m->payload, "xyz", 3);
    return 0;
}

static void test_every_header_type_round_trips(void **state)
{
    (void)state;
    es_header h[12] = {
        { "t", 0, NULL, 0, 0 },
        { "f", 1, NULL, 0, 0 },
        { "i8", 2, NULL, 0, -128 },
        { "i16", 3, NULL, 0, 32767 },
        { "i32", 4, NULL, 0, INT32_MIN },
        { "i64min", 5, NULL, 0, INT64_MIN },
        { "i64max", 5, NULL, 0, INT64_MAX },
        { "bytes", 6, "a\0b\xff", 4, 0 },
        { "str", 7, "h\xc3\xa9llo", 6, 0 },
        { "empty", 7, "", 0, 0 },
        { "ts", 8, NULL, 0, 1735689600123LL },
        { "id", 9, (const char *)uuid_bytes, 16, 0 },
    };
    kbuf out = KBUF_INIT(0);
    assert_int_equal(es_encode_frame(&out, h, 12, "xyz", 3), ES_OK);
    int calls = 0;
    es_decoder *d = es_decoder_new(0);
    assert_int_equal(es_decoder_feed(d, out.data, out.len, check_all_types, &calls), ES_OK);
    assert_int_equal(calls, 1);
    es_decoder_free(d);
    kbuf_free(&out);
}

static void test_encode_event_headers(void **state)
{
    (void)state;
    kbuf out = KBUF_INIT(0);
    assert_int_equal(es_encode_event(&out, "event", "toolUseEvent", "{}", 2), ES_OK);
    assert_int_equal(es_encode_event(&out, "exception", "ThrottlingException",
                                     "{\"message\":\"slow\"}", 18), ES_OK);
    assert_int_equal(es_encode_event(&out, "error", "InternalError", "", 0), ES_OK);
    recorder r;
    recorder_init(&r);
    assert_int_equal(decode_all(out.data, out.len, &r), ES_OK);
    assert_int_equal(r.count, 3);
    assert_non_null(strstr(r.text.data, "mt=event;et=toolUseEvent;xt=(null);ec=(null);"
                                        "ct=application/json;"));
    assert_non_null(strstr(r.text.data, "mt=exception;et=(null);xt=ThrottlingException;"
                                        "ec=(null);ct=application/json;"));
    assert_non_null(strstr(r.text.data, "mt=error;et=(null);xt=(null);ec=InternalError;"));
    assert_non_null(strstr(r.text.data, "payload={\"message\":\"slow\"}\n"));
    kbuf_free(&r.text);
    kbuf_free(&out);
}

static void test_encoder_rejects_bad_headers(void **state)
{
    (void)state;
    char long_name[257];
    memset(long_name, 'n', 256);
    long_name[256] = '\0';
    static char big_value[70000];
    memset(big_value, 'v', sizeof big_value);
    es_header bad[] = {
        { "", 7, "x", 1, 0 },
        { NULL, 7, "x", 1, 0 },
        { long_name, 7, "x", 1, 0 },
        { "big", 7, big_value, 65536, 0 },
        { "type", 10, NULL, 0, 0 },
        { "uuid", 9, "short", 5, 0 },
    };
    kbuf out = KBUF_INIT(0);
    assert_int_equal(es_encode_event(&out, "event", "x", "{}", 2), ES_OK);
    size_t before = out.len;
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        es_header pair[2] = { { "ok", 7, "v", 1, 0 }, bad[i] };
        assert_int_equal(es_encode_frame(&out, pair, 2, "p", 1), ES_ERR_HEADER);
        assert_int_equal(out.len, before);
    }
    /* A 255-byte name and a 65535-byte string are the largest legal values. */
    long_name[255] = '\0';
    es_header edge[2] = { { long_name, 7, big_value, 65535, 0 }, { "b", 1, NULL, 0, 0 } };
    assert_int_equal(es_encode_frame(&out, edge, 2, NULL, 0), ES_OK);
    recorder r;
    recorder_init(&r);
    assert_int_equal(decode_all(out.data, out.len, &r), ES_OK);
    assert_int_equal(r.count, 2);
    kbuf_free(&r.text);
    kbuf_free(&out);
}

static void test_encoder_respects_output_cap(void **state)
{
    (void)state;
    kbuf out = KBUF_INIT(128);
    assert_int_equal(es_encode_event(&out, "event", "e", "{}", 2), ES_OK);
    size_t before = out.len;
    char payload[100];
    memset(payload, 'x', sizeof payload);
    assert_int_equal(es_encode_event(&out, "event", "e", payload, sizeof payload), ES_ERR_LENGTH);
    assert_int_equal(out.len, before);
    kbuf_free(&out);
}

/* ---- splitting ----------------------------------------------------------------------------- */

static void build_sample_stream(kbuf *out)
{
    static const char *payloads[] = {
        "{\"content\":\"Hello\"}",
        "{\"content\":\" w\xc3\xb6rld\"}",
        "{\"name\":\"read\",\"toolUseId\":\"t1\",\"input\":\"{\\\"a\\\":\"}",
        "",
        "{\"tokenUsage\":{\"inputTokens\":10,\"outputTokens\":3}}",
    };
    assert_int_equal(es_encode_event(out, "event", "assistantResponseEvent", payloads[0],
                                     strlen(payloads[0])), ES_OK);
    assert_int_equal(es_encode_event(out, "event", "assistantResponseEvent", payloads[1],
                                     strlen(payloads[1])), ES_OK);
    assert_int_equal(es_encode_event(out, "event", "toolUseEvent", payloads[2],
                                     strlen(payloads[2])), ES_OK);
    es_header only_int = { "n", 4, NULL, 0, 7 };
    assert_int_equal(es_encode_frame(out, &only_int, 1, NULL, 0), ES_OK);
    assert_int_equal(es_encode_frame(out, NULL, 0, NULL, 0), ES_OK);   /* 16-byte frame */
    assert_int_equal(es_encode_event(out, "event", "metadataEvent", payloads[4],
                                     strlen(payloads[4])), ES_OK);
    assert_int_equal(es_encode_event(out, "exception", "ContentLengthExceededException",
                                     "{\"message\":\"too long\"}", 22), ES_OK);
}

static void test_split_at_every_offset(void **state)
{
    (void)state;
    kbuf stream = KBUF_INIT(0);
    build_sample_stream(&stream);
    recorder whole;
    recorder_init(&whole);
    assert_int_equal(decode_all(stream.data, stream.len, &whole), ES_OK);
    assert_int_equal(whole.count, 7);

    for (size_t cut = 0; cut <= stream.len; cut++) {
        recorder r;
        recorder_init(&r);
        es_decoder *d = es_decoder_new(0);
        assert_int_equal(es_decoder_feed(d, stream.data, cut, record_message, &r), ES_OK);
        assert_int_equal(es_decoder_feed(d, stream.data + cut, stream.len - cut,
                                         record_message, &r), ES_OK);
        assert_int_equal(es_decoder_pending(d), 0);
        assert_int_equal(es_decoder_finish(d), ES_OK);
        assert_int_equal(r.count, whole.count);
        assert_string_equal(r.text.data, whole.text.data);
        es_decoder_free(d);
        kbuf_free(&r.text);
    }
    kbuf_free(&whole.text);
    kbuf_free(&stream);
}

static void test_split_at_every_pair_of_offsets(void **state)
{
    (void)state;
    kbuf stream = KBUF_INIT(0);
    build_sample_stream(&stream);
    recorder whole;
    recorder_init(&whole);
    assert_int_equal(decode_all(stream.data, stream.len, &whole), ES_OK);
    for (size_t a = 0; a <= stream.len; a += 3) {
        for (size_t b = a; b <= stream.len; b++) {
            recorder r;
            recorder_init(&r);
            es_decoder *d = es_decoder_new(0);
            assert_int_equal(es_decoder_feed(d, stream.data, a, record_message, &r), ES_OK);
            assert_int_equal(es_decoder_feed(d, stream.data + a, b - a, record_message, &r), ES_OK);
            assert_int_equal(es_decoder_feed(d, stream.data + b, stream.len - b,
                                             record_message, &r), ES_OK);
            assert_int_equal(es_decoder_finish(d), ES_OK);
            assert_string_equal(r.text.data, whole.text.data);
            es_decoder_free(d);
            kbuf_free(&r.text);
        }
    }
    kbuf_free(&whole.text);
    kbuf_free(&stream);
}

static void test_byte_by_byte(void **state)
{
    (void)state;
    kbuf stream = KBUF_INIT(0);
    build_sample_stream(&stream);
    recorder whole;
    recorder_init(&whole);
    assert_int_equal(decode_all(stream.data, stream.len, &whole), ES_OK);
    recorder r;
    recorder_init(&r);
    es_decoder *d = es_decoder_new(0);
    size_t frame_start = 0;
    for (size_t i = 0; i < stream.len; i++) {
        assert_int_equal(es_decoder_feed(d, stream.data + i, 1, record_message, &r), ES_OK);
        /* pending is exactly the bytes of the current, incomplete frame */
        if (es_decoder_pending(d) == 0)
            frame_start = i + 1;
        assert_int_equal(es_decoder_pending(d), i + 1 - frame_start);
    }
    assert_int_equal(es_decoder_finish(d), ES_OK);
    assert_string_equal(r.text.data, whole.text.data);
    es_decoder_free(d);
    kbuf_free(&r.text);
    kbuf_free(&whole.text);
    kbuf_free(&stream);
}

static int count_only(void *user, const es_message *m)
{
    size_t *payload_bytes = user;
    *payload_bytes += m->payload_len;
    return 0;
}

static void test_large_frame_byte_by_byte(void **state)
{
    (void)state;
    size_t n = 512 * 1024;
    char *payload = malloc(n);
    assert_non_null(payload);
    for (size_t i = 0; i < n; i++)
        payload[i] = (char)('a' + i % 26);
    kbuf stream = KBUF_INIT(0);
    assert_int_equal(es_encode_event(&stream, "event", "assistantResponseEvent", payload, n), ES_OK);
    assert_int_equal(es_encode_event(&stream, "event", "assistantResponseEvent", "{}", 2), ES_OK);
    es_decoder *d = es_decoder_new(0);
    size_t got = 0;
    for (size_t i = 0; i < stream.len; i++)
        assert_int_equal(es_decoder_feed(d, stream.data + i, 1, count_only, &got), ES_OK);
    assert_int_equal(got, n + 2);
    assert_int_equal(es_decoder_finish(d), ES_OK);
    es_decoder_free(d);
    kbuf_free(&stream);
    free(payload);
}

/* ---- corrupted and absurd input ------------------------------------------------------------ */

static void expect_error_whole_and_bytewise(const void *data, size_t len, size_t max_frame,
                                            int expected)
{
    recorder r;
    recorder_init(&r);
    es_decoder *d = es_decoder_new(max_frame);
    assert_int_equal(es_decoder_feed(d, data, len, record_message, &r), expected);
    assert_int_equal(r.count, 0);
    es_decoder_free(d);

    d = es_decoder_new(max_frame);
    int rc = ES_OK;
    const uint8_t *p = data;
    for (size_t i = 0; i < len && rc == ES_OK; i++)
        rc = es_decoder_feed(d, p + i, 1, record_message, &r);
    assert_int_equal(rc, expected);
    assert_int_equal(r.count, 0);
    es_decoder_free(d);
    kbuf_free(&r.text);
}

static void test_bad_prelude_crc(void **state)
{
    (void)state;
    uint8_t frame[sizeof hand_event_frame];
    memcpy(frame, hand_event_frame, sizeof frame);
    frame[10] ^= 0x01;
    expect_error_whole_and_bytewise(frame, sizeof frame, 0, ES_ERR_PRELUDE_CRC);

    /* A corrupted length is caught by the prelude CRC before it is trusted. */
    memcpy(frame, hand_event_frame, sizeof frame);
    frame[0] = 0x7f;
    expect_error_whole_and_bytewise(frame, sizeof frame, 0, ES_ERR_PRELUDE_CRC);
    memcpy(frame, hand_event_frame, sizeof frame);
    frame[7] = 0x01;
    expect_error_whole_and_bytewise(frame, sizeof frame, 0, ES_ERR_PRELUDE_CRC);

    /* Detected as soon as the 12 prelude bytes are in, without waiting for the frame. */
    memcpy(frame, hand_event_frame, sizeof frame);
    frame[11] ^= 0x80;
    es_decoder *d = es_decoder_new(0);
    assert_int_equal(es_decoder_feed(d, frame, 11, record_message, NULL), ES_OK);
    assert_int_equal(es_decoder_feed(d, frame + 11, 1, record_message, NULL), ES_ERR_PRELUDE_CRC);
    es_decoder_free(d);
}

static void test_bad_message_crc(void **state)
{
    (void)state;
    uint8_t frame[sizeof hand_event_frame];
    size_t positions[] = { 12, 50, sizeof frame - 5, sizeof frame - 1 };
    for (size_t i = 0; i < sizeof positions / sizeof positions[0]; i++) {
        memcpy(frame, hand_event_frame, sizeof frame);
        frame[positions[i]] ^= 0x20;
        expect_error_whole_and_bytewise(frame, sizeof frame, 0, ES_ERR_MESSAGE_CRC);
    }
}

static void test_truncation(void **state)
{
    (void)state;
    recorder r;
    recorder_init(&r);
    es_decoder *d = es_decoder_new(0);
    assert_int_equal(es_decoder_finish(d), ES_OK);   /* empty stream is fine */
    es_decoder_free(d);

    for (size_t cut = 1; cut < sizeof hand_event_frame; cut++) {
        d = es_decoder_new(0);
        assert_int_equal(es_decoder_feed(d, hand_event_frame, cut, record_message, &r), ES_OK);
        assert_int_equal(es_decoder_pending(d), cut);
        assert_int_equal(es_decoder_finish(d), ES_ERR_TRUNCATED);
        assert_int_equal(es_decoder_finish(d), ES_ERR_FAILED);
        es_decoder_free(d);
    }
    assert_int_equal(r.count, 0);

    /* A complete frame followed by half of another: one message, then truncated. */
    d = es_decoder_new(0);
    assert_int_equal(es_decoder_feed(d, hand_event_frame, sizeof hand_event_frame,
                                     record_message, &r), ES_OK);
    assert_int_equal(es_decoder_feed(d, hand_event_frame, 20, record_message, &r), ES_OK);
    assert_int_equal(r.count, 1);
    assert_int_equal(es_decoder_finish(d), ES_ERR_TRUNCATED);
    es_decoder_free(d);
    kbuf_free(&r.text);
}

static void test_absurd_lengths(void **state)
{
    (void)state;
    uint8_t prelude[12];
    raw_prelude(prelude, 15, 0);
    expect_error_whole_and_bytewise(prelude, 12, 0, ES_ERR_LENGTH);
    raw_prelude(prelude, 0, 0);
    expect_error_whole_and_bytewise(prelude, 12, 0, ES_ERR_LENGTH);
    raw_prelude(prelude, 0xffffffffu, 0);
    expect_error_whole_and_bytewise(prelude, 12, 0, ES_ERR_LENGTH);
    raw_prelude(prelude, ES_DEFAULT_MAX_FRAME + 1, 0);
    expect_error_whole_and_bytewise(prelude, 12, 0, ES_ERR_LENGTH);
    raw_prelude(prelude, 40, 25);            /* headers_len > total - 16 */
    expect_error_whole_and_bytewise(prelude, 12, 0, ES_ERR_LENGTH);
    raw_prelude(prelude, 40, 0xfffffff0u);   /* would wrap if computed carelessly */
    expect_error_whole_and_bytewise(prelude, 12, 0, ES_ERR_LENGTH);

    /* The configured cap: exactly max decodes, one byte more is rejected. */
    kbuf frame = KBUF_INIT(0);
    raw_frame(&frame, NULL, 0, "0123456789abcdef");   /* 32 bytes */
    assert_int_equal(frame.len, 32);
    recorder r;
    recorder_init(&r);
    es_decoder *d = es_decoder_new(32);
    assert_int_equal(es_decoder_feed(d, frame.data, frame.len, record_message, &r), ES_OK);
    assert_int_equal(r.count, 1);
    es_decoder_free(d);
    expect_error_whole_and_bytewise(frame.data, frame.len, 31, ES_ERR_LENGTH);
    kbuf_free(&frame);
    kbuf_free(&r.text);
}

static void test_malformed_headers(void **state)
{
    (void)state;
    static const struct {
        const char *what;
        const char *bytes;
        size_t len;
    } cases[] = {
        { "name length 0", "\x00\x07\x00\x01x", 5 },
        { "name past end", "\x09:abc", 5 },
        { "no type byte", "\x03:ab", 4 },
        { "unknown type", "\x01n\x0a", 3 },
        { "type 255", "\x01n\xff", 3 },
        { "string length past end", "\x01s\x07\x00\x09" "abc", 7 },
        { "string length byte missing", "\x01s\x07\x00", 4 },
        { "bytes length past end", "\x01s\x06\xff\xff", 5 },
        { "int16 truncated", "\x01i\x03\x01", 4 },
        { "int32 truncated", "\x01i\x04\x01\x02\x03", 6 },
        { "int64 truncated", "\x01i\x05\x01\x02\x03\x04\x05\x06\x07", 10 },
        { "timestamp truncated", "\x01i\x08\x01", 4 },
        { "uuid truncated", "\x01u\x09" "0123456789abcde", 18 },
        { "good then bad", "\x01g\x00\x01n\x0b", 6 },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kbuf frame = KBUF_INIT(0);
        raw_frame(&frame, cases[i].bytes, cases[i].len, "{}");
        recorder r;
        recorder_init(&r);
        int rc = decode_all(frame.data, frame.len, &r);
        if (rc != ES_ERR_HEADER)
            fail_msg("%s: got %d (%s)", cases[i].what, rc, es_strerror(rc));
        assert_int_equal(r.count, 0);
        kbuf_free(&frame);
        kbuf_free(&r.text);
    }
}

static void test_too_many_headers(void **state)
{
    (void)state;
    kbuf headers = KBUF_INIT(0);
    for (int i = 0; i < ES_MAX_HEADERS; i++)
        kbuf_append(&headers, "\x01h\x00", 3);
    kbuf frame = KBUF_INIT(0);
    raw_frame(&frame, headers.data, headers.len, "");
    recorder r;
    recorder_init(&r);
    assert_int_equal(decode_all(frame.data, frame.len, &r), ES_OK);   /* exactly the maximum */
    assert_int_equal(r.count, 1);
    kbuf_append(&headers, "\x01h\x00", 3);
    kbuf_reset(&frame);
    raw_frame(&frame, headers.data, headers.len, "");
    assert_int_equal(decode_all(frame.data, frame.len, &r), ES_ERR_HEADER);
    assert_int_equal(r.count, 1);
    kbuf_free(&headers);
    kbuf_free(&frame);
    kbuf_free(&r.text);
}

static void test_well_known_header_must_be_string(void **state)
{
    (void)state;
    es_header h[2] = { { ":message-type", 6, "event", 5, 0 }, { ":event-type", 4, NULL, 0, 3 } };
    kbuf out = KBUF_INIT(0);
    assert_int_equal(es_encode_frame(&out, h, 2, NULL, 0), ES_OK);
    recorder r;
    recorder_init(&r);
    assert_int_equal(decode_all(out.data, out.len, &r), ES_OK);
    assert_non_null(strstr(r.text.data, "mt=(null);et=(null);"));
    kbuf_free(&r.text);
    kbuf_free(&out);
}

/* ---- stop and stickiness ------------------------------------------------------------------- */

static void test_callback_stop(void **state)
{
    (void)state;
    kbuf stream = KBUF_INIT(0);
    build_sample_stream(&stream);
    recorder r;
    recorder_init(&r);
    r.stop_at = 2;
    es_decoder *d = es_decoder_new(0);
    assert_int_equal(es_decoder_feed(d, stream.data, stream.len, record_message, &r), ES_STOPPED);
    assert_int_equal(r.count, 2);
    assert_int_equal(es_decoder_feed(d, stream.data, stream.len, record_message, &r), ES_STOPPED);
    assert_int_equal(r.count, 2);
    assert_int_equal(es_decoder_pending(d), 0);
    es_decoder_free(d);

    /* Same when the stopping frame was completed from the buffer. */
    kbuf_free(&r.text);
    recorder_init(&r);
    r.stop_at = 1;
    d = es_decoder_new(0);
    assert_int_equal(es_decoder_feed(d, stream.data, 5, record_message, &r), ES_OK);
    assert_int_equal(es_decoder_feed(d, stream.data + 5, stream.len - 5, record_message, &r),
                     ES_STOPPED);
    assert_int_equal(r.count, 1);
    es_decoder_free(d);
    kbuf_free(&r.text);
    kbuf_free(&stream);
}

static void test_errors_are_sticky(void **state)
{
    (void)state;
    uint8_t bad[sizeof hand_event_frame];
    memcpy(bad, hand_event_frame, sizeof bad);
    bad[60] ^= 1;
    recorder r;
    recorder_init(&r);
    es_decoder *d = es_decoder_new(0);
    assert_int_equal(es_decoder_feed(d, hand_event_frame, sizeof hand_event_frame,
                                     record_message, &r), ES_OK);
    assert_int_equal(es_decoder_feed(d, bad, sizeof bad, record_message, &r), ES_ERR_MESSAGE_CRC);
    assert_int_equal(es_decoder_feed(d, hand_event_frame, sizeof hand_event_frame,
                                     record_message, &r), ES_ERR_FAILED);
    assert_int_equal(es_decoder_feed(d, hand_event_frame, 3, record_message, &r), ES_ERR_FAILED);
    assert_int_equal(es_decoder_finish(d), ES_ERR_FAILED);
    assert_int_equal(es_decoder_pending(d), 0);
    assert_int_equal(r.count, 1);
    es_decoder_free(d);
    kbuf_free(&r.text);
}

static void test_strerror_names_every_code(void **state)
{
    (void)state;
    int codes[] = { ES_OK, ES_STOPPED, ES_ERR_PRELUDE_CRC, ES_ERR_MESSAGE_CRC, ES_ERR_LENGTH,
                    ES_ERR_HEADER, ES_ERR_TRUNCATED, ES_ERR_NOMEM, ES_ERR_FAILED };
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++)
        for (size_t k = i + 1; k < sizeof codes / sizeof codes[0]; k++)
            assert_string_not_equal(es_strerror(codes[i]), es_strerror(codes[k]));
    assert_non_null(strstr(es_strerror(ES_ERR_PRELUDE_CRC), "prelude"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_crc32_known_vector),
        cmocka_unit_test(test_crc32_incremental),
        cmocka_unit_test(test_decode_hand_built_event),
        cmocka_unit_test(test_encode_matches_hand_built_event),
        cmocka_unit_test(test_decode_hand_built_numeric_headers),
        cmocka_unit_test(test_every_header_type_round_trips),
        cmocka_unit_test(test_encode_event_headers),
        cmocka_unit_test(test_encoder_rejects_bad_headers),
        cmocka_unit_test(test_encoder_respects_output_cap),
        cmocka_unit_test(test_split_at_every_offset),
        cmocka_unit_test(test_split_at_every_pair_of_offsets),
        cmocka_unit_test(test_byte_by_byte),
        cmocka_unit_test(test_large_frame_byte_by_byte),
        cmocka_unit_test(test_bad_prelude_crc),
        cmocka_unit_test(test_bad_message_crc),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_absurd_lengths),
        cmocka_unit_test(test_malformed_headers),
        cmocka_unit_test(test_too_many_headers),
        cmocka_unit_test(test_well_known_header_must_be_string),
        cmocka_unit_test(test_callback_stop),
        cmocka_unit_test(test_errors_are_sticky),
        cmocka_unit_test(test_strerror_names_every_code),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
