/* test_tool_specs.c: tool definitions as sent upstream: long names shortened the same way in
 * specs and history (with the name map), generated and capped descriptions, schema cleanup,
 * server tools and duplicates left out. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "translate/translate_limits.h"
#include "translate_fixture.h"

#define CTX "conversationState.currentMessage.userInputMessage.userInputMessageContext."
#define SPEC(i) CTX "tools[" #i "].toolSpecification."

/* 80 characters: MCP-style tool names longer than the upstream accepts, equal for their first
 * 75 characters so that the shortened forms differ only by the hash. */
#define LONG_NAME_STEM "mcp__very_long_server_name_for_testing__a_tool_with_an_extremely_long_name_"
#define LONG_NAME_A LONG_NAME_STEM "alpha"
#define LONG_NAME_B LONG_NAME_STEM "bravo"

static void long_tool_names_shortened_consistently(void **state)
{
    (void)state;
    assert_int_equal(strlen(LONG_NAME_A), 80);
    kiro_request r;
    cJSON *body = translate_ok(
        "{'model':'auto','tools':[{'name':'" LONG_NAME_A "','input_schema':{'type':'object'}},"
        "{'name':'" LONG_NAME_B "','input_schema':{'type':'object'}},"
        "{'name':'short_one','input_schema':{'type':'object'}}],'messages':["
        "{'role':'user','content':'go'},"
        "{'role':'assistant','content':[{'type':'tool_use','id':'t1','name':'" LONG_NAME_A "',"
        "'input':{}}]},"
        "{'role':'user','content':[{'type':'tool_result','tool_use_id':'t1','content':'ok'}]}]}",
        NULL, &r);
    const char *short_a = json_string_at(body, SPEC(0) "name");
    const char *short_b = json_string_at(body, SPEC(1) "name");
    assert_true(strlen(short_a) <= TOOL_NAME_MAX);
    assert_true(strlen(short_b) <= TOOL_NAME_MAX);
    assert_string_not_equal(short_a, short_b);
    assert_memory_equal(short_a, LONG_NAME_A, 20);
    assert_string_equal(json_string_at(body, SPEC(2) "name"), "short_one");
    /* The history's toolUse carries the same short name as the spec. */
    assert_string_equal(json_string_at(body, "conversationState.history[1]."
                                             "assistantResponseMessage.toolUses[0].name"), short_a);
    /* The map gives the original names back; short names are not in it. */
    assert_non_null(r.tool_name_map);
    assert_int_equal(cJSON_GetArraySize(r.tool_name_map), 2);
    assert_string_equal(json_string_at(r.tool_name_map, short_a), LONG_NAME_A);
    assert_string_equal(json_string_at(r.tool_name_map, short_b), LONG_NAME_B);
    assert_int_equal(r.tool_count, 3);

    /* Deterministic: a second translation gives the same short name. */
    kiro_request again;
    cJSON *body2 = translate_ok("{'model':'auto','tools':[{'name':'" LONG_NAME_A "'}],"
                                "'messages':[{'role':'user','content':'x'}]}", NULL, &again);
    assert_string_equal(json_string_at(body2, SPEC(0) "name"), short_a);
    kiro_request_free(&again);
    cJSON_Delete(body2);
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void name_of_exactly_64_kept(void **state)
{
    (void)state;
    char name[TOOL_NAME_MAX + 1];
    memset(name, 'n', TOOL_NAME_MAX);
    name[TOOL_NAME_MAX] = '\0';
    char request[512];
    snprintf(request, sizeof request,
             "{'model':'auto','tools':[{'name':'%s'}],'messages':[{'role':'user','content':'x'}]}",
             name);
    kiro_request r;
    cJSON *body = translate_ok(request, NULL, &r);
    assert_string_equal(json_string_at(body, SPEC(0) "name"), name);
    assert_null(r.tool_name_map);
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void empty_description_generated(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'auto','tools':[{'name':'alpha'},"
                               "{'name':'beta','description':'   '},"
                               "{'name':'gamma','description':null}],"
                               "'messages':[{'role':'user','content':'x'}]}", NULL, &r);
    assert_string_equal(json_string_at(body, SPEC(0) "description"), "Tool alpha");
    assert_string_equal(json_string_at(body, SPEC(1) "description"), "Tool beta");
    assert_string_equal(json_string_at(body, SPEC(2) "description"), "Tool gamma");
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void description_capped_in_characters(void **state)
{
    (void)state;
    translate_options options = fixture_options();
    options.max_tool_description = 5;
    kiro_request r;
    /* "h\u00e9llo w" : the cap counts characters, so the two-byte e-acute counts once. */
    cJSON *body = translate_ok("{'model':'auto','tools':[{'name':'a',"
                               "'description':'h\\u00e9llo world'}],"
                               "'messages':[{'role':'user','content':'x'}]}", &options, &r);
    assert_string_equal(json_string_at(body, SPEC(0) "description"), "h\xc3\xa9llo");
    kiro_request_free(&r);
    cJSON_Delete(body);
    fixture_options_done(&options);

    /* Default cap: 10000 characters. */
    size_t size = 12000;
    char *text = malloc(size + 1);
    assert_non_null(text);
    memset(text, 'd', size);
    text[size] = '\0';
    cJSON *request = fixture_json("{'model':'auto','tools':[{'name':'a'}],"
                                  "'messages':[{'role':'user','content':'x'}]}");
    cJSON_AddStringToObject((cJSON *)json_at(request, "tools[0]"), "description", text);
    free(text);
    options = fixture_options();
    api_error err;
    assert_int_equal(translate_anthropic_request(request, &options, &r, &err), 0);
    body = cJSON_Parse(r.body);
    assert_int_equal(strlen(json_string_at(body, SPEC(0) "description")),
                     TRANSLATE_DEFAULT_MAX_TOOL_DESCRIPTION);
    kiro_request_free(&r);
    cJSON_Delete(body);
    cJSON_Delete(request);
    fixture_options_done(&options);
}

static void schema_keywords_removed_recursively(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok(
        "{'model':'auto','tools':[{'name':'t','input_schema':{"
        "'$schema':'http://json-schema.org/draft-07/schema#','type':'object',"
        "'additionalProperties':false,'required':['additionalProperties'],"
        "'properties':{"
        "'additionalProperties':{'type':'string'},"
        "'opts':{'type':'object','additionalProperties':{'type':'string'},"
        "'properties':{'x':{'type':'array',"
        "'items':{'type':'object','additionalProperties':true}}}},"
        "'choice':{'anyOf':[{'type':'object','additionalProperties':false},{'type':'null'}]},"
        "'mode':{'type':'object','default':{'additionalProperties':1},"
        "'enum':[{'additionalProperties':2}]}}}}],"
        "'messages':[{'role':'user','content':'x'}]}", NULL, &r);
    const cJSON *schema = json_at(body, SPEC(0) "inputSchema.json");
    assert_non_null(schema);
    assert_null(json_at(schema, "additionalProperties"));
    assert_null(json_at(schema, "$schema"));
    assert_string_equal(json_string_at(schema, "type"), "object");
    assert_string_equal(json_string_at(schema, "required[0]"), "additionalProperties");
    /* A property that happens to be named additionalProperties is data, not the keyword. */
    assert_string_equal(json_string_at(schema, "properties.additionalProperties.type"), "string");
    assert_null(json_at(schema, "properties.opts.additionalProperties"));
    assert_string_equal(json_string_at(schema, "properties.opts.type"), "object");
    assert_null(json_at(schema, "properties.opts.properties.x.items.additionalProperties"));
    assert_string_equal(json_string_at(schema, "properties.opts.properties.x.items.type"),
                        "object");
    assert_null(json_at(schema, "properties.choice.anyOf[0].additionalProperties"));
    assert_string_equal(json_string_at(schema, "properties.choice.anyOf[1].type"), "null");
    /* default and enum values are data and kept exactly. */
    assert_non_null(json_at(schema, "properties.mode.default.additionalProperties"));
    assert_non_null(json_at(schema, "properties.mode.enum[0].additionalProperties"));
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void missing_schema_gets_empty_object_schema(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'auto','tools':[{'name':'t','description':'d'}],"
                               "'messages':[{'role':'user','content':'x'}]}", NULL, &r);
    assert_string_equal(json_string_at(body, SPEC(0) "inputSchema.json.type"), "object");
    assert_true(cJSON_IsObject(json_at(body, SPEC(0) "inputSchema.json.properties")));
    kiro_request_free(&r);
    cJSON_Delete(body);
}

static void server_tools_and_duplicates_left_out(void **state)
{
    (void)state;
    kiro_request r;
    cJSON *body = translate_ok("{'model':'auto','tools':["
                               "{'type':'web_search_20250305','name':'web_search','max_uses':5},"
                               "{'type':'custom','name':'one','description':'first'},"
                               "{'name':'one','description':'second'}],"
                               "'messages':[{'role':'user','content':'x'}]}", NULL, &r);
    assert_int_equal(r.tool_count, 1);
    assert_int_equal(json_array_size_at(body, CTX "tools"), 1);
    assert_string_equal(json_string_at(body, SPEC(0) "description"), "first");
    kiro_request_free(&r);
    cJSON_Delete(body);

    /* Only server tools: no tools defined, so tool blocks are sent as text. */
    body = translate_ok("{'model':'auto','tools':[{'type':'bash_20250124','name':'bash'}],"
                        "'messages':[{'role':'user','content':'x'},"
                        "{'role':'assistant','content':[{'type':'tool_use','id':'t','name':'bash',"
                        "'input':{}}]},{'role':'user','content':'y'}]}", NULL, &r);
    assert_int_equal(r.tool_count, 0);
    assert_null(json_at(body, CTX "tools"));
    assert_null(json_at(body, "conversationState.history[1].assistantResponseMessage.toolUses"));
    kiro_request_free(&r);
    cJSON_Delete(body);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(long_tool_names_shortened_consistently),
        cmocka_unit_test(name_of_exactly_64_kept),
        cmocka_unit_test(empty_description_generated),
        cmocka_unit_test(description_capped_in_characters),
        cmocka_unit_test(schema_keywords_removed_recursively),
        cmocka_unit_test(missing_schema_gets_empty_object_schema),
        cmocka_unit_test(server_tools_and_duplicates_left_out),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
