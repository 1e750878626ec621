/* test_fake_kiro_unit_reply.c: what fake-kiro says and how it frames it, without a server:
 * UTF-8 cutting, tool arguments from schemas, the reply plan (echo, thinking, tools, tool results,
 * --reply/--reply-bytes) and frame generation decoded back with the project's decoder. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "eventstream/eventstream.h"
#include "fk_events.h"
#include "frames.h"
#include "reply_plan.h"
#include "tool_input.h"
#include "util/utf8.h"

/* ---- utf8 ---- */

static void test_utf8_chunk_never_splits_a_character(void **state)
{
    (void)state;
    const char *s = "a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80"; /* a é € 😀 */
    size_t len = strlen(s);
    assert_int_equal(utf8_chunk(s, len, 1), 1);
    assert_int_equal(utf8_chunk(s, len, 2), 1);      /* 'a' + half of é: stop before é */
    assert_int_equal(utf8_chunk(s, len, 3), 3);      /* a é */
    assert_int_equal(utf8_chunk(s + 1, len - 1, 1), 2); /* é alone is longer: taken whole */
    assert_int_equal(utf8_chunk(s + 6, 4, 2), 4);
    assert_int_equal(utf8_chunk(s, len, 100), len);
    assert_int_equal(utf8_chunk(s, 0, 4), 0);
}

static void test_utf8_invalid_bytes_make_progress(void **state)
{
    (void)state;
    const char bad[] = "\x80\x80\xff\xe2\x82";
    assert_int_equal(utf8_char_len(bad, 5), 1);
    assert_int_equal(utf8_char_len(bad + 2, 3), 1);
    assert_int_equal(utf8_char_len(bad + 3, 2), 2); /* truncated sequence: what is there */
    assert_int_equal(utf8_prefix_bytes("h\xc3\xa9llo", 6, 2), 3);
    assert_int_equal(utf8_prefix_bytes("abc", 3, 10), 3);
}

/* ---- tool input ---- */

static void test_tool_input_follows_required_properties(void **state)
{
    (void)state;
    cJSON *schema = cJSON_Parse(
        "{\"type\":\"object\",\"properties\":{\"location\":{\"type\":\"string\"},"
        "\"city\":{\"type\":\"string\"},\"q\":{\"type\":\"string\"},\"n\":{\"type\":\"integer\"},"
        "\"x\":{\"type\":\"number\"},\"b\":{\"type\":\"boolean\"},\"o\":{\"type\":\"object\"},"
        "\"a\":{\"type\":\"array\"},\"u\":{\"type\":[\"null\",\"string\"]},"
        "\"e\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]},"
        "\"optional\":{\"type\":\"string\"}},"
        "\"required\":[\"location\",\"city\",\"q\",\"n\",\"x\",\"b\",\"o\",\"a\",\"u\",\"e\"]}");
    char *text = fk_tool_input_from_schema(schema);
    assert_non_null(text);
    assert_string_equal(text, "{\"location\":\"Paris\",\"city\":\"Paris\",\"q\":\"fake-value\","
                              "\"n\":1,\"x\":1,\"b\":true,\"o\":{},\"a\":[],\"u\":\"fake-value\","
                              "\"e\":\"celsius\"}");
    free(text);
    cJSON_Delete(schema);
}

static void test_tool_input_without_schema_is_empty_object(void **state)
{
    (void)state;
    char *text = fk_tool_input_from_schema(NULL);
    assert_string_equal(text, "{}");
    free(text);
    cJSON *odd = cJSON_Parse("{\"required\":\"location\",\"properties\":[]}");
    text = fk_tool_input_from_schema(odd);
    assert_string_equal(text, "{}");
    free(text);
    cJSON_Delete(odd);
}

/* ---- reply plan and frames ---- */

static cJSON *request_with(const char *user_message_json)
{
    kbuf b = KBUF_INIT(0);
    kbuf_printf(&b, "{\"conversationState\":{\"currentMessage\":{\"userInputMessage\":%s}}}",
                user_message_json);
    cJSON *root = cJSON_Parse(b.data);
    kbuf_free(&b);
    assert_non_null(root);
    return root;
}

