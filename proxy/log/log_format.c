/* log_format.c: configuration defaults, level names and the bytes of one log line.
 *
 * Shared by both logger builds so that they emit identical lines (see log_format.h). The
 * timestamp is computed from CLOCK_REALTIME with integer calendar arithmetic instead of
 * gmtime_r(): glibc's gmtime_r() takes the process-wide time zone lock and, on its first call,
 * reads TZ and /etc/localtime; a logger called from request threads must do neither.
 *
 * The message is printed into the caller's stack buffer and escaped in place, walking
 * backwards, so a typical line costs one vsnprintf() and no allocation. */
#include "log/log_format.h"

#include <stdio.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <strings.h>

enum {
    LOG_DEFAULT_MAX_LINE_BYTES = 1024 * 1024,
    LOG_DEFAULT_QUEUE_BYTES = 4 * 1024 * 1024,
    LOG_DEFAULT_QUEUE_LINES = 65536,
    LOG_DEFAULT_FLUSH_DEADLINE_MS = 2000,
};

/* Longest level name plus the two spaces around it. */
#define LOG_PREFIX_MAX (LOG_TIMESTAMP_LEN + 1 + 7 + 1)

static const char FORMAT_ERROR_TEXT[] = "[log: invalid format string]";

void log_config_defaults(log_config *config)
{
    config->fd = 2;
    config->min_level = LOG_LEVEL_INFO;
    config->max_line_bytes = LOG_DEFAULT_MAX_LINE_BYTES;
    config->queue_bytes = LOG_DEFAULT_QUEUE_BYTES;
    config->queue_lines = LOG_DEFAULT_QUEUE_LINES;
    config->flush_deadline_ms = LOG_DEFAULT_FLUSH_DEADLINE_MS;
}

void log_config_normalize(const log_config *in, log_config *out)
{
    if (in)
        *out = *in;
    else
        log_config_defaults(out);
    if (out->min_level < LOG_LEVEL_DEBUG)
        out->min_level = LOG_LEVEL_DEBUG;
    if (out->min_level > LOG_LEVEL_ERROR)
        out->min_level = LOG_LEVEL_ERROR;
    if (out->max_line_bytes < LOG_LINE_MIN_BYTES)
        out->max_line_bytes = LOG_LINE_MIN_BYTES;
    /* Keep a line's size far from int and uint32 limits. */
    if (out->max_line_bytes > (size_t)1 << 30)
        out->max_line_bytes = (size_t)1 << 30;
    if (out->queue_lines < 1)
        out->queue_lines = 1;
    if (out->flush_deadline_ms < 0)
        out->flush_deadline_ms = 0;
}

int log_level_parse(const char *text, log_level *out)
{
    static const struct {
        const char *name;
        log_level level;
    } names[] = {
        {"debug", LOG_LEVEL_DEBUG}, {"info", LOG_LEVEL_INFO},   {"warn", LOG_LEVEL_WARN},
        {"warning", LOG_LEVEL_WARN}, {"error", LOG_LEVEL_ERROR},
    };
    if (!text)
        return -1;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(text, names[i].name) == 0) {
            *out = names[i].level;
            return 0;
        }
    }
    return -1;
}

const char *log_level_name(log_level level)
{
    switch (level) {
    case LOG_LEVEL_DEBUG:
        return "DEBUG";
    case LOG_LEVEL_INFO:
        return "INFO";
    case LOG_LEVEL_WARN:
        return "WARN";
    case LOG_LEVEL_ERROR:
        return "ERROR";
    }
    return "UNKNOWN";
}

/* ---- timestamp ---------------------------------------------------------------------- */

typedef struct civil_date {
    int64_t year;
    unsigned month; /* 1..12 */
    unsigned day;   /* 1..31 */
} civil_date;

/* Proleptic Gregorian date of a day count since 1970-01-01. The calendar repeats every 400
 * years (146097 days); eras start on March 1st so that the leap day ends the year. */
