/* test_platform.c: the platform switch does what the build says.
 *
 * One table with a column of expectations per road: portable (any system), native Linux,
 * native macOS (-1 where either value is right there). Each case asserts a value that changes with
 * the switch, so a target compiled without KIRO_PLATFORM_PORTABLE, or a platform function that
 * still takes the Linux road in the portable build, fails here. Also: the two writers that
 * depend on the switch (the async logger's sink and logrelay's sink) pick the matching mode,
 * and logrelay's polled sink asks poll() again only when it should. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

#include "log/log_sink.h"
#include "platform/platform.h"
#include "sink.h"

#if defined(KIRO_PLATFORM_PORTABLE) && KIRO_PLATFORM_PORTABLE
#define EXPECT_PORTABLE 1
#else
#define EXPECT_PORTABLE 0
#endif

/* Fills a pipe through its write end without blocking; returns the bytes written. */
static size_t fill(int write_fd)
{
    int flags = fcntl(write_fd, F_GETFL);
    assert_int_equal(fcntl(write_fd, F_SETFL, flags | O_NONBLOCK), 0);
    char block[4096];
    memset(block, 'f', sizeof block);
    size_t total = 0;
    for (size_t chunk = sizeof block; chunk > 0; chunk /= 2)
        for (ssize_t n; (n = write(write_fd, block, chunk)) > 0;)
            total += (size_t)n;
    assert_int_equal(fcntl(write_fd, F_SETFL, flags), 0);
    return total;
}

static void test_flavor_and_switches(void **state)
{
    (void)state;
    struct {
        const char *what;
        long got, portable, native_linux, native_macos;
    } cases[] = {
        {"flavor is portable", strcmp(platform_flavor(), "portable") == 0, 1, 0, 0},
        {"KIRO_HAVE_PRIVATE_PIPE_REOPEN", KIRO_HAVE_PRIVATE_PIPE_REOPEN, 0, 1, 0},
        {"KIRO_HAVE_PIPE_SIZE_CONTROL", KIRO_HAVE_PIPE_SIZE_CONTROL, 0, 1, 0},
        {"KIRO_HAVE_SIGTIMEDWAIT", KIRO_HAVE_SIGTIMEDWAIT, 0, 1, 0},
        {"KIRO_HAVE_MSG_NOSIGNAL", KIRO_HAVE_MSG_NOSIGNAL, 0, 1, -1},
        {"KIRO_HAVE_COND_MONOTONIC", KIRO_HAVE_COND_MONOTONIC, 0, 1, 0},
        {"KIRO_HAVE_PROC_EVIDENCE", KIRO_HAVE_PROC_EVIDENCE, 0, 1, 0},
        {"KIRO_HAVE_CHILD_SUBREAPER", KIRO_HAVE_CHILD_SUBREAPER, 0, 1, 0},
        {"pipe atomic bytes", (long)platform_pipe_atomic_bytes(), 512, PIPE_BUF, 512},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
#if EXPECT_PORTABLE
        long want = cases[i].portable;
#elif defined(__linux__)
        long want = cases[i].native_linux;
#elif defined(__APPLE__)
        long want = cases[i].native_macos < 0 ? cases[i].got : cases[i].native_macos;
#else
        long want = cases[i].got; /* another system: no expectations written down */
#endif
        if (cases[i].got != want)
            fail_msg("%s: %ld, expected %ld in the %s build", cases[i].what, cases[i].got, want,
                     platform_flavor());
    }
    assert_string_equal(platform_flavor(), EXPECT_PORTABLE ? "portable" : "native");
}

static void test_pipe_facilities_follow_switch(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    int flags_before = fcntl(p[1], F_GETFL);
    errno = 0;
    long cap = platform_pipe_capacity(p[1]);
    if (KIRO_HAVE_PIPE_SIZE_CONTROL) {
        assert_true(cap >= 4096);
        assert_true(platform_pipe_set_capacity(p[1], 2 * cap) >= cap);
    } else {
        assert_int_equal(cap, -1);
        assert_int_equal(errno, ENOTSUP);
        errno = 0;
        assert_int_equal(platform_pipe_set_capacity(p[1], 65536), -1);
        assert_int_equal(errno, ENOTSUP);
    }
    errno = 0;
    int priv = platform_open_private_nonblocking_pipe(p[1]);
    if (KIRO_HAVE_PRIVATE_PIPE_REOPEN) {
        assert_true(priv >= 0);
        assert_true(fcntl(priv, F_GETFL) & O_NONBLOCK);
        close(priv);
    } else {
        assert_int_equal(priv, -1);
        assert_int_equal(errno, ENOTSUP);
    }
    assert_int_equal(fcntl(p[1], F_GETFL), flags_before); /* never the shared description */
    close(p[0]);
    close(p[1]);
}

