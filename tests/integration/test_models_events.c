/* test_models_events.c: issue 12's "models and events" end to end, kiro-proxy-async in front of
 * fake-kiro:
 *   - /v1/models carries the upstream ListAvailableModels fields, and models from every page
 *     of the paged answer (one is only on the second page);
 *   - usage from the upstream's messageMetadataEvent (cache read / write tokens) in Anthropic
 *     streams and messages and in OpenAI's usage;
 *   - stop_reason model_context_window_exceeded when the context usage reaches 100% (and the
 *     model's own window from the catalogue);
 *   - web_search through Kiro's MCP endpoint, streamed and not, every MCP failure shown as a
 *     result saying so, a hung endpoint bounded by the timeout, a refused credential failed
 *     over; web_search among other tools through the search loop.
 * Each fault is switched on in fake-kiro for one test and proven to be in effect (a control
 * without it, or a counter) before the result is believed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <cjson/cJSON.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "http.h"
#include "sse.h"
#include "stack.h"

#define TIMEOUT_MS 20000
#define TOKEN_A "test-access-token-aaaaaaaaaaaaaaaa"
#define TOKEN_B "test-access-token-cccccccccccccccc"
#define PAGE_TWO_MODEL "claude-paging-probe-1"
/* The proxy waits this long for the MCP answer (its first-byte timeout). */
#define SEARCH_TIMEOUT_MS 3000

static test_stack stack;

static int group_setup(void **state)
{
    (void)state;
    static const char *const fake_args[] = {"--extra-model", PAGE_TWO_MODEL, NULL};
    static const char *const proxy_args[] = {"--first-byte-timeout-ms", "3000", NULL};
    static const char credentials[] =
        "[{\"id\":1,\"accessToken\":\"" TOKEN_A "\",\"refreshToken\":\"refresh-a-000000000000\","
        "\"expiresAt\":\"2099-01-01T00:00:00Z\",\"authMethod\":\"social\",\"profileArn\":"
        "\"arn:aws:codewhisperer:us-east-1:000000000000:profile/TEST\"},"
        "{\"id\":2,\"accessToken\":\"" TOKEN_B "\",\"refreshToken\":\"refresh-b-000000000000\","
        "\"expiresAt\":\"2099-01-01T00:00:00Z\",\"authMethod\":\"social\",\"profileArn\":"
        "\"arn:aws:codewhisperer:us-east-1:000000000000:profile/TEST\"}]";
    stack_options o = {.proxy = "kiro-proxy-async",
                       .fake_args = fake_args,
                       .proxy_args = proxy_args,
                       .credentials_json = credentials};
    return stack_start(&stack, &o);
}

static int group_teardown(void **state)
{
    (void)state;
    return stack_stop(&stack);
}

/* ---- helpers ------------------------------------------------------------------------------ */

static cJSON *json_of(const tp_response *r)
{
    cJSON *j = cJSON_Parse(r->body);
    if (!j)
        fail_msg("not JSON (status %ld): %.300s", r->status, r->body);
    return j;
}

/* The value at a "/"-separated path (array indices as numbers). */
static const cJSON *at(const cJSON *root, const char *path)
{
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    const cJSON *node = root;
    for (char *save = NULL, *key = strtok_r(buf, "/", &save); node && key;
         key = strtok_r(NULL, "/", &save)) {
        if (cJSON_IsArray(node))
            node = cJSON_GetArrayItem(node, atoi(key));
        else
            node = cJSON_GetObjectItemCaseSensitive(node, key);
    }
    return node;
}

static const char *str(const cJSON *root, const char *path)
{
    const cJSON *v = at(root, path);
    if (!cJSON_IsString(v))
        fail_msg("no string at %s", path);
    return v->valuestring;
}

static double num(const cJSON *root, const char *path)
{
    const cJSON *v = at(root, path);
    if (!cJSON_IsNumber(v))
        fail_msg("no number at %s", path);
    return v->valuedouble;
}

static void fake_faults(const char *json)
{
    tp_response r;
    assert_int_equal(stack_fake_request(&stack, "POST", "/__fake/faults", json, &r), 0);
    if (r.status != 200)
        fail_msg("fake-kiro refused %s: %s", json, r.body);
    tp_response_free(&r);
}

