/* utf8.h: the one UTF-8 module: validating, counting and cutting text without splitting a
 * character. The proxy's renderer, its translator and fake-kiro all use it.
 *
 * Two notions of a character, each where it belongs:
 * - counting and cutting (utf8_char_count, utf8_prefix_bytes, utf8_truncate) count lead bytes:
 *   every byte that is not a continuation byte starts a character. Invalid UTF-8 is never
 *   rejected there; stray bytes simply count.
 * - validating (utf8_sanitize_append, utf8_incomplete_tail, utf8_char_len, utf8_chunk) follow
 *   RFC 3629's well-formed table: a character is a valid sequence, and anything else is cut
 *   into the pieces that utf8_sanitize_append replaces by one U+FFFD each.
 * cJSON copies string bytes through unchanged, so invalid UTF-8 from the upstream would become
 * invalid JSON for the client: text bound for clients is sanitised before it reaches cJSON, and
 * streams hold back a character split across two events (utf8_incomplete_tail). */
#ifndef KIRO_UTIL_UTF8_H
#define KIRO_UTIL_UTF8_H

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

/* Number of characters (bytes that are not continuation bytes) in s[0..len). */
size_t utf8_char_count(const char *s, size_t len);

/* Byte length of the first max_chars characters of s[0..len). */
size_t utf8_prefix_bytes(const char *s, size_t len, size_t max_chars);

/* The longest prefix of s[0..len) that is at most max bytes and does not end inside a
 * character. */
size_t utf8_truncate(const char *s, size_t len, size_t max);

/* Length in bytes of the character at s[0] (0 only when len is 0): a whole valid sequence,
 * the valid start of one cut short by len, or 1 for a byte that cannot start one, so that a
 * walk over hostile bytes always makes progress and never reads past len. */
size_t utf8_char_len(const char *s, size_t len);

/* Bytes of the longest prefix of s[0..len) that holds at most max_bytes and ends on a
 * character boundary. When the first character alone is longer than max_bytes, that whole
 * character is taken, so that every call makes progress. Returns 0 only when len is 0. */
size_t utf8_chunk(const char *s, size_t len, size_t max_bytes);

/* 1 when s[0..len) is empty or holds only ASCII whitespace. */
int utf8_is_blank(const char *s, size_t len);

#endif
