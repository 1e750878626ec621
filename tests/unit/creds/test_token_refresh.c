/* test_token_refresh.c: refresh URLs and bodies per auth method, response parsing, and real
 * refresh calls against a local libmicrohttpd token service: success, 401 / invalid_grant,
 * server errors, oversized answers, refused connections, a hanging service (bounded by the
 * timeout), and the background refresher (refreshes what is due, persists it, leaves the rest
 * alone, handles dead refresh tokens, stops promptly). Logs must never hold a whole token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "capture_log.h"
#include "creds/credentials.h"
#include "creds/token_refresh.h"
#include "test_dir.h"
#include "token_server.h"
#include "util/clock.h"

typedef struct fixture {
    char dir[TEST_PATH_MAX];
    char path[TEST_PATH_MAX];
    token_server *server;
    cred_pool *pool;
    refresh_config cfg;
    char err[256];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || test_dir_make(f->dir, sizeof f->dir) != 0)
        return -1;
    test_dir_join(f->dir, "credentials.json", f->path, sizeof f->path);
    f->server = token_server_start();
    f->pool = cred_pool_new(f->path);
    if (!f->server || !f->pool)
        return -1;
    f->cfg.auth_url = token_server_url(f->server);
    f->cfg.timeout_ms = 5000;
    f->cfg.connect_timeout_ms = 2000;
    f->cfg.margin_s = 300;
    f->cfg.period_ms = 60000;
    capture_log_reset();
    *state = f;
    return 0;
}

static int teardown(void **state)
{
    fixture *f = *state;
    token_server_stop(f->server);
    cred_pool_free(f->pool);
    test_dir_remove(f->dir);
    free(f);
    return 0;
}

static void load_pool(fixture *f, const char *json)
{
    char err[256];
    if (cred_pool_load_json(f->pool, json, strlen(json), err, sizeof err) < 0)
        fail_msg("credentials did not load: %s", err);
}

static credential social_credential(const char *refresh_token)
{
    credential c;
    memset(&c, 0, sizeof c);
    c.id = 1;
    c.method = AUTH_SOCIAL;
    c.refresh_token = strdup(refresh_token);
    snprintf(c.auth_region, sizeof c.auth_region, "eu-west-1");
    return c;
}

static credential idc_credential(void)
{
    credential c = social_credential("idc-refresh-token-0001");
    c.method = AUTH_IDC;
    c.client_id = strdup("client-id-0001");
    c.client_secret = strdup("client-secret-0001");
    snprintf(c.auth_region, sizeof c.auth_region, "us-west-2");
    return c;
}

/* ---- URL, body, parse ---- */

static void test_url_per_method(void **state)
{
    (void)state;
    char url[256];
    credential social = social_credential("r-social-000000");
    credential idc = idc_credential();
    refresh_config real = {0};
    token_refresh_url(&real, &social, url, sizeof url);
    assert_string_equal(url, "https://prod.eu-west-1.auth.desktop.kiro.dev/refreshToken");
    token_refresh_url(NULL, &idc, url, sizeof url);
    assert_string_equal(url, "https://oidc.us-west-2.amazonaws.com/token");
    refresh_config local = {.auth_url = "http://127.0.0.1:9999/"};
    token_refresh_url(&local, &social, url, sizeof url);
    assert_string_equal(url, "http://127.0.0.1:9999/refreshToken");
    token_refresh_url(&local, &idc, url, sizeof url);
    assert_string_equal(url, "http://127.0.0.1:9999/token");
    social.auth_region[0] = '\0';
    token_refresh_url(&real, &social, url, sizeof url);
    assert_string_equal(url, "https://prod.us-east-1.auth.desktop.kiro.dev/refreshToken");
    credential_clear(&social);
    credential_clear(&idc);
}

