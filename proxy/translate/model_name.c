/* model_name.c: client model name normalisation and family matching.
 *
 * Clients send names in Anthropic's dated, hyphenated form (claude-sonnet-4-5-20250929,
 * claude-3-7-sonnet-latest, ...-thinking); the upstream knows dotted ids (claude-sonnet-4.5).
 * Normalisation is pure string work so that it can be tested without a catalogue. */
#include "translate/model_catalog.h"
#include "translate/model_name.h"

#include <ctype.h>
#include <string.h>
#include <strings.h>

static int strip_suffix(char *s, size_t *len, const char *suffix)
{
    size_t n = strlen(suffix);
    if (*len < n || memcmp(s + *len - n, suffix, n) != 0)
        return 0;
    *len -= n;
    s[*len] = '\0';
    return 1;
}

/* "-" followed by eight digits at the end, e.g. "-20250929". */
static int strip_date(char *s, size_t *len)
{
    if (*len < 9 || s[*len - 9] != '-')
        return 0;
    for (size_t i = *len - 8; i < *len; i++)
        if (!isdigit((unsigned char)s[i]))
            return 0;
    *len -= 9;
    s[*len] = '\0';
    return 1;
}

static size_t digit_run_before(const char *s, size_t pos)
{
    size_t n = 0;
    while (pos > 0 && isdigit((unsigned char)s[pos - 1])) {
        pos--;
        n++;
    }
    return n;
}

static size_t digit_run_from(const char *s, size_t pos)
{
    size_t n = 0;
    while (isdigit((unsigned char)s[pos + n]))
        n++;
    return n;
}

/* "4-5" -> "4.5" where both sides are short version numbers (not dates or build numbers). */
static void hyphenated_versions_to_dots(char *s, size_t len)
{
    for (size_t i = 1; i + 1 < len; i++) {
        if (s[i] != '-')
            continue;
        size_t before = digit_run_before(s, i);
        size_t after = digit_run_from(s, i + 1);
        if (before >= 1 && before <= 2 && after >= 1 && after <= 2)
            s[i] = '.';
    }
}

int model_name_normalize(const char *in, char *out, size_t out_size, int *thinking)
{
    if (!out || out_size == 0)
        return -1;
    out[0] = '\0';
    if (!in)
        return -1;
    size_t len = strlen(in);
    if (len == 0 || len >= out_size)
        return -1;
    for (size_t i = 0; i < len; i++)
        out[i] = (char)tolower((unsigned char)in[i]);
    out[len] = '\0';

    int wants_thinking = 0;
    for (;;) {
        if (strip_suffix(out, &len, "-thinking"))
            wants_thinking = 1;
        else if (!strip_suffix(out, &len, "-latest") && !strip_date(out, &len))
            break;
    }
    if (len == 0) {
        out[0] = '\0';
        return -1;
    }
    hyphenated_versions_to_dots(out, len);
    if (thinking)
        *thinking = wants_thinking;
    return 0;
}

static int starts_with_ci(const char *s, const char *prefix)
{
    return strncasecmp(s, prefix, strlen(prefix)) == 0;
}

static int contains_ci(const char *s, const char *needle)
{
    size_t n = strlen(needle);
    for (; *s; s++)
        if (strncasecmp(s, needle, n) == 0)
            return 1;
    return 0;
}

const char *model_name_family(const char *name)
{
    static const char *const families[] = { "sonnet", "haiku", "opus" };
    if (!name || !starts_with_ci(name, "claude"))
        return NULL;
    for (size_t i = 0; i < sizeof families / sizeof families[0]; i++)
        if (contains_ci(name, families[i]))
            return families[i];
    return NULL;
}

/* Reads at most 6 digits so that the result cannot overflow. */
static long read_small_number(const char **p)
{
    long v = 0;
    int digits = 0;
    while (isdigit((unsigned char)**p)) {
        if (digits < 6)
            v = v * 10 + (**p - '0');
        digits++;
        (*p)++;
    }
    return v;
}

long model_name_version(const char *name)
{
    if (!name)
        return -1;
    const char *p = name;
    while (*p && !isdigit((unsigned char)*p))
        p++;
    if (!*p)
        return -1;
    long major = read_small_number(&p);
    long minor = 0;
    if (*p == '.' && isdigit((unsigned char)p[1])) {
        p++;
        minor = read_small_number(&p);
        if (minor > 999)
            minor = 999;
    }
    return major * 1000 + minor;
}
