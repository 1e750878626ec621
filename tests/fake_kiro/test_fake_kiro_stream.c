/* test_fake_kiro_stream.c: the successful generateAssistantResponse streams of fake-kiro,
 * decoded with the project's event-stream decoder: echo text, thinking mode, tool calls whose
 * fragments reassemble into valid JSON, tool results, --reply/--reply-bytes/--frame-bytes/
 * --metadata, and /__fake/last-request. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fk_fixture.h"

#define THINKING_TEXT "<thinking>I should answer briefly.</thinking>\n\n"

/* POSTs body and decodes the stream; asserts a clean 200 event stream. */
static void post_stream(const fk_proc *p, const char *path, const char *body, fk_response *r,
                        fk_events *e)
{
    fk_response_init(r);
    assert_int_equal(fk_post(r, p->base_url, path, body), CURLE_OK);
    assert_int_equal(r->status, 200);
    assert_string_equal(r->content_type, "application/vnd.amazon.eventstream");
    fk_decode(r, e);
    assert_int_equal(e->feed_rc, 0);
    assert_int_equal(e->finish_rc, 0);
}

static void test_echo_reply(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    char *body = fk_body_plain("Hello, caf\xc3\xa9!", "claude-sonnet-4.5");
    fk_response r;
    fk_events e;
    post_stream(p, "/generateAssistantResponse", body, &r, &e);
    char *text = fk_events_text(&e);
    assert_string_equal(text, "Hello from fake-kiro. You said: Hello, caf\xc3\xa9!");
    assert_true(fk_events_count(&e, "assistantResponseEvent") > 2); /* 16-byte frames */
    assert_int_equal(fk_events_count(&e, "toolUseEvent"), 0);
    const fk_event *metering = fk_events_find(&e, "meteringEvent");
    assert_non_null(metering);
    assert_string_equal(fk_json_at(metering->payload, "unit")->valuestring, "credit");
    const fk_event *ctx = fk_events_find(&e, "contextUsageEvent");
    assert_non_null(ctx);
    assert_true(fk_json_at(ctx->payload, "contextUsagePercentage")->valuedouble > 0);
    assert_null(fk_events_find(&e, "metadataEvent"));
    assert_int_equal(fk_wait_stat(p->base_url, "streams_completed", 1, FK_STAT_TIMEOUT_MS), 0);
    assert_int_equal(fk_stat(p->base_url, "requests.generateAssistantResponse"), 1);
    free(text);
    free(body);
    fk_events_free(&e);
    fk_response_free(&r);
}

static void test_any_path_prefix_and_echo_cap(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    char long_prompt[401];
    memset(long_prompt, 'x', 400);
    long_prompt[400] = '\0';
    char *body = fk_body_plain(long_prompt, "auto");
    fk_response r;
    fk_events e;
    post_stream(p, "/q/us-east-1/generateAssistantResponse", body, &r, &e);
    char *text = fk_events_text(&e);
    assert_int_equal(strlen(text), strlen("Hello from fake-kiro. You said: ") + 200);
    free(text);
    free(body);
    fk_events_free(&e);
    fk_response_free(&r);
}

static void test_thinking_mode(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    char *body = fk_body_plain("<thinking_mode>enabled</thinking_mode><max_thinking_length>2000"
                               "</max_thinking_length>\nWhat is 2+2?",
                               "claude-opus-4.5");
    fk_response r;
    fk_events e;
    post_stream(p, "/generateAssistantResponse", body, &r, &e);
    char *text = fk_events_text(&e);
    assert_string_equal(text, THINKING_TEXT "Hello from fake-kiro. You said: What is 2+2?");
    free(text);
    free(body);
    fk_events_free(&e);
    fk_response_free(&r);
}

