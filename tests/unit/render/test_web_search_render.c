/* test_web_search_render.c: a web_search answer as Anthropic server-tool blocks, as one JSON
 * message and as a stream (strictly parsed), for results, no results and a failed search; the
 * summary text (snippets cut at 200 characters on a character boundary) and page_age. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render/web_search_render.h"
#include "render_test_support.h"

static web_search_hit hit(const char *title, const char *url, const char *snippet, double ms)
{
    web_search_hit h = {(char *)title, (char *)url, (char *)snippet, ms};
    return h;
}

static web_search_outcome ok_outcome(const web_search_results *r)
{
    web_search_outcome o = {
        .query = "kiro \"proxy\"", .tool_use_id = "srvtoolu_test", .results = r, .searched = 1};
    return o;
}

static cJSON *render_json(const web_search_outcome *o)
{
    web_search_render_options opt = {RW_ANTHROPIC_JSON, "claude-sonnet-4-5", "msg_ws", 17};
    kbuf out = KBUF_INIT(0);
    assert_int_equal(web_search_render(&opt, o, &out), 0);
    assert_true(is_valid_utf8(out.data, out.len));
    cJSON *m = cJSON_ParseWithLength(out.data, out.len);
    assert_non_null(m);
    kbuf_free(&out);
    return m;
}

static void message_with_results(void **state)
{
    (void)state;
    web_search_hit hits[2] = {
        hit("First", "https://a.example/1", "about a", 1735689600000.0), /* 2025-01-01 */
        hit("Second", "https://b.example/2", NULL, -1),
    };
    web_search_results r = {hits, 2};
    web_search_outcome o = ok_outcome(&r);
    cJSON *m = render_json(&o);
    assert_string_equal(json_str(m, "type"), "message");
    assert_string_equal(json_str(m, "id"), "msg_ws");
    assert_string_equal(json_str(m, "model"), "claude-sonnet-4-5");
    assert_string_equal(json_str(m, "stop_reason"), "end_turn");
    assert_int_equal(cJSON_GetArraySize(json_at(m, "content")), 4);
    assert_string_equal(json_str(m, "content/0/type"), "text");
    assert_non_null(strstr(json_str(m, "content/0/text"), "kiro \"proxy\""));
    assert_string_equal(json_str(m, "content/1/type"), "server_tool_use");
    assert_string_equal(json_str(m, "content/1/id"), "srvtoolu_test");
    assert_string_equal(json_str(m, "content/1/name"), "web_search");
    assert_string_equal(json_str(m, "content/1/input/query"), "kiro \"proxy\"");
    assert_string_equal(json_str(m, "content/2/type"), "web_search_tool_result");
    assert_string_equal(json_str(m, "content/2/tool_use_id"), "srvtoolu_test");
    assert_string_equal(json_str(m, "content/2/content/0/type"), "web_search_result");
    assert_string_equal(json_str(m, "content/2/content/0/title"), "First");
    assert_string_equal(json_str(m, "content/2/content/0/url"), "https://a.example/1");
    assert_string_equal(json_str(m, "content/2/content/0/encrypted_content"), "about a");
    assert_string_equal(json_str(m, "content/2/content/0/page_age"), "January 1, 2025");
    assert_string_equal(json_str(m, "content/2/content/1/encrypted_content"), "");
    assert_true(cJSON_IsNull(json_at(m, "content/2/content/1/page_age")));
    const char *summary = json_str(m, "content/3/text");
    assert_non_null(strstr(summary, "1. First\n   about a\n   Source: https://a.example/1"));
    assert_non_null(strstr(summary, "2. Second\n   Source: https://b.example/2"));
    assert_int_equal(json_num(m, "usage/input_tokens"), 17);
    assert_true(json_num(m, "usage/output_tokens") > 10);
    assert_int_equal(json_num(m, "usage/server_tool_use/web_search_requests"), 1);
    assert_int_equal(json_num(m, "usage/cache_read_input_tokens"), 0);
    cJSON_Delete(m);
}

static void failed_search_says_so(void **state)
{
    (void)state;
    web_search_outcome o = {.query = "q",
                            .tool_use_id = "srvtoolu_x",
                            .results = NULL,
                            .error_code = "too_many_requests",
                            .error_message = "the MCP endpoint answered HTTP 429",
                            .searched = 1};
    cJSON *m = render_json(&o);
    /* Anthropic's error form, never an empty result list */
    assert_true(cJSON_IsObject(json_at(m, "content/2/content")));
    assert_string_equal(json_str(m, "content/2/content/type"), "web_search_tool_result_error");
    assert_string_equal(json_str(m, "content/2/content/error_code"), "too_many_requests");
    assert_non_null(strstr(json_str(m, "content/3/text"), "failed"));
    assert_non_null(strstr(json_str(m, "content/3/text"), "HTTP 429"));
    cJSON_Delete(m);

    /* refused before asking the upstream: no search request is counted */
    o.error_code = "query_too_long";
    o.searched = 0;
    m = render_json(&o);
    assert_int_equal(json_num(m, "usage/server_tool_use/web_search_requests"), 0);
    cJSON_Delete(m);
}

