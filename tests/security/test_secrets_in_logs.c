/* test_secrets_in_logs.c: no secret ever reaches the proxy's log or an admin response.
 *
 * A proxy at --log-level debug runs a full session against fake-kiro: an API key, an admin key,
 * a social credential whose access token fake-kiro calls expired (so a request fails over and
 * the token is refreshed), an IdC credential with a clientSecret that is already expired (so
 * the background refresher refreshes it through fake-kiro's OIDC endpoint), and a credential
 * whose refresh token fake-kiro rejects. Every route is exercised with keys in x-api-key,
 * Authorization: Bearer and x-admin-key, right and wrong, including admin add/get/delete with
 * credentials, the pool view and forced refreshes (fake-kiro then issues new tokens
 * fake-access-N / fake-refresh-N). Afterwards the complete log (stdout and stderr) and every
 * response body are searched for each configured secret and each token found in the
 * credentials and user-store files: whole, and any 16-character piece. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "check.h"
#include "sec_util.h"
#include "stack.h"
#include "util/clock.h"

#define TIMEOUT_MS 20000
#define PROFILE_ARN "arn:aws:codewhisperer:us-east-1:000000000000:profile/TEST"

static test_stack stack;
static char social_access[48], social_refresh[48], idc_access[48], idc_refresh[48];
static char idc_secret[48], dead_access[48], dead_refresh[48];
static char user_access[48], user_refresh[48], user_secret[48];
static char users_path[300];
static sec_list secrets;   /* configured secrets, then tokens seen in files */
static char *responses;    /* every response body of the session, concatenated */
static size_t responses_len;
static char *admin_responses;
static size_t admin_responses_len;

static void keep(char **buf, size_t *len, const char *body, size_t n)
{
    char *grown = realloc(*buf, *len + n + 2);
    if (!grown)
        return;
    memcpy(grown + *len, body, n);
    *len += n;
    grown[(*len)++] = '\n';
    grown[*len] = '\0';
    *buf = grown;
}

/* One request; the body is kept for the final search; returns the status. */
static long call(const char *method, const char *path, const char *body, const char *key_header)
{
    /* key_header NULL ends the list early: no key at all. */
    const char *const headers[] = {"Content-Type: application/json",
                                   "anthropic-version: 2023-06-01", key_header, NULL};
    tp_response r;
    int rc = stack_request_h(&stack, method, path, body, headers, TIMEOUT_MS, &r);
    long status = rc == 0 ? r.status : -1;
    keep(&responses, &responses_len, r.body, r.body_len);
    if (strncmp(path, "/api/admin/", 11) == 0)
        keep(&admin_responses, &admin_responses_len, r.body, r.body_len);
    tp_response_free(&r);
    return status;
}

