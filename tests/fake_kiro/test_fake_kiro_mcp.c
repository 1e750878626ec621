/* test_fake_kiro_mcp.c: fake-kiro's MCP endpoint (web_search) over HTTP: the JSON-RPC answer
 * with its results embedded as JSON text, the request record, protocol errors, the Bearer
 * check, and each MCP fault (status, JSON-RPC error, tool error, garbage, hang). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fk_fixture.h"

/* One byte over fake-kiro's query limit (FK_MCP_MAX_QUERY_BYTES). */
#define FK_TEST_LONG_QUERY 2001

#define SEARCH_CALL(query)                                                                         \
    "{\"id\":\"web_search_tooluse_abc_1_x\",\"jsonrpc\":\"2.0\",\"method\":\"tools/call\","        \
    "\"params\":{\"name\":\"web_search\",\"arguments\":{\"query\":\"" query "\"}}}"

static cJSON *mcp_call(const fk_proc *p, const char *bearer, const char *body, long *status)
{
    char url[256];
    snprintf(url, sizeof url, "%s/mcp", p->base_url);
    fk_response r;
    fk_response_init(&r);
    assert_int_equal(fk_http(&r, "POST", url, bearer, body, 5000), CURLE_OK);
    *status = r.status;
    cJSON *json = fk_response_json(&r);
    fk_response_free(&r);
    return json;
}

/* The results JSON embedded in result.content[0].text. */
static cJSON *embedded_results(const cJSON *answer)
{
    const cJSON *content = fk_json_at(answer, "result.content");
    const cJSON *first = cJSON_GetArrayItem(content, 0);
    assert_string_equal(fk_json_at(first, "type")->valuestring, "text");
    cJSON *results = cJSON_Parse(fk_json_at(first, "text")->valuestring);
    assert_non_null(results);
    return results;
}

static void test_search_answer(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    long status;
    cJSON *answer = mcp_call(p, "tok", SEARCH_CALL("rust async traits"), &status);
    assert_int_equal(status, 200);
    assert_string_equal(fk_json_at(answer, "jsonrpc")->valuestring, "2.0");
    assert_string_equal(fk_json_at(answer, "id")->valuestring, "web_search_tooluse_abc_1_x");
    assert_null(fk_json_at(answer, "error"));
    assert_true(cJSON_IsFalse(fk_json_at(answer, "result.isError")));
    cJSON *results = embedded_results(answer);
    const cJSON *list = fk_json_at(results, "results");
    assert_int_equal(cJSON_GetArraySize(list), 3);
    const cJSON *first = cJSON_GetArrayItem(list, 0);
    assert_string_equal(fk_json_at(first, "title")->valuestring, "Result 1 for rust async traits");
    assert_string_equal(fk_json_at(first, "url")->valuestring,
                        "https://example.com/fake-kiro/1?q=rust%20async%20traits");
    assert_non_null(strstr(fk_json_at(first, "snippet")->valuestring, "rust async traits"));
    assert_true(fk_json_at(first, "publishedDate")->valuedouble == 1735689600000.0);
    assert_string_equal(fk_json_at(results, "query")->valuestring, "rust async traits");
    assert_int_equal(fk_json_at(results, "totalResults")->valuedouble, 3);
    cJSON_Delete(results);
    cJSON_Delete(answer);
    assert_int_equal(fk_stat(p->base_url, "requests.mcp"), 1);

    /* the request is kept for the test, headers included */
    fk_response r;
    fk_response_init(&r);
    char url[256];
    snprintf(url, sizeof url, "%s/__fake/last-mcp-request", p->base_url);
    assert_int_equal(fk_http(&r, "GET", url, NULL, NULL, 5000), CURLE_OK);
    assert_int_equal(r.status, 200);
    cJSON *last = fk_response_json(&r);
    assert_string_equal(fk_json_at(last, "body.params.arguments.query")->valuestring,
                        "rust async traits");
    assert_string_equal(fk_json_at(last, "headers.Authorization")->valuestring, "Bearer tok");
    cJSON_Delete(last);
    fk_response_free(&r);

    /* fewer results, and none */
    assert_int_equal(fk_set_faults(p->base_url, "{\"mcp_results\":1}"), 200);
    answer = mcp_call(p, "tok", SEARCH_CALL("x"), &status);
    results = embedded_results(answer);
    assert_int_equal(cJSON_GetArraySize(fk_json_at(results, "results")), 1);
    cJSON_Delete(results);
    cJSON_Delete(answer);
    assert_int_equal(fk_set_faults(p->base_url, "{\"mcp_results\":0}"), 200);
    answer = mcp_call(p, "tok", SEARCH_CALL("x"), &status);
    results = embedded_results(answer);
    assert_int_equal(cJSON_GetArraySize(fk_json_at(results, "results")), 0);
    cJSON_Delete(results);
    cJSON_Delete(answer);
}

typedef struct bad_call {
    const char *body;
    int code;
} bad_call;

