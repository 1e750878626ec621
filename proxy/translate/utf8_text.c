/* utf8_text.c: UTF-8 aware counting and cutting; see utf8_text.h. */
#include "translate/utf8_text.h"

static int is_continuation(unsigned char c)
{
    return (c & 0xC0) == 0x80;
}

size_t utf8_char_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        if (!is_continuation((unsigned char)s[i]))
            n++;
    return n;
}

size_t utf8_prefix_bytes(const char *s, size_t len, size_t max_chars)
{
    size_t chars = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_continuation((unsigned char)s[i])) {
            if (chars == max_chars)
                return i;
            chars++;
        }
    }
    return len;
}

size_t utf8_floor_boundary(const char *s, size_t len, size_t max_bytes)
{
    if (len <= max_bytes)
        return len;
    size_t n = max_bytes;
    while (n > 0 && is_continuation((unsigned char)s[n]))
        n--;
    return n;
}

int text_is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v')
            return 0;
    }
    return 1;
}
