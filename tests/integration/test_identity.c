/* test_identity.c: the client identity the proxy shows Kiro, end to end through fake-kiro
 * (which refuses an unknown client with 403 AccessDeniedException, as the real service does):
 *   - with the default settings, a credential without machineId: generateAssistantResponse,
 *     ListAvailableModels and the MCP web_search call carry aws-sdk-js/1.0.27 and
 *     KiroIDE-1.6.0-<SHA-256 hex of the refresh token> in both user agents, and fake-kiro
 *     accepted every one (identity_rejected 0), while the same request sent to fake-kiro
 *     without them is refused (the control: the gate is in place in this stack);
 *   - with --kiro-version, --sdk-version, --system-version and --node-version and two expired
 *     credentials: the social refresh carries User-Agent KiroIDE-<kiroVersion>-<machineId>, the
 *     IdC refresh the AWS SDK's sso-oidc agent and "node", and the API call the configured
 *     versions with the credential's own machineId.
 * The expected machine ids were computed outside the code under test (printf %s TOKEN |
 * sha256sum), so a wrong derivation fails here. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "http.h"
#include "stack.h"

#define TIMEOUT_MS 20000
#define POLL_MS 15000

#define SOCIAL_REFRESH_1 "identity-refresh-social-0001"
/* printf %s identity-refresh-social-0001 | sha256sum */
#define SOCIAL_MACHINE_1 "e68648b9ef071fa99c602fec3caefe9e346869680d4482afb76faa3659e5649d"
#define SOCIAL_REFRESH_2 "identity-refresh-social-0002"
/* printf %s identity-refresh-social-0002 | sha256sum */
#define SOCIAL_MACHINE_2 "467efe5e9508c70b96472109ff2d3db5c181a741a6271a2a8fc864c82add830b"
#define IDC_MACHINE "idc-machine-0003"

#define IDC_AMZ_AGENT                                                                              \
    "aws-sdk-js/3.738.0 ua/2.1 os/other lang/js md/browser#unknown_unknown api/sso-oidc#3.738.0 "  \
    "m/E KiroIDE"

static test_stack stack; /* the running stack of the current test; stopped by teardown */
static int stack_running;

static test_stack *start_stack(const stack_options *o)
{
    assert_int_equal(stack_start(&stack, o), 0);
    stack_running = 1;
    return &stack;
}

/* Stops the test's stack whatever happened in the test; fails when the proxy did not exit
 * cleanly. */
static int stop_stack(void **state)
{
    (void)state;
    if (!stack_running)
        return 0;
    stack_running = 0;
    return stack_stop(&stack);
}

static cJSON *fake_json(test_stack *s, const char *path)
{
    tp_response r;
    assert_int_equal(stack_fake_request(s, "GET", path, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    cJSON *j = cJSON_Parse(r.body);
    tp_response_free(&r);
    assert_non_null(j);
    return j;
}

static long fake_stat(test_stack *s, const char *name)
{
    cJSON *stats = fake_json(s, "/__fake/stats");
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(stats, name);
    long n = cJSON_IsNumber(v) ? (long)v->valuedouble : -1;
    cJSON_Delete(stats);
    return n;
}

static void pause_ms(long ms)
{
    struct timespec ts = {ms / 1000, (ms % 1000) * 1000000L};
    nanosleep(&ts, NULL);
}

/* What fake-kiro's endpoint last saw ({"x-amz-user-agent","user-agent","accepted",...}),
 * polled until it saw something (bounded); the caller deletes *root. */
static const cJSON *seen_by(test_stack *s, const char *endpoint, cJSON **root)
{
    struct timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    for (;;) {
        *root = fake_json(s, "/__fake/last-identity");
        const cJSON *one = cJSON_GetObjectItemCaseSensitive(*root, endpoint);
        if (one)
            return one;
        cJSON_Delete(*root);
        struct timespec now;
        clock_gettime(CLOCK_MONOTONIC, &now);
        long elapsed = (now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000;
        if (elapsed > POLL_MS)
            fail_msg("fake-kiro's %s saw no request within %d ms", endpoint, POLL_MS);
        pause_ms(20);
    }
}

static const char *text_at(const cJSON *obj, const char *name)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!cJSON_IsString(v))
        fail_msg("no string \"%s\"", name);
    return v->valuestring;
}

/* The endpoint accepted the proxy's last request, which carried exactly these user agents
 * (amz NULL: no x-amz-user-agent). */
static void expect_identity(test_stack *s, const char *endpoint, const char *amz, const char *agent)
{
    cJSON *root;
    const cJSON *seen = seen_by(s, endpoint, &root);
    if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(seen, "accepted")))
        fail_msg("%s refused the proxy: %s", endpoint, cJSON_PrintUnformatted(seen));
    if (amz)
        assert_string_equal(text_at(seen, "x-amz-user-agent"), amz);
    else
        assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(seen, "x-amz-user-agent")));
    assert_string_equal(text_at(seen, "user-agent"), agent);
    cJSON_Delete(root);
}

static void send_message(test_stack *s, const char *body)
{
    tp_response r;
    assert_int_equal(stack_request(s, "POST", "/v1/messages", body, 1, TIMEOUT_MS, &r), 0);
    if (r.status != 200)
        fail_msg("/v1/messages answered %ld: %.300s", r.status, r.body);
    tp_response_free(&r);
}

#define PLAIN_MESSAGE                                                                              \
    "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","         \
    "\"content\":\"hello\"}]}"
#define SEARCH_MESSAGE                                                                             \
    "{\"model\":\"claude-sonnet-4-5\",\"max_tokens\":1024,\"tools\":[{\"type\":"                   \
    "\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":1}],\"messages\":[{\"role\":"    \
    "\"user\",\"content\":\"Perform a web search for the query: kiro identity\"}]}"

