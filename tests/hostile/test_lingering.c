/* test_lingering.c: the lingering close after an early answer (front_gate.h).
 *
 * Many clients (Python's http.client and urllib, most SDKs) write the whole request body before
 * they read anything. When the proxy answers early (413 from the declared Content-Length, 401
 * for a wrong key) and then closes with unread body bytes in its receive buffer, the kernel
 * sends a reset, the client's write fails, and it never reads the answer that was sent. The
 * front gate therefore keeps reading and discarding after an answer, within bounds.
 *
 * Each case first proves the fault is in place (the answer is readable before the first body
 * byte is written: the proxy answered early), then writes the whole body without reading, then
 * reads: the answer must be there, API-shaped, with Connection: close, followed by a close.
 * Then the bound: a client that keeps writing after the answer is cut after the byte bound
 * (2 x --max-body-bytes + 1 MiB). (The time bounds, GATE_LINGER_MS and GATE_LINGER_IDLE_MS,
 * are not observable from the client once the answer and the FIN have been read.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "check.h"
#include "raw_http.h"
#include "stack.h"

#define MAX_BODY (1u << 20) /* --max-body-bytes for this stack: 1 MiB */
#define EARLY_ANSWER_MS 20000
#define IO_TIMEOUT_S 60

static test_stack stack;

static int group_setup(void **state)
{
    (void)state;
    static const char *const proxy_args[] = {"--max-body-bytes", "1048576", NULL};
    stack_options o = {.proxy = "kiro-proxy-async", .proxy_args = proxy_args};
    return stack_start(&stack, &o);
}

static int group_teardown(void **state)
{
    (void)state;
    return stack_stop(&stack);
}

static double now_s(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + t.tv_nsec / 1e9;
}

static int connect_blocking(void)
{
    int fd = rh_connect("127.0.0.1", stack.proxy_port, 10000);
    if (fd < 0)
        return -1;
    struct timeval tv = {IO_TIMEOUT_S, 0};
    setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    return fd;
}

/* Writes n filler bytes; returns the bytes written before an error. */
static size_t write_filler(int fd, size_t n, int *err)
{
    static char block[65536];
    memset(block, 'x', sizeof block);
    size_t done = 0;
    *err = 0;
    while (done < n) {
        size_t k = n - done < sizeof block ? n - done : sizeof block;
        ssize_t w = send(fd, block, k, MSG_NOSIGNAL);
        if (w <= 0) {
            *err = w < 0 ? errno : EPIPE;
            break;
        }
        done += (size_t)w;
    }
    return done;
}

/* Reads until EOF (bounded by SO_RCVTIMEO) into buf; returns the length, -1 on a reset. */
static long read_all(int fd, char *buf, size_t cap)
{
    size_t len = 0;
    for (;;) {
        ssize_t r = recv(fd, buf + len, cap - 1 - len, 0);
        if (r == 0)
            break;
        if (r < 0)
            return errno == ECONNRESET ? -1 : (long)len;
        len += (size_t)r;
        if (len == cap - 1)
            break;
    }
    buf[len] = '\0';
    return (long)len;
}

static void expect_answer(const char *resp, long len, int status, const char *type)
{
    if (len <= 0)
        fail_msg("no answer readable after the body (%s)", len < 0 ? "connection reset" : "EOF");
    int got = 0;
    sscanf(resp, "HTTP/1.1 %d", &got);
    assert_int_equal(got, status);
    if (!strstr(resp, "\r\nConnection: close\r\n"))
        fail_msg("no Connection: close: %.300s", resp);
    const char *body = strstr(resp, "\r\n\r\n");
    assert_non_null(body);
    char why[256];
    if (hc_check_anthropic_error(body + 4, type, why, sizeof why) != 0)
        fail_msg("%s", why);
}

/* head, then: the answer must already be readable (early), then body_len bytes, then read. */
static void write_then_read(const char *head, size_t body_len, int status, const char *type)
{
    int fd = connect_blocking();
    assert_true(fd >= 0);
    assert_int_equal(send(fd, head, strlen(head), MSG_NOSIGNAL), (ssize_t)strlen(head));
    struct pollfd p = {fd, POLLIN, 0};
    if (poll(&p, 1, EARLY_ANSWER_MS) != 1) {
        close(fd);
        fail_msg("inconclusive: no early answer within %d ms of the head", EARLY_ANSWER_MS);
    }
    double t0 = now_s();
    int err;
    size_t sent = write_filler(fd, body_len, &err);
    double write_s = now_s() - t0;
    static char resp[65536];
    long len = read_all(fd, resp, sizeof resp);
    close(fd);
    printf("  early %d, then %zu of %zu body bytes written in %.2fs (%s), then %ld answer bytes "
           "read\n",
           status, sent, body_len, write_s, err ? strerror(err) : "no error", len);
    if (err)
        fail_msg("writing the body failed after %zu bytes: %s (the proxy did not linger)", sent,
                 strerror(err));
    expect_answer(resp, len, status, type);
}

static void test_413_then_whole_body(void **state)
{
    (void)state;
    char head[512];
    size_t body = 3 * MAX_BODY / 2; /* over the limit, within the linger byte bound */
    snprintf(head, sizeof head,
             "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: %s\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
             STACK_API_KEY, body);
    write_then_read(head, body, 413, "request_too_large");
}

static void test_401_then_whole_body(void **state)
{
    (void)state;
    char head[512];
    size_t body = MAX_BODY / 2;
    snprintf(head, sizeof head,
             "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: wrong-key\r\n"
             "Content-Type: application/json\r\nContent-Length: %zu\r\n\r\n",
             body);
    write_then_read(head, body, 401, "authentication_error");
}

static void test_400_head_then_whole_body(void **state)
{
    (void)state;
    /* the gate refuses the head (two different lengths) while the body is still to come */
    char head[512];
    size_t body = MAX_BODY / 2;
    snprintf(head, sizeof head,
             "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: %s\r\n"
             "Content-Length: %zu\r\nContent-Length: 1\r\n\r\n",
             STACK_API_KEY, body);
    write_then_read(head, body, 400, "invalid_request_error");
}

static void test_linger_byte_bound(void **state)
{
    (void)state;
    int fd = connect_blocking();
    assert_true(fd >= 0);
    char head[512];
    size_t declared = 64u << 20;
    snprintf(head, sizeof head,
             "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: wrong\r\n"
             "Content-Length: %zu\r\n\r\n",
             declared);
    assert_int_equal(send(fd, head, strlen(head), MSG_NOSIGNAL), (ssize_t)strlen(head));
    struct pollfd p = {fd, POLLIN, 0};
    assert_int_equal(poll(&p, 1, EARLY_ANSWER_MS), 1);
    int err;
    size_t sent = write_filler(fd, declared, &err);
    close(fd);
    size_t bound = 2 * (size_t)MAX_BODY + (1u << 20);
    printf("  after a 401, %zu of %zu bytes went in before the cut (%s); bound %zu\n", sent,
           declared, err ? strerror(err) : "none", bound);
    assert_true(err != 0);
    assert_true(sent >= bound);              /* it lingered up to the bound */
    assert_true(sent < bound + (16u << 20)); /* and not much past it (socket buffers) */
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_413_then_whole_body),
        cmocka_unit_test(test_401_then_whole_body),
        cmocka_unit_test(test_400_head_then_whole_body),
        cmocka_unit_test(test_linger_byte_bound),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
