/* secret.h: handling of keys and tokens: constant-time comparison and masking for logs.
 *
 * Every API key, admin key, access/refresh token and client secret that reaches a log line or an
 * admin response goes through secret_mask(); every key check goes through secret_equal(). */
#ifndef KIRO_UTIL_SECRET_H
#define KIRO_UTIL_SECRET_H

#include <stddef.h>

/* 1 when a and b are equal. Time depends only on the length of b (the expected secret). */
int secret_equal(const char *given, const char *expected);

/* Writes a masked form ("sk-a...9f" or "***" for short or empty values) into out. */
void secret_mask(const char *secret, char *out, size_t out_size);

/* Size of a buffer that always holds secret_mask()'s output. */
#define SECRET_MASK_SIZE 24

#endif