/* ---- the default identity ----------------------------------------------------------------- */

static void default_identity_on_every_api_call(void **state)
{
    (void)state;
    static const char credentials[] =
        "[{\"id\":1,\"accessToken\":\"identity-access-token-0001\",\"refreshToken\":"
        "\"" SOCIAL_REFRESH_1
        "\",\"expiresAt\":\"2099-01-01T00:00:00Z\",\"authMethod\":\"social\"}]";
    stack_options o = {.credentials_json = credentials};
    test_stack *s = start_stack(&o);

    const char *amz = "aws-sdk-js/1.0.27 KiroIDE-1.6.0-" SOCIAL_MACHINE_1;
    /* the system part is this machine's (uname): only its place is fixed */
    char agent_tail[256];
    snprintf(agent_tail, sizeof agent_tail,
             " lang/js md/nodejs#22.21.1 api/codewhispererstreaming#1.0.27 m/E KiroIDE-1.6.0-%s",
             SOCIAL_MACHINE_1);

    /* ListAvailableModels: the background fetch shortly after start */
    cJSON *root;
    const cJSON *seen = seen_by(s, "ListAvailableModels", &root);
    char agent[512];
    snprintf(agent, sizeof agent, "%s", text_at(seen, "user-agent"));
    cJSON_Delete(root);
    assert_int_equal(strncmp(agent, "aws-sdk-js/1.0.27 ua/2.1 os/", 28), 0);
    assert_true(strlen(agent) > strlen(agent_tail));
    assert_string_equal(agent + strlen(agent) - strlen(agent_tail), agent_tail);
    expect_identity(s, "ListAvailableModels", amz, agent);

    send_message(s, PLAIN_MESSAGE);
    expect_identity(s, "generateAssistantResponse", amz, agent);
    send_message(s, SEARCH_MESSAGE);
    expect_identity(s, "mcp", amz, agent);
    assert_int_equal(fake_stat(s, "identity_rejected"), 0);

    /* The control: the same call without the user agents is refused by this fake-kiro. */
    tp_response r;
    assert_int_equal(stack_fake_request(s, "POST", "/generateAssistantResponse",
                                        "{\"conversationState\":{}}", &r),
                     0);
    assert_int_equal(r.status, 403);
    assert_non_null(strstr(r.body, "\"__type\":\"AccessDeniedException\""));
    tp_response_free(&r);
    assert_int_equal(fake_stat(s, "identity_rejected"), 1);
}

/* ---- configured versions and the refresh agents ------------------------------------------- */

/* kiro_token_refreshes_total of /metrics, polled until it reaches want (bounded). */
static void wait_refreshes(test_stack *s, long want)
{
    for (int waited = 0;; waited += 20) {
        tp_response r;
        assert_int_equal(stack_request(s, "GET", "/metrics", NULL, 0, TIMEOUT_MS, &r), 0);
        const char *line = strstr(r.body ? r.body : "", "\nkiro_token_refreshes_total ");
        long n = line ? strtol(line + strlen("\nkiro_token_refreshes_total "), NULL, 10) : -1;
        tp_response_free(&r);
        if (n >= want)
            return;
        if (waited > POLL_MS)
            fail_msg("%ld token refreshes after %d ms, expected %ld", n, POLL_MS, want);
        pause_ms(20);
    }
}

static void configured_versions_and_refresh_agents(void **state)
{
    (void)state;
    /* both expired: the refresher renews them at start; the IdC one (priority 0) then serves */
    static const char credentials[] =
        "[{\"id\":1,\"accessToken\":\"identity-access-token-0002\",\"refreshToken\":"
        "\"" SOCIAL_REFRESH_2
        "\",\"expiresAt\":\"2000-01-01T00:00:00Z\",\"authMethod\":\"social\",\"priority\":1},"
        "{\"id\":2,\"accessToken\":\"identity-access-token-0003\",\"refreshToken\":"
        "\"identity-refresh-idc-0003\",\"expiresAt\":\"2000-01-01T00:00:00Z\",\"authMethod\":"
        "\"idc\",\"clientId\":\"identity-client\",\"clientSecret\":\"identity-secret\","
        "\"machineId\":\"" IDC_MACHINE "\",\"priority\":0}]";
    static const char *const proxy_args[] = {
        "--kiro-version", "1.7.2",          "--sdk-version", "1.0.34", "--system-version",
        "darwin#24.6.0",  "--node-version", "20.1.0",        NULL};
    stack_options o = {.credentials_json = credentials, .proxy_args = proxy_args};
    test_stack *s = start_stack(&o);

    wait_refreshes(s, 2);
    expect_identity(s, "refreshToken", NULL, "KiroIDE-1.7.2-" SOCIAL_MACHINE_2);
    expect_identity(s, "token", IDC_AMZ_AGENT, "node");

    send_message(s, PLAIN_MESSAGE);
    expect_identity(s, "generateAssistantResponse", "aws-sdk-js/1.0.34 KiroIDE-1.7.2-" IDC_MACHINE,
                    "aws-sdk-js/1.0.34 ua/2.1 os/darwin#24.6.0 lang/js md/nodejs#20.1.0 "
                    "api/codewhispererstreaming#1.0.34 m/E KiroIDE-1.7.2-" IDC_MACHINE);
    assert_int_equal(fake_stat(s, "identity_rejected"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(default_identity_on_every_api_call, stop_stack),
        cmocka_unit_test_teardown(configured_versions_and_refresh_agents, stop_stack),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
