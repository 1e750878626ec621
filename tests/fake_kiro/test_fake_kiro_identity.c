/* test_fake_kiro_identity.c: fake-kiro refuses an unknown client like the real service, over
 * HTTP: every Kiro endpoint (generateAssistantResponse, ListAvailableModels, mcp, refreshToken,
 * token) answers 403 AccessDeniedException to a request without the Kiro IDE's user agents, with
 * a curl agent, or with the agents of another kind of endpoint, before anything else is looked
 * at (no tokens issued, no stream, no fault); the same requests with the right agents pass;
 * GET /__fake/last-identity shows what each endpoint last saw, and reset forgets it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fk_fixture.h"

#define SEARCH_CALL                                                                                \
    "{\"id\":\"web_search_tooluse_abc_1_x\",\"jsonrpc\":\"2.0\",\"method\":\"tools/call\","        \
    "\"params\":{\"name\":\"web_search\",\"arguments\":{\"query\":\"q\"}}}"
#define IDC_BODY                                                                                   \
    "{\"clientId\":\"c\",\"clientSecret\":\"s\",\"refreshToken\":\"rt\","                          \
    "\"grantType\":\"refresh_token\"}"

typedef struct endpoint {
    const char *name; /* as /__fake/stats and /__fake/last-identity call it */
    const char *method;
    const char *path;
    const char *body; /* NULL: the plain generateAssistantResponse body */
    int oidc;         /* refusal in OIDC's shape ({"error":"access_denied"}) */
} endpoint;

static const endpoint endpoints[] = {
    {"generateAssistantResponse", "POST", "/generateAssistantResponse", NULL, 0},
    {"ListAvailableModels", "GET", "/ListAvailableModels?origin=AI_EDITOR", "", 0},
    {"mcp", "POST", "/mcp", SEARCH_CALL, 0},
    {"refreshToken", "POST", "/refreshToken", "{\"refreshToken\":\"rt\"}", 0},
    {"token", "POST", "/token", IDC_BODY, 1},
};
#define ENDPOINT_COUNT (sizeof endpoints / sizeof endpoints[0])

static const char *const no_agents[] = {NULL};
static const char *const curl_agent[] = {"User-Agent: curl/8.5.0", NULL};

/* A wrong identity for endpoint i: the right one of an endpoint of another kind. */
static const char *const *other_kind(const fk_proc *p, size_t i)
{
    char url[256];
    const char *path =
        i == 3 ? "/token" : "/refreshToken"; /* social gets IdC's, the rest social's */
    snprintf(url, sizeof url, "%s%s", p->base_url, path);
    return fk_default_identity(url);
}

/* Sends endpoint e with identity (NULL: the right one); returns the status, body in *json. */
static long send_to(const fk_proc *p, const endpoint *e, const char *const *identity,
                    fk_response *r)
{
    char url[256];
    snprintf(url, sizeof url, "%s%s", p->base_url, e->path);
    char *plain = e->body ? NULL : fk_body_plain("hello", "claude-sonnet-4.5");
    const char *body = e->body ? e->body : plain;
    fk_response_init(r);
    r->identity = identity;
    assert_int_equal(
        fk_http(r, e->method, url, "tok", strcmp(e->method, "GET") ? body : NULL, 5000), CURLE_OK);
    free(plain);
    return r->status;
}

static void expect_refusal(const fk_proc *p, const endpoint *e, const char *const *identity,
                           const char *what)
{
    fk_response r;
    long status = send_to(p, e, identity, &r);
    cJSON *json = fk_response_json(&r);
    if (status != 403)
        fail_msg("%s with %s: status %ld, body %.200s", e->name, what, status,
                 r.body.data ? r.body.data : "");
    assert_string_equal(r.error_type, "AccessDeniedException");
    assert_true(strlen(r.reason) > 0); /* X-Fake-Reason names the rule */
    if (e->oidc) {
        assert_string_equal(fk_json_at(json, "error")->valuestring, "access_denied");
        assert_non_null(strstr(fk_json_at(json, "error_description")->valuestring, "Kiro client"));
    } else {
        assert_string_equal(fk_json_at(json, "__type")->valuestring, "AccessDeniedException");
        assert_non_null(strstr(fk_json_at(json, "message")->valuestring, "Kiro client"));
    }
    cJSON_Delete(json);
    fk_response_free(&r);
}

