/* test_line_queue.c: cmocka tests for the bounded queue between child and destination: whole
 * lines dropped when full, the drop gap and its "dropped N lines (M bytes)" marker in exactly the
 * right place, forwarded/dropped accounting per stream, the ring wrapping, the record-table
 * bound, and a randomized check that forwarded + dropped + queued == pushed at every step. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "line_queue.h"

enum { CAPACITY = 4096 };

static int push_text(struct line_queue *q, int stream, const char *text)
{
    struct iovec part = {.iov_base = (void *)text, .iov_len = strlen(text)};
    return line_queue_push(q, stream, &part, 1, strlen(text));
}

/* A line of exactly len bytes (newline included) made of c. */
static int push_line_of(struct line_queue *q, int stream, size_t len, char c)
{
    char *line = malloc(len);
    assert_non_null(line);
    memset(line, c, len - 1);
    line[len - 1] = '\n';
    struct iovec part = {.iov_base = line, .iov_len = len};
    int queued = line_queue_push(q, stream, &part, 1, len);
    free(line);
    return queued;
}

/* Takes up to max bytes out of the queue as a string (caller frees). */
static char *drain(struct line_queue *q, size_t max)
{
    char *out = malloc(q->capacity + 1);
    assert_non_null(out);
    size_t len = 0;
    while (line_queue_used(q) > 0 && len < max) {
        struct iovec seg[2];
        size_t n = line_queue_peek(q, seg, max - len);
        memcpy(out + len, seg[0].iov_base, seg[0].iov_len);
        memcpy(out + len + seg[0].iov_len, seg[1].iov_base, seg[1].iov_len);
        assert_int_equal(seg[0].iov_len + seg[1].iov_len, n);
        line_queue_consume(q, n);
        len += n;
    }
    out[len] = '\0';
    return out;
}

static void test_forwarded_counts_only_completely_written_lines(void **state)
{
    (void)state;
    struct relay_stats stats = {0};
    struct line_queue q;
    assert_int_equal(line_queue_init(&q, CAPACITY, &stats), 0);
    assert_int_equal(push_text(&q, RELAY_STDOUT, "hello\n"), 1);
    assert_int_equal(push_text(&q, RELAY_STDERR, "world\n"), 1);
    line_queue_consume(&q, 3);
    assert_int_equal(stats.stream[RELAY_STDOUT].forwarded_lines, 0);
    line_queue_consume(&q, 3);
    assert_int_equal(stats.stream[RELAY_STDOUT].forwarded_lines, 1);
    assert_int_equal(stats.stream[RELAY_STDOUT].forwarded_bytes, 6);
    assert_int_equal(stats.stream[RELAY_STDERR].forwarded_lines, 0);
    char *rest = drain(&q, SIZE_MAX);
    assert_string_equal(rest, "world\n");
    free(rest);
    assert_int_equal(stats.stream[RELAY_STDERR].forwarded_lines, 1);
    line_queue_free(&q);
}

static void test_full_queue_drops_whole_lines_then_marks_the_gap(void **state)
{
    (void)state;
    struct relay_stats stats = {0};
    struct line_queue q;
    assert_int_equal(line_queue_init(&q, CAPACITY, &stats), 0);
    /* 40 lines of 100 bytes fill 4000 of 4096 bytes. */
    for (int i = 0; i < 40; i++)
        assert_int_equal(push_line_of(&q, RELAY_STDOUT, 100, (char)('A' + i % 26)), 1);
    assert_int_equal(push_line_of(&q, RELAY_STDOUT, 100, 'x'), 0);  /* does not fit */
    assert_int_equal(push_line_of(&q, RELAY_STDOUT, 10, 'y'), 0);   /* fits, but in the gap */
    assert_true(line_queue_in_gap(&q));
    assert_int_equal(stats.stream[RELAY_STDOUT].dropped_lines, 2);
    assert_int_equal(stats.stream[RELAY_STDOUT].dropped_bytes, 110);

    /* Draining 1000 bytes leaves 3000 > half: still in the gap, new lines still dropped. */
    free(drain(&q, 1000));
    assert_true(line_queue_in_gap(&q));
    assert_int_equal(push_line_of(&q, RELAY_STDOUT, 50, 'z'), 0);

    /* Draining below half closes the gap with the marker, behind the lines already queued. */
    free(drain(&q, 1000));
    assert_false(line_queue_in_gap(&q));
    assert_int_equal(push_text(&q, RELAY_STDOUT, "after\n"), 1);
    char *out = drain(&q, SIZE_MAX);
    size_t len = strlen(out);
    const char *marker = "logrelay: dropped 3 lines (160 bytes)\n";
    assert_int_equal(len, 2000 + strlen(marker) + 6);
    assert_memory_equal(out + 2000, marker, strlen(marker));
    assert_string_equal(out + 2000 + strlen(marker), "after\n");
    free(out);

    struct stream_counters *c = &stats.stream[RELAY_STDOUT];
    assert_int_equal(stats.gap_markers, 1);
    assert_int_equal(c->forwarded_lines, 41);
    assert_int_equal(c->forwarded_bytes, 4006);
    assert_int_equal(c->dropped_lines, 3);
    assert_int_equal(c->dropped_bytes, 160);
    line_queue_free(&q);
}

