/* test_user_store.c: the user-credentials store: put/get/list/delete, input validation, every
 * file shape kiro-go users bring (an object keyed by code, newer kiro-go's codes.json beside
 * it, this proxy's {"users":[...]} and a bare array) read and written back in the shape read
 * with every member kept, files that could not be read (truncated, odd entries) never
 * written, codes in any case, expiry dates, list views that never carry tokens, and failed
 * saves that change neither memory nor the file. */
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
    char codes_path[TEST_PATH_MAX];
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
    test_dir_join(f->dir, "codes.json", f->codes_path, sizeof f->codes_path);
    f->store = user_store_new(f->path, f->codes_path);
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

    cJSON *creds = user_store_credentials_by_code(f->store);
    assert_int_equal(cJSON_GetArraySize(creds), 1);
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(creds, "code-alice_1"), "accessToken")->valuestring,
        "alice-access-token-secret-0001");
    cJSON_Delete(creds);

    assert_int_equal(user_store_delete(f->store, "BOB-2", f->err, sizeof f->err), 0);
    assert_int_equal(user_store_delete(f->store, "BOB-2", f->err, sizeof f->err), 1);
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
    /* A new file gets kiro-go's shape: an object keyed by activation code. */
    char *text = test_read_text(f->path);
    cJSON *doc = cJSON_Parse(text);
    assert_true(cJSON_IsObject(cJSON_GetObjectItem(doc, "code-alice_1")));
    assert_true(cJSON_IsObject(cJSON_GetObjectItem(doc, "BOB-2")));
    cJSON_Delete(doc);
    assert_non_null(strstr(text, "alice-refresh-token-secret-0001")); /* the file keeps them */
    free(text);

    user_store *again = user_store_new(f->path, NULL);
    assert_int_equal(user_store_load(again, f->err, sizeof f->err), 2);
    cJSON *a = user_store_list_json(f->store);
    cJSON *b = user_store_list_json(again);
    assert_true(cJSON_Compare(a, b, 1));
    cJSON_Delete(a);
    cJSON_Delete(b);
    cJSON *creds = user_store_credentials_by_code(again);
    assert_string_equal(
        cJSON_GetObjectItem(cJSON_GetObjectItem(creds, "code-alice_1"), "refreshToken")
            ->valuestring,
        "alice-refresh-token-secret-0001");
    cJSON_Delete(creds);
    user_store_free(again);
}

/* Unreadable documents: the load fails naming the file, memory keeps what it had, and no
 * change may write the file, which stays byte for byte as it is. */
static void test_bare_array_and_bad_files(void **state)
{
    fixture *f = *state;
    assert_int_equal(test_write_text(f->path, "[{\"activation_code\":\"a1\",\"user_name\":\"A\"},"
                                              "{\"activation_code\":\"a2\",\"user_name\":\"B\"}]"),
                     0);
    assert_int_equal(user_store_load(f->store, f->err, sizeof f->err), 2);
    const char *bad[] = {
        "{broken",
        "{\"a1\":{\"activation_code\":\"a1\",\"user_name\":\"A\"},\"a2\":{\"activ",
        "42",
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        assert_int_equal(test_write_text(f->path, bad[i]), 0);
        if (user_store_load(f->store, f->err, sizeof f->err) != -1)
            fail_msg("loaded %s", bad[i]);
        assert_non_null(strstr(f->err, f->path));
        assert_int_equal(user_store_count(f->store), 2); /* kept */
        assert_int_equal(put(f, BOB), -1);
        assert_int_equal(f->status, 500);
        assert_non_null(strstr(f->err, f->path));
        assert_int_equal(user_store_delete(f->store, "a1", f->err, sizeof f->err), -1);
        const char *codes[] = {"a1"};
        char date[16];
        assert_int_equal(
            user_store_set_expiry(f->store, codes, 1, 5, date, sizeof date, f->err, sizeof f->err),
            -1);
        char *after = test_read_text(f->path);
        assert_string_equal(after, bad[i]);
        free(after);
    }
    unlink(f->path);
    assert_int_equal(user_store_load(f->store, f->err, sizeof f->err), 0);
    assert_int_equal(user_store_count(f->store), 0);
    assert_int_equal(put(f, BOB), 0); /* a missing file is simply created */
}

