/* test_model_pages.c: what the upstream's ListAvailableModels says about each model (rate
 * multiplier and unit, token limits with a null output limit, input types, prompt caching,
 * description) kept in the catalogue entries, bounded; and paged answers joined by nextToken,
 * with the bounds that keep a misbehaving service from looping the refresher forever. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "translate/model_catalog.h"

static model_info *parse_one(const char *json, size_t *n)
{
    model_info *models = NULL;
    assert_int_equal(model_catalog_parse_upstream(json, strlen(json), &models, n), 0);
    return models;
}

static void upstream_fields_are_kept(void **state)
{
    (void)state;
    const char *json =
        "{\"models\":[{\"modelId\":\"claude-sonnet-4.5\",\"modelName\":\"Claude Sonnet 4.5\","
        "\"description\":\"The latest Claude Sonnet model\",\"rateMultiplier\":1.3,"
        "\"rateUnit\":\"Credit\",\"supportedInputTypes\":[\"TEXT\",\"IMAGE\"],"
        "\"promptCaching\":{\"supportsPromptCaching\":true,\"maximumCacheCheckpointsPerRequest\":4}"
        ","
        "\"tokenLimits\":{\"maxInputTokens\":200000,\"maxOutputTokens\":64000}},"
        "{\"modelId\":\"auto\",\"modelName\":\"Auto\",\"rateMultiplier\":1,\"rateUnit\":\"Credit\","
        "\"supportedInputTypes\":[],\"promptCaching\":false,"
        "\"tokenLimits\":{\"maxInputTokens\":1000000,\"maxOutputTokens\":null}}]}";
    size_t n;
    model_info *m = parse_one(json, &n);
    assert_int_equal(n, 2);
    assert_string_equal(m[0].description, "The latest Claude Sonnet model");
    assert_true(m[0].rate_multiplier == 1.3);
    assert_string_equal(m[0].rate_unit, "Credit");
    assert_int_equal(m[0].input_type_count, 2);
    assert_string_equal(m[0].input_types[0], "TEXT");
    assert_string_equal(m[0].input_types[1], "IMAGE");
    assert_string_equal(m[0].prompt_caching,
                        "{\"supportsPromptCaching\":true,\"maximumCacheCheckpointsPerRequest\":4}");
    assert_int_equal(m[0].max_input_tokens, 200000);
    assert_int_equal(m[0].max_tokens, 64000);
    assert_int_equal(m[0].output_limit_stated, 1);
    /* a null output limit stays null (the entry keeps a default for max_tokens) */
    assert_int_equal(m[1].output_limit_stated, 0);
    assert_int_equal(m[1].max_tokens, 64000);
    assert_int_equal(m[1].max_input_tokens, 1000000);
    assert_int_equal(m[1].input_type_count, 0);
    assert_string_equal(m[1].prompt_caching, "{\"supportsPromptCaching\":false}");
    assert_true(m[1].rate_multiplier == 1.0);
    free(m);
}

static void unknown_and_bad_fields_stay_unknown(void **state)
{
    (void)state;
    char long_description[600];
    memset(long_description, 'd', sizeof long_description);
    /* "é" straddles the cut: the description must end on a character boundary */
    memcpy(long_description + MODEL_DESCRIPTION_SIZE - 2, "\xc3\xa9", 2);
    long_description[sizeof long_description - 1] = '\0';
    char json[2048];
    snprintf(json, sizeof json,
             "{\"models\":[{\"modelId\":\"claude-haiku-4.5\",\"description\":\"%s\","
             "\"rateMultiplier\":-2,\"rateUnit\":7,\"supportedInputTypes\":\"TEXT\","
             "\"promptCaching\":\"yes\",\"tokenLimits\":{\"maxInputTokens\":\"big\"}},"
             "{\"modelId\":\"claude-new-7\",\"supportedInputTypes\":[1,\"\",\"TEXT\","
             "\"A_TYPE_NAME_FAR_TOO_LONG_TO_KEEP\"]}]}",
             long_description);
    size_t n;
    model_info *m = parse_one(json, &n);
    assert_int_equal(n, 2);
    assert_true(strlen(m[0].description) < MODEL_DESCRIPTION_SIZE);
    assert_int_equal(strlen(m[0].description), MODEL_DESCRIPTION_SIZE - 2);
    assert_true(m[0].rate_multiplier < 0);
    assert_string_equal(m[0].rate_unit, "");
    assert_int_equal(m[0].input_type_count, -1);
    assert_string_equal(m[0].prompt_caching, "");
    assert_int_equal(m[0].max_input_tokens, 200000); /* the known default window */
    assert_int_equal(m[1].max_input_tokens, 0);      /* unknown model, nothing stated */
    assert_int_equal(m[1].input_type_count, 1);
    assert_string_equal(m[1].input_types[0], "TEXT");
    free(m);
}

