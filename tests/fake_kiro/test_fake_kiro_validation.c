/* test_fake_kiro_validation.c: every request fake-kiro must refuse the way Kiro does, over HTTP:
 * 400 {"message":"Improperly formed request.","reason":null} with the rule named in
 * X-Fake-Reason, 400 "Invalid model", 403 without a Bearer token. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fk_fixture.h"

#define CUR(content, extra)                                                                      \
    "\"currentMessage\":{\"userInputMessage\":{\"content\":\"" content                            \
    "\",\"modelId\":\"claude-sonnet-4.5\"" extra "}}"
#define USER(content) "{\"userInputMessage\":{\"content\":\"" content "\"}}"
#define ASSISTANT(content) "{\"assistantResponseMessage\":{\"content\":\"" content "\"}}"
#define TOOL(name, desc)                                                                         \
    "{\"toolSpecification\":{\"name\":\"" name "\"" desc ",\"inputSchema\":{\"json\":{}}}}"

typedef struct bad_request {
    const char *body;
    const char *reason;
} bad_request;

static const bad_request bad_requests[] = {
    {"not json", "not valid JSON"},
    {"{\"conversationState\":{}} trailing", "not valid JSON"},
    {"{}", "missing conversationState"},
    {"{\"conversationState\":{}}", "missing currentMessage"},
    {"{\"conversationState\":{\"currentMessage\":{}}}", "missing userInputMessage"},
    {"{\"conversationState\":{\"currentMessage\":{\"userInputMessage\":{\"modelId\":\"auto\"}}}}",
     "missing content"},
    {"{\"conversationState\":{\"currentMessage\":{\"userInputMessage\":{\"content\":\"x\"}}}}",
     "missing modelId"},
    {"{\"conversationState\":{" CUR("", "") "}}", "empty content in currentMessage"},
    {"{\"conversationState\":{\"history\":null," CUR("x", "") "}}", "history is null"},
    {"{\"conversationState\":{\"history\":[]," CUR("x", "") "}}", "history is empty"},
    {"{\"conversationState\":{\"history\":[" ASSISTANT("a") "," USER("q") "]," CUR("x", "") "}}",
     "should be a user turn"},
    {"{\"conversationState\":{\"history\":[" USER("q") "," USER("q") "]," CUR("x", "") "}}",
     "should be an assistant turn"},
    {"{\"conversationState\":{\"history\":[" USER("q") "," ASSISTANT("a") "," USER("q") "]," CUR(
         "x", "") "}}",
     "history ends with a user turn"},
    {"{\"conversationState\":{\"history\":[" USER("") "," ASSISTANT("a") "]," CUR("x", "") "}}",
     "empty content in history[0]"},
    {"{\"conversationState\":{" CUR(
         "x", ",\"userInputMessageContext\":{\"tools\":[" TOOL(
                  "this_tool_name_is_far_too_long_for_kiro_because_it_has_more_than_64_chars",
                  ",\"description\":\"d\"") "]}") "}}",
     "tool name longer than 64"},
    {"{\"conversationState\":{" CUR("x", ",\"userInputMessageContext\":{\"tools\":[" TOOL(
                                             "f", "") "]}") "}}",
     "tool f has no description"},
    {"{\"conversationState\":{" CUR(
         "x", ",\"userInputMessageContext\":{\"toolResults\":[{\"toolUseId\":\"tooluse_x\","
              "\"content\":[{\"text\":\"r\"}],\"status\":\"success\"}]}") "}}",
     "unknown toolUseId tooluse_x"},
};

static void test_each_improperly_formed_request(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    size_t count = sizeof bad_requests / sizeof bad_requests[0];
    for (size_t i = 0; i < count; i++) {
        fk_response r;
        fk_response_init(&r);
        assert_int_equal(fk_post(&r, p->base_url, "/generateAssistantResponse",
                                 bad_requests[i].body),
                         CURLE_OK);
        if (r.status != 400 || !strstr(r.reason, bad_requests[i].reason))
            fail_msg("case %zu: status %ld reason \"%s\", want 400 \"%s\"", i, r.status, r.reason,
                     bad_requests[i].reason);
        cJSON *json = fk_response_json(&r);
        assert_string_equal(fk_json_at(json, "message")->valuestring,
                            "Improperly formed request.");
        assert_true(cJSON_IsNull(fk_json_at(json, "reason")));
        cJSON_Delete(json);
        fk_response_free(&r);
    }
    assert_int_equal(fk_stat(p->base_url, "rejected"), (long)count);
    assert_int_equal(fk_stat(p->base_url, "streams_completed"), 0);
}

static void test_body_over_600000_bytes(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    size_t size = 600001;
    char *content = malloc(size);
    memset(content, 'a', size - 1);
    content[size - 1] = '\0';
    char *body = fk_body_plain(content, "auto");
    fk_response r;
    fk_response_init(&r);
    assert_int_equal(fk_post(&r, p->base_url, "/generateAssistantResponse", body), CURLE_OK);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.reason, "exceeds 600000"));
    fk_response_free(&r);

    /* just under the limit is fine */
    content[600000 - 400] = '\0';
    free(body);
    body = fk_body_plain(content, "auto");
    assert_true(strlen(body) <= 600000);
    fk_response_init(&r);
    assert_int_equal(fk_post(&r, p->base_url, "/generateAssistantResponse", body), CURLE_OK);
    assert_int_equal(r.status, 200);
    fk_response_free(&r);
    free(body);
    free(content);
}