/* kiro-go's own file: an object keyed by activation code, with members this proxy does not
 * know. Load, add, update, delete, reload: nothing lost, the shape kept, every other entry
 * exactly as it was. */
#define KIRO_GO_FILE                                                                               \
    "{\"ACT-AAAA-1111\": {\"activation_code\": \"ACT-AAAA-1111\", \"user_name\": \"Ann\", "        \
    "\"credentials\": {\"accessToken\": \"ann-access-000000000001\", \"refreshToken\": "           \
    "\"ann-refresh-00000000001\", \"expiresAt\": \"2027-02-01T00:00:00Z\", \"authMethod\": "       \
    "\"IdC\", \"clientId\": \"cid\", \"clientSecret\": \"cs\", \"region\": \"\", \"id\": 0}, "     \
    "\"created_at\": \"2025-03-01T10:00:00.123456789+08:00\", \"updated_at\": "                    \
    "\"2025-03-02T10:00:00+08:00\", \"seat\": {\"team\": \"red\"}},"                               \
    " \"act-bbbb-2222\": {\"activation_code\": \"act-bbbb-2222\", \"user_name\": \"Ben\", "        \
    "\"credentials\": {\"refreshToken\": \"ben-refresh-00000000002\"}, \"expires_date\": "         \
    "\"2099-12-31\"}}"

static void test_kiro_go_keyed_file_round_trip(void **state)
{
    fixture *f = *state;
    assert_int_equal(test_write_text(f->path, KIRO_GO_FILE), 0);
    assert_int_equal(user_store_load(f->store, f->err, sizeof f->err), 2);
    cJSON *original = cJSON_Parse(KIRO_GO_FILE);

    /* Both users are there, in any case, with what kiro-go's get shows. */
    cJSON *ann = user_store_get_json(f->store, "act-aaaa-1111");
    assert_non_null(ann);
    assert_string_equal(cJSON_GetObjectItem(ann, "activation_code")->valuestring, "ACT-AAAA-1111");
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(ann, "has_credentials")));
    assert_string_equal(cJSON_GetObjectItem(ann, "expires_at")->valuestring,
                        "2027-02-01T00:00:00Z");
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(ann, "expired")));
    cJSON_Delete(ann);
    char canonical[140], detail[200];
    assert_int_equal(user_store_check(f->store, "ACT-BBBB-2222", canonical, sizeof canonical,
                                      detail, sizeof detail),
                     USER_CODE_CREDENTIALS);
    assert_string_equal(canonical, "act-bbbb-2222");

    /* Add a third user: the file stays keyed; Ann and Ben are exactly as they were. */
    assert_int_equal(put(f, "{\"activation_code\":\"NEW-3\",\"user_name\":\"Cy\","
                            "\"credentials\":{\"accessToken\":\"cy-access-0000000003\"}}"),
                     0);
    char *text = test_read_text(f->path);
    cJSON *saved = cJSON_Parse(text);
    free(text);
    assert_true(cJSON_IsObject(saved));
    assert_int_equal(cJSON_GetArraySize(saved), 3);
    assert_true(cJSON_Compare(cJSON_GetObjectItem(saved, "ACT-AAAA-1111"),
                              cJSON_GetObjectItem(original, "ACT-AAAA-1111"), 1));
    assert_true(cJSON_Compare(cJSON_GetObjectItem(saved, "act-bbbb-2222"),
                              cJSON_GetObjectItem(original, "act-bbbb-2222"), 1));
    const cJSON *cy = cJSON_GetObjectItem(saved, "NEW-3");
    assert_string_equal(cJSON_GetObjectItem(cy, "activation_code")->valuestring, "NEW-3");
    cJSON_Delete(saved);

    /* Update Ann through another case: her unknown member and created_at survive. */
    assert_int_equal(put(f, "{\"activation_code\":\"act-AAAA-1111\",\"user_name\":\"Anne\"}"), 0);
    assert_int_equal(user_store_count(f->store), 3);
    text = test_read_text(f->path);
    saved = cJSON_Parse(text);
    free(text);
    const cJSON *anne = cJSON_GetObjectItem(saved, "ACT-AAAA-1111");
    assert_string_equal(cJSON_GetObjectItem(anne, "user_name")->valuestring, "Anne");
    assert_true(cJSON_Compare(
        cJSON_GetObjectItem(anne, "seat"),
        cJSON_GetObjectItem(cJSON_GetObjectItem(original, "ACT-AAAA-1111"), "seat"), 1));
    assert_string_equal(cJSON_GetObjectItem(anne, "created_at")->valuestring,
                        "2025-03-01T10:00:00.123456789+08:00");
    assert_true(cJSON_Compare(
        cJSON_GetObjectItem(anne, "credentials"),
        cJSON_GetObjectItem(cJSON_GetObjectItem(original, "ACT-AAAA-1111"), "credentials"), 1));
    cJSON_Delete(saved);

    /* Delete Ben; reload from disk: Anne and Cy, keyed. */
    assert_int_equal(user_store_delete(f->store, "ACT-BBBB-2222", f->err, sizeof f->err), 0);
    user_store *again = user_store_new(f->path, f->codes_path);
    assert_int_equal(user_store_load(again, f->err, sizeof f->err), 2);
    cJSON *a = user_store_list_json(f->store);
    cJSON *b = user_store_list_json(again);
    assert_true(cJSON_Compare(a, b, 1));
    cJSON_Delete(a);
    cJSON_Delete(b);
    user_store_free(again);
    cJSON_Delete(original);
}

