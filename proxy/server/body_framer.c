/* body_framer.c: incremental body framing (Content-Length and chunked); see body_framer.h. */
#include "server/body_framer.h"

#include <stdio.h>
#include <string.h>

enum {
    CH_SIZE,    /* hex digits of a chunk size */
    CH_SIZE_WS, /* white space after the size, before ';' or the line end */
    CH_EXT,     /* chunk extensions: skipped up to the line end */
    CH_SIZE_LF, /* CR seen at the end of the size line */
    CH_DATA,    /* chunk data */
    CH_DATA_CR, /* CRLF after the data */
    CH_DATA_LF,
    CH_TRAILER_START, /* start of a trailer line, or the final empty line */
    CH_TRAILER_LINE,  /* inside a trailer line (dropped) */
    CH_END_LF,        /* CR of the final empty line seen */
    CH_DONE,
};

/* Room always left in out before a step that writes a size line, CRLF or the last chunk. */
#define EMIT_RESERVE 24

void body_framer_init(body_framer *f, body_framing mode, uint64_t length, uint64_t limit)
{
    memset(f, 0, sizeof *f);
    f->mode = mode;
    f->remaining = length;
    f->limit = limit;
    f->state = mode == BODY_NONE || (mode == BODY_LENGTH && length == 0) ? CH_DONE : CH_SIZE;
}

static framer_status fail(body_framer *f, int status, const char *msg)
{
    f->status = status;
    snprintf(f->message, sizeof f->message, "%s", msg);
    return FRAMER_ERROR;
}

