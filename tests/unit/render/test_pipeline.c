/* test_pipeline.c: upstream bytes to client bytes, the way the proxy wires the modules:
 * event-stream decoder -> kiro_event_parse -> response writer. The rendered output must not
 * depend on how the network split the upstream bytes, and a stream cut inside a frame must end
 * with an error event, never a message_stop. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "render_test_support.h"

typedef struct pipeline {
    response_writer *w;
    kbuf out;
    int failed;
} pipeline;

static int on_message(void *user, const es_message *m)
{
    pipeline *p = user;
    kiro_event ev;
    kiro_event_owner *owner = NULL;
    if (kiro_event_parse(m, &ev, &owner) != 0) {
        api_error e;
        api_error_set(&e, 502, "api_error", "malformed upstream event");
        rw_fail(p->w, &e, &p->out);
        p->failed = 1;
        return 1;
    }
    int rc = rw_event(p->w, &ev, &p->out);
    kiro_event_release(owner);
    if (rc != 0) {
        rw_fail(p->w, rw_last_error(p->w), &p->out);
        p->failed = 1;
        return 1;
    }
    return 0;
}

/* Feeds upstream in pieces ending at the given cut points and finishes the response. */
static void run_pipeline(pipeline *p, const kbuf *upstream, const size_t *cuts, size_t ncuts)
{
    rw_options o = test_options(RW_ANTHROPIC_SSE);
    o.thinking = 1;
    p->w = rw_new(&o);
    kbuf_init(&p->out, 0);
    p->failed = 0;
    assert_int_equal(rw_begin(p->w, &p->out), 0);
    es_decoder *d = es_decoder_new(0);
    size_t pos = 0;
    for (size_t i = 0; i <= ncuts && !p->failed; i++) {
        size_t end = i < ncuts ? cuts[i] : upstream->len;
        es_decoder_feed(d, upstream->data + pos, end - pos, on_message, p);
        pos = end;
    }
    if (!p->failed) {
        int rc = es_decoder_finish(d);
        if (rc != ES_OK) {
            api_error e;
            api_error_set(&e, 502, "api_error", "%s", es_strerror(rc));
            rw_fail(p->w, &e, &p->out);
        } else if (rw_finish(p->w, &p->out) != 0) {
            rw_fail(p->w, rw_last_error(p->w), &p->out);
        }
    }
    es_decoder_free(d);
}

static void pipeline_free(pipeline *p)
{
    rw_free(p->w);
    kbuf_free(&p->out);
}

static void add_event(kbuf *up, const char *type, const char *payload)
{
    assert_int_equal(es_encode_event(up, "event", type, payload, strlen(payload)), ES_OK);
}

static void build_upstream(kbuf *up)
{
    add_event(up, "assistantResponseEvent", "{\"content\":\"<thinking>plan\"}");
    add_event(up, "assistantResponseEvent", "{\"content\":\"</thinking>\\n\\nAnswer: caf\\u00e9\"}");
    add_event(up, "followupPromptEvent", "{}");
    add_event(up, "toolUseEvent", "{\"name\":\"run\",\"toolUseId\":\"t1\",\"input\":\"{\\\"cmd\\\":\"}");
    add_event(up, "toolUseEvent", "{\"name\":\"run\",\"toolUseId\":\"t1\",\"input\":\"\\\"ls\\\"}\"}");
    add_event(up, "toolUseEvent", "{\"name\":\"run\",\"toolUseId\":\"t1\",\"stop\":true}");
    add_event(up, "meteringEvent", "{\"usage\":0.1}");
    add_event(up, "contextUsageEvent", "{\"contextUsagePercentage\":2}");
    add_event(up, "metadataEvent", "{\"tokenUsage\":{\"outputTokens\":21}}");
}