static void pages_are_joined(void **state)
{
    (void)state;
    model_pages *p = model_pages_new();
    assert_non_null(p);
    const char *one = "{\"models\":[{\"modelId\":\"claude-sonnet-4.5\"},{\"modelId\":\"auto\"}],"
                      "\"defaultModel\":{\"modelId\":\"claude-opus-4.6\"},\"nextToken\":\"p2\"}";
    const char *two = "{\"models\":[{\"modelId\":\"claude-haiku-4.5\"},{\"modelId\":\"auto\"}],"
                      "\"nextToken\":\"p3\"}";
    const char *three = "{\"models\":[{\"modelId\":\"claude-opus-4.5\"}]}";
    assert_null(model_pages_next_token(p));
    assert_int_equal(model_pages_add(p, one, strlen(one)), 0);
    assert_string_equal(model_pages_next_token(p), "p2");
    assert_int_equal(model_pages_add(p, two, strlen(two)), 0);
    assert_string_equal(model_pages_next_token(p), "p3");
    assert_int_equal(model_pages_add(p, three, strlen(three)), 0);
    assert_null(model_pages_next_token(p));
    assert_int_equal(model_pages_count(p), 3);
    model_info *m;
    size_t n;
    assert_int_equal(model_pages_finish(p, &m, &n), 0);
    /* every page's models once, in order, the default model last */
    static const char *const ids[] = {"claude-sonnet-4.5", "auto", "claude-haiku-4.5",
                                      "claude-opus-4.5", "claude-opus-4.6"};
    assert_int_equal(n, 5);
    for (size_t i = 0; i < n; i++)
        assert_string_equal(m[i].id, ids[i]);
    free(m);
    model_pages_free(p);
}

static void paging_is_bounded(void **state)
{
    (void)state;
    /* a token that repeats ends paging */
    model_pages *p = model_pages_new();
    const char *same = "{\"models\":[{\"modelId\":\"auto\"}],\"nextToken\":\"again\"}";
    assert_int_equal(model_pages_add(p, same, strlen(same)), 0);
    assert_string_equal(model_pages_next_token(p), "again");
    assert_int_equal(model_pages_add(p, same, strlen(same)), 0);
    assert_null(model_pages_next_token(p));
    model_pages_free(p);

    /* a service that always hands out a new token is asked at most MODEL_PAGES_MAX times */
    p = model_pages_new();
    int asked = 0;
    do {
        char page[128];
        snprintf(page, sizeof page, "{\"models\":[{\"modelId\":\"m-%d\"}],\"nextToken\":\"t%d\"}",
                 asked, asked);
        assert_int_equal(model_pages_add(p, page, strlen(page)), 0);
        asked++;
    } while (model_pages_next_token(p) && asked < 1000);
    assert_int_equal(asked, MODEL_PAGES_MAX);
    model_info *m;
    size_t n;
    assert_int_equal(model_pages_finish(p, &m, &n), 0);
    assert_int_equal(n, MODEL_PAGES_MAX);
    free(m);
    model_pages_free(p);

    /* empty and oversized tokens end paging too */
    p = model_pages_new();
    const char *empty = "{\"models\":[{\"modelId\":\"auto\"}],\"nextToken\":\"\"}";
    assert_int_equal(model_pages_add(p, empty, strlen(empty)), 0);
    assert_null(model_pages_next_token(p));
    char *huge = malloc(MODEL_NEXT_TOKEN_SIZE + 100);
    assert_non_null(huge);
    int len = snprintf(huge, MODEL_NEXT_TOKEN_SIZE + 100,
                       "{\"models\":[{\"modelId\":\"auto\"}],\"nextToken\":\"");
    memset(huge + len, 'x', MODEL_NEXT_TOKEN_SIZE);
    strcpy(huge + len + MODEL_NEXT_TOKEN_SIZE, "\"}");
    assert_int_equal(model_pages_add(p, huge, strlen(huge)), 0);
    assert_null(model_pages_next_token(p));
    free(huge);
    model_pages_free(p);
}

static void a_bad_page_is_reported(void **state)
{
    (void)state;
    model_pages *p = model_pages_new();
    const char *one = "{\"models\":[{\"modelId\":\"auto\"}],\"nextToken\":\"p2\"}";
    assert_int_equal(model_pages_add(p, one, strlen(one)), 0);
    assert_int_equal(model_pages_add(p, "<html>", 6), -1);
    assert_null(model_pages_next_token(p));
    assert_int_equal(model_pages_add(p, NULL, 0), -1);
    model_pages_free(p);

    /* pages without a usable model: nothing to finish with */
    p = model_pages_new();
    const char *none = "{\"models\":[{\"modelId\":5}]}";
    assert_int_equal(model_pages_add(p, none, strlen(none)), 0);
    model_info *m = (model_info *)1;
    size_t n = 9;
    assert_int_equal(model_pages_finish(p, &m, &n), -1);
    assert_null(m);
    assert_int_equal(n, 0);
    model_pages_free(p);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(upstream_fields_are_kept),
        cmocka_unit_test(unknown_and_bad_fields_stay_unknown),
        cmocka_unit_test(pages_are_joined),
        cmocka_unit_test(paging_is_bounded),
        cmocka_unit_test(a_bad_page_is_reported),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