static void fake_reset(void)
{
    tp_response r;
    assert_int_equal(stack_fake_request(&stack, "POST", "/__fake/reset", "{}", &r), 0);
    assert_int_equal(r.status, 200);
    tp_response_free(&r);
}

static cJSON *fake_get(const char *path)
{
    tp_response r;
    assert_int_equal(stack_fake_request(&stack, "GET", path, NULL, &r), 0);
    assert_int_equal(r.status, 200);
    cJSON *j = json_of(&r);
    tp_response_free(&r);
    return j;
}

static long fake_stat(const char *path)
{
    cJSON *stats = fake_get("/__fake/stats");
    long n = (long)num(stats, path);
    cJSON_Delete(stats);
    return n;
}

/* POST path with body; returns the parsed JSON answer (expects want_status). */
static cJSON *post_json(const char *path, const char *body, long want_status)
{
    tp_response r;
    assert_int_equal(stack_request(&stack, "POST", path, body, 1, TIMEOUT_MS, &r), 0);
    if (r.status != want_status)
        fail_msg("%s: status %ld, wanted %ld: %.400s", path, r.status, want_status, r.body);
    cJSON *j = json_of(&r);
    tp_response_free(&r);
    return j;
}

/* POST a streaming request and parse its events. */
static void post_stream(const char *path, const char *body, sse_list *l)
{
    tp_response r;
    assert_int_equal(stack_request(&stack, "POST", path, body, 1, TIMEOUT_MS, &r), 0);
    assert_int_equal(r.status, 200);
    assert_non_null(strstr(r.content_type, "text/event-stream"));
    assert_int_equal(sse_parse(r.body, l), 0);
    tp_response_free(&r);
}

static const cJSON *event_json(const sse_list *l, const char *name)
{
    int i = sse_find(l, name, 0);
    if (i < 0)
        fail_msg("no %s event", name);
    return l->events[i].json;
}

static char *message_body(const char *model, int stream, const char *prompt)
{
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "model", model);
    cJSON_AddNumberToObject(req, "max_tokens", 200);
    if (stream)
        cJSON_AddTrueToObject(req, "stream");
    cJSON *messages = cJSON_AddArrayToObject(req, "messages");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", "user");
    cJSON_AddStringToObject(m, "content", prompt);
    cJSON_AddItemToArray(messages, m);
    char *text = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    return text;
}

/* ---- models ------------------------------------------------------------------------------- */

static const cJSON *model_by_id(const cJSON *list, const char *id)
{
    const cJSON *m;
    cJSON_ArrayForEach(m, at(list, "data"))
    {
        const cJSON *mid = cJSON_GetObjectItemCaseSensitive(m, "id");
        if (cJSON_IsString(mid) && strcmp(mid->valuestring, id) == 0)
            return m;
    }
    return NULL;
}

/* /v1/models once the background refresh has brought the upstream list (polled: the refresh
 * runs on its own thread shortly after start). */
static cJSON *refreshed_models(void)
{
    for (int attempt = 0; attempt < 150; attempt++) {
        tp_response r;
        assert_int_equal(stack_request(&stack, "GET", "/v1/models", NULL, 1, TIMEOUT_MS, &r), 0);
        assert_int_equal(r.status, 200);
        cJSON *list = json_of(&r);
        tp_response_free(&r);
        if (model_by_id(list, PAGE_TWO_MODEL))
            return list;
        cJSON_Delete(list);
        usleep(100 * 1000);
    }
    fail_msg("the model list never showed the model of the second page");
    return NULL;
}

