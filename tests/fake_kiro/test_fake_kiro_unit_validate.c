/* test_fake_kiro_unit_validate.c: the request validator of fake-kiro (Kiro's "Improperly formed
 * request" rules), case by case, without a server. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdlib.h>
#include <string.h>

#include "validate.h"

/* ---- validator ---- */

static int validate_text(const char *json, char *reason)
{
    cJSON *root = cJSON_Parse(json);
    assert_non_null(root);
    int rc = fk_validate_request(root, strlen(json), reason, FK_REASON_SIZE);
    cJSON_Delete(root);
    return rc;
}

#define CURRENT(extra) \
    "\"currentMessage\":{\"userInputMessage\":{\"content\":\"hi\",\"modelId\":\"auto\"" extra "}}"

static void test_validate_accepts_well_formed_requests(void **state)
{
    (void)state;
    char reason[FK_REASON_SIZE];
    assert_int_equal(validate_text("{\"conversationState\":{" CURRENT("") "}}", reason), 0);
    assert_int_equal(
        validate_text("{\"conversationState\":{\"history\":["
                      "{\"userInputMessage\":{\"content\":\"q\"}},"
                      "{\"assistantResponseMessage\":{\"content\":\"\",\"toolUses\":["
                      "{\"toolUseId\":\"t1\",\"name\":\"f\",\"input\":{}}]}}],"
                      "\"currentMessage\":{\"userInputMessage\":{\"content\":\"r\","
                      "\"modelId\":\"auto\",\"userInputMessageContext\":{\"toolResults\":["
                      "{\"toolUseId\":\"t1\",\"content\":[{\"text\":\"ok\"}],"
                      "\"status\":\"success\"}],\"tools\":[{\"toolSpecification\":{"
                      "\"name\":\"f\",\"description\":\"d\",\"inputSchema\":{\"json\":{}}}}]}}}}}",
                      reason),
        0);
}

typedef struct bad_case {
    const char *json;
    const char *reason;
} bad_case;

static void test_validate_rejects_like_kiro(void **state)
{
    (void)state;
    static const bad_case cases[] = {
        {"[]", "not a JSON object"},
        {"{}", "missing conversationState"},
        {"{\"conversationState\":{}}", "missing currentMessage"},
        {"{\"conversationState\":{\"currentMessage\":{}}}", "missing userInputMessage"},
        {"{\"conversationState\":{\"currentMessage\":{\"userInputMessage\":{\"modelId\":\"a\"}}}}",
         "missing content in currentMessage"},
        {"{\"conversationState\":{\"currentMessage\":{\"userInputMessage\":{\"content\":\"x\"}}}}",
         "missing modelId"},
        {"{\"conversationState\":{\"currentMessage\":{\"userInputMessage\":{\"content\":\"\","
         "\"modelId\":\"a\"}}}}",
         "empty content in currentMessage"},
        {"{\"conversationState\":{\"history\":null," CURRENT("") "}}", "history is null"},
        {"{\"conversationState\":{\"history\":[]," CURRENT("") "}}", "history is empty"},
        {"{\"conversationState\":{\"history\":{}," CURRENT("") "}}", "history is not an array"},
        {"{\"conversationState\":{\"history\":[{\"assistantResponseMessage\":{\"content\":\"a\"}},"
         "{\"userInputMessage\":{\"content\":\"q\"}}]," CURRENT("") "}}",
         "history[0] should be a user turn"},
        {"{\"conversationState\":{\"history\":[{\"userInputMessage\":{\"content\":\"q\"}},"
         "{\"userInputMessage\":{\"content\":\"q\"}}]," CURRENT("") "}}",
         "history[1] should be an assistant turn"},
        {"{\"conversationState\":{\"history\":[{\"userInputMessage\":{\"content\":\"q\"}}]," CURRENT(
             "") "}}",
         "history ends with a user turn"},
        {"{\"conversationState\":{\"history\":[{\"userInputMessage\":{\"content\":\"\"}},"
         "{\"assistantResponseMessage\":{\"content\":\"a\"}}]," CURRENT("") "}}",
         "empty content in history[0]"},
        {"{\"conversationState\":{\"history\":[{\"foo\":{}}]," CURRENT("") "}}",
         "neither a user nor an assistant"},
        {"{\"conversationState\":{" CURRENT(",\"userInputMessageContext\":[]") "}}",
         "userInputMessageContext in currentMessage is not an object"},
        {"{\"conversationState\":{" CURRENT(",\"userInputMessageContext\":{\"tools\":\"x\"}") "}}",
         "tools is not an array"},
        {"{\"conversationState\":{" CURRENT(
             ",\"userInputMessageContext\":{\"tools\":[{\"toolSpecification\":{\"name\":5}}]}") "}}",
         "tools[0] has no name"},
        {"{\"conversationState\":{" CURRENT(
             ",\"userInputMessageContext\":{\"tools\":[{\"toolSpecification\":{\"name\":"
             "\"a123456789b123456789c123456789d123456789e123456789f123456789g12345\","
             "\"description\":\"d\",\"inputSchema\":{\"json\":{}}}}]}") "}}",
         "tool name longer than 64"},
        {"{\"conversationState\":{" CURRENT(
             ",\"userInputMessageContext\":{\"tools\":[{\"toolSpecification\":{\"name\":\"f\","
             "\"inputSchema\":{\"json\":{}}}}]}") "}}",
         "tool f has no description"},
        {"{\"conversationState\":{" CURRENT(
             ",\"userInputMessageContext\":{\"tools\":[{\"toolSpecification\":{\"name\":\"f\","
             "\"description\":\"\",\"inputSchema\":{\"json\":{}}}}]}") "}}",
         "tool f has no description"},
        {"{\"conversationState\":{" CURRENT(
             ",\"userInputMessageContext\":{\"toolResults\":[{\"toolUseId\":\"nope\","
             "\"content\":[{\"text\":\"x\"}]}]}") "}}",
         "unknown toolUseId nope"},
        {"{\"conversationState\":{\"history\":[{\"userInputMessage\":{\"content\":\"q\","
         "\"userInputMessageContext\":{\"toolResults\":[{\"toolUseId\":\"later\"}]}}},"
         "{\"assistantResponseMessage\":{\"content\":\"a\",\"toolUses\":[{\"toolUseId\":"
         "\"later\",\"name\":\"f\",\"input\":{}}]}}]," CURRENT("") "}}",
         "history[0] refer to unknown toolUseId later"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char reason[FK_REASON_SIZE] = "";
        assert_int_equal(validate_text(cases[i].json, reason), -1);
        if (!strstr(reason, cases[i].reason))
            fail_msg("case %zu: reason \"%s\" lacks \"%s\"", i, reason, cases[i].reason);
    }
}

static void test_validate_rejects_oversized_body(void **state)
{
    (void)state;
    char reason[FK_REASON_SIZE];
    cJSON *root = cJSON_Parse("{\"conversationState\":{" CURRENT("") "}}");
    assert_int_equal(fk_validate_request(root, FK_MAX_UPSTREAM_BODY, reason, sizeof reason), 0);
    assert_int_equal(fk_validate_request(root, FK_MAX_UPSTREAM_BODY + 1, reason, sizeof reason),
                     -1);
    assert_non_null(strstr(reason, "exceeds 600000"));
    assert_string_equal(fk_request_model_id(root), "auto");
    cJSON_Delete(root);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_validate_accepts_well_formed_requests),
        cmocka_unit_test(test_validate_rejects_like_kiro),
        cmocka_unit_test(test_validate_rejects_oversized_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