static void test_body_per_method(void **state)
{
    (void)state;
    credential social = social_credential("r-social-000000");
    char *text = token_refresh_body(&social);
    cJSON *body = cJSON_Parse(text);
    assert_int_equal(cJSON_GetArraySize(body), 1);
    assert_string_equal(cJSON_GetObjectItem(body, "refreshToken")->valuestring, "r-social-000000");
    cJSON_Delete(body);
    free(text);

    credential idc = idc_credential();
    text = token_refresh_body(&idc);
    body = cJSON_Parse(text);
    assert_int_equal(cJSON_GetArraySize(body), 4);
    assert_string_equal(cJSON_GetObjectItem(body, "clientId")->valuestring, "client-id-0001");
    assert_string_equal(cJSON_GetObjectItem(body, "clientSecret")->valuestring,
                        "client-secret-0001");
    assert_string_equal(cJSON_GetObjectItem(body, "refreshToken")->valuestring,
                        "idc-refresh-token-0001");
    assert_string_equal(cJSON_GetObjectItem(body, "grantType")->valuestring, "refresh_token");
    cJSON_Delete(body);
    free(text);

    /* IdC cannot refresh without its client secret; nobody can without a refresh token. */
    free(idc.client_secret);
    idc.client_secret = NULL;
    assert_null(token_refresh_body(&idc));
    free(social.refresh_token);
    social.refresh_token = NULL;
    assert_null(token_refresh_body(&social));
    credential_clear(&social);
    credential_clear(&idc);
}

static void test_parse_good_responses(void **state)
{
    (void)state;
    refresh_result r;
    memset(&r, 0, sizeof r);
    const char *full = "{\"accessToken\":\"new-access\",\"refreshToken\":\"new-refresh\","
                       "\"profileArn\":\"arn:aws:x\",\"expiresIn\":3600}";
    assert_int_equal(token_refresh_parse(full, strlen(full), &r), 0);
    assert_string_equal(r.access_token, "new-access");
    assert_string_equal(r.refresh_token, "new-refresh");
    assert_string_equal(r.profile_arn, "arn:aws:x");
    assert_int_equal(r.expires_in, 3600);
    refresh_result_clear(&r);

    const char *minimal = "{\"accessToken\":\"only-access\"}";
    assert_int_equal(token_refresh_parse(minimal, strlen(minimal), &r), 0);
    assert_string_equal(r.access_token, "only-access");
    assert_null(r.refresh_token);
    assert_null(r.profile_arn);
    assert_int_equal(r.expires_in, -1);
    refresh_result_clear(&r);

    const char *snake = "{\"access_token\":\"snake-access\",\"expires_in\":900}";
    assert_int_equal(token_refresh_parse(snake, strlen(snake), &r), 0);
    assert_string_equal(r.access_token, "snake-access");
    assert_int_equal(r.expires_in, 900);
    refresh_result_clear(&r);
}

static void test_parse_bad_responses(void **state)
{
    (void)state;
    const char *bad[] = {
        "not json",
        "[1,2]",
        "{}",
        "{\"accessToken\":42}",
        "{\"accessToken\":\"\"}",
        "{\"accessToken\":\"has\\nnewline\"}",
        "{\"accessToken\":\"ok\",\"refreshToken\":5}",
        "{\"accessToken\":\"ok\",\"profileArn\":[]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        refresh_result r;
        memset(&r, 0, sizeof r);
        if (token_refresh_parse(bad[i], strlen(bad[i]), &r) != -1)
            fail_msg("accepted %s", bad[i]);
        assert_null(r.access_token);
        assert_true(r.error[0] != '\0');
        refresh_result_clear(&r);
    }
    refresh_result r;
    memset(&r, 0, sizeof r);
    assert_int_equal(token_refresh_parse("", 0, &r), -1);
    size_t big_len = REFRESH_RESPONSE_MAX + 1;
    char *big = malloc(big_len + 1);
    memset(big, ' ', big_len);
    memcpy(big, "{\"accessToken\":\"x\"}", 19);
    big[big_len] = '\0';
    assert_int_equal(token_refresh_parse(big, big_len, &r), -1);
    assert_non_null(strstr(r.error, "larger"));
    free(big);
}

/* ---- one refresh against the local service ---- */