static void test_models_carry_upstream_fields(void **state)
{
    (void)state;
    cJSON *list = refreshed_models();
    /* the list came in two pages */
    assert_true(fake_stat("requests/ListAvailableModels") >= 2);
    assert_int_equal(cJSON_GetArraySize(at(list, "data")), 8);
    const cJSON *sonnet = model_by_id(list, "claude-sonnet-4.5");
    assert_non_null(sonnet);
    /* Anthropic's and kiro-go's fields are still there */
    assert_string_equal(str(sonnet, "type"), "model");
    assert_string_equal(str(sonnet, "display_name"), "Claude Sonnet 4.5");
    assert_string_equal(str(sonnet, "created_at"), "2025-09-29T00:00:00Z");
    assert_string_equal(str(sonnet, "object"), "model");
    assert_string_equal(str(sonnet, "owned_by"), "anthropic");
    assert_int_equal(num(sonnet, "max_tokens"), 64000);
    /* and the upstream's */
    assert_true(num(sonnet, "rateMultiplier") == 1.3);
    assert_string_equal(str(sonnet, "rateUnit"), "Credit");
    assert_string_equal(str(sonnet, "description"), "The latest Claude Sonnet model");
    assert_int_equal(num(sonnet, "tokenLimits/maxInputTokens"), 200000);
    assert_int_equal(num(sonnet, "tokenLimits/maxOutputTokens"), 64000);
    assert_string_equal(str(sonnet, "supportedInputTypes/0"), "TEXT");
    assert_string_equal(str(sonnet, "supportedInputTypes/1"), "IMAGE");
    assert_true(cJSON_IsTrue(at(sonnet, "promptCaching/supportsPromptCaching")));
    const cJSON *haiku = model_by_id(list, "claude-haiku-4.5");
    assert_true(num(haiku, "rateMultiplier") == 0.4);
    /* a stated null output limit stays null */
    const cJSON *autom = model_by_id(list, "auto");
    assert_true(cJSON_IsNull(at(autom, "tokenLimits/maxOutputTokens")));
    assert_int_equal(num(autom, "tokenLimits/maxInputTokens"), 200000);
    assert_int_equal(num(model_by_id(list, "claude-sonnet-4.6"), "tokenLimits/maxInputTokens"),
                     1000000);
    cJSON_Delete(list);

    tp_response r;
    assert_int_equal(
        stack_request(&stack, "GET", "/v1/models/claude-haiku-4-5", NULL, 1, TIMEOUT_MS, &r), 0);
    assert_int_equal(r.status, 200);
    cJSON *one = json_of(&r);
    assert_true(num(one, "rateMultiplier") == 0.4);
    assert_string_equal(str(one, "rateUnit"), "Credit");
    cJSON_Delete(one);
    tp_response_free(&r);
}

/* ---- usage -------------------------------------------------------------------------------- */

/* The input tokens fake-kiro reports for the last request: its body bytes / 4. */
static long fake_input_tokens(void)
{
    cJSON *last = fake_get("/__fake/last-request");
    long tokens = (long)num(last, "body_bytes") / 4;
    cJSON_Delete(last);
    return tokens;
}

static void test_usage_with_cache_tokens(void **state)
{
    (void)state;
    char prompt[3000];
    memset(prompt, 'p', sizeof prompt - 1);
    prompt[sizeof prompt - 1] = '\0';
    char *json_body = message_body("claude-sonnet-4.5", 0, prompt);
    char *stream_body = message_body("claude-sonnet-4.5", 1, prompt);

    /* control: without the usage event the cache counts are 0 */
    cJSON *m = post_json("/v1/messages", json_body, 200);
    assert_int_equal(num(m, "usage/cache_read_input_tokens"), 0);
    assert_int_equal(num(m, "usage/cache_creation_input_tokens"), 0);
    cJSON_Delete(m);

    fake_faults("{\"metadata\":true,\"metadata_event\":\"messageMetadataEvent\","
                "\"cache_read_tokens\":300,\"cache_write_tokens\":40}");
    m = post_json("/v1/messages", json_body, 200);
    long total = fake_input_tokens();
    assert_true(total > 340);
    assert_int_equal(num(m, "usage/cache_read_input_tokens"), 300);
    assert_int_equal(num(m, "usage/cache_creation_input_tokens"), 40);
    assert_int_equal(num(m, "usage/input_tokens"), total - 340);
    assert_true(num(m, "usage/output_tokens") >= 1);
    cJSON_Delete(m);

    sse_list l;
    post_stream("/v1/messages", stream_body, &l);
    /* message_start knows only the estimate; message_delta carries the upstream's counts */
    assert_int_equal(num(event_json(&l, "message_start"), "message/usage/cache_read_input_tokens"),
                     0);
    const cJSON *delta = event_json(&l, "message_delta");
    assert_int_equal(num(delta, "usage/cache_read_input_tokens"), 300);
    assert_int_equal(num(delta, "usage/cache_creation_input_tokens"), 40);
    assert_int_equal(num(delta, "usage/input_tokens"), fake_input_tokens() - 340);
    assert_int_not_equal(sse_find(&l, "message_stop", 0), -1);
    sse_free(&l);

    /* OpenAI: every input token in prompt_tokens, the cache hits in cached_tokens */
    char openai[4000];
    snprintf(
        openai, sizeof openai,
        "{\"model\":\"claude-sonnet-4.5\",\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}",
        prompt);
    cJSON *c = post_json("/v1/chat/completions", openai, 200);
    long openai_total = fake_input_tokens();
    assert_int_equal(num(c, "usage/prompt_tokens"), openai_total);
    assert_int_equal(num(c, "usage/prompt_tokens_details/cached_tokens"), 300);
    assert_int_equal(num(c, "usage/total_tokens"),
                     openai_total + (long)num(c, "usage/completion_tokens"));
    cJSON_Delete(c);
    fake_reset();
    free(json_body);
    free(stream_body);
}

