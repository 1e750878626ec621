/* test_json_formats.c: the non-streaming formats of the response writer (Anthropic message
 * object and OpenAI chat.completion object). */
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

/* Runs the writer to a successful finish and parses the single JSON object it wrote. */
static cJSON *run_json(rw_run *run, const rw_options *o, const kiro_event *events, size_t count)
{
    run_writer(run, o, events, count, 1);
    assert_int_equal(run->event_rc, 0);
    assert_int_equal(run->finish_rc, 0);
    assert_non_null(run->out.data);
    assert_true(is_valid_utf8(run->out.data, run->out.len));
    cJSON *json = cJSON_Parse(run->out.data);
    assert_non_null(json);
    return json;
}

/* ---- Anthropic JSON ---------------------------------------------------------------------- */

static void test_anthropic_text_only(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_JSON);
    kiro_event events[] = { ev_text("Hello"), ev_text(" there") };
    rw_run run;
    cJSON *m = run_json(&run, &o, events, COUNT(events));
    assert_int_equal(rw_started(run.w), 0);   /* JSON never starts a stream */
    assert_string_equal(json_str(m, "id"), "msg_test");
    assert_string_equal(json_str(m, "type"), "message");
    assert_string_equal(json_str(m, "role"), "assistant");
    assert_string_equal(json_str(m, "model"), "claude-test");
    assert_int_equal(cJSON_GetArraySize(json_at(m, "content")), 1);
    assert_string_equal(json_str(m, "content/0/type"), "text");
    assert_string_equal(json_str(m, "content/0/text"), "Hello there");
    assert_string_equal(json_str(m, "stop_reason"), "end_turn");
    assert_true(cJSON_IsNull(json_at(m, "stop_sequence")));
    assert_int_equal(json_num(m, "usage/input_tokens"), 42);
    assert_int_equal(json_num(m, "usage/output_tokens"), 3);
    cJSON_Delete(m);
    run_free(&run);
}

static void test_anthropic_begin_and_ping_write_nothing(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_JSON);
    response_writer *w = rw_new(&o);
    kbuf out = KBUF_INIT(0);
    assert_int_equal(rw_begin(w, &out), 0);
    assert_int_equal(rw_ping(w, &out), 0);
    kiro_event t = ev_text("x");
    assert_int_equal(rw_event(w, &t, &out), 0);
    assert_int_equal(rw_ping(w, &out), 0);
    assert_int_equal(out.len, 0);
    assert_int_equal(rw_finish(w, &out), 0);
    assert_true(out.len > 0);
    assert_int_equal(out.data[0], '{');
    kbuf_free(&out);
    rw_free(w);
}

static void test_anthropic_thinking_text_and_tool(void **state)
{
    (void)state;
    cJSON *map = cJSON_Parse("{\"t_short\":\"the_original_name\"}");
    rw_options o = test_options(RW_ANTHROPIC_JSON);
    o.thinking = 1;
    o.tool_name_map = map;
    kiro_event events[] = {
        ev_text("<thinking>I should"), ev_text(" call it</thinking>\n\n"), ev_text("Calling."),
        ev_tool("tu_1", "t_short", "{\"a\":[1,", 0), ev_tool("tu_1", "t_short", "2]}", 0),
        ev_tool("tu_1", "t_short", "", 1), ev_tool("tu_2", "plain", "", 1),
        ev_metadata(100, 50),
    };
    rw_run run;
    cJSON *m = run_json(&run, &o, events, COUNT(events));
    assert_int_equal(cJSON_GetArraySize(json_at(m, "content")), 4);
    assert_string_equal(json_str(m, "content/0/type"), "thinking");
    assert_string_equal(json_str(m, "content/0/thinking"), "I should call it");
    assert_true(strlen(json_str(m, "content/0/signature")) >= 16);
    assert_string_equal(json_str(m, "content/1/type"), "text");
    assert_string_equal(json_str(m, "content/1/text"), "Calling.");
    assert_string_equal(json_str(m, "content/2/type"), "tool_use");
    assert_string_equal(json_str(m, "content/2/id"), "tu_1");
    assert_string_equal(json_str(m, "content/2/name"), "the_original_name");
    assert_int_equal(json_num(m, "content/2/input/a/1"), 2);
    assert_true(cJSON_IsObject(json_at(m, "content/3/input")));
    assert_int_equal(cJSON_GetArraySize(json_at(m, "content/3/input")), 0);
    assert_string_equal(json_str(m, "content/3/name"), "plain");
    assert_string_equal(json_str(m, "stop_reason"), "tool_use");
    assert_int_equal(json_num(m, "usage/input_tokens"), 100);
    assert_int_equal(json_num(m, "usage/output_tokens"), 50);
    cJSON_Delete(m);
    run_free(&run);
    cJSON_Delete(map);
}

