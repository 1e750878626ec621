/* test_request_validation.c: every malformed Anthropic request answers an api_error with the
 * right status and type (never a crash): wrong JSON types at each level, bad ranges, unknown
 * models and roles, too many messages. One cmocka test per case. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "translate/translate_limits.h"
#include "translate_fixture.h"

typedef struct bad_request {
    const char *json;       /* single-quoted */
    int status;
    const char *fragment;   /* expected in the message */
} bad_request;

#define MSG "'messages':[{'role':'user','content':'hi'}]"

static const bad_request not_object = { "[1,2]", 400, "JSON object" };
static const bad_request model_missing = { "{" MSG "}", 400, "model" };
static const bad_request model_number = { "{'model':5," MSG "}", 400, "model" };
static const bad_request model_empty = { "{'model':''," MSG "}", 400, "model" };
static const bad_request model_unknown = { "{'model':'gpt-4o'," MSG "}", 400, "unknown model" };
static const bad_request model_unknown_claude = { "{'model':'claude-foo'," MSG "}", 400,
                                                  "unknown model" };
static const bad_request messages_missing = { "{'model':'auto'}", 400, "messages" };
static const bad_request messages_number = { "{'model':'auto','messages':5}", 400, "array" };
static const bad_request messages_object = { "{'model':'auto','messages':{}}", 400, "array" };
static const bad_request messages_empty = { "{'model':'auto','messages':[]}", 400, "empty" };
static const bad_request message_string = { "{'model':'auto','messages':['hi']}", 400,
                                            "messages[0]" };
static const bad_request role_system = {
    "{'model':'auto','messages':[{'role':'system','content':'x'}]}", 400, "role" };
static const bad_request role_missing = { "{'model':'auto','messages':[{'content':'x'}]}", 400,
                                          "role" };
static const bad_request role_number = {
    "{'model':'auto','messages':[{'role':1,'content':'x'}]}", 400, "role" };
static const bad_request content_object = {
    "{'model':'auto','messages':[{'role':'user','content':{}}]}", 400, "content" };
static const bad_request content_number = {
    "{'model':'auto','messages':[{'role':'user','content':5}]}", 400, "content" };
static const bad_request content_missing = {
    "{'model':'auto','messages':[{'role':'user'}]}", 400, "content" };
static const bad_request block_not_object = {
    "{'model':'auto','messages':[{'role':'user','content':['text']}]}", 400, "content[0]" };
static const bad_request block_without_type = {
    "{'model':'auto','messages':[{'role':'user','content':[{'text':'x'}]}]}", 400, "type" };
static const bad_request text_not_string = {
    "{'model':'auto','messages':[{'role':'user','content':[{'type':'text','text':5}]}]}", 400,
    "text" };
static const bad_request max_tokens_zero = { "{'model':'auto','max_tokens':0," MSG "}", 400,
                                             "max_tokens" };
static const bad_request max_tokens_negative = { "{'model':'auto','max_tokens':-5," MSG "}", 400,
                                                 "max_tokens" };
static const bad_request max_tokens_huge = { "{'model':'auto','max_tokens':1e12," MSG "}", 400,
                                             "max_tokens" };
static const bad_request max_tokens_string = { "{'model':'auto','max_tokens':'100'," MSG "}", 400,
                                               "max_tokens" };
static const bad_request max_tokens_fraction = { "{'model':'auto','max_tokens':1.5," MSG "}", 400,
                                                 "max_tokens" };
static const bad_request stream_string = { "{'model':'auto','stream':'yes'," MSG "}", 400,
                                           "stream" };
static const bad_request system_number = { "{'model':'auto','system':5," MSG "}", 400, "system" };
static const bad_request system_image_block = {
    "{'model':'auto','system':[{'type':'image'}]," MSG "}", 400, "system[0]" };
static const bad_request tools_object = { "{'model':'auto','tools':{}," MSG "}", 400, "tools" };
static const bad_request tool_number = { "{'model':'auto','tools':[5]," MSG "}", 400, "tools[0]" };
static const bad_request tool_without_name = {
    "{'model':'auto','tools':[{'input_schema':{}}]," MSG "}", 400, "name" };
static const bad_request tool_schema_string = {
    "{'model':'auto','tools':[{'name':'a','input_schema':'x'}]," MSG "}", 400, "input_schema" };
static const bad_request tool_description_number = {
    "{'model':'auto','tools':[{'name':'a','description':7}]," MSG "}", 400, "description" };
static const bad_request thinking_string = { "{'model':'auto','thinking':'on'," MSG "}", 400,
                                             "thinking" };
static const bad_request thinking_bad_type = {
    "{'model':'auto','thinking':{'type':'maximum'}," MSG "}", 400, "thinking.type" };
static const bad_request thinking_budget_negative = {
    "{'model':'auto','thinking':{'type':'enabled','budget_tokens':-5}," MSG "}", 400,
    "budget_tokens" };
static const bad_request thinking_budget_huge = {
    "{'model':'auto','thinking':{'type':'enabled','budget_tokens':99999999}," MSG "}", 400,
    "budget_tokens" };
static const bad_request tool_use_input_number = {
    "{'model':'auto','messages':[{'role':'user','content':'x'},{'role':'assistant','content':["
    "{'type':'tool_use','id':'t','name':'n','input':5}]}]}", 400, "input" };
