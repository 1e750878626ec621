/* test_peer_cors.c: the guards of the routes a browser can reach: which Host values a keyless
 * route trusts (none that DNS rebinding can produce), which origin each route grants (kiro-go's
 * "*" by default, never on the keyed admin API, listed origins echoed), and the base64 of
 * kiro-go's creds-<base64> keys. Table-driven; no process is started. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <string.h>

#include "config/config.h"
#include "server/cors.h"
#include "server/peer_guard.h"
#include "util/base64.h"

static void test_host_trust(void **state)
{
    (void)state;
    proxy_config cfg;
    config_defaults(&cfg);
    snprintf(cfg.host, sizeof cfg.host, "proxy.lan");
    static const struct {
        const char *host;
        int trusted;
    } cases[] = {
        {NULL, 1},
        {"", 1},
        {"localhost", 1},
        {"LOCALHOST:13000", 1},
        {"app.localhost:80", 1},
        {"127.0.0.1", 1},
        {"127.0.0.1:13000", 1},
        {"10.1.2.3:8080", 1},
        {"[::1]:13000", 1},
        {"[::1]", 1},
        {"proxy.lan:13000", 1},
        {"PROXY.LAN", 1},
        {"evil.example", 0},
        {"localhost.evil.example", 0},
        {"127.0.0.1.nip.io", 0},
        {"proxy.lan.evil.example", 0},
        {"[::1", 0},
        {"[not-an-ip]:80", 0},
        {"1.2.3", 0},
        {":13000", 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        if (peer_host_trusted(&cfg, cases[i].host) != cases[i].trusted)
            fail_msg("Host %s: trusted %d, expected %d", cases[i].host ? cases[i].host : "(none)",
                     !cases[i].trusted, cases[i].trusted);
    }
    config_free(&cfg);
}

static void test_cors_grants(void **state)
{
    (void)state;
    proxy_config cfg;
    config_defaults(&cfg);
    static const struct {
        const char *origins; /* corsOrigins, NULL = unset */
        const char *path;
        const char *origin;
        const char *granted; /* NULL = no grant */
    } cases[] = {
        {NULL, "/v1/models", "https://any.example", "*"},
        {NULL, "/v1/messages", NULL, "*"},
        {NULL, "/api/admin/reload-credentials", "tauri://localhost", "*"},
        {NULL, "/api/admin/user-credentials", "https://any.example", NULL},
        {NULL, "/api/admin/credentials", NULL, NULL},
        {"*", "/api/admin/credentials", "https://any.example", NULL},
        {"tauri://localhost,http://ui.lan:8080", "/v1/models", "http://ui.lan:8080",
         "http://ui.lan:8080"},
        {"tauri://localhost,http://ui.lan:8080", "/v1/models", "https://evil.example", NULL},
        {"tauri://localhost,http://ui.lan:8080", "/api/admin/credentials", "tauri://localhost",
         "tauri://localhost"},
        {"tauri://localhost", "/v1/models", NULL, NULL},
        {"tauri://localhost,*", "/v1/models", "https://x.example", "*"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cfg.cors_origins = (char *)cases[i].origins;
        const char *got = cors_allowed_origin(&cfg, cases[i].path, cases[i].origin);
        int same =
            got && cases[i].granted ? strcmp(got, cases[i].granted) == 0 : got == cases[i].granted;
        if (!same)
            fail_msg("corsOrigins %s, %s from %s: granted %s, expected %s",
                     cases[i].origins ? cases[i].origins : "(unset)", cases[i].path,
                     cases[i].origin ? cases[i].origin : "(none)", got ? got : "(nothing)",
                     cases[i].granted ? cases[i].granted : "(nothing)");
    }
    cfg.cors_origins = NULL;
    config_free(&cfg);
}

static void test_base64(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        const char *decoded; /* NULL: refused */
    } cases[] = {
        {"", ""},        {"e30=", "{}"},  {"e30", "{}"},         {"eyJhIjoiYiJ9", "{\"a\":\"b\"}"},
        {"Pz8_", "???"}, {"Pz8/", "???"}, {"Pz8-Pg==", "?\?>>"}, {"e30*", NULL},
        {"e", NULL},     {"e3 0", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[64];
        long n = base64_decode(cases[i].text, strlen(cases[i].text), out, sizeof out);
        if (!cases[i].decoded) {
            if (n != -1)
                fail_msg("%s decoded to %ld bytes, expected a refusal", cases[i].text, n);
            continue;
        }
        if (n < 0 || strcmp(out, cases[i].decoded) != 0)
            fail_msg("%s: %ld '%s', expected '%s'", cases[i].text, n, n < 0 ? "" : out,
                     cases[i].decoded);
    }
    /* Output bound: never past out_size - 1 bytes. */
    char small[3];
    assert_int_equal(base64_decode("eyJhIjoiYiJ9", 12, small, sizeof small), -1);
    assert_int_equal(base64_decode("e30=", 4, small, sizeof small), 2);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_host_trust),
        cmocka_unit_test(test_cors_grants),
        cmocka_unit_test(test_base64),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