static civil_date civil_from_days(int64_t days)
{
    const int64_t since_epoch_era = days + 719468; /* days from 0000-03-01 */
    const int64_t era = (since_epoch_era >= 0 ? since_epoch_era : since_epoch_era - 146096) / 146097;
    const int64_t day_of_era = since_epoch_era - era * 146097;
    const int64_t year_of_era =
        (day_of_era - day_of_era / 1460 + day_of_era / 36524 - day_of_era / 146096) / 365;
    const int64_t day_of_year = day_of_era - (365 * year_of_era + year_of_era / 4 - year_of_era / 100);
    const int64_t month_from_march = (5 * day_of_year + 2) / 153;
    civil_date date;
    date.day = (unsigned)(day_of_year - (153 * month_from_march + 2) / 5 + 1);
    date.month = (unsigned)(month_from_march < 10 ? month_from_march + 3 : month_from_march - 9);
    date.year = year_of_era + era * 400 + (date.month <= 2);
    return date;
}

static void put_digits(char *out, uint64_t value, int width)
{
    for (int i = width - 1; i >= 0; i--) {
        out[i] = (char)('0' + value % 10);
        value /= 10;
    }
}

/* Writes the "YYYY-MM-DDTHH:MM:SS" part of a timestamp (19 characters) for seconds since the
 * epoch. */
static void format_second(int64_t seconds, char *out)
{
    int64_t days = seconds / 86400;
    int64_t second_of_day = seconds % 86400;
    if (second_of_day < 0) {
        second_of_day += 86400;
        days--;
    }
    civil_date date = civil_from_days(days);
    int64_t year = date.year;
    if (year < 0)
        year = 0;
    if (year > 9999)
        year = 9999;
    put_digits(out, (uint64_t)year, 4);
    out[4] = '-';
    put_digits(out + 5, date.month, 2);
    out[7] = '-';
    put_digits(out + 8, date.day, 2);
    out[10] = 'T';
    put_digits(out + 11, (uint64_t)(second_of_day / 3600), 2);
    out[13] = ':';
    put_digits(out + 14, (uint64_t)(second_of_day / 60 % 60), 2);
    out[16] = ':';
    put_digits(out + 17, (uint64_t)(second_of_day % 60), 2);
}

/* The calendar part of the last second this thread formatted: a thread that logs often
 * formats the date once per second, and only the milliseconds per line. */
static _Thread_local struct {
    int64_t second;
    int valid;
    char text[19];
} second_cache;

void log_format_timestamp_at(const struct timespec *t, char out[LOG_TIMESTAMP_LEN + 1])
{
    int64_t seconds = (int64_t)t->tv_sec;
    if (!second_cache.valid || second_cache.second != seconds) {
        format_second(seconds, second_cache.text);
        second_cache.second = seconds;
        second_cache.valid = 1;
    }
    memcpy(out, second_cache.text, sizeof second_cache.text);
    long millis = t->tv_nsec / 1000000;
    if (millis < 0 || millis > 999)
        millis = 0;
    out[19] = '.';
    put_digits(out + 20, (uint64_t)millis, 3);
    out[23] = 'Z';
    out[24] = '\0';
}

void log_format_timestamp_now(char out[LOG_TIMESTAMP_LEN + 1])
{
    struct timespec now;
    if (clock_gettime(CLOCK_REALTIME, &now) != 0) {
        now.tv_sec = 0;
        now.tv_nsec = 0;
    }
    log_format_timestamp_at(&now, out);
}

/* ---- escaping and truncation -------------------------------------------------------- */

/* Bytes that byte c occupies once escaped. */
static size_t escaped_size(unsigned char c)
{
    if (c == '\n' || c == '\r')
        return 2;
    if ((c < 0x20 && c != '\t') || c == 0x7f)
        return 4;
    return 1;
}

/* Index of the first byte of raw[0..n) that needs escaping, or n. Most log messages need none,
 * so this looks at 16 bytes at a time (compiler vectors: SSE2 on x86-64, NEON on arm64, plain
 * words elsewhere): a block is clean when none of its bytes is below 0x20 other than a tab and
 * none is 0x7f. The first unclean block is then looked at byte by byte. */
#if defined(__GNUC__)
typedef unsigned char byte_block __attribute__((vector_size(16)));
typedef signed char byte_mask __attribute__((vector_size(16)));

static int block_is_clean(const char *p)
{
    byte_block v;
    memcpy(&v, p, sizeof v);
    byte_mask bad = ((v < 0x20) & (v != '\t')) | (v == 0x7f);
    uint64_t halves[2];
    memcpy(halves, &bad, sizeof halves);
    return (halves[0] | halves[1]) == 0;
}
#else
static int block_is_clean(const char *p)
{
    for (int i = 0; i < 16; i++)
        if (escaped_size((unsigned char)p[i]) != 1)
            return 0;
    return 1;
}
#endif

