/* test_openai_sse.c: the OpenAI chat completions streaming format of the response writer.
 *
 * Output is parsed strictly; openai_shape summarises the chunk sequence (and checks the
 * fields every chunk must carry) so the tests can assert the exact order. */
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

/* One word per SSE event: role content reasoning tool_start<k> tool_args<k> finish:<r> DONE
 * error ping. */
static char *openai_shape(const cJSON *events)
{
    kbuf b = KBUF_INIT(0);
    const cJSON *item;
    cJSON_ArrayForEach(item, events) {
        if (b.len)
            kbuf_append_char(&b, ' ');
        assert_null(sse_event_name(item));
        if (cJSON_GetObjectItem(item, "comment")) {
            assert_string_equal(json_str(item, "comment"), ": ping");
            kbuf_append_str(&b, "ping");
            continue;
        }
        const cJSON *data = sse_data(item);
        if (cJSON_IsString(data)) {
            assert_string_equal(data->valuestring, "[DONE]");
            kbuf_append_str(&b, "DONE");
            continue;
        }
        if (json_at(data, "error")) {
            kbuf_append_str(&b, "error");
            continue;
        }
        assert_string_equal(json_str(data, "id"), "chatcmpl-test");
        assert_string_equal(json_str(data, "object"), "chat.completion.chunk");
        assert_int_equal(json_num(data, "created"), 1700000000);
        assert_string_equal(json_str(data, "model"), "claude-test");
        assert_int_equal(cJSON_GetArraySize(json_at(data, "choices")), 1);
        assert_int_equal(json_num(data, "choices/0/index"), 0);
        const cJSON *delta = json_at(data, "choices/0/delta");
        assert_true(cJSON_IsObject(delta));
        const cJSON *finish = json_at(data, "choices/0/finish_reason");
        if (cJSON_IsString(finish)) {
            assert_int_equal(cJSON_GetArraySize(delta), 0);
            kbuf_printf(&b, "finish:%s", finish->valuestring);
            continue;
        }
        assert_true(cJSON_IsNull(finish));
        assert_int_equal(cJSON_GetArraySize(delta), json_at(delta, "role") ? 2 : 1);
        if (json_at(delta, "role"))
            kbuf_append_str(&b, "role");
        else if (json_at(delta, "content"))
            kbuf_append_str(&b, "content");
        else if (json_at(delta, "reasoning_content"))
            kbuf_append_str(&b, "reasoning");
        else if (json_at(delta, "tool_calls/0/id"))
            kbuf_printf(&b, "tool_start%d", (int)json_num(delta, "tool_calls/0/index"));
        else
            kbuf_printf(&b, "tool_args%d", (int)json_num(delta, "tool_calls/0/index"));
    }
    return kbuf_detach(&b, NULL);
}

/* Concatenation of a delta string field (e.g. "content") over all chunks; for tool arguments
 * pass the tool index in tool (else -1). */
static char *openai_joined(const cJSON *events, const char *field, int tool)
{
    kbuf b = KBUF_INIT(0);
    const cJSON *item;
    cJSON_ArrayForEach(item, events) {
        const cJSON *delta = json_at(sse_data(item), "choices/0/delta");
        if (!delta)
            continue;
        if (tool >= 0) {
            const cJSON *call = json_at(delta, "tool_calls/0");
            if (call && (int)json_num(call, "index") == tool)
                kbuf_append_str(&b, json_str(call, "function/arguments"));
        } else if (cJSON_IsString(json_at(delta, field))) {
            kbuf_append_str(&b, json_str(delta, field));
        }
    }
    return kbuf_detach(&b, NULL);
}

static cJSON *run_and_parse(rw_run *run, const rw_options *o, const kiro_event *events,
                            size_t count, const char *expected_shape)
{
    run_writer(run, o, events, count, 1);
    assert_int_equal(run->event_rc, 0);
    assert_int_equal(run->finish_rc, 0);
    cJSON *parsed = parse_sse(run->out.data, run->out.len);
    char *shape = openai_shape(parsed);
    assert_string_equal(shape, expected_shape);
    free(shape);
    return parsed;
}

