/* test_model_catalog.c: model name normalisation, catalogue resolution (exact, normalised,
 * family fallback), replacement and snapshots, and parsing of the upstream model list. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "translate/model_catalog.h"


/* A catalogue entry with the upstream-only fields unknown. */
#define MODEL_ENTRY(model_id, name, created, max_out)                                              \
    { .id = model_id, .display_name = name, .created_at = created, .max_tokens = max_out,         \
      .rate_multiplier = -1, .input_type_count = -1 }

static void assert_normalizes(const char *in, const char *expected, int expected_thinking)
{
    char out[MODEL_ID_SIZE];
    int thinking = -1;
    assert_int_equal(model_name_normalize(in, out, sizeof out, &thinking), 0);
    assert_string_equal(out, expected);
    assert_int_equal(thinking, expected_thinking);
}

static void normalize_dated_names(void **state)
{
    (void)state;
    assert_normalizes("claude-sonnet-4-5-20250929", "claude-sonnet-4.5", 0);
    assert_normalizes("claude-sonnet-4-20250514", "claude-sonnet-4", 0);
    assert_normalizes("claude-opus-4-1-20250805", "claude-opus-4.1", 0);
}

static void normalize_hyphenated_and_dotted_names(void **state)
{
    (void)state;
    assert_normalizes("claude-haiku-4-5", "claude-haiku-4.5", 0);
    assert_normalizes("claude-haiku-4.5", "claude-haiku-4.5", 0);
    assert_normalizes("claude-3-7-sonnet-20250219", "claude-3.7-sonnet", 0);
    assert_normalizes("claude-3-5-haiku-latest", "claude-3.5-haiku", 0);
    assert_normalizes("auto", "auto", 0);
}

static void normalize_thinking_suffix_and_case(void **state)
{
    (void)state;
    assert_normalizes("Claude-Sonnet-4-5-20250929-Thinking", "claude-sonnet-4.5", 1);
    assert_normalizes("claude-sonnet-4.5-thinking", "claude-sonnet-4.5", 1);
    assert_normalizes("claude-opus-4-5-thinking-20251101", "claude-opus-4.5", 1);
}

static void normalize_rejects_empty_and_oversized(void **state)
{
    (void)state;
    char out[16];
    int thinking = 0;
    assert_int_equal(model_name_normalize("", out, sizeof out, &thinking), -1);
    assert_int_equal(model_name_normalize(NULL, out, sizeof out, &thinking), -1);
    assert_int_equal(model_name_normalize("-thinking", out, sizeof out, &thinking), -1);
    assert_int_equal(model_name_normalize("claude-sonnet-4-5-20250929", out, sizeof out, &thinking),
                     -1);
    assert_int_equal(model_name_normalize("claude", out, 0, &thinking), -1);
}

static void assert_resolves(model_catalog *c, const char *name, const char *expected,
                            int expected_thinking)
{
    char id[MODEL_ID_SIZE];
    int thinking = -1;
    if (model_catalog_resolve(c, name, id, sizeof id, &thinking) != 0)
        fail_msg("%s did not resolve", name);
    assert_string_equal(id, expected);
    assert_int_equal(thinking, expected_thinking);
}

static void resolve_exact_and_normalised(void **state)
{
    (void)state;
    model_catalog *c = model_catalog_new_default();
    assert_non_null(c);
    assert_resolves(c, "claude-sonnet-4.5", "claude-sonnet-4.5", 0);
    assert_resolves(c, "claude-sonnet-4-5-20250929", "claude-sonnet-4.5", 0);
    assert_resolves(c, "claude-haiku-4-5", "claude-haiku-4.5", 0);
    assert_resolves(c, "claude-sonnet-4-20250514", "claude-sonnet-4", 0);
    assert_resolves(c, "claude-opus-4-6", "claude-opus-4.6", 0);
    assert_resolves(c, "AUTO", "auto", 0);
    assert_resolves(c, "claude-sonnet-4-5-20250929-thinking", "claude-sonnet-4.5", 1);
    model_catalog_free(c);
}

static void resolve_family_fallback_to_newest(void **state)
{
    (void)state;
    model_catalog *c = model_catalog_new_default();
    assert_resolves(c, "claude-3-7-sonnet-20250219", "claude-sonnet-4.6", 0);
    assert_resolves(c, "claude-3-5-haiku-20241022", "claude-haiku-4.5", 0);
    assert_resolves(c, "claude-opus-4-1-20250805", "claude-opus-4.6", 0);
    assert_resolves(c, "claude-3-opus-20240229-thinking", "claude-opus-4.6", 1);
    model_catalog_free(c);
}

static void resolve_unknown_models_fail(void **state)
{
    (void)state;
    model_catalog *c = model_catalog_new_default();
    const char *unknown[] = { "gpt-4o", "claude-foo", "", "claude-instant-1.2", "sonnet-4.5",
                              "o1-mini" };
    for (size_t i = 0; i < sizeof unknown / sizeof unknown[0]; i++) {
        char id[MODEL_ID_SIZE] = "untouched";
        int thinking = 0;
        if (model_catalog_resolve(c, unknown[i], id, sizeof id, &thinking) != -1)
            fail_msg("%s resolved to %s", unknown[i], id);
    }
    model_info info;
    assert_int_equal(model_catalog_resolve_info(c, NULL, &info, NULL), -1);
    model_catalog_free(c);
}