static size_t first_escape(const char *raw, size_t n)
{
    size_t i = 0;
    while (i + 16 <= n && block_is_clean(raw + i))
        i += 16;
    /* The tail: one more block ending at n (overlapping the last one) instead of byte by byte. */
    if (i < n && n >= 16 && i + 16 > n && block_is_clean(raw + n - 16))
        return n;
    for (; i < n; i++)
        if (escaped_size((unsigned char)raw[i]) != 1)
            return i;
    return n;
}

/* Writes the escaped form of raw[0..count) into the same buffer, ending at raw + escaped_len.
 * Walking backwards never overwrites a byte not yet read, because escaping only grows. */
static void escape_in_place(char *raw, size_t count, size_t escaped_len)
{
    static const char hex[] = "0123456789abcdef";
    size_t dst = escaped_len;
    size_t src = count;
    while (src > 0) {
        unsigned char c = (unsigned char)raw[--src];
        size_t size = escaped_size(c);
        if (size == 1) {
            raw[--dst] = (char)c;
        } else if (size == 2) {
            raw[--dst] = c == '\n' ? 'n' : 'r';
            raw[--dst] = '\\';
        } else {
            raw[--dst] = hex[c & 0x0f];
            raw[--dst] = hex[c >> 4];
            raw[--dst] = 'x';
            raw[--dst] = '\\';
        }
    }
}

/* How much of a message goes into the line. */
typedef struct line_plan {
    size_t keep_raw;     /* message bytes kept */
    size_t keep_escaped; /* their size once escaped */
    int truncated;
    char marker[64]; /* " ...[truncated N bytes]" when truncated */
    size_t marker_len;
} line_plan;

static size_t decimal_digits(uint64_t value)
{
    size_t digits = 1;
    while (value >= 10) {
        value /= 10;
        digits++;
    }
    return digits;
}

/* raw holds the first `visible` bytes of a message of `total` bytes; the line may hold
 * `limit` bytes of which `prefix_len` are taken by the prefix and one by the newline. */
static void plan_line(const char *raw, size_t visible, size_t total, size_t prefix_len,
                      size_t limit, line_plan *plan)
{
    const size_t room = limit - prefix_len - 1;
    size_t clean = first_escape(raw, visible);
    size_t escaped_all = clean;
    for (size_t i = clean; i < visible; i++)
        escaped_all += escaped_size((unsigned char)raw[i]);
    plan->truncated = 0;
    plan->marker_len = 0;
    if (visible == total && escaped_all <= room) {
        plan->keep_raw = visible;
        plan->keep_escaped = escaped_all;
        return;
    }

    static const char marker_head[] = " ...[truncated ";
    static const char marker_tail[] = " bytes]";
    const size_t marker_max = sizeof marker_head - 1 + decimal_digits(total) + sizeof marker_tail - 1;
    const size_t budget = room - marker_max;
    size_t keep = 0, escaped = 0;
    while (keep < visible) {
        size_t size = escaped_size((unsigned char)raw[keep]);
        if (escaped + size > budget)
            break;
        escaped += size;
        keep++;
    }
    /* Do not split a UTF-8 sequence: back up over at most three continuation bytes (they are
     * >= 0x80, so each one was one byte once escaped). */
    for (int step = 0; step < 3 && keep > 0 && keep < visible &&
                       ((unsigned char)raw[keep] & 0xC0) == 0x80;
         step++) {
        keep--;
        escaped--;
    }
    plan->keep_raw = keep;
    plan->keep_escaped = escaped;
    plan->truncated = 1;
    int n = snprintf(plan->marker, sizeof plan->marker, "%s%llu%s", marker_head,
                     (unsigned long long)(total - keep), marker_tail);
    plan->marker_len = n > 0 ? (size_t)n : 0;
}

/* ---- one line ------------------------------------------------------------------------ */

static size_t write_prefix(char *out, log_level level)
{
    /* " LEVEL " for each level, and its length. */
    static const struct {
        char text[8];
        size_t len;
    } tags[] = {{" DEBUG ", 7}, {" INFO ", 6}, {" WARN ", 6}, {" ERROR ", 7}};
    log_format_timestamp_now(out);
    if ((unsigned)level >= sizeof tags / sizeof tags[0]) {
        const char *name = log_level_name(level);
        size_t name_len = strlen(name);
        out[LOG_TIMESTAMP_LEN] = ' ';
        memcpy(out + LOG_TIMESTAMP_LEN + 1, name, name_len);
        out[LOG_TIMESTAMP_LEN + 1 + name_len] = ' ';
        return LOG_TIMESTAMP_LEN + name_len + 2;
    }
    memcpy(out + LOG_TIMESTAMP_LEN, tags[level].text, sizeof tags[level].text);
    return LOG_TIMESTAMP_LEN + tags[level].len;
}

