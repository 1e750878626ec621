/* test_util.c: the shared helpers every module leans on: capped buffers, secret comparison and
 * masking, RFC 3339 conversion, identifiers, client-facing error shapes, and the platform
 * module's pipe and descriptor functions. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/platform.h"
#include "util/api_error.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/errbuf.h"
#include "util/random.h"
#include "util/secret.h"

static void test_kbuf_append_and_cap(void **state)
{
    (void)state;
    kbuf b = KBUF_INIT(16);
    assert_int_equal(kbuf_append_str(&b, "0123456789"), KBUF_OK);
    assert_int_equal(kbuf_printf(&b, "%s", "abcdef"), KBUF_OK);
    assert_int_equal(b.len, 16);
    assert_string_equal(b.data, "0123456789abcdef");
    /* One byte over the cap is refused and leaves the content whole. */
    assert_int_equal(kbuf_append_char(&b, 'x'), KBUF_ERR_CAP);
    assert_int_equal(kbuf_printf(&b, "%d", 7), KBUF_ERR_CAP);
    assert_int_equal(b.len, 16);
    assert_string_equal(b.data, "0123456789abcdef");
    kbuf_free(&b);
}

static void test_kbuf_printf_long_consume_detach(void **state)
{
    (void)state;
    kbuf b = KBUF_INIT(0);
    char big[1000];
    memset(big, 'q', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    assert_int_equal(kbuf_printf(&b, "<%s>", big), KBUF_OK); /* longer than the small buffer */
    assert_int_equal(b.len, 1001);
    assert_int_equal(b.data[0], '<');
    assert_int_equal(b.data[1000], '>');
    kbuf_consume(&b, 995);
    assert_string_equal(b.data, "qqqqq>");
    size_t len = 0;
    char *text = kbuf_detach(&b, &len);
    assert_int_equal(len, 6);
    assert_string_equal(text, "qqqqq>");
    assert_null(b.data);
    free(text);
    /* Detaching an empty buffer gives an empty string, never NULL. */
    text = kbuf_detach(&b, &len);
    assert_non_null(text);
    assert_int_equal(len, 0);
    free(text);
}

static void test_secret_equal(void **state)
{
    (void)state;
    assert_true(secret_equal("sk-abcdef", "sk-abcdef"));
    assert_false(secret_equal("sk-abcdeg", "sk-abcdef"));
    assert_false(secret_equal("sk-abcde", "sk-abcdef"));   /* prefix */
    assert_false(secret_equal("sk-abcdefg", "sk-abcdef")); /* longer */
    assert_false(secret_equal("", ""));                   /* an empty key never matches */
    assert_false(secret_equal(NULL, "x"));
    assert_false(secret_equal("x", NULL));
}

static void test_secret_mask(void **state)
{
    (void)state;
    char out[SECRET_MASK_SIZE];
    const char *key = "sk-ant-api03-very-secret-value-42";
    secret_mask(key, out, sizeof out);
    assert_string_equal(out, "sk-a...42");
    assert_null(strstr(out, "secret"));
    secret_mask("short", out, sizeof out);
    assert_string_equal(out, "***");
    secret_mask(NULL, out, sizeof out);
    assert_string_equal(out, "(none)");
}

static void test_rfc3339(void **state)
{
    (void)state;
    time_t t;
    assert_int_equal(clock_parse_rfc3339("2025-09-29T00:00:00Z", &t), 0);
    assert_int_equal((long long)t, 1759104000LL);
    char out[32];
    clock_format_rfc3339(t, out, sizeof out);
    assert_string_equal(out, "2025-09-29T00:00:00Z");
    assert_int_equal(clock_parse_rfc3339("2025-09-29T02:00:00.123+02:00", &t), 0);
    assert_int_equal((long long)t, 1759104000LL);
    assert_int_equal(clock_parse_rfc3339("1970-01-01T00:00:00Z", &t), 0);
    assert_int_equal((long long)t, 0);
    assert_int_equal(clock_parse_rfc3339("2024-02-29T12:00:00Z", &t), 0); /* leap day */
    static const char *const bad[] = {"", "2025-09-29", "2025-13-01T00:00:00Z",
                                      "2025-09-29T00:00:00", "2025-09-29T00:00:00Zjunk",
                                      "2025-09-29T25:00:00Z", "x025-09-29T00:00:00Z"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++)
        assert_int_equal(clock_parse_rfc3339(bad[i], &t), -1);
    assert_int_equal(clock_parse_rfc3339(NULL, &t), -1);
}

static void test_monotonic_clock_moves_forward(void **state)
{
    (void)state;
    int64_t a = clock_monotonic_us();
    int64_t b = clock_monotonic_us();
    assert_true(b >= a);
    assert_true(clock_monotonic_ms() >= a / 1000);
}

static void test_uuid_and_ids(void **state)
{
    (void)state;
    char a[UUID_STR_SIZE], b[UUID_STR_SIZE];
    random_uuid(a);
    random_uuid(b);
    assert_int_equal(strlen(a), 36);
    assert_int_equal(a[8], '-');
    assert_int_equal(a[14], '4'); /* version 4 */
    assert_true(strchr("89ab", a[19]) != NULL);
    assert_string_not_equal(a, b);
    char id[64];
    random_id("msg_", id, sizeof id);
    assert_int_equal(strlen(id), 28);
    assert_int_equal(strncmp(id, "msg_", 4), 0);
    for (int i = 0; i < 1000; i++)
        assert_true(random_below(7) < 7);
    assert_int_equal(random_below(0), 0);
    /* Every base62 character about equally often (a modulo bias would make some twice as
     * frequent): 2000 ids, 48,000 characters, about 774 of each; 25% is over 6 sigma. */
    static const char alphabet[] =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    long counts[62] = {0};
    for (int i = 0; i < 2000; i++) {
        random_id("req_", id, sizeof id);
        assert_int_equal(strlen(id), 28);
        for (int k = 4; k < 28; k++) {
            const char *at = strchr(alphabet, id[k]);
            assert_non_null(at);
            counts[at - alphabet]++;
        }
    }
    for (int c = 0; c < 62; c++) {
        assert_true(counts[c] > 48000 / 62 * 3 / 4);
        assert_true(counts[c] < 48000 / 62 * 5 / 4);
    }
    /* A buffer too small for the whole id holds what fits, terminated. */
    char small[8];
    random_id("req_", small, sizeof small);
    assert_int_equal(strlen(small), 7);
    assert_int_equal(strncmp(small, "req_", 4), 0);
}

static void test_api_error_shapes(void **state)
{
    (void)state;
    api_error e;
    assert_int_equal(api_error_set(&e, 404, NULL, "no route for %s", "/x"), -1);
    assert_string_equal(e.type, "not_found_error");
    char *text = api_error_anthropic_json(&e);
    cJSON *j = cJSON_Parse(text);
    assert_string_equal(cJSON_GetObjectItem(j, "type")->valuestring, "error");
    cJSON *err = cJSON_GetObjectItem(j, "error");
    assert_string_equal(cJSON_GetObjectItem(err, "type")->valuestring, "not_found_error");
    assert_string_equal(cJSON_GetObjectItem(err, "message")->valuestring, "no route for /x");
    cJSON_Delete(j);
    cJSON_free(text);
    text = api_error_openai_json(&e);
    j = cJSON_Parse(text);
    err = cJSON_GetObjectItem(j, "error");
    assert_string_equal(cJSON_GetObjectItem(err, "code")->valuestring, "404");
    assert_string_equal(cJSON_GetObjectItem(err, "message")->valuestring, "no route for /x");
    cJSON_Delete(j);
    cJSON_free(text);
    assert_string_equal(api_error_type_for_status(401), "authentication_error");
    assert_string_equal(api_error_type_for_status(429), "rate_limit_error");
    assert_string_equal(api_error_type_for_status(500), "api_error");
}

static void test_errbuf(void **state)
{
    (void)state;
    char err[8];
    errbuf_set(err, sizeof err, "%s %d", "value", 12345);
    assert_string_equal(err, "value 1"); /* cut, always terminated */
    errbuf_set(NULL, 0, "ignored %d", 1);
}

static void test_platform_pipe_functions(void **state)
{
    (void)state;
    int p[2];
    assert_int_equal(pipe(p), 0);
    assert_int_equal(platform_pending_bytes(p[0]), 0);
    assert_int_equal(write(p[1], "hello", 5), 5);
    assert_int_equal(platform_pending_bytes(p[0]), 5);
    long cap = platform_pipe_capacity(p[1]);
#if KIRO_HAVE_PIPE_SIZE_CONTROL && KIRO_HAVE_PRIVATE_PIPE_REOPEN
    assert_true(cap >= 4096);
    long set = platform_pipe_set_capacity(p[1], 65536);
    assert_true(set == -1 || set >= 65536);
    /* The private non-blocking write end leaves the shared description's flags alone. */
    int before = fcntl(p[1], F_GETFL);
    int priv = platform_open_private_nonblocking_pipe(p[1]);
    assert_true(priv >= 0);
    assert_true(fcntl(priv, F_GETFL) & O_NONBLOCK);
    assert_int_equal(fcntl(p[1], F_GETFL), before);
    close(priv);
#else
    assert_int_equal(cap, -1);
    assert_int_equal(platform_open_private_nonblocking_pipe(p[1]), -1);
#endif
    assert_true(platform_pipe_atomic_bytes() >= 512);
    assert_true(platform_resident_bytes() > 0);
    close(p[0]);
    close(p[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_kbuf_append_and_cap),
        cmocka_unit_test(test_kbuf_printf_long_consume_detach),
        cmocka_unit_test(test_secret_equal),
        cmocka_unit_test(test_secret_mask),
        cmocka_unit_test(test_rfc3339),
        cmocka_unit_test(test_monotonic_clock_moves_forward),
        cmocka_unit_test(test_uuid_and_ids),
        cmocka_unit_test(test_api_error_shapes),
        cmocka_unit_test(test_errbuf),
        cmocka_unit_test(test_platform_pipe_functions),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
