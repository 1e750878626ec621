/* test_anthropic_sse.c: the Anthropic streaming format of the response writer.
 *
 * Every test parses the whole output with the strict SSE parser and asserts the exact event
 * order (anthropic_shape) and the fields of the events that carry data. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render_test_support.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Runs the writer, parses the output and checks the shape; returns the parsed events. */
static cJSON *run_and_parse(rw_run *run, const rw_options *o, const kiro_event *events,
                            size_t count, const char *expected_shape)
{
    run_writer(run, o, events, count, 1);
    assert_int_equal(run->event_rc, 0);
    assert_int_equal(run->finish_rc, 0);
    cJSON *parsed = parse_sse(run->out.data, run->out.len);
    char *shape = anthropic_shape(parsed);
    assert_string_equal(shape, expected_shape);
    free(shape);
    return parsed;
}

static void test_text_only(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    kiro_event events[] = { ev_text("Hel"), ev_text(""), ev_text("lo!") };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, COUNT(events),
                                  "message_start ping start0:text delta0:text_delta "
                                  "delta0:text_delta stop0 message_delta message_stop");
    const cJSON *start = find_event(parsed, "message_start");
    assert_string_equal(json_str(start, "message/id"), "msg_test");
    assert_string_equal(json_str(start, "message/type"), "message");
    assert_string_equal(json_str(start, "message/role"), "assistant");
    assert_string_equal(json_str(start, "message/model"), "claude-test");
    assert_true(cJSON_IsArray(json_at(start, "message/content")));
    assert_int_equal(cJSON_GetArraySize(json_at(start, "message/content")), 0);
    assert_true(cJSON_IsNull(json_at(start, "message/stop_reason")));
    assert_true(cJSON_IsNull(json_at(start, "message/stop_sequence")));
    assert_int_equal(json_num(start, "message/usage/input_tokens"), 42);
    assert_int_equal(json_num(start, "message/usage/output_tokens"), 0);

    const cJSON *block = find_event(parsed, "content_block_start");
    assert_string_equal(json_str(block, "content_block/text"), "");
    char *text = anthropic_joined(parsed, 0, "text");
    assert_string_equal(text, "Hello!");
    free(text);

    const cJSON *delta = find_event(parsed, "message_delta");
    assert_string_equal(json_str(delta, "delta/stop_reason"), "end_turn");
    assert_true(cJSON_IsNull(json_at(delta, "delta/stop_sequence")));
    assert_int_equal(json_num(delta, "usage/input_tokens"), 42);
    assert_int_equal(json_num(delta, "usage/output_tokens"), 2);   /* 6 chars / 4, rounded up */
    assert_int_equal(rw_output_tokens(run.w), 2);
    assert_string_equal(rw_stop_reason(run.w), "end_turn");
    assert_int_equal(rw_started(run.w), 1);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_generated_message_id(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    o.message_id = NULL;
    kiro_event events[] = { ev_text("x") };
    rw_run a, b;
    cJSON *pa = run_and_parse(&a, &o, events, 1, "message_start ping start0:text "
                              "delta0:text_delta stop0 message_delta message_stop");
    cJSON *pb = run_and_parse(&b, &o, events, 1, "message_start ping start0:text "
                              "delta0:text_delta stop0 message_delta message_stop");
    const char *ida = json_str(find_event(pa, "message_start"), "message/id");
    const char *idb = json_str(find_event(pb, "message_start"), "message/id");
    assert_true(strncmp(ida, "msg_", 4) == 0);
    assert_true(strlen(ida) > 12);
    assert_string_not_equal(ida, idb);
    cJSON_Delete(pa);
    cJSON_Delete(pb);
    run_free(&a);
    run_free(&b);
}

