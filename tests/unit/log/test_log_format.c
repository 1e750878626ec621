/* test_log_format.c: the bytes of a log line (log_format.c), shared by both logger builds:
 * timestamps, level names, escaping, truncation and the gap line. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include "log/log.h"
#include "log/log_format.h"
#include "log_test_lines.h"

static void format_line(log_line *line, size_t max_line, log_level level, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void format_line(log_line *line, size_t max_line, log_level level, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    log_line_format(line, max_line, level, fmt, ap);
    va_end(ap);
}

static void test_config_defaults(void **state)
{
    (void)state;
    log_config c;
    memset(&c, 0xff, sizeof c);
    log_config_defaults(&c);
    assert_int_equal(c.fd, 2);
    assert_int_equal(c.min_level, LOG_LEVEL_INFO);
    assert_int_equal(c.max_line_bytes, 1024 * 1024);
    assert_int_equal(c.queue_bytes, 4 * 1024 * 1024);
    assert_int_equal(c.queue_lines, 65536);
    assert_int_equal(c.flush_deadline_ms, 2000);
}

static void test_config_normalize_clamps(void **state)
{
    (void)state;
    log_config in, out;
    log_config_defaults(&in);
    in.max_line_bytes = 10;
    in.queue_lines = 0;
    in.flush_deadline_ms = -5;
    log_config_normalize(&in, &out);
    assert_int_equal(out.max_line_bytes, LOG_LINE_MIN_BYTES);
    assert_int_equal(out.queue_lines, 1);
    assert_int_equal(out.flush_deadline_ms, 0);
    log_config_normalize(NULL, &out);
    assert_int_equal(out.fd, 2);
}

static void test_level_parse_and_name(void **state)
{
    (void)state;
    log_level level = LOG_LEVEL_ERROR;
    assert_int_equal(log_level_parse("debug", &level), 0);
    assert_int_equal(level, LOG_LEVEL_DEBUG);
    assert_int_equal(log_level_parse("INFO", &level), 0);
    assert_int_equal(level, LOG_LEVEL_INFO);
    assert_int_equal(log_level_parse("warning", &level), 0);
    assert_int_equal(level, LOG_LEVEL_WARN);
    assert_int_equal(log_level_parse("warn", &level), 0);
    assert_int_equal(level, LOG_LEVEL_WARN);
    assert_int_equal(log_level_parse("Error", &level), 0);
    assert_int_equal(level, LOG_LEVEL_ERROR);
    assert_int_equal(log_level_parse("verbose", &level), -1);
    assert_int_equal(log_level_parse("", &level), -1);
    assert_int_equal(log_level_parse(NULL, &level), -1);
    assert_int_equal(level, LOG_LEVEL_ERROR);
    assert_string_equal(log_level_name(LOG_LEVEL_DEBUG), "DEBUG");
    assert_string_equal(log_level_name(LOG_LEVEL_INFO), "INFO");
    assert_string_equal(log_level_name(LOG_LEVEL_WARN), "WARN");
    assert_string_equal(log_level_name(LOG_LEVEL_ERROR), "ERROR");
}

/* The hand-written calendar must agree with the C library on every kind of date. */
static void test_timestamp_matches_gmtime(void **state)
{
    (void)state;
    const time_t samples[] = {
        0,          86399,      86400,      951782400 /* 2000-02-29 */,
        951868800,  4107542400 /* 2100-03-01 */, 1709164800 /* 2024-02-29 */,
        2147483647, 4102444799 /* 2099-12-31T23:59:59 */, 253402300799 /* 9999-12-31 */,
        -1 /* 1969-12-31T23:59:59 */, -86401,
    };
    for (size_t i = 0; i < sizeof samples / sizeof samples[0]; i++) {
        for (long millis = 0; millis < 1000; millis += 999) {
            struct timespec t = {samples[i], millis * 1000000L + 123456};
            char got[LOG_TIMESTAMP_LEN + 1];
            log_format_timestamp_at(&t, got);
            struct tm tm;
            assert_non_null(gmtime_r(&samples[i], &tm));
            char want[64];
            snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ", tm.tm_year + 1900,
                     tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, millis);
            assert_string_equal(got, want);
        }
    }
    /* A sweep of one day per 37 days over 400 years covers every month and leap rule. */
    for (int64_t day = -1000; day < 146097; day += 37) {
        time_t secs = (time_t)(day * 86400 + 45296); /* 12:34:56 */
        struct timespec t = {secs, 0};
        char got[LOG_TIMESTAMP_LEN + 1];
        log_format_timestamp_at(&t, got);
        struct tm tm;
        gmtime_r(&secs, &tm);
        char want[64];
        snprintf(want, sizeof want, "%04d-%02d-%02dT%02d:%02d:%02d.000Z", tm.tm_year + 1900,
                 tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
        assert_string_equal(got, want);
    }
}

