/* decoder.c: the incremental, CRC-checked event-stream decoder.
 *
 * Input arrives in whatever pieces the network delivered. Complete frames inside one piece are
 * decoded straight from the caller's bytes; only an incomplete frame at the end of a piece is
 * copied into a buffer (capped at max_frame_bytes), so feeding a stream byte by byte costs
 * O(n), not O(n^2). The prelude CRC is verified before its lengths are trusted, lengths are
 * capped before anything is buffered, and header parsing checks every length against the end
 * of the header block. Any error is sticky: the stream cannot be resynchronised safely. */
#include "eventstream/eventstream.h"

#include <stdlib.h>
#include <string.h>

#include "eventstream/es_bytes.h"

typedef enum { DEC_RUNNING, DEC_STOPPED, DEC_FAILED } decoder_state;

/* An incomplete frame larger than this is not kept allocated once it has been decoded. */
#define ES_KEEP_BUFFER_BYTES (64u * 1024u)

struct es_decoder {
    size_t max_frame;
    decoder_state state;
    kbuf partial;       /* bytes of the incomplete frame at the end of the input so far */
    size_t partial_total; /* its total length once its prelude was verified, else 0 */
    kbuf strings;       /* NUL-terminated copies of header names and values of one frame */
};

es_decoder *es_decoder_new(size_t max_frame_bytes)
{
    es_decoder *d = calloc(1, sizeof *d);
    if (!d)
        return NULL;
    if (max_frame_bytes == 0)
        max_frame_bytes = ES_DEFAULT_MAX_FRAME;
    if (max_frame_bytes > UINT32_MAX)
        max_frame_bytes = UINT32_MAX;
    d->max_frame = max_frame_bytes;
    d->state = DEC_RUNNING;
    kbuf_init(&d->partial, max_frame_bytes);
    /* Copies of a header block are at most the block plus one NUL per name and value. */
    kbuf_init(&d->strings, max_frame_bytes + 2u * ES_MAX_HEADERS);
    return d;
}

void es_decoder_free(es_decoder *d)
{
    if (!d)
        return;
    kbuf_free(&d->partial);
    kbuf_free(&d->strings);
    free(d);
}

size_t es_decoder_pending(const es_decoder *d)
{
    return d->partial.len;
}

const char *es_strerror(int code)
{
    switch (code) {
    case ES_OK: return "ok";
    case ES_STOPPED: return "stopped by the message callback";
    case ES_ERR_PRELUDE_CRC: return "event-stream prelude CRC mismatch";
    case ES_ERR_MESSAGE_CRC: return "event-stream message CRC mismatch";
    case ES_ERR_LENGTH: return "event-stream frame length out of range";
    case ES_ERR_HEADER: return "malformed event-stream header";
    case ES_ERR_TRUNCATED: return "event-stream ended inside a frame";
    case ES_ERR_NOMEM: return "out of memory decoding the event-stream";
    case ES_ERR_FAILED: return "event-stream decoder already failed";
    default: return "unknown event-stream error";
    }
}

static int fail(es_decoder *d, int code)
{
    d->state = DEC_FAILED;
    kbuf_free(&d->partial);
    d->partial_total = 0;
    return code;
}

/* Empties b, releasing its memory when one large frame made it big. */
static void trim_buffer(kbuf *b)
{
    if (b->alloc > ES_KEEP_BUFFER_BYTES)
        kbuf_free(b);
    else
        kbuf_reset(b);
}

/* Verifies the 12-byte prelude at p and returns the frame's total length in *total. */
static int check_prelude(const es_decoder *d, const uint8_t *p, size_t *total)
{
    uint32_t crc = (uint32_t)es_read_be(p + 8, 4);
    if (es_crc32(0, p, 8) != crc)
        return ES_ERR_PRELUDE_CRC;
    size_t total_len = (size_t)es_read_be(p, 4);
    size_t headers_len = (size_t)es_read_be(p + 4, 4);
    if (total_len < ES_OVERHEAD_BYTES || total_len > d->max_frame)
        return ES_ERR_LENGTH;
    if (headers_len > total_len - ES_OVERHEAD_BYTES)
        return ES_ERR_LENGTH;
    *total = total_len;
    return ES_OK;
}