/* Prints the message after the prefix; returns its full length (which may exceed what fit). */
static size_t print_message(char *buf, size_t cap, size_t prefix_len, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));
static size_t print_message(char *buf, size_t cap, size_t prefix_len, const char *fmt, va_list ap)
{
    int n = vsnprintf(buf + prefix_len, cap - prefix_len, fmt, ap);
    if (n >= 0)
        return (size_t)n;
    /* Only an invalid format or an encoding error gets here; the text always fits. */
    memcpy(buf + prefix_len, FORMAT_ERROR_TEXT, sizeof FORMAT_ERROR_TEXT);
    return sizeof FORMAT_ERROR_TEXT - 1;
}

void log_line_format(log_line *line, size_t max_line_bytes, log_level level, const char *fmt,
                     va_list ap)
{
    size_t limit = max_line_bytes < LOG_LINE_MIN_BYTES ? LOG_LINE_MIN_BYTES : max_line_bytes;
    char *buf = line->stack;
    size_t cap = sizeof line->stack;
    line->heap = NULL;

    const size_t prefix_len = write_prefix(buf, level);
    va_list again;
    va_copy(again, ap);
    size_t total = print_message(buf, cap, prefix_len, fmt, ap);

    if (prefix_len + total + 1 > cap && limit + 1 > cap) {
        /* Too long for the stack: one allocation, never larger than the line limit. */
        size_t want = prefix_len + total + 1;
        if (want > limit + 1)
            want = limit + 1;
        char *heap = malloc(want);
        if (heap) {
            memcpy(heap, buf, prefix_len);
            buf = heap;
            cap = want;
            line->heap = heap;
            total = print_message(buf, cap, prefix_len, fmt, again);
        }
    }
    va_end(again);

    if (limit > cap - 1 && !line->heap && prefix_len + total + 1 > cap)
        limit = cap - 1; /* the allocation failed: cut to what the stack holds */
    size_t visible = total < cap - prefix_len - 1 ? total : cap - prefix_len - 1;

    line_plan plan;
    plan_line(buf + prefix_len, visible, total, prefix_len, limit, &plan);
    size_t len = prefix_len + plan.keep_escaped + plan.marker_len + 1;

    if (len + 1 > cap) {
        /* Escapes made the line outgrow its buffer (the line itself stays within limit). */
        char *bigger = line->heap ? realloc(line->heap, len + 1) : malloc(len + 1);
        if (bigger) {
            if (!line->heap)
                memcpy(bigger, buf, prefix_len + plan.keep_raw);
            buf = bigger;
            cap = len + 1;
            line->heap = bigger;
        } else {
            plan_line(buf + prefix_len, visible, total, prefix_len, cap - 1, &plan);
            len = prefix_len + plan.keep_escaped + plan.marker_len + 1;
        }
    }

    if (plan.keep_escaped != plan.keep_raw) /* nothing to escape in most lines */
        escape_in_place(buf + prefix_len, plan.keep_raw, plan.keep_escaped);
    memcpy(buf + prefix_len + plan.keep_escaped, plan.marker, plan.marker_len);
    buf[len - 1] = '\n';
    buf[len] = '\0';
    line->text = buf;
    line->len = len;
    line->truncated = plan.truncated;
}

void log_line_release(log_line *line)
{
    free(line->heap);
    line->heap = NULL;
    line->text = NULL;
    line->len = 0;
}

size_t log_format_gap_line(char *out, size_t out_size, const char *timestamp, uint64_t lines,
                           uint64_t bytes)
{
    int n = snprintf(out, out_size, "%.*s %s log: dropped %llu lines (%llu bytes)\n",
                     LOG_TIMESTAMP_LEN, timestamp, log_level_name(LOG_LEVEL_WARN),
                     (unsigned long long)lines, (unsigned long long)bytes);
    if (n < 0)
        return 0;
    return (size_t)n < out_size ? (size_t)n : out_size - 1;
}
