/* test_user_store.c: the admin user-credentials store: put/get/list/delete, input validation,
 * persistence round trip (0600, wrapped or bare-array files), list views that never carry
 * tokens, and failed saves that change neither memory nor the file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "capture_log.h"
#include "creds/user_store.h"
#include "test_dir.h"

typedef struct fixture {
    char dir[TEST_PATH_MAX];
    char path[TEST_PATH_MAX];
    user_store *store;
    char err[256];
    int status;
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || test_dir_make(f->dir, sizeof f->dir) != 0)
        return -1;
    test_dir_join(f->dir, "user_credentials.json", f->path, sizeof f->path);
    f->store = user_store_new(f->path);
    capture_log_reset();
    *state = f;
    return f->store ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    user_store_free(f->store);
    test_dir_remove(f->dir);
    free(f);
    return 0;
}

static int put(fixture *f, const char *json)
{
    cJSON *body = cJSON_Parse(json);
    if (!body)
        fail_msg("test JSON does not parse: %s", json);
    f->err[0] = '\0';
    f->status = 0;
    int rc = user_store_put(f->store, body, &f->status, f->err, sizeof f->err);
    cJSON_Delete(body);
    return rc;
}

#define ALICE                                                                                      \
    "{\"activation_code\":\"code-alice_1\",\"user_name\":\"Alice\",\"credentials\":{"              \
    "\"accessToken\":\"alice-access-token-secret-0001\",\"refreshToken\":\"alice-refresh-token-"   \
    "secret-0001\",\"expiresAt\":\"2027-01-15T08:00:00Z\"}}"
#define BOB "{\"activation_code\":\"BOB-2\",\"user_name\":\"Bob\"}"

static void test_put_get_list_delete(void **state)
{
    fixture *f = *state;
    assert_int_equal(put(f, ALICE), 0);
    assert_int_equal(f->status, 200);
    assert_int_equal(put(f, BOB), 0);
    assert_int_equal(user_store_count(f->store), 2);

    cJSON *alice = user_store_get_json(f->store, "code-alice_1");
    assert_non_null(alice);
    assert_string_equal(cJSON_GetObjectItem(alice, "user_name")->valuestring, "Alice");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(alice, "has_credentials")));
    assert_string_equal(cJSON_GetObjectItem(alice, "expires_at")->valuestring,
                        "2027-01-15T08:00:00Z");
    assert_true(cJSON_IsString(cJSON_GetObjectItem(alice, "created_at")));
    assert_true(cJSON_IsString(cJSON_GetObjectItem(alice, "updated_at")));
    cJSON_Delete(alice);
    cJSON *bob = user_store_get_json(f->store, "BOB-2");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(bob, "has_credentials")));
    assert_true(cJSON_IsNull(cJSON_GetObjectItem(bob, "expires_at")));
    cJSON_Delete(bob);
    assert_null(user_store_get_json(f->store, "nobody"));

    cJSON *list = user_store_list_json(f->store);
    assert_int_equal(cJSON_GetArraySize(list), 2);
    cJSON_Delete(list);

    cJSON *creds = user_store_credentials_json(f->store);
    assert_int_equal(cJSON_GetArraySize(creds), 1);
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetArrayItem(creds, 0), "accessToken")->valuestring,
        "alice-access-token-secret-0001");
    cJSON_Delete(creds);

    assert_int_equal(user_store_delete(f->store, "BOB-2"), 0);
    assert_int_equal(user_store_delete(f->store, "BOB-2"), 1);
    assert_int_equal(user_store_count(f->store), 1);
    assert_null(user_store_get_json(f->store, "BOB-2"));
}

static void test_put_replaces_and_keeps_created_at(void **state)
{
    fixture *f = *state;
    assert_int_equal(
        test_write_text(f->path, "{\"users\":[{\"activation_code\":\"c1\",\"user_name\":\"Old\","
                                 "\"created_at\":\"2024-01-01T00:00:00Z\","
                                 "\"updated_at\":\"2024-01-01T00:00:00Z\"}]}"),
        0);
    assert_int_equal(user_store_load(f->store, f->err, sizeof f->err), 1);
    assert_int_equal(put(f, "{\"activation_code\":\"c1\",\"user_name\":\"New\"}"), 0);
    assert_int_equal(user_store_count(f->store), 1);
    cJSON *e = user_store_get_json(f->store, "c1");
    assert_string_equal(cJSON_GetObjectItem(e, "user_name")->valuestring, "New");
    assert_string_equal(cJSON_GetObjectItem(e, "created_at")->valuestring, "2024-01-01T00:00:00Z");
    assert_string_not_equal(cJSON_GetObjectItem(e, "updated_at")->valuestring,
                            "2024-01-01T00:00:00Z");
    cJSON_Delete(e);
}

static void test_validation(void **state)
{
    fixture *f = *state;
    char long_code[200], long_name[300], json[800];
    memset(long_code, 'a', 129);
    long_code[129] = '\0';
    memset(long_name, 'n', 257);
    long_name[257] = '\0';
    const char *bad[] = {
        "[]",
        "{\"user_name\":\"x\"}",
        "{\"activation_code\":\"\",\"user_name\":\"x\"}",
        "{\"activation_code\":\"has space\",\"user_name\":\"x\"}",
        "{\"activation_code\":\"semi;colon\",\"user_name\":\"x\"}",
        "{\"activation_code\":\"../etc\",\"user_name\":\"x\"}",
        "{\"activation_code\":42,\"user_name\":\"x\"}",
        "{\"activation_code\":\"ok\"}",
        "{\"activation_code\":\"ok\",\"user_name\":7}",
        "{\"activation_code\":\"ok\",\"user_name\":\"line\\nbreak\"}",
        "{\"activation_code\":\"ok\",\"user_name\":\"x\",\"credentials\":\"token\"}",
        "{\"activation_code\":\"ok\",\"user_name\":\"x\",\"credentials\":{}}",
        "{\"activation_code\":\"ok\",\"user_name\":\"x\",\"credentials\":{\"clientId\":\"c\"}}",
        "{\"activation_code\":\"ok\",\"user_name\":\"x\",\"credentials\":{\"accessToken\":5}}",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (put(f, bad[i]) != -1 || f->status != 400 || !f->err[0])
            fail_msg("accepted or wrong status %d: %s", f->status, bad[i]);
    }
    snprintf(json, sizeof json, "{\"activation_code\":\"%s\",\"user_name\":\"x\"}", long_code);
    assert_int_equal(put(f, json), -1);
    assert_non_null(strstr(f->err, "activation_code"));
    snprintf(json, sizeof json, "{\"activation_code\":\"ok\",\"user_name\":\"%s\"}", long_name);
    assert_int_equal(put(f, json), -1);
    assert_non_null(strstr(f->err, "user_name"));
    assert_int_equal(user_store_count(f->store), 0);
    assert_null(test_read_text(f->path)); /* nothing was written */

    /* Limits are inclusive: 128-character code, 256-character (multi-byte) name. */
    long_code[128] = '\0';
    char name[1100] = "";
    for (int i = 0; i < 256; i++)
        strcat(name, "\xc3\xa9"); /* é: 2 bytes, 1 character */
    snprintf(json, sizeof json, "{\"activation_code\":\"%s\",\"user_name\":\"x\"}", long_code);
    assert_int_equal(put(f, json), 0);
    char json2[1300];
    snprintf(json2, sizeof json2, "{\"activation_code\":\"ok\",\"user_name\":\"%s\"}", name);
    assert_int_equal(put(f, json2), 0);
    /* credentials: null means none. */
    assert_int_equal(put(f, "{\"activation_code\":\"n\",\"user_name\":\"\",\"credentials\":null}"),
                     0);
}

