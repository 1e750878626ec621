/* test_openai_to_anthropic.c: OpenAI chat.completions requests to Anthropic requests: system
 * and developer messages, content parts and data-URL images, tool_calls, tool messages merged
 * into one user turn, tools and legacy functions, limits and errors; and the whole chain on to
 * a Kiro body. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "translate_fixture.h"

static cJSON *convert_ok(const char *single_quoted)
{
    cJSON *request = fixture_json(single_quoted);
    api_error err;
    cJSON *out = translate_openai_to_anthropic(request, &err);
    cJSON_Delete(request);
    if (!out)
        fail_msg("conversion failed: %d %s", err.status, err.message);
    return out;
}

static api_error convert_error(const char *single_quoted)
{
    cJSON *request = fixture_json(single_quoted);
    api_error err;
    memset(&err, 0, sizeof err);
    cJSON *out = translate_openai_to_anthropic(request, &err);
    cJSON_Delete(request);
    if (out) {
        cJSON_Delete(out);
        fail_msg("conversion unexpectedly succeeded: %s", single_quoted);
    }
    return err;
}

static void text_conversation_and_scalars(void **state)
{
    (void)state;
    cJSON *out = convert_ok("{'model':'gpt-4o','stream':true,'max_tokens':300,'temperature':0.2,"
                            "'messages':[{'role':'system','content':'Be kind.'},"
                            "{'role':'developer','content':[{'type':'text','text':'Be short.'}]},"
                            "{'role':'user','content':'Hello'},"
                            "{'role':'assistant','content':'Hi!'},"
                            "{'role':'user','content':'Bye'}]}");
    assert_string_equal(json_string_at(out, "model"), "gpt-4o");
    assert_true(cJSON_IsTrue(json_at(out, "stream")));
    assert_int_equal(json_at(out, "max_tokens")->valueint, 300);
    assert_null(json_at(out, "temperature"));
    assert_string_equal(json_string_at(out, "system"), "Be kind.\n\nBe short.");
    assert_int_equal(json_array_size_at(out, "messages"), 3);
    assert_string_equal(json_string_at(out, "messages[0].role"), "user");
    assert_string_equal(json_string_at(out, "messages[0].content[0].type"), "text");
    assert_string_equal(json_string_at(out, "messages[0].content[0].text"), "Hello");
    assert_string_equal(json_string_at(out, "messages[1].role"), "assistant");
    assert_string_equal(json_string_at(out, "messages[1].content[0].text"), "Hi!");
    assert_string_equal(json_string_at(out, "messages[2].content[0].text"), "Bye");
    assert_null(json_at(out, "tools"));
    cJSON_Delete(out);
}

static void max_completion_tokens_preferred(void **state)
{
    (void)state;
    cJSON *out = convert_ok("{'model':'m','max_tokens':10,'max_completion_tokens':20,"
                            "'messages':[{'role':'user','content':'x'}]}");
    assert_int_equal(json_at(out, "max_tokens")->valueint, 20);
    cJSON_Delete(out);
    out = convert_ok("{'model':'m','messages':[{'role':'user','content':'x'}]}");
    assert_null(json_at(out, "max_tokens"));
    assert_null(json_at(out, "stream"));
    assert_null(json_at(out, "system"));
    cJSON_Delete(out);
}

static void content_parts_with_data_url_image(void **state)
{
    (void)state;
    cJSON *out = convert_ok("{'model':'m','messages':[{'role':'user','content':["
                            "{'type':'text','text':'What is this?'},"
                            "{'type':'image_url','image_url':{"
                            "'url':'data:image/png;base64,iVBORw0',"
                            "'detail':'high'}},"
                            "{'type':'image_url','image_url':'data:image/jpeg;base64,/9j/'},"
                            "{'type':'input_audio','input_audio':{}}]}]}");
    assert_int_equal(json_array_size_at(out, "messages[0].content"), 3);
    assert_string_equal(json_string_at(out, "messages[0].content[1].type"), "image");
    assert_string_equal(json_string_at(out, "messages[0].content[1].source.type"), "base64");
    assert_string_equal(json_string_at(out, "messages[0].content[1].source.media_type"),
                        "image/png");
    assert_string_equal(json_string_at(out, "messages[0].content[1].source.data"), "iVBORw0");
    assert_string_equal(json_string_at(out, "messages[0].content[2].source.media_type"),
                        "image/jpeg");
    cJSON_Delete(out);
}

static void image_urls_rejected(void **state)
{
    (void)state;
    api_error err = convert_error("{'model':'m','messages':[{'role':'user','content':["
                                  "{'type':'image_url',"
                                  "'image_url':{'url':'https://x.test/a.png'}}]}]}");
    assert_int_equal(err.status, 400);
    assert_string_equal(err.type, "invalid_request_error");
    assert_non_null(strstr(err.message, "data:"));
    err = convert_error("{'model':'m','messages':[{'role':'user','content':["
                        "{'type':'image_url','image_url':{'url':'data:image/png,raw'}}]}]}");
    assert_int_equal(err.status, 400);
    err = convert_error("{'model':'m','messages':[{'role':'user','content':["
                        "{'type':'image_url','image_url':{}}]}]}");
    assert_int_equal(err.status, 400);
    err = convert_error("{'model':'m','messages':[{'role':'system','content':["
                        "{'type':'image_url','image_url':{'url':'data:image/png;base64,AA'}}]},"
                        "{'role':'user','content':'x'}]}");
    assert_int_equal(err.status, 400);
}

static void tool_calls_become_tool_use_blocks(void **state)
{
    (void)state;
    cJSON *out = convert_ok("{'model':'m','messages':[{'role':'user','content':'weather?'},"
                            "{'role':'assistant','content':null,'tool_calls':["
                            "{'id':'call_1','type':'function','function':{'name':'get_weather',"
                            "'arguments':'{\\'city\\':\\'Paris\\',\\'days\\':2}'}},"
                            "{'id':'call_2','type':'function','function':{'name':'broken',"
                            "'arguments':'{not json'}},"
                            "{'id':'call_3','function':{'name':'no_args'}}]}]}");
    const char *blocks = "messages[1].content";
    assert_int_equal(json_array_size_at(out, blocks), 3);
    assert_string_equal(json_string_at(out, "messages[1].content[0].type"), "tool_use");
    assert_string_equal(json_string_at(out, "messages[1].content[0].id"), "call_1");
    assert_string_equal(json_string_at(out, "messages[1].content[0].name"), "get_weather");
    assert_string_equal(json_string_at(out, "messages[1].content[0].input.city"), "Paris");
    assert_int_equal(json_at(out, "messages[1].content[0].input.days")->valueint, 2);
    /* Arguments that are not a JSON object become {}. */
    const cJSON *broken = json_at(out, "messages[1].content[1].input");
    assert_true(cJSON_IsObject(broken));
    assert_null(broken->child);
    assert_true(cJSON_IsObject(json_at(out, "messages[1].content[2].input")));
    cJSON_Delete(out);
}