static void test_text_then_tool_call_fragments(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    kiro_event events[] = {
        ev_text("Let me look."),
        ev_tool("tooluse_1", "read_file", "", 0),
        ev_tool("tooluse_1", "read_file", "{\"path\":", 0),
        ev_tool("tooluse_1", "read_file", "", 0),
        ev_tool("tooluse_1", "read_file", "\"/tmp/a b\"}", 0),
        ev_tool("tooluse_1", "read_file", NULL, 1),
        ev_metadata(-1, -1),
    };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, COUNT(events),
                                  "message_start ping start0:text delta0:text_delta stop0 "
                                  "start1:tool_use delta1:input_json_delta "
                                  "delta1:input_json_delta stop1 message_delta message_stop");
    const cJSON *tool = NULL;   /* the content_block_start of block 1 */
    const cJSON *item;
    int seen = 0;
    cJSON_ArrayForEach(item, parsed) {
        const cJSON *data = sse_data(item);
        if (strcmp(json_str(data, "type"), "content_block_start") == 0 &&
            json_num(data, "index") == 1) {
            tool = data;
            seen = 1;
        }
    }
    assert_true(seen);
    assert_string_equal(json_str(tool, "content_block/id"), "tooluse_1");
    assert_string_equal(json_str(tool, "content_block/name"), "read_file");
    assert_true(cJSON_IsObject(json_at(tool, "content_block/input")));
    assert_int_equal(cJSON_GetArraySize(json_at(tool, "content_block/input")), 0);
    char *input = anthropic_joined(parsed, 1, "partial_json");
    assert_string_equal(input, "{\"path\":\"/tmp/a b\"}");
    free(input);
    assert_string_equal(json_str(find_event(parsed, "message_delta"), "delta/stop_reason"),
                        "tool_use");
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_new_tool_id_closes_previous_and_duplicates_are_dropped(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    kiro_event events[] = {
        ev_tool("a", "one", "{\"x\":", 0),
        ev_tool("b", "two", "{}", 0),        /* a is still open: it is closed first */
        ev_tool("b", "two", NULL, 1),
        ev_tool("a", "one", "1}", 0),        /* a already ended: dropped */
        ev_tool("b", "two", "{}", 1),        /* b already ended: dropped */
        ev_text("done"),
    };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, COUNT(events),
                                  "message_start ping start0:tool_use delta0:input_json_delta "
                                  "stop0 start1:tool_use delta1:input_json_delta stop1 "
                                  "start2:text delta2:text_delta stop2 message_delta "
                                  "message_stop");
    char *a = anthropic_joined(parsed, 0, "partial_json");
    char *b = anthropic_joined(parsed, 1, "partial_json");
    assert_string_equal(a, "{\"x\":");
    assert_string_equal(b, "{}");
    free(a);
    free(b);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_tool_name_map_restores_client_name(void **state)
{
    (void)state;
    cJSON *map = cJSON_Parse("{\"mcp_srv_a1b2\":\"mcp__server__very_long_tool_name\"}");
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    o.tool_name_map = map;
    kiro_event events[] = {
        ev_tool("t1", "mcp_srv_a1b2", "{}", 1),
        ev_tool("t2", "not_mapped", "{}", 1),
    };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, COUNT(events),
                                  "message_start ping start0:tool_use delta0:input_json_delta "
                                  "stop0 start1:tool_use delta1:input_json_delta stop1 "
                                  "message_delta message_stop");
    assert_string_equal(json_str(parsed, "2/data/content_block/name"),
                        "mcp__server__very_long_tool_name");
    assert_string_equal(json_str(parsed, "5/data/content_block/name"), "not_mapped");
    cJSON_Delete(parsed);
    run_free(&run);
    cJSON_Delete(map);
}

/* Feeds text split into two events at cut; returns parsed output. */
static cJSON *thinking_split_run(rw_run *run, const char *text, size_t cut)
{
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    o.thinking = 1;
    size_t len = strlen(text);
    kiro_event events[] = { ev_text_n(text, cut), ev_text_n(text + cut, len - cut) };
    run_writer(run, &o, events, 2, 1);
    assert_int_equal(run->event_rc, 0);
    assert_int_equal(run->finish_rc, 0);
    return parse_sse(run->out.data, run->out.len);
}