static const cJSON *final_chunk(const cJSON *parsed)
{
    int n = cJSON_GetArraySize(parsed);
    assert_true(n >= 2);
    return sse_data(cJSON_GetArrayItem(parsed, n - 2));
}

static void test_text_only(void **state)
{
    (void)state;
    rw_options o = test_options(RW_OPENAI_SSE);
    kiro_event events[] = { ev_text("Hello"), ev_text(""), ev_text(", world") };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, COUNT(events),
                                  "role content content finish:stop DONE");
    assert_string_equal(json_str(parsed, "0/data/choices/0/delta/role"), "assistant");
    assert_string_equal(json_str(parsed, "0/data/choices/0/delta/content"), "");
    char *text = openai_joined(parsed, "content", -1);
    assert_string_equal(text, "Hello, world");
    free(text);
    const cJSON *last = final_chunk(parsed);
    assert_int_equal(json_num(last, "usage/prompt_tokens"), 42);
    assert_int_equal(json_num(last, "usage/completion_tokens"), 3);
    assert_int_equal(json_num(last, "usage/total_tokens"), 45);
    assert_memory_equal(run.out.data + run.out.len - 14, "data: [DONE]\n\n", 14);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_generated_id_prefix(void **state)
{
    (void)state;
    rw_options o = test_options(RW_OPENAI_SSE);
    o.message_id = NULL;
    o.created = 0;
    response_writer *w = rw_new(&o);
    kbuf out = KBUF_INIT(0);
    assert_int_equal(rw_begin(w, &out), 0);
    cJSON *parsed = parse_sse(out.data, out.len);
    assert_true(strncmp(json_str(parsed, "0/data/id"), "chatcmpl-", 9) == 0);
    assert_true(json_num(parsed, "0/data/created") > 1600000000);   /* now */
    cJSON_Delete(parsed);
    kbuf_free(&out);
    rw_free(w);
}

static void test_text_then_tool_calls(void **state)
{
    (void)state;
    cJSON *map = cJSON_Parse("{\"short_1\":\"original.tool/name\"}");
    rw_options o = test_options(RW_OPENAI_SSE);
    o.tool_name_map = map;
    kiro_event events[] = {
        ev_text("Checking."),
        ev_tool("call_a", "short_1", "{\"q\":", 0),
        ev_tool("call_a", "short_1", "", 0),
        ev_tool("call_a", "short_1", "\"x\"}", 1),
        ev_tool("call_b", "other", "", 0),
        ev_tool("call_b", "other", "{}", 1),
    };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, COUNT(events),
                                  "role content tool_start0 tool_args0 tool_args0 tool_start1 "
                                  "tool_args1 finish:tool_calls DONE");
    const cJSON *start0 = json_at(parsed, "2/data/choices/0/delta/tool_calls/0");
    assert_string_equal(json_str(start0, "id"), "call_a");
    assert_string_equal(json_str(start0, "type"), "function");
    assert_string_equal(json_str(start0, "function/name"), "original.tool/name");
    assert_string_equal(json_str(start0, "function/arguments"), "");
    const cJSON *start1 = json_at(parsed, "5/data/choices/0/delta/tool_calls/0");
    assert_string_equal(json_str(start1, "id"), "call_b");
    assert_string_equal(json_str(start1, "function/name"), "other");
    assert_null(json_at(parsed, "3/data/choices/0/delta/tool_calls/0/id"));
    char *args0 = openai_joined(parsed, NULL, 0);
    char *args1 = openai_joined(parsed, NULL, 1);
    assert_string_equal(args0, "{\"q\":\"x\"}");
    assert_string_equal(args1, "{}");
    free(args0);
    free(args1);
    cJSON_Delete(parsed);
    run_free(&run);
    cJSON_Delete(map);
}

