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

/* The upstream call sets the serving account's profileArn on the parsed body: any JSON object
 * works (even {}), an existing profileArn is replaced, no ARN leaves the body as it was. */
static void profile_arn_set_per_account(void **state)
{
    (void)state;
    static const struct {
        const char *body, *arn, *want;
    } cases[] = {
        {"{}", "arn:a", "{\"profileArn\":\"arn:a\"}"},
        {"{\"x\":1}", "arn:\"q\"", "{\"x\":1,\"profileArn\":\"arn:\\\"q\\\"\"}"},
        {"{\"profileArn\":\"old\",\"y\":[]}", "new", "{\"profileArn\":\"new\",\"y\":[]}"},
        {"{\"x\":1}", "", "{\"x\":1}"},
        {"{ \"kept\" : true }", NULL, "{ \"kept\" : true }"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        kiro_request r = {.body = (char *)cases[i].body, .body_len = strlen(cases[i].body)};
        char *out = NULL;
        size_t len = 0;
        assert_int_equal(kiro_request_body_for_account(&r, cases[i].arn, &out, &len), 0);
        assert_string_equal(out, cases[i].want);
        assert_int_equal(len, strlen(cases[i].want));
        free(out);
    }
    /* Not an object: refused rather than spliced into broken JSON. */
    static const char *const bad[] = {"[]", "", "{", "\"text\""};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        kiro_request r = {.body = (char *)bad[i], .body_len = strlen(bad[i])};
        char *out = (char *)"untouched";
        size_t len = 1;
        assert_int_equal(kiro_request_body_for_account(&r, "arn:a", &out, &len), -1);
        assert_null(out);
    }
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

/* ---- translation rules, one table row per request ------------------------------------ */

typedef enum {
    X_STRING, /* the string at path is value */
    X_ABSENT, /* nothing at path */
    X_SIZE,   /* the array at path has `size` elements */
    X_OBJECT, /* an object at path */
    X_PRESENT,
    X_BODY_LACKS, /* the printed body does not contain value */
} expect_kind;

typedef struct expect {
    expect_kind kind;
    const char *path;
    const char *value;
    int size;
} expect;

#define STR(p, v) {X_STRING, p, v, 0}
#define ABSENT(p) {X_ABSENT, p, NULL, 0}
#define SIZE(p, n) {X_SIZE, p, NULL, n}
#define OBJECT(p) {X_OBJECT, p, NULL, 0}
#define PRESENT(p) {X_PRESENT, p, NULL, 0}
#define BODY_LACKS(v) {X_BODY_LACKS, NULL, v, 0}
#define ANY -1

typedef struct rule_case {
    const char *name;
    const char *request;   /* single-quoted JSON */
    int tool_count;        /* ANY: not checked */
    int thinking;          /* ANY: not checked */
    const char *model_id;  /* NULL: not checked */
    expect expects[12];    /* up to the first with a NULL path and value */
} rule_case;

#define TOOLS_READ_FIELD                                                                        \
    "'tools':[{'name':'read_file','description':'Reads a file',"                                \
    "'input_schema':{'type':'object','properties':{'path':{'type':'string'}}}}]"
#define TR CUR "userInputMessageContext.toolResults"
#define USES HIST(1) "assistantResponseMessage.toolUses"
#define CTX CUR "userInputMessageContext."

static const rule_case rule_cases[] = {
    {"system string prepended to the first user turn",
     "{'model':'auto','system':'Be brief.','messages':[{'role':'user','content':'One'},"
     "{'role':'assistant','content':'Two'},{'role':'user','content':'Three'}]}",
     ANY, ANY, NULL,
     {SIZE(CS "history", 2), STR(HIST(0) "userInputMessage.content", "Be brief.\n\nOne"),
      STR(HIST(0) "userInputMessage.modelId", "auto"),
      STR(HIST(0) "userInputMessage.origin", "AI_EDITOR"),
      STR(HIST(1) "assistantResponseMessage.content", "Two"),
      ABSENT(HIST(1) "assistantResponseMessage.toolUses"), STR(CUR "content", "Three")}},
    {"system blocks joined",
     "{'model':'auto','system':[{'type':'text','text':'Alpha'},{'type':'text','text':'Beta',"
     "'cache_control':{'type':'ephemeral'}}],'messages':[{'role':'user','content':'Q'}]}",
     ANY, ANY, NULL,
     {STR(CUR "content", "Alpha\nBeta\n\nQ")}},
    {"adjacent same-role turns merged",
     "{'model':'auto','messages':[{'role':'user','content':'a'},{'role':'user','content':'b'},"
     "{'role':'assistant','content':'c'},"
     "{'role':'assistant','content':[{'type':'text','text':'d'}]},"
     "{'role':'user','content':[{'type':'text','text':'e'},{'type':'text','text':'f'}]}]}",
     ANY, ANY, NULL,
     {SIZE(CS "history", 2), STR(HIST(0) "userInputMessage.content", "a\n\nb"),
      STR(HIST(1) "assistantResponseMessage.content", "c\n\nd"), STR(CUR "content", "e\nf")}},
    {"a conversation starting with the assistant gets a user turn first",
     "{'model':'auto','messages':[{'role':'assistant','content':'Hello there'},"
     "{'role':'user','content':'Hi'}]}",
     ANY, ANY, NULL,
     {SIZE(CS "history", 2), STR(HIST(0) "userInputMessage.content", PLACEHOLDER_USER),
      STR(HIST(1) "assistantResponseMessage.content", "Hello there"), STR(CUR "content", "Hi")}},
    {"... whose content is the system prompt when there is one",
     "{'model':'auto','system':'S','messages':[{'role':'assistant','content':'A'},"
     "{'role':'user','content':'U'}]}",
     ANY, ANY, NULL,
     {STR(HIST(0) "userInputMessage.content", "S"), STR(CUR "content", "U")}},
    {"empty content gets placeholders",
     "{'model':'auto','messages':[{'role':'user','content':''},"
     "{'role':'assistant','content':[]},{'role':'user','content':'  \\n '}]}",
     ANY, ANY, NULL,
     {STR(HIST(0) "userInputMessage.content", PLACEHOLDER_USER),
      STR(HIST(1) "assistantResponseMessage.content", PLACEHOLDER_ASSISTANT),
      STR(CUR "content", PLACEHOLDER_USER)}},
    {"a trailing assistant prefill goes to the history",
     "{'model':'auto','messages':[{'role':'user','content':'Write JSON'},"
     "{'role':'assistant','content':'{'}]}",
     ANY, ANY, NULL,
     {SIZE(CS "history", 2), STR(HIST(0) "userInputMessage.content", "Write JSON"),
      STR(HIST(1) "assistantResponseMessage.content", "{"),
      STR(CUR "content", PLACEHOLDER_CONTINUE), STR(CUR "content", "Continue")}},
    {"a tool loop gives tool uses and results",
     "{'model':'auto'," TOOLS_READ_FIELD ",'messages':[{'role':'user','content':'Read a.txt'},"
     "{'role':'assistant','content':[{'type':'text','text':'Reading.'},"
     "{'type':'tool_use','id':'toolu_1','name':'read_file','input':{'path':'a.txt'}}]},"
     "{'role':'user','content':[{'type':'tool_result','tool_use_id':'toolu_1',"
     "'content':'hello'}]}]}",
     1, ANY, NULL,
     {STR(USES "[0].toolUseId", "toolu_1"), STR(USES "[0].name", "read_file"),
      STR(USES "[0].input.path", "a.txt"),
      STR(HIST(1) "assistantResponseMessage.content", "Reading."),
      STR(TR "[0].toolUseId", "toolu_1"), STR(TR "[0].content[0].text", "hello"),
      STR(TR "[0].status", "success"), STR(CTX "tools[0].toolSpecification.name", "read_file"),
      STR(CTX "tools[0].toolSpecification.description", "Reads a file"),
      STR(CTX "tools[0].toolSpecification.inputSchema.json.type", "object"),
      STR(CUR "content", PLACEHOLDER_TOOL_RESULTS)}},
    {"tool result error status and block content",
     "{'model':'auto'," TOOLS_READ_FIELD ",'messages':[{'role':'user','content':'go'},"
     "{'role':'assistant','content':[{'type':'tool_use','id':'t1','name':'read_file',"
     "'input':{}},{'type':'tool_use','id':'t2','name':'read_file'}]},"
     "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t1','is_error':true,"
     "'content':[{'type':'text','text':'no such'},{'type':'text','text':'file'}]},"
     "{'type':'tool_result','tool_use_id':'t2'},{'type':'text','text':'and?'}]}]}",
     ANY, ANY, NULL,
     {SIZE(TR, 2), STR(TR "[0].status", "error"), STR(TR "[0].content[0].text", "no such\nfile"),
      STR(TR "[1].content[0].text", PLACEHOLDER_TOOL_OUTPUT),
      OBJECT(USES "[1].input"), /* a tool_use without input gets the empty object */
      STR(HIST(1) "assistantResponseMessage.content", PLACEHOLDER_TOOL_USES),
      STR(CUR "content", "and?")}},
    {"an orphan tool result becomes text",
     "{'model':'auto'," TOOLS_READ_FIELD ",'messages':[{'role':'user','content':'go'},"
     "{'role':'assistant','content':'no tools used'},"
     "{'role':'user','content':[{'type':'tool_result','tool_use_id':'ghost',"
     "'content':'stale output'},{'type':'text','text':'next'}]}]}",
     ANY, ANY, NULL,
     {ABSENT(TR), PRESENT(CTX "tools"),
      STR(CUR "content", "next\n[tool result for ghost] stale output")}},
    {"a tool result for an older turn is an orphan",
     "{'model':'auto'," TOOLS_READ_FIELD ",'messages':[{'role':'user','content':'go'},"
     "{'role':'assistant','content':[{'type':'tool_use','id':'t1','name':'read_file',"
     "'input':{}}]},"
     "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t1','content':'ok'}]},"
     "{'role':'assistant','content':'done'},"
     "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t1','is_error':true,"
     "'content':'again'}]}]}",
     ANY, ANY, NULL,
     /* The first result answers the call right before it and stays structured; the second
      * does not: its assistant turn made no call. */
     {STR(HIST(2) "userInputMessage.userInputMessageContext.toolResults[0].toolUseId", "t1"),
      ABSENT(HIST(2) "userInputMessage.userInputMessageContext.tools"), ABSENT(TR),
      STR(CUR "content", "[tool result for t1] (error) again")}},
    {"without tools, tool blocks become text",
     "{'model':'auto','messages':[{'role':'user','content':'go'},"
     "{'role':'assistant','content':[{'type':'text','text':'ok'},"
     "{'type':'tool_use','id':'t9','name':'grep','input':{'q':'x'}}]},"
     "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t9','content':'found'}]}]}",
     0, ANY, NULL,
     {ABSENT(USES), STR(HIST(1) "assistantResponseMessage.content",
                        "ok\n[tool use grep (id t9)] {\"q\":\"x\"}"),
      ABSENT(CUR "userInputMessageContext"), STR(CUR "content", "[tool result for t9] found")}},
    {"thinking and unknown blocks dropped",
     "{'model':'auto','messages':[{'role':'user','content':[{'type':'document','source':{}},"
     "{'type':'text','text':'q'}]},"
     "{'role':'assistant','content':[{'type':'thinking','thinking':'secret','signature':'s'},"
     "{'type':'redacted_thinking','data':'xx'},{'type':'text','text':'answer'}]},"
     "{'role':'user','content':'more'}]}",
     ANY, ANY, NULL,
     {STR(HIST(0) "userInputMessage.content", "q"),
      STR(HIST(1) "assistantResponseMessage.content", "answer"), BODY_LACKS("secret")}},
    {"images converted in the current message and the history",
     "{'model':'auto','messages':[{'role':'user','content':[{'type':'image','source':{"
     "'type':'base64','media_type':'image/jpeg','data':'AAAA'}}]},"
     "{'role':'assistant','content':'a cat'},"
     "{'role':'user','content':[{'type':'text','text':'and this?'},"
     "{'type':'image','source':{'type':'base64','media_type':'image/png','data':'iVBORw=='}},"
     "{'type':'image','source':{'type':'base64','media_type':'image/webp','data':'UklG'}}]}]}",
     ANY, ANY, NULL,
     {STR(HIST(0) "userInputMessage.images[0].format", "jpeg"),
      STR(HIST(0) "userInputMessage.images[0].source.bytes", "AAAA"),
      STR(HIST(0) "userInputMessage.content", PLACEHOLDER_USER), SIZE(CUR "images", 2),
      STR(CUR "images[0].format", "png"), STR(CUR "images[0].source.bytes", "iVBORw=="),
      STR(CUR "images[1].format", "webp"), STR(CUR "content", "and this?")}},
    {"an image inside a tool result moves to the turn",
     "{'model':'auto'," TOOLS_READ_FIELD ",'messages':[{'role':'user','content':'shot'},"
     "{'role':'assistant','content':[{'type':'tool_use','id':'t1','name':'read_file',"
     "'input':{}}]},"
     "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t1','content':["
     "{'type':'text','text':'screenshot'},{'type':'image','source':{'type':'base64',"
     "'media_type':'image/gif','data':'R0lG'}}]}]}]}",
     ANY, ANY, NULL,
     {STR(CUR "images[0].format", "gif"), STR(TR "[0].content[0].text", "screenshot")}},
    {"thinking prefix from the request",
     "{'model':'claude-sonnet-4-5','system':'S','thinking':{'type':'enabled',"
     "'budget_tokens':4096},'messages':[{'role':'user','content':'Why?'}]}",
     ANY, 1, NULL,
     {STR(CUR "content", "<thinking_mode>enabled</thinking_mode>"
                         "<max_thinking_length>4096</max_thinking_length>S\n\nWhy?")}},
    {"thinking from the model suffix uses the default budget, in the current message only",
     "{'model':'claude-opus-4-5-thinking','messages':[{'role':'user','content':'a'},"
     "{'role':'assistant','content':'b'},{'role':'user','content':'c'}]}",
     ANY, 1, "claude-opus-4.5",
     {STR(CUR "content", "<thinking_mode>enabled</thinking_mode>"
                         "<max_thinking_length>16000</max_thinking_length>c"),
      STR(HIST(0) "userInputMessage.content", "a")}},
    {"thinking disabled",
     "{'model':'claude-opus-4-5','thinking':{'type':'disabled'},"
     "'messages':[{'role':'user','content':'c'}]}",
     ANY, 0, NULL,
     {STR(CUR "content", "c")}},
};

static void check_expect(const rule_case *c, const cJSON *body, const kiro_request *r,
                         const expect *x)
{
    switch (x->kind) {
    case X_STRING:
        if (strcmp(json_string_at(body, x->path), x->value) != 0)
            fail_msg("%s: %s is \"%s\", want \"%s\"", c->name, x->path,
                     json_string_at(body, x->path), x->value);
        break;
    case X_ABSENT:
        if (json_at(body, x->path))
            fail_msg("%s: %s should be absent", c->name, x->path);
        break;
    case X_SIZE:
        if (json_array_size_at(body, x->path) != x->size)
            fail_msg("%s: %s has %d elements, want %d", c->name, x->path,
                     json_array_size_at(body, x->path), x->size);
        break;
    case X_OBJECT:
        if (!cJSON_IsObject(json_at(body, x->path)))
            fail_msg("%s: %s should be an object", c->name, x->path);
        break;
    case X_PRESENT:
        if (!json_at(body, x->path))
            fail_msg("%s: %s should be present", c->name, x->path);
        break;
    case X_BODY_LACKS:
        if (strstr(r->body, x->value))
            fail_msg("%s: the body contains \"%s\"", c->name, x->value);
        break;
    }
}

static void translation_rules(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof rule_cases / sizeof rule_cases[0]; i++) {
        const rule_case *c = &rule_cases[i];
        kiro_request r;
        cJSON *body = translate_ok(c->request, NULL, &r);
        if (c->tool_count != ANY && r.tool_count != c->tool_count)
            fail_msg("%s: tool_count %d, want %d", c->name, r.tool_count, c->tool_count);
        if (c->thinking != ANY && r.thinking != c->thinking)
            fail_msg("%s: thinking %d, want %d", c->name, r.thinking, c->thinking);
        if (c->model_id && strcmp(r.model_id, c->model_id) != 0)
            fail_msg("%s: model_id %s, want %s", c->name, r.model_id, c->model_id);
        for (size_t k = 0; k < sizeof c->expects / sizeof c->expects[0]; k++) {
            const expect *x = &c->expects[k];
            if (!x->path && !x->value)
                break;
            check_expect(c, body, &r, x);
        }
        kiro_request_free(&r);
        cJSON_Delete(body);
    }
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
        cmocka_unit_test(profile_arn_set_per_account),
        cmocka_unit_test(random_ids_when_not_given),
        cmocka_unit_test(max_tokens_defaults_to_model_limit),
        cmocka_unit_test(translation_rules),
        cmocka_unit_test(image_errors),
        cmocka_unit_test(body_over_upstream_limit_refused),
        cmocka_unit_test(invalid_utf8_passes_through),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
