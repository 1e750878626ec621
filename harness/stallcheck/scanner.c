/* scanner.c: see scanner.h. */
#include "scanner.h"

#include <string.h>

void scanner_init(line_scanner *s, size_t limit)
{
    memset(s, 0, sizeof *s);
    s->limit = limit;
}

size_t scanner_room(const line_scanner *s)
{
    if (s->stopped || s->line_len >= s->limit)
        return 0;
    return s->limit - s->line_len;
}

bool scanner_feed(line_scanner *s, const char *data, size_t len)
{
    if (s->stopped)
        return true;
    const char *p = data;
    const char *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        if (!nl) {
            s->line_len += (size_t)(end - p);
            break;
        }
        s->lines++;
        s->line_len = 0;
        p = nl + 1;
    }
    /* Go: the buffer is full (limit bytes) and holds no complete token -> ErrTooLong. */
    if (s->line_len >= s->limit)
        s->stopped = true;
    return s->stopped;
}