static void consecutive_tool_messages_share_one_user_turn(void **state)
{
    (void)state;
    cJSON *out = convert_ok("{'model':'m','messages':[{'role':'user','content':'go'},"
                            "{'role':'assistant','tool_calls':["
                            "{'id':'a','type':'function','function':{'name':'f','arguments':'{}'}},"
                            "{'id':'b','type':'function',"
                            "'function':{'name':'f','arguments':'{}'}}]},"
                            "{'role':'tool','tool_call_id':'a','content':'one'},"
                            "{'role':'tool','tool_call_id':'b',"
                            "'content':[{'type':'text','text':'two'}]},"
                            "{'role':'user','content':'thanks'},"
                            "{'role':'tool','tool_call_id':'c','content':'late'}]}");
    assert_int_equal(json_array_size_at(out, "messages"), 5);
    assert_string_equal(json_string_at(out, "messages[2].role"), "user");
    assert_int_equal(json_array_size_at(out, "messages[2].content"), 2);
    assert_string_equal(json_string_at(out, "messages[2].content[0].type"), "tool_result");
    assert_string_equal(json_string_at(out, "messages[2].content[0].tool_use_id"), "a");
    assert_string_equal(json_string_at(out, "messages[2].content[0].content"), "one");
    assert_string_equal(json_string_at(out, "messages[2].content[1].tool_use_id"), "b");
    assert_string_equal(json_string_at(out, "messages[2].content[1].content"), "two");
    assert_string_equal(json_string_at(out, "messages[3].content[0].text"), "thanks");
    /* A tool message after a user message starts a new user turn. */
    assert_string_equal(json_string_at(out, "messages[4].content[0].tool_use_id"), "c");
    cJSON_Delete(out);
}