static void test_thinking_tags_split_at_every_offset(void **state)
{
    (void)state;
    const char *text = "\n\n<thinking>plan: a < b </thinking>\n\nResult <b>.";
    size_t len = strlen(text);
    for (size_t cut = 0; cut <= len; cut++) {
        rw_options o = test_options(RW_OPENAI_SSE);
        o.thinking = 1;
        kiro_event events[] = { ev_text_n(text, cut), ev_text_n(text + cut, len - cut) };
        rw_run run;
        run_writer(&run, &o, events, 2, 1);
        assert_int_equal(run.finish_rc, 0);
        cJSON *parsed = parse_sse(run.out.data, run.out.len);
        char *shape = openai_shape(parsed);
        assert_non_null(strstr(shape, "role reasoning"));
        assert_null(strstr(shape, "content reasoning"));   /* thinking strictly first */
        assert_non_null(strstr(shape, "content finish:stop DONE"));
        char *thinking = openai_joined(parsed, "reasoning_content", -1);
        char *answer = openai_joined(parsed, "content", -1);
        assert_string_equal(thinking, "plan: a < b ");
        assert_string_equal(answer, "Result <b>.");
        free(shape);
        free(thinking);
        free(answer);
        cJSON_Delete(parsed);
        run_free(&run);
    }
}

