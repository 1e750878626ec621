/* test_body_caps.c: client-controlled lengths are capped before memory is committed to them.
 *
 * A request declaring Content-Length: 99999999999 is refused with 413 from its headers alone:
 * the answer arrives while not one byte of body has been sent. A client streaming 100 MiB as a
 * chunked body (no Content-Length) into the default 16 MiB limit gets 413, and the proxy's peak
 * resident memory during the transfer grows by at most the limit plus a margin (the capped
 * buffer may legitimately fill up to the limit; the other 84 MiB must be discarded, not kept),
 * and returns to its baseline afterwards. A body under the limit made of tiny JSON values
 * ("[0,0,0,...]") must not make the proxy commit many times the limit: a parse tree node per
 * two bytes of body would otherwise turn 16 MiB into most of a GiB, per request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sanitizers.h"
#include "check.h"
#include "raw_http.h"
#include "stack.h"

#define BODY_LIMIT_MIB 16
#define STREAM_MIB 100
/* Margin over the limit for the peak: MHD's per-connection buffers, thread stacks, libc. */
#define PEAK_MARGIN_KIB (8 * 1024)
/* Resident memory after the transfer, over the baseline before it. */
#define AFTER_MARGIN_KIB (4 * 1024)
/* Peak for one request under the limit: the body buffer plus a parse tree of about the body's
 * size for ordinary (text-heavy) JSON, with room to spare: four times the limit. */
#define PARSE_PEAK_BOUND_KIB (4 * BODY_LIMIT_MIB * 1024)

static test_stack stack;

static int group_setup(void **state)
{
    (void)state;
    /* Resident memory must follow live memory: see tests/hostile/README.md. */
    setenv("GLIBC_TUNABLES", "glibc.malloc.mmap_threshold=131072:glibc.malloc.trim_threshold=131072",
           0);
    static const char *const proxy_args[] = {"--log-queue-bytes", "65536", NULL};
    stack_options o = {.proxy = "kiro-proxy-async", .proxy_args = proxy_args};
    return stack_start(&stack, &o);
}

static int group_teardown(void **state)
{
    (void)state;
    return stack_stop(&stack);
}

static void test_huge_content_length_refused_before_body(void **state)
{
    (void)state;
    const char *paths[] = {"/v1/messages", "/v1/chat/completions", "/v1/messages/count_tokens"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        char head[512];
        snprintf(head, sizeof head,
                 "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " STACK_API_KEY
                 "\r\nContent-Type: application/json\r\nContent-Length: 99999999999\r\n\r\n",
                 paths[i]);
        /* Only the head is sent; a server waiting for the body would never answer. */
        rh_request rq = {.head = head, .head_len = strlen(head)};
        rh_response r;
        rh_exchange("127.0.0.1", stack.proxy_port, &rq, 10000, &r);
        printf("  %s, Content-Length 99999999999, no body sent: %d after %.3fs\n", paths[i],
               r.status, r.seconds);
        assert_int_equal(r.status, 413);
        assert_true(r.complete);
        assert_int_equal(r.bytes_sent, strlen(head));
        char why[300];
        if ((i == 1 ? hc_check_openai_error(r.body, "request_too_large", why, sizeof why)
                    : hc_check_anthropic_error(r.body, "request_too_large", why, sizeof why)) != 0)
            fail_msg("%s: %s", paths[i], why);
        rh_response_free(&r);
    }
}

typedef struct filler {
    size_t left;
} filler;

static size_t fill_x(void *ctx, char *buf, size_t cap)
{
    filler *f = ctx;
    size_t n = f->left < cap ? f->left : cap;
    memset(buf, 'x', n);
    f->left -= n;
    return n;
}

/* Resets the peak resident size (Linux: clear_refs 5). Returns 0 or -1. */
static int reset_peak(pid_t pid)
{
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/clear_refs", (int)pid);
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    int ok = fputs("5", f) >= 0;
    return fclose(f) == 0 && ok ? 0 : -1;
}

