/* test_admin_auth.c: the admin API answers only to the admin key.
 *
 * Every admin route refuses no key, a key that differs from the admin key only in its last
 * byte, the key without its last byte, the key with one more byte, an empty key and the client
 * API key; the keys are compared with secret_equal (auth.c), which these near misses exercise.
 * Without a configured admin key every admin route answers 403 with how to enable the API. No
 * admin answer, preflight included, carries Access-Control-Allow-Origin: * (or echoes a foreign
 * Origin), so a web page cannot drive the admin API from a browser. The one exception is the
 * desktop launcher's reload-credentials: from a loopback peer it needs no key (it re-reads the
 * operator's files and reveals nothing), but a wrong key presented is still refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "raw_http.h"
#include "stack.h"

#define TIMEOUT_MS 20000
#define EVIL_ORIGIN "https://evil.example"

typedef struct admin_route {
    const char *method;
    const char *path;
    const char *body;
} admin_route;

static const admin_route routes[] = {
    {"GET", "/api/admin/user-credentials", NULL},
    {"POST", "/api/admin/user-credentials", "{}"},
    {"GET", "/api/admin/user-credentials/stats", NULL},
    {"GET", "/api/admin/user-credentials/some-code", NULL},
    {"DELETE", "/api/admin/user-credentials/some-code", NULL},
    {"POST", "/api/admin/reload-credentials", NULL}, /* keyless from loopback (KEYLESS_RELOAD) */
    {"POST", "/api/admin/user-credentials/some-code/set-expiry", "{\"days\":1}"},
    {"POST", "/api/admin/user-credentials/batch-set-expiry",
     "{\"activation_codes\":[\"a\"],\"days\":1}"},
    {"GET", "/api/admin/credentials", NULL},
    {"POST", "/api/admin/credentials/1/refresh", NULL},
};
#define ROUTE_COUNT (sizeof routes / sizeof routes[0])
#define KEYLESS_RELOAD 5 /* routes[KEYLESS_RELOAD]: the launcher's keyless reload */

static test_stack with_key, without_key;

static int group_setup(void **state)
{
    (void)state;
    stack_options a = {.proxy = "kiro-proxy-async"};
    stack_options b = {.proxy = "kiro-proxy-async", .no_admin_key = 1};
    if (stack_start(&with_key, &a) != 0)
        return -1;
    return stack_start(&without_key, &b);
}

static int group_teardown(void **state)
{
    (void)state;
    int a = stack_stop(&with_key);
    int b = stack_stop(&without_key);
    return a || b ? -1 : 0;
}

/* One raw request (headers: CRLF-separated lines, may be ""); fills r. */
static void send_raw(test_stack *s, const char *method, const char *path, const char *headers,
                     const char *body, rh_response *r)
{
    char head[2048];
    size_t body_len = body ? strlen(body) : 0;
    snprintf(head, sizeof head,
             "%s %s HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n%sContent-Length: "
             "%zu\r\n\r\n",
             method, path, headers, body_len);
    rh_request rq = {.head = head, .head_len = strlen(head), .body = body, .body_len = body_len};
    rh_exchange("127.0.0.1", s->proxy_port, &rq, TIMEOUT_MS, r);
}

static void test_near_miss_keys_refused(void **state)
{
    (void)state;
    const char *key = STACK_ADMIN_KEY;
    int n = (int)strlen(key);
    char last_byte[128], prefix[128], longer[128], bearer_last[128];
    snprintf(last_byte, sizeof last_byte, "x-admin-key: %.*s%c\r\n", n - 1, key,
             key[n - 1] == '9' ? '8' : '9');
    snprintf(prefix, sizeof prefix, "x-admin-key: %.*s\r\n", n - 1, key);
    snprintf(longer, sizeof longer, "x-admin-key: %s0\r\n", key);
    snprintf(bearer_last, sizeof bearer_last, "Authorization: Bearer %.*s%c\r\n", n - 1, key,
             key[n - 1] == '9' ? '8' : '9');
    const char *refused[] = {"", last_byte, prefix, longer, bearer_last,
                             "x-admin-key: \r\n", "x-admin-key: " STACK_API_KEY "\r\n",
                             "Authorization: Bearer " STACK_API_KEY "\r\n"};
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        for (size_t k = 0; k < sizeof refused / sizeof refused[0]; k++) {
            rh_response r;
            send_raw(&with_key, routes[i].method, routes[i].path, refused[k], routes[i].body, &r);
            char why[300];
            if (i == KEYLESS_RELOAD && !refused[k][0]) {
                /* No key at all, from loopback: the launcher's call, answered. */
                if (r.status != 200 || !strstr(r.body, "\"success\":true"))
                    fail_msg("keyless loopback reload: status %d, body %.200s", r.status, r.body);
                rh_response_free(&r);
                continue;
            }
            if (r.status != 401 ||
                hc_check_anthropic_error(r.body, "authentication_error", why, sizeof why) != 0)
                fail_msg("%s %s with key header \"%.60s\": status %d, body %.200s",
                         routes[i].method, routes[i].path, refused[k], r.status, r.body);
            rh_response_free(&r);
        }
        /* The right key, in either header, passes the key check. */
        const char *accepted[] = {"x-admin-key: " STACK_ADMIN_KEY "\r\n",
                                  "Authorization: Bearer " STACK_ADMIN_KEY "\r\n"};
        for (size_t k = 0; k < 2; k++) {
            rh_response r;
            send_raw(&with_key, routes[i].method, routes[i].path, accepted[k], routes[i].body,
                     &r);
            if (r.status == 0 || r.status == 401 || r.status == 403)
                fail_msg("%s %s with the admin key: status %d", routes[i].method, routes[i].path,
                         r.status);
            rh_response_free(&r);
        }
    }
}