static void test_reply_plan_paths(void **state)
{
    (void)state;
    fk_reply_options none = {NULL, 0};
    fk_reply r;

    cJSON *req = request_with("{\"content\":\"<thinking_mode>enabled</thinking_mode>"
                              "<max_thinking_length>99</max_thinking_length>\\n  ping\"}");
    assert_int_equal(fk_reply_build(&r, req, &none), 0);
    assert_string_equal(r.text.data, FK_THINKING_TEXT FK_ECHO_PREFIX "ping");
    assert_null(r.tool_name);
    fk_reply_free(&r);
    cJSON_Delete(req);

    req = request_with("{\"content\":\"x\",\"userInputMessageContext\":{\"toolResults\":["
                       "{\"toolUseId\":\"tooluse_1\",\"content\":[{\"text\":\"sunny\"},"
                       "{\"json\":{\"t\":20}}]}],\"tools\":[{\"toolSpecification\":{\"name\":"
                       "\"f\"}}]}}");
    assert_int_equal(fk_reply_build(&r, req, &none), 0);
    assert_string_equal(r.text.data, "Tool tooluse_1 returned: sunny{\"t\":20}");
    assert_null(r.tool_name);
    fk_reply_free(&r);
    cJSON_Delete(req);

    req = request_with("{\"content\":\"x\",\"userInputMessageContext\":{\"tools\":["
                       "{\"toolSpecification\":{\"name\":\"get_weather\",\"inputSchema\":{"
                       "\"json\":{\"required\":[\"city\"]}}}},{\"toolSpecification\":{\"name\":"
                       "\"second\"}}]}}");
    assert_int_equal(fk_reply_build(&r, req, &none), 0);
    assert_string_equal(r.text.data, "I'll use the get_weather tool.");
    assert_string_equal(r.tool_name, "get_weather");
    assert_string_equal(r.tool_input, "{\"city\":\"Paris\"}");
    assert_int_equal(strncmp(r.tool_use_id, "tooluse_", 8), 0);
    assert_true(strlen(r.tool_use_id) > 8);
    fk_reply_free(&r);

    fk_reply_options fixed = {"Fixed answer", 0};
    cJSON *plain = request_with("{\"content\":\"x\"}");
    assert_int_equal(fk_reply_build(&r, plain, &fixed), 0);
    assert_string_equal(r.text.data, "Fixed answer");
    fk_reply_free(&r);
    fk_reply_options lorem = {NULL, 1000};
    assert_int_equal(fk_reply_build(&r, plain, &lorem), 0);
    assert_int_equal(r.text.len, 1000);
    assert_int_equal(strncmp(r.text.data, "Lorem ipsum", 11), 0);
    fk_reply_free(&r);
    cJSON_Delete(plain);
    cJSON_Delete(req);
}

static void test_reply_plan_echo_is_capped_at_200_characters(void **state)
{
    (void)state;
    kbuf content = KBUF_INIT(0);
    for (int i = 0; i < 300; i++)
        kbuf_append_str(&content, "\xc3\xa9"); /* é: 2 bytes, 1 character */
    kbuf msg = KBUF_INIT(0);
    kbuf_printf(&msg, "{\"content\":\"%s\"}", content.data);
    cJSON *req = request_with(msg.data);
    fk_reply_options none = {NULL, 0};
    fk_reply r;
    assert_int_equal(fk_reply_build(&r, req, &none), 0);
    assert_int_equal(r.text.len, strlen(FK_ECHO_PREFIX) + 400);
    fk_reply_free(&r);
    cJSON_Delete(req);
    kbuf_free(&msg);
    kbuf_free(&content);
}

/* Generates every frame of a reply and decodes them again. */
static void frames_of(const fk_reply *r, size_t frame_bytes, int metadata, fk_events *out)
{
    fk_frames f;
    fk_frames_usage usage = {.metadata = metadata};
    fk_frames_init(&f, r, frame_bytes, 4000, &usage);
    kbuf all = KBUF_INIT(0);
    int rc;
    while ((rc = fk_frames_next(&f, &all)) == 1)
        ;
    assert_int_equal(rc, 0);
    assert_int_equal(fk_events_decode(out, all.data, all.len, 7), 0);
    assert_int_equal(out->feed_rc, ES_OK);
    assert_int_equal(out->finish_rc, ES_OK);
    kbuf_free(&all);
}

static void test_frames_split_text_on_character_boundaries(void **state)
{
    (void)state;
    fk_reply r;
    memset(&r, 0, sizeof r);
    kbuf_init(&r.text, 0);
    kbuf_append_str(&r.text, "h\xc3\xa9llo \xe2\x82\xac\xf0\x9f\x98\x80 world");
    for (size_t fb = 1; fb <= 6; fb++) {
        fk_events ev;
        frames_of(&r, fb, 0, &ev);
        char *text = fk_events_text(&ev);
        assert_string_equal(text, r.text.data);
        free(text);
        for (size_t i = 0; i < ev.count; i++) {
            if (strcmp(ev.items[i].event_type, "assistantResponseEvent") != 0)
                continue;
            const char *chunk =
                cJSON_GetObjectItemCaseSensitive(ev.items[i].payload, "content")->valuestring;
            assert_true(strlen(chunk) <= (fb < 4 ? 4 : fb));
            assert_false(((unsigned char)chunk[0] & 0xC0) == 0x80); /* never a continuation */
        }
        assert_int_equal(fk_events_count(&ev, "meteringEvent"), 1);
        assert_int_equal(fk_events_count(&ev, "contextUsageEvent"), 1);
        assert_int_equal(fk_events_count(&ev, "metadataEvent"), 0);
        assert_string_equal(ev.items[ev.count - 1].event_type, "contextUsageEvent");
        fk_events_free(&ev);
    }
    kbuf_free(&r.text);
}

