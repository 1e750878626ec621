/* test_kiro_event.c: kiro_event_parse on every event type, on exceptions and errors, on
 * malformed payloads and on unknown events. Messages are built with the event-stream encoder
 * and decoded, so the test sees exactly what the proxy sees. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/kiro_event.h"

typedef struct parsed {
    int rc;
    int called;
    kiro_event ev;
    kiro_event_owner *owner;
} parsed;

static int parse_in_callback(void *user, const es_message *m)
{
    parsed *p = user;
    p->called++;
    p->rc = kiro_event_parse(m, &p->ev, &p->owner);
    return 0;
}

/* Decodes frames and parses the single message they hold. */
static parsed parse_frames(const kbuf *frames)
{
    parsed p;
    memset(&p, 0, sizeof p);
    es_decoder *d = es_decoder_new(0);
    assert_int_equal(es_decoder_feed(d, frames->data, frames->len, parse_in_callback, &p), ES_OK);
    es_decoder_free(d);   /* the event must not depend on decoder memory */
    assert_int_equal(p.called, 1);
    return p;
}

static parsed parse_event(const char *message_type, const char *event_type, const char *payload)
{
    kbuf frame = KBUF_INIT(0);
    assert_int_equal(es_encode_event(&frame, message_type, event_type, payload, strlen(payload)),
                     ES_OK);
    parsed p = parse_frames(&frame);
    kbuf_free(&frame);
    return p;
}

static void expect_malformed(const char *event_type, const char *payload)
{
    parsed p = parse_event("event", event_type, payload);
    if (p.rc != -1)
        fail_msg("%s %s: parsed", event_type, payload);
    assert_null(p.owner);
}

static void test_assistant_response(void **state)
{
    (void)state;
    parsed p = parse_event("event", "assistantResponseEvent", "{\"content\":\"Hi \\u00e9\\n\"}");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.ev.kind, KIRO_EV_TEXT);
    assert_string_equal(p.ev.text, "Hi \xc3\xa9\n");
    assert_int_equal(p.ev.text_len, 6);
    kiro_event_release(p.owner);

    p = parse_event("event", "assistantResponseEvent", "{\"modelId\":\"x\"}");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.ev.kind, KIRO_EV_TEXT);
    assert_int_equal(p.ev.text_len, 0);
    kiro_event_release(p.owner);

    expect_malformed("assistantResponseEvent", "{\"content\":5}");
    expect_malformed("assistantResponseEvent", "{\"content\":\"x\"");
    expect_malformed("assistantResponseEvent", "[\"content\"]");
    expect_malformed("assistantResponseEvent", "{} {}");
    expect_malformed("assistantResponseEvent", "");
}

static void test_reasoning_forms(void **state)
{
    (void)state;
    static const char *payloads[] = {
        "{\"text\":\"think\"}",
        "{\"reasoningText\":{\"text\":\"think\",\"signature\":\"s\"}}",
        "{\"reasoningText\":\"think\"}",
    };
    for (size_t i = 0; i < 3; i++) {
        parsed p = parse_event("event", "reasoningContentEvent", payloads[i]);
        assert_int_equal(p.rc, 0);
        assert_int_equal(p.ev.kind, KIRO_EV_REASONING);
        assert_string_equal(p.ev.text, "think");
        assert_int_equal(p.ev.text_len, 5);
        kiro_event_release(p.owner);
    }
    expect_malformed("reasoningContentEvent", "{\"text\":1}");
    expect_malformed("reasoningContentEvent", "{\"reasoningText\":{\"text\":[]}}");
}

static void test_tool_use(void **state)
{
    (void)state;
    parsed p = parse_event("event", "toolUseEvent",
                           "{\"name\":\"read\",\"toolUseId\":\"tu_1\",\"input\":\"{\\\"a\\\":\"}");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.ev.kind, KIRO_EV_TOOL_USE);
    assert_string_equal(p.ev.tool_name, "read");
    assert_string_equal(p.ev.tool_use_id, "tu_1");
    assert_string_equal(p.ev.text, "{\"a\":");
    assert_int_equal(p.ev.text_len, 5);
    assert_int_equal(p.ev.tool_stop, 0);
    kiro_event_release(p.owner);

    p = parse_event("event", "toolUseEvent", "{\"name\":\"read\",\"toolUseId\":\"tu_1\",\"stop\":true}");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.ev.tool_stop, 1);
    assert_int_equal(p.ev.text_len, 0);
    assert_string_equal(p.ev.text, "");
    kiro_event_release(p.owner);

    /* a complete input object instead of a string fragment */
    p = parse_event("event", "toolUseEvent",
                    "{\"toolUseId\":\"t\",\"input\":{\"k\":[1,2]},\"stop\":false}");
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.ev.text, "{\"k\":[1,2]}");
    assert_null(p.ev.tool_name);
    kiro_event_release(p.owner);

    expect_malformed("toolUseEvent", "{\"name\":\"read\"}");
    expect_malformed("toolUseEvent", "{\"toolUseId\":\"\"}");
    expect_malformed("toolUseEvent", "{\"toolUseId\":7}");
    expect_malformed("toolUseEvent", "{\"toolUseId\":\"t\",\"name\":3}");
    expect_malformed("toolUseEvent", "{\"toolUseId\":\"t\",\"stop\":\"yes\"}");
    expect_malformed("toolUseEvent", "{\"toolUseId\":\"t\",\"input\":12}");
}