static void test_reasoning_events(void **state)
{
    (void)state;
    rw_options o = test_options(RW_OPENAI_SSE);
    kiro_event events[] = { ev_reasoning("hmm"), ev_text("ok") };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, COUNT(events),
                                  "role reasoning content finish:stop DONE");
    assert_string_equal(json_str(parsed, "1/data/choices/0/delta/reasoning_content"), "hmm");
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_content_length_exceeded_is_length(void **state)
{
    (void)state;
    rw_options o = test_options(RW_OPENAI_SSE);
    kiro_event events[] = { ev_text("cut"),
                            ev_exception("ContentLengthExceededException", "too long") };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, COUNT(events),
                                  "role content finish:length DONE");
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_exception_sends_error_and_no_done(void **state)
{
    (void)state;
    rw_options o = test_options(RW_OPENAI_SSE);
    kiro_event events[] = { ev_text("a"), ev_exception("ValidationException", "bad input") };
    rw_run run;
    run_writer(&run, &o, events, COUNT(events), 0);
    assert_int_equal(run.event_rc, -1);
    assert_int_equal(rw_last_error(run.w)->status, 400);
    assert_int_equal(rw_fail(run.w, rw_last_error(run.w), &run.out), 0);
    cJSON *parsed = parse_sse(run.out.data, run.out.len);
    char *shape = openai_shape(parsed);
    assert_string_equal(shape, "role content error");
    const cJSON *err = sse_data(cJSON_GetArrayItem(parsed, 2));
    assert_string_equal(json_str(err, "error/type"), "invalid_request_error");
    assert_string_equal(json_str(err, "error/code"), "400");
    assert_non_null(strstr(json_str(err, "error/message"), "bad input"));
    assert_null(strstr(run.out.data, "[DONE]"));
    free(shape);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_empty_response_is_an_error(void **state)
{
    (void)state;
    rw_options o = test_options(RW_OPENAI_SSE);
    kiro_event events[] = { ev_text(""), ev_metadata(5, 5) };
    rw_run run;
    run_writer(&run, &o, events, COUNT(events), 0);
    size_t len = run.out.len;
    assert_int_equal(rw_finish(run.w, &run.out), -1);
    assert_int_equal(run.out.len, len);
    assert_string_equal(rw_last_error(run.w)->message, "upstream returned an empty response");
    assert_int_equal(rw_fail(run.w, NULL, &run.out), 0);   /* NULL: the last error */
    cJSON *parsed = parse_sse(run.out.data, run.out.len);
    char *shape = openai_shape(parsed);
    assert_string_equal(shape, "role error");
    assert_string_equal(json_str(parsed, "1/data/error/message"),
                        "upstream returned an empty response");
    free(shape);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_usage_from_metadata_and_context(void **state)
{
    (void)state;
    rw_options o = test_options(RW_OPENAI_SSE);
    kiro_event with_meta[] = { ev_text("x"), ev_metadata(900, 12) };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, with_meta, 2, "role content finish:stop DONE");
    assert_int_equal(json_num(final_chunk(parsed), "usage/prompt_tokens"), 900);
    assert_int_equal(json_num(final_chunk(parsed), "usage/completion_tokens"), 12);
    assert_int_equal(json_num(final_chunk(parsed), "usage/total_tokens"), 912);
    cJSON_Delete(parsed);
    run_free(&run);

    kiro_event with_context[] = { ev_context(1.0), ev_text("abcdefghi") };
    parsed = run_and_parse(&run, &o, with_context, 2, "role content finish:stop DONE");
    assert_int_equal(json_num(final_chunk(parsed), "usage/prompt_tokens"), 2000);
    assert_int_equal(json_num(final_chunk(parsed), "usage/completion_tokens"), 3);
    cJSON_Delete(parsed);
    run_free(&run);
}

static void test_ping_is_a_comment(void **state)
{
    (void)state;
    rw_options o = test_options(RW_OPENAI_SSE);
    response_writer *w = rw_new(&o);
    kbuf out = KBUF_INIT(0);
    assert_int_equal(rw_begin(w, &out), 0);
    size_t len = out.len;
    assert_int_equal(rw_ping(w, &out), 0);
    assert_string_equal(out.data + len, ": ping\n\n");
    kiro_event t = ev_text("x");
    assert_int_equal(rw_event(w, &t, &out), 0);
    assert_int_equal(rw_finish(w, &out), 0);
    cJSON *parsed = parse_sse(out.data, out.len);
    char *shape = openai_shape(parsed);
    assert_string_equal(shape, "role ping content finish:stop DONE");
    free(shape);
    cJSON_Delete(parsed);
    kbuf_free(&out);
    rw_free(w);
}

static void test_utf8_split_and_invalid(void **state)
{
    (void)state;
    rw_options o = test_options(RW_OPENAI_SSE);
    kiro_event events[] = { ev_text("\xe4\xb8"), ev_text("\xad\xe6\x96\x87 ok \x80"),
                            ev_tool("c", "f", "{\"s\":\"\xe2", 0),
                            ev_tool("c", "f", "\x82\xac\"}", 1) };
    rw_run run;
    cJSON *parsed = run_and_parse(&run, &o, events, COUNT(events),
                                  "role content tool_start0 tool_args0 tool_args0 "
                                  "finish:tool_calls DONE");
    char *text = openai_joined(parsed, "content", -1);
    assert_string_equal(text, "\xe4\xb8\xad\xe6\x96\x87 ok \xef\xbf\xbd");
    char *args = openai_joined(parsed, NULL, 0);
    assert_string_equal(args, "{\"s\":\"\xe2\x82\xac\"}");
    free(text);
    free(args);
    cJSON_Delete(parsed);
    run_free(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_text_only),
        cmocka_unit_test(test_generated_id_prefix),
        cmocka_unit_test(test_text_then_tool_calls),
        cmocka_unit_test(test_thinking_tags_split_at_every_offset),
        cmocka_unit_test(test_reasoning_events),
        cmocka_unit_test(test_content_length_exceeded_is_length),
        cmocka_unit_test(test_exception_sends_error_and_no_done),
        cmocka_unit_test(test_empty_response_is_an_error),
        cmocka_unit_test(test_usage_from_metadata_and_context),
        cmocka_unit_test(test_ping_is_a_comment),
        cmocka_unit_test(test_utf8_split_and_invalid),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