static void test_frames_tool_use_and_metadata(void **state)
{
    (void)state;
    fk_reply r;
    memset(&r, 0, sizeof r);
    kbuf_init(&r.text, 0);
    kbuf_append_str(&r.text, "I'll use the f tool.");
    r.tool_name = strdup("f");
    r.tool_input = strdup("{\"location\":\"Paris\",\"n\":1}");
    snprintf(r.tool_use_id, sizeof r.tool_use_id, "tooluse_abc");
    fk_events ev;
    frames_of(&r, 16, 1, &ev);
    char *input = fk_events_tool_input(&ev);
    assert_string_equal(input, r.tool_input);
    free(input);
    size_t tool_events = fk_events_count(&ev, "toolUseEvent");
    assert_int_equal(tool_events, (strlen(r.tool_input) + 7) / 8 + 1);
    const fk_event *last_tool = NULL;
    for (size_t i = 0; i < ev.count; i++) {
        if (strcmp(ev.items[i].event_type, "toolUseEvent") != 0)
            continue;
        last_tool = &ev.items[i];
        assert_string_equal(
            cJSON_GetObjectItemCaseSensitive(last_tool->payload, "toolUseId")->valuestring,
            "tooluse_abc");
        assert_string_equal(
            cJSON_GetObjectItemCaseSensitive(last_tool->payload, "name")->valuestring, "f");
    }
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(last_tool->payload, "stop")));
    const fk_event *meta = fk_events_find(&ev, "metadataEvent");
    assert_non_null(meta);
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(meta->payload, "tokenUsage");
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(usage, "uncachedInputTokens")->valuedouble,
                     1000);
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(usage, "cacheReadInputTokens")->valuedouble,
                     0);
    const fk_event *ctx = fk_events_find(&ev, "contextUsageEvent");
    assert_float_equal(
        cJSON_GetObjectItemCaseSensitive(ctx->payload, "contextUsagePercentage")->valuedouble, 0.5,
        1e-9);
    fk_events_free(&ev);
    fk_reply_free(&r);
}

static double usage_number(const fk_event *meta, const char *name)
{
    const cJSON *usage = cJSON_GetObjectItemCaseSensitive(meta->payload, "tokenUsage");
    const cJSON *n = cJSON_GetObjectItemCaseSensitive(usage, name);
    if (!cJSON_IsNumber(n))
        fail_msg("tokenUsage.%s missing", name);
    return n->valuedouble;
}

static void test_frames_cache_usage_context_and_event_name(void **state)
{
    (void)state;
    fk_reply r;
    memset(&r, 0, sizeof r);
    kbuf_init(&r.text, 0);
    assert_int_equal(kbuf_append_str(&r.text, "0123456789abcdef"), KBUF_OK);   /* 4 tokens */
    fk_frames_usage usage = {.metadata = 1, .event_name = "messageMetadataEvent",
                             .cache_read_tokens = 600, .cache_write_tokens = 100,
                             .context_percent = 100, .stop_reason = "MODEL_CONTEXT_WINDOW_EXCEEDED"};
    fk_frames f;
    fk_frames_init(&f, &r, 16, 4000, &usage);   /* 4000 bytes -> 1000 input tokens */
    kbuf out = KBUF_INIT(0);
    while (fk_frames_next(&f, &out) == 1)
        ;
    fk_events ev;
    assert_int_equal(fk_events_decode(&ev, out.data, out.len, 5), 0);
    assert_int_equal(ev.feed_rc, ES_OK);
    assert_null(fk_events_find(&ev, "metadataEvent"));
    const fk_event *meta = fk_events_find(&ev, "messageMetadataEvent");
    assert_non_null(meta);
    /* disjoint counts: 1000 input = 300 uncached + 600 read + 100 written */
    assert_int_equal(usage_number(meta, "uncachedInputTokens"), 300);
    assert_int_equal(usage_number(meta, "cacheReadInputTokens"), 600);
    assert_int_equal(usage_number(meta, "cacheWriteInputTokens"), 100);
    assert_int_equal(usage_number(meta, "outputTokens"), 4);
    assert_int_equal(usage_number(meta, "totalTokens"), 1004);
    assert_int_equal(usage_number(meta, "contextUsagePercentage"), 100);
    assert_string_equal(
        cJSON_GetObjectItemCaseSensitive(meta->payload, "stopReason")->valuestring,
        "MODEL_CONTEXT_WINDOW_EXCEEDED");
    const fk_event *ctx = fk_events_find(&ev, "contextUsageEvent");
    assert_int_equal(
        cJSON_GetObjectItemCaseSensitive(ctx->payload, "contextUsagePercentage")->valuedouble, 100);
    fk_events_free(&ev);
    kbuf_free(&out);
    fk_reply_free(&r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_chunk_never_splits_a_character),
        cmocka_unit_test(test_utf8_invalid_bytes_make_progress),
        cmocka_unit_test(test_tool_input_follows_required_properties),
        cmocka_unit_test(test_tool_input_without_schema_is_empty_object),
        cmocka_unit_test(test_reply_plan_paths),
        cmocka_unit_test(test_reply_plan_echo_is_capped_at_200_characters),
        cmocka_unit_test(test_frames_split_text_on_character_boundaries),
        cmocka_unit_test(test_frames_tool_use_and_metadata),
        cmocka_unit_test(test_frames_cache_usage_context_and_event_name),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
