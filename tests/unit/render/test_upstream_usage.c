/* test_upstream_usage.c: the upstream's usage reports (metadataEvent / messageMetadataEvent
 * token usage with cache counts, contextUsageEvent) as parsed from real frames, turned into
 * usage numbers and stop reasons, and shown by each of the four response formats: Anthropic's
 * cache_read_input_tokens / cache_creation_input_tokens (message_start and message_delta, and
 * the JSON message), OpenAI's prompt_tokens_details.cached_tokens, and
 * model_context_window_exceeded (OpenAI: length) when the context is full. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/upstream_usage.h"
#include "render_test_support.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* ---- parsing real frames ------------------------------------------------------------------- */

typedef struct parsed {
    int rc;
    kiro_event ev;
    kiro_event_owner *owner;
} parsed;

static int on_message(void *user, const es_message *m)
{
    parsed *p = user;
    p->rc = kiro_event_parse(m, &p->ev, &p->owner);
    return 0;
}

static parsed parse_event(const char *event_type, const char *payload)
{
    kbuf frame = KBUF_INIT(0);
    assert_int_equal(es_encode_event(&frame, "event", event_type, payload, strlen(payload)), 0);
    parsed p;
    memset(&p, 0, sizeof p);
    p.rc = 99;
    es_decoder *d = es_decoder_new(0);
    assert_int_equal(es_decoder_feed(d, frame.data, frame.len, on_message, &p), ES_OK);
    es_decoder_free(d);
    kbuf_free(&frame);
    assert_int_not_equal(p.rc, 99);
    return p;
}

typedef struct metadata_case {
    const char *event_type;
    const char *payload;
    long input, output, cache_read, cache_write;
    double context;
    const char *stop_reason;
} metadata_case;

static void test_metadata_event_forms(void **state)
{
    (void)state;
    static const metadata_case cases[] = {
        /* the wire schema: uncached input, output, cache read / write, context percentage */
        {"metadataEvent",
         "{\"tokenUsage\":{\"uncachedInputTokens\":120,\"outputTokens\":30,\"totalTokens\":1150,"
         "\"cacheReadInputTokens\":900,\"cacheWriteInputTokens\":100,"
         "\"contextUsagePercentage\":0.6},\"stopReason\":\"END_TURN\"}",
         120, 30, 900, 100, 0.6, "END_TURN"},
        /* the other event name, and the older inputTokens spelling */
        {"messageMetadataEvent", "{\"tokenUsage\":{\"inputTokens\":50,\"outputTokens\":5}}", 50, 5,
         -1, -1, -1, NULL},
        /* uncachedInputTokens wins over inputTokens; cacheCreationInputTokens as an alias */
        {"metadataEvent",
         "{\"tokenUsage\":{\"uncachedInputTokens\":7,\"inputTokens\":70,"
         "\"cacheCreationInputTokens\":3}}",
         7, -1, -1, 3, -1, NULL},
        /* wrapped under the event's own name, with "usage" as the object's name */
        {"messageMetadataEvent",
         "{\"messageMetadataEvent\":{\"usage\":{\"outputTokens\":11,\"cacheReadInputTokens\":4},"
         "\"stopReason\":\"MODEL_CONTEXT_WINDOW_EXCEEDED\"}}",
         -1, 11, 4, -1, -1, "MODEL_CONTEXT_WINDOW_EXCEEDED"},
        /* nothing but a conversation id */
        {"messageMetadataEvent", "{\"conversationId\":\"c-1\",\"utteranceId\":\"u\"}", -1, -1, -1,
         -1, -1, NULL},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        const metadata_case *c = &cases[i];
        parsed p = parse_event(c->event_type, c->payload);
        if (p.rc != 0)
            fail_msg("case %zu: not parsed", i);
        assert_int_equal(p.ev.kind, KIRO_EV_METADATA);
        assert_int_equal(p.ev.input_tokens, c->input);
        assert_int_equal(p.ev.output_tokens, c->output);
        assert_int_equal(p.ev.cache_read_tokens, c->cache_read);
        assert_int_equal(p.ev.cache_write_tokens, c->cache_write);
        assert_true(p.ev.context_usage_percent == c->context);
        if (c->stop_reason)
            assert_string_equal(p.ev.stop_reason, c->stop_reason);
        else
            assert_null(p.ev.stop_reason);
        kiro_event_release(p.owner);
    }
}