/* Copies len bytes plus a NUL into d->strings; returns the offset of the copy. */
static int copy_string(es_decoder *d, const uint8_t *src, size_t len, size_t *offset)
{
    *offset = d->strings.len;
    if (kbuf_append(&d->strings, src, len) != KBUF_OK ||
        kbuf_append_char(&d->strings, '\0') != KBUF_OK)
        return ES_ERR_NOMEM;
    return ES_OK;
}

/* Where a header's copied strings live; pointers are resolved once the copy buffer stops moving. */
typedef struct header_offsets {
    size_t name;
    size_t value;
    int has_value;
} header_offsets;

static int parse_value(es_decoder *d, const uint8_t *p, size_t avail, es_header *h,
                       header_offsets *off, size_t *used)
{
    static const unsigned numeric_width[] = { 0, 0, 1, 2, 4, 8, 0, 0, 8, 0 };
    switch (h->type) {
    case ES_TYPE_BOOL_TRUE:
    case ES_TYPE_BOOL_FALSE:
        h->num = h->type == ES_TYPE_BOOL_TRUE;
        *used = 0;
        return ES_OK;
    case ES_TYPE_INT8:
    case ES_TYPE_INT16:
    case ES_TYPE_INT32:
    case ES_TYPE_INT64:
    case ES_TYPE_TIMESTAMP: {
        unsigned width = numeric_width[h->type];
        if (avail < width)
            return ES_ERR_HEADER;
        uint64_t raw = es_read_be(p, width);
        if (width < 8 && (raw >> (8 * width - 1)))      /* sign-extend */
            raw |= ~(uint64_t)0 << (8 * width);
        h->num = (int64_t)raw;
        *used = width;
        return ES_OK;
    }
    case ES_TYPE_BYTES:
    case ES_TYPE_STRING: {
        if (avail < 2)
            return ES_ERR_HEADER;
        size_t len = (size_t)es_read_be(p, 2);
        if (len > avail - 2)
            return ES_ERR_HEADER;
        h->str_len = len;
        off->has_value = 1;
        *used = 2 + len;
        return copy_string(d, p + 2, len, &off->value);
    }
    case ES_TYPE_UUID:
        if (avail < ES_UUID_BYTES)
            return ES_ERR_HEADER;
        h->str_len = ES_UUID_BYTES;
        off->has_value = 1;
        *used = ES_UUID_BYTES;
        return copy_string(d, p, ES_UUID_BYTES, &off->value);
    default:
        return ES_ERR_HEADER;
    }
}

static int parse_headers(es_decoder *d, const uint8_t *p, size_t len, es_header *headers,
                         size_t *count)
{
    header_offsets offsets[ES_MAX_HEADERS];
    size_t n = 0, pos = 0;
    kbuf_reset(&d->strings);
    while (pos < len) {
        if (n == ES_MAX_HEADERS)
            return ES_ERR_HEADER;
        size_t name_len = p[pos++];
        if (name_len == 0 || name_len > len - pos)
            return ES_ERR_HEADER;
        es_header *h = &headers[n];
        header_offsets *off = &offsets[n];
        memset(h, 0, sizeof *h);
        memset(off, 0, sizeof *off);
        int rc = copy_string(d, p + pos, name_len, &off->name);
        if (rc != ES_OK)
            return rc;
        pos += name_len;
        if (pos == len)
            return ES_ERR_HEADER;  /* no type byte */
        h->type = p[pos++];
        size_t used = 0;
        rc = parse_value(d, p + pos, len - pos, h, off, &used);
        if (rc != ES_OK)
            return rc;
        pos += used;
        n++;
    }
    for (size_t i = 0; i < n; i++) {
        headers[i].name = d->strings.data + offsets[i].name;
        headers[i].str = offsets[i].has_value ? d->strings.data + offsets[i].value : NULL;
    }
    *count = n;
    return ES_OK;
}

/* Points *slot at h's value when h is the string header called name and *slot is unset. */
static void take_well_known(const char **slot, const es_header *h, const char *name)
{
    if (!*slot && h->type == ES_TYPE_STRING && strcmp(h->name, name) == 0)
        *slot = h->str;
}

static void fill_well_known(es_message *m)
{
    for (size_t i = 0; i < m->header_count; i++) {
        const es_header *h = &m->headers[i];
        take_well_known(&m->message_type, h, ":message-type");
        take_well_known(&m->event_type, h, ":event-type");
        take_well_known(&m->exception_type, h, ":exception-type");
        take_well_known(&m->error_code, h, ":error-code");
        take_well_known(&m->content_type, h, ":content-type");
    }
}