static void test_chunked_100mib_memory_bounded(void **state)
{
    (void)state;
    pid_t pid = stack.proxy_pid;
    long before = KIRO_UNDER_SANITIZER ? -1 : hc_rss_kib(pid, 0);
    if (before < 0 || reset_peak(pid) != 0) {
        printf("  SKIP: %s\n", KIRO_UNDER_SANITIZER ? "sanitizer build: resident memory is not meaningful"
                                                      : "/proc/PID/status or clear_refs unavailable: memory not measurable");
        skip();
    }
    static const char head[] = "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " STACK_API_KEY
                               "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
                               "Connection: close\r\n\r\n";
    filler f = {(size_t)STREAM_MIB << 20};
    rh_request rq = {.head = head, .head_len = sizeof head - 1, .gen = fill_x, .gen_ctx = &f,
                     .chunked = 1};
    rh_response r;
    rh_exchange("127.0.0.1", stack.proxy_port, &rq, 120000, &r);
    long peak = hc_rss_kib(pid, 1);
    long after = hc_rss_kib(pid, 0);
    printf("  %d MiB chunked into a %d MiB limit: %d after %.2fs, %zu MiB sent; VmRSS before %ld "
           "KiB, peak %ld KiB (+%ld), after %ld KiB (+%ld)\n",
           STREAM_MIB, BODY_LIMIT_MIB, r.status, r.seconds, r.bytes_sent >> 20, before, peak,
           peak - before, after, after - before);
    char why[300];
    int shape = hc_check_anthropic_error(r.body, "request_too_large", why, sizeof why);
    rh_response_free(&r);
    assert_int_equal(r.status, 413);
    assert_int_equal(shape, 0);
    assert_true(peak - before < BODY_LIMIT_MIB * 1024 + PEAK_MARGIN_KIB);
    assert_true(after - before < AFTER_MARGIN_KIB);
    assert_true(hc_pid_alive(pid));
}

static void test_json_value_flood_memory_bounded(void **state)
{
    (void)state;
    pid_t pid = stack.proxy_pid;
    long before = KIRO_UNDER_SANITIZER ? -1 : hc_rss_kib(pid, 0);
    if (before < 0 || reset_peak(pid) != 0) {
        printf("  SKIP: %s\n", KIRO_UNDER_SANITIZER ? "sanitizer build: resident memory is not meaningful"
                                                      : "/proc/PID/status or clear_refs unavailable: memory not measurable");
        skip();
    }
    static const char prefix[] = "{\"model\":\"claude-sonnet-4.5\",\"max_tokens\":5,\"messages\":[";
    size_t len = ((size_t)BODY_LIMIT_MIB << 20) - 1024;
    char *body = malloc(len);
    assert_non_null(body);
    memcpy(body, prefix, sizeof prefix - 1);
    size_t at = sizeof prefix - 1;
    while (at + 4 < len) {
        body[at++] = '0';
        body[at++] = ',';
    }
    body[at++] = '0';
    body[at++] = ']';
    body[at++] = '}';
    char head[512];
    snprintf(head, sizeof head,
             "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: " STACK_API_KEY
             "\r\nContent-Type: application/json\r\nContent-Length: %zu\r\nConnection: "
             "close\r\n\r\n",
             at);
    rh_request rq = {.head = head, .head_len = strlen(head), .body = body, .body_len = at};
    rh_response r;
    rh_exchange("127.0.0.1", stack.proxy_port, &rq, 120000, &r);
    free(body);
    long peak = hc_rss_kib(pid, 1);
    printf("  %zu bytes of \"0,\" under the %d MiB limit: %d after %.2fs; VmRSS before %ld KiB, "
           "peak %ld KiB (+%ld, bound +%d)\n",
           at, BODY_LIMIT_MIB, r.status, r.seconds, before, peak, peak - before,
           PARSE_PEAK_BOUND_KIB);
    rh_response_free(&r);
    assert_true(r.status == 400 || r.status == 413);
    assert_true(hc_pid_alive(pid));
    if (peak - before >= PARSE_PEAK_BOUND_KIB)
        fail_msg("one request of %zu bytes made the proxy's resident memory grow by %ld KiB "
                 "(%.0fx the body): the JSON parse tree is not bounded",
                 at, peak - before, (double)(peak - before) * 1024.0 / (double)at);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_huge_content_length_refused_before_body),
        cmocka_unit_test(test_chunked_100mib_memory_bounded),
        cmocka_unit_test(test_json_value_flood_memory_bounded),
    };
    return cmocka_run_group_tests_name("body_caps", tests, group_setup, group_teardown);
}
