/* utf8.h: UTF-8 validation helpers for text that the upstream sends to clients.
 *
 * cJSON copies string bytes through unchanged, so invalid UTF-8 from the upstream would become
 * invalid JSON for the client. Text is therefore sanitised (every invalid sequence replaced by
 * U+FFFD) before it reaches cJSON. Streams also hold back a character split across two events
 * (utf8_incomplete_tail) so that it is not replaced by mistake. */
#ifndef KIRO_RENDER_UTF8_H
#define KIRO_RENDER_UTF8_H

#include <stddef.h>

#include "util/buf.h"

#define UTF8_REPLACEMENT "\xef\xbf\xbd"
#define UTF8_MAX_SEQUENCE 4

/* Appends s[0..len) to out with every invalid sequence (bad lead byte, stray continuation,
 * overlong form, surrogate, above U+10FFFF, truncated sequence) replaced by U+FFFD.
 * Returns a KBUF_* status. */
int utf8_sanitize_append(kbuf *out, const char *s, size_t len);

/* Bytes at the end of s that start a multi-byte character whose remaining bytes have not
 * arrived yet (0-3). Bytes that cannot become valid are not counted. */
size_t utf8_incomplete_tail(const char *s, size_t len);

/* Number of characters (lead bytes) in valid UTF-8 text. */
size_t utf8_count_chars(const char *s, size_t len);

/* The longest prefix of s[0..len) that is at most max bytes and does not end inside a
 * character (s must be valid UTF-8). */
size_t utf8_truncate(const char *s, size_t len, size_t max);

#endif
