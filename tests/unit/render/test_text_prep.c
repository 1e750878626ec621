/* test_text_prep.c: the text preparation helpers of the renderer: UTF-8 sanitising, held-back
 * incomplete characters, truncation at character boundaries, and the <thinking> splitter. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/thinking_split.h"
#include "util/utf8.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))
#define FFFD "\xef\xbf\xbd"

static void expect_sanitized(const char *in, size_t len, const char *expected)
{
    kbuf out = KBUF_INIT(0);
    assert_int_equal(utf8_sanitize_append(&out, in, len), KBUF_OK);
    if (strcmp(out.data, expected) != 0)
        fail_msg("sanitize gave \"%s\", expected \"%s\"", out.data, expected);
    kbuf_free(&out);
}

static void test_valid_text_is_unchanged(void **state)
{
    (void)state;
    static const char *valid[] = {
        "", "plain ascii", "\x7f", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf",
        "\xee\x80\x80", "\xef\xbf\xbf", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
        "mixed \xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 end",
    };
    for (size_t i = 0; i < COUNT(valid); i++)
        expect_sanitized(valid[i], strlen(valid[i]), valid[i]);
}

static void test_invalid_sequences_are_replaced(void **state)
{
    (void)state;
    expect_sanitized("a\x80z", 3, "a" FFFD "z");                 /* stray continuation */
    expect_sanitized("\xc0\x80", 2, FFFD FFFD);                  /* overlong NUL */
    expect_sanitized("\xc1\xbf", 2, FFFD FFFD);                  /* overlong */
    expect_sanitized("\xe0\x80\x80", 3, FFFD FFFD FFFD);         /* overlong 3-byte */
    expect_sanitized("\xed\xa0\x80", 3, FFFD FFFD FFFD);         /* surrogate */
    expect_sanitized("\xf0\x80\x80\x80", 4, FFFD FFFD FFFD FFFD); /* overlong 4-byte */
    expect_sanitized("\xf4\x90\x80\x80", 4, FFFD FFFD FFFD FFFD); /* above U+10FFFF */
    expect_sanitized("\xf5\xff", 2, FFFD FFFD);                  /* impossible bytes */
    expect_sanitized("\xe2\x82" "x", 3, FFFD "x");               /* truncated, one U+FFFD */
    expect_sanitized("\xf0\x9f\x98" "x", 4, FFFD "x");
    expect_sanitized("end\xe2\x82", 5, "end" FFFD);
    expect_sanitized("\xc3\xa9\xc3", 3, "\xc3\xa9" FFFD);
}

static void test_output_cap_is_reported(void **state)
{
    (void)state;
    kbuf out = KBUF_INIT(5);
    assert_int_equal(utf8_sanitize_append(&out, "abc\xff", 4), KBUF_ERR_CAP);
    kbuf_free(&out);
}

static void test_incomplete_tail(void **state)
{
    (void)state;
    assert_int_equal(utf8_incomplete_tail("", 0), 0);
    assert_int_equal(utf8_incomplete_tail("abc", 3), 0);
    assert_int_equal(utf8_incomplete_tail("ab\xc3", 3), 1);
    assert_int_equal(utf8_incomplete_tail("ab\xc3\xa9", 4), 0);
    assert_int_equal(utf8_incomplete_tail("\xe2\x82", 2), 2);
    assert_int_equal(utf8_incomplete_tail("\xe2", 1), 1);
    assert_int_equal(utf8_incomplete_tail("\xf0\x9f\x98", 3), 3);
    assert_int_equal(utf8_incomplete_tail("x\xf0\x9f", 3), 2);
    assert_int_equal(utf8_incomplete_tail("\xf0\x9f\x98\x80", 4), 0);
    /* bytes that can never complete are not held back */
    assert_int_equal(utf8_incomplete_tail("\xff", 1), 0);
    assert_int_equal(utf8_incomplete_tail("\x80\x80", 2), 0);
    assert_int_equal(utf8_incomplete_tail("\xed\xa0", 2), 0);   /* would be a surrogate */
    assert_int_equal(utf8_incomplete_tail("\xe0\x80", 2), 0);   /* would be overlong */
    assert_int_equal(utf8_incomplete_tail("\xc3\x80\x80", 3), 0);
}

static void test_truncate_and_count(void **state)
{
    (void)state;
    const char *s = "a\xc3\xa9\xe2\x82\xac";   /* a, e-acute, euro: 1 + 2 + 3 bytes */
    assert_int_equal(utf8_truncate(s, 6, 10), 6);
    assert_int_equal(utf8_truncate(s, 6, 6), 6);
    assert_int_equal(utf8_truncate(s, 6, 5), 3);
    assert_int_equal(utf8_truncate(s, 6, 4), 3);
    assert_int_equal(utf8_truncate(s, 6, 2), 1);
    assert_int_equal(utf8_truncate(s, 6, 0), 0);
    assert_int_equal(utf8_char_count(s, 6), 3);
    assert_int_equal(utf8_char_count("", 0), 0);
}

/* ---- thinking splitter --------------------------------------------------------------------- */

typedef struct split_result {
    kbuf thinking;
    kbuf text;
    kbuf order;   /* "T" for each thinking piece, "x" for each text piece */
} split_result;

static int collect(void *user, int is_thinking, const char *s, size_t len)
{
    split_result *r = user;
    assert_true(len > 0);   /* empty pieces are never emitted */
    kbuf_append(is_thinking ? &r->thinking : &r->text, s, len);
    kbuf_append_char(&r->order, is_thinking ? 'T' : 'x');
    return 0;
}