/* ---- context window ----------------------------------------------------------------------- */

static void test_context_window_exceeded(void **state)
{
    (void)state;
    char *json_body = message_body("claude-sonnet-4-5", 0, "fill the context");
    char *stream_body = message_body("claude-sonnet-4-5", 1, "fill the context");

    /* control: half full ends normally, and the input is half of the model's 200K window */
    fake_faults("{\"context_usage\":50}");
    cJSON *m = post_json("/v1/messages", json_body, 200);
    assert_string_equal(str(m, "stop_reason"), "end_turn");
    assert_int_equal(num(m, "usage/input_tokens"), 100000);
    cJSON_Delete(m);

    fake_faults("{\"context_usage\":100}");
    m = post_json("/v1/messages", json_body, 200);
    assert_string_equal(str(m, "stop_reason"), "model_context_window_exceeded");
    assert_int_equal(num(m, "usage/input_tokens"), 200000);
    assert_string_equal(str(m, "content/0/type"), "text"); /* the answer is still there */
    cJSON_Delete(m);

    sse_list l;
    post_stream("/v1/messages", stream_body, &l);
    assert_string_equal(str(event_json(&l, "message_delta"), "delta/stop_reason"),
                        "model_context_window_exceeded");
    assert_int_equal(sse_find(&l, "error", 0), -1);
    assert_int_not_equal(sse_find(&l, "message_stop", 0), -1);
    sse_free(&l);

    cJSON *c = post_json("/v1/chat/completions",
                         "{\"model\":\"claude-sonnet-4.5\",\"messages\":[{\"role\":\"user\","
                         "\"content\":\"x\"}]}",
                         200);
    assert_string_equal(str(c, "choices/0/finish_reason"), "length");
    cJSON_Delete(c);

    /* the upstream's own stopReason says the same without the percentage */
    fake_faults("{\"context_usage\":0,\"stop_reason\":\"MODEL_CONTEXT_WINDOW_EXCEEDED\"}");
    m = post_json("/v1/messages", json_body, 200);
    assert_string_equal(str(m, "stop_reason"), "model_context_window_exceeded");
    cJSON_Delete(m);

    /* a 4.6 model's window is 1M (from ListAvailableModels): 10% is 100000 tokens */
    fake_faults("{\"stop_reason\":null,\"context_usage\":10}");
    char *big = message_body("claude-sonnet-4.6", 0, "x");
    m = post_json("/v1/messages", big, 200);
    assert_int_equal(num(m, "usage/input_tokens"), 100000);
    assert_string_equal(str(m, "stop_reason"), "end_turn");
    cJSON_Delete(m);
    free(big);
    fake_reset();
    free(json_body);
    free(stream_body);
}

/* ---- web_search --------------------------------------------------------------------------- */

