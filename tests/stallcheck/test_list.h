/* test_list.h: every stallcheck integration test, by name, in one place.
 *
 * Each entry is one row of the scenario table (or one function) in stallcheck_tests.c and one
 * ctest test "stallcheck.NAME" (tests/stallcheck/CMakeLists.txt reads this list). Tests that need python3
 * or go return 77 (ctest: skipped) when the interpreter is missing. */
#ifndef STALLCHECK_TEST_LIST_H
#define STALLCHECK_TEST_LIST_H

#define STALLCHECK_TESTS(X)          \
    X(deadlock_stalled)            \
    X(quiet_inconclusive)          \
    X(expect_not_met)              \
    X(slow_other_cause)            \
    X(async_responsive)            \
    X(hang_not_pipe)               \
    X(filelog_inconclusive)        \
    X(single_writer)               \
    X(idle_threads_not_waiters)    \
    X(idle_threads_deadlock)       \
    X(daemon_reaped)               \
    X(session_helper_reaped)       \
    X(stubborn_reaped)             \
    X(slots_full_stalled)          \
    X(slots_full_responsive)       \
    X(trigger_evidence)            \
    X(near_deadline)               \
    X(reader_scanner)              \
    X(reader_drain)                \
    X(reader_close)                \
    X(reader_slow)                 \
    X(separate_pipes)              \
    X(flood_small_lines)           \
    X(trigger_none)                \
    X(exit_early)                  \
    X(bad_options)                 \
    X(port_busy)                   \
    X(watchdog)                    \
    X(python_blocking)             \
    X(python_fixed)                \
    X(go_blocking)                 \
    X(timeline_compare)            \
    X(progress_tty)

#endif