static void test_anthropic_thinking_split_at_every_offset(void **state)
{
    (void)state;
    const char *text = "<thinking>x</thinking>\n\ny";
    size_t len = strlen(text);
    for (size_t a = 0; a <= len; a++) {
        for (size_t b = a; b <= len; b++) {
            rw_options o = test_options(RW_ANTHROPIC_JSON);
            o.thinking = 1;
            kiro_event events[] = { ev_text_n(text, a), ev_text_n(text + a, b - a),
                                    ev_text_n(text + b, len - b) };
            rw_run run;
            cJSON *m = run_json(&run, &o, events, COUNT(events));
            assert_int_equal(cJSON_GetArraySize(json_at(m, "content")), 2);
            assert_string_equal(json_str(m, "content/0/thinking"), "x");
            assert_string_equal(json_str(m, "content/1/text"), "y");
            cJSON_Delete(m);
            run_free(&run);
        }
    }
}

static void test_anthropic_invalid_tool_input_fails(void **state)
{
    (void)state;
    static const char *inputs[] = { "{\"a\":", "[1,2]", "\"str\"", "{} trailing" };
    for (size_t i = 0; i < COUNT(inputs); i++) {
        rw_options o = test_options(RW_ANTHROPIC_JSON);
        kiro_event events[] = { ev_text("x"), ev_tool("t", "broken_tool", inputs[i], 1) };
        rw_run run;
        run_writer(&run, &o, events, COUNT(events), 1);
        assert_int_equal(run.event_rc, 0);
        assert_int_equal(run.finish_rc, -1);
        assert_int_equal(run.out.len, 0);
        const api_error *e = rw_last_error(run.w);
        assert_int_equal(e->status, 502);
        assert_non_null(strstr(e->message, "broken_tool"));
        assert_int_equal(rw_fail(run.w, e, &run.out), 0);
        cJSON *err = cJSON_Parse(run.out.data);
        assert_string_equal(json_str(err, "type"), "error");
        assert_string_equal(json_str(err, "error/type"), "api_error");
        cJSON_Delete(err);
        run_free(&run);
    }
}

static void test_anthropic_max_tokens(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_JSON);
    kiro_event events[] = { ev_text("long"),
                            ev_exception("ContentLengthExceededException", "limit") };
    rw_run run;
    cJSON *m = run_json(&run, &o, events, COUNT(events));
    assert_string_equal(json_str(m, "stop_reason"), "max_tokens");
    cJSON_Delete(m);
    run_free(&run);
}

static void test_anthropic_exception_error_object(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_JSON);
    kiro_event events[] = { ev_text("x"), ev_exception("AccessDeniedException", "no access") };
    rw_run run;
    run_writer(&run, &o, events, COUNT(events), 0);
    assert_int_equal(run.event_rc, -1);
    assert_int_equal(run.out.len, 0);
    const api_error *e = rw_last_error(run.w);
    assert_int_equal(e->status, 403);
    assert_int_equal(rw_fail(run.w, e, &run.out), 0);
    cJSON *err = cJSON_Parse(run.out.data);
    assert_string_equal(json_str(err, "type"), "error");
    assert_string_equal(json_str(err, "error/type"), "permission_error");
    assert_non_null(strstr(json_str(err, "error/message"), "no access"));
    cJSON_Delete(err);
    run_free(&run);
}