static const bad_request tool_use_without_id = {
    "{'model':'auto','messages':[{'role':'user','content':'x'},{'role':'assistant','content':["
    "{'type':'tool_use','name':'n','input':{}}]}]}", 400, "id" };
static const bad_request tool_use_in_user_message = {
    "{'model':'auto','messages':[{'role':'user','content':["
    "{'type':'tool_use','id':'t','name':'n','input':{}}]}]}", 400, "assistant" };
static const bad_request tool_result_in_assistant = {
    "{'model':'auto','messages':[{'role':'user','content':'x'},{'role':'assistant','content':["
    "{'type':'tool_result','tool_use_id':'t','content':'r'}]}]}", 400, "user" };
static const bad_request tool_result_content_object = {
    "{'model':'auto','messages':[{'role':'user','content':["
    "{'type':'tool_result','tool_use_id':'t','content':{}}]}]}", 400, "content" };
static const bad_request tool_result_is_error_string = {
    "{'model':'auto','messages':[{'role':'user','content':["
    "{'type':'tool_result','tool_use_id':'t','is_error':'no'}]}]}", 400, "is_error" };
static const bad_request tool_result_without_id = {
    "{'model':'auto','messages':[{'role':'user','content':["
    "{'type':'tool_result','content':'r'}]}]}", 400, "tool_use_id" };
static const bad_request image_without_source = {
    "{'model':'auto','messages':[{'role':'user','content':[{'type':'image'}]}]}", 400, "source" };
static const bad_request image_data_number = {
    "{'model':'auto','messages':[{'role':'user','content':[{'type':'image','source':{"
    "'type':'base64','media_type':'image/png','data':5}}]}]}", 400, "data" };

static void rejects(void **state)
{
    const bad_request *c = *state;
    api_error err = translate_error(c->json, NULL);
    assert_int_equal(err.status, c->status);
    assert_string_equal(err.type, "invalid_request_error");
    if (!strstr(err.message, c->fragment))
        fail_msg("message \"%s\" lacks \"%s\"", err.message, c->fragment);
}

static void too_many_messages_is_413(void **state)
{
    (void)state;
    cJSON *request = fixture_json("{'model':'auto','messages':[]}");
    cJSON *messages = (cJSON *)json_at(request, "messages");
    for (int i = 0; i <= TRANSLATE_MAX_MESSAGES; i++) {
        cJSON *m = cJSON_CreateObject();
        cJSON_AddStringToObject(m, "role", i % 2 ? "assistant" : "user");
        cJSON_AddStringToObject(m, "content", "x");
        cJSON_AddItemToArray(messages, m);
    }
    api_error err = translate_error_json(request, NULL);
    assert_int_equal(err.status, 413);
    assert_string_equal(err.type, "request_too_large");
    cJSON_Delete(request);
}

static void missing_catalogue_is_an_error(void **state)
{
    (void)state;
    cJSON *request = fixture_json("{'model':'auto'," MSG "}");
    translate_options options;
    memset(&options, 0, sizeof options);
    kiro_request r;
    api_error err;
    assert_int_equal(translate_anthropic_request(request, &options, &r, &err), -1);
    assert_int_equal(err.status, 500);
    assert_null(r.body);
    cJSON_Delete(request);
}

static void null_optional_fields_count_as_absent(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'auto','max_tokens':null,'stream':null,'system':null,"
                               "'tools':null,'thinking':null," MSG "}", NULL, &r);
    assert_string_equal(json_string_at(body, "conversationState.currentMessage.userInputMessage"
                                             ".content"), "hi");
    assert_int_equal(r.max_tokens, 64000);
    kiro_request_free(&r);
    cJSON_Delete(body);
}

/* One test per table case, named after it, so that a failure says which request it was. */
#define BAD(request_case) \
    { .name = #request_case, .test_func = rejects, .initial_state = (void *)&request_case }

int main(void)
{
    const struct CMUnitTest tests[] = {
        BAD(not_object), BAD(model_missing), BAD(model_number), BAD(model_empty),
        BAD(model_unknown), BAD(model_unknown_claude), BAD(messages_missing),
        BAD(messages_number), BAD(messages_object), BAD(messages_empty), BAD(message_string),
        BAD(role_system), BAD(role_missing), BAD(role_number), BAD(content_object),
        BAD(content_number), BAD(content_missing), BAD(block_not_object),
        BAD(block_without_type), BAD(text_not_string), BAD(max_tokens_zero),
        BAD(max_tokens_negative), BAD(max_tokens_huge), BAD(max_tokens_string),
        BAD(max_tokens_fraction), BAD(stream_string), BAD(system_number),
        BAD(system_image_block), BAD(tools_object), BAD(tool_number), BAD(tool_without_name),
        BAD(tool_schema_string), BAD(tool_description_number), BAD(thinking_string),
        BAD(thinking_bad_type), BAD(thinking_budget_negative), BAD(thinking_budget_huge),
        BAD(tool_use_input_number), BAD(tool_use_without_id), BAD(tool_use_in_user_message),
        BAD(tool_result_in_assistant), BAD(tool_result_content_object),
        BAD(tool_result_is_error_string), BAD(tool_result_without_id),
        BAD(image_without_source), BAD(image_data_number),
        cmocka_unit_test(too_many_messages_is_413),
        cmocka_unit_test(missing_catalogue_is_an_error),
        cmocka_unit_test(null_optional_fields_count_as_absent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
