/* json_text.h: checks on JSON text before it is parsed.
 *
 * cJSON decodes the escape \u0000 into its C strings, where every consumer then stops: a
 * message text, a model name or an admin field would silently lose what follows. The proxy
 * refuses such strings instead (issue 15), in request bodies and in JSON carried inside
 * strings (OpenAI tool-call arguments). */
#ifndef KIRO_UTIL_JSON_TEXT_H
#define KIRO_UTIL_JSON_TEXT_H

#include <stddef.h>

/* Offset of the backslash of the first \u0000 escape inside a JSON string of s[0..len), or -1
 * when there is none. Escaped backslashes ("\\u0000" is a backslash and text) are told apart. */
long json_text_nul_escape(const char *s, size_t len);

#endif
