/* translate_fixture.c: JSON building and path lookup for the translate tests; see
 * translate_fixture.h. */
#include "translate_fixture.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

cJSON *fixture_json(const char *single_quoted)
{
    size_t len = strlen(single_quoted);
    char *text = malloc(len + 1);
    assert_non_null(text);
    for (size_t i = 0; i <= len; i++)
        text[i] = single_quoted[i] == '\'' ? '"' : single_quoted[i];
    cJSON *json = cJSON_Parse(text);
    if (!json)
        fail_msg("fixture does not parse: %s", text);
    free(text);
    return json;
}

const cJSON *json_at(const cJSON *root, const char *path)
{
    const cJSON *cur = root;
    const char *p = path;
    while (cur && *p) {
        if (*p == '.') {
            p++;
            continue;
        }
        if (*p == '[') {
            char *end;
            long index = strtol(p + 1, &end, 10);
            if (*end != ']')
                return NULL;
            cur = cJSON_IsArray(cur) ? cJSON_GetArrayItem(cur, (int)index) : NULL;
            p = end + 1;
            continue;
        }
        size_t n = strcspn(p, ".[");
        char key[128];
        if (n >= sizeof key)
            return NULL;
        memcpy(key, p, n);
        key[n] = '\0';
        cur = cJSON_IsObject(cur) ? cJSON_GetObjectItemCaseSensitive(cur, key) : NULL;
        p += n;
    }
    return cur;
}

const char *json_string_at(const cJSON *root, const char *path)
{
    const cJSON *item = json_at(root, path);
    if (!cJSON_IsString(item))
        fail_msg("no string at %s", path);
    return item->valuestring;
}

int json_array_size_at(const cJSON *root, const char *path)
{
    const cJSON *item = json_at(root, path);
    if (!cJSON_IsArray(item))
        fail_msg("no array at %s", path);
    return cJSON_GetArraySize(item);
}

translate_options fixture_options(void)
{
    translate_options options;
    memset(&options, 0, sizeof options);
    options.catalog = model_catalog_new_default();
    assert_non_null(options.catalog);
    options.conversation_id = FIXTURE_CONVERSATION_ID;
    options.continuation_id = FIXTURE_CONTINUATION_ID;
    return options;
}

void fixture_options_done(translate_options *options)
{
    model_catalog_free(options->catalog);
    options->catalog = NULL;
}

cJSON *translate_ok(const char *single_quoted, const translate_options *options,
                    kiro_request *out)
{
    cJSON *request = fixture_json(single_quoted);
    translate_options own = fixture_options();
    api_error err;
    memset(&err, 0, sizeof err);
    int rc = translate_anthropic_request(request, options ? options : &own, out, &err);
    cJSON_Delete(request);
    fixture_options_done(&own);
    if (rc != 0)
        fail_msg("translation failed: %d %s %s", err.status, err.type, err.message);
    assert_non_null(out->body);
    assert_int_equal(out->body_len, strlen(out->body));
    cJSON *body = cJSON_Parse(out->body);
    assert_non_null(body);
    return body;
}

api_error translate_error_json(const cJSON *request, const translate_options *options)
{
    translate_options own = fixture_options();
    api_error err;
    memset(&err, 0, sizeof err);
    kiro_request out;
    int rc = translate_anthropic_request(request, options ? options : &own, &out, &err);
    fixture_options_done(&own);
    if (rc == 0) {
        kiro_request_free(&out);
        fail_msg("translation unexpectedly succeeded");
    }
    assert_null(out.body);
    assert_null(out.tool_name_map);
    return err;
}

api_error translate_error(const char *single_quoted, const translate_options *options)
{
    cJSON *request = fixture_json(single_quoted);
    api_error err = translate_error_json(request, options);
    cJSON_Delete(request);
    return err;
}