static void test_protocol_errors(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    static const bad_call calls[] = {
        {"not json", -32700},
        {"{\"jsonrpc\":\"1.0\",\"id\":1,\"method\":\"tools/call\"}", -32600},
        {"{\"jsonrpc\":\"2.0\",\"method\":\"tools/call\"}", -32600},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/list\"}", -32601},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"fetch\","
         "\"arguments\":{\"query\":\"q\"}}}",
         -32602},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
         "\"web_search\",\"arguments\":{\"query\":\"\"}}}",
         -32602},
        {"{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":"
         "\"web_search\",\"arguments\":{}}}",
         -32602},
    };
    for (size_t i = 0; i < sizeof calls / sizeof calls[0]; i++) {
        long status;
        cJSON *answer = mcp_call(p, "tok", calls[i].body, &status);
        assert_int_equal(status, 200);
        const cJSON *code = fk_json_at(answer, "error.code");
        if (!cJSON_IsNumber(code) || code->valuedouble != calls[i].code)
            fail_msg("%s: wanted error %d", calls[i].body, calls[i].code);
        assert_true(cJSON_IsString(fk_json_at(answer, "error.message")));
        assert_null(fk_json_at(answer, "result"));
        cJSON_Delete(answer);
    }
    /* a query over the limit */
    size_t n = FK_TEST_LONG_QUERY;
    char *query = malloc(n + 1);
    memset(query, 'q', n);
    query[n] = '\0';
    char *body = malloc(n + 256);
    snprintf(body, n + 256,
             "{\"id\":\"x\",\"jsonrpc\":\"2.0\",\"method\":\"tools/call\",\"params\":{\"name\":"
             "\"web_search\",\"arguments\":{\"query\":\"%s\"}}}",
             query);
    long status;
    cJSON *answer = mcp_call(p, "tok", body, &status);
    assert_int_equal(fk_json_at(answer, "error.code")->valuedouble, -32602);
    cJSON_Delete(answer);
    free(body);
    free(query);

    /* no Bearer token: refused like the other Kiro endpoints */
    answer = mcp_call(p, NULL, SEARCH_CALL("x"), &status);
    assert_int_equal(status, 403);
    cJSON_Delete(answer);
}

static void test_faults(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    long status;
    assert_int_equal(fk_set_faults(p->base_url, "{\"mcp_status\":503}"), 200);
    cJSON *answer = mcp_call(p, "tok", SEARCH_CALL("x"), &status);
    assert_int_equal(status, 503);
    assert_true(cJSON_IsString(fk_json_at(answer, "__type")));
    cJSON_Delete(answer);

    assert_int_equal(fk_set_faults(p->base_url, "{\"mcp_status\":0,\"mcp_rpc_error\":true}"), 200);
    answer = mcp_call(p, "tok", SEARCH_CALL("x"), &status);
    assert_int_equal(status, 200);
    assert_int_equal(fk_json_at(answer, "error.code")->valuedouble, -32603);
    cJSON_Delete(answer);

    assert_int_equal(
        fk_set_faults(p->base_url, "{\"mcp_rpc_error\":false,\"mcp_tool_error\":true}"), 200);
    answer = mcp_call(p, "tok", SEARCH_CALL("x"), &status);
    assert_true(cJSON_IsTrue(fk_json_at(answer, "result.isError")));
    cJSON_Delete(answer);

    assert_int_equal(fk_set_faults(p->base_url, "{\"mcp_tool_error\":false,\"mcp_garbage\":true}"),
                     200);
    answer = mcp_call(p, "tok", SEARCH_CALL("x"), &status);
    assert_int_equal(status, 200);
    assert_null(answer); /* not JSON */
    assert_int_equal(fk_stat(p->base_url, "faults_injected"), 4);

    /* reset switches the MCP faults off with the others */
    fk_response r;
    fk_response_init(&r);
    assert_int_equal(fk_post(&r, p->base_url, "/__fake/reset", "{}"), CURLE_OK);
    fk_response_free(&r);
    answer = mcp_call(p, "tok", SEARCH_CALL("x"), &status);
    assert_true(cJSON_IsFalse(fk_json_at(answer, "result.isError")));
    cJSON_Delete(answer);
}

typedef struct hung_call {
    const char *base_url;
    fk_response response;
} hung_call;

static void *call_in_background(void *arg)
{
    hung_call *h = arg;
    char url[256];
    snprintf(url, sizeof url, "%s/mcp", h->base_url);
    fk_response_init(&h->response);
    fk_http(&h->response, "POST", url, "tok", SEARCH_CALL("x"), 1500);
    return NULL;
}

static void test_hang(void **state)
{
    const char *args[] = {"--mcp-hang", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    hung_call h = {p->base_url, {0}};
    pthread_t thread;
    assert_int_equal(pthread_create(&thread, NULL, call_in_background, &h), 0);
    assert_int_equal(fk_wait_stat(p->base_url, "hangs_active", 1, FK_STAT_TIMEOUT_MS), 0);
    pthread_join(thread, NULL);
    assert_int_equal(h.response.curl_code, CURLE_OPERATION_TIMEDOUT);
    assert_int_equal(fk_wait_stat(p->base_url, "hangs_active", 0, FK_STAT_TIMEOUT_MS), 0);
    fk_response_free(&h.response);
}

int main(int argc, char **argv)
{
    fk_fixture_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_search_answer, fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_protocol_errors, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_faults, fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_hang, fk_fixture_setup, fk_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