static void test_usage_events(void **state)
{
    (void)state;
    parsed p = parse_event("event", "contextUsageEvent", "{\"contextUsagePercentage\":12.5}");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.ev.kind, KIRO_EV_CONTEXT_USAGE);
    assert_true(p.ev.context_usage_percent == 12.5);
    kiro_event_release(p.owner);
    expect_malformed("contextUsageEvent", "{}");
    expect_malformed("contextUsageEvent", "{\"contextUsagePercentage\":\"12\"}");
    expect_malformed("contextUsageEvent", "{\"contextUsagePercentage\":-1}");

    p = parse_event("event", "meteringEvent", "{\"unit\":\"credit\",\"usage\":0.25}");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.ev.kind, KIRO_EV_METERING);
    assert_true(p.ev.metering_usage == 0.25);
    kiro_event_release(p.owner);
    expect_malformed("meteringEvent", "{\"usage\":\"lots\"}");

    p = parse_event("event", "metadataEvent",
                    "{\"tokenUsage\":{\"inputTokens\":1500,\"outputTokens\":320}}");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.ev.kind, KIRO_EV_METADATA);
    assert_int_equal(p.ev.input_tokens, 1500);
    assert_int_equal(p.ev.output_tokens, 320);
    kiro_event_release(p.owner);

    p = parse_event("event", "metadataEvent", "{\"tokenUsage\":{\"outputTokens\":9}}");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.ev.input_tokens, -1);
    assert_int_equal(p.ev.output_tokens, 9);
    kiro_event_release(p.owner);

    p = parse_event("event", "metadataEvent", "{\"conversationId\":\"c\"}");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.ev.input_tokens, -1);
    assert_int_equal(p.ev.output_tokens, -1);
    kiro_event_release(p.owner);
    expect_malformed("metadataEvent", "{\"tokenUsage\":3}");
    expect_malformed("metadataEvent", "{\"tokenUsage\":{\"inputTokens\":\"many\"}}");
}

static void test_exception(void **state)
{
    (void)state;
    parsed p = parse_event("exception", "ThrottlingException", "{\"message\":\"Rate exceeded\"}");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.ev.kind, KIRO_EV_EXCEPTION);
    assert_string_equal(p.ev.exception_type, "ThrottlingException");
    assert_string_equal(p.ev.exception_message, "Rate exceeded");
    kiro_event_release(p.owner);

    p = parse_event("exception", "ContentLengthExceededException", "{\"Message\":\"too long\"}");
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.ev.exception_type, "ContentLengthExceededException");
    assert_string_equal(p.ev.exception_message, "too long");
    kiro_event_release(p.owner);

    /* a payload that is not JSON is quoted as it is */
    p = parse_event("exception", "InternalServerException", "plain text failure");
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.ev.exception_message, "plain text failure");
    kiro_event_release(p.owner);
}

static void test_error_message_type(void **state)
{
    (void)state;
    es_header h[3] = {
        { ":message-type", 7, "error", 5, 0 },
        { ":error-code", 7, "InternalFailure", 15, 0 },
        { ":error-message", 7, "The request failed", 18, 0 },
    };
    kbuf frame = KBUF_INIT(0);
    assert_int_equal(es_encode_frame(&frame, h, 3, NULL, 0), ES_OK);
    parsed p = parse_frames(&frame);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.ev.kind, KIRO_EV_EXCEPTION);
    assert_string_equal(p.ev.exception_type, "InternalFailure");
    assert_string_equal(p.ev.exception_message, "The request failed");
    kiro_event_release(p.owner);
    kbuf_free(&frame);

    /* error code from the header, message from the payload */
    p = parse_event("error", "BadThing", "{\"message\":\"from payload\"}");
    assert_int_equal(p.rc, 0);
    assert_string_equal(p.ev.exception_type, "BadThing");
    assert_string_equal(p.ev.exception_message, "from payload");
    kiro_event_release(p.owner);
}

static void test_unknown_events_are_ignored(void **state)
{
    (void)state;
    parsed p = parse_event("event", "followupPromptEvent", "{\"followupPrompt\":{}}");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.ev.kind, KIRO_EV_IGNORED);
    kiro_event_release(p.owner);

    p = parse_event("event", "someFutureEvent", "this is not json");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.ev.kind, KIRO_EV_IGNORED);
    kiro_event_release(p.owner);

    p = parse_event("notification", "assistantResponseEvent", "{\"content\":\"x\"}");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.ev.kind, KIRO_EV_IGNORED);
    kiro_event_release(p.owner);

    /* a frame without any headers */
    kbuf frame = KBUF_INIT(0);
    assert_int_equal(es_encode_frame(&frame, NULL, 0, "{}", 2), ES_OK);
    p = parse_frames(&frame);
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.ev.kind, KIRO_EV_IGNORED);
    kiro_event_release(p.owner);
    kbuf_free(&frame);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_assistant_response),
        cmocka_unit_test(test_reasoning_forms),
        cmocka_unit_test(test_tool_use),
        cmocka_unit_test(test_usage_events),
        cmocka_unit_test(test_exception),
        cmocka_unit_test(test_error_message_type),
        cmocka_unit_test(test_unknown_events_are_ignored),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
