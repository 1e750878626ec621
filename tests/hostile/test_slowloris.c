/* test_slowloris.c: slow clients against a proxy started with --client-timeout-s 2.
 *
 * A connection that sends part of its headers and then goes quiet must be closed once the
 * client timeout passes. A connection that trickles its headers one byte per second (slowloris:
 * never idle for a whole timeout, never finished) must be closed too, after about the client
 * timeout: otherwise a few hundred such clients hold every connection slot and thread for as long
 * as they like. While the trickle runs, other clients must be served. Both unfinished heads are
 * answered 408 in the API shape by the front gate before the close. A body trickled one byte
 * every 500 ms (never idle) is ended by the body deadline (--body-timeout-s 3): 408 and close. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "raw_http.h"
#include "stack.h"

#define CLIENT_TIMEOUT_S 2
/* How long after the client timeout a close may come on this busy 2-core machine. */
#define CLOSE_MARGIN_S 10
#define HEALTH_TIMEOUT_MS 10000
#define BODY_TIMEOUT_S 3
#define BODY_TIMEOUT_ARG "3"

static test_stack stack;

static int group_setup(void **state)
{
    (void)state;
    static const char *const proxy_args[] = {"--client-timeout-s", "2", "--body-timeout-s",
                                             BODY_TIMEOUT_ARG, NULL};
    stack_options o = {.proxy = "kiro-proxy-async", .proxy_args = proxy_args};
    return stack_start(&stack, &o);
}

static int group_teardown(void **state)
{
    (void)state;
    return stack_stop(&stack); /* 0 only when the proxy still exits cleanly on SIGTERM */
}

static void test_idle_partial_headers_closed(void **state)
{
    (void)state;
    static const char head[] = "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Partial: yes\r\n";
    rh_request rq = {.head = head, .head_len = sizeof head - 1, .read_to_close = 1};
    rh_response r;
    rh_exchange("127.0.0.1", stack.proxy_port, &rq, (CLIENT_TIMEOUT_S + CLOSE_MARGIN_S) * 1000,
                &r);
    printf("  idle connection: closed=%d status=%d after %.2fs\n", r.peer_closed, r.status,
           r.seconds);
    char why[256] = "";
    int shaped = hc_check_anthropic_error(r.body, "timeout_error", why, sizeof why);
    rh_response_free(&r);
    assert_false(r.timed_out);
    assert_true(r.peer_closed);
    /* the front gate answers the unfinished head (408) instead of closing silently */
    assert_int_equal(r.status, 408);
    if (shaped != 0)
        fail_msg("408 not in the API shape: %s", why);
    assert_true(r.seconds >= CLIENT_TIMEOUT_S - 1); /* the timeout, not an instant refusal */
    assert_true(hc_pid_alive(stack.proxy_pid));
}

/* A body trickled one byte every 500 ms is never idle for the client timeout: only the body
 * deadline (--body-timeout-s) ends it, with 408 in the API shape and a close. */
static void test_body_trickle_answered_408(void **state)
{
    (void)state;
    static const char head[] = "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                               "x-api-key: " STACK_API_KEY "\r\nContent-Length: 4096\r\n\r\n";
    static char body[4096];
    memset(body, ' ', sizeof body);
    rh_request rq = {.head = head, .head_len = sizeof head - 1, .body = body,
                     .body_len = sizeof body, .trickle_ms = 500, .trickle_body_only = 1,
                     .read_to_close = 1};
    rh_response r;
    rh_exchange("127.0.0.1", stack.proxy_port, &rq, (BODY_TIMEOUT_S + CLOSE_MARGIN_S) * 1000, &r);
    printf("  body trickle (1 byte/500 ms): status=%d closed=%d after %.2fs, %zu body bytes "
           "sent\n", r.status, r.peer_closed, r.seconds, r.bytes_sent - (sizeof head - 1));
    char why[256] = "", conn[32] = "";
    int shaped = hc_check_anthropic_error(r.body, "timeout_error", why, sizeof why);
    int close_hdr = rh_header(&r, "Connection", conn, sizeof conn) && strcmp(conn, "close") == 0;
    int status = r.status, closed = r.peer_closed;
    double seconds = r.seconds;
    size_t sent = r.bytes_sent;
    rh_response_free(&r);
    /* the fault is in place: the body was still coming (more than the head and one byte went
     * out, far less than the body) when the answer came */
    if (sent <= sizeof head || sent >= sizeof head - 1 + sizeof body)
        fail_msg("inconclusive: %zu bytes sent, the trickle did not run", sent);
    assert_int_equal(status, 408);
    assert_true(closed && close_hdr);
    if (shaped != 0)
        fail_msg("408 not in the API shape: %s", why);
    assert_true(seconds >= BODY_TIMEOUT_S - 1);
    assert_true(hc_pid_alive(stack.proxy_pid));
}

