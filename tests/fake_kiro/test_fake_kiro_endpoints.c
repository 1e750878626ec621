/* test_fake_kiro_endpoints.c: the other Kiro endpoints of fake-kiro over HTTP:
 * ListAvailableModels (fields and paging), the social and IdC token refresh (including dead
 * refresh tokens), the --reject-token / --expired-token access-token answers, and unknown paths
 * and methods. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fk_fixture.h"

static void url_of(const fk_proc *p, const char *path, char *out, size_t size)
{
    snprintf(out, size, "%s%s", p->base_url, path);
}

/* GET one ListAvailableModels page (token NULL: the first); returns the parsed answer. */
static cJSON *models_page(const fk_proc *p, const char *token, long *status)
{
    char url[512];
    char path[320];
    snprintf(path, sizeof path, "/ListAvailableModels?origin=AI_EDITOR%s%s",
             token ? "&nextToken=" : "", token ? token : "");
    url_of(p, path, url, sizeof url);
    fk_response r;
    fk_response_init(&r);
    assert_int_equal(fk_http(&r, "GET", url, "tok", NULL, 5000), CURLE_OK);
    *status = r.status;
    cJSON *json = fk_response_json(&r);
    fk_response_free(&r);
    return json;
}

static void test_list_available_models(void **state)
{
    const char *args[] = {"--extra-model", "claude-test-1", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    const char *want[] = {"claude-sonnet-4.5", "claude-sonnet-4", "claude-haiku-4.5",
                          "claude-opus-4.5",   "claude-opus-4.6", "claude-sonnet-4.6",
                          "auto",              "claude-test-1"};
    size_t seen = 0;
    int pages = 0;
    char token[128] = "";
    do {
        long status;
        cJSON *json = models_page(p, token[0] ? token : NULL, &status);
        assert_int_equal(status, 200);
        pages++;
        const cJSON *models = fk_json_at(json, "models");
        assert_true(cJSON_IsArray(models));
        /* pages of four (the default --models-page-size) */
        assert_true(cJSON_GetArraySize(models) >= 1 && cJSON_GetArraySize(models) <= 4);
        const cJSON *m;
        cJSON_ArrayForEach(m, models) {
            assert_true(seen < sizeof want / sizeof want[0]);
            assert_string_equal(fk_json_at(m, "modelId")->valuestring, want[seen]);
            assert_true(cJSON_IsString(fk_json_at(m, "modelName")));
            assert_true(cJSON_IsString(fk_json_at(m, "description")));
            assert_true(cJSON_IsNumber(fk_json_at(m, "rateMultiplier")));
            assert_string_equal(fk_json_at(m, "rateUnit")->valuestring, "Credit");
            assert_string_equal(
                cJSON_GetArrayItem(fk_json_at(m, "supportedInputTypes"), 0)->valuestring, "TEXT");
            assert_true(cJSON_IsTrue(fk_json_at(m, "promptCaching.supportsPromptCaching")));
            assert_true(fk_json_at(m, "tokenLimits.maxInputTokens")->valuedouble >= 200000);
            const cJSON *max_out = fk_json_at(m, "tokenLimits.maxOutputTokens");
            if (strcmp(want[seen], "auto") == 0)
                assert_true(cJSON_IsNull(max_out));   /* a stated null, not a missing field */
            else
                assert_true(max_out->valuedouble >= 32000);
            seen++;
        }
        assert_string_equal(fk_json_at(json, "defaultModel.modelId")->valuestring, "auto");
        const cJSON *next = fk_json_at(json, "nextToken");
        snprintf(token, sizeof token, "%s", cJSON_IsString(next) ? next->valuestring : "");
        cJSON_Delete(json);
    } while (token[0] && pages < 10);
    assert_int_equal(pages, 2);
    assert_int_equal(seen, sizeof want / sizeof want[0]);

    /* a token fake-kiro did not hand out */
    long status;
    cJSON *json = models_page(p, "not-a-token", &status);
    assert_int_equal(status, 400);
    assert_string_equal(fk_json_at(json, "__type")->valuestring, "ValidationException");
    cJSON_Delete(json);

    fk_response r;
    char url[256];
    fk_response_init(&r);
    url_of(p, "/ListAvailableModels", url, sizeof url);
    assert_int_equal(fk_http(&r, "POST", url, "tok", "{}", 5000), CURLE_OK);
    assert_int_equal(r.status, 200);
    fk_response_free(&r);

    fk_response_init(&r);
    assert_int_equal(fk_http(&r, "GET", url, NULL, NULL, 5000), CURLE_OK);
    assert_int_equal(r.status, 403);
    fk_response_free(&r);
    assert_int_equal(fk_stat(p->base_url, "requests.ListAvailableModels"), 5);
}

static void test_list_available_models_one_page(void **state)
{
    const char *args[] = {"--models-page-size", "0", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    long status;
    cJSON *json = models_page(p, NULL, &status);
    assert_int_equal(status, 200);
    assert_int_equal(cJSON_GetArraySize(fk_json_at(json, "models")), 7);
    assert_null(fk_json_at(json, "nextToken"));
    cJSON_Delete(json);
}

static void test_social_refresh(void **state)
{
    const char *args[] = {"--expires-in", "120", "--dead-refresh-token", "revoked", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    for (int n = 1; n <= 2; n++) {
        fk_response r;
        fk_response_init(&r);
        assert_int_equal(fk_post(&r, p->base_url, "/refreshToken", "{\"refreshToken\":\"rt\"}"),
                         CURLE_OK);
        assert_int_equal(r.status, 200);
        cJSON *json = fk_response_json(&r);
        char want[64];
        snprintf(want, sizeof want, "fake-access-%d", n);
        assert_string_equal(fk_json_at(json, "accessToken")->valuestring, want);
        snprintf(want, sizeof want, "fake-refresh-%d", n);
        assert_string_equal(fk_json_at(json, "refreshToken")->valuestring, want);
        assert_string_equal(fk_json_at(json, "profileArn")->valuestring,
                            "arn:aws:codewhisperer:us-east-1:000000000000:profile/FAKE");
        assert_int_equal(fk_json_at(json, "expiresIn")->valuedouble, 120);
        cJSON_Delete(json);
        fk_response_free(&r);
    }
    fk_response r;
    fk_response_init(&r);
    fk_post(&r, p->base_url, "/refreshToken", "{}");
    assert_int_equal(r.status, 400);
    fk_response_free(&r);
    fk_response_init(&r);
    fk_post(&r, p->base_url, "/refreshToken", "garbage");
    assert_int_equal(r.status, 400);
    fk_response_free(&r);
    fk_response_init(&r);
    fk_post(&r, p->base_url, "/refreshToken", "{\"refreshToken\":\"revoked\"}");
    assert_int_equal(r.status, 401);
    cJSON *json = fk_response_json(&r);
    assert_string_equal(fk_json_at(json, "message")->valuestring, "Invalid refresh token");
    cJSON_Delete(json);
    fk_response_free(&r);
    assert_int_equal(fk_stat(p->base_url, "requests.refreshToken"), 5);
}

static void test_idc_token(void **state)
{
    const char *args[] = {"--dead-refresh-token", "revoked", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    fk_response r;
    fk_response_init(&r);
    fk_post(&r, p->base_url, "/token",
            "{\"clientId\":\"c\",\"clientSecret\":\"s\",\"refreshToken\":\"rt\","
            "\"grantType\":\"refresh_token\"}");
    assert_int_equal(r.status, 200);
    cJSON *json = fk_response_json(&r);
    assert_string_equal(fk_json_at(json, "accessToken")->valuestring, "fake-access-1");
    assert_string_equal(fk_json_at(json, "refreshToken")->valuestring, "fake-refresh-1");
    assert_string_equal(fk_json_at(json, "tokenType")->valuestring, "Bearer");
    assert_int_equal(fk_json_at(json, "expiresIn")->valuedouble, 3600);
    cJSON_Delete(json);
    fk_response_free(&r);

    static const struct {
        const char *body;
        const char *error;
    } bad[] = {
        {"{\"clientSecret\":\"s\",\"refreshToken\":\"rt\",\"grantType\":\"refresh_token\"}",
         "invalid_request"},
        {"{\"clientId\":\"c\",\"refreshToken\":\"rt\",\"grantType\":\"refresh_token\"}",
         "invalid_request"},
        {"{\"clientId\":\"c\",\"clientSecret\":\"s\",\"grantType\":\"refresh_token\"}",
         "invalid_request"},
        {"{\"clientId\":\"c\",\"clientSecret\":\"s\",\"refreshToken\":\"rt\"}", "invalid_request"},
        {"{\"clientId\":\"c\",\"clientSecret\":\"s\",\"refreshToken\":\"rt\","
         "\"grantType\":\"password\"}",
         "unsupported_grant_type"},
        {"{\"clientId\":\"c\",\"clientSecret\":\"s\",\"refreshToken\":\"revoked\","
         "\"grantType\":\"refresh_token\"}",
         "invalid_grant"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        fk_response_init(&r);
        fk_post(&r, p->base_url, "/token", bad[i].body);
        assert_int_equal(r.status, 400);
        json = fk_response_json(&r);
        assert_string_equal(fk_json_at(json, "error")->valuestring, bad[i].error);
        cJSON_Delete(json);
        fk_response_free(&r);
    }
}

static void test_rejected_and_expired_access_tokens(void **state)
{
    const char *args[] = {"--reject-token", "bad-token", "--expired-token", "old-token", NULL};
    fk_proc *p = fk_fixture_start(state, args);
    char url[256];
    url_of(p, "/generateAssistantResponse", url, sizeof url);
    char *body = fk_body_plain("hi", "auto");
    fk_response r;

    fk_response_init(&r);
    fk_http(&r, "POST", url, "bad-token", body, 5000);
    assert_int_equal(r.status, 403);
    cJSON *json = fk_response_json(&r);
    assert_string_equal(fk_json_at(json, "message")->valuestring,
                        "The security token included in the request is invalid.");
    cJSON_Delete(json);
    fk_response_free(&r);

    fk_response_init(&r);
    fk_http(&r, "POST", url, "old-token", body, 5000);
    assert_int_equal(r.status, 401);
    fk_response_free(&r);

    fk_response_init(&r);
    fk_http(&r, "POST", url, "good-token", body, 5000);
    assert_int_equal(r.status, 200);
    fk_response_free(&r);

    url_of(p, "/ListAvailableModels", url, sizeof url);
    fk_response_init(&r);
    fk_http(&r, "GET", url, "bad-token", NULL, 5000);
    assert_int_equal(r.status, 403);
    fk_response_free(&r);

    /* the token lists can be changed at runtime too */
    assert_int_equal(fk_set_faults(p->base_url, "{\"reject_token\":[]}"), 200);
    fk_response_init(&r);
    fk_http(&r, "GET", url, "bad-token", NULL, 5000);
    assert_int_equal(r.status, 200);
    fk_response_free(&r);
    free(body);
}

static void test_unknown_path_and_method(void **state)
{
    fk_proc *p = fk_fixture_start(state, NULL);
    char url[256];
    url_of(p, "/nothing-here", url, sizeof url);
    fk_response r;
    fk_response_init(&r);
    fk_http(&r, "GET", url, "t", NULL, 5000);
    assert_int_equal(r.status, 404);
    fk_response_free(&r);
    url_of(p, "/generateAssistantResponse", url, sizeof url);
    fk_response_init(&r);
    fk_http(&r, "GET", url, "t", NULL, 5000);
    assert_int_equal(r.status, 405);
    fk_response_free(&r);
    assert_int_equal(fk_stat(p->base_url, "requests.other"), 1);
}

int main(int argc, char **argv)
{
    fk_fixture_init(argc, argv);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_list_available_models_one_page, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_list_available_models, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_social_refresh, fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_idc_token, fk_fixture_setup, fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_rejected_and_expired_access_tokens, fk_fixture_setup,
                                        fk_fixture_teardown),
        cmocka_unit_test_setup_teardown(test_unknown_path_and_method, fk_fixture_setup,
                                        fk_fixture_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