static void resolve_info_reports_output_limit(void **state)
{
    (void)state;
    model_catalog *c = model_catalog_new_default();
    model_info info;
    assert_int_equal(model_catalog_resolve_info(c, "claude-opus-4-5", &info, NULL), 0);
    assert_string_equal(info.id, "claude-opus-4.5");
    assert_int_equal(info.max_tokens, 32000);
    assert_int_equal(model_catalog_resolve_info(c, "claude-sonnet-4-6", &info, NULL), 0);
    assert_int_equal(info.max_tokens, 64000);
    model_catalog_free(c);
}

static void default_snapshot_lists_every_model(void **state)
{
    (void)state;
    model_catalog *c = model_catalog_new_default();
    model_info *models;
    size_t n = model_catalog_snapshot(c, &models);
    assert_int_equal(n, 7);
    const char *expected[][3] = {
        { "claude-sonnet-4.5", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z" },
        { "claude-sonnet-4", "Claude Sonnet 4", "2025-05-22T00:00:00Z" },
        { "claude-haiku-4.5", "Claude Haiku 4.5", "2025-10-15T00:00:00Z" },
        { "claude-opus-4.5", "Claude Opus 4.5", "2025-11-24T00:00:00Z" },
        { "claude-opus-4.6", "Claude Opus 4.6", "2026-02-05T00:00:00Z" },
        { "claude-sonnet-4.6", "Claude Sonnet 4.6", "2026-02-17T00:00:00Z" },
        { "auto", "Auto", "2025-01-01T00:00:00Z" },
    };
    for (size_t i = 0; i < n; i++) {
        assert_string_equal(models[i].id, expected[i][0]);
        assert_string_equal(models[i].display_name, expected[i][1]);
        assert_string_equal(models[i].created_at, expected[i][2]);
        assert_true(models[i].max_tokens > 0);
    }
    free(models);
    model_catalog_free(c);
}

static void replace_changes_resolution(void **state)
{
    (void)state;
    model_catalog *c = model_catalog_new_default();
    model_info fresh[2] = {
        MODEL_ENTRY("claude-sonnet-4", "Claude Sonnet 4", "2025-05-22T00:00:00Z", 64000),
        MODEL_ENTRY("claude-haiku-4.5", "Claude Haiku 4.5", "2025-10-15T00:00:00Z", 64000),
    };
    assert_int_equal(model_catalog_replace(c, fresh, 2), 0);
    model_info *models;
    assert_int_equal(model_catalog_snapshot(c, &models), 2);
    free(models);
    /* The family fallback now finds the newest sonnet of the new list. */
    assert_resolves(c, "claude-3-7-sonnet", "claude-sonnet-4", 0);
    char id[MODEL_ID_SIZE];
    assert_int_equal(model_catalog_resolve(c, "claude-sonnet-4.5", id, sizeof id, NULL), 0);
    assert_string_equal(id, "claude-sonnet-4");
    assert_int_equal(model_catalog_resolve(c, "claude-opus-4.5", id, sizeof id, NULL), -1);
    assert_int_equal(model_catalog_resolve(c, "auto", id, sizeof id, NULL), -1);
    model_catalog_free(c);
}

static void replace_rejects_empty_and_oversized_lists(void **state)
{
    (void)state;
    model_catalog *c = model_catalog_new_default();
    model_info *many = calloc(MODEL_CATALOG_MAX + 1, sizeof *many);
    assert_non_null(many);
    for (size_t i = 0; i <= MODEL_CATALOG_MAX; i++)
        snprintf(many[i].id, sizeof many[i].id, "model-%zu", i);
    assert_int_equal(model_catalog_replace(c, many, 0), -1);
    assert_int_equal(model_catalog_replace(c, many, MODEL_CATALOG_MAX + 1), -1);
    model_info *models;
    assert_int_equal(model_catalog_snapshot(c, &models), 7);
    free(models);
    assert_int_equal(model_catalog_replace(c, many, MODEL_CATALOG_MAX), 0);
    assert_int_equal(model_catalog_snapshot(c, &models), MODEL_CATALOG_MAX);
    free(models);
    free(many);
    model_catalog_free(c);
}

typedef struct replace_race {
    model_catalog *catalog;
    int failures;
} replace_race;

static void *resolve_repeatedly(void *arg)
{
    replace_race *race = arg;
    for (int i = 0; i < 20000; i++) {
        char id[MODEL_ID_SIZE];
        if (model_catalog_resolve(race->catalog, "claude-sonnet-4-5", id, sizeof id, NULL) != 0 ||
            strncmp(id, "claude-sonnet-4", 15) != 0)
            race->failures++;
    }
    return NULL;
}

static void replace_while_resolving_is_consistent(void **state)
{
    (void)state;
    replace_race race = { model_catalog_new_default(), 0 };
    pthread_t reader;
    assert_int_equal(pthread_create(&reader, NULL, resolve_repeatedly, &race), 0);
    model_info a[1] = { MODEL_ENTRY("claude-sonnet-4.5", "A", "2025-09-29T00:00:00Z", 1) };
    model_info b[2] = { MODEL_ENTRY("auto", "B", "2025-01-01T00:00:00Z", 1),
                        MODEL_ENTRY("claude-sonnet-4", "C", "2025-05-22T00:00:00Z", 1) };
    for (int i = 0; i < 2000; i++)
        assert_int_equal(model_catalog_replace(race.catalog, i % 2 ? a : b, i % 2 ? 1 : 2), 0);
    pthread_join(reader, NULL);
    assert_int_equal(race.failures, 0);
    model_catalog_free(race.catalog);
}

static void parse_upstream_list(void **state)
{
    (void)state;
    const char *json =
        "{\"models\":["
        "{\"modelId\":\"claude-sonnet-4.5\",\"modelName\":\"Sonnet 4.5 (Kiro)\","
        " \"tokenLimits\":{\"maxInputTokens\":200000,\"maxOutputTokens\":12345}},"
        "{\"modelId\":\"claude-new-model-5\",\"description\":\"x\"},"
        "{\"modelId\":\"claude-opus-4.5\"}],"
        "\"defaultModel\":{\"modelId\":\"claude-sonnet-4.5\"}}";
    model_info *models;
    size_t n;
    assert_int_equal(model_catalog_parse_upstream(json, strlen(json), &models, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(models[0].id, "claude-sonnet-4.5");
    assert_string_equal(models[0].display_name, "Sonnet 4.5 (Kiro)");
    assert_string_equal(models[0].created_at, "2025-09-29T00:00:00Z");
    assert_int_equal(models[0].max_tokens, 12345);
    assert_string_equal(models[1].id, "claude-new-model-5");
    assert_string_equal(models[1].display_name, "Claude New Model 5");
    assert_string_equal(models[1].created_at, "2025-01-01T00:00:00Z");
    assert_int_equal(models[1].max_tokens, 64000);
    assert_string_equal(models[2].display_name, "Claude Opus 4.5");
    assert_string_equal(models[2].created_at, "2025-11-24T00:00:00Z");
    assert_int_equal(models[2].max_tokens, 32000);
    free(models);
}

static void parse_upstream_skips_malformed_entries(void **state)
{
    (void)state;
    const char *json =
        "{\"models\":[5,{},{\"modelId\":7},{\"modelId\":\"\"},"
        "{\"modelId\":\"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        "aaaaaaaaaaaaaaaaaaaaaaaaaaaa\"},"
        "{\"modelId\":\"claude-haiku-4.5\",\"modelName\":5,"
        " \"tokenLimits\":{\"maxOutputTokens\":-3}},"
        "{\"modelId\":\"claude-haiku-4.5\"}],"
        "\"defaultModel\":{\"modelId\":\"claude-sonnet-4.6\"}}";
    model_info *models;
    size_t n;
    assert_int_equal(model_catalog_parse_upstream(json, strlen(json), &models, &n), 0);
    assert_int_equal(n, 2);
    assert_string_equal(models[0].id, "claude-haiku-4.5");
    assert_string_equal(models[0].display_name, "Claude Haiku 4.5");
    assert_int_equal(models[0].max_tokens, 64000);
    assert_string_equal(models[1].id, "claude-sonnet-4.6");
    free(models);
}

static void parse_upstream_rejects_unusable_answers(void **state)
{
    (void)state;
    const char *answers[] = { "not json", "{\"models\":5}", "{\"models\":[]}",
                              "{\"models\":[{\"modelId\":3}]}", "[]", "{}" };
    for (size_t i = 0; i < sizeof answers / sizeof answers[0]; i++) {
        model_info *models = (model_info *)1;
        size_t n = 99;
        assert_int_equal(model_catalog_parse_upstream(answers[i], strlen(answers[i]), &models, &n),
                         -1);
        assert_null(models);
        assert_int_equal(n, 0);
    }
    model_info *models;
    size_t n;
    assert_int_equal(model_catalog_parse_upstream(NULL, 0, &models, &n), -1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(normalize_dated_names),
        cmocka_unit_test(normalize_hyphenated_and_dotted_names),
        cmocka_unit_test(normalize_thinking_suffix_and_case),
        cmocka_unit_test(normalize_rejects_empty_and_oversized),
        cmocka_unit_test(resolve_exact_and_normalised),
        cmocka_unit_test(resolve_family_fallback_to_newest),
        cmocka_unit_test(resolve_unknown_models_fail),
        cmocka_unit_test(resolve_info_reports_output_limit),
        cmocka_unit_test(default_snapshot_lists_every_model),
        cmocka_unit_test(replace_changes_resolution),
        cmocka_unit_test(replace_rejects_empty_and_oversized_lists),
        cmocka_unit_test(replace_while_resolving_is_consistent),
        cmocka_unit_test(parse_upstream_list),
        cmocka_unit_test(parse_upstream_skips_malformed_entries),
        cmocka_unit_test(parse_upstream_rejects_unusable_answers),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
