/* utf8.c: character-boundary cutting for frame splitting and echoes; see utf8.h. */
#include "utf8.h"

static int is_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

size_t fk_utf8_char_len(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    unsigned char lead = (unsigned char)s[0];
    size_t want;
    if (lead < 0x80)
        want = 1;
    else if ((lead & 0xE0) == 0xC0)
        want = 2;
    else if ((lead & 0xF0) == 0xE0)
        want = 3;
    else if ((lead & 0xF8) == 0xF0)
        want = 4;
    else
        return 1; /* stray continuation or invalid lead byte: one byte on its own */
    if (want > len)
        return len;
    for (size_t i = 1; i < want; i++) {
        if (!is_continuation((unsigned char)s[i]))
            return i; /* truncated sequence: stop before the byte that breaks it */
    }
    return want;
}

size_t fk_utf8_chunk(const char *s, size_t len, size_t max_bytes)
{
    size_t taken = 0;
    while (taken < len) {
        size_t n = fk_utf8_char_len(s + taken, len - taken);
        if (taken + n > max_bytes) {
            if (taken == 0)
                taken = n;
            break;
        }
        taken += n;
    }
    return taken;
}

size_t fk_utf8_prefix_chars(const char *s, size_t len, size_t max_chars)
{
    size_t taken = 0;
    for (size_t chars = 0; chars < max_chars && taken < len; chars++)
        taken += fk_utf8_char_len(s + taken, len - taken);
    return taken;
}
