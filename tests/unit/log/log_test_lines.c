/* log_test_lines.c: line format and accounting checks; see log_test_lines.h. */
#include "log_test_lines.h"

#include "log/log_format.h"

#include <ctype.h>
#include <stdarg.h>
#include <string.h>

static int digits_at(const char *p, int count)
{
    for (int i = 0; i < count; i++) {
        if (!isdigit((unsigned char)p[i]))
            return 0;
    }
    return 1;
}

int line_has_format(const char *line, size_t len, const char *level, const char *message)
{
    const size_t ts_len = 24;
    size_t level_len = strlen(level), message_len = strlen(message);
    if (len != ts_len + 1 + level_len + 1 + message_len + 1)
        return 0;
    if (!digits_at(line, 4) || line[4] != '-' || !digits_at(line + 5, 2) || line[7] != '-' ||
        !digits_at(line + 8, 2) || line[10] != 'T' || !digits_at(line + 11, 2) || line[13] != ':' ||
        !digits_at(line + 14, 2) || line[16] != ':' || !digits_at(line + 17, 2) || line[19] != '.' ||
        !digits_at(line + 20, 3) || line[23] != 'Z' || line[24] != ' ')
        return 0;
    const char *p = line + ts_len + 1;
    if (memcmp(p, level, level_len) != 0 || p[level_len] != ' ')
        return 0;
    p += level_len + 1;
    return memcmp(p, message, message_len) == 0 && p[message_len] == '\n';
}

size_t count_lines_containing(const char *data, size_t len, const char *needle)
{
    size_t count = 0, needle_len = strlen(needle);
    const char *p = data, *end = data + len;
    while (p < end) {
        const char *nl = memchr(p, '\n', (size_t)(end - p));
        const char *line_end = nl ? nl : end;
        for (const char *q = p; q + needle_len <= line_end; q++) {
            if (memcmp(q, needle, needle_len) == 0) {
                count++;
                break;
            }
        }
        p = line_end + 1;
    }
    return count;
}

int stats_balance(const log_stats *s)
{
    return s->lines_written + s->lines_dropped + s->lines_queued == s->lines_logged &&
           s->bytes_written + s->bytes_dropped + s->bytes_queued == s->bytes_logged;
}

void format_reference_line(struct log_line *line, log_level level, const char *fmt, ...)
{
    log_config defaults;
    log_config_defaults(&defaults);
    va_list ap;
    va_start(ap, fmt);
    log_line_format(line, defaults.max_line_bytes, level, fmt, ap);
    va_end(ap);
}
