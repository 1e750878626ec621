/* utf8.c: UTF-8 validation, counting and cutting; see utf8.h.
 *
 * The validity rules are those of RFC 3629 (the "well-formed" table of the Unicode standard):
 * the second byte's range depends on the lead byte, which rules out overlong forms, UTF-16
 * surrogates and code points above U+10FFFF without decoding. */
#include "util/utf8.h"

#include <stdint.h>

/* Length of the sequence a lead byte starts, or 0 when the byte cannot start one. */
static size_t sequence_length(uint8_t lead)
{
    if (lead < 0x80)
        return 1;
    if (lead >= 0xc2 && lead <= 0xdf)
        return 2;
    if (lead >= 0xe0 && lead <= 0xef)
        return 3;
    if (lead >= 0xf0 && lead <= 0xf4)
        return 4;
    return 0;
}

/* Whether b may follow lead as the second byte of a sequence. */
static int valid_second_byte(uint8_t lead, uint8_t b)
{
    switch (lead) {
    case 0xe0:
        return b >= 0xa0 && b <= 0xbf; /* no overlong 3-byte forms */
    case 0xed:
        return b >= 0x80 && b <= 0x9f; /* no surrogates */
    case 0xf0:
        return b >= 0x90 && b <= 0xbf; /* no overlong 4-byte forms */
    case 0xf4:
        return b >= 0x80 && b <= 0x8f; /* nothing above U+10FFFF */
    default:
        return b >= 0x80 && b <= 0xbf;
    }
}

static int is_continuation(uint8_t b)
{
    return (b & 0xc0) == 0x80;
}

/* How many bytes of the sequence at p (at most avail) are valid: the full length when the
 * character is complete and valid, less when it is cut short or broken. */
static size_t valid_prefix(const uint8_t *p, size_t avail, size_t need)
{
    size_t ok = 1;
    while (ok < need && ok < avail) {
        int good = ok == 1 ? valid_second_byte(p[0], p[1]) : is_continuation(p[ok]);
        if (!good)
            break;
        ok++;
    }
    return ok;
}

int utf8_sanitize_append(kbuf *out, const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t run = 0; /* start of the current run of valid bytes */
    size_t i = 0;
    while (i < len) {
        size_t need = sequence_length(p[i]);
        if (need == 1) {
            i++;
            continue;
        }
        size_t ok = need ? valid_prefix(p + i, len - i, need) : 0;
        if (need && ok == need) {
            i += need;
            continue;
        }
        /* Invalid: flush the valid run, replace the maximal invalid subpart by one U+FFFD. */
        int rc = kbuf_append(out, s + run, i - run);
        if (rc == KBUF_OK)
            rc = kbuf_append(out, UTF8_REPLACEMENT, 3);
        if (rc != KBUF_OK)
            return rc;
        i += ok ? ok : 1;
        run = i;
    }
    return kbuf_append(out, s + run, len - run);
}

size_t utf8_incomplete_tail(const char *s, size_t len)
{
    const uint8_t *p = (const uint8_t *)s;
    size_t back = len < UTF8_MAX_SEQUENCE - 1 ? len : UTF8_MAX_SEQUENCE - 1;
    for (size_t k = 1; k <= back; k++) {
        uint8_t b = p[len - k];
        if (is_continuation(b))
            continue;
        size_t need = sequence_length(b);
        if (need <= k)
            return 0; /* ASCII, an invalid byte, or a complete sequence */
        return valid_prefix(p + len - k, k, need) == k ? k : 0;
    }
    return 0;
}

size_t utf8_char_count(const char *s, size_t len)
{
    size_t n = 0;
    for (size_t i = 0; i < len; i++)
        n += !is_continuation((uint8_t)s[i]);
    return n;
}

size_t utf8_prefix_bytes(const char *s, size_t len, size_t max_chars)
{
    size_t chars = 0;
    for (size_t i = 0; i < len; i++) {
        if (!is_continuation((uint8_t)s[i])) {
            if (chars == max_chars)
                return i;
            chars++;
        }
    }
    return len;
}

size_t utf8_truncate(const char *s, size_t len, size_t max)
{
    if (len <= max)
        return len;
    size_t cut = max;
    while (cut > 0 && is_continuation((uint8_t)s[cut]))
        cut--;
    return cut;
}

size_t utf8_char_len(const char *s, size_t len)
{
    if (len == 0)
        return 0;
    const uint8_t *p = (const uint8_t *)s;
    size_t need = sequence_length(p[0]);
    return need ? valid_prefix(p, len, need) : 1;
}

size_t utf8_chunk(const char *s, size_t len, size_t max_bytes)
{
    size_t taken = 0;
    while (taken < len) {
        size_t n = utf8_char_len(s + taken, len - taken);
        if (taken + n > max_bytes) {
            if (taken == 0)
                taken = n;
            break;
        }
        taken += n;
    }
    return taken;
}

int utf8_is_blank(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != '\f' && c != '\v')
            return 0;
    }
    return 1;
}