static int group_setup(void **state)
{
    (void)state;
    sec_random_secret(social_access, sizeof social_access, "sec-social-access-");
    sec_random_secret(social_refresh, sizeof social_refresh, "sec-social-refresh-");
    sec_random_secret(idc_access, sizeof idc_access, "sec-idc-access-");
    sec_random_secret(idc_refresh, sizeof idc_refresh, "sec-idc-refresh-");
    sec_random_secret(idc_secret, sizeof idc_secret, "sec-idc-client-secret-");
    sec_random_secret(dead_access, sizeof dead_access, "sec-dead-access-");
    sec_random_secret(dead_refresh, sizeof dead_refresh, "sec-dead-refresh-");
    sec_random_secret(user_access, sizeof user_access, "sec-user-access-");
    sec_random_secret(user_refresh, sizeof user_refresh, "sec-user-refresh-");
    sec_random_secret(user_secret, sizeof user_secret, "sec-user-client-secret-");
    const char *configured[] = {STACK_API_KEY, STACK_ADMIN_KEY, social_access, social_refresh,
                                idc_access,    idc_refresh,     idc_secret,    dead_access,
                                dead_refresh,  user_access,     user_refresh,  user_secret};
    for (size_t i = 0; i < sizeof configured / sizeof configured[0]; i++)
        sec_list_add(&secrets, configured[i]);

    char creds[2048];
    snprintf(creds, sizeof creds,
             "[{\"id\":1,\"accessToken\":\"%s\",\"refreshToken\":\"%s\",\"expiresAt\":"
             "\"2099-01-01T00:00:00Z\",\"authMethod\":\"social\",\"profileArn\":\"" PROFILE_ARN
             "\"},"
             "{\"id\":2,\"accessToken\":\"%s\",\"refreshToken\":\"%s\",\"expiresAt\":"
             "\"2001-01-01T00:00:00Z\",\"authMethod\":\"idc\",\"clientId\":\"sec-client-id\","
             "\"clientSecret\":\"%s\",\"region\":\"us-east-1\",\"profileArn\":\"" PROFILE_ARN "\"},"
             "{\"id\":3,\"accessToken\":\"%s\",\"refreshToken\":\"%s\",\"expiresAt\":"
             "\"2001-01-01T00:00:00Z\",\"authMethod\":\"social\",\"profileArn\":\"" PROFILE_ARN
             "\"}]",
             social_access, social_refresh, idc_access, idc_refresh, idc_secret, dead_access,
             dead_refresh);
    static char expired_flag[64], dead_flag[64];
    snprintf(expired_flag, sizeof expired_flag, "%s", social_access);
    snprintf(dead_flag, sizeof dead_flag, "%s", dead_refresh);
    const char *fake_args[] = {"--expired-token", expired_flag, "--dead-refresh-token", dead_flag,
                               NULL};
    static const char *const proxy_args[] = {"--log-level", "debug", NULL};
    stack_options o = {.fake_args = fake_args, .proxy_args = proxy_args, .credentials_json = creds};
    if (stack_start(&stack, &o) != 0)
        return -1;
    snprintf(users_path, sizeof users_path, "%s/users.json", stack.dir);
    return 0;
}

static int group_teardown(void **state)
{
    (void)state;
    int rc = stack_stop(&stack);
    sec_list_free(&secrets);
    free(responses);
    free(admin_responses);
    return rc;
}

/* The background refresher has renewed the expired IdC credential: its expiresAt in the pool
 * view lies in the future. Bounded poll. */
static int wait_idc_refreshed(void)
{
    const char *const admin[] = {"x-admin-key: " STACK_ADMIN_KEY, NULL};
    for (int attempt = 0; attempt < 200; attempt++) {
        tp_response r;
        int found = 0;
        if (stack_request_h(&stack, "GET", "/api/admin/credentials", NULL, admin, TIMEOUT_MS,
                            &r) == 0) {
            cJSON *j = cJSON_Parse(r.body);
            const cJSON *c;
            cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(j, "credentials"))
            {
                const cJSON *id = cJSON_GetObjectItemCaseSensitive(c, "id");
                const cJSON *count = cJSON_GetObjectItemCaseSensitive(c, "refreshCount");
                if (cJSON_IsNumber(id) && id->valueint == 2 && cJSON_IsNumber(count) &&
                    count->valueint >= 1)
                    found = 1;
            }
            cJSON_Delete(j);
        }
        tp_response_free(&r);
        if (found)
            return 0;
        sleep_ms(50); /* polling interval of a bounded wait */
    }
    return -1;
}

static const char *const API_X = "x-api-key: " STACK_API_KEY;
static const char *const API_BEARER = "Authorization: Bearer " STACK_API_KEY;
static const char *const ADMIN_X = "x-admin-key: " STACK_ADMIN_KEY;
static const char *const ADMIN_BEARER = "Authorization: Bearer " STACK_ADMIN_KEY;