static void test_anthropic_empty_response(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_JSON);
    kiro_event events[] = { ev_metadata(1, 1), ev_text(""), ev_reasoning("") };
    rw_run run;
    run_writer(&run, &o, events, COUNT(events), 1);
    assert_int_equal(run.finish_rc, -1);
    assert_int_equal(run.out.len, 0);
    assert_int_equal(rw_last_error(run.w)->status, 502);
    assert_string_equal(rw_last_error(run.w)->message, "upstream returned an empty response");
    run_free(&run);
}

static void test_anthropic_usage_estimate_counts_everything(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_JSON);
    kiro_event events[] = { ev_reasoning("12345678"), ev_text("1234"),
                            ev_tool("t", "f", "{\"k\":1}", 1), ev_context(0.5) };
    rw_run run;
    cJSON *m = run_json(&run, &o, events, COUNT(events));
    assert_int_equal(json_num(m, "usage/output_tokens"), 5);   /* (8 + 4 + 7) / 4 rounded up */
    assert_int_equal(json_num(m, "usage/input_tokens"), 1000);
    cJSON_Delete(m);
    run_free(&run);
}

static void test_anthropic_utf8(void **state)
{
    (void)state;
    rw_options o = test_options(RW_ANTHROPIC_JSON);
    kiro_event events[] = { ev_text("\xf0\x9f\x8e"), ev_text("\x89 ok\xc3\x28") };
    rw_run run;
    cJSON *m = run_json(&run, &o, events, COUNT(events));
    assert_string_equal(json_str(m, "content/0/text"), "\xf0\x9f\x8e\x89 ok\xef\xbf\xbd(");
    cJSON_Delete(m);
    run_free(&run);
}

/* ---- OpenAI JSON ------------------------------------------------------------------------- */

static void test_openai_text_only(void **state)
{
    (void)state;
    rw_options o = test_options(RW_OPENAI_JSON);
    kiro_event events[] = { ev_text("Hi"), ev_text("!") };
    rw_run run;
    cJSON *c = run_json(&run, &o, events, COUNT(events));
    assert_string_equal(json_str(c, "id"), "chatcmpl-test");
    assert_string_equal(json_str(c, "object"), "chat.completion");
    assert_int_equal(json_num(c, "created"), 1700000000);
    assert_string_equal(json_str(c, "model"), "claude-test");
    assert_int_equal(cJSON_GetArraySize(json_at(c, "choices")), 1);
    assert_int_equal(json_num(c, "choices/0/index"), 0);
    assert_string_equal(json_str(c, "choices/0/message/role"), "assistant");
    assert_string_equal(json_str(c, "choices/0/message/content"), "Hi!");
    assert_null(json_at(c, "choices/0/message/tool_calls"));
    assert_null(json_at(c, "choices/0/message/reasoning_content"));
    assert_string_equal(json_str(c, "choices/0/finish_reason"), "stop");
    assert_int_equal(json_num(c, "usage/prompt_tokens"), 42);
    assert_int_equal(json_num(c, "usage/completion_tokens"), 1);
    assert_int_equal(json_num(c, "usage/total_tokens"), 43);
    cJSON_Delete(c);
    run_free(&run);
}