static void test_unknown_clients_are_refused(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    long refused = 0;
    for (size_t i = 0; i < ENDPOINT_COUNT; i++) {
        expect_refusal(p, &endpoints[i], no_agents, "no user agents");
        expect_refusal(p, &endpoints[i], curl_agent, "curl's agent");
        expect_refusal(p, &endpoints[i], other_kind(p, i), "another endpoint's agents");
        refused += 3;
        char counter[64];
        snprintf(counter, sizeof counter, "requests.%s", endpoints[i].name);
        assert_int_equal(fk_stat(p->base_url, counter), 3); /* they did arrive */
    }
    assert_int_equal(fk_stat(p->base_url, "identity_rejected"), refused);
    /* nothing behind the gate ran: no stream, no auth or validation verdict, no token */
    assert_int_equal(fk_stat(p->base_url, "streams_completed"), 0);
    assert_int_equal(fk_stat(p->base_url, "rejected"), 0);

    /* The same requests from the Kiro IDE pass. */
    for (size_t i = 0; i < ENDPOINT_COUNT; i++) {
        fk_response r;
        long status = send_to(p, &endpoints[i], NULL, &r);
        if (status != 200)
            fail_msg("%s with the IDE's agents: status %ld, reason '%s', body %.200s",
                     endpoints[i].name, status, r.reason, r.body.data ? r.body.data : "");
        if (strcmp(endpoints[i].name, "refreshToken") == 0) {
            cJSON *json = fk_response_json(&r);
            /* the first token fake-kiro ever issued: the refused refreshes issued none */
            assert_string_equal(fk_json_at(json, "accessToken")->valuestring, "fake-access-1");
            cJSON_Delete(json);
        }
        fk_response_free(&r);
    }
    assert_int_equal(fk_stat(p->base_url, "identity_rejected"), refused);
    assert_int_equal(fk_wait_stat(p->base_url, "streams_completed", 1, FK_STAT_TIMEOUT_MS), 0);
}

/* The gate comes before the faults: an unknown client is refused even while every request
 * would hang. */
static void test_refused_before_faults(void **state)
{
    const char *args[] = {"--hang", "--models-hang", "--mcp-hang", "--refresh-hang", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    for (size_t i = 0; i < ENDPOINT_COUNT; i++)
        expect_refusal(p, &endpoints[i], no_agents, "no user agents under a hang fault");
    assert_int_equal(fk_stat(p->base_url, "hangs_active"), 0);
}

static cJSON *last_identity(const fk_proc *p)
{
    char url[256];
    snprintf(url, sizeof url, "%s/__fake/last-identity", p->base_url);
    fk_response r;
    fk_response_init(&r);
    assert_int_equal(fk_http(&r, "GET", url, NULL, NULL, 5000), CURLE_OK);
    assert_int_equal(r.status, 200);
    cJSON *json = fk_response_json(&r);
    fk_response_free(&r);
    assert_non_null(json);
    return json;
}

static void test_last_identity_record(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    cJSON *seen = last_identity(p);
    assert_int_equal(cJSON_GetArraySize(seen), 0); /* nothing yet */
    cJSON_Delete(seen);

    static const char *const record_me[] = {
        "x-amz-user-agent: aws-sdk-js/1.0.34 KiroIDE-0.11.107-record-me-1",
        "User-Agent: aws-sdk-js/1.0.34 ua/2.1 os/darwin#24.6.0 lang/js md/nodejs#20.1.0 "
        "api/codewhispererstreaming#1.0.34 m/E KiroIDE-0.11.107-record-me-1",
        NULL};
    fk_response r;
    assert_int_equal(send_to(p, &endpoints[1], record_me, &r), 200);
    fk_response_free(&r);
    assert_int_equal(send_to(p, &endpoints[0], curl_agent, &r), 403);
    fk_response_free(&r);

    seen = last_identity(p);
    const cJSON *models = fk_json_at(seen, "ListAvailableModels");
    assert_string_equal(fk_json_at(models, "x-amz-user-agent")->valuestring,
                        record_me[0] + strlen("x-amz-user-agent: "));
    assert_string_equal(fk_json_at(models, "user-agent")->valuestring,
                        record_me[1] + strlen("User-Agent: "));
    assert_true(cJSON_IsTrue(fk_json_at(models, "accepted")));
    assert_true(cJSON_IsNull(fk_json_at(models, "problem")));
    const cJSON *assistant = fk_json_at(seen, "generateAssistantResponse");
    assert_true(cJSON_IsNull(fk_json_at(assistant, "x-amz-user-agent"))); /* absent, not "" */
    assert_string_equal(fk_json_at(assistant, "user-agent")->valuestring, "curl/8.5.0");
    assert_true(cJSON_IsFalse(fk_json_at(assistant, "accepted")));
    assert_non_null(strstr(fk_json_at(assistant, "problem")->valuestring, "x-amz-user-agent"));
    assert_null(fk_json_at(seen, "token")); /* never asked */
    cJSON_Delete(seen);

    fk_response_init(&r);
    assert_int_equal(fk_post(&r, p->base_url, "/__fake/reset", "{}"), CURLE_OK);
    fk_response_free(&r);
    seen = last_identity(p);
    assert_int_equal(cJSON_GetArraySize(seen), 0);
    cJSON_Delete(seen);
    assert_int_equal(fk_stat(p->base_url, "identity_rejected"), 0);
}

int main(int argc, char **argv)
{
    fk_fixture_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_unknown_clients_are_refused, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_refused_before_faults, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_last_identity_record, fk_fixture_setup,
                                        fk_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