static void test_persistence_round_trip(void **state)
{
    fixture *f = *state;
    assert_int_equal(put(f, ALICE), 0);
    assert_int_equal(put(f, BOB), 0);
    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *text = test_read_text(f->path);
    assert_non_null(strstr(text, "\"users\""));
    assert_non_null(strstr(text, "alice-refresh-token-secret-0001")); /* the file keeps them */
    free(text);

    user_store *again = user_store_new(f->path);
    assert_int_equal(user_store_load(again, f->err, sizeof f->err), 2);
    cJSON *a = user_store_list_json(f->store);
    cJSON *b = user_store_list_json(again);
    assert_true(cJSON_Compare(a, b, 1));
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON *creds = user_store_credentials_json(again);
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetArrayItem(creds, 0), "refreshToken")->valuestring,
        "alice-refresh-token-secret-0001");
    cJSON_Delete(creds);
    user_store_free(again);
}

static void test_bare_array_and_bad_files(void **state)
{
    fixture *f = *state;
    assert_int_equal(test_write_text(f->path, "[{\"activation_code\":\"a1\",\"user_name\":\"A\"},"
                                              "{\"activation_code\":\"a2\",\"user_name\":\"B\"}]"),
                     0);
    assert_int_equal(user_store_load(f->store, f->err, sizeof f->err), 2);
    const char *bad[] = {
        "{broken",
        "{\"users\":5}",
        "[{\"activation_code\":\"bad code\",\"user_name\":\"A\"}]",
        ("[{\"activation_code\":\"d\",\"user_name\":\"A\"},"
         "{\"activation_code\":\"d\",\"user_name\":\"B\"}]"),
        "[{\"activation_code\":\"t\",\"user_name\":\"A\",\"created_at\":\"yesterday\"}]",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(test_write_text(f->path, bad[i]), 0);
        if (user_store_load(f->store, f->err, sizeof f->err) != -1)
            fail_msg("loaded %s", bad[i]);
        assert_non_null(strstr(f->err, f->path));
        assert_int_equal(user_store_count(f->store), 2); /* kept */
    }
    unlink(f->path);
    assert_int_equal(user_store_load(f->store, f->err, sizeof f->err), 0);
    assert_int_equal(user_store_count(f->store), 0);
}

