/* utf8.h: cutting UTF-8 text without splitting a character.
 *
 * fake-kiro splits replies into frames of a few bytes and echoes "the first 200 characters" of
 * what the client sent. Real Kiro never splits a code point across two events, so neither do we:
 * these helpers find cut points on character boundaries. Invalid bytes count as one character
 * each, so hostile input still makes progress and never reads past its end. */
#ifndef FAKE_KIRO_UTF8_H
#define FAKE_KIRO_UTF8_H

#include <stddef.h>

/* Length in bytes of the character starting at s[0] (1..4), never more than len. */
size_t fk_utf8_char_len(const char *s, size_t len);

/* Bytes of the longest prefix of s (length len) that holds at most max_bytes bytes and ends on
 * a character boundary. When the first character alone is longer than max_bytes, that whole
 * character is taken, so that every call makes progress. Returns 0 only when len is 0. */
size_t fk_utf8_chunk(const char *s, size_t len, size_t max_bytes);

/* Bytes of the prefix of s that holds at most max_chars characters. */
size_t fk_utf8_prefix_chars(const char *s, size_t len, size_t max_chars);

#endif