static void test_client_routes(void **state)
{
    (void)state;
    assert_int_equal(wait_idc_refreshed(), 0);
    static const char msg[] = "{\"model\":\"claude-sonnet-4.5\",\"max_tokens\":32,\"messages\":"
                              "[{\"role\":\"user\",\"content\":\"hello\"}]}";
    static const char msg_stream[] = "{\"model\":\"claude-sonnet-4.5\",\"max_tokens\":32,"
                                     "\"stream\":true,\"messages\":[{\"role\":\"user\","
                                     "\"content\":\"hello\"}]}";
    static const char chat[] = "{\"model\":\"claude-sonnet-4.5\",\"messages\":[{\"role\":"
                               "\"user\",\"content\":\"hello\"}]}";
    static const char chat_stream[] = "{\"model\":\"claude-sonnet-4.5\",\"stream\":true,"
                                      "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    assert_int_equal(call("GET", "/v1/models", NULL, API_X), 200);
    assert_int_equal(call("GET", "/v1/models/claude-sonnet-4.5", NULL, API_BEARER), 200);
    for (int i = 0; i < 3; i++) { /* round robin: every credential gets a turn */
        assert_int_equal(call("POST", "/v1/messages", msg, API_X), 200);
        assert_int_equal(call("POST", "/v1/messages", msg_stream, API_BEARER), 200);
        assert_int_equal(call("POST", "/v1/chat/completions", chat, API_X), 200);
        assert_int_equal(call("POST", "/v1/chat/completions", chat_stream, API_BEARER), 200);
    }
    assert_int_equal(call("POST", "/v1/messages/count_tokens", msg, API_X), 200);
    assert_int_equal(call("POST", "/api/event_logging/batch", "{\"events\":[]}", NULL), 200);
    assert_int_equal(call("GET", "/health", NULL, NULL), 200);
    assert_int_equal(call("GET", "/metrics", NULL, NULL), 200);
    /* Wrong keys close to the right ones: refused, and never logged in full either. */
    char wrong[128];
    snprintf(wrong, sizeof wrong, "x-api-key: %.*sX", (int)strlen(STACK_API_KEY) - 1,
             STACK_API_KEY);
    assert_int_equal(call("GET", "/v1/models", NULL, wrong), 401);
    assert_int_equal(call("GET", "/v1/models", NULL, ADMIN_BEARER), 401);
    assert_int_equal(call("GET", "/v1/models", NULL, "Authorization: Bearer " STACK_API_KEY "x"),
                     401);
}

static void test_admin_routes(void **state)
{
    (void)state;
    char add[1024];
    snprintf(add, sizeof add,
             "{\"activation_code\":\"sec-code-1\",\"user_name\":\"alice\",\"credentials\":{"
             "\"accessToken\":\"%s\",\"refreshToken\":\"%s\",\"authMethod\":\"idc\","
             "\"clientId\":\"sec-user-client\",\"clientSecret\":\"%s\",\"expiresAt\":"
             "\"2099-01-01T00:00:00Z\"}}",
             user_access, user_refresh, user_secret);
    assert_int_equal(call("GET", "/api/admin/user-credentials", NULL, ADMIN_X), 200);
    assert_int_equal(call("POST", "/api/admin/user-credentials", add, ADMIN_BEARER), 200);
    assert_int_equal(call("GET", "/api/admin/user-credentials", NULL, ADMIN_BEARER), 200);
    assert_int_equal(call("GET", "/api/admin/user-credentials/sec-code-1", NULL, ADMIN_X), 200);
    assert_int_equal(call("GET", "/api/admin/user-credentials/stats", NULL, ADMIN_X), 200);
    assert_int_equal(call("GET", "/api/admin/credentials", NULL, ADMIN_X), 200);
    assert_int_equal(call("POST", "/api/admin/credentials/1/refresh", NULL, ADMIN_X), 200);
    assert_int_equal(call("POST", "/api/admin/credentials/2/refresh", NULL, ADMIN_BEARER), 200);
    assert_int_equal(call("POST", "/api/admin/credentials/3/refresh", NULL, ADMIN_X), 502);
    assert_int_equal(call("GET", "/api/admin/credentials", NULL, ADMIN_BEARER), 200);
    /* The user store now holds the tokens; read them before they are deleted. */
    char *users = sec_read_file(users_path, NULL);
    assert_non_null(users);
    assert_true(sec_list_add_tokens_from_json(&secrets, users) >= 3);
    free(users);
    assert_int_equal(call("POST", "/api/admin/reload-credentials", NULL, ADMIN_X), 200);
    assert_int_equal(call("DELETE", "/api/admin/user-credentials/sec-code-1", NULL, ADMIN_X), 200);
    char wrong[128];
    snprintf(wrong, sizeof wrong, "x-admin-key: %.*sX", (int)strlen(STACK_ADMIN_KEY) - 1,
             STACK_ADMIN_KEY);
    assert_int_equal(call("GET", "/api/admin/credentials", NULL, wrong), 401);
    assert_int_equal(call("GET", "/api/admin/credentials", NULL, API_X), 401);
    /* After the refreshes the credentials file holds the tokens fake-kiro issued. */
    char *file = sec_read_file(stack.credentials_path, NULL);
    assert_non_null(file);
    int tokens = sec_list_add_tokens_from_json(&secrets, file);
    printf("  credentials file after the refreshes: %d tokens\n", tokens);
    assert_non_null(strstr(file, "fake-access-"));
    /* Control: the search does find secrets where they are. */
    char found[256];
    assert_true(sec_list_find(&secrets, file, strlen(file), found, sizeof found) >= 0);
    char piece[64];
    snprintf(piece, sizeof piece, "xx%.16syy", idc_secret + 5);
    assert_true(sec_list_find(&secrets, piece, strlen(piece), found, sizeof found) >= 0);
    free(file);
}