static void test_list_never_contains_tokens(void **state)
{
    fixture *f = *state;
    assert_int_equal(put(f, ALICE), 0);
    cJSON *list = user_store_list_json(f->store);
    char *text = cJSON_PrintUnformatted(list);
    cJSON_Delete(list);
    assert_null(strstr(text, "alice-access-token-secret-0001"));
    assert_null(strstr(text, "alice-refresh-token-secret-0001"));
    assert_null(strstr(text, "token-secret"));
    assert_null(strstr(text, "\"credentials\""));
    free(text);
    cJSON *one = user_store_get_json(f->store, "code-alice_1");
    text = cJSON_PrintUnformatted(one);
    cJSON_Delete(one);
    assert_null(strstr(text, "token-secret"));
    free(text);
    assert_false(capture_log_contains("token-secret"));
}

/* A failed save (the directory replaced by a file, so no temporary can be created — root
 * cannot get around that either) changes neither memory nor the file. */
static void test_failed_persist_changes_nothing(void **state)
{
    fixture *f = *state;
    char sub[TEST_PATH_MAX], moved[TEST_PATH_MAX], path[TEST_PATH_MAX];
    test_dir_join(f->dir, "sub", sub, sizeof sub);
    test_dir_join(f->dir, "sub-moved", moved, sizeof moved);
    assert_int_equal(mkdir(sub, 0700), 0);
    test_dir_join(sub, "users.json", path, sizeof path);
    user_store *s = user_store_new(path);
    cJSON *body = cJSON_Parse(BOB);
    int status = 0;
    assert_int_equal(user_store_put(s, body, &status, f->err, sizeof f->err), 0);
    cJSON_Delete(body);
    char *before = test_read_text(path);
    assert_non_null(before);

    assert_int_equal(rename(sub, moved), 0);
    assert_int_equal(test_write_text(sub, "not a directory"), 0);
    body = cJSON_Parse(ALICE);
    assert_int_equal(user_store_put(s, body, &status, f->err, sizeof f->err), -1);
    assert_int_equal(status, 500);
    cJSON_Delete(body);
    body = cJSON_Parse("{\"activation_code\":\"BOB-2\",\"user_name\":\"Renamed\"}");
    assert_int_equal(user_store_put(s, body, &status, f->err, sizeof f->err), -1);
    cJSON_Delete(body);
    assert_int_equal(user_store_delete(s, "BOB-2"), -1);

    /* Memory unchanged. */
    assert_int_equal(user_store_count(s), 1);
    assert_null(user_store_get_json(s, "code-alice_1"));
    cJSON *bob = user_store_get_json(s, "BOB-2");
    assert_string_equal(cJSON_GetObjectItem(bob, "user_name")->valuestring, "Bob");
    cJSON_Delete(bob);
    /* File unchanged. */
    assert_int_equal(unlink(sub), 0);
    assert_int_equal(rename(moved, sub), 0);
    char *after = test_read_text(path);
    assert_string_equal(before, after);
    free(before);
    free(after);
    assert_true(capture_log_contains("saving"));
    user_store_free(s);
}

static void test_memory_only_store(void **state)
{
    (void)state;
    user_store *s = user_store_new(NULL);
    cJSON *body = cJSON_Parse(BOB);
    int status = 0;
    char err[128];
    assert_int_equal(user_store_put(s, body, &status, err, sizeof err), 0);
    cJSON_Delete(body);
    assert_int_equal(user_store_count(s), 1);
    assert_int_equal(user_store_delete(s, "BOB-2"), 0);
    assert_int_equal(user_store_load(s, err, sizeof err), -1);
    user_store_free(s);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_put_get_list_delete),
        T(test_put_replaces_and_keeps_created_at),
        T(test_validation),
        T(test_persistence_round_trip),
        T(test_bare_array_and_bad_files),
        T(test_list_never_contains_tokens),
        T(test_failed_persist_changes_nothing),
        T(test_memory_only_store),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