static void test_thinking_tags_split_at_every_offset(void **state)
{
    (void)state;
    const char *text = " \n<thinking>Let me think about </thinking x> it.</thinking>\n\nThe answer.";
    for (size_t cut = 0; cut <= strlen(text); cut++) {
        rw_run run;
        cJSON *parsed = thinking_split_run(&run, text, cut);
        char *shape = anthropic_shape(parsed);
        /* The number of deltas depends on the cut; the block structure does not. */
        assert_non_null(strstr(shape, "message_start ping start0:thinking delta0:thinking_delta"));
        assert_non_null(strstr(shape, "delta0:signature_delta stop0 start1:text delta1:text_delta"));
        assert_non_null(strstr(shape, "stop1 message_delta message_stop"));
        assert_null(strstr(shape, "start2"));
        char *thinking = anthropic_joined(parsed, 0, "thinking");
        char *answer = anthropic_joined(parsed, 1, "text");
        assert_string_equal(thinking, "Let me think about </thinking x> it.");
        assert_string_equal(answer, "The answer.");
        char *sig = anthropic_joined(parsed, 0, "signature");
        assert_true(strlen(sig) >= 16);
        free(sig);
        free(shape);
        free(thinking);
        free(answer);
        cJSON_Delete(parsed);
        run_free(&run);
    }
}

