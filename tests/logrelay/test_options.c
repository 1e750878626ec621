/* test_options.c: cmocka tests for logrelay's command line: defaults, both value spellings,
 * size suffixes, range checks, and where COMMAND starts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "options.h"

#define PARSE(o, ...)                                                                       \
    parse_args((o), (char *const[]){"logrelay", __VA_ARGS__, NULL},                         \
               (int)(sizeof((const char *[]){"logrelay", __VA_ARGS__}) / sizeof(char *)))

static char error[256];

static enum options_result parse_args(struct relay_options *o, char *const argv[], int argc)
{
    return options_parse(o, argc, argv, error, sizeof error);
}

static void test_defaults(void **state)
{
    (void)state;
    struct relay_options o;
    assert_int_equal(PARSE(&o, "--", "cmd", "arg"), OPTIONS_RUN);
    assert_null(o.output_path);
    assert_int_equal(o.buffer_bytes, 4u << 20);
    assert_int_equal(o.max_line, 1u << 20);
    assert_int_equal(o.flush_ms, 2000);
    assert_int_equal(o.rotate_bytes, 0);
    assert_int_equal(o.rotate_keep, 5);
    assert_int_equal(o.own_process_group, 1);
    assert_false(o.print_stats);
    assert_string_equal(o.command[0], "cmd");
    assert_string_equal(o.command[1], "arg");
    assert_null(o.command[2]);
}

static void test_every_option(void **state)
{
    (void)state;
    struct relay_options o;
    assert_int_equal(PARSE(&o, "--output", "f.log", "--rotate-bytes=10M", "--rotate-keep", "3",
                           "--buffer-bytes", "64K", "--max-line=2048", "--flush-ms", "50",
                           "--stats", "--stats-json", "s.json", "--no-process-group", "--",
                           "cmd", "--stats"),
                     OPTIONS_RUN);
    assert_string_equal(o.output_path, "f.log");
    assert_int_equal(o.rotate_bytes, 10u << 20);
    assert_int_equal(o.rotate_keep, 3);
    assert_int_equal(o.buffer_bytes, 64u << 10);
    assert_int_equal(o.max_line, 2048);
    assert_int_equal(o.flush_ms, 50);
    assert_true(o.print_stats);
    assert_string_equal(o.stats_json_path, "s.json");
    assert_int_equal(o.own_process_group, 0);
    assert_string_equal(o.command[0], "cmd");
    assert_string_equal(o.command[1], "--stats"); /* after --: the command's own argument */
}

static void test_command_without_double_dash(void **state)
{
    (void)state;
    struct relay_options o;
    assert_int_equal(PARSE(&o, "--stats", "cmd", "-x"), OPTIONS_RUN);
    assert_string_equal(o.command[0], "cmd");
    assert_string_equal(o.command[1], "-x");
}

static void test_errors_and_help(void **state)
{
    (void)state;
    struct relay_options o;
    assert_int_equal(PARSE(&o, "--help"), OPTIONS_HELP);
    assert_int_equal(PARSE(&o, "--version"), OPTIONS_VERSION);
    assert_int_equal(PARSE(&o, "-V"), OPTIONS_VERSION);
    assert_int_equal(PARSE(&o, "--"), OPTIONS_ERROR);
    assert_non_null(strstr(error, "COMMAND"));
    assert_int_equal(PARSE(&o, "--bogus", "--", "x"), OPTIONS_ERROR);
    assert_non_null(strstr(error, "--bogus"));
    assert_int_equal(PARSE(&o, "--buffer-bytes", "100", "--", "x"), OPTIONS_ERROR); /* < 4K */
    assert_int_equal(PARSE(&o, "--buffer-bytes", "4Q", "--", "x"), OPTIONS_ERROR);
    assert_int_equal(PARSE(&o, "--max-line", "-1", "--", "x"), OPTIONS_ERROR);
    assert_int_equal(PARSE(&o, "--flush-ms"), OPTIONS_ERROR);
    assert_int_equal(PARSE(&o, "--output=", "--", "x"), OPTIONS_ERROR);
    assert_non_null(strstr(options_usage(), "--rotate-keep"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_every_option),
        cmocka_unit_test(test_command_without_double_dash),
        cmocka_unit_test(test_errors_and_help),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
