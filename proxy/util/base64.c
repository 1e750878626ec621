/* base64.c: base64 decoding; see base64.h. */
#include "util/base64.h"

static int sextet(char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    if (c == '+' || c == '-')
        return 62;
    if (c == '/' || c == '_')
        return 63;
    return -1;
}

long base64_decode(const char *text, size_t len, char *out, size_t out_size)
{
    while (len > 0 && text[len - 1] == '=')
        len--;
    if (len % 4 == 1 || out_size == 0)
        return -1;
    size_t n = 0;
    unsigned long bits = 0;
    int have = 0;
    for (size_t i = 0; i < len; i++) {
        int v = sextet(text[i]);
        if (v < 0)
            return -1;
        bits = (bits << 6) | (unsigned long)v;
        have += 6;
        if (have >= 8) {
            have -= 8;
            if (n + 1 >= out_size)
                return -1;
            out[n++] = (char)((bits >> have) & 0xff);
        }
    }
    out[n] = '\0';
    return (long)n;
}