static void test_openai_tool_calls_only(void **state)
{
    (void)state;
    cJSON *map = cJSON_Parse("{\"s1\":\"long.name\"}");
    rw_options o = test_options(RW_OPENAI_JSON);
    o.tool_name_map = map;
    kiro_event events[] = { ev_tool("c1", "s1", "{\"x\"", 0), ev_tool("c1", "s1", ":true}", 1),
                            ev_tool("c2", "g", NULL, 1) };
    rw_run run;
    cJSON *c = run_json(&run, &o, events, COUNT(events));
    assert_true(cJSON_IsNull(json_at(c, "choices/0/message/content")));
    assert_int_equal(cJSON_GetArraySize(json_at(c, "choices/0/message/tool_calls")), 2);
    const cJSON *call = json_at(c, "choices/0/message/tool_calls/0");
    assert_string_equal(json_str(call, "id"), "c1");
    assert_string_equal(json_str(call, "type"), "function");
    assert_string_equal(json_str(call, "function/name"), "long.name");
    assert_string_equal(json_str(call, "function/arguments"), "{\"x\":true}");
    assert_string_equal(json_str(c, "choices/0/message/tool_calls/1/function/arguments"), "{}");
    assert_string_equal(json_str(c, "choices/0/finish_reason"), "tool_calls");
    cJSON_Delete(c);
    run_free(&run);
    cJSON_Delete(map);
}

static void test_openai_reasoning_and_joined_text(void **state)
{
    (void)state;
    rw_options o = test_options(RW_OPENAI_JSON);
    o.thinking = 1;
    kiro_event events[] = { ev_text("<think"), ev_text("ing>deep</thinking>\n\nA"),
                            ev_tool("c", "f", "{}", 1), ev_text("B") };
    rw_run run;
    cJSON *c = run_json(&run, &o, events, COUNT(events));
    assert_string_equal(json_str(c, "choices/0/message/reasoning_content"), "deep");
    assert_string_equal(json_str(c, "choices/0/message/content"), "AB");
    assert_int_equal(cJSON_GetArraySize(json_at(c, "choices/0/message/tool_calls")), 1);
    cJSON_Delete(c);
    run_free(&run);
}

static void test_openai_length_and_errors(void **state)
{
    (void)state;
    rw_options o = test_options(RW_OPENAI_JSON);
    kiro_event cut[] = { ev_text("x"), ev_exception("ContentLengthExceededException", "") };
    rw_run run;
    cJSON *c = run_json(&run, &o, cut, COUNT(cut));
    assert_string_equal(json_str(c, "choices/0/finish_reason"), "length");
    cJSON_Delete(c);
    run_free(&run);

    kiro_event failing[] = { ev_exception("InternalServerException", "oops") };
    run_writer(&run, &o, failing, 1, 0);
    assert_int_equal(run.event_rc, -1);
    assert_int_equal(rw_fail(run.w, rw_last_error(run.w), &run.out), 0);
    c = cJSON_Parse(run.out.data);
    assert_string_equal(json_str(c, "error/type"), "overloaded_error");
    assert_string_equal(json_str(c, "error/code"), "529");
    assert_non_null(strstr(json_str(c, "error/message"), "oops"));
    cJSON_Delete(c);
    run_free(&run);

    run_writer(&run, &o, NULL, 0, 1);
    assert_int_equal(run.finish_rc, -1);
    assert_int_equal(run.out.len, 0);
    assert_string_equal(rw_last_error(run.w)->message, "upstream returned an empty response");
    run_free(&run);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_anthropic_text_only),
        cmocka_unit_test(test_anthropic_begin_and_ping_write_nothing),
        cmocka_unit_test(test_anthropic_thinking_text_and_tool),
        cmocka_unit_test(test_anthropic_thinking_split_at_every_offset),
        cmocka_unit_test(test_anthropic_invalid_tool_input_fails),
        cmocka_unit_test(test_anthropic_max_tokens),
        cmocka_unit_test(test_anthropic_exception_error_object),
        cmocka_unit_test(test_anthropic_empty_response),
        cmocka_unit_test(test_anthropic_usage_estimate_counts_everything),
        cmocka_unit_test(test_anthropic_utf8),
        cmocka_unit_test(test_openai_text_only),
        cmocka_unit_test(test_openai_tool_calls_only),
        cmocka_unit_test(test_openai_reasoning_and_joined_text),
        cmocka_unit_test(test_openai_length_and_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