static void test_once_social_success(void **state)
{
    fixture *f = *state;
    token_server_reply(f->server, 200,
                       "{\"accessToken\":\"served-access-token-1\",\"expiresIn\":1800,"
                       "\"profileArn\":\"arn:aws:codewhisperer:profile/P\"}");
    credential c = social_credential("social-refresh-token-1");
    refresh_result r;
    assert_int_equal(token_refresh_once(&f->cfg, &c, &r), 0);
    assert_int_equal(r.http_status, 200);
    assert_string_equal(r.access_token, "served-access-token-1");
    assert_string_equal(r.profile_arn, "arn:aws:codewhisperer:profile/P");
    assert_int_equal(r.expires_in, 1800);
    refresh_result_clear(&r);

    char *path = token_server_last_path(f->server);
    assert_string_equal(path, "/refreshToken");
    free(path);
    char *body = token_server_last_body(f->server);
    cJSON *json = cJSON_Parse(body);
    assert_string_equal(cJSON_GetObjectItem(json, "refreshToken")->valuestring,
                        "social-refresh-token-1");
    cJSON_Delete(json);
    free(body);
    credential_clear(&c);
}

static void test_once_idc_success(void **state)
{
    fixture *f = *state;
    token_server_reply(f->server, 200,
                       "{\"accessToken\":\"idc-access-2\",\"refreshToken\":\"idc-refresh-2\","
                       "\"expiresIn\":3600}");
    credential c = idc_credential();
    refresh_result r;
    assert_int_equal(token_refresh_once(&f->cfg, &c, &r), 0);
    assert_string_equal(r.refresh_token, "idc-refresh-2");
    refresh_result_clear(&r);
    char *path = token_server_last_path(f->server);
    assert_string_equal(path, "/token");
    free(path);
    char *body = token_server_last_body(f->server);
    cJSON *json = cJSON_Parse(body);
    assert_string_equal(cJSON_GetObjectItem(json, "grantType")->valuestring, "refresh_token");
    assert_string_equal(cJSON_GetObjectItem(json, "clientId")->valuestring, "client-id-0001");
    cJSON_Delete(json);
    free(body);
    credential_clear(&c);
}

static void test_once_error_statuses(void **state)
{
    fixture *f = *state;
    static const struct {
        int status;
        const char *body;
        int dead;
    } cases[] = {
        {401, "{\"message\":\"Unauthorized\"}", 1},
        {400, "{\"error\":\"invalid_grant\",\"error_description\":\"expired\"}", 1},
        {400, "{\"error\":\"invalid_request\"}", 0},
        {500, "oops", 0},
        {403, "{}", 0},
        {200, "{\"unexpected\":true}", 0},
    };
    credential c = social_credential("social-refresh-token-3");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        token_server_reply(f->server, cases[i].status, cases[i].body);
        refresh_result r;
        assert_int_equal(token_refresh_once(&f->cfg, &c, &r), -1);
        assert_int_equal(r.http_status, cases[i].status);
        if (token_refresh_is_dead(&r) != cases[i].dead)
            fail_msg("status %d body %s: dead=%d, error '%s'", cases[i].status, cases[i].body,
                     token_refresh_is_dead(&r), r.error);
        assert_null(r.access_token);
        refresh_result_clear(&r);
    }
    credential_clear(&c);
}

static void test_once_hang_is_bounded(void **state)
{
    fixture *f = *state;
    token_server_hang(f->server);
    f->cfg.timeout_ms = 500;
    f->cfg.connect_timeout_ms = 500;
    credential c = social_credential("social-refresh-token-4");
    refresh_result r;
    int64_t start = clock_monotonic_ms();
    assert_int_equal(token_refresh_once(&f->cfg, &c, &r), -1);
    int64_t elapsed = clock_monotonic_ms() - start;
    assert_true(elapsed < 10000);
    assert_non_null(strstr(r.error, "request failed"));
    assert_int_equal(token_server_request_count(f->server), 1);
    refresh_result_clear(&r);
    credential_clear(&c);
}