static void tools_and_legacy_functions_converted(void **state)
{
    (void)state;
    cJSON *out = convert_ok("{'model':'m','messages':[{'role':'user','content':'x'}],"
                            "'tools':[{'type':'function','function':{'name':'search',"
                            "'description':'Search the web','parameters':{'type':'object',"
                            "'properties':{'q':{'type':'string'}},'required':['q']}}},"
                            "{'type':'code_interpreter'},"
                            "{'type':'function','function':{'name':'bare'}}],"
                            "'functions':[{'name':'legacy','parameters':{'type':'object'}}]}");
    assert_int_equal(json_array_size_at(out, "tools"), 3);
    assert_string_equal(json_string_at(out, "tools[0].name"), "search");
    assert_string_equal(json_string_at(out, "tools[0].description"), "Search the web");
    assert_string_equal(json_string_at(out, "tools[0].input_schema.properties.q.type"), "string");
    assert_string_equal(json_string_at(out, "tools[0].input_schema.required[0]"), "q");
    assert_string_equal(json_string_at(out, "tools[1].name"), "bare");
    assert_string_equal(json_string_at(out, "tools[1].input_schema.type"), "object");
    assert_string_equal(json_string_at(out, "tools[2].name"), "legacy");
    cJSON_Delete(out);
}

typedef struct bad_openai {
    const char *json;
    int status;
    const char *fragment;
} bad_openai;

static void openai_errors(void **state)
{
    (void)state;
    static const bad_openai cases[] = {
        { "[]", 400, "JSON object" },
        { "{'messages':[{'role':'user','content':'x'}]}", 400, "model" },
        { "{'model':5,'messages':[{'role':'user','content':'x'}]}", 400, "model" },
        { "{'model':'m','messages':5}", 400, "messages" },
        { "{'model':'m'}", 400, "messages" },
        { "{'model':'m','messages':[]}", 400, "at least one" },
        { "{'model':'m','messages':[{'role':'system','content':'only'}]}", 400, "at least one" },
        { "{'model':'m','messages':[7]}", 400, "messages[0]" },
        { "{'model':'m','messages':[{'content':'x'}]}", 400, "role" },
        { "{'model':'m','messages':[{'role':'robot','content':'x'}]}", 400, "robot" },
        { "{'model':'m','messages':[{'role':'function','name':'f','content':'x'}]}", 400, "role" },
        { "{'model':'m','messages':[{'role':'user','content':{}}]}", 400, "content" },
        { "{'model':'m','messages':[{'role':'user','content':[{'text':'x'}]}]}", 400, "type" },
        { "{'model':'m','messages':[{'role':'user','content':[{'type':'text','text':1}]}]}", 400,
          "text" },
        { "{'model':'m','messages':[{'role':'tool','content':'x'}]}", 400, "tool_call_id" },
        { "{'model':'m','messages':[{'role':'assistant','tool_calls':{}}]}", 400, "tool_calls" },
        { "{'model':'m','messages':[{'role':'assistant','tool_calls':[{'type':'function',"
          "'function':{'name':'f'}}]}]}", 400, "id" },
        { "{'model':'m','messages':[{'role':'assistant','tool_calls':[{'id':'c',"
          "'function':{}}]}]}", 400, "name" },
        { "{'model':'m','messages':[{'role':'assistant','function_call':{'name':'f'}}]}", 400,
          "function_call" },
        { "{'model':'m','max_tokens':'9','messages':[{'role':'user','content':'x'}]}", 400,
          "max_tokens" },
        { "{'model':'m','stream':1,'messages':[{'role':'user','content':'x'}]}", 400, "stream" },
        { "{'model':'m','tools':{},'messages':[{'role':'user','content':'x'}]}", 400, "tools" },
        { "{'model':'m','tools':[{'type':'function','function':{'description':'d'}}],"
          "'messages':[{'role':'user','content':'x'}]}", 400, "name" },
        { "{'model':'m','tools':[{'type':'function','function':{'name':'a','parameters':[]}}],"
          "'messages':[{'role':'user','content':'x'}]}", 400, "parameters" },
        { "{'model':'m','functions':[5],'messages':[{'role':'user','content':'x'}]}", 400,
          "functions[0]" },
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        api_error err = convert_error(cases[i].json);
        if (err.status != cases[i].status || strcmp(err.type, "invalid_request_error") != 0 ||
            !strstr(err.message, cases[i].fragment))
            fail_msg("case %zu: got %d %s \"%s\"", i, err.status, err.type, err.message);
    }
}

