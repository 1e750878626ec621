/* secret.c: constant-time key comparison and log masking; see secret.h. */
#include "util/secret.h"

#include <stdio.h>
#include <string.h>

int secret_equal(const char *given, const char *expected)
{
    if (!given || !expected)
        return 0;
    size_t given_len = strlen(given);
    size_t expected_len = strlen(expected);
    /* Walk the expected secret completely whatever the input, so timing leaks neither a
     * matching prefix nor where the input ends. */
    unsigned char diff = (unsigned char)(given_len != expected_len);
    for (size_t i = 0; i < expected_len; i++) {
        unsigned char g = i < given_len ? (unsigned char)given[i] : 0;
        diff |= (unsigned char)(g ^ (unsigned char)expected[i]);
    }
    return diff == 0 && expected_len > 0;
}

void secret_mask(const char *secret, char *out, size_t out_size)
{
    if (!out || out_size == 0)
        return;
    size_t n = secret ? strlen(secret) : 0;
    if (n == 0) {
        snprintf(out, out_size, "(none)");
    } else if (n < 12) {
        snprintf(out, out_size, "***");
    } else {
        /* Show 4 leading and 2 trailing characters: enough to tell keys apart, far too
         * little to use one. */
        snprintf(out, out_size, "%.4s...%s", secret, secret + n - 2);
    }
}