static char *search_body(int stream, const char *query)
{
    char prompt[4200];
    snprintf(prompt, sizeof prompt, "Perform a web search for the query: %s", query);
    cJSON *req = cJSON_CreateObject();
    cJSON_AddStringToObject(req, "model", "claude-sonnet-4-5-20250929");
    cJSON_AddNumberToObject(req, "max_tokens", 4096);
    if (stream)
        cJSON_AddTrueToObject(req, "stream");
    cJSON *tools = cJSON_AddArrayToObject(req, "tools");
    cJSON *tool = cJSON_CreateObject();
    cJSON_AddStringToObject(tool, "type", "web_search_20250305");
    cJSON_AddStringToObject(tool, "name", "web_search");
    cJSON_AddNumberToObject(tool, "max_uses", 8);
    cJSON_AddItemToArray(tools, tool);
    cJSON *messages = cJSON_AddArrayToObject(req, "messages");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", "user");
    cJSON_AddStringToObject(m, "content", prompt);
    cJSON_AddItemToArray(messages, m);
    char *text = cJSON_PrintUnformatted(req);
    cJSON_Delete(req);
    return text;
}

static void test_web_search(void **state)
{
    (void)state;
    long turns = fake_stat("requests/generateAssistantResponse");
    char *body = search_body(0, "kiro gateway paging");
    cJSON *m = post_json("/v1/messages", body, 200);
    assert_string_equal(str(m, "type"), "message");
    assert_string_equal(str(m, "model"), "claude-sonnet-4-5-20250929");
    assert_string_equal(str(m, "stop_reason"), "end_turn");
    assert_string_equal(str(m, "content/1/type"), "server_tool_use");
    assert_string_equal(str(m, "content/1/name"), "web_search");
    assert_string_equal(str(m, "content/1/input/query"), "kiro gateway paging");
    const char *id = str(m, "content/1/id");
    assert_int_equal(strncmp(id, "srvtoolu_", 9), 0);
    assert_string_equal(str(m, "content/2/type"), "web_search_tool_result");
    assert_string_equal(str(m, "content/2/tool_use_id"), id);
    assert_int_equal(cJSON_GetArraySize(at(m, "content/2/content")), 3);
    assert_string_equal(str(m, "content/2/content/0/title"), "Result 1 for kiro gateway paging");
    assert_string_equal(str(m, "content/2/content/0/url"),
                        "https://example.com/fake-kiro/1?q=kiro%20gateway%20paging");
    assert_string_equal(str(m, "content/2/content/0/page_age"), "January 1, 2025");
    assert_non_null(strstr(str(m, "content/3/text"), "Result 3 for kiro gateway paging"));
    assert_int_equal(num(m, "usage/server_tool_use/web_search_requests"), 1);
    cJSON_Delete(m);
    free(body);

    /* what went to Kiro's MCP endpoint */
    cJSON *last = fake_get("/__fake/last-mcp-request");
    assert_string_equal(str(last, "path"), "/mcp");
    assert_string_equal(str(last, "body/method"), "tools/call");
    assert_string_equal(str(last, "body/params/name"), "web_search");
    assert_string_equal(str(last, "body/params/arguments/query"), "kiro gateway paging");
    assert_int_equal(strncmp(str(last, "body/id"), "web_search_tooluse_", 19), 0);
    assert_int_equal(strncmp(str(last, "headers/Authorization"), "Bearer test-access-token-", 25),
                     0);
    assert_string_equal(str(last, "headers/x-amzn-kiro-profile-arn"),
                        "arn:aws:codewhisperer:us-east-1:000000000000:profile/TEST");
    assert_non_null(strstr(str(last, "headers/x-amz-user-agent"), "KiroIDE-"));
    cJSON_Delete(last);
    /* a search is not a conversation turn */
    assert_int_equal(fake_stat("requests/generateAssistantResponse"), turns);

    /* streamed */
    body = search_body(1, "stream me");
    sse_list l;
    post_stream("/v1/messages", body, &l);
    static const char *const order[] = {
        "message_start",       "content_block_start", "content_block_delta", "content_block_stop",
        "content_block_start", "content_block_stop",  "content_block_start", "content_block_stop",
        "content_block_start", "content_block_delta"};
    assert_true(l.count > 12);
    for (size_t i = 0; i < sizeof order / sizeof order[0]; i++)
        assert_string_equal(l.events[i].name, order[i]);
    assert_string_equal(str(l.events[4].json, "content_block/type"), "server_tool_use");
    assert_string_equal(str(l.events[6].json, "content_block/type"), "web_search_tool_result");
    assert_string_equal(str(l.events[6].json, "content_block/content/1/title"),
                        "Result 2 for stream me");
    assert_string_equal(l.events[l.count - 1].name, "message_stop");
    assert_int_equal(
        num(event_json(&l, "message_delta"), "usage/server_tool_use/web_search_requests"), 1);
    sse_free(&l);
    free(body);

    /* no query: a client error, nothing sent upstream */
    long searches = fake_stat("requests/mcp");
    cJSON *e =
        post_json("/v1/messages",
                  "{\"model\":\"claude-sonnet-4.5\",\"max_tokens\":10,\"tools\":[{\"type\":"
                  "\"web_search_20250305\",\"name\":\"web_search\"}],\"messages\":[{\"role\":"
                  "\"user\",\"content\":\"Perform a web search for the query: \"}]}",
                  400);
    assert_string_equal(str(e, "error/type"), "invalid_request_error");
    cJSON_Delete(e);
    /* a query over the limit: Anthropic's query_too_long, still nothing sent */
    char long_query[2100];
    memset(long_query, 'q', sizeof long_query - 1);
    long_query[sizeof long_query - 1] = '\0';
    body = search_body(0, long_query);
    m = post_json("/v1/messages", body, 200);
    assert_string_equal(str(m, "content/2/content/error_code"), "query_too_long");
    assert_int_equal(num(m, "usage/server_tool_use/web_search_requests"), 0);
    cJSON_Delete(m);
    free(body);
    assert_int_equal(fake_stat("requests/mcp"), searches);
}