static void test_marker_waits_for_room_and_never_tears_lines(void **state)
{
    (void)state;
    struct relay_stats stats = {0};
    struct line_queue q;
    assert_int_equal(line_queue_init(&q, CAPACITY, &stats), 0);
    assert_int_equal(push_line_of(&q, RELAY_STDOUT, 4000, 'a'), 1);
    assert_int_equal(push_line_of(&q, RELAY_STDOUT, 200, 'b'), 0);
    /* Half written: the line stays whole in the output, the marker comes after it. */
    char *first = drain(&q, 2100);
    assert_int_equal(strlen(first), 2100);
    free(first);
    char *rest = drain(&q, SIZE_MAX);
    assert_int_equal(strlen(rest), 1900 + strlen("logrelay: dropped 1 lines (200 bytes)\n"));
    assert_int_equal(rest[1899], '\n');
    assert_string_equal(rest + 1900, "logrelay: dropped 1 lines (200 bytes)\n");
    free(rest);
    line_queue_free(&q);
}

static void test_drop_all_and_gone_count_everything(void **state)
{
    (void)state;
    struct relay_stats stats = {0};
    struct line_queue q;
    assert_int_equal(line_queue_init(&q, CAPACITY, &stats), 0);
    push_text(&q, RELAY_STDOUT, "one\n");
    push_text(&q, RELAY_STDERR, "two!\n");
    line_queue_consume(&q, 2); /* a partly written line is still not forwarded */
    line_queue_set_gone(&q);
    assert_int_equal(line_queue_used(&q), 0);
    assert_int_equal(push_text(&q, RELAY_STDERR, "three\n"), 0);
    assert_int_equal(stats.stream[RELAY_STDOUT].dropped_lines, 1);
    assert_int_equal(stats.stream[RELAY_STDOUT].dropped_bytes, 4);
    assert_int_equal(stats.stream[RELAY_STDERR].dropped_lines, 2);
    assert_int_equal(stats.stream[RELAY_STDERR].dropped_bytes, 11);
    assert_int_equal(stats.stream[RELAY_STDOUT].forwarded_lines, 0);
    line_queue_free(&q);
}

static void test_whole_record_boundaries(void **state)
{
    (void)state;
    struct relay_stats stats = {0};
    struct line_queue q;
    assert_int_equal(line_queue_init(&q, CAPACITY, &stats), 0);
    push_text(&q, RELAY_STDOUT, "aaaa\n");
    push_text(&q, RELAY_STDOUT, "bbbbbbbb\n");
    assert_int_equal(line_queue_first_record_bytes(&q), 5);
    assert_int_equal(line_queue_bytes_of_whole_records(&q, 4), 0);
    assert_int_equal(line_queue_bytes_of_whole_records(&q, 13), 5);
    assert_int_equal(line_queue_bytes_of_whole_records(&q, 14), 14);
    line_queue_consume(&q, 2);
    assert_int_equal(line_queue_first_record_bytes(&q), 3);
    assert_int_equal(line_queue_bytes_of_whole_records(&q, 11), 3);
    line_queue_free(&q);
}