static void test_output_independent_of_splits(void **state)
{
    (void)state;
    kbuf up = KBUF_INIT(0);
    build_upstream(&up);
    pipeline whole;
    run_pipeline(&whole, &up, NULL, 0);
    cJSON *parsed = parse_sse(whole.out.data, whole.out.len);
    char *shape = anthropic_shape(parsed);
    assert_string_equal(shape, "message_start ping start0:thinking delta0:thinking_delta "
                               "delta0:signature_delta stop0 start1:text delta1:text_delta "
                               "stop1 start2:tool_use delta2:input_json_delta "
                               "delta2:input_json_delta stop2 message_delta message_stop");
    char *answer = anthropic_joined(parsed, 1, "text");
    assert_string_equal(answer, "Answer: caf\xc3\xa9");
    const cJSON *delta = find_event(parsed, "message_delta");
    assert_string_equal(json_str(delta, "delta/stop_reason"), "tool_use");
    assert_int_equal(json_num(delta, "usage/input_tokens"), 4000);
    assert_int_equal(json_num(delta, "usage/output_tokens"), 21);
    free(answer);
    free(shape);
    cJSON_Delete(parsed);

    /* The signature is random per run; compare everything else. */
    const char *sig = strstr(whole.out.data, "\"signature\":\"kiro-");
    assert_non_null(sig);
    size_t sig_at = (size_t)(sig - whole.out.data);
    for (size_t cut = 1; cut < up.len; cut++) {
        pipeline p;
        run_pipeline(&p, &up, &cut, 1);
        assert_int_equal(p.failed, 0);
        assert_int_equal(p.out.len, whole.out.len);
        assert_memory_equal(p.out.data, whole.out.data, sig_at);
        const char *after = strchr(p.out.data + sig_at + 18, '"');
        assert_string_equal(after, strchr(whole.out.data + sig_at + 18, '"'));
        pipeline_free(&p);
    }
    pipeline_free(&whole);
    kbuf_free(&up);
}

static void test_cut_stream_ends_with_error(void **state)
{
    (void)state;
    kbuf up = KBUF_INIT(0);
    build_upstream(&up);
    size_t cut = up.len - 10;   /* the last frame is incomplete */
    kbuf partial = KBUF_INIT(0);
    kbuf_append(&partial, up.data, cut);
    pipeline p;
    run_pipeline(&p, &partial, NULL, 0);
    cJSON *parsed = parse_sse(p.out.data, p.out.len);
    char *shape = anthropic_shape(parsed);
    assert_null(strstr(shape, "message_stop"));
    assert_null(strstr(shape, "message_delta"));
    assert_non_null(strstr(shape, "stop2 error"));
    assert_non_null(strstr(json_str(find_event(parsed, "error"), "error/message"),
                           "ended inside a frame"));
    free(shape);
    cJSON_Delete(parsed);
    pipeline_free(&p);
    kbuf_free(&partial);
    kbuf_free(&up);
}

static void test_upstream_exception_in_stream(void **state)
{
    (void)state;
    kbuf up = KBUF_INIT(0);
    add_event(&up, "assistantResponseEvent", "{\"content\":\"Hi\"}");
    assert_int_equal(es_encode_event(&up, "exception", "ThrottlingException",
                                     "{\"message\":\"Too many\"}", 22), ES_OK);
    add_event(&up, "assistantResponseEvent", "{\"content\":\"never shown\"}");
    pipeline p;
    run_pipeline(&p, &up, NULL, 0);
    assert_int_equal(p.failed, 1);
    cJSON *parsed = parse_sse(p.out.data, p.out.len);
    char *shape = anthropic_shape(parsed);
    assert_string_equal(shape, "message_start ping start0:text delta0:text_delta error");
    assert_string_equal(json_str(find_event(parsed, "error"), "error/type"), "rate_limit_error");
    assert_null(strstr(p.out.data, "never shown"));
    free(shape);
    cJSON_Delete(parsed);
    pipeline_free(&p);
    kbuf_free(&up);
}

static void test_malformed_known_event_fails(void **state)
{
    (void)state;
    kbuf up = KBUF_INIT(0);
    add_event(&up, "assistantResponseEvent", "{\"content\":\"ok\"}");
    add_event(&up, "toolUseEvent", "{\"name\":\"x\",\"input\":");
    pipeline p;
    run_pipeline(&p, &up, NULL, 0);
    assert_int_equal(p.failed, 1);
    cJSON *parsed = parse_sse(p.out.data, p.out.len);
    char *shape = anthropic_shape(parsed);
    assert_string_equal(shape, "message_start ping start0:text delta0:text_delta error");
    free(shape);
    cJSON_Delete(parsed);
    pipeline_free(&p);
    kbuf_free(&up);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_output_independent_of_splits),
        cmocka_unit_test(test_cut_stream_ends_with_error),
        cmocka_unit_test(test_upstream_exception_in_stream),
        cmocka_unit_test(test_malformed_known_event_fails),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
