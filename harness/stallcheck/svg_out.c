/* svg_out.c: XML text escaping and layout estimates; see svg_out.h. */
#include "svg_out.h"

#include <stdbool.h>
#include <string.h>

/* Length of the UTF-8 sequence starting at s (1..4), or 0 when it is not valid. */
static size_t utf8_sequence(const unsigned char *s)
{
    size_t len = s[0] < 0x80             ? 1
                 : (s[0] & 0xE0) == 0xC0 ? 2
                 : (s[0] & 0xF0) == 0xE0 ? 3
                 : (s[0] & 0xF8) == 0xF0 ? 4
                                         : 0;
    if (len == 0 || (len == 2 && s[0] < 0xC2))
        return 0;
    for (size_t i = 1; i < len; i++)
        if ((s[i] & 0xC0) != 0x80)
            return 0;
    return len;
}

void svg_put_text(FILE *out, const char *text, size_t max)
{
    if (!text)
        return;
    size_t len = strlen(text);
    bool cut = max > 0 && len > max;
    size_t end = cut ? max : len;
    const unsigned char *s = (const unsigned char *)text;
    for (size_t i = 0; i < end;) {
        unsigned char c = s[i];
        size_t n = utf8_sequence(s + i);
        if (n == 0 || i + n > end) {
            fputc('?', out);
            i++;
            continue;
        }
        if (n > 1) {
            fwrite(s + i, 1, n, out);
            i += n;
            continue;
        }
        switch (c) {
        case '&':
            fputs("&amp;", out);
            break;
        case '<':
            fputs("&lt;", out);
            break;
        case '>':
            fputs("&gt;", out);
            break;
        case '"':
            fputs("&quot;", out);
            break;
        case '\'':
            fputs("&apos;", out);
            break;
        default:
            fputc(c < 0x20 && c != '\t' ? '?' : c, out);
            break;
        }
        i++;
    }
    if (cut)
        fputs("...", out);
}

double svg_text_width(const char *text, double px)
{
    double w = 0;
    for (const unsigned char *s = (const unsigned char *)text; s && *s; s++) {
        if ((*s & 0xC0) == 0x80)
            continue; /* a continuation byte: counted with its lead byte */
        /* narrow letters, wide capitals and digits-ish, the rest in between */
        w += strchr("iljtf.,:;'!|() ", *s)                        ? 0.32
             : (*s >= 'A' && *s <= 'Z') || *s == 'm' || *s == 'w' ? 0.72
                                                                  : 0.56;
    }
    return w * px;
}

void svg_format_bytes(long bytes, char *out, size_t size)
{
    if (bytes >= 1024 * 1024)
        snprintf(out, size, "%.1f MiB", (double)bytes / (1024.0 * 1024.0));
    else if (bytes >= 1024 && bytes % 1024 == 0)
        snprintf(out, size, "%ld KiB", bytes / 1024);
    else if (bytes >= 1024)
        snprintf(out, size, "%.1f KiB", (double)bytes / 1024.0);
    else
        snprintf(out, size, "%ld B", bytes);
}

void svg_format_duration(long ms, char *out, size_t size)
{
    if (ms >= 1000)
        snprintf(out, size, "%.2f s", (double)ms / 1000.0);
    else
        snprintf(out, size, "%ld ms", ms);
}