static void chain_to_kiro_body(void **state)
{
    (void)state;
    cJSON *anthropic = convert_ok(
        "{'model':'claude-sonnet-4-5','messages':[{'role':'system','content':'Sys'},"
        "{'role':'user','content':'weather?'},"
        "{'role':'assistant','tool_calls':[{'id':'call_1','type':'function',"
        "'function':{'name':'get_weather','arguments':'{\\'city\\':\\'Oslo\\'}'}}]},"
        "{'role':'tool','tool_call_id':'call_1','content':'rain'}],"
        "'tools':[{'type':'function','function':{'name':'get_weather',"
        "'parameters':{'type':'object','additionalProperties':false}}}]}");
    translate_options options = fixture_options();
    kiro_request r;
    api_error err;
    assert_int_equal(translate_anthropic_request(anthropic, &options, &r, &err), 0);
    cJSON *body = cJSON_Parse(r.body);
    assert_string_equal(json_string_at(body, "conversationState.history[0].userInputMessage"
                                             ".content"), "Sys\n\nweather?");
    assert_string_equal(json_string_at(body, "conversationState.history[1]."
                                             "assistantResponseMessage.toolUses[0].input.city"),
                        "Oslo");
    const char *ctx = "conversationState.currentMessage.userInputMessage.userInputMessageContext.";
    char path[160];
    snprintf(path, sizeof path, "%stoolResults[0].content[0].text", ctx);
    assert_string_equal(json_string_at(body, path), "rain");
    snprintf(path, sizeof path, "%stools[0].toolSpecification.inputSchema.json", ctx);
    assert_null(json_at(json_at(body, path), "additionalProperties"));
    snprintf(path, sizeof path, "%stools[0].toolSpecification.description", ctx);
    assert_string_equal(json_string_at(body, path), "Tool get_weather");
    cJSON_Delete(body);
    kiro_request_free(&r);
    fixture_options_done(&options);
    cJSON_Delete(anthropic);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(text_conversation_and_scalars),
        cmocka_unit_test(max_completion_tokens_preferred),
        cmocka_unit_test(content_parts_with_data_url_image),
        cmocka_unit_test(image_urls_rejected),
        cmocka_unit_test(tool_calls_become_tool_use_blocks),
        cmocka_unit_test(consecutive_tool_messages_share_one_user_turn),
        cmocka_unit_test(tools_and_legacy_functions_converted),
        cmocka_unit_test(openai_errors),
        cmocka_unit_test(chain_to_kiro_body),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