static void test_once_oversized_response(void **state)
{
    fixture *f = *state;
    size_t len = 100 * 1024;
    char *big = malloc(len + 1);
    memset(big, 'x', len);
    memcpy(big, "{\"accessToken\":\"", 16);
    memcpy(big + len - 2, "\"}", 2);
    big[len] = '\0';
    token_server_reply(f->server, 200, big);
    free(big);
    credential c = social_credential("social-refresh-token-5");
    refresh_result r;
    assert_int_equal(token_refresh_once(&f->cfg, &c, &r), -1);
    assert_non_null(strstr(r.error, "larger"));
    refresh_result_clear(&r);
    credential_clear(&c);
}

static void test_once_connection_refused(void **state)
{
    fixture *f = *state;
    /* A port that was just in use and is now closed. */
    token_server *gone = token_server_start();
    assert_non_null(gone);
    char url[64];
    snprintf(url, sizeof url, "%s", token_server_url(gone));
    token_server_stop(gone);
    f->cfg.auth_url = url;
    credential c = social_credential("social-refresh-token-6");
    refresh_result r;
    assert_int_equal(token_refresh_once(&f->cfg, &c, &r), -1);
    assert_int_equal(r.http_status, 0);
    assert_int_equal(token_refresh_is_dead(&r), 0);
    refresh_result_clear(&r);
    credential_clear(&c);
}

/* ---- refresh into the pool ---- */

static void test_refresh_credential_stores_saves_and_masks(void **state)
{
    fixture *f = *state;
    load_pool(f, "[{\"id\":1,\"accessToken\":\"old-access-token-0001\","
                 "\"refreshToken\":\"pool-refresh-token-0001\",\"expiresAt\":1000}]");
    token_server_reply(f->server, 200,
                       "{\"accessToken\":\"brand-new-access-token-0001\","
                       "\"refreshToken\":\"brand-new-refresh-token-0001\",\"expiresIn\":3600}");
    time_t before = time(NULL);
    assert_int_equal(token_refresh_credential(&f->cfg, f->pool, 1, f->err, sizeof f->err), 0);
    credential c;
    assert_int_equal(cred_pool_copy(f->pool, 1, &c), 0);
    assert_string_equal(c.access_token, "brand-new-access-token-0001");
    assert_string_equal(c.refresh_token, "brand-new-refresh-token-0001");
    assert_true(c.expires_at >= before + 3600 && c.expires_at <= time(NULL) + 3600);
    credential_clear(&c);

    char *file = test_read_text(f->path);
    assert_non_null(file);
    assert_non_null(strstr(file, "brand-new-access-token-0001"));
    assert_non_null(strstr(file, "brand-new-refresh-token-0001"));
    free(file);

    assert_true(capture_log_contains("credential 1 refreshed"));
    assert_false(capture_log_contains("brand-new-access-token-0001"));
    assert_false(capture_log_contains("brand-new-refresh-token-0001"));
    assert_false(capture_log_contains("pool-refresh-token-0001"));

    assert_int_equal(token_refresh_credential(&f->cfg, f->pool, 99, f->err, sizeof f->err), -1);
}

static void test_refresh_credential_dead_token(void **state)
{
    fixture *f = *state;
    time_t now = time(NULL);
    char json[512];
    snprintf(json, sizeof json,
             "[{\"id\":1,\"accessToken\":\"expired-access-0001\",\"refreshToken\":\"dead-refresh-"
             "0001\",\"expiresAt\":%lld},"
             "{\"id\":2,\"accessToken\":\"valid-access-00002\",\"refreshToken\":\"dead-refresh-"
             "0002\",\"expiresAt\":%lld}]",
             (long long)now - 60, (long long)now + 120);
    load_pool(f, json);
    token_server_reply(f->server, 401, "{\"message\":\"refresh token expired\"}");
    assert_int_equal(token_refresh_credential(&f->cfg, f->pool, 1, f->err, sizeof f->err), -1);
    assert_non_null(strstr(f->err, "401"));
    assert_int_equal(token_refresh_credential(&f->cfg, f->pool, 2, f->err, sizeof f->err), -1);
    credential c;
    assert_int_equal(cred_pool_copy(f->pool, 1, &c), 0);
    assert_int_equal(c.disabled, 1);
    assert_string_equal(c.disabled_reason, "refresh token rejected");
    credential_clear(&c);
    /* Still-valid access token: keeps serving. */
    assert_int_equal(cred_pool_copy(f->pool, 2, &c), 0);
    assert_int_equal(c.disabled, 0);
    credential_clear(&c);
    cred_snapshot snap;
    assert_int_equal(cred_pool_acquire(f->pool, NULL, 0, now, &snap), 0);
    assert_int_equal(snap.id, 2);
    assert_true(capture_log_contains("refresh token rejected"));
    assert_false(capture_log_contains("dead-refresh-0001"));
}