static void test_metadata_event_malformed(void **state)
{
    (void)state;
    static const char *const payloads[] = {
        "{\"tokenUsage\":{\"cacheReadInputTokens\":\"many\"}}",
        "{\"tokenUsage\":{\"cacheWriteInputTokens\":[1]}}",
        "{\"tokenUsage\":{\"uncachedInputTokens\":true}}",
        "{\"tokenUsage\":{\"contextUsagePercentage\":\"full\"}}",
        "{\"tokenUsage\":\"x\"}",
        "{\"stopReason\":7}",
        "[1,2]",
    };
    for (size_t i = 0; i < COUNT(payloads); i++) {
        parsed p = parse_event("messageMetadataEvent", payloads[i]);
        if (p.rc != -1)
            fail_msg("%s: accepted", payloads[i]);
        assert_null(p.owner);
    }
    /* a "usage" that is not an object is not the token usage: ignored, not fatal */
    parsed p = parse_event("metadataEvent", "{\"usage\":0.5,\"tokenUsage\":null}");
    assert_int_equal(p.rc, 0);
    assert_int_equal(p.ev.input_tokens, -1);
    kiro_event_release(p.owner);
}

/* ---- numbers and stop reasons -------------------------------------------------------------- */

static kiro_event metadata_full(long input, long output, long read, long write)
{
    kiro_event ev = ev_metadata(input, output);
    ev.cache_read_tokens = read;
    ev.cache_write_tokens = write;
    return ev;
}

typedef struct numbers_case {
    const char *what;
    kiro_event events[3];
    size_t count;
    long window;
    usage_numbers expect;
} numbers_case;

static void test_numbers(void **state)
{
    (void)state;
    numbers_case cases[] = {
        {"nothing reported: the estimates", {ev_text("x")}, 1, 0, {42, 9, 0, 0}},
        {"exact counts win over the context",
         {ev_context(50), metadata_full(120, 30, 900, 100)},
         2,
         0,
         {120, 30, 900, 100}},
        {"context of the default window", {ev_context(12.5)}, 1, 0, {25000, 9, 0, 0}},
        {"context of the model's window", {ev_context(12.5)}, 1, 1000000, {125000, 9, 0, 0}},
        {"context minus the cached part",
         {metadata_full(-1, 4, 20000, 1000), ev_context(12.5)},
         2,
         0,
         {4000, 4, 20000, 1000}},
        {"cache larger than the context: never negative",
         {metadata_full(-1, -1, 90000, 0), ev_context(1)},
         2,
         0,
         {0, 9, 90000, 0}},
        {"a later report replaces an earlier one",
         {metadata_full(10, 1, 2, 3), metadata_full(20, -1, -1, 4)},
         2,
         0,
         {20, 1, 2, 4}},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        upstream_usage u;
        upstream_usage_init(&u);
        for (size_t e = 0; e < cases[i].count; e++)
            upstream_usage_note(&u, &cases[i].events[e]);
        usage_numbers n = upstream_usage_numbers(&u, 42, 9, cases[i].window);
        if (n.input_tokens != cases[i].expect.input_tokens ||
            n.output_tokens != cases[i].expect.output_tokens ||
            n.cache_read_input_tokens != cases[i].expect.cache_read_input_tokens ||
            n.cache_creation_input_tokens != cases[i].expect.cache_creation_input_tokens)
            fail_msg("%s: got %ld/%ld/%ld/%ld", cases[i].what, n.input_tokens, n.output_tokens,
                     n.cache_read_input_tokens, n.cache_creation_input_tokens);
    }
}

typedef struct stop_case {
    double context;            /* -1: none */
    const char *upstream_stop; /* metadataEvent stopReason, NULL: none */
    int tool_calls, length_limited;
    const char *anthropic, *openai;
} stop_case;