/* The async logger's sink on a pipe: the private description natively, poll + PIPE_BUF
 * (512 in the portable build) otherwise; a long write is cut to that size. */
static void test_log_sink_road(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    log_sink sink;
    log_sink_open(&sink, p[1]);
    static char line[8192];
    memset(line, 'l', sizeof line);
    ssize_t n = log_sink_write(&sink, line, sizeof line, 1000);
    if (KIRO_HAVE_PRIVATE_PIPE_REOPEN) {
        assert_int_equal(sink.mode, LOG_SINK_PRIVATE_NONBLOCKING);
        assert_int_equal(n, (ssize_t)sizeof line);
    } else {
        assert_int_equal(sink.mode, LOG_SINK_POLL_THEN_ATOMIC);
        assert_int_equal(sink.atomic_bytes, platform_pipe_atomic_bytes());
        assert_int_equal(n, (ssize_t)platform_pipe_atomic_bytes());
    }
    log_sink_close(&sink);
    close(p[0]);
    close(p[1]);
}

/* EPIPE with SIGPIPE blocked leaves the signal pending; the sink's consumer takes it by either
 * road (sigtimedwait, or sigpending + sigwait) and never waits when nothing is pending. */
static void test_sigpipe_consumed(void **state)
{
    (void)state;
    sigset_t old;
    sigset_t only;
    sigemptyset(&only);
    sigaddset(&only, SIGPIPE);
    assert_int_equal(pthread_sigmask(SIG_BLOCK, &only, &old), 0);
    log_sink_consume_sigpipe(); /* nothing pending: returns at once */
    int p[2];
    assert_int_equal(pipe(p), 0);
    close(p[0]);
    assert_int_equal(write(p[1], "x", 1), -1);
    assert_int_equal(errno, EPIPE);
    sigset_t pending;
    assert_int_equal(sigpending(&pending), 0);
    assert_true(sigismember(&pending, SIGPIPE)); /* the fault is in place */
    log_sink_consume_sigpipe();
    assert_int_equal(sigpending(&pending), 0);
    assert_false(sigismember(&pending, SIGPIPE));
    close(p[1]);
    assert_int_equal(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
}

/* logrelay's sink on a pipe: re-opened natively, polled with PIPE_BUF-sized writes otherwise. */
static void test_logrelay_sink_road(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct sink s;
    sink_open(&s, p[1]);
    if (KIRO_HAVE_PRIVATE_PIPE_REOPEN) {
        assert_int_equal(s.mode, SINK_NONBLOCKING_REOPEN);
        assert_int_equal(sink_write_limit(&s), SIZE_MAX);
    } else {
        assert_int_equal(s.mode, SINK_POLLED_ATOMIC);
        assert_int_equal(sink_write_limit(&s), platform_pipe_atomic_bytes());
    }
    sink_close(&s);
    close(p[0]);
    close(p[1]);
}

/* sink_poll_again: ready on a pipe with room, not ready on a full one, never for other modes. */
static void test_logrelay_poll_again(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    struct sink s = {.fd = p[1], .owned_fd = -1, .mode = SINK_POLLED_ATOMIC};
    assert_false(sink_can_write(&s));
    assert_true(sink_poll_again(&s));
    assert_true(sink_can_write(&s));
    struct iovec one = {.iov_base = "abc\n", .iov_len = 4};
    assert_int_equal(sink_write(&s, &one, 1), 4);
    assert_false(sink_can_write(&s)); /* the POLLOUT was used up */

    assert_true(fill(p[1]) > 0);
    struct pollfd probe = {.fd = p[1], .events = POLLOUT};
    assert_int_equal(poll(&probe, 1, 0), 0); /* the fault is in place: the pipe is full */
    assert_false(sink_poll_again(&s));
    assert_false(sink_can_write(&s));

    struct sink file_sink = {.fd = p[1], .owned_fd = -1, .mode = SINK_FILE};
    assert_false(sink_poll_again(&file_sink));
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_flavor_and_switches),
        cmocka_unit_test(test_pipe_facilities_follow_switch),
        cmocka_unit_test(test_log_sink_road),
        cmocka_unit_test(test_sigpipe_consumed),
        cmocka_unit_test(test_logrelay_sink_road),
        cmocka_unit_test(test_logrelay_poll_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