/* Searches text for every secret; prints and fails on the first hit. */
static void assert_clean(const char *what, const char *text, size_t len)
{
    char found[256];
    long i = sec_list_find(&secrets, text, len, found, sizeof found);
    if (i >= 0)
        fail_msg("%s contains the secret %s", what, found);
    const char *issued[] = {"fake-access-", "fake-refresh-"};
    for (size_t k = 0; k < 2; k++)
        if (text && memmem(text, len, issued[k], strlen(issued[k])))
            fail_msg("%s contains a token issued by fake-kiro (%s...)", what, issued[k]);
}

static void test_admin_responses_hide_tokens(void **state)
{
    (void)state;
    assert_non_null(admin_responses);
    printf("  admin responses: %zu bytes, %zu secrets searched\n", admin_responses_len,
           secrets.count);
    assert_clean("an admin response", admin_responses, admin_responses_len);
    assert_clean("a response", responses, responses_len);
}

static void test_log_holds_no_secret(void **state)
{
    (void)state;
    /* Stop the proxy first so that everything it logged is in the file. */
    int code = -1;
    kill(stack.proxy_pid, SIGTERM);
    assert_int_equal(hc_wait_exited(stack.proxy_pid, 30000, &code), 0);
    assert_int_equal(code, 0);
    size_t len = 0;
    char *log = sec_read_file(stack.proxy_log_path, &len);
    assert_non_null(log);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += log[i] == '\n';
    printf("  proxy log: %zu bytes, %zu lines, %zu secrets searched (whole and every %d-char "
           "piece)\n",
           len, lines, secrets.count, SEC_PIECE_LEN);
    /* The session did go through the paths that handle secrets. */
    assert_non_null(strstr(log, "[AUTH] admin"));
    assert_non_null(strstr(log, "token refresh: credential 2 refreshed"));
    assert_non_null(strstr(log, "[RAW_KIRO_REQUEST]"));
    assert_clean("the proxy log", log, len);
    free(log);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_client_routes),
        cmocka_unit_test(test_admin_routes),
        cmocka_unit_test(test_admin_responses_hide_tokens),
        cmocka_unit_test(test_log_holds_no_secret),
    };
    return cmocka_run_group_tests_name("secrets_in_logs", tests, group_setup, group_teardown);
}