static void test_timestamp_now_is_current(void **state)
{
    (void)state;
    time_t before = time(NULL);
    char got[LOG_TIMESTAMP_LEN + 1];
    log_format_timestamp_now(got);
    time_t after = time(NULL);
    char lo[32], hi[32];
    struct tm tm;
    gmtime_r(&before, &tm);
    strftime(lo, sizeof lo, "%Y-%m-%dT%H:%M:%S", &tm);
    gmtime_r(&after, &tm);
    strftime(hi, sizeof hi, "%Y-%m-%dT%H:%M:%S", &tm);
    assert_true(strncmp(got, lo, 19) >= 0);
    assert_true(strncmp(got, hi, 19) <= 0);
}

static void test_plain_line(void **state)
{
    (void)state;
    log_line line;
    format_line(&line, 1024 * 1024, LOG_LEVEL_WARN, "upstream %s returned %d", "kiro", 503);
    assert_true(line_has_format(line.text, line.len, "WARN", "upstream kiro returned 503"));
    assert_false(line.truncated);
    assert_null(line.heap);
    log_line_release(&line);
}

static void test_control_characters_escaped(void **state)
{
    (void)state;
    log_line line;
    format_line(&line, 1024 * 1024, LOG_LEVEL_INFO, "a\nb\rc%cd\te%c%cf", 0x1b, 0x7f, 0x01);
    assert_true(line_has_format(line.text, line.len, "INFO", "a\\nb\\rc\\x1bd\te\\x7f\\x01f"));
    /* Exactly one newline: the last byte. */
    assert_ptr_equal(memchr(line.text, '\n', line.len), line.text + line.len - 1);
    log_line_release(&line);
}

/* Builds the escaped form the formatter must produce, for comparison. */
static void escape_reference(const char *raw, size_t len, char *out)
{
    size_t o = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)raw[i];
        if (c == '\n') {
            out[o++] = '\\';
            out[o++] = 'n';
        } else if (c == '\r') {
            out[o++] = '\\';
            out[o++] = 'r';
        } else if ((c < 0x20 && c != '\t') || c == 0x7f) {
            o += (size_t)sprintf(out + o, "\\x%02x", c);
        } else {
            out[o++] = (char)c;
        }
    }
    out[o] = '\0';
}

/* Lengths around the stack buffer's edge, with and without escapes that make the line grow
 * past it: the stack, heap and grow-after-escaping paths all give the same bytes. */
static void test_lengths_around_stack_buffer(void **state)
{
    (void)state;
    char *raw = malloc(LOG_LINE_STACK_BYTES + 64);
    char *want = malloc(4 * (LOG_LINE_STACK_BYTES + 64) + 1);
    assert_non_null(raw);
    assert_non_null(want);
    for (int escapes = 0; escapes <= 1; escapes++) {
        for (size_t len = LOG_LINE_STACK_BYTES - 80; len < LOG_LINE_STACK_BYTES + 40; len++) {
            for (size_t i = 0; i < len; i++)
                raw[i] = (char)(escapes && i % 7 == 3 ? 0x02 : 'a' + (int)(i % 26));
            raw[len] = '\0';
            escape_reference(raw, len, want);
            log_line line;
            format_line(&line, 1024 * 1024, LOG_LEVEL_ERROR, "%s", raw);
            assert_true(line_has_format(line.text, line.len, "ERROR", want));
            assert_false(line.truncated);
            log_line_release(&line);
        }
    }
    free(raw);
    free(want);
}

/* Parses " ...[truncated N bytes]\n" at the end of a line; returns N or -1. */
static long truncated_count(const log_line *line)
{
    const char *tail = strstr(line->text, " ...[truncated ");
    if (!tail)
        return -1;
    char *end;
    long n = strtol(tail + strlen(" ...[truncated "), &end, 10);
    if (strcmp(end, " bytes]\n") != 0)
        return -1;
    return n;
}

static void test_truncation_marker(void **state)
{
    (void)state;
    char message[1001];
    memset(message, 'x', 1000);
    message[1000] = '\0';
    log_line line;
    format_line(&line, 256, LOG_LEVEL_INFO, "%s", message);
    assert_true(line.truncated);
    assert_true(line.len <= 256);
    assert_true(line.len >= 200);
    long omitted = truncated_count(&line);
    assert_true(omitted > 0);
    /* What was kept plus what the marker says was cut is the whole message. */
    const char *kept = line.text + LOG_TIMESTAMP_LEN + strlen(" INFO ");
    size_t kept_len = (size_t)(strstr(line.text, " ...[truncated ") - kept);
    assert_int_equal(kept_len + (size_t)omitted, 1000);
    assert_int_equal(strspn(kept, "x"), kept_len);
    log_line_release(&line);
}