static void split_pieces(split_result *r, const char *const *pieces, size_t count)
{
    memset(r, 0, sizeof *r);
    thinking_split t;
    thinking_split_init(&t);
    for (size_t i = 0; i < count; i++)
        assert_int_equal(thinking_split_feed(&t, pieces[i], strlen(pieces[i]), collect, r), 0);
    assert_int_equal(thinking_split_flush(&t, collect, r), 0);
    kbuf_append(&r->thinking, "", 0);
    kbuf_append(&r->text, "", 0);
    kbuf_append(&r->order, "", 0);
}

static void free_result(split_result *r)
{
    kbuf_free(&r->thinking);
    kbuf_free(&r->text);
    kbuf_free(&r->order);
}

static void test_split_at_every_pair_of_offsets(void **state)
{
    (void)state;
    const char *text = "\t <thinking>a</thinking b</thinking>\n\nc\n";
    size_t len = strlen(text);
    char left[64], mid[64], right[64];
    for (size_t a = 0; a <= len; a++) {
        for (size_t b = a; b <= len; b++) {
            memcpy(left, text, a);
            left[a] = '\0';
            memcpy(mid, text + a, b - a);
            mid[b - a] = '\0';
            memcpy(right, text + b, len - b);
            right[len - b] = '\0';
            const char *pieces[] = { left, mid, right };
            split_result r;
            split_pieces(&r, pieces, 3);
            assert_string_equal(r.thinking.data, "a</thinking b");
            assert_string_equal(r.text.data, "c\n");
            free_result(&r);
        }
    }
}

static void test_newlines_after_close(void **state)
{
    (void)state;
    static const struct {
        const char *in;
        const char *thinking;
        const char *text;
    } cases[] = {
        { "<thinking>t</thinking>answer", "t", "answer" },
        { "<thinking>t</thinking>\nanswer", "t", "answer" },
        { "<thinking>t</thinking>\n\n\nanswer", "t", "\nanswer" },
        { "<thinking>t</thinking> \n\nanswer", "t", " \n\nanswer" },
        { "<thinking></thinking>x", "", "x" },
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        const char *pieces[] = { cases[i].in };
        split_result r;
        split_pieces(&r, pieces, 1);
        assert_string_equal(r.thinking.data, cases[i].thinking);
        assert_string_equal(r.text.data, cases[i].text);
        free_result(&r);
    }
}

static void test_no_thinking_block(void **state)
{
    (void)state;
    const char *a[] = { "  hello <thinking>x</thinking>" };
    split_result r;
    split_pieces(&r, a, 1);
    assert_string_equal(r.text.data, "  hello <thinking>x</thinking>");
    assert_string_equal(r.thinking.data, "");
    free_result(&r);

    const char *b[] = { "<thinkin", "g", "!" };   /* a near miss */
    split_pieces(&r, b, 3);
    assert_string_equal(r.text.data, "<thinkin" "g!");
    assert_string_equal(r.order.data, "xx");
    free_result(&r);

    const char *c[] = { "<th" };   /* the text ended inside a possible tag */
    split_pieces(&r, c, 1);
    assert_string_equal(r.text.data, "<th");
    free_result(&r);
}

static void test_long_leading_whitespace_gives_up(void **state)
{
    (void)state;
    char spaces[THINKING_MAX_LEADING_SPACE + 2];
    memset(spaces, ' ', sizeof spaces - 1);
    spaces[sizeof spaces - 1] = '\0';
    const char *pieces[] = { spaces, "<thinking>x</thinking>" };
    split_result r;
    split_pieces(&r, pieces, 2);
    assert_string_equal(r.thinking.data, "");
    assert_int_equal(r.text.len, strlen(spaces) + 22);
    free_result(&r);

    spaces[THINKING_MAX_LEADING_SPACE] = '\0';   /* exactly the maximum still works */
    split_pieces(&r, pieces, 2);
    assert_string_equal(r.thinking.data, "x");
    assert_string_equal(r.text.data, "");
    free_result(&r);
}

static void test_thinking_order_and_unclosed(void **state)
{
    (void)state;
    const char *pieces[] = { "<thinking>one ", "two </thi", "nking>\n\nthree" };
    split_result r;
    split_pieces(&r, pieces, 3);
    assert_string_equal(r.thinking.data, "one two ");
    assert_string_equal(r.text.data, "three");
    assert_string_equal(r.order.data, "TTx");
    free_result(&r);

    const char *open[] = { "<thinking>never closed </thinki" };
    split_pieces(&r, open, 1);
    assert_string_equal(r.thinking.data, "never closed </thinki");
    assert_string_equal(r.text.data, "");
    free_result(&r);
}

static int stop_emit(void *user, int is_thinking, const char *s, size_t len)
{
    (void)user;
    (void)is_thinking;
    (void)s;
    (void)len;
    return 7;
}

static void test_emit_error_propagates(void **state)
{
    (void)state;
    thinking_split t;
    thinking_split_init(&t);
    assert_int_equal(thinking_split_feed(&t, "<thinking>abc", 13, stop_emit, NULL), 7);
    thinking_split_init(&t);
    assert_int_equal(thinking_split_feed(&t, "plain", 5, stop_emit, NULL), 7);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_valid_text_is_unchanged),
        cmocka_unit_test(test_invalid_sequences_are_replaced),
        cmocka_unit_test(test_output_cap_is_reported),
        cmocka_unit_test(test_incomplete_tail),
        cmocka_unit_test(test_truncate_and_count),
        cmocka_unit_test(test_split_at_every_pair_of_offsets),
        cmocka_unit_test(test_newlines_after_close),
        cmocka_unit_test(test_no_thinking_block),
        cmocka_unit_test(test_long_leading_whitespace_gives_up),
        cmocka_unit_test(test_thinking_order_and_unclosed),
        cmocka_unit_test(test_emit_error_propagates),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