/* An entry kiro-go could have written but this store cannot key (no code, not an object, the
 * same code twice): the rest is loaded, the load reports it, the file is never written. */
static void test_partly_readable_file_is_left_alone(void **state)
{
    fixture *f = *state;
    const char *files[] = {
        "{\"OK-1\":{\"user_name\":\"A\"},\"ODD\":\"not an object\"}",
        "[{\"activation_code\":\"OK-1\"},{\"user_name\":\"no code\"}]",
        "[{\"activation_code\":\"OK-1\"},{\"activation_code\":\"ok-1\"}]",
        "{\"users\":[{\"activation_code\":\"OK-1\"},7]}",
        "{\"codes\":[{\"code\":\"OK-1\"}],\"codes\":5}", /* the list's name twice */
    };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        assert_int_equal(test_write_text(f->path, files[i]), 0);
        if (user_store_load(f->store, f->err, sizeof f->err) != -1 || !strstr(f->err, f->path))
            fail_msg("file %s: load said '%s'", files[i], f->err);
        assert_int_equal(user_store_count(f->store), 1);
        cJSON *ok = user_store_get_json(f->store, "ok-1");
        assert_non_null(ok);
        cJSON_Delete(ok);
        assert_int_equal(put(f, "{\"activation_code\":\"OK-1\",\"user_name\":\"B\"}"), -1);
        assert_int_equal(f->status, 500);
        char *after = test_read_text(f->path);
        assert_string_equal(after, files[i]);
        free(after);
    }
    /* Fixed and reloaded: writable again. */
    assert_int_equal(test_write_text(f->path, "{\"OK-1\":{\"user_name\":\"A\"}}"), 0);
    assert_int_equal(user_store_load(f->store, f->err, sizeof f->err), 1);
    assert_int_equal(put(f, "{\"activation_code\":\"OK-1\",\"user_name\":\"B\"}"), 0);
}