typedef struct failure_case {
    const char *faults;
    const char *error_code;
    const char *message_part;
} failure_case;

static void test_web_search_failures_say_so(void **state)
{
    (void)state;
    static const failure_case cases[] = {
        {"{\"mcp_status\":500}", "unavailable", "HTTP 500"},
        {"{\"mcp_status\":429}", "too_many_requests", "HTTP 429"},
        {"{\"mcp_rpc_error\":true}", "unavailable", "-32603"},
        {"{\"mcp_tool_error\":true}", "unavailable", "timed out"},
        {"{\"mcp_garbage\":true}", "unavailable", "not a JSON object"},
    };
    char *body = search_body(0, "doomed search");
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fake_reset();
        fake_faults(cases[i].faults);
        cJSON *m = post_json("/v1/messages", body, 200);
        /* the fault was in effect: fake-kiro injected it */
        assert_int_equal(fake_stat("faults_injected"), 1);
        assert_string_equal(str(m, "content/2/type"), "web_search_tool_result");
        assert_string_equal(str(m, "content/2/content/type"), "web_search_tool_result_error");
        assert_string_equal(str(m, "content/2/content/error_code"), cases[i].error_code);
        const char *summary = str(m, "content/3/text");
        if (!strstr(summary, "failed") || !strstr(summary, cases[i].message_part))
            fail_msg("%s: summary does not say why: %s", cases[i].faults, summary);
        cJSON_Delete(m);
    }
    fake_reset();
    free(body);
}

typedef struct background {
    char *body;
    tp_response response;
} background;

static void *post_in_background(void *arg)
{
    background *b = arg;
    stack_request(&stack, "POST", "/v1/messages", b->body, 1, TIMEOUT_MS, &b->response);
    return NULL;
}