static const char tool_request[] =
    "{\"conversationState\":{\"currentMessage\":{\"userInputMessage\":{"
    "\"content\":\"What's the weather in Paris?\",\"modelId\":\"claude-sonnet-4\","
    "\"origin\":\"AI_EDITOR\",\"userInputMessageContext\":{\"tools\":["
    "{\"toolSpecification\":{\"name\":\"get_weather\",\"description\":\"Weather for a place\","
    "\"inputSchema\":{\"json\":{\"type\":\"object\",\"properties\":{"
    "\"location\":{\"type\":\"string\"},\"days\":{\"type\":\"integer\"},"
    "\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]},"
    "\"verbose\":{\"type\":\"boolean\"}},\"required\":[\"location\",\"days\",\"unit\"]}}}},"
    "{\"toolSpecification\":{\"name\":\"other\",\"description\":\"d\",\"inputSchema\":{\"json\":"
    "{}}}}]}}}}}";

static void test_tool_use(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    fk_response r;
    fk_events e;
    post_stream(p, "/generateAssistantResponse", tool_request, &r, &e);
    char *text = fk_events_text(&e);
    assert_string_equal(text, "I'll use the get_weather tool.");
    char *input = fk_events_tool_input(&e);
    cJSON *args = cJSON_Parse(input);
    assert_non_null(args);
    assert_string_equal(fk_json_at(args, "location")->valuestring, "Paris");
    assert_int_equal(fk_json_at(args, "days")->valuedouble, 1);
    assert_string_equal(fk_json_at(args, "unit")->valuestring, "celsius");
    assert_null(fk_json_at(args, "verbose")); /* not required */

    const char *id = NULL;
    size_t tool_events = 0, stops = 0;
    for (size_t i = 0; i < e.count; i++) {
        if (strcmp(e.items[i].event_type, "toolUseEvent") != 0)
            continue;
        const cJSON *payload = e.items[i].payload;
        tool_events++;
        assert_string_equal(fk_json_at(payload, "name")->valuestring, "get_weather");
        const char *this_id = fk_json_at(payload, "toolUseId")->valuestring;
        if (!id)
            id = this_id;
        assert_string_equal(this_id, id);
        const cJSON *fragment = fk_json_at(payload, "input");
        if (fragment)
            assert_true(strlen(fragment->valuestring) <= 8);
        if (cJSON_IsTrue(fk_json_at(payload, "stop"))) {
            stops++;
            assert_null(fragment);
        }
    }
    assert_int_equal(strncmp(id, "tooluse_", 8), 0);
    assert_int_equal(stops, 1);
    assert_int_equal(tool_events, (strlen(input) + 7) / 8 + 1);
    /* the stop event is the last toolUseEvent, and the usage events follow it */
    size_t last_tool = 0;
    for (size_t i = 0; i < e.count; i++) {
        if (strcmp(e.items[i].event_type, "toolUseEvent") == 0)
            last_tool = i;
    }
    assert_true(cJSON_IsTrue(fk_json_at(e.items[last_tool].payload, "stop")));
    assert_string_equal(e.items[last_tool + 1].event_type, "meteringEvent");
    cJSON_Delete(args);
    free(input);
    free(text);
    fk_events_free(&e);
    fk_response_free(&r);
}

static void test_tool_result(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    const char *body =
        "{\"conversationState\":{\"history\":["
        "{\"userInputMessage\":{\"content\":\"Weather?\",\"modelId\":\"auto\"}},"
        "{\"assistantResponseMessage\":{\"content\":\"I'll use the get_weather tool.\","
        "\"toolUses\":[{\"toolUseId\":\"tooluse_abc123\",\"name\":\"get_weather\","
        "\"input\":{\"location\":\"Paris\"}}]}}],"
        "\"currentMessage\":{\"userInputMessage\":{\"content\":\"Tool results\","
        "\"modelId\":\"auto\",\"userInputMessageContext\":{\"toolResults\":[{\"toolUseId\":"
        "\"tooluse_abc123\",\"content\":[{\"text\":\"Sunny, 21C\"}],\"status\":\"success\"}],"
        "\"tools\":[{\"toolSpecification\":{\"name\":\"get_weather\",\"description\":\"w\","
        "\"inputSchema\":{\"json\":{}}}}]}}}}}";
    fk_response r;
    fk_events e;
    post_stream(p, "/generateAssistantResponse", body, &r, &e);
    char *text = fk_events_text(&e);
    assert_string_equal(text, "Tool tooluse_abc123 returned: Sunny, 21C");
    assert_int_equal(fk_events_count(&e, "toolUseEvent"), 0);
    free(text);
    fk_events_free(&e);
    fk_response_free(&r);
}