/* Every shape is written back in the shape it was read in. */
static void test_shapes_are_kept(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *file;
        const char *container; /* NULL: a bare array */
    } cases[] = {
        {"{\"users\":[{\"activation_code\":\"u1\",\"user_name\":\"U\"}],\"version\":2}", "users"},
        {"[{\"activation_code\":\"u1\",\"user_name\":\"U\"}]", NULL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        assert_int_equal(test_write_text(f->path, cases[i].file), 0);
        assert_int_equal(user_store_load(f->store, f->err, sizeof f->err), 1);
        assert_int_equal(put(f, BOB), 0);
        char *text = test_read_text(f->path);
        cJSON *doc = cJSON_Parse(text);
        free(text);
        const cJSON *list = cases[i].container ? cJSON_GetObjectItem(doc, cases[i].container) : doc;
        assert_true(cJSON_IsArray(list));
        assert_int_equal(cJSON_GetArraySize(list), 2);
        if (cases[i].container) /* the document's other members stay */
            assert_int_equal(cJSON_GetObjectItem(doc, "version")->valueint, 2);
        cJSON_Delete(doc);
    }
}

/* Newer kiro-go's codes.json beside user_credentials.json: read too; a new code goes there
 * (where kiro-go's admin add writes); expiry dates are kept in each entry's own file. */
static void test_codes_file_beside(void **state)
{
    fixture *f = *state;
    assert_int_equal(test_write_text(f->path, "{\"OLD-1\":{\"activation_code\":\"OLD-1\","
                                              "\"user_name\":\"Old\"}}"),
                     0);
    assert_int_equal(test_write_text(f->codes_path, "[{\"code\":\"CODE-1\",\"expires_date\":"
                                                    "\"2099-01-01\",\"machine\":\"m1\"}]"),
                     0);
    assert_int_equal(user_store_load(f->store, f->err, sizeof f->err), 2);
    char c[140], d[200];
    assert_int_equal(user_store_check(f->store, "code-1", c, sizeof c, d, sizeof d),
                     USER_CODE_NO_CREDENTIALS);
    char *main_before = test_read_text(f->path);

    assert_int_equal(put(f, BOB), 0);
    char *codes = test_read_text(f->codes_path);
    cJSON *doc = cJSON_Parse(codes);
    free(codes);
    assert_true(cJSON_IsArray(doc));
    assert_int_equal(cJSON_GetArraySize(doc), 2);
    /* The new entry names its code the way the file does. */
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(doc, 1), "code")->valuestring,
                        "BOB-2");
    assert_string_equal(cJSON_GetObjectItem(cJSON_GetArrayItem(doc, 0), "machine")->valuestring,
                        "m1");
    cJSON_Delete(doc);
    char *main_after = test_read_text(f->path);
    assert_string_equal(main_before, main_after); /* not touched */
    free(main_after);

    /* Expiry over both files, in any case; unknown codes skipped. */
    const char *both[] = {"old-1", "code-1", "nobody"};
    char date[16];
    assert_int_equal(
        user_store_set_expiry(f->store, both, 3, 0, date, sizeof date, f->err, sizeof f->err), 2);
    assert_int_equal(user_store_check(f->store, "OLD-1", c, sizeof c, d, sizeof d),
                     USER_CODE_EXPIRED);
    assert_non_null(strstr(d, date));
    main_after = test_read_text(f->path);
    assert_non_null(strstr(main_after, date));
    free(main_after);
    free(main_before);
    codes = test_read_text(f->codes_path);
    assert_non_null(strstr(codes, date));
    free(codes);
}