static void test_web_search_hang_is_bounded(void **state)
{
    (void)state;
    fake_faults("{\"mcp_hang\":true}");
    background b = {search_body(0, "never answered"), {0}};
    pthread_t t;
    assert_int_equal(pthread_create(&t, NULL, post_in_background, &b), 0);
    /* the fault is in place: fake-kiro holds the MCP request */
    int held = 0;
    for (int i = 0; i < 200 && !held; i++) {
        held = fake_stat("hangs_active") == 1;
        if (!held)
            usleep(50 * 1000);
    }
    if (!held)
        fail_msg("inconclusive: fake-kiro never held the MCP request");
    pthread_join(t, NULL);
    assert_int_equal(b.response.status, 200);
    assert_true(b.response.seconds < TIMEOUT_MS / 1000.0);
    assert_true(b.response.seconds >= SEARCH_TIMEOUT_MS / 1000.0 - 0.5);
    cJSON *m = json_of(&b.response);
    assert_string_equal(str(m, "content/2/content/error_code"), "unavailable");
    assert_non_null(strstr(str(m, "content/3/text"), "no MCP answer within 3000 ms"));
    cJSON_Delete(m);
    tp_response_free(&b.response);
    free(b.body);
    fake_reset();
}

static void test_web_search_fails_over_refused_credential(void **state)
{
    (void)state;
    fake_reset();
    /* A is refused, and its refresh fails too (so that it cannot come back with a fresh token
     * half-way and make the count depend on timing) */
    fake_faults("{\"reject_token\":[\"" TOKEN_A "\"],"
                "\"dead_refresh_token\":[\"refresh-a-000000000000\"]}");
    char *body = search_body(0, "fail over");
    /* round robin: one of two searches starts with the refused credential, which the proxy
     * leaves for the other one: three MCP requests, both searches answered */
    for (int i = 0; i < 2; i++) {
        cJSON *m = post_json("/v1/messages", body, 200);
        assert_string_equal(str(m, "content/2/content/0/type"), "web_search_result");
        cJSON_Delete(m);
        cJSON *last = fake_get("/__fake/last-mcp-request");
        assert_string_equal(str(last, "headers/Authorization"), "Bearer " TOKEN_B);
        cJSON_Delete(last);
    }
    assert_int_equal(fake_stat("requests/mcp"), 3);

    /* every credential refused: a result that says so */
    fake_faults("{\"reject_token\":[\"" TOKEN_A "\",\"" TOKEN_B "\"]}");
    cJSON *m = post_json("/v1/messages", body, 200);
    assert_string_equal(str(m, "content/2/content/error_code"), "unavailable");
    assert_non_null(strstr(str(m, "content/3/text"), "HTTP 403"));
    cJSON_Delete(m);
    free(body);
    fake_reset();
}

/* ---- web_search among other tools: the search loop -------------------------------------- */

#define WEATHER_TOOL                                                                               \
    "{\"name\":\"get_weather\",\"description\":\"Weather for a city\",\"input_schema\":"           \
    "{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"}},"                    \
    "\"required\":[\"location\"]}}"
#define SEARCH_TOOL "{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":3}"

static char *loop_body(int stream, const char *tools)
{
    char *body = malloc(2048);
    snprintf(body, 2048,
             "{\"model\":\"claude-sonnet-4.5\",\"max_tokens\":500,%s\"tools\":[%s],"
             "\"messages\":[{\"role\":\"user\",\"content\":\"What happened today?\"}]}",
             stream ? "\"stream\":true," : "", tools);
    return body;
}

