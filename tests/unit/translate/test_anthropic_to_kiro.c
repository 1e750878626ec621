/* test_anthropic_to_kiro.c: the Anthropic -> Kiro translation rules, each checked on the
 * produced JSON by path: body skeleton, system prompt, turn merging and alternation,
 * placeholders, prefill, tool results and uses, images, thinking, size limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "translate/translate_limits.h"
#include "translate_fixture.h"

#define CS "conversationState."
#define CUR CS "currentMessage.userInputMessage."
#define HIST(i) CS "history[" #i "]."

static const char TOOLS_READ[] =
    "'tools':[{'name':'read_file','description':'Reads a file',"
    "'input_schema':{'type':'object','properties':{'path':{'type':'string'}}}}]";

static void body_skeleton_for_one_message(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'claude-sonnet-4-5-20250929','max_tokens':1024,"
                               "'stream':true,'messages':[{'role':'user','content':'Hi'}]}",
                               NULL, &r);
    assert_string_equal(json_string_at(body, CS "agentContinuationId"), FIXTURE_CONTINUATION_ID);
    assert_string_equal(json_string_at(body, CS "conversationId"), FIXTURE_CONVERSATION_ID);
    assert_string_equal(json_string_at(body, CS "agentTaskType"), "vibe");
    assert_string_equal(json_string_at(body, CS "chatTriggerType"), "MANUAL");
    assert_string_equal(json_string_at(body, CUR "content"), "Hi");
    assert_string_equal(json_string_at(body, CUR "modelId"), "claude-sonnet-4.5");
    assert_string_equal(json_string_at(body, CUR "origin"), "AI_EDITOR");
    /* Empty containers and the empty history are left out, as is profileArn. */
    assert_null(json_at(body, CS "history"));
    assert_null(json_at(body, CUR "images"));
    assert_null(json_at(body, CUR "userInputMessageContext"));
    assert_null(json_at(body, "profileArn"));

    assert_string_equal(r.model_id, "claude-sonnet-4.5");
    assert_string_equal(r.client_model, "claude-sonnet-4-5-20250929");
    assert_int_equal(r.stream, 1);
    assert_int_equal(r.thinking, 0);
    assert_int_equal(r.max_tokens, 1024);
    assert_int_equal(r.tool_count, 0);
    assert_null(r.tool_name_map);
    assert_true(r.input_tokens_estimate >= 1);
    kiro_request_free(&r);
    assert_null(r.body);
    cJSON_Delete(body);
}