static void no_results(void **state)
{
    (void)state;
    web_search_results r = {NULL, 0};
    web_search_outcome o = ok_outcome(&r);
    cJSON *m = render_json(&o);
    assert_true(cJSON_IsArray(json_at(m, "content/2/content")));
    assert_int_equal(cJSON_GetArraySize(json_at(m, "content/2/content")), 0);
    assert_non_null(strstr(json_str(m, "content/3/text"), "found nothing"));
    cJSON_Delete(m);
}

static void stream_shape(void **state)
{
    (void)state;
    /* a long summary is sent in several text_delta pieces */
    char long_snippet[400];
    memset(long_snippet, 'y', sizeof long_snippet - 1);
    long_snippet[sizeof long_snippet - 1] = '\0';
    web_search_hit hits[3] = {hit("A", "https://a", long_snippet, 0), hit("B", "https://b", "s", 0),
                              hit("C", "https://c", "s", 0)};
    web_search_results r = {hits, 3};
    web_search_outcome o = ok_outcome(&r);
    web_search_render_options opt = {RW_ANTHROPIC_SSE, "m", "msg_s", 5};
    kbuf out = KBUF_INIT(0);
    assert_int_equal(web_search_render(&opt, &o, &out), 0);
    cJSON *events = parse_sse(out.data, out.len);
    char *shape = anthropic_shape(events);
    assert_non_null(strstr(shape, "message_start start0:text delta0:text_delta stop0 "
                                  "start1:server_tool_use stop1 start2:web_search_tool_result "
                                  "stop2 start3:text delta3:text_delta"));
    assert_non_null(strstr(shape, "stop3 message_delta message_stop"));
    /* the summary arrives whole, in pieces of about 100 characters */
    char *summary = anthropic_joined(events, 3, "text");
    assert_non_null(strstr(summary, "1. A\n"));
    size_t deltas = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, events)
    {
        const cJSON *data = sse_data(item);
        if (data && json_at(data, "index") && json_num(data, "index") == 3 &&
            strcmp(sse_event_name(item), "content_block_delta") == 0) {
            deltas++;
            assert_true(strlen(json_str(data, "delta/text")) <= 100);
        }
    }
    assert_true(deltas >= 3);
    const cJSON *start = find_event(events, "message_start");
    assert_int_equal(json_num(start, "message/usage/input_tokens"), 5);
    assert_int_equal(json_num(start, "message/usage/output_tokens"), 0);
    const cJSON *delta = find_event(events, "message_delta");
    assert_string_equal(json_str(delta, "delta/stop_reason"), "end_turn");
    assert_int_equal(json_num(delta, "usage/server_tool_use/web_search_requests"), 1);
    /* server tool blocks carry everything in content_block_start */
    const cJSON *tool_start = NULL;
    cJSON_ArrayForEach(item, events)
    {
        const cJSON *data = sse_data(item);
        if (data && strcmp(sse_event_name(item), "content_block_start") == 0 &&
            json_num(data, "index") == 2)
            tool_start = data;
    }
    assert_non_null(tool_start);
    assert_string_equal(json_str(tool_start, "content_block/tool_use_id"), "srvtoolu_test");
    assert_int_equal(cJSON_GetArraySize(json_at(tool_start, "content_block/content")), 3);
    free(summary);
    free(shape);
    cJSON_Delete(events);
    kbuf_free(&out);

    /* OpenAI formats are not web_search formats */
    opt.format = RW_OPENAI_JSON;
    assert_int_equal(web_search_render(&opt, &o, &out), -1);
    kbuf_free(&out);
}

static void summary_cuts_snippets_on_characters(void **state)
{
    (void)state;
    /* 199 ASCII characters then "é" (2 bytes) then more: the 200th character is é */
    char snippet[400];
    memset(snippet, 'a', 199);
    memcpy(snippet + 199, "\xc3\xa9", 2);
    strcpy(snippet + 201, "after the cut");
    web_search_hit h = hit("T", "https://t", snippet, -1);
    web_search_results r = {&h, 1};
    web_search_outcome o = ok_outcome(&r);
    kbuf text = KBUF_INIT(0);
    assert_int_equal(web_search_summary(&o, &text), 0);
    assert_true(is_valid_utf8(text.data, text.len));
    assert_non_null(strstr(text.data, "\xc3\xa9..."));
    assert_null(strstr(text.data, "after the cut"));
    kbuf_free(&text);
}

typedef struct age_case {
    double ms;
    const char *want;
} age_case;

static void page_age(void **state)
{
    (void)state;
    static const age_case cases[] = {
        {0, "January 1, 1970"},
        {1735689600000.0, "January 1, 2025"},
        {1735689600000.0 + 40 * 86400000.0, "February 10, 2025"},
        {1767139200000.0, "December 31, 2025"},
        {-1, ""},
        {1e20, ""},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char out[48];
        web_search_page_age(cases[i].ms, out, sizeof out);
        assert_string_equal(out, cases[i].want);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(message_with_results),
        cmocka_unit_test(failed_search_says_so),
        cmocka_unit_test(no_results),
        cmocka_unit_test(stream_shape),
        cmocka_unit_test(summary_cuts_snippets_on_characters),
        cmocka_unit_test(page_age),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