static int hex_value(unsigned char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

static void emit(char *out, size_t *produced, const char *s, size_t n)
{
    if (!out)
        return;
    memcpy(out + *produced, s, n);
    *produced += n;
}

/* The chunk-size line ended: start the data, or the trailer section after the last chunk. */
static framer_status size_line_done(body_framer *f, char *out, size_t *produced)
{
    if (f->size_digits == 0)
        return fail(f, 400, "a chunk-size line has no hexadecimal size");
    if (f->chunk_size == 0) {
        f->state = CH_TRAILER_START;
        return FRAMER_MORE;
    }
    if (f->limit && f->chunk_size > f->limit - f->total)
        return fail(f, 413, "the chunked request body is larger than the body limit");
    char line[24];
    int n = snprintf(line, sizeof line, "%llx\r\n", (unsigned long long)f->chunk_size);
    emit(out, produced, line, (size_t)n);
    f->remaining = f->chunk_size;
    f->state = CH_DATA;
    return FRAMER_MORE;
}

static framer_status length_feed(body_framer *f, const char *in, size_t in_len, size_t *consumed,
                                 char *out, size_t out_cap, size_t *produced)
{
    uint64_t take = f->remaining < in_len ? f->remaining : in_len;
    if (out && take > out_cap - *produced)
        take = out_cap - *produced;
    if (f->limit && take > f->limit - f->total)
        return fail(f, 413, "the request body is larger than the body limit");
    emit(out, produced, in, (size_t)take);
    *consumed = (size_t)take;
    f->remaining -= take;
    f->total += take;
    return f->remaining == 0 ? FRAMER_DONE : FRAMER_MORE;
}

/* The CRLF after a chunk's data: the next chunk-size line starts. */
static framer_status data_line_done(body_framer *f, char *out, size_t *produced)
{
    emit(out, produced, "\r\n", 2);
    f->state = CH_SIZE;
    f->chunk_size = 0;
    f->size_digits = 0;
    f->line_len = 0;
    return FRAMER_MORE;
}

/* What may follow the chunk size (after it, or after the blanks behind it): blanks, an
 * extension, the line's end. Returns 1 with *status set when c is one of those. */
static int after_size(body_framer *f, unsigned char c, char *out, size_t *produced,
                      framer_status *status)
{
    *status = FRAMER_MORE;
    if (c == ' ' || c == '\t')
        f->state = CH_SIZE_WS;
    else if (c == ';')
        f->state = CH_EXT;
    else if (c == '\r')
        f->state = CH_SIZE_LF;
    else if (c == '\n')
        *status = size_line_done(f, out, produced);
    else
        return 0;
    return 1;
}

static framer_status chunk_byte(body_framer *f, unsigned char c, char *out, size_t *produced)
{
    framer_status st;
    switch (f->state) {
    case CH_SIZE: {
        int h = hex_value(c);
        if (h >= 0) {
            if (++f->size_digits > 16)
                return fail(f, 400, "a chunk size has more than 16 hexadecimal digits");
            f->chunk_size = (f->chunk_size << 4) | (uint64_t)h;
            return FRAMER_MORE;
        }
        if (after_size(f, c, out, produced, &st))
            return st;
        return fail(f, 400, "a chunk size is not hexadecimal");
    }
    case CH_SIZE_WS:
        if (after_size(f, c, out, produced, &st))
            return st;
        return fail(f, 400,
                    "a chunk-size line has bytes after the size that are not an "
                    "extension");
    case CH_EXT:
        if (c == '\r') {
            f->state = CH_SIZE_LF;
            return FRAMER_MORE;
        }
        if (c == '\n')
            return size_line_done(f, out, produced);
        if ((c < 0x20 && c != '\t') || c == 0x7f)
            return fail(f, 400, "a control byte in a chunk extension");
        return FRAMER_MORE;
    case CH_SIZE_LF:
        if (c != '\n')
            return fail(f, 400, "a CR in a chunk-size line is not followed by LF");
        return size_line_done(f, out, produced);
    case CH_DATA_CR:
        if (c == '\r') {
            f->state = CH_DATA_LF;
            return FRAMER_MORE;
        }
        return c == '\n' ? data_line_done(f, out, produced) /* a bare LF ends it too */
                         : fail(f, 400,
                                "chunk data is longer than its chunk size (no CRLF "
                                "after it)");
    case CH_DATA_LF:
        if (c != '\n')
            return fail(f, 400, "chunk data is longer than its chunk size (no CRLF after it)");
        return data_line_done(f, out, produced);
    case CH_TRAILER_START:
        if (c == '\r') {
            f->state = CH_END_LF;
            return FRAMER_MORE;
        }
        if (c == '\n')
            break;
        f->state = CH_TRAILER_LINE;
        return FRAMER_MORE;
    case CH_TRAILER_LINE:
        if (c == 0)
            return fail(f, 400, "a NUL byte in a trailer field");
        if (c == '\n')
            f->state = CH_TRAILER_START;
        return FRAMER_MORE;
    case CH_END_LF:
        if (c != '\n')
            return fail(f, 400, "the chunked body does not end with an empty line");
        break;
    default:
        return fail(f, 400, "chunk framing error");
    }
    emit(out, produced, "0\r\n\r\n", 5);
    f->state = CH_DONE;
    return FRAMER_DONE;
}

framer_status body_framer_feed(body_framer *f, const char *in, size_t in_len, size_t *consumed,
                               char *out, size_t out_cap, size_t *produced)
{
    *consumed = 0;
    size_t made = 0;
    if (!produced)
        produced = &made;
    *produced = 0;
    if (f->state == CH_DONE)
        return FRAMER_DONE;
    if (f->mode == BODY_UNTIL_CLOSE) {
        *consumed = in_len;
        return FRAMER_MORE;
    }
    if (f->mode == BODY_LENGTH)
        return length_feed(f, in, in_len, consumed, out, out_cap, produced);
    size_t i = 0;
    while (i < in_len) {
        if (f->state == CH_DATA) {
            uint64_t take = f->remaining < in_len - i ? f->remaining : in_len - i;
            if (out && take > out_cap - *produced)
                take = out_cap - *produced;
            if (take == 0)
                break;
            emit(out, produced, in + i, (size_t)take);
            i += (size_t)take;
            f->remaining -= take;
            f->total += take;
            if (f->remaining == 0)
                f->state = CH_DATA_CR;
            continue;
        }
        if (out && out_cap - *produced < EMIT_RESERVE)
            break;
        if (f->state <= CH_SIZE_LF && ++f->line_len > CHUNK_LINE_MAX) {
            *consumed = i;
            return fail(f, 400,
                        "a chunk-size line (with its extensions) is longer than 4096 "
                        "bytes");
        }
        if (f->state >= CH_TRAILER_START && ++f->trailer_len > CHUNK_TRAILERS_MAX) {
            *consumed = i;
            return fail(f, 400,
                        "the trailer section of the chunked body is longer than 8192 "
                        "bytes");
        }
        framer_status st = chunk_byte(f, (unsigned char)in[i++], out, produced);
        if (st != FRAMER_MORE) {
            *consumed = i;
            return st;
        }
    }
    *consumed = i;
    return FRAMER_MORE;
}