static void test_stop_reasons(void **state)
{
    (void)state;
    static const stop_case cases[] = {
        {-1, NULL, 0, 0, "end_turn", "stop"},
        {99.9, NULL, 0, 0, "end_turn", "stop"},
        {100, NULL, 0, 0, "model_context_window_exceeded", "length"},
        {100.5, NULL, 1, 1, "model_context_window_exceeded", "length"},
        {-1, "MODEL_CONTEXT_WINDOW_EXCEEDED", 1, 0, "model_context_window_exceeded", "length"},
        {-1, "model_context_window_exceeded", 0, 0, "model_context_window_exceeded", "length"},
        {-1, NULL, 2, 0, "tool_use", "tool_calls"},
        {-1, NULL, 1, 1, "tool_use", "tool_calls"},
        {-1, NULL, 0, 1, "max_tokens", "length"},
        {-1, "MAX_TOKENS", 0, 0, "max_tokens", "length"},
        {-1, "END_TURN", 0, 0, "end_turn", "stop"},
        {-1, "SOMETHING_NEW", 0, 0, "end_turn", "stop"},
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        const stop_case *c = &cases[i];
        upstream_usage u;
        upstream_usage_init(&u);
        if (c->context >= 0) {
            kiro_event ev = ev_context(c->context);
            upstream_usage_note(&u, &ev);
        }
        kiro_event meta = ev_metadata(-1, -1);
        meta.stop_reason = c->upstream_stop;
        upstream_usage_note(&u, &meta);
        assert_string_equal(upstream_usage_stop_reason(&u, c->tool_calls, c->length_limited),
                            c->anthropic);
        assert_string_equal(upstream_usage_finish_reason(&u, c->tool_calls, c->length_limited),
                            c->openai);
    }
}

/* ---- the four formats ---------------------------------------------------------------------- */

static cJSON *run_json(rw_format format, const kiro_event *events, size_t count, rw_run *run)
{
    rw_options o = test_options(format);
    run_writer(run, &o, events, count, 1);
    assert_int_equal(run->event_rc, 0);
    assert_int_equal(run->finish_rc, 0);
    if (format == RW_ANTHROPIC_SSE || format == RW_OPENAI_SSE)
        return parse_sse(run->out.data, run->out.len);
    cJSON *j = cJSON_ParseWithLength(run->out.data, run->out.len);
    assert_non_null(j);
    return j;
}

static void test_anthropic_stream_usage(void **state)
{
    (void)state;
    kiro_event events[] = {ev_text("Hello"), ev_context(5), metadata_full(120, 30, 900, 100)};
    rw_run run;
    cJSON *sse = run_json(RW_ANTHROPIC_SSE, events, COUNT(events), &run);
    /* message_start: only the estimate is known yet, and the cache counts are present at 0 */
    const cJSON *start = find_event(sse, "message_start");
    assert_int_equal(json_num(start, "message/usage/input_tokens"), 42);
    assert_int_equal(json_num(start, "message/usage/cache_read_input_tokens"), 0);
    assert_int_equal(json_num(start, "message/usage/cache_creation_input_tokens"), 0);
    assert_int_equal(json_num(start, "message/usage/output_tokens"), 0);
    /* message_delta: what the upstream reported */
    const cJSON *delta = find_event(sse, "message_delta");
    assert_int_equal(json_num(delta, "usage/input_tokens"), 120);
    assert_int_equal(json_num(delta, "usage/cache_read_input_tokens"), 900);
    assert_int_equal(json_num(delta, "usage/cache_creation_input_tokens"), 100);
    assert_int_equal(json_num(delta, "usage/output_tokens"), 30);
    assert_string_equal(json_str(delta, "delta/stop_reason"), "end_turn");
    cJSON_Delete(sse);
    run_free(&run);
}

