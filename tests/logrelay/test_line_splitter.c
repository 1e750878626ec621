/* test_line_splitter.c: cmocka tests for cutting a child stream into records: whole lines,
 * pieces of overlong lines with the visible continuation mark, the final partial line, and the
 * received/split counters. Records are captured as strings so that tests compare exact output. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "line_splitter.h"

#define MARK LINE_SPLITTER_CONTINUES_MARK

enum { MAX_RECORDS = 64 };

struct capture {
    char *records[MAX_RECORDS];
    size_t payload[MAX_RECORDS];
    int count;
};

static void capture_record(void *context, int stream, const struct iovec *parts, int count,
                           size_t payload_bytes)
{
    struct capture *c = context;
    assert_int_equal(stream, RELAY_STDERR);
    assert_true(c->count < MAX_RECORDS);
    size_t total = 0;
    for (int i = 0; i < count; i++)
        total += parts[i].iov_len;
    char *text = malloc(total + 1);
    assert_non_null(text);
    size_t at = 0;
    for (int i = 0; i < count; i++) {
        memcpy(text + at, parts[i].iov_base, parts[i].iov_len);
        at += parts[i].iov_len;
    }
    text[total] = '\0';
    c->payload[c->count] = payload_bytes;
    c->records[c->count++] = text;
}

static void capture_free(struct capture *c)
{
    for (int i = 0; i < c->count; i++)
        free(c->records[i]);
    c->count = 0;
}

/* Feeds text in chunks of chunk bytes (0: all at once), then finishes the stream. */
static void split(struct capture *c, struct stream_counters *counters, size_t limit,
                  const char *text, size_t chunk)
{
    struct line_splitter s;
    line_splitter_init(&s, RELAY_STDERR, limit, capture_record, c, counters);
    size_t len = strlen(text);
    if (chunk == 0)
        chunk = len ? len : 1;
    for (size_t at = 0; at < len; at += chunk)
        assert_int_equal(line_splitter_feed(&s, text + at, len - at < chunk ? len - at : chunk), 0);
    line_splitter_finish(&s);
    line_splitter_free(&s);
}

static void test_whole_lines_pass_unchanged(void **state)
{
    (void)state;
    struct capture c = {0};
    struct stream_counters counters = {0};
    split(&c, &counters, 100, "one\ntwo\n\nthree\n", 0);
    assert_int_equal(c.count, 4);
    assert_string_equal(c.records[0], "one\n");
    assert_string_equal(c.records[1], "two\n");
    assert_string_equal(c.records[2], "\n");
    assert_string_equal(c.records[3], "three\n");
    assert_int_equal(c.payload[3], 6);
    assert_int_equal(counters.received_lines, 4);
    assert_int_equal(counters.received_bytes, 15);
    assert_int_equal(counters.split_lines, 0);
    capture_free(&c);
}

static void test_final_partial_line_gets_newline_not_counted(void **state)
{
    (void)state;
    struct capture c = {0};
    struct stream_counters counters = {0};
    split(&c, &counters, 100, "a\nlast words", 0);
    assert_int_equal(c.count, 2);
    assert_string_equal(c.records[1], "last words\n");
    assert_int_equal(c.payload[1], 10); /* the added newline is not the child's */
    assert_int_equal(counters.received_bytes, 12);
    capture_free(&c);
}

static void test_line_at_limit_is_not_split(void **state)
{
    (void)state;
    struct capture c = {0};
    struct stream_counters counters = {0};
    split(&c, &counters, 5, "abcde\nabcde", 0);
    assert_int_equal(c.count, 2);
    assert_string_equal(c.records[0], "abcde\n");
    assert_string_equal(c.records[1], "abcde\n");
    assert_int_equal(counters.split_lines, 0);
    capture_free(&c);
}

static void test_overlong_line_is_split_with_marks(void **state)
{
    (void)state;
    struct capture c = {0};
    struct stream_counters counters = {0};
    split(&c, &counters, 4, "abcdefghij\nok\n", 0);
    assert_int_equal(c.count, 4);
    assert_string_equal(c.records[0], "abcd" MARK "\n");
    assert_string_equal(c.records[1], "efgh" MARK "\n");
    assert_string_equal(c.records[2], "ij\n");
    assert_string_equal(c.records[3], "ok\n");
    assert_int_equal(c.payload[0], 4);
    assert_int_equal(c.payload[2], 3);
    assert_int_equal(counters.split_lines, 1);
    assert_int_equal(counters.received_lines, 4); /* pieces count as lines */
    assert_int_equal(counters.received_bytes, 14);
    capture_free(&c);
}

static void test_overlong_partial_line_at_eof(void **state)
{
    (void)state;
    struct capture c = {0};
    struct stream_counters counters = {0};
    split(&c, &counters, 3, "abcdefg", 0);
    assert_int_equal(c.count, 3);
    assert_string_equal(c.records[0], "abc" MARK "\n");
    assert_string_equal(c.records[1], "def" MARK "\n");
    assert_string_equal(c.records[2], "g\n");
    assert_int_equal(counters.received_bytes, 7);
    capture_free(&c);
}

static void test_exact_multiple_of_limit_ends_cleanly(void **state)
{
    (void)state;
    struct capture c = {0};
    struct stream_counters counters = {0};
    split(&c, &counters, 3, "abcdef\n", 0);
    assert_int_equal(c.count, 2);
    assert_string_equal(c.records[0], "abc" MARK "\n");
    assert_string_equal(c.records[1], "def\n");
    capture_free(&c);
}

/* Whatever the chunking of the input, the records are the same. */
static void test_chunking_does_not_change_records(void **state)
{
    (void)state;
    const char *text = "short\nabcdefghijklmnop\n\nxy\n0123456789tail";
    struct capture whole = {0};
    struct stream_counters whole_counters = {0};
    split(&whole, &whole_counters, 4, text, 0);
    for (size_t chunk = 1; chunk <= 9; chunk++) {
        struct capture c = {0};
        struct stream_counters counters = {0};
        split(&c, &counters, 4, text, chunk);
        assert_int_equal(c.count, whole.count);
        for (int i = 0; i < c.count; i++) {
            assert_string_equal(c.records[i], whole.records[i]);
            assert_int_equal(c.payload[i], whole.payload[i]);
        }
        assert_memory_equal(&counters, &whole_counters, sizeof counters);
        capture_free(&c);
    }
    capture_free(&whole);
}

static void test_empty_stream_emits_nothing(void **state)
{
    (void)state;
    struct capture c = {0};
    struct stream_counters counters = {0};
    split(&c, &counters, 4, "", 0);
    assert_int_equal(c.count, 0);
    assert_int_equal(counters.received_lines, 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_whole_lines_pass_unchanged),
        cmocka_unit_test(test_final_partial_line_gets_newline_not_counted),
        cmocka_unit_test(test_line_at_limit_is_not_split),
        cmocka_unit_test(test_overlong_line_is_split_with_marks),
        cmocka_unit_test(test_overlong_partial_line_at_eof),
        cmocka_unit_test(test_exact_multiple_of_limit_ends_cleanly),
        cmocka_unit_test(test_chunking_does_not_change_records),
        cmocka_unit_test(test_empty_stream_emits_nothing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