/* Decodes one complete frame of total bytes at p (prelude already verified). */
static int deliver(es_decoder *d, const uint8_t *p, size_t total, es_message_fn fn, void *user)
{
    uint32_t crc = (uint32_t)es_read_be(p + total - 4, 4);
    if (es_crc32(0, p, total - 4) != crc)
        return fail(d, ES_ERR_MESSAGE_CRC);
    size_t headers_len = (size_t)es_read_be(p + 4, 4);
    es_header headers[ES_MAX_HEADERS];
    es_message m;
    memset(&m, 0, sizeof m);
    int rc = parse_headers(d, p + ES_PRELUDE_BYTES, headers_len, headers, &m.header_count);
    if (rc != ES_OK)
        return fail(d, rc);
    m.headers = headers;
    m.payload = p + ES_PRELUDE_BYTES + headers_len;
    m.payload_len = total - ES_OVERHEAD_BYTES - headers_len;
    fill_well_known(&m);
    int stop = fn && fn(user, &m) != 0;
    trim_buffer(&d->strings);
    if (stop) {
        d->state = DEC_STOPPED;
        kbuf_free(&d->partial);
        d->partial_total = 0;
        return ES_STOPPED;
    }
    return ES_OK;
}

static int append_partial(es_decoder *d, const uint8_t *p, size_t len)
{
    int rc = kbuf_append(&d->partial, p, len);
    if (rc == KBUF_ERR_CAP)
        return fail(d, ES_ERR_LENGTH);
    if (rc != KBUF_OK)
        return fail(d, ES_ERR_NOMEM);
    return ES_OK;
}

/* Moves bytes from *p into the buffered frame until it is complete, then decodes it.
 * Returns ES_OK with d->partial still non-empty when the input ran out first. */
static int complete_partial(es_decoder *d, const uint8_t **p, size_t *left, es_message_fn fn,
                            void *user)
{
    if (d->partial.len < ES_PRELUDE_BYTES) {
        size_t take = ES_PRELUDE_BYTES - d->partial.len;
        if (take > *left)
            take = *left;
        int rc = append_partial(d, *p, take);
        if (rc != ES_OK)
            return rc;
        *p += take;
        *left -= take;
        if (d->partial.len < ES_PRELUDE_BYTES)
            return ES_OK;
    }
    if (d->partial_total == 0) {
        int rc = check_prelude(d, (const uint8_t *)d->partial.data, &d->partial_total);
        if (rc != ES_OK)
            return fail(d, rc);
    }
    size_t take = d->partial_total - d->partial.len;
    if (take > *left)
        take = *left;
    int rc = append_partial(d, *p, take);
    if (rc != ES_OK)
        return rc;
    *p += take;
    *left -= take;
    if (d->partial.len < d->partial_total)
        return ES_OK;
    rc = deliver(d, (const uint8_t *)d->partial.data, d->partial_total, fn, user);
    if (d->state != DEC_RUNNING)
        return rc;
    trim_buffer(&d->partial);
    d->partial_total = 0;
    return rc;
}

int es_decoder_feed(es_decoder *d, const void *data, size_t len, es_message_fn fn, void *user)
{
    if (d->state == DEC_STOPPED)
        return ES_STOPPED;
    if (d->state == DEC_FAILED)
        return ES_ERR_FAILED;
    if (!data || len == 0)
        return ES_OK;
    const uint8_t *p = data;
    size_t left = len;
    if (d->partial.len > 0) {
        int rc = complete_partial(d, &p, &left, fn, user);
        if (rc != ES_OK || d->partial.len > 0)
            return rc;
    }
    while (left >= ES_PRELUDE_BYTES) {
        size_t total = 0;
        int rc = check_prelude(d, p, &total);
        if (rc != ES_OK)
            return fail(d, rc);
        if (left < total) {
            int rc_tail = append_partial(d, p, left);
            if (rc_tail == ES_OK)
                d->partial_total = total;
            return rc_tail;
        }
        rc = deliver(d, p, total, fn, user);
        if (rc != ES_OK)
            return rc;
        p += total;
        left -= total;
    }
    return left ? append_partial(d, p, left) : ES_OK;
}

int es_decoder_finish(es_decoder *d)
{
    if (d->state == DEC_FAILED)
        return ES_ERR_FAILED;
    if (d->state == DEC_STOPPED)
        return ES_OK;
    if (d->partial.len > 0)
        return fail(d, ES_ERR_TRUNCATED);
    return ES_OK;
}