static void test_json_and_openai_usage(void **state)
{
    (void)state;
    kiro_event events[] = {ev_text("Hello"), metadata_full(120, 30, 900, 100)};
    rw_run run;
    cJSON *m = run_json(RW_ANTHROPIC_JSON, events, COUNT(events), &run);
    assert_int_equal(json_num(m, "usage/input_tokens"), 120);
    assert_int_equal(json_num(m, "usage/cache_read_input_tokens"), 900);
    assert_int_equal(json_num(m, "usage/cache_creation_input_tokens"), 100);
    assert_int_equal(json_num(m, "usage/output_tokens"), 30);
    cJSON_Delete(m);
    run_free(&run);

    /* OpenAI counts every input token in prompt_tokens and the cache hits in cached_tokens */
    cJSON *c = run_json(RW_OPENAI_JSON, events, COUNT(events), &run);
    assert_int_equal(json_num(c, "usage/prompt_tokens"), 1120);
    assert_int_equal(json_num(c, "usage/completion_tokens"), 30);
    assert_int_equal(json_num(c, "usage/total_tokens"), 1150);
    assert_int_equal(json_num(c, "usage/prompt_tokens_details/cached_tokens"), 900);
    cJSON_Delete(c);
    run_free(&run);

    cJSON *sse = run_json(RW_OPENAI_SSE, events, COUNT(events), &run);
    const cJSON *last = NULL;
    const cJSON *item;
    cJSON_ArrayForEach(item, sse)
    {
        const cJSON *data = sse_data(item);
        if (data && json_at(data, "usage"))
            last = data;
    }
    assert_non_null(last);
    assert_int_equal(json_num(last, "usage/prompt_tokens"), 1120);
    assert_int_equal(json_num(last, "usage/prompt_tokens_details/cached_tokens"), 900);
    cJSON_Delete(sse);
    run_free(&run);
}

static void test_context_window_exceeded_in_every_format(void **state)
{
    (void)state;
    kiro_event events[] = {ev_text("partial answer"), ev_tool("t1", "read", "{}", 1),
                           ev_context(100.0)};
    rw_run run;
    cJSON *sse = run_json(RW_ANTHROPIC_SSE, events, COUNT(events), &run);
    assert_string_equal(json_str(find_event(sse, "message_delta"), "delta/stop_reason"),
                        "model_context_window_exceeded");
    assert_string_equal(rw_stop_reason(run.w), "model_context_window_exceeded");
    /* the whole window is the input */
    assert_int_equal(json_num(find_event(sse, "message_delta"), "usage/input_tokens"), 200000);
    cJSON_Delete(sse);
    run_free(&run);

    cJSON *m = run_json(RW_ANTHROPIC_JSON, events, COUNT(events), &run);
    assert_string_equal(json_str(m, "stop_reason"), "model_context_window_exceeded");
    cJSON_Delete(m);
    run_free(&run);

    cJSON *c = run_json(RW_OPENAI_JSON, events, COUNT(events), &run);
    assert_string_equal(json_str(c, "choices/0/finish_reason"), "length");
    cJSON_Delete(c);
    run_free(&run);

    /* just below the limit the turn ends normally (here: with its tool call) */
    kiro_event below[] = {ev_text("answer"), ev_tool("t1", "read", "{}", 1), ev_context(99.99)};
    m = run_json(RW_ANTHROPIC_JSON, below, COUNT(below), &run);
    assert_string_equal(json_str(m, "stop_reason"), "tool_use");
    cJSON_Delete(m);
    run_free(&run);
}

static void test_model_context_window_option(void **state)
{
    (void)state;
    kiro_event events[] = {ev_text("x"), ev_context(10.0)};
    rw_options o = test_options(RW_ANTHROPIC_JSON);
    o.context_window = 1000000;
    rw_run run;
    run_writer(&run, &o, events, COUNT(events), 1);
    assert_int_equal(run.finish_rc, 0);
    assert_int_equal(rw_input_tokens(run.w), 100000);
    cJSON *m = cJSON_ParseWithLength(run.out.data, run.out.len);
    assert_int_equal(json_num(m, "usage/input_tokens"), 100000);
    cJSON_Delete(m);
    run_free(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_metadata_event_forms),
        cmocka_unit_test(test_metadata_event_malformed),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_stop_reasons),
        cmocka_unit_test(test_anthropic_stream_usage),
        cmocka_unit_test(test_json_and_openai_usage),
        cmocka_unit_test(test_context_window_exceeded_in_every_format),
        cmocka_unit_test(test_model_context_window_option),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
