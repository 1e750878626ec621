/* test_web_search_loop.c: the request the search loop sends to Kiro: the web_search server tool
 * replaced by an ordinary tool of the same name (once, in its place), the client's tools and
 * everything else kept, "stream" removed, and a client tool named web_search refused. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <cjson/cJSON.h>

#include "server/web_search_loop.h"

static const cJSON *tool_at(const cJSON *req, int i)
{
    return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(req, "tools"), i);
}

static const char *name_of(const cJSON *tool)
{
    return cJSON_GetObjectItemCaseSensitive(tool, "name")->valuestring;
}

static void server_tool_becomes_an_ordinary_tool(void **state)
{
    (void)state;
    cJSON *req = cJSON_Parse(
        "{\"model\":\"m\",\"stream\":true,\"max_tokens\":9,\"messages\":[{\"role\":\"user\","
        "\"content\":\"hi\"}],\"tools\":[{\"name\":\"read\",\"input_schema\":{\"type\":\"object\"}}"
        ","
        "{\"type\":\"web_search_20250305\",\"name\":\"web_search\",\"max_uses\":2},"
        "{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}]}");
    api_error err;
    cJSON *out = web_search_loop_request(req, &err);
    assert_non_null(out);
    assert_null(cJSON_GetObjectItemCaseSensitive(out, "stream"));
    assert_int_equal(cJSON_GetObjectItemCaseSensitive(out, "max_tokens")->valuedouble, 9);
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(out, "tools")), 2);
    assert_string_equal(name_of(tool_at(out, 0)), "read");
    const cJSON *search = tool_at(out, 1);
    assert_string_equal(name_of(search), "web_search");
    assert_null(cJSON_GetObjectItemCaseSensitive(search, "type")); /* an ordinary tool now */
    assert_non_null(cJSON_GetObjectItemCaseSensitive(search, "description"));
    const cJSON *schema = cJSON_GetObjectItemCaseSensitive(search, "input_schema");
    assert_string_equal(
        cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(schema, "required"), 0)->valuestring,
        "query");
    /* the caller's request is left as it was */
    assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(req, "stream")));
    assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(req, "tools")), 3);
    cJSON_Delete(out);
    cJSON_Delete(req);
}

static void a_client_tool_named_web_search_is_refused(void **state)
{
    (void)state;
    cJSON *req = cJSON_Parse(
        "{\"messages\":[],\"tools\":[{\"type\":\"web_search_20250305\",\"name\":\"web_search\"},"
        "{\"name\":\"web_search\",\"input_schema\":{}}]}");
    api_error err;
    memset(&err, 0, sizeof err);
    assert_null(web_search_loop_request(req, &err));
    assert_int_equal(err.status, 400);
    assert_string_equal(err.type, "invalid_request_error");
    assert_non_null(strstr(err.message, "web_search"));
    cJSON_Delete(req);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(server_tool_becomes_an_ordinary_tool),
        cmocka_unit_test(a_client_tool_named_web_search_is_refused),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