static void test_web_search_loop(void **state)
{
    (void)state;
    fake_reset();
    /* fake-kiro's model calls the first tool offered: web_search, then answers with what the
     * tool returned, so its final text proves the search results went back to the model */
    char *body = loop_body(0, SEARCH_TOOL "," WEATHER_TOOL);
    cJSON *m = post_json("/v1/messages", body, 200);
    assert_string_equal(str(m, "content/0/type"), "server_tool_use");
    assert_string_equal(str(m, "content/0/input/query"), "fake-value");
    assert_string_equal(str(m, "content/1/type"), "web_search_tool_result");
    assert_string_equal(str(m, "content/1/tool_use_id"), str(m, "content/0/id"));
    assert_string_equal(str(m, "content/1/content/0/title"), "Result 1 for fake-value");
    assert_string_equal(str(m, "content/2/type"), "text");
    assert_non_null(strstr(str(m, "content/2/text"), "Web search results for \"fake-value\""));
    assert_string_equal(str(m, "stop_reason"), "end_turn");
    assert_int_equal(num(m, "usage/server_tool_use/web_search_requests"), 1);
    cJSON_Delete(m);
    assert_int_equal(fake_stat("requests/generateAssistantResponse"), 2);
    assert_int_equal(fake_stat("requests/mcp"), 1);
    /* Kiro was offered web_search as an ordinary tool, and the second round carried the
     * search round in its history */
    cJSON *last = fake_get("/__fake/last-request");
    const cJSON *ctx = at(last, "body/conversationState/currentMessage/userInputMessage/"
                                "userInputMessageContext");
    assert_string_equal(str(ctx, "tools/0/toolSpecification/name"), "web_search");
    assert_string_equal(str(ctx, "tools/0/toolSpecification/inputSchema/json/required/0"), "query");
    assert_string_equal(str(ctx, "tools/1/toolSpecification/name"), "get_weather");
    assert_non_null(strstr(str(ctx, "toolResults/0/content/0/text"), "Result 2 for fake-value"));
    assert_string_equal(str(ctx, "toolResults/0/status"), "success");
    cJSON_Delete(last);
    free(body);

    /* the client's own tool comes back untouched (streamed), with no search made */
    fake_reset();
    body = loop_body(1, WEATHER_TOOL "," SEARCH_TOOL);
    sse_list l;
    post_stream("/v1/messages", body, &l);
    const cJSON *delta = event_json(&l, "message_delta");
    assert_string_equal(str(delta, "delta/stop_reason"), "tool_use");
    assert_int_equal(num(delta, "usage/server_tool_use/web_search_requests"), 0);
    int found_tool = 0, found_input = 0;
    for (size_t i = 0; i < l.count; i++) {
        if (strcmp(l.events[i].name, "content_block_start") == 0 &&
            strcmp(str(l.events[i].json, "content_block/type"), "tool_use") == 0) {
            assert_string_equal(str(l.events[i].json, "content_block/name"), "get_weather");
            found_tool = 1;
        }
        if (strcmp(l.events[i].name, "content_block_delta") == 0 &&
            strcmp(str(l.events[i].json, "delta/type"), "input_json_delta") == 0) {
            assert_string_equal(str(l.events[i].json, "delta/partial_json"),
                                "{\"location\":\"Paris\"}");
            found_input = 1;
        }
    }
    assert_true(found_tool && found_input);
    assert_string_equal(l.events[l.count - 1].name, "message_stop");
    sse_free(&l);
    free(body);
    assert_int_equal(fake_stat("requests/mcp"), 0);

    /* a failed search is shown as such and told to the model as a failed tool result */
    fake_reset();
    fake_faults("{\"mcp_status\":503}");
    body = loop_body(0, SEARCH_TOOL "," WEATHER_TOOL);
    m = post_json("/v1/messages", body, 200);
    assert_string_equal(str(m, "content/1/content/type"), "web_search_tool_result_error");
    assert_string_equal(str(m, "content/1/content/error_code"), "unavailable");
    assert_non_null(strstr(str(m, "content/2/text"), "failed"));
    cJSON_Delete(m);
    last = fake_get("/__fake/last-request");
    assert_string_equal(str(last, "body/conversationState/currentMessage/userInputMessage/"
                                  "userInputMessageContext/toolResults/0/status"),
                        "error");
    cJSON_Delete(last);
    free(body);

    /* a client tool of the same name cannot be told apart from the server tool */
    fake_reset();
    body = loop_body(0, SEARCH_TOOL ",{\"name\":\"web_search\",\"input_schema\":{}}");
    m = post_json("/v1/messages", body, 400);
    assert_string_equal(str(m, "error/type"), "invalid_request_error");
    cJSON_Delete(m);
    free(body);
    assert_int_equal(fake_stat("requests/generateAssistantResponse"), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_models_carry_upstream_fields),
        cmocka_unit_test(test_usage_with_cache_tokens),
        cmocka_unit_test(test_context_window_exceeded),
        cmocka_unit_test(test_web_search),
        cmocka_unit_test(test_web_search_failures_say_so),
        cmocka_unit_test(test_web_search_hang_is_bounded),
        cmocka_unit_test(test_web_search_loop),
        cmocka_unit_test(test_web_search_fails_over_refused_credential),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