static void test_truncation_of_huge_message_is_bounded(void **state)
{
    (void)state;
    size_t big = 3 * 1024 * 1024;
    char *message = malloc(big + 1);
    assert_non_null(message);
    memset(message, 'y', big);
    message[big] = '\0';
    log_line line;
    format_line(&line, 8192, LOG_LEVEL_INFO, "%s", message);
    assert_true(line.truncated);
    assert_true(line.len <= 8192);
    assert_true(line.len > 8000);
    const char *kept = line.text + LOG_TIMESTAMP_LEN + strlen(" INFO ");
    size_t kept_len = (size_t)(strstr(line.text, " ...[truncated ") - kept);
    assert_int_equal(kept_len + (size_t)truncated_count(&line), big);
    log_line_release(&line);
    free(message);
}

static void test_truncation_never_splits_escape_or_utf8(void **state)
{
    (void)state;
    char message[1201];
    for (int variant = 0; variant < 6; variant++) {
        /* Shift the cut point across escapes and two-byte UTF-8 sequences (c3 a9 = e-acute). */
        size_t o = 0;
        for (int i = 0; i < variant; i++)
            message[o++] = 'p';
        while (o + 3 <= sizeof message - 1) {
            message[o++] = '\n';
            message[o++] = (char)0xc3;
            message[o++] = (char)0xa9;
        }
        message[o] = '\0';
        log_line line;
        format_line(&line, 300, LOG_LEVEL_INFO, "%s", message);
        assert_true(line.truncated);
        assert_true(line.len <= 300);
        const char *kept = line.text + LOG_TIMESTAMP_LEN + strlen(" INFO ");
        const char *marker = strstr(line.text, " ...[truncated ");
        assert_non_null(marker);
        /* The kept text must be an exact prefix of the escaped message. */
        char *want = malloc(4 * sizeof message);
        assert_non_null(want);
        escape_reference(message, strlen(message), want);
        size_t kept_len = (size_t)(marker - kept);
        assert_memory_equal(kept, want, kept_len);
        /* ...ending on a boundary: after a whole "\n" escape or a whole UTF-8 character. */
        unsigned char last = (unsigned char)kept[kept_len - 1];
        assert_true(last == 'n' || last == 0xa9 || last == 'p');
        long omitted = truncated_count(&line);
        size_t raw_kept = 0, escaped = 0;
        while (escaped < kept_len) {
            escaped += message[raw_kept] == '\n' ? 2 : 1;
            raw_kept++;
        }
        assert_int_equal((size_t)omitted, o - raw_kept);
        free(want);
        log_line_release(&line);
    }
}

static void test_max_line_below_minimum_is_raised(void **state)
{
    (void)state;
    char message[600];
    memset(message, 'z', sizeof message - 1);
    message[sizeof message - 1] = '\0';
    log_line line;
    format_line(&line, 3, LOG_LEVEL_INFO, "%s", message);
    assert_true(line.truncated);
    assert_true(line.len <= LOG_LINE_MIN_BYTES);
    assert_true(truncated_count(&line) > 0);
    log_line_release(&line);
}

static void test_format_error_gives_fixed_text(void **state)
{
    (void)state;
    log_line line;
    /* In the C locale a wide character outside ASCII cannot be converted: vsnprintf fails. */
    format_line(&line, 4096, LOG_LEVEL_ERROR, "%lc", (wint_t)0x20ac);
    assert_true(line_has_format(line.text, line.len, "ERROR", "[log: invalid format string]"));
    log_line_release(&line);
}

static void test_gap_line(void **state)
{
    (void)state;
    char out[LOG_GAP_LINE_MAX];
    const char *ts = "2025-01-02T03:04:05.678Z INFO something";
    size_t len = log_format_gap_line(out, sizeof out, ts, 12, 3456);
    assert_int_equal(len, strlen(out));
    assert_string_equal(out, "2025-01-02T03:04:05.678Z WARN log: dropped 12 lines (3456 bytes)\n");
    len = log_format_gap_line(out, sizeof out, ts, UINT64_MAX, UINT64_MAX);
    assert_true(len < LOG_GAP_LINE_MAX);
    assert_int_equal(out[len - 1], '\n');
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_config_defaults),
        cmocka_unit_test(test_config_normalize_clamps),
        cmocka_unit_test(test_level_parse_and_name),
        cmocka_unit_test(test_timestamp_matches_gmtime),
        cmocka_unit_test(test_timestamp_now_is_current),
        cmocka_unit_test(test_plain_line),
        cmocka_unit_test(test_control_characters_escaped),
        cmocka_unit_test(test_lengths_around_stack_buffer),
        cmocka_unit_test(test_truncation_marker),
        cmocka_unit_test(test_truncation_of_huge_message_is_bounded),
        cmocka_unit_test(test_truncation_never_splits_escape_or_utf8),
        cmocka_unit_test(test_max_line_below_minimum_is_raised),
        cmocka_unit_test(test_format_error_gives_fixed_text),
        cmocka_unit_test(test_gap_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
