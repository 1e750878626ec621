/* test_token_estimate.c: the count_tokens estimate: about one token per four characters of
 * system, messages and tools, a fixed cost per image, at least one, growing with the input,
 * and errors for malformed requests. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "translate_fixture.h"

static long estimate(const char *single_quoted)
{
    cJSON *request = fixture_json(single_quoted);
    api_error err;
    long n = translate_estimate_input_tokens(request, &err);
    cJSON_Delete(request);
    if (n < 0)
        fail_msg("estimate failed: %s", err.message);
    return n;
}

/* A request with one user message of n copies of 'x'. */
static long estimate_text_of(size_t n)
{
    char *text = malloc(n + 1);
    assert_non_null(text);
    memset(text, 'x', n);
    text[n] = '\0';
    cJSON *request = fixture_json("{'model':'auto','messages':[{'role':'user'}]}");
    cJSON_AddStringToObject((cJSON *)json_at(request, "messages[0]"), "content", text);
    free(text);
    api_error err;
    long tokens = translate_estimate_input_tokens(request, &err);
    cJSON_Delete(request);
    return tokens;
}

static void four_characters_per_token(void **state)
{
    (void)state;
    assert_int_equal(estimate_text_of(400), 100);
    assert_int_equal(estimate_text_of(401), 101);
    assert_int_equal(estimate_text_of(4), 1);
}

static void at_least_one_token(void **state)
{
    (void)state;
    assert_int_equal(estimate("{'model':'auto','messages':[{'role':'user','content':''}]}"), 1);
}

static void grows_with_input_size(void **state)
{
    (void)state;
    long previous = 0;
    for (size_t n = 1; n <= 100000; n *= 3) {
        long tokens = estimate_text_of(n);
        assert_true(tokens >= previous);
        if (n >= 12)
            assert_true(tokens > previous);
        previous = tokens;
    }
    assert_true(previous >= 59049 / 4);
}

static void every_part_counts(void **state)
{
    (void)state;
    long base = estimate("{'model':'auto','messages':[{'role':'user','content':'hello world!'}]}");
    long with_system = estimate("{'model':'auto','system':'You are a careful assistant.',"
                                "'messages':[{'role':'user','content':'hello world!'}]}");
    long with_system_blocks = estimate("{'model':'auto','system':[{'type':'text',"
                                       "'text':'You are a careful assistant.'}],"
                                       "'messages':[{'role':'user','content':'hello world!'}]}");
    long with_tools = estimate("{'model':'auto','tools':[{'name':'search','description':"
                               "'Searches the index for documents',"
                               "'input_schema':{'type':'object'}}],"
                               "'messages':[{'role':'user','content':'hello world!'}]}");
    long with_tool_blocks = estimate(
        "{'model':'auto','messages':[{'role':'user','content':'hello world!'},"
        "{'role':'assistant','content':[{'type':'tool_use','id':'t','name':'search',"
        "'input':{'query':'a fairly long query string'}}]},"
        "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t',"
        "'content':[{'type':'text','text':'a fairly long result text'}]}]}]}");
    assert_true(with_system > base);
    assert_int_equal(with_system_blocks, with_system);
    assert_true(with_tools > base);
    assert_true(with_tool_blocks > base + 10);
}

static void images_have_fixed_cost(void **state)
{
    (void)state;
    long text_only = estimate("{'model':'auto','messages':[{'role':'user','content':["
                              "{'type':'text','text':'abcd'}]}]}");
    long one_image = estimate("{'model':'auto','messages':[{'role':'user','content':["
                              "{'type':'text','text':'abcd'},{'type':'image','source':{"
                              "'type':'base64','media_type':'image/png','data':'AAAA'}}]}]}");
    assert_int_equal(one_image - text_only, 1600);
}

static void counts_characters_not_bytes(void **state)
{
    (void)state;
    /* 8 characters of three bytes each: 2 tokens, not 6. */
    long tokens = estimate("{'model':'auto','messages':[{'role':'user','content':"
                           "'\\u65e5\\u672c\\u8a9e\\u65e5\\u672c\\u8a9e\\u65e5\\u672c'}]}");
    assert_int_equal(tokens, 2);
}

static void malformed_requests_fail(void **state)
{
    (void)state;
    const char *bad[] = {
        "5", "{'messages':[{'role':'user','content':'x'}]}", "{'model':'auto'}",
        "{'model':'auto','messages':[]}",
        "{'model':'auto','messages':[{'role':'x','content':'y'}]}",
        "{'model':'auto','messages':[{'role':'user','content':7}]}",
        "{'model':'auto','system':3,'messages':[{'role':'user','content':'x'}]}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        cJSON *request = fixture_json(bad[i]);
        api_error err;
        memset(&err, 0, sizeof err);
        assert_int_equal(translate_estimate_input_tokens(request, &err), -1);
        assert_int_equal(err.status, 400);
        assert_string_equal(err.type, "invalid_request_error");
        cJSON_Delete(request);
    }
}

static void translation_fills_the_same_estimate(void **state)
{
    (void)state;
    const char *req = "{'model':'auto','system':'ssss','messages':[{'role':'user',"
                      "'content':'hello there, how are you today?'}]}";
    kiro_request r;
    cJSON *body = translate_ok(req, NULL, &r);
    assert_int_equal(r.input_tokens_estimate, estimate(req));
    kiro_request_free(&r);
    cJSON_Delete(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(four_characters_per_token),
        cmocka_unit_test(at_least_one_token),
        cmocka_unit_test(grows_with_input_size),
        cmocka_unit_test(every_part_counts),
        cmocka_unit_test(images_have_fixed_cost),
        cmocka_unit_test(counts_characters_not_bytes),
        cmocka_unit_test(malformed_requests_fail),
        cmocka_unit_test(translation_fills_the_same_estimate),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
