/* fuzz_request_head.c: libFuzzer target for the front gate's parsers (request_head.c,
 * body_framer.c): whatever bytes a client sends as a request head and body.
 *
 * Besides memory errors it checks the properties the gate relies on: a head is never accepted
 * past the buffer; the canonical head it hands to libmicrohttpd fits the size it announced and
 * parses again to itself (so libmicrohttpd sees what the gate saw); a refusal always carries a
 * status and a message; the body framer never consumes or produces past its bounds, keeps
 * consuming the same bytes whether fed at once or in pieces (the first input byte picks the
 * piece size), and its chunked output is itself a valid chunked body. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "server/body_framer.h"
#include "server/request_head.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

/* Runs the framer over in[0..len) in pieces of `piece` bytes; returns the status, with the
 * bytes consumed and the canonical output. */
static framer_status frame_all(body_framing mode, uint64_t length, const char *in, size_t len,
                               size_t piece, size_t *used_total, char *out, size_t out_cap,
                               size_t *out_len)
{
    body_framer f;
    body_framer_init(&f, mode, length, 1u << 20);
    framer_status st = mode == BODY_NONE ? FRAMER_DONE : FRAMER_MORE;
    size_t at = 0;
    *out_len = 0;
    while (st == FRAMER_MORE && at < len) {
        size_t n = len - at < piece ? len - at : piece;
        size_t used = 0, made = 0;
        st = body_framer_feed(&f, in + at, n, &used, out + *out_len, out_cap - *out_len, &made);
        CHECK(used <= n && made <= out_cap - *out_len);
        at += used;
        *out_len += made;
        if (st == FRAMER_ERROR)
            CHECK(f.status == 400 || f.status == 413);
        if (!used && !made && st == FRAMER_MORE)
            break; /* output full */
    }
    *used_total = at;
    return st;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    size_t piece = size ? (size_t)(data[0] % 17) + 1 : 1;
    const char *buf = (const char *)data;
    request_head h;
    head_verdict v;
    head_result r = request_head_parse(buf, size, &h, &v);
    if (r == HEAD_REJECT) {
        CHECK(v.status >= 400 && v.status <= 505 && v.message[0]);
        return 0;
    }
    if (r != HEAD_OK)
        return 0;
    CHECK(h.head_len <= size && h.field_count <= REQUEST_FIELDS_MAX);
    size_t cap = request_head_written_size(&h);
    char *canon = malloc(cap);
    CHECK(canon);
    size_t n = request_head_write(&h, canon, cap);
    CHECK(n > 0 && n <= cap);
    request_head again;
    head_result r2 = request_head_parse(canon, n, &again, &v);
    CHECK(r2 == HEAD_OK && again.head_len == n && again.framing == h.framing &&
          again.content_length == h.content_length && again.field_count <= h.field_count + 1);
    char *canon2 = malloc(cap);
    CHECK(canon2);
    CHECK(request_head_write(&again, canon2, cap) == n && memcmp(canon, canon2, n) == 0);
    free(canon2);
    free(canon);

    const char *body = buf + h.head_len;
    size_t body_len = size - h.head_len;
    static char out_a[1 << 17], out_b[1 << 17];
    size_t used_a, used_b, len_a, len_b;
    framer_status a = frame_all(h.framing, h.content_length, body, body_len,
                                body_len ? body_len : 1, &used_a, out_a, sizeof out_a, &len_a);
    framer_status b = frame_all(h.framing, h.content_length, body, body_len, piece, &used_b, out_b,
                                sizeof out_b, &len_b);
    CHECK(used_a <= body_len && used_b <= body_len);
    if (a != FRAMER_MORE && b != FRAMER_MORE && len_a < sizeof out_a && len_b < sizeof out_b) {
        CHECK(a == b && used_a == used_b && len_a == len_b && memcmp(out_a, out_b, len_a) == 0);
        if (a == FRAMER_DONE && h.framing == BODY_CHUNKED) {
            /* the canonical chunked output frames to itself */
            size_t used_c, len_c;
            static char out_c[1 << 17];
            framer_status c = frame_all(BODY_CHUNKED, 0, out_a, len_a, len_a, &used_c, out_c,
                                        sizeof out_c, &len_c);
            CHECK(c == FRAMER_DONE && used_c == len_a && len_c == len_a &&
                  memcmp(out_a, out_c, len_a) == 0);
        }
    }
    return 0;
}