static void test_disabled_admin_api_403(void **state)
{
    (void)state;
    const char *keys[] = {"", "x-admin-key: " STACK_ADMIN_KEY "\r\n",
                          "Authorization: Bearer anything-at-all\r\n"};
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        for (size_t k = 0; k < sizeof keys / sizeof keys[0]; k++) {
            rh_response r;
            send_raw(&without_key, routes[i].method, routes[i].path, keys[k], routes[i].body, &r);
            char why[300];
            if (i == KEYLESS_RELOAD && !keys[k][0]) {
                assert_int_equal(r.status, 200); /* keyless loopback reload needs no admin key */
                rh_response_free(&r);
                continue;
            }
            if (r.status != 403 ||
                hc_check_anthropic_error(r.body, "permission_error", why, sizeof why) != 0 ||
                !strstr(r.body, "--admin-key"))
                fail_msg("admin API disabled: %s %s answered %d %.200s (expected 403 saying "
                         "how to enable it with --admin-key)",
                         routes[i].method, routes[i].path, r.status, r.body);
            rh_response_free(&r);
        }
    }
}

/* Fails when r allows a foreign origin. */
static void assert_no_cors_grant(const rh_response *r, const char *what)
{
    char v[256];
    if (rh_header(r, "Access-Control-Allow-Origin", v, sizeof v) &&
        (strcmp(v, "*") == 0 || strcmp(v, EVIL_ORIGIN) == 0))
        fail_msg("%s: Access-Control-Allow-Origin: %s", what, v);
    if (rh_header(r, "Access-Control-Allow-Credentials", v, sizeof v))
        fail_msg("%s: Access-Control-Allow-Credentials: %s", what, v);
}

static void test_no_cors_wildcard_on_admin_routes(void **state)
{
    (void)state;
    for (size_t i = 0; i < ROUTE_COUNT; i++) {
        if (i == KEYLESS_RELOAD)
            continue; /* reveals nothing: granted like kiro-go (test_keyless_reload_guards) */
        const char *headers[] = {"Origin: " EVIL_ORIGIN "\r\n",
                                 "Origin: " EVIL_ORIGIN "\r\nx-admin-key: " STACK_ADMIN_KEY "\r\n"};
        for (size_t k = 0; k < 2; k++) {
            rh_response r;
            send_raw(&with_key, routes[i].method, routes[i].path, headers[k], routes[i].body, &r);
            assert_true(r.status > 0);
            char what[160];
            snprintf(what, sizeof what, "%s %s (%s)", routes[i].method, routes[i].path,
                     k ? "with key" : "without key");
            assert_no_cors_grant(&r, what);
            rh_response_free(&r);
        }
        /* The browser's preflight for a cross-origin admin call. */
        char preflight[512];
        snprintf(preflight, sizeof preflight,
                 "Origin: " EVIL_ORIGIN "\r\nAccess-Control-Request-Method: %s\r\n"
                 "Access-Control-Request-Headers: x-admin-key, content-type\r\n",
                 routes[i].method);
        rh_response r;
        send_raw(&with_key, "OPTIONS", routes[i].path, preflight, NULL, &r);
        assert_true(r.status > 0);
        char what[160];
        snprintf(what, sizeof what, "OPTIONS preflight %s (status %d)", routes[i].path, r.status);
        assert_no_cors_grant(&r, what);
        assert_true(r.status >= 400); /* no preflight approval */
        rh_response_free(&r);
    }
}

/* The keyless reload is for the launcher on this machine: a Host that DNS rebinding could
 * produce is refused, and so is a non-loopback peer (the stack listens on loopback only, so
 * that half is covered by the unit test of peer_guard). */
static void test_keyless_reload_guards(void **state)
{
    (void)state;
    static const struct {
        const char *host;
        int status;
    } cases[] = {
        {"127.0.0.1", 200},   {"localhost:13000", 200}, {"[::1]:80", 200},
        {"evil.example", 403}, {"127.0.0.1.evil.example", 403},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char head[512];
        snprintf(head, sizeof head,
                 "POST /api/admin/reload-credentials HTTP/1.1\r\nHost: %s\r\n"
                 "Connection: close\r\nContent-Length: 0\r\n\r\n",
                 cases[i].host);
        rh_request rq = {.head = head, .head_len = strlen(head)};
        rh_response r;
        rh_exchange("127.0.0.1", with_key.proxy_port, &rq, TIMEOUT_MS, &r);
        if (r.status != cases[i].status)
            fail_msg("Host %s: status %d (expected %d), body %.200s", cases[i].host, r.status,
                     cases[i].status, r.body);
        rh_response_free(&r);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_near_miss_keys_refused),
        cmocka_unit_test(test_disabled_admin_api_403),
        cmocka_unit_test(test_no_cors_wildcard_on_admin_routes),
        cmocka_unit_test(test_keyless_reload_guards),
    };
    return cmocka_run_group_tests_name("admin_auth", tests, group_setup, group_teardown);
}
