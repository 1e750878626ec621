/* test_list.h: every stallcheck integration test, by name, in one place.
 *
 * Each entry is one function test_NAME in stallcheck_tests.c and one ctest test
 * "stallcheck.NAME" (tests/stallcheck/CMakeLists.txt reads this list). Tests that need python3
 * or go return 77 (ctest: skipped) when the interpreter is missing. */
#ifndef STALLCHECK_TEST_LIST_H
#define STALLCHECK_TEST_LIST_H

#define STALLCHECK_TESTS(X)          \
    X(deadlock_stalled)              \
    X(quiet_responsive)              \
    X(expect_not_met)                \
    X(slow_other_cause)              \
    X(exit_early)                    \
    X(stubborn_reaped)               \
    X(reader_scanner)                \
    X(reader_drain)                  \
    X(reader_close)                  \
    X(reader_slow)                   \
    X(separate_pipes)                \
    X(flood_small_lines)             \
    X(trigger_none)                  \
    X(bad_options)                   \
    X(port_busy)                     \
    X(watchdog)                      \
    X(python_blocking)               \
    X(python_fixed)                  \
    X(go_blocking)

#endif