/* ---- background refresher ---- */

static void test_background_refreshes_only_due_and_persists(void **state)
{
    fixture *f = *state;
    time_t now = time(NULL);
    char json[512];
    snprintf(json, sizeof json,
             "[{\"id\":1,\"accessToken\":\"soon-access-0001\",\"refreshToken\":\"refresh-A-soon-"
             "0001\",\"expiresAt\":%lld},"
             "{\"id\":2,\"accessToken\":\"far-access-00002\",\"refreshToken\":\"refresh-B-far-"
             "00002\",\"expiresAt\":%lld}]",
             (long long)now + 60, (long long)now + 86400);
    load_pool(f, json);
    token_server_reply(f->server, 200,
                       "{\"accessToken\":\"background-access-0001\",\"expiresIn\":3600}");

    token_refresher *r = token_refresher_start(&f->cfg, f->pool);
    assert_non_null(r);
    assert_int_equal(token_refresher_wait_rounds(r, 1, 10000), 0);
    assert_int_equal(token_server_request_count(f->server), 1);
    assert_true(token_server_saw(f->server, "refresh-A-soon-0001"));
    assert_false(token_server_saw(f->server, "refresh-B-far-00002"));

    credential c;
    assert_int_equal(cred_pool_copy(f->pool, 1, &c), 0);
    assert_string_equal(c.access_token, "background-access-0001");
    assert_string_equal(c.refresh_token, "refresh-A-soon-0001");
    credential_clear(&c);
    assert_int_equal(cred_pool_copy(f->pool, 2, &c), 0);
    assert_string_equal(c.access_token, "far-access-00002");
    credential_clear(&c);
    char *file = test_read_text(f->path);
    assert_non_null(file);
    assert_non_null(strstr(file, "background-access-0001"));
    assert_non_null(strstr(file, "far-access-00002"));
    free(file);

    long refreshes = -1, failures = -1;
    token_refresher_counts(r, &refreshes, &failures);
    assert_int_equal(refreshes, 1);
    assert_int_equal(failures, 0);

    /* Another round (poked): nothing is due any more, nothing is called. */
    long rounds = token_refresher_round_count(r);
    token_refresher_poke(r);
    assert_int_equal(token_refresher_wait_rounds(r, rounds + 1, 10000), 0);
    assert_int_equal(token_server_request_count(f->server), 1);
    token_refresher_stop(r);

    assert_false(capture_log_contains("background-access-0001"));
    assert_false(capture_log_contains("refresh-A-soon-0001"));
}

