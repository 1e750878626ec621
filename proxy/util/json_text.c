/* json_text.c: checks on JSON text before parsing; see json_text.h. */
#include "util/json_text.h"

#include <string.h>

long json_text_nul_escape(const char *s, size_t len)
{
    int in_string = 0;
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (!in_string) {
            in_string = c == '"';
            continue;
        }
        if (c == '"') {
            in_string = 0;
        } else if (c == '\\' && i + 1 < len) {
            if (s[i + 1] == 'u' && len - i >= 6 && memcmp(s + i + 2, "0000", 4) == 0)
                return (long)i;
            i++; /* the escaped character */
        }
    }
    return -1;
}