typedef struct trickle {
    pthread_mutex_t mu;
    pthread_cond_t done_cond;
    int done;
    rh_response r;
} trickle;

static void *trickle_main(void *arg)
{
    trickle *t = arg;
    static char head[512];
    int n = snprintf(head, sizeof head, "GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ");
    memset(head + n, 'a', sizeof head - (size_t)n - 1); /* never ends: no blank line */
    rh_request rq = {.head = head, .head_len = sizeof head - 1, .trickle_ms = 1000,
                     .read_to_close = 1};
    rh_exchange("127.0.0.1", stack.proxy_port, &rq, (CLIENT_TIMEOUT_S + CLOSE_MARGIN_S) * 1000,
                &t->r);
    pthread_mutex_lock(&t->mu);
    t->done = 1;
    pthread_cond_signal(&t->done_cond);
    pthread_mutex_unlock(&t->mu);
    return NULL;
}

static void test_trickle_one_byte_per_second_closed(void **state)
{
    (void)state;
    trickle t = {.done = 0};
    pthread_mutex_init(&t.mu, NULL);
    pthread_cond_init(&t.done_cond, NULL);
    pthread_t tid;
    assert_int_equal(pthread_create(&tid, NULL, trickle_main, &t), 0);

    /* Meanwhile: other clients, one every quarter second until the trickle ends. */
    int served = 0, refused = 0;
    pthread_mutex_lock(&t.mu);
    while (!t.done) {
        pthread_mutex_unlock(&t.mu);
        tp_response h;
        int rc = stack_request(&stack, "GET", "/health", NULL, 0, HEALTH_TIMEOUT_MS, &h);
        if (rc == 0 && h.status == 200)
            served++;
        else
            refused++;
        tp_response_free(&h);
        pthread_mutex_lock(&t.mu);
        struct timespec pace;
        clock_gettime(CLOCK_REALTIME, &pace);
        pace.tv_nsec += 250 * 1000000L;
        if (pace.tv_nsec >= 1000000000L) {
            pace.tv_sec++;
            pace.tv_nsec -= 1000000000L;
        }
        while (!t.done && pthread_cond_timedwait(&t.done_cond, &t.mu, &pace) != ETIMEDOUT) {
        }
    }
    pthread_mutex_unlock(&t.mu);
    pthread_join(tid, NULL);
    printf("  trickle (1 byte/s): closed by the proxy=%d after %.2fs, %zu bytes sent; other "
           "clients: %d served, %d failed\n",
           t.r.peer_closed, t.r.seconds, t.r.bytes_sent, served, refused);
    rh_response_free(&t.r);
    pthread_cond_destroy(&t.done_cond);
    pthread_mutex_destroy(&t.mu);
    assert_int_equal(refused, 0);
    assert_true(served >= 1);
    assert_true(hc_pid_alive(stack.proxy_pid));
    if (!t.r.peer_closed)
        fail_msg("the proxy kept a connection that trickles one header byte per second open for "
                 "%.0f s although --client-timeout-s is %d: the timeout is an idle timeout only, "
                 "so slowloris clients hold connections (and threads) indefinitely",
                 t.r.seconds, CLIENT_TIMEOUT_S);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_idle_partial_headers_closed),
        cmocka_unit_test(test_trickle_one_byte_per_second_closed),
        cmocka_unit_test(test_body_trickle_answered_408),
    };
    return cmocka_run_group_tests_name("slowloris", tests, group_setup, group_teardown);
}