static void test_reply_frame_bytes_and_metadata(void **state)
{
    const char *args[] = {"--reply", "Bonjour \xe2\x82\xac tout le monde", "--frame-bytes", "3",
                          "--metadata", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    char *body = fk_body_plain("ignored", "claude-haiku-4.5");
    fk_response r;
    fk_events e;
    post_stream(p, "/generateAssistantResponse", body, &r, &e);
    char *text = fk_events_text(&e);
    assert_string_equal(text, "Bonjour \xe2\x82\xac tout le monde");
    for (size_t i = 0; i < e.count; i++) {
        if (strcmp(e.items[i].event_type, "assistantResponseEvent") == 0)
            assert_true(strlen(fk_json_at(e.items[i].payload, "content")->valuestring) <= 3);
    }
    const fk_event *meta = fk_events_find(&e, "metadataEvent");
    assert_non_null(meta);
    assert_true(fk_json_at(meta->payload, "tokenUsage.uncachedInputTokens")->valuedouble >= 1);
    assert_true(fk_json_at(meta->payload, "tokenUsage.outputTokens")->valuedouble >= 1);
    assert_string_equal(e.items[e.count - 1].event_type, "metadataEvent");
    free(text);
    free(body);
    fk_events_free(&e);
    fk_response_free(&r);
}

static void test_reply_bytes(void **state)
{
    const char *args[] = {"--reply-bytes", "100000", "--frame-bytes", "1000", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    char *body = fk_body_plain("big one", "auto");
    fk_response r;
    fk_events e;
    post_stream(p, "/generateAssistantResponse", body, &r, &e);
    char *text = fk_events_text(&e);
    assert_int_equal(strlen(text), 100000);
    assert_int_equal(fk_events_count(&e, "assistantResponseEvent"), 100);
    free(text);
    free(body);
    fk_events_free(&e);
    fk_response_free(&r);
}

static void test_last_request(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    char url[256];
    snprintf(url, sizeof url, "%s/__fake/last-request", p->base_url);
    fk_response r;
    fk_response_init(&r);
    fk_http(&r, "GET", url, NULL, NULL, 5000);
    assert_int_equal(r.status, 404);
    fk_response_free(&r);

    char *body = fk_body_plain("remember me", "auto");
    fk_response_init(&r);
    assert_int_equal(fk_post(&r, p->base_url, "/x/generateAssistantResponse", body), CURLE_OK);
    fk_response_free(&r);

    fk_response_init(&r);
    fk_http(&r, "GET", url, NULL, NULL, 5000);
    assert_int_equal(r.status, 200);
    cJSON *record = fk_response_json(&r);
    assert_string_equal(fk_json_at(record, "path")->valuestring, "/x/generateAssistantResponse");
    assert_string_equal(fk_json_at(record, "method")->valuestring, "POST");
    assert_string_equal(fk_json_at(record, "headers.Authorization")->valuestring,
                        "Bearer test-token");
    assert_int_equal(fk_json_at(record, "body_bytes")->valuedouble, strlen(body));
    assert_string_equal(
        fk_json_at(record, "body.conversationState.currentMessage.userInputMessage.content")
            ->valuestring,
        "remember me");
    cJSON_Delete(record);
    free(body);
    fk_response_free(&r);
}

int main(int argc, char **argv)
{
    fk_fixture_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_echo_reply, fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_any_path_prefix_and_echo_cap, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_thinking_mode, fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_tool_use, fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_tool_result, fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_reply_frame_bytes_and_metadata, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_reply_bytes, fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_last_request, fk_fixture_setup, fk_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