static void profile_arn_added_when_configured(void **state)
{
    (void)state;
    translate_options options = fixture_options();
    options.profile_arn = "arn:aws:codewhisperer:us-east-1:123:profile/ABC";
    kiro_request r;
    cJSON *body = translate_ok("{'model':'auto','messages':[{'role':'user','content':'Hi'}]}",
                               &options, &r);
    assert_string_equal(json_string_at(body, "profileArn"), options.profile_arn);
    assert_string_equal(json_string_at(body, CUR "modelId"), "auto");
    fixture_options_done(&options);
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void random_ids_when_not_given(void **state)
{
    (void)state;
    translate_options options = fixture_options();
    options.conversation_id = NULL;
    options.continuation_id = NULL;
    kiro_request a, b;
    const char *req = "{'model':'auto','messages':[{'role':'user','content':'Hi'}]}";
    cJSON *body_a = translate_ok(req, &options, &a);
    cJSON *body_b = translate_ok(req, &options, &b);
    const char *id_a = json_string_at(body_a, CS "conversationId");
    assert_int_equal(strlen(id_a), 36);
    assert_int_equal(id_a[14], '4');
    assert_string_not_equal(id_a, json_string_at(body_b, CS "conversationId"));
    assert_string_not_equal(id_a, json_string_at(body_a, CS "agentContinuationId"));
    fixture_options_done(&options);
    kiro_request_free(&a);
    kiro_request_free(&b);
    cJSON_Delete(body_a);
    cJSON_Delete(body_b);
}

static void max_tokens_defaults_to_model_limit(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'claude-opus-4-5','messages':[{'role':'user',"
                               "'content':'Hi'}]}", NULL, &r);
    assert_int_equal(r.max_tokens, 32000);
    assert_int_equal(r.stream, 0);
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void system_string_prepended_to_first_user_turn(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'auto','system':'Be brief.','messages':["
                               "{'role':'user','content':'One'},"
                               "{'role':'assistant','content':'Two'},"
                               "{'role':'user','content':'Three'}]}", NULL, &r);
    assert_int_equal(json_array_size_at(body, CS "history"), 2);
    assert_string_equal(json_string_at(body, HIST(0) "userInputMessage.content"),
                        "Be brief.\n\nOne");
    assert_string_equal(json_string_at(body, HIST(0) "userInputMessage.modelId"), "auto");
    assert_string_equal(json_string_at(body, HIST(0) "userInputMessage.origin"), "AI_EDITOR");
    assert_string_equal(json_string_at(body, HIST(1) "assistantResponseMessage.content"), "Two");
    assert_null(json_at(body, HIST(1) "assistantResponseMessage.toolUses"));
    assert_string_equal(json_string_at(body, CUR "content"), "Three");
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void system_blocks_joined(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'auto','system':[{'type':'text','text':'Alpha'},"
                               "{'type':'text','text':'Beta',"
                               "'cache_control':{'type':'ephemeral'}}],"
                               "'messages':[{'role':'user','content':'Q'}]}", NULL, &r);
    assert_string_equal(json_string_at(body, CUR "content"), "Alpha\nBeta\n\nQ");
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void adjacent_same_role_turns_merged(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'auto','messages':["
                               "{'role':'user','content':'a'},{'role':'user','content':'b'},"
                               "{'role':'assistant','content':'c'},"
                               "{'role':'assistant','content':[{'type':'text','text':'d'}]},"
                               "{'role':'user','content':[{'type':'text','text':'e'},"
                               "{'type':'text','text':'f'}]}]}", NULL, &r);
    assert_int_equal(json_array_size_at(body, CS "history"), 2);
    assert_string_equal(json_string_at(body, HIST(0) "userInputMessage.content"), "a\n\nb");
    assert_string_equal(json_string_at(body, HIST(1) "assistantResponseMessage.content"), "c\n\nd");
    assert_string_equal(json_string_at(body, CUR "content"), "e\nf");
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void conversation_starting_with_assistant_gets_user_turn(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'auto','messages':["
                               "{'role':'assistant','content':'Hello there'},"
                               "{'role':'user','content':'Hi'}]}", NULL, &r);
    assert_int_equal(json_array_size_at(body, CS "history"), 2);
    assert_string_equal(json_string_at(body, HIST(0) "userInputMessage.content"),
                        PLACEHOLDER_USER);
    assert_string_equal(json_string_at(body, HIST(1) "assistantResponseMessage.content"),
                        "Hello there");
    assert_string_equal(json_string_at(body, CUR "content"), "Hi");
    kiro_request_free(&r);
    cJSON_Delete(body);

    /* With a system prompt, the system prompt is the content of that first user turn. */
    body = translate_ok("{'model':'auto','system':'S','messages':["
                        "{'role':'assistant','content':'A'},{'role':'user','content':'U'}]}",
                        NULL, &r);
    assert_string_equal(json_string_at(body, HIST(0) "userInputMessage.content"), "S");
    assert_string_equal(json_string_at(body, CUR "content"), "U");
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void empty_content_gets_placeholders(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'auto','messages':["
                               "{'role':'user','content':''},"
                               "{'role':'assistant','content':[]},"
                               "{'role':'user','content':'  \\n '}]}", NULL, &r);
    assert_string_equal(json_string_at(body, HIST(0) "userInputMessage.content"),
                        PLACEHOLDER_USER);
    assert_string_equal(json_string_at(body, HIST(1) "assistantResponseMessage.content"),
                        PLACEHOLDER_ASSISTANT);
    assert_string_equal(json_string_at(body, CUR "content"), PLACEHOLDER_USER);
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void trailing_assistant_prefill_goes_to_history(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'auto','messages':["
                               "{'role':'user','content':'Write JSON'},"
                               "{'role':'assistant','content':'{'}]}", NULL, &r);
    assert_int_equal(json_array_size_at(body, CS "history"), 2);
    assert_string_equal(json_string_at(body, HIST(0) "userInputMessage.content"), "Write JSON");
    assert_string_equal(json_string_at(body, HIST(1) "assistantResponseMessage.content"), "{");
    assert_string_equal(json_string_at(body, CUR "content"), PLACEHOLDER_CONTINUE);
    assert_string_equal(PLACEHOLDER_CONTINUE, "Continue");
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void tool_loop_produces_tool_uses_and_results(void **state)
{
    (void)state;
    char request[2048];
    snprintf(request, sizeof request,
             "{'model':'auto',%s,'messages':["
             "{'role':'user','content':'Read a.txt'},"
             "{'role':'assistant','content':[{'type':'text','text':'Reading.'},"
             "{'type':'tool_use','id':'toolu_1','name':'read_file','input':{'path':'a.txt'}}]},"
             "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_1',"
             "'content':'hello'}]}]}", TOOLS_READ);
    kiro_request r;
    cJSON *body = translate_ok(request, NULL, &r);
    assert_int_equal(r.tool_count, 1);
    const char *use = HIST(1) "assistantResponseMessage.toolUses[0].";
    char path[160];
    snprintf(path, sizeof path, "%stoolUseId", use);
    assert_string_equal(json_string_at(body, path), "toolu_1");
    snprintf(path, sizeof path, "%sname", use);
    assert_string_equal(json_string_at(body, path), "read_file");
    snprintf(path, sizeof path, "%sinput.path", use);
    assert_string_equal(json_string_at(body, path), "a.txt");
    assert_string_equal(json_string_at(body, HIST(1) "assistantResponseMessage.content"),
                        "Reading.");

    const char *ctx = CUR "userInputMessageContext.";
    snprintf(path, sizeof path, "%stoolResults[0].toolUseId", ctx);
    assert_string_equal(json_string_at(body, path), "toolu_1");
    snprintf(path, sizeof path, "%stoolResults[0].content[0].text", ctx);
    assert_string_equal(json_string_at(body, path), "hello");
    snprintf(path, sizeof path, "%stoolResults[0].status", ctx);
    assert_string_equal(json_string_at(body, path), "success");
    snprintf(path, sizeof path, "%stools[0].toolSpecification.name", ctx);
    assert_string_equal(json_string_at(body, path), "read_file");
    snprintf(path, sizeof path, "%stools[0].toolSpecification.description", ctx);
    assert_string_equal(json_string_at(body, path), "Reads a file");
    snprintf(path, sizeof path, "%stools[0].toolSpecification.inputSchema.json.type", ctx);
    assert_string_equal(json_string_at(body, path), "object");
    assert_string_equal(json_string_at(body, CUR "content"), PLACEHOLDER_TOOL_RESULTS);
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void tool_result_error_status_and_block_content(void **state)
{
    (void)state;
    char request[2048];
    snprintf(request, sizeof request,
             "{'model':'auto',%s,'messages':["
             "{'role':'user','content':'go'},"
             "{'role':'assistant','content':[{'type':'tool_use','id':'t1','name':'read_file',"
             "'input':{}},{'type':'tool_use','id':'t2','name':'read_file'}]},"
             "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t1','is_error':true,"
             "'content':[{'type':'text','text':'no such'},{'type':'text','text':'file'}]},"
             "{'type':'tool_result','tool_use_id':'t2'},{'type':'text','text':'and?'}]}]}",
             TOOLS_READ);
    kiro_request r;
    cJSON *body = translate_ok(request, NULL, &r);
    const char *results = CUR "userInputMessageContext.toolResults";
    char path[160];
    assert_int_equal(json_array_size_at(body, results), 2);
    snprintf(path, sizeof path, "%s[0].status", results);
    assert_string_equal(json_string_at(body, path), "error");
    snprintf(path, sizeof path, "%s[0].content[0].text", results);
    assert_string_equal(json_string_at(body, path), "no such\nfile");
    snprintf(path, sizeof path, "%s[1].content[0].text", results);
    assert_string_equal(json_string_at(body, path), PLACEHOLDER_TOOL_OUTPUT);
    /* A tool_use without input gets the empty object. */
    assert_true(
        cJSON_IsObject(json_at(body, HIST(1) "assistantResponseMessage.toolUses[1].input")));
    assert_string_equal(json_string_at(body, HIST(1) "assistantResponseMessage.content"),
                        PLACEHOLDER_TOOL_USES);
    assert_string_equal(json_string_at(body, CUR "content"), "and?");
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void orphan_tool_result_becomes_text(void **state)
{
    (void)state;
    char request[2048];
    snprintf(request, sizeof request,
             "{'model':'auto',%s,'messages':["
             "{'role':'user','content':'go'},"
             "{'role':'assistant','content':'no tools used'},"
             "{'role':'user','content':[{'type':'tool_result','tool_use_id':'ghost',"
             "'content':'stale output'},{'type':'text','text':'next'}]}]}", TOOLS_READ);
    kiro_request r;
    cJSON *body = translate_ok(request, NULL, &r);
    assert_null(json_at(body, CUR "userInputMessageContext.toolResults"));
    assert_non_null(json_at(body, CUR "userInputMessageContext.tools"));
    assert_string_equal(json_string_at(body, CUR "content"),
                        "next\n[tool result for ghost] stale output");
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void tool_result_for_older_turn_is_orphan(void **state)
{
    (void)state;
    char request[2048];
    snprintf(request, sizeof request,
             "{'model':'auto',%s,'messages':["
             "{'role':'user','content':'go'},"
             "{'role':'assistant','content':[{'type':'tool_use','id':'t1','name':'read_file',"
             "'input':{}}]},"
             "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t1','content':'ok'}]},"
             "{'role':'assistant','content':'done'},"
             "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t1','is_error':true,"
             "'content':'again'}]}]}", TOOLS_READ);
    kiro_request r;
    cJSON *body = translate_ok(request, NULL, &r);
    /* The first result answers the call right before it and stays structured. */
    assert_string_equal(
        json_string_at(body, HIST(2) "userInputMessage.userInputMessageContext.toolResults[0]"
                             ".toolUseId"), "t1");
    assert_null(json_at(body, HIST(2) "userInputMessage.userInputMessageContext.tools"));
    /* The second one does not: its assistant turn made no call. */
    assert_null(json_at(body, CUR "userInputMessageContext.toolResults"));
    assert_string_equal(json_string_at(body, CUR "content"), "[tool result for t1] (error) again");
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void without_tools_tool_blocks_become_text(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'auto','messages':["
                               "{'role':'user','content':'go'},"
                               "{'role':'assistant','content':[{'type':'text','text':'ok'},"
                               "{'type':'tool_use','id':'t9','name':'grep','input':{'q':'x'}}]},"
                               "{'role':'user','content':[{'type':'tool_result',"
                               "'tool_use_id':'t9','content':'found'}]}]}", NULL, &r);
    assert_int_equal(r.tool_count, 0);
    assert_null(json_at(body, HIST(1) "assistantResponseMessage.toolUses"));
    assert_string_equal(json_string_at(body, HIST(1) "assistantResponseMessage.content"),
                        "ok\n[tool use grep (id t9)] {\"q\":\"x\"}");
    assert_null(json_at(body, CUR "userInputMessageContext"));
    assert_string_equal(json_string_at(body, CUR "content"), "[tool result for t9] found");
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void thinking_and_unknown_blocks_dropped(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'auto','messages':["
                               "{'role':'user','content':[{'type':'document','source':{}},"
                               "{'type':'text','text':'q'}]},"
                               "{'role':'assistant','content':[{'type':'thinking',"
                               "'thinking':'secret','signature':'s'},"
                               "{'type':'redacted_thinking','data':'xx'},"
                               "{'type':'text','text':'answer'}]},"
                               "{'role':'user','content':'more'}]}", NULL, &r);
    assert_string_equal(json_string_at(body, HIST(0) "userInputMessage.content"), "q");
    assert_string_equal(json_string_at(body, HIST(1) "assistantResponseMessage.content"),
                        "answer");
    assert_null(strstr(r.body, "secret"));
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void images_converted_in_current_and_history(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'auto','messages':["
                               "{'role':'user','content':[{'type':'image','source':{"
                               "'type':'base64','media_type':'image/jpeg','data':'AAAA'}}]},"
                               "{'role':'assistant','content':'a cat'},"
                               "{'role':'user','content':[{'type':'text','text':'and this?'},"
                               "{'type':'image','source':{'type':'base64',"
                               "'media_type':'image/png','data':'iVBORw=='}},"
                               "{'type':'image','source':{'type':'base64',"
                               "'media_type':'image/webp','data':'UklG'}}]}]}", NULL, &r);
    assert_string_equal(json_string_at(body, HIST(0) "userInputMessage.images[0].format"), "jpeg");
    assert_string_equal(json_string_at(body, HIST(0) "userInputMessage.images[0].source.bytes"),
                        "AAAA");
    assert_string_equal(json_string_at(body, HIST(0) "userInputMessage.content"),
                        PLACEHOLDER_USER);
    assert_int_equal(json_array_size_at(body, CUR "images"), 2);
    assert_string_equal(json_string_at(body, CUR "images[0].format"), "png");
    assert_string_equal(json_string_at(body, CUR "images[0].source.bytes"), "iVBORw==");
    assert_string_equal(json_string_at(body, CUR "images[1].format"), "webp");
    assert_string_equal(json_string_at(body, CUR "content"), "and this?");
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void image_inside_tool_result_moves_to_turn(void **state)
{
    (void)state;
    char request[2048];
    snprintf(request, sizeof request,
             "{'model':'auto',%s,'messages':["
             "{'role':'user','content':'shot'},"
             "{'role':'assistant','content':[{'type':'tool_use','id':'t1','name':'read_file',"
             "'input':{}}]},"
             "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t1','content':["
             "{'type':'text','text':'screenshot'},{'type':'image','source':{'type':'base64',"
             "'media_type':'image/gif','data':'R0lG'}}]}]}]}", TOOLS_READ);
    kiro_request r;
    cJSON *body = translate_ok(request, NULL, &r);
    assert_string_equal(json_string_at(body, CUR "images[0].format"), "gif");
    assert_string_equal(
        json_string_at(body, CUR "userInputMessageContext.toolResults[0].content[0].text"),
        "screenshot");
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void image_errors(void **state)
{
    (void)state;
    api_error err = translate_error("{'model':'auto','messages':[{'role':'user','content':["
                                    "{'type':'image','source':{'type':'url',"
                                    "'url':'https://example.com/a.png'}}]}]}", NULL);
    assert_int_equal(err.status, 400);
    assert_string_equal(err.type, "invalid_request_error");
    assert_non_null(strstr(err.message, "base64"));

    err = translate_error("{'model':'auto','messages':[{'role':'user','content':["
                          "{'type':'image','source':{'type':'base64','media_type':'image/bmp',"
                          "'data':'Qk0='}}]}]}", NULL);
    assert_int_equal(err.status, 400);
    assert_non_null(strstr(err.message, "media_type"));

    err = translate_error("{'model':'auto','messages':[{'role':'assistant','content':["
                          "{'type':'image','source':{'type':'base64','media_type':'image/png',"
                          "'data':'AA'}}]}]}", NULL);
    assert_int_equal(err.status, 400);

    /* Data that is not base64 (bad alphabet, bad length, data after padding): 400, before the
     * upstream can answer with its opaque "Improperly formed request". */
    static const char *const not_base64[] = {"not base64!", "iVBOR", "AA=A", "////===="};
    for (size_t i = 0; i < sizeof not_base64 / sizeof not_base64[0]; i++) {
        char req[256];
        snprintf(req, sizeof req,
                 "{'model':'auto','messages':[{'role':'user','content':[{'type':'image','source':"
                 "{'type':'base64','media_type':'image/png','data':'%s'}}]}]}", not_base64[i]);
        err = translate_error(req, NULL);
        assert_int_equal(err.status, 400);
        assert_non_null(strstr(err.message, "base64"));
    }

    /* An image whose base64 text exceeds the per-image cap: 413. */
    size_t size = TRANSLATE_MAX_IMAGE_BYTES + 1;
    char *data = malloc(size + 1);
    assert_non_null(data);
    memset(data, 'A', size);
    data[size] = '\0';
    cJSON *request = fixture_json("{'model':'auto','messages':[{'role':'user','content':["
                                  "{'type':'image','source':{'type':'base64',"
                                  "'media_type':'image/png'}}]}]}");
    cJSON *source = (cJSON *)json_at(request, "messages[0].content[0].source");
    cJSON_AddStringToObject(source, "data", data);
    free(data);
    err = translate_error_json(request, NULL);
    assert_int_equal(err.status, 413);
    assert_string_equal(err.type, "request_too_large");
    cJSON_Delete(request);
}

static void thinking_prefix_from_request(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'claude-sonnet-4-5','system':'S',"
                               "'thinking':{'type':'enabled','budget_tokens':4096},"
                               "'messages':[{'role':'user','content':'Why?'}]}", NULL, &r);
    assert_int_equal(r.thinking, 1);
    assert_string_equal(json_string_at(body, CUR "content"),
                        "<thinking_mode>enabled</thinking_mode>"
                        "<max_thinking_length>4096</max_thinking_length>S\n\nWhy?");
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void thinking_from_model_suffix_uses_default_budget(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'claude-opus-4-5-thinking','messages':["
                               "{'role':'user','content':'a'},{'role':'assistant','content':'b'},"
                               "{'role':'user','content':'c'}]}", NULL, &r);
    assert_int_equal(r.thinking, 1);
    assert_string_equal(r.model_id, "claude-opus-4.5");
    assert_string_equal(json_string_at(body, CUR "content"),
                        "<thinking_mode>enabled</thinking_mode>"
                        "<max_thinking_length>16000</max_thinking_length>c");
    /* Only the current message carries the prefix. */
    assert_string_equal(json_string_at(body, HIST(0) "userInputMessage.content"), "a");
    kiro_request_free(&r);
    cJSON_Delete(body);

    body = translate_ok("{'model':'claude-opus-4-5','thinking':{'type':'disabled'},"
                        "'messages':[{'role':'user','content':'c'}]}", NULL, &r);
    assert_int_equal(r.thinking, 0);
    assert_string_equal(json_string_at(body, CUR "content"), "c");
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void body_over_upstream_limit_refused(void **state)
{
    (void)state;
    /* Default limit: 600000 bytes. */
    size_t size = 700000;
    char *text = malloc(size + 1);
    assert_non_null(text);
    memset(text, 'x', size);
    text[size] = '\0';
    cJSON *request = fixture_json("{'model':'auto','messages':[{'role':'user'}]}");
    cJSON_AddStringToObject((cJSON *)json_at(request, "messages[0]"), "content", text);
    free(text);
    api_error err = translate_error_json(request, NULL);
    assert_int_equal(err.status, 413);
    assert_string_equal(err.type, "request_too_large");
    assert_non_null(strstr(err.message, "600000"));
    cJSON_Delete(request);

    /* A body just over a configured limit names its exact size. */
    translate_options options = fixture_options();
    options.max_upstream_bytes = 400;
    char content[420];
    memset(content, 'y', 300);
    content[300] = '\0';
    request = fixture_json("{'model':'auto','messages':[{'role':'user'}]}");
    cJSON_AddStringToObject((cJSON *)json_at(request, "messages[0]"), "content", content);
    err = translate_error_json(request, &options);
    assert_int_equal(err.status, 413);
    assert_non_null(strstr(err.message, "request too large for the upstream: "));
    assert_non_null(strstr(err.message, " bytes > 400"));
    cJSON_Delete(request);

    /* The same request passes with a larger limit. */
    options.max_upstream_bytes = 2000;
    request = fixture_json("{'model':'auto','messages':[{'role':'user'}]}");
    cJSON_AddStringToObject((cJSON *)json_at(request, "messages[0]"), "content", content);
    kiro_request r;
    api_error ok_err;
    assert_int_equal(translate_anthropic_request(request, &options, &r, &ok_err), 0);
    assert_true(r.body_len <= 2000 && r.body_len > 300);
    kiro_request_free(&r);
    cJSON_Delete(request);
    fixture_options_done(&options);
}

static void invalid_utf8_passes_through(void **state)
{
    (void)state;
    cJSON *request = fixture_json("{'model':'auto','messages':[{'role':'user'}]}");
    cJSON_AddStringToObject((cJSON *)json_at(request, "messages[0]"), "content",
                            "bad \xff\xfe bytes \xc3");
    translate_options options = fixture_options();
    kiro_request r;
    api_error err;
    assert_int_equal(translate_anthropic_request(request, &options, &r, &err), 0);
    assert_non_null(strstr(r.body, "bad \xff\xfe bytes"));
    kiro_request_free(&r);
    fixture_options_done(&options);
    cJSON_Delete(request);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(body_skeleton_for_one_message),
        cmocka_unit_test(profile_arn_added_when_configured),
        cmocka_unit_test(random_ids_when_not_given),
        cmocka_unit_test(max_tokens_defaults_to_model_limit),
        cmocka_unit_test(system_string_prepended_to_first_user_turn),
        cmocka_unit_test(system_blocks_joined),
        cmocka_unit_test(adjacent_same_role_turns_merged),
        cmocka_unit_test(conversation_starting_with_assistant_gets_user_turn),
        cmocka_unit_test(empty_content_gets_placeholders),
        cmocka_unit_test(trailing_assistant_prefill_goes_to_history),
        cmocka_unit_test(tool_loop_produces_tool_uses_and_results),
        cmocka_unit_test(tool_result_error_status_and_block_content),
        cmocka_unit_test(orphan_tool_result_becomes_text),
        cmocka_unit_test(tool_result_for_older_turn_is_orphan),
        cmocka_unit_test(without_tools_tool_blocks_become_text),
        cmocka_unit_test(thinking_and_unknown_blocks_dropped),
        cmocka_unit_test(images_converted_in_current_and_history),
        cmocka_unit_test(image_inside_tool_result_moves_to_turn),
        cmocka_unit_test(image_errors),
        cmocka_unit_test(thinking_prefix_from_request),
        cmocka_unit_test(thinking_from_model_suffix_uses_default_budget),
        cmocka_unit_test(body_over_upstream_limit_refused),
        cmocka_unit_test(invalid_utf8_passes_through),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
