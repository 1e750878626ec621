/* test_wrong_types.c: a wrong JSON type anywhere in a request yields a client error, never a
 * crash or a server error. Every node of a rich, valid request (Anthropic and OpenAI forms) is
 * replaced in turn by a value of each JSON type, and the translation must either succeed with a
 * parseable body or answer 400/413 with a message. Run under ASan this also checks that no error
 * path leaks or touches freed memory. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <string.h>

#include "translate_fixture.h"

static const char ANTHROPIC_REQUEST[] =
    "{'model':'claude-sonnet-4-5','max_tokens':1000,'stream':true,"
    "'system':[{'type':'text','text':'sys'}],"
    "'thinking':{'type':'enabled','budget_tokens':2000},"
    "'tools':[{'name':'read','description':'reads','input_schema':{'type':'object',"
    "'properties':{'p':{'type':'string'}},'additionalProperties':false}}],"
    "'messages':["
    "{'role':'user','content':[{'type':'text','text':'look'},{'type':'image','source':{"
    "'type':'base64','media_type':'image/png','data':'AAAA'}}]},"
    "{'role':'assistant','content':[{'type':'thinking','thinking':'t'},"
    "{'type':'tool_use','id':'t1','name':'read','input':{'p':'x'}}]},"
    "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t1','is_error':false,"
    "'content':[{'type':'text','text':'out'}]}]}]}";

static const char OPENAI_REQUEST[] =
    "{'model':'claude-sonnet-4-5','max_tokens':100,'stream':false,"
    "'messages':[{'role':'system','content':'sys'},"
    "{'role':'user','content':[{'type':'text','text':'hi'},"
    "{'type':'image_url','image_url':{'url':'data:image/png;base64,AAAA'}}]},"
    "{'role':'assistant','content':null,'tool_calls':[{'id':'c1','type':'function',"
    "'function':{'name':'f','arguments':'{}'}}]},"
    "{'role':'tool','tool_call_id':'c1','content':'r'}],"
    "'tools':[{'type':'function','function':{'name':'f','description':'d',"
    "'parameters':{'type':'object'}}}],"
    "'functions':[{'name':'g','parameters':{'type':'object'}}]}";

static int count_nodes(const cJSON *node)
{
    int n = 1;
    for (const cJSON *child = node->child; child; child = child->next)
        n += count_nodes(child);
    return n;
}

/* The node at preorder position *index (counting down), with its parent. */
static cJSON *find_node(cJSON *node, cJSON *parent, int *index, cJSON **parent_out)
{
    if ((*index)-- == 0) {
        *parent_out = parent;
        return node;
    }
    for (cJSON *child = node->child; child; child = child->next) {
        cJSON *found = find_node(child, node, index, parent_out);
        if (found)
            return found;
    }
    return NULL;
}

static cJSON *replacement(int kind)
{
    switch (kind) {
    case 0: return cJSON_CreateNumber(-7);
    case 1: return cJSON_CreateString("");
    case 2: return cJSON_CreateObject();
    case 3: return cJSON_CreateArray();
    case 4: return cJSON_CreateNull();
    case 5: return cJSON_CreateTrue();
    default: return cJSON_CreateString("claude-haiku-4-5");
    }
}
#define REPLACEMENT_KINDS 7

typedef void (*check_fn)(const cJSON *request, const char *where);

static void assert_client_error(int rc, const api_error *err, const char *where)
{
    if (rc == 0)
        return;
    if ((err->status != 400 && err->status != 413) || err->message[0] == '\0')
        fail_msg("%s: status %d \"%s\"", where, err->status, err->message);
}

static void check_anthropic(const cJSON *request, const char *where)
{
    translate_options options = fixture_options();
    kiro_request r;
    api_error err;
    memset(&err, 0, sizeof err);
    int rc = translate_anthropic_request(request, &options, &r, &err);
    assert_client_error(rc, &err, where);
    if (rc == 0) {
        cJSON *body = cJSON_Parse(r.body);
        if (!body)
            fail_msg("%s: body does not parse", where);
        cJSON_Delete(body);
        kiro_request_free(&r);
    }
    memset(&err, 0, sizeof err);
    long tokens = translate_estimate_input_tokens(request, &err);
    assert_client_error(tokens < 0 ? -1 : 0, &err, where);
    fixture_options_done(&options);
}

static void check_openai(const cJSON *request, const char *where)
{
    api_error err;
    memset(&err, 0, sizeof err);
    cJSON *anthropic = translate_openai_to_anthropic(request, &err);
    assert_client_error(anthropic ? 0 : -1, &err, where);
    if (anthropic) {
        check_anthropic(anthropic, where);
        cJSON_Delete(anthropic);
    }
}

static void mutate_every_node(const char *single_quoted, check_fn check)
{
    cJSON *original = fixture_json(single_quoted);
    check(original, "unmodified");
    int nodes = count_nodes(original);
    for (int i = 1; i < nodes; i++) {
        for (int kind = 0; kind < REPLACEMENT_KINDS; kind++) {
            cJSON *copy = cJSON_Duplicate(original, 1);
            int index = i;
            cJSON *parent = NULL;
            cJSON *node = find_node(copy, NULL, &index, &parent);
            assert_non_null(node);
            assert_non_null(parent);
            assert_true(cJSON_ReplaceItemViaPointer(parent, node, replacement(kind)));
            char where[48];
            snprintf(where, sizeof where, "node %d kind %d", i, kind);
            check(copy, where);
            cJSON_Delete(copy);
        }
        /* And with the node removed altogether. */
        cJSON *copy = cJSON_Duplicate(original, 1);
        int index = i;
        cJSON *parent = NULL;
        cJSON *node = find_node(copy, NULL, &index, &parent);
        cJSON_Delete(cJSON_DetachItemViaPointer(parent, node));
        char where[48];
        snprintf(where, sizeof where, "node %d removed", i);
        check(copy, where);
        cJSON_Delete(copy);
    }
    cJSON_Delete(original);
}

static void anthropic_wrong_types_are_client_errors(void **state)
{
    (void)state;
    mutate_every_node(ANTHROPIC_REQUEST, check_anthropic);
}

static void openai_wrong_types_are_client_errors(void **state)
{
    (void)state;
    mutate_every_node(OPENAI_REQUEST, check_openai);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(anthropic_wrong_types_are_client_errors),
        cmocka_unit_test(openai_wrong_types_are_client_errors),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
