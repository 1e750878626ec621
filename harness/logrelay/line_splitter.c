/* line_splitter.c: newline search and long-line cutting for one child stream; see the header. */
#include "line_splitter.h"

#include <stdlib.h>
#include <string.h>

static const char continues_mark[] = LINE_SPLITTER_CONTINUES_MARK "\n";

void line_splitter_init(struct line_splitter *s, int stream, size_t piece_limit,
                        line_record_fn *emit, void *emit_context, struct stream_counters *counters)
{
    memset(s, 0, sizeof *s);
    s->stream = stream;
    s->piece_limit = piece_limit > 0 ? piece_limit : 1;
    s->emit = emit;
    s->emit_context = emit_context;
    s->counters = counters;
}

void line_splitter_free(struct line_splitter *s)
{
    free(s->partial);
    s->partial = NULL;
    s->partial_len = s->partial_alloc = 0;
}

static void emit_record(struct line_splitter *s, const struct iovec *parts, int count,
                        size_t payload)
{
    s->counters->received_lines++;
    s->counters->received_bytes += payload;
    s->emit(s->emit_context, s->stream, parts, count, payload);
}

/* Emits partial + tail (tail ends with the newline) as a whole line and ends the current line.
 * tail_payload: how many of tail's bytes came from the child (all, or none for an added newline). */
static void emit_line_end(struct line_splitter *s, const char *tail, size_t tail_len,
                          size_t tail_payload)
{
    struct iovec parts[2];
    int count = 0;
    if (s->partial_len > 0)
        parts[count++] = (struct iovec){.iov_base = s->partial, .iov_len = s->partial_len};
    parts[count++] = (struct iovec){.iov_base = (void *)tail, .iov_len = tail_len};
    emit_record(s, parts, count, s->partial_len + tail_payload);
    s->partial_len = 0;
    s->in_split_line = 0;
}

/* Emits content (the line continues after it) followed by the visible continuation mark. */
static void emit_piece(struct line_splitter *s, const char *content, size_t len)
{
    struct iovec parts[2] = {
        {.iov_base = (void *)content, .iov_len = len},
        {.iov_base = (void *)continues_mark, .iov_len = sizeof continues_mark - 1},
    };
    if (!s->in_split_line)
        s->counters->split_lines++;
    s->in_split_line = 1;
    emit_record(s, parts, 2, len);
}

static int append_partial(struct line_splitter *s, const char *data, size_t len)
{
    if (s->partial_len + len > s->partial_alloc) {
        size_t want = s->partial_alloc ? s->partial_alloc : 256;
        while (want < s->partial_len + len)
            want *= 2;
        if (want > s->piece_limit)
            want = s->piece_limit; /* partial never exceeds the limit: the bound */
        char *grown = realloc(s->partial, want);
        if (!grown)
            return -1;
        s->partial = grown;
        s->partial_alloc = want;
    }
    memcpy(s->partial + s->partial_len, data, len);
    s->partial_len += len;
    return 0;
}

int line_splitter_feed(struct line_splitter *s, const char *data, size_t len)
{
    int rc = 0;
    while (len > 0) {
        if (s->partial_len == s->piece_limit) {
            /* A full piece is pending and one more byte is known: the line ends here or goes on. */
            if (data[0] == '\n') {
                emit_line_end(s, data, 1, 1);
                data++, len--;
            } else {
                emit_piece(s, s->partial, s->partial_len);
                s->partial_len = 0;
            }
            continue;
        }
        size_t room = s->piece_limit - s->partial_len;
        /* A newline within room + 1 bytes ends a line whose content fits the limit. */
        const char *newline = memchr(data, '\n', len < room + 1 ? len : room + 1);
        if (newline) {
            size_t through_newline = (size_t)(newline - data) + 1;
            emit_line_end(s, data, through_newline, through_newline);
            data += through_newline, len -= through_newline;
        } else if (s->partial_len == 0 && len > room) {
            /* No newline in the next limit + 1 bytes: a whole piece straight from the chunk. */
            emit_piece(s, data, room);
            data += room, len -= room;
        } else {
            size_t take = len < room ? len : room;
            if (append_partial(s, data, take) != 0) {
                /* Out of memory: cut the line here rather than lose or stall anything. */
                if (s->partial_len > 0)
                    emit_piece(s, s->partial, s->partial_len);
                s->partial_len = 0;
                emit_piece(s, data, take);
                rc = -1;
            }
            data += take, len -= take;
        }
    }
    return rc;
}

void line_splitter_finish(struct line_splitter *s)
{
    if (s->partial_len > 0)
        emit_line_end(s, "\n", 1, 0);
    s->in_split_line = 0;
}
