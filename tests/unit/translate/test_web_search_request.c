/* test_web_search_request.c: recognising web_search server-tool requests (alone or among
 * other tools, kiro-go's name + type rule), their max_uses, the query taken from the last
 * user message with Claude Code's prefix removed, and earlier search blocks kept in the
 * history as text. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "translate/web_search_request.h"
#include "translate_fixture.h"

typedef struct classify_case {
    const char *request;
    web_search_use want;
    int max_uses;
} classify_case;

static void classify(void **state)
{
    (void)state;
    static const classify_case cases[] = {
        {"{'messages':[]}", WEB_SEARCH_NOT_ASKED, 0},
        {"{'tools':[{'name':'read','input_schema':{}}]}", WEB_SEARCH_NOT_ASKED, 0},
        /* Claude Code's search request */
        {"{'tools':[{'type':'web_search_20250305','name':'web_search','max_uses':8}]}",
         WEB_SEARCH_ONLY, 8},
        {"{'tools':[{'type':'web_search_20260209','name':'web_search'}]}", WEB_SEARCH_ONLY, 0},
        /* the name alone is not the server tool: a client tool may be called web_search */
        {"{'tools':[{'name':'web_search','input_schema':{}}]}", WEB_SEARCH_NOT_ASKED, 0},
        {"{'tools':[{'type':'custom','name':'web_search','input_schema':{}}]}",
         WEB_SEARCH_NOT_ASKED, 0},
        /* nor is the type with another name */
        {"{'tools':[{'type':'web_search_20250305','name':'search'}]}", WEB_SEARCH_NOT_ASKED, 0},
        {"{'tools':[{'type':'web_search_20250305','name':'web_search','max_uses':2},"
         "{'name':'read','input_schema':{}}]}",
         WEB_SEARCH_WITH_OTHER_TOOLS, 2},
        {"{'tools':[{'type':'web_search_20250305','name':'web_search','max_uses':0}]}",
         WEB_SEARCH_ONLY, 0},
        {"{'tools':[{'type':'web_search_20250305','name':'web_search','max_uses':2.5}]}",
         WEB_SEARCH_ONLY, 0},
        {"{'tools':[{'type':'web_search_20250305','name':'web_search','max_uses':'3'}]}",
         WEB_SEARCH_ONLY, 0},
        {"{'tools':{'type':'web_search_20250305','name':'web_search'}}", WEB_SEARCH_NOT_ASKED, 0},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *req = fixture_json(cases[i].request);
        if (web_search_requested(req) != cases[i].want)
            fail_msg("case %zu (%s): wrong classification", i, cases[i].request);
        assert_int_equal(web_search_max_uses(req), cases[i].max_uses);
        cJSON_Delete(req);
    }
}

typedef struct query_case {
    const char *request;
    const char *want; /* NULL: refused with 400 */
} query_case;

static void query(void **state)
{
    (void)state;
    static const query_case cases[] = {
        {"{'messages':[{'role':'user','content':'Perform a web search for the query: rust 2024'}]}",
         "rust 2024"},
        {"{'messages':[{'role':'user','content':[{'type':'text','text':"
         "'Perform a web search for the query:   padded query  '}]}]}",
         "padded query"},
        /* without the prefix the whole text is the query */
        {"{'messages':[{'role':'user','content':'weather in Lyon'}]}", "weather in Lyon"},
        /* the last user message is the one asked now */
        {"{'messages':[{'role':'user','content':'first'},{'role':'assistant','content':'ok'},"
         "{'role':'user','content':'second question'}]}",
         "second question"},
        /* text blocks are joined, other blocks skipped */
        {"{'messages':[{'role':'user','content':[{'type':'image','source':{}},"
         "{'type':'text','text':'a'},{'type':'text','text':'b'}]}]}",
         "a\nb"},
        {"{'messages':[{'role':'user','content':'Perform a web search for the query: '}]}", NULL},
        {"{'messages':[{'role':'user','content':'   '}]}", NULL},
        {"{'messages':[{'role':'assistant','content':'only me'}]}", NULL},
        {"{'messages':[]}", NULL},
        {"{'model':'x'}", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        cJSON *req = fixture_json(cases[i].request);
        api_error err;
        memset(&err, 0, sizeof err);
        char *q = web_search_query(req, &err);
        if (cases[i].want) {
            if (!q)
                fail_msg("case %zu: refused: %s", i, err.message);
            assert_string_equal(q, cases[i].want);
        } else {
            assert_null(q);
            assert_int_equal(err.status, 400);
            assert_string_equal(err.type, "invalid_request_error");
        }
        free(q);
        cJSON_Delete(req);
    }
}

static void long_query_is_kept_long(void **state)
{
    (void)state;
    /* a query over the limit is returned (cut, but still over it) so the caller can say
     * query_too_long instead of pretending it was empty */
    size_t n = 100000;
    char *text = malloc(n + 1);
    memset(text, 'x', n);
    text[n] = '\0';
    cJSON *req = cJSON_CreateObject();
    cJSON *messages = cJSON_AddArrayToObject(req, "messages");
    cJSON *m = cJSON_CreateObject();
    cJSON_AddStringToObject(m, "role", "user");
    cJSON_AddStringToObject(m, "content", text);
    cJSON_AddItemToArray(messages, m);
    api_error err;
    char *q = web_search_query(req, &err);
    assert_non_null(q);
    assert_true(strlen(q) > WEB_SEARCH_MAX_QUERY_BYTES);
    assert_true(strlen(q) <= 4 * WEB_SEARCH_MAX_QUERY_BYTES);
    free(q);
    free(text);
    cJSON_Delete(req);
}

/* Server-tool blocks an earlier answer carried come back in the history as text. */
static void history_keeps_searches(void **state)
{
    (void)state;
    kiro_request kr;
    cJSON *body = translate_ok(
        "{'model':'claude-sonnet-4.5','max_tokens':50,'messages':["
        "{'role':'user','content':'What happened?'},"
        "{'role':'assistant','content':["
        "{'type':'server_tool_use','id':'srvtoolu_1','name':'web_search',"
        "'input':{'query':'news today'}},"
        "{'type':'web_search_tool_result','tool_use_id':'srvtoolu_1','content':["
        "{'type':'web_search_result','title':'Big news','url':'https://n.example/1',"
        "'encrypted_content':'opaque','page_age':'May 1, 2025'}]},"
        "{'type':'server_tool_use','id':'srvtoolu_2','name':'web_search','input':{'query':'more'}},"
        "{'type':'web_search_tool_result','tool_use_id':'srvtoolu_2','content':"
        "{'type':'web_search_tool_result_error','error_code':'unavailable'}},"
        "{'type':'text','text':'Here is what I found.'}]},"
        "{'role':'user','content':'Tell me more'}]}",
        NULL, &kr);
    const char *assistant =
        json_string_at(body, "conversationState.history[1].assistantResponseMessage.content");
    assert_non_null(strstr(assistant, "[web_search: news today]"));
    assert_non_null(strstr(assistant, "[web search results]\n1. Big news\n"
                                      "   https://n.example/1 (May 1, 2025)"));
    assert_null(strstr(assistant, "opaque"));
    assert_non_null(strstr(assistant, "[web search failed: unavailable]"));
    assert_non_null(strstr(assistant, "Here is what I found."));
    cJSON_Delete(body);
    kiro_request_free(&kr);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(classify),
        cmocka_unit_test(query),
        cmocka_unit_test(long_query_is_kept_long),
        cmocka_unit_test(history_keeps_searches),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
