/* base64.h: base64 decoding (RFC 4648, both the standard and the URL-safe alphabet, padding
 * optional), for kiro-go's "creds-<base64 of a credential JSON>" API keys. */
#ifndef KIRO_UTIL_BASE64_H
#define KIRO_UTIL_BASE64_H

#include <stddef.h>

/* Decodes text[0..len) into out (at most out_size - 1 bytes, NUL-terminated). Returns the
 * decoded length, or -1 when text is not base64 or does not fit. */
long base64_decode(const char *text, size_t len, char *out, size_t out_size);

#endif