static void test_thinking_tags_byte_by_byte(void **state)
{
    (void)state;
    const char *text = "<thinking>abc</thinking>\n\nxyz";
    size_t len = strlen(text);
    kiro_event events[64];
    for (size_t i = 0; i < len; i++)
        events[i] = ev_text_n(text + i, 1);
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    o.thinking = 1;
    rw_run run;
    run_writer(&run, &o, events, len, 1);
    cJSON *parsed = parse_sse(run.out.data, run.out.len);
    char *thinking = anthropic_joined(parsed, 0, "thinking");
    char *answer = anthropic_joined(parsed, 1, "text");
    assert_string_equal(thinking, "abc");
    assert_string_equal(answer, "xyz");
    assert_string_equal(json_str(parsed, "2/data/content_block/type"), "thinking");
    free(thinking);
    free(answer);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_thinking_off_keeps_tags_as_text(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    kiro_event events[] = { ev_text("<thinking>a</thinking>b") };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, 1, "message_start ping start0:text "
                                  "delta0:text_delta stop0 message_delta message_stop");
    char *text = anthropic_joined(parsed, 0, "text");
    assert_string_equal(text, "<thinking>a</thinking>b");
    free(text);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_text_not_starting_with_tag_is_text(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    o.thinking = 1;
    kiro_event events[] = { ev_text("  <think"), ev_text("er> and <thinking>x</thinking>") };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, 2, "message_start ping start0:text "
                                  "delta0:text_delta delta0:text_delta stop0 message_delta "
                                  "message_stop");
    char *text = anthropic_joined(parsed, 0, "text");
    assert_string_equal(text, "  <thinker> and <thinking>x</thinking>");
    free(text);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_unclosed_thinking_is_flushed_at_finish(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    o.thinking = 1;
    kiro_event events[] = { ev_text("<thinking>still going </thin") };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, 1, "message_start ping start0:thinking "
                                  "delta0:thinking_delta delta0:thinking_delta "
                                  "delta0:signature_delta stop0 message_delta message_stop");
    char *thinking = anthropic_joined(parsed, 0, "thinking");
    assert_string_equal(thinking, "still going </thin");
    free(thinking);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_reasoning_events_make_thinking_block(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    kiro_event events[] = { ev_reasoning("step 1; "), ev_reasoning("step 2"), ev_text("Done."),
                            ev_reasoning("more"), ev_tool("t", "f", "{}", 1) };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, COUNT(events),
                                  "message_start ping start0:thinking delta0:thinking_delta "
                                  "delta0:thinking_delta delta0:signature_delta stop0 "
                                  "start1:text delta1:text_delta stop1 start2:thinking "
                                  "delta2:thinking_delta delta2:signature_delta stop2 "
                                  "start3:tool_use delta3:input_json_delta stop3 "
                                  "message_delta message_stop");
    char *thinking = anthropic_joined(parsed, 0, "thinking");
    assert_string_equal(thinking, "step 1; step 2");
    free(thinking);
    const cJSON *start = find_event(parsed, "content_block_start");
    assert_string_equal(json_str(start, "content_block/thinking"), "");
    assert_string_equal(json_str(start, "content_block/signature"), "");
    /* each thinking block gets its own signature */
    assert_string_not_equal(json_str(parsed, "5/data/delta/signature"),
                            json_str(parsed, "12/data/delta/signature"));
    /* thinking counts towards the output estimate: 14 + 5 + 4 + 2 chars */
    assert_int_equal(json_num(find_event(parsed, "message_delta"), "usage/output_tokens"), 7);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_content_length_exceeded_is_max_tokens(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    kiro_event events[] = {
        ev_text("partial answer"),
        ev_exception("ContentLengthExceededException", "Response exceeded the limit"),
    };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, COUNT(events),
                                  "message_start ping start0:text delta0:text_delta stop0 "
                                  "message_delta message_stop");
    assert_string_equal(json_str(find_event(parsed, "message_delta"), "delta/stop_reason"),
                        "max_tokens");
    assert_string_equal(rw_stop_reason(run.w), "max_tokens");
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_exception_fails_with_error_event(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    kiro_event events[] = { ev_text("so far"),
                            ev_exception("ThrottlingException", "Too many requests") };
    rw_run run;
    run_writer(&run, &o, events, COUNT(events), 0);
    assert_int_equal(run.event_rc, -1);
    const api_error *e = rw_last_error(run.w);
    assert_int_equal(e->status, 429);
    assert_string_equal(e->type, "rate_limit_error");
    assert_non_null(strstr(e->message, "Too many requests"));
    assert_non_null(strstr(e->message, "ThrottlingException"));
    assert_int_equal(rw_fail(run.w, e, &run.out), 0);
    cJSON *parsed = parse_sse(run.out.data, run.out.len);
    char *shape = anthropic_shape(parsed);
    assert_string_equal(shape, "message_start ping start0:text delta0:text_delta error");
    const cJSON *err = find_event(parsed, "error");
    assert_string_equal(json_str(err, "error/type"), "rate_limit_error");
    assert_non_null(strstr(json_str(err, "error/message"), "Too many requests"));
    /* nothing more can be written: no finish after a failure */
    size_t len = run.out.len;
    assert_int_equal(rw_finish(run.w, &run.out), -1);
    assert_int_equal(rw_fail(run.w, e, &run.out), -1);
    kiro_event more = ev_text("late");
    assert_int_equal(rw_event(run.w, &more, &run.out), -1);
    assert_int_equal(run.out.len, len);
    free(shape);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_empty_response_is_an_error(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    kiro_event events[] = { ev_text(""), ev_metadata(10, 0), ev_context(3.0),
                            ev_exception("ContentLengthExceededException", "") };
    rw_run run;
    run_writer(&run, &o, events, COUNT(events), 0);
    assert_int_equal(run.event_rc, 0);
    size_t len = run.out.len;
    assert_int_equal(rw_finish(run.w, &run.out), -1);
    assert_int_equal(run.out.len, len);   /* nothing written */
    const api_error *e = rw_last_error(run.w);
    assert_int_equal(e->status, 502);
    assert_string_equal(e->message, "upstream returned an empty response");
    assert_int_equal(rw_fail(run.w, e, &run.out), 0);
    cJSON *parsed = parse_sse(run.out.data, run.out.len);
    char *shape = anthropic_shape(parsed);
    assert_string_equal(shape, "message_start ping error");
    assert_string_equal(json_str(find_event(parsed, "error"), "error/message"),
                        "upstream returned an empty response");
    free(shape);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_finish_without_any_event_is_empty(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    response_writer *w = rw_new(&o);
    kbuf out = KBUF_INIT(0);
    assert_int_equal(rw_finish(w, &out), -1);
    assert_int_equal(out.len, 0);
    assert_int_equal(rw_started(w), 0);
    /* not started: the error is a plain JSON body the caller sends with the status */
    assert_int_equal(rw_fail(w, rw_last_error(w), &out), 0);
    cJSON *body = cJSON_Parse(out.data);
    assert_string_equal(json_str(body, "type"), "error");
    assert_string_equal(json_str(body, "error/type"), "api_error");
    cJSON_Delete(body);
    kbuf_free(&out);
    rw_free(w);
}

static void test_usage_from_metadata(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    kiro_event events[] = { ev_context(50.0), ev_text("0123456789"), ev_metadata(1234, 77) };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, COUNT(events),
                                  "message_start ping start0:text delta0:text_delta stop0 "
                                  "message_delta message_stop");
    const cJSON *delta = find_event(parsed, "message_delta");
    assert_int_equal(json_num(delta, "usage/input_tokens"), 1234);
    assert_int_equal(json_num(delta, "usage/output_tokens"), 77);
    assert_int_equal(rw_input_tokens(run.w), 1234);
    assert_int_equal(rw_output_tokens(run.w), 77);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_usage_estimates(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    /* context usage: 12.5% of 200,000; output: 9 chars text + 4 tool input -> 13 / 4 -> 4 */
    kiro_event events[] = { ev_context(12.5), ev_text("h\xc3\xa9llo w\xc3\xb6r"),
                            ev_tool("t", "f", "{\"a\"", 0), ev_tool("t", "f", NULL, 1) };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, COUNT(events),
                                  "message_start ping start0:text delta0:text_delta stop0 "
                                  "start1:tool_use delta1:input_json_delta stop1 message_delta "
                                  "message_stop");
    const cJSON *delta = find_event(parsed, "message_delta");
    assert_int_equal(json_num(delta, "usage/input_tokens"), 25000);
    assert_int_equal(json_num(delta, "usage/output_tokens"), 4);
    cJSON_Delete(parsed);
    run_free(&run);

    /* no usage events: the caller's estimate; a single character still costs a token */
    kiro_event one[] = { ev_text("a") };
    parsed = run_and_parse(&run, &o, one, 1, "message_start ping start0:text "
                           "delta0:text_delta stop0 message_delta message_stop");
    delta = find_event(parsed, "message_delta");
    assert_int_equal(json_num(delta, "usage/input_tokens"), 42);
    assert_int_equal(json_num(delta, "usage/output_tokens"), 1);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_ping(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    response_writer *w = rw_new(&o);
    kbuf out = KBUF_INIT(0);
    assert_int_equal(rw_ping(w, &out), 0);
    assert_int_equal(out.len, 0);   /* not begun: nothing */
    assert_int_equal(rw_begin(w, &out), 0);
    kbuf_reset(&out);
    assert_int_equal(rw_ping(w, &out), 0);
    assert_string_equal(out.data, "event: ping\ndata: {\"type\":\"ping\"}\n\n");
    kiro_event t = ev_text("x");
    assert_int_equal(rw_event(w, &t, &out), 0);
    assert_int_equal(rw_ping(w, &out), 0);
    assert_int_equal(rw_finish(w, &out), 0);
    size_t len = out.len;
    assert_int_equal(rw_ping(w, &out), 0);
    assert_int_equal(out.len, len);   /* after the end: nothing */
    cJSON *parsed = parse_sse(out.data, out.len);
    char *shape = anthropic_shape(parsed);
    assert_string_equal(shape, "ping start0:text delta0:text_delta ping stop0 message_delta "
                               "message_stop");
    free(shape);
    cJSON_Delete(parsed);
    kbuf_free(&out);
    rw_free(w);
}

static void test_utf8_split_across_events(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    /* "caf\u00e9 \U0001F600!" with the 2-byte and the 4-byte character split */
    kiro_event events[] = { ev_text("caf\xc3"), ev_text("\xa9 \xf0\x9f"), ev_text("\x98"),
                            ev_text("\x80!") };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, COUNT(events),
                                  "message_start ping start0:text delta0:text_delta "
                                  "delta0:text_delta delta0:text_delta stop0 message_delta "
                                  "message_stop");
    char *text = anthropic_joined(parsed, 0, "text");
    assert_string_equal(text, "caf\xc3\xa9 \xf0\x9f\x98\x80!");
    free(text);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_invalid_utf8_is_replaced(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    kiro_event events[] = {
        ev_text("a\xff" "b\xc0\xaf" "c\xed\xa0\x80" "d"),     /* bad byte, overlong, surrogate */
        ev_tool("t\xfe", "n\x80", "{\"k\":\"\xf5\"}", 1),
        ev_text("tail\xe2\x82"),                               /* incomplete at the very end */
    };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, COUNT(events),
                                  "message_start ping start0:text delta0:text_delta stop0 "
                                  "start1:tool_use delta1:input_json_delta stop1 start2:text "
                                  "delta2:text_delta delta2:text_delta stop2 message_delta "
                                  "message_stop");
    char *text = anthropic_joined(parsed, 0, "text");
    assert_string_equal(text, "a\xef\xbf\xbd" "b\xef\xbf\xbd\xef\xbf\xbd"
                              "c\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" "d");
    char *input = anthropic_joined(parsed, 1, "partial_json");
    assert_string_equal(input, "{\"k\":\"\xef\xbf\xbd\"}");
    char *tail = anthropic_joined(parsed, 2, "text");
    assert_string_equal(tail, "tail\xef\xbf\xbd");
    assert_string_equal(json_str(parsed, "5/data/content_block/id"), "t\xef\xbf\xbd");
    assert_string_equal(json_str(parsed, "5/data/content_block/name"), "n\xef\xbf\xbd");
    free(text);
    free(input);
    free(tail);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_json_escaping_of_control_bytes(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    kiro_event events[] = { ev_text("line1\nline2\r\n\"q\" \\ \x01\x1f</script>") };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, 1, "message_start ping start0:text "
                                  "delta0:text_delta stop0 message_delta message_stop");
    char *text = anthropic_joined(parsed, 0, "text");
    assert_string_equal(text, "line1\nline2\r\n\"q\" \\ \x01\x1f</script>");
    free(text);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_other_exceptions_map_to_statuses(void **state)
{
    (void)state;
    static const struct {
        const char *type;
        const char *message;
        int status;
        const char *error_type;
    } cases[] = {
        { "ThrottlingException", "slow down", 429, "rate_limit_error" },
        { "ValidationException", "Improperly formed request.", 400, "invalid_request_error" },
        { "AccessDeniedException", "denied", 403, "permission_error" },
        { "ServiceQuotaExceededException", "limit", 429, "rate_limit_error" },
        { "SomeException", "MONTHLY_REQUEST_COUNT reached", 429, "rate_limit_error" },
        { "InternalServerException", "boom", 529, "overloaded_error" },
        { "ServiceUnavailableException", "later", 529, "overloaded_error" },
        { "com.amazon.aws.codewhisperer#ThrottlingException", "x", 429, "rate_limit_error" },
        { "ModelStreamErrorException", "odd", 502, "api_error" },
        { NULL, "no type", 502, "api_error" },
    };
    for (size_t i = 0; i < COUNT(cases); i++) {
        rw_options o = test_options(RW_ANTHROPIC_SSE);
        kiro_event events[] = { ev_exception(cases[i].type, cases[i].message) };
        rw_run run;
        run_writer(&run, &o, events, 1, 0);
        assert_int_equal(run.event_rc, -1);
        const api_error *e = rw_last_error(run.w);
        if (e->status != cases[i].status)
            fail_msg("%s: status %d", cases[i].type ? cases[i].type : "(null)", e->status);
        assert_string_equal(e->type, cases[i].error_type);
        assert_non_null(strstr(e->message, cases[i].message));
        run_free(&run);
    }
}

static void test_long_invalid_exception_message_stays_valid(void **state)
{
    (void)state;
    char message[2000];
    for (size_t i = 0; i + 2 < sizeof message; i += 2) {
        message[i] = '\xc3';
        message[i + 1] = '\xa9';
    }
    message[sizeof message - 2] = '\xff';
    message[sizeof message - 1] = '\0';
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    kiro_event events[] = { ev_text("x"), ev_exception("BadException\xc3", message) };
    rw_run run;
    run_writer(&run, &o, events, 2, 0);
    assert_int_equal(run.event_rc, -1);
    const api_error *e = rw_last_error(run.w);
    assert_true(is_valid_utf8(e->message, strlen(e->message)));
    assert_true(strlen(e->message) > 300);
    assert_int_equal(rw_fail(run.w, e, &run.out), 0);
    cJSON *parsed = parse_sse(run.out.data, run.out.len);   /* asserts valid UTF-8 */
    assert_non_null(find_event(parsed, "error"));
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_limits_fail_cleanly(void **state)
{
    (void)state;
    rw_options bad = test_options(RW_ANTHROPIC_SSE);
    bad.format = (rw_format)42;
    assert_null(rw_new(&bad));

    /* the caller's output buffer is full: an error, not a truncated event */
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    response_writer *w = rw_new(&o);
    kbuf out = KBUF_INIT(400);
    assert_int_equal(rw_begin(w, &out), 0);
    char big[512];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    kiro_event t = ev_text(big);
    assert_int_equal(rw_event(w, &t, &out), -1);
    assert_int_equal(rw_last_error(w)->status, 502);
    kbuf_free(&out);
    rw_free(w);

    /* too many blocks */
    w = rw_new(&o);
    kbuf_init(&out, 0);
    int rc = 0;
    for (int i = 0; i < 5000 && rc == 0; i++) {
        kiro_event e = i % 2 ? ev_text("a") : ev_reasoning("b");
        rc = rw_event(w, &e, &out);
    }
    assert_int_equal(rc, -1);
    assert_non_null(strstr(rw_last_error(w)->message, "too many content blocks"));
    kbuf_free(&out);
    rw_free(w);

    /* an absurd tool id */
    char long_id[600];
    memset(long_id, 'i', sizeof long_id - 1);
    long_id[sizeof long_id - 1] = '\0';
    kiro_event events[] = { ev_tool(long_id, "f", "{}", 1) };
    rw_run run;
    run_writer(&run, &o, events, 1, 0);
    assert_int_equal(run.event_rc, -1);
    assert_non_null(strstr(rw_last_error(run.w)->message, "invalid tool call"));
    run_free(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_only),
        cmocka_unit_test(test_generated_message_id),
        cmocka_unit_test(test_text_then_tool_call_fragments),
        cmocka_unit_test(test_new_tool_id_closes_previous_and_duplicates_are_dropped),
        cmocka_unit_test(test_tool_name_map_restores_client_name),
        cmocka_unit_test(test_thinking_tags_split_at_every_offset),
        cmocka_unit_test(test_thinking_tags_byte_by_byte),
        cmocka_unit_test(test_thinking_off_keeps_tags_as_text),
        cmocka_unit_test(test_text_not_starting_with_tag_is_text),
        cmocka_unit_test(test_unclosed_thinking_is_flushed_at_finish),
        cmocka_unit_test(test_reasoning_events_make_thinking_block),
        cmocka_unit_test(test_content_length_exceeded_is_max_tokens),
        cmocka_unit_test(test_exception_fails_with_error_event),
        cmocka_unit_test(test_empty_response_is_an_error),
        cmocka_unit_test(test_finish_without_any_event_is_empty),
        cmocka_unit_test(test_usage_from_metadata),
        cmocka_unit_test(test_usage_estimates),
        cmocka_unit_test(test_ping),
        cmocka_unit_test(test_utf8_split_across_events),
        cmocka_unit_test(test_invalid_utf8_is_replaced),
        cmocka_unit_test(test_json_escaping_of_control_bytes),
        cmocka_unit_test(test_other_exceptions_map_to_statuses),
        cmocka_unit_test(test_long_invalid_exception_message_stays_valid),
        cmocka_unit_test(test_limits_fail_cleanly),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