static void test_background_refresh_after_upstream_401(void **state)
{
    fixture *f = *state;
    time_t now = time(NULL);
    char json[512];
    snprintf(json, sizeof json,
             "[{\"id\":1,\"accessToken\":\"rejected-access-01\",\"refreshToken\":\"refresh-flagged-"
             "01\",\"expiresAt\":%lld}]",
             (long long)now + 86400);
    load_pool(f, json);
    token_server_reply(f->server, 200,
                       "{\"accessToken\":\"replacement-access-01\",\"expiresIn\":3600}");
    token_refresher *r = token_refresher_start(&f->cfg, f->pool);
    assert_int_equal(token_refresher_wait_rounds(r, 1, 10000), 0);
    assert_int_equal(token_server_request_count(f->server), 0); /* far from expiry */
    /* The upstream refuses the token: the request path flags it and pokes the refresher. */
    cred_pool_report(f->pool, 1, CRED_OUTCOME_AUTH_FAILED, "HTTP 403");
    long rounds = token_refresher_round_count(r);
    token_refresher_poke(r);
    assert_int_equal(token_refresher_wait_rounds(r, rounds + 1, 10000), 0);
    assert_int_equal(token_server_request_count(f->server), 1);
    token_refresher_stop(r);
    cred_snapshot snap;
    assert_int_equal(cred_pool_acquire(f->pool, NULL, 0, now, &snap), 0);
    assert_string_equal(snap.access_token, "replacement-access-01");
}

static void test_background_dead_tokens(void **state)
{
    fixture *f = *state;
    time_t now = time(NULL);
    char json[512];
    snprintf(json, sizeof json,
             "[{\"id\":1,\"accessToken\":\"expired-access-001\",\"refreshToken\":\"dead-A-"
             "00000001\",\"expiresAt\":%lld},"
             "{\"id\":2,\"accessToken\":\"valid-access-0002\",\"refreshToken\":\"dead-B-00000002\","
             "\"expiresAt\":%lld}]",
             (long long)now - 5, (long long)now + 100);
    load_pool(f, json);
    token_server_reply(f->server, 400, "{\"error\":\"invalid_grant\"}");
    token_refresher *r = token_refresher_start(&f->cfg, f->pool);
    assert_int_equal(token_refresher_wait_rounds(r, 1, 10000), 0);
    long refreshes = -1, failures = -1;
    token_refresher_counts(r, &refreshes, &failures);
    token_refresher_stop(r);
    assert_int_equal(refreshes, 0);
    assert_int_equal(failures, 2);
    credential c;
    assert_int_equal(cred_pool_copy(f->pool, 1, &c), 0);
    assert_int_equal(c.disabled, 1);
    credential_clear(&c);
    assert_int_equal(cred_pool_copy(f->pool, 2, &c), 0);
    assert_int_equal(c.disabled, 0);
    credential_clear(&c);
    /* Nothing changed that needs saving: no file written. */
    assert_null(test_read_text(f->path));
}

static void test_background_stop_is_bounded_during_a_hang(void **state)
{
    fixture *f = *state;
    load_pool(f, "[{\"id\":1,\"refreshToken\":\"hanging-refresh-0001\"},"
                 "{\"id\":2,\"refreshToken\":\"hanging-refresh-0002\"}]");
    token_server_hang(f->server);
    /* Long enough that the stop request surely arrives during the first call. */
    f->cfg.timeout_ms = 2000;
    f->cfg.connect_timeout_ms = 500;
    token_refresher *r = token_refresher_start(&f->cfg, f->pool);
    assert_non_null(r);
    assert_int_equal(token_server_wait_requests(f->server, 1, 10000), 0);
    int64_t start = clock_monotonic_ms();
    token_refresher_stop(r);
    int64_t elapsed = clock_monotonic_ms() - start;
    assert_true(elapsed < 10000);
    /* The stop request is seen between refreshes: the second credential is never tried. */
    assert_int_equal(token_server_request_count(f->server), 1);
}

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_url_per_method),
        T(test_body_per_method),
        T(test_parse_good_responses),
        T(test_parse_bad_responses),
        T(test_once_social_success),
        T(test_once_idc_success),
        T(test_once_error_statuses),
        T(test_once_hang_is_bounded),
        T(test_once_oversized_response),
        T(test_once_connection_refused),
        T(test_refresh_credential_stores_saves_and_masks),
        T(test_refresh_credential_dead_token),
        T(test_background_refreshes_only_due_and_persists),
        T(test_background_refresh_after_upstream_401),
        T(test_background_dead_tokens),
        T(test_background_stop_is_bounded_during_a_hang),
    };
#undef T
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    curl_global_cleanup();
    return failed;
}