static void test_record_table_is_bounded(void **state)
{
    (void)state;
    struct relay_stats stats = {0};
    struct line_queue q;
    assert_int_equal(line_queue_init(&q, CAPACITY, &stats), 0);
    int queued = 0;
    for (int i = 0; i < 1000; i++)
        queued += push_text(&q, RELAY_STDOUT, "\n");
    assert_int_equal(queued, CAPACITY / 16);
    assert_int_equal(stats.stream[RELAY_STDOUT].dropped_lines, 1000 - CAPACITY / 16);
    line_queue_free(&q);
}

static void test_ring_wraps_into_two_segments(void **state)
{
    (void)state;
    struct relay_stats stats = {0};
    struct line_queue q;
    assert_int_equal(line_queue_init(&q, CAPACITY, &stats), 0);
    push_line_of(&q, RELAY_STDOUT, 3000, 'a');
    push_line_of(&q, RELAY_STDOUT, 500, 'b');
    line_queue_consume(&q, 3000);
    push_line_of(&q, RELAY_STDOUT, 1000, 'c'); /* 596 bytes at the end, 404 at the start */
    struct iovec seg[2];
    assert_int_equal(line_queue_peek(&q, seg, SIZE_MAX), 1500);
    assert_int_equal(seg[0].iov_len, 1096);
    assert_int_equal(seg[1].iov_len, 404);
    char *out = drain(&q, SIZE_MAX);
    assert_int_equal(out[499], '\n');
    assert_int_equal(out[500], 'c');
    assert_int_equal(out[1499], '\n');
    free(out);
    assert_int_equal(stats.stream[RELAY_STDOUT].forwarded_lines, 3);
    line_queue_free(&q);
}

/* Random pushes and partial writes: the accounting identity holds at every step, and the output
 * is exactly the accepted lines and markers, in order. */
static void test_random_accounting_identity(void **state)
{
    (void)state;
    struct relay_stats stats = {0};
    struct line_queue q;
    assert_int_equal(line_queue_init(&q, CAPACITY, &stats), 0);
    srand(12345);
    uint64_t pushed_lines = 0, pushed_bytes = 0;
    for (int step = 0; step < 20000; step++) {
        if (rand() % 3 != 0) {
            size_t len = 1 + (size_t)(rand() % 700);
            push_line_of(&q, rand() % 2, len, 'r');
            pushed_lines++;
            pushed_bytes += len;
        } else {
            struct iovec seg[2];
            size_t n = line_queue_peek(&q, seg, (size_t)(rand() % 1500));
            line_queue_consume(&q, n);
        }
        uint64_t done_lines = 0, done_bytes = 0;
        for (int s = 0; s < RELAY_STREAMS; s++) {
            done_lines += stats.stream[s].forwarded_lines + stats.stream[s].dropped_lines;
            done_bytes += stats.stream[s].forwarded_bytes + stats.stream[s].dropped_bytes;
        }
        uint64_t queued_lines = 0;
        for (size_t i = 0; i < q.record_count; i++)
            queued_lines += !q.records[(q.record_head + i) % q.record_alloc].is_marker;
        assert_int_equal(done_lines + queued_lines, pushed_lines);
        assert_true(done_bytes <= pushed_bytes);
        assert_true(line_queue_used(&q) <= CAPACITY);
    }
    free(drain(&q, SIZE_MAX));
    uint64_t forwarded = 0, dropped = 0;
    for (int s = 0; s < RELAY_STREAMS; s++) {
        forwarded += stats.stream[s].forwarded_bytes;
        dropped += stats.stream[s].dropped_bytes;
    }
    assert_int_equal(forwarded + dropped, pushed_bytes);
    assert_true(stats.gap_markers > 0);
    line_queue_free(&q);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_forwarded_counts_only_completely_written_lines),
        cmocka_unit_test(test_full_queue_drops_whole_lines_then_marks_the_gap),
        cmocka_unit_test(test_marker_waits_for_room_and_never_tears_lines),
        cmocka_unit_test(test_drop_all_and_gone_count_everything),
        cmocka_unit_test(test_whole_record_boundaries),
        cmocka_unit_test(test_record_table_is_bounded),
        cmocka_unit_test(test_ring_wraps_into_two_segments),
        cmocka_unit_test(test_random_accounting_identity),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