static void test_body_over_the_8_mib_cap_is_refused_cleanly(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    size_t size = 9u * 1024u * 1024u;
    char *body = malloc(size + 1);
    memset(body, ' ', size);
    body[size] = '\0';
    fk_response r;
    fk_response_init(&r);
    assert_int_equal(fk_post(&r, p->base_url, "/generateAssistantResponse", body), CURLE_OK);
    assert_int_equal(r.status, 400);
    assert_non_null(strstr(r.reason, "exceeds 600000"));
    fk_response_free(&r);
    free(body);
    /* still serving */
    char *ok = fk_body_plain("still there?", "auto");
    fk_response_init(&r);
    assert_int_equal(fk_post(&r, p->base_url, "/generateAssistantResponse", ok), CURLE_OK);
    assert_int_equal(r.status, 200);
    fk_response_free(&r);
    free(ok);
}

static void test_unknown_model(void **state)
{
    const char *args[] = {"--extra-model", "claude-experimental-9", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    const char *models[] = {"claude-sonnet-4-5-20250929", "gpt-4o", "claude-3-7-sonnet"};
    for (size_t i = 0; i < sizeof models / sizeof models[0]; i++) {
        char *body = fk_body_plain("hi", models[i]);
        fk_response r;
        fk_response_init(&r);
        assert_int_equal(fk_post(&r, p->base_url, "/generateAssistantResponse", body), CURLE_OK);
        assert_int_equal(r.status, 400);
        cJSON *json = fk_response_json(&r);
        assert_non_null(strstr(fk_json_at(json, "message")->valuestring, "Invalid model"));
        cJSON_Delete(json);
        fk_response_free(&r);
        free(body);
    }
    const char *good[] = {"claude-sonnet-4.5", "claude-sonnet-4", "claude-haiku-4.5",
                          "claude-opus-4.5",   "claude-opus-4.6", "claude-sonnet-4.6",
                          "auto",              "claude-experimental-9"};
    for (size_t i = 0; i < sizeof good / sizeof good[0]; i++) {
        char *body = fk_body_plain("hi", good[i]);
        fk_response r;
        fk_response_init(&r);
        assert_int_equal(fk_post(&r, p->base_url, "/generateAssistantResponse", body), CURLE_OK);
        if (r.status != 200)
            fail_msg("model %s: status %ld", good[i], r.status);
        fk_response_free(&r);
        free(body);
    }
}

static void test_missing_bearer_is_403(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    char url[256];
    snprintf(url, sizeof url, "%s/generateAssistantResponse", p->base_url);
    char *body = fk_body_plain("hi", "auto");
    fk_response r;
    fk_response_init(&r);
    assert_int_equal(fk_http(&r, "POST", url, NULL, body, FK_HTTP_TIMEOUT_MS), CURLE_OK);
    assert_int_equal(r.status, 403);
    cJSON *json = fk_response_json(&r);
    assert_true(cJSON_IsString(fk_json_at(json, "message")));
    cJSON_Delete(json);
    fk_response_free(&r);
    free(body);
}

int main(int argc, char **argv)
{
    fk_fixture_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_each_improperly_formed_request, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_body_over_600000_bytes, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_body_over_the_8_mib_cap_is_refused_cleanly,
                                        fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_model, fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_missing_bearer_is_403, fk_fixture_setup,
                                        fk_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
