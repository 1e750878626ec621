/* utf8_text.h: character counting and cutting of UTF-8 text without splitting a character.
 *
 * Limits stated in characters (tool descriptions, token estimates) count code points; cuts
 * stated in bytes (tool names) back off to a character boundary. Invalid UTF-8 is never
 * rejected here: stray bytes simply count as characters. */
#ifndef KIRO_TRANSLATE_UTF8_TEXT_H
#define KIRO_TRANSLATE_UTF8_TEXT_H

#include <stddef.h>

/* Number of characters (bytes that are not UTF-8 continuation bytes) in s[0..len). */
size_t utf8_char_count(const char *s, size_t len);
/* Byte length of the first max_chars characters of s[0..len). */
size_t utf8_prefix_bytes(const char *s, size_t len, size_t max_chars);
/* The largest n <= max_bytes (and <= len) such that s[0..n) ends on a character boundary. */
size_t utf8_floor_boundary(const char *s, size_t len, size_t max_bytes);
/* 1 when s is empty or holds only ASCII whitespace. */
int text_is_blank(const char *s, size_t len);

#endif