static void test_expiry_dates(void **state)
{
    fixture *f = *state;
    assert_int_equal(put(f, ALICE), 0);
    const char *alice[] = {"CODE-ALICE_1"};
    char date[16], expected[16], c[140], d[200];
    time_t later = time(NULL) + 30 * 86400;
    struct tm tm;
    localtime_r(&later, &tm);
    strftime(expected, sizeof expected, "%Y-%m-%d", &tm);
    assert_int_equal(
        user_store_set_expiry(f->store, alice, 1, 30, date, sizeof date, f->err, sizeof f->err), 1);
    assert_string_equal(date, expected);
    cJSON *e = user_store_get_json(f->store, "code-alice_1");
    assert_string_equal(cJSON_GetObjectItem(e, "expires_date")->valuestring, expected);
    assert_true(cJSON_IsFalse(cJSON_GetObjectItem(e, "expired")));
    cJSON_Delete(e);
    assert_int_equal(user_store_check(f->store, "code-alice_1", c, sizeof c, d, sizeof d),
                     USER_CODE_CREDENTIALS);

    assert_int_equal(
        user_store_set_expiry(f->store, alice, 1, 0, date, sizeof date, f->err, sizeof f->err), 1);
    assert_int_equal(user_store_check(f->store, "code-alice_1", c, sizeof c, d, sizeof d),
                     USER_CODE_EXPIRED);
    assert_int_equal(
        user_store_set_expiry(f->store, alice, 1, -1, date, sizeof date, f->err, sizeof f->err), 1);
    assert_string_equal(date, "");
    assert_int_equal(user_store_check(f->store, "code-alice_1", c, sizeof c, d, sizeof d),
                     USER_CODE_CREDENTIALS);
    assert_int_equal(user_store_check(f->store, "nobody", c, sizeof c, d, sizeof d),
                     USER_CODE_UNKNOWN);
}

/* Refreshed tokens go back into the entry's credentials, every other member kept. */
static void test_update_tokens(void **state)
{
    fixture *f = *state;
    assert_int_equal(test_write_text(f->path, KIRO_GO_FILE), 0);
    assert_int_equal(user_store_load(f->store, f->err, sizeof f->err), 2);
    user_token_update u = {.code = "act-bbbb-2222",
                           .access_token = "ben-new-access-0000002",
                           .refresh_token = "ben-new-refresh-000002",
                           .expires_at = 1900000000};
    assert_int_equal(user_store_update_tokens(f->store, &u, 1), 0);
    char *text = test_read_text(f->path);
    cJSON *doc = cJSON_Parse(text);
    free(text);
    const cJSON *ben = cJSON_GetObjectItem(doc, "act-bbbb-2222");
    const cJSON *creds = cJSON_GetObjectItem(ben, "credentials");
    assert_string_equal(cJSON_GetObjectItem(creds, "accessToken")->valuestring,
                        "ben-new-access-0000002");
    assert_string_equal(cJSON_GetObjectItem(creds, "refreshToken")->valuestring,
                        "ben-new-refresh-000002");
    assert_string_equal(cJSON_GetObjectItem(ben, "expires_date")->valuestring, "2099-12-31");
    cJSON *original = cJSON_Parse(KIRO_GO_FILE);
    assert_true(cJSON_Compare(cJSON_GetObjectItem(doc, "ACT-AAAA-1111"),
                              cJSON_GetObjectItem(original, "ACT-AAAA-1111"), 1));
    cJSON_Delete(original);
    cJSON_Delete(doc);
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
    user_store *s = user_store_new(path, NULL);
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
    assert_int_equal(user_store_delete(s, "BOB-2", f->err, sizeof f->err), -1);

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
    user_store *s = user_store_new(NULL, NULL);
    cJSON *body = cJSON_Parse(BOB);
    int status = 0;
    char err[128];
    assert_int_equal(user_store_put(s, body, &status, err, sizeof err), 0);
    cJSON_Delete(body);
    assert_int_equal(user_store_count(s), 1);
    assert_int_equal(user_store_delete(s, "BOB-2", err, sizeof err), 0);
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
        T(test_kiro_go_keyed_file_round_trip),
        T(test_partly_readable_file_is_left_alone),
        T(test_shapes_are_kept),
        T(test_codes_file_beside),
        T(test_expiry_dates),
        T(test_update_tokens),
        T(test_list_never_contains_tokens),
        T(test_failed_persist_changes_nothing),
        T(test_memory_only_store),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
