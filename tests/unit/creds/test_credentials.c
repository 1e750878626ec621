/* test_credentials.c: parsing credentials.json (array or object, every field and default,
 * epoch seconds/ms and RFC 3339), bad files that must leave the pool as it was, selection order
 * and round-robin, failover exclusion, outcome reports, refresh bookkeeping, the masked admin
 * view, and saving (atomic, 0600, round trip with unknown fields). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "capture_log.h"
#include "creds/credentials.h"
#include "creds/sha256.h"
#include "test_dir.h"
#include "util/clock.h"

#define NOW ((time_t)1800000000) /* 2027-01-15: a fixed "now" for selection tests */

typedef struct fixture {
    char dir[TEST_PATH_MAX];
    char path[TEST_PATH_MAX];
    cred_pool *pool;
    char err[256];
} fixture;

static int setup(void **state)
{
    fixture *f = calloc(1, sizeof *f);
    if (!f || test_dir_make(f->dir, sizeof f->dir) != 0)
        return -1;
    test_dir_join(f->dir, "credentials.json", f->path, sizeof f->path);
    f->pool = cred_pool_new(f->path);
    capture_log_reset();
    *state = f;
    return f->pool ? 0 : -1;
}

static int teardown(void **state)
{
    fixture *f = *state;
    cred_pool_free(f->pool);
    test_dir_remove(f->dir);
    free(f);
    return 0;
}

static int load(fixture *f, const char *json)
{
    f->err[0] = '\0';
    return cred_pool_load_json(f->pool, json, strlen(json), f->err, sizeof f->err);
}

static credential copy_of(fixture *f, int id)
{
    credential c;
    if (cred_pool_copy(f->pool, id, &c) != 0)
        fail_msg("no credential %d", id);
    return c;
}

static int acquire_id(fixture *f, const int *exclude, size_t n, time_t now)
{
    cred_snapshot snap;
    return cred_pool_acquire(f->pool, exclude, n, now, &snap) == 0 ? snap.id : -1;
}

/* ---- parsing ---- */

static void test_parse_array_with_all_fields(void **state)
{
    fixture *f = *state;
    assert_int_equal(
        load(f,
             "[{\"id\":7,\"accessToken\":\"access-token-0001\",\"refreshToken\":\"refresh-0001\","
             "\"profileArn\":\"arn:aws:codewhisperer:us-east-1:1:profile/X\","
             "\"expiresAt\":\"2027-01-15T08:00:00Z\",\"authMethod\":\"IdC\","
             "\"clientId\":\"client-1\",\"clientSecret\":\"secret-1\",\"region\":\"eu-west-1\","
             "\"authRegion\":\"us-west-2\",\"apiRegion\":\"us-east-1\","
             "\"machineId\":\"machine-abc\",\"disabled\":false,\"priority\":3}]"),
        1);
    credential c = copy_of(f, 7);
    assert_string_equal(c.access_token, "access-token-0001");
    assert_string_equal(c.refresh_token, "refresh-0001");
    assert_string_equal(c.profile_arn, "arn:aws:codewhisperer:us-east-1:1:profile/X");
    time_t expected;
    assert_int_equal(clock_parse_rfc3339("2027-01-15T08:00:00Z", &expected), 0);
    assert_int_equal(c.expires_at, expected);
    assert_int_equal(c.method, AUTH_IDC);
    assert_string_equal(c.client_id, "client-1");
    assert_string_equal(c.client_secret, "secret-1");
    assert_string_equal(c.region, "us-east-1"); /* apiRegion wins for upstream calls */
    assert_string_equal(c.auth_region, "us-west-2");
    assert_string_equal(c.machine_id, "machine-abc");
    assert_int_equal(c.disabled, 0);
    assert_int_equal(c.priority, 3);
    credential_clear(&c);
}

static void test_parse_single_object_and_defaults(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f, "{\"refreshToken\":\"only-refresh-token\"}"), 1);
    credential c = copy_of(f, 1);
    assert_null(c.access_token);
    assert_int_equal(c.expires_at, 0);
    assert_int_equal(c.method, AUTH_SOCIAL);
    /* No region in the entry: API calls take the config's apiRegion / regions[0] ("" here,
     * resolved by config_upstream_base_url); the token service defaults to us-east-1. */
    assert_string_equal(c.region, "");
    assert_string_equal(c.auth_region, "us-east-1");
    char expected_machine[SHA256_HEX_SIZE];
    sha256_hex("only-refresh-token", strlen("only-refresh-token"), expected_machine);
    assert_string_equal(c.machine_id, expected_machine);
    assert_int_equal(c.priority, 0);
    credential_clear(&c);

    /* region alone sets both regions. */
    assert_int_equal(load(f, "{\"accessToken\":\"tok-123456789\",\"region\":\"eu-central-1\"}"), 1);
    c = copy_of(f, 1);
    assert_string_equal(c.region, "eu-central-1");
    assert_string_equal(c.auth_region, "eu-central-1");
    credential_clear(&c);
}

static void test_parse_expiry_forms(void **state)
{
    fixture *f = *state;
    assert_int_equal(
        load(f, "[{\"accessToken\":\"a-1111111111\",\"expiresAt\":1800000000},"
                "{\"accessToken\":\"a-2222222222\",\"expiresAt\":1800000000123},"
                "{\"accessToken\":\"a-3333333333\",\"expiresAt\":\"2027-01-15T10:00:00+02:00\"},"
                "{\"accessToken\":\"a-4444444444\",\"expiresAt\":\"2027-01-15T08:00:00.250Z\"},"
                "{\"accessToken\":\"a-5555555555\",\"expiresAt\":null}]"),
        5);
    time_t t8;
    assert_int_equal(clock_parse_rfc3339("2027-01-15T08:00:00Z", &t8), 0);
    const time_t expected[] = {1800000000, 1800000000, t8, t8, 0};
    for (int id = 1; id <= 5; id++) {
        credential c = copy_of(f, id);
        if (c.expires_at != expected[id - 1])
            fail_msg("credential %d: expires_at %lld, expected %lld", id, (long long)c.expires_at,
                     (long long)expected[id - 1]);
        credential_clear(&c);
    }
}

/* Every authMethod spelling met in kiro-go, kiro.rs and AIClient files, and the inference of
 * IdC from clientId + clientSecret when authMethod is absent, empty or unknown. */
static void test_auth_method_spellings(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *fields;
        auth_method expected;
    } cases[] = {
        {"\"authMethod\":\"idc\"", AUTH_IDC},
        {"\"authMethod\":\"IdC\"", AUTH_IDC},
        {"\"authMethod\":\"builder-id\"", AUTH_IDC},
        {"\"authMethod\":\"builderId\"", AUTH_IDC},
        {"\"authMethod\":\"iam\"", AUTH_IDC},
        {"\"authMethod\":\"IAM\"", AUTH_IDC},
        {"\"authMethod\":\"Enterprise\"", AUTH_IDC},
        {"\"authMethod\":\"social\"", AUTH_SOCIAL},
        {"\"authMethod\":\"Social\"", AUTH_SOCIAL},
        {"\"clientId\":\"cid\",\"clientSecret\":\"cs\"", AUTH_IDC},
        {"\"authMethod\":\"\",\"clientId\":\"cid\",\"clientSecret\":\"cs\"", AUTH_IDC},
        {"\"authMethod\":\"corp-sso-v2\",\"clientId\":\"cid\",\"clientSecret\":\"cs\"", AUTH_IDC},
        {"\"clientId\":\"cid\"", AUTH_SOCIAL}, /* no secret: cannot be an IdC refresh */
        {"\"authMethod\":null", AUTH_SOCIAL},
        {"", AUTH_SOCIAL},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[256];
        snprintf(json, sizeof json, "[{\"accessToken\":\"t-000000000001\"%s%s}]",
                 cases[i].fields[0] ? "," : "", cases[i].fields);
        if (load(f, json) != 1)
            fail_msg("case %s: not loaded: %s", cases[i].fields, f->err);
        credential c = copy_of(f, 1);
        if (c.method != cases[i].expected || c.disabled)
            fail_msg("case %s: method %d disabled %d (%s)", cases[i].fields, (int)c.method,
                     c.disabled, c.disabled_reason);
        credential_clear(&c);
    }
}

/* kiro-go's region rules: API calls apiRegion > region > config; refresh authRegion > region
 * > us-east-1. */
static void test_region_rules(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *fields;
        const char *api, *auth;
    } cases[] = {
        {"", "", "us-east-1"},
        {"\"region\":\"eu-west-1\"", "eu-west-1", "eu-west-1"},
        {"\"apiRegion\":\"us-west-2\"", "us-west-2", "us-east-1"},
        {"\"authRegion\":\"ap-south-1\"", "", "ap-south-1"},
        {"\"region\":\"eu-west-1\",\"apiRegion\":\"us-west-2\",\"authRegion\":\"ap-south-1\"",
         "us-west-2", "ap-south-1"},
        {"\"region\":\"\",\"apiRegion\":\"\"", "", "us-east-1"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[256];
        snprintf(json, sizeof json, "[{\"accessToken\":\"t-000000000001\"%s%s}]",
                 cases[i].fields[0] ? "," : "", cases[i].fields);
        assert_int_equal(load(f, json), 1);
        credential c = copy_of(f, 1);
        if (strcmp(c.region, cases[i].api) != 0 || strcmp(c.auth_region, cases[i].auth) != 0)
            fail_msg("case %s: api '%s' auth '%s'", cases[i].fields, c.region, c.auth_region);
        credential_clear(&c);
    }
}

static void test_ids_default_and_unique(void **state)
{
    fixture *f = *state;
    /* Entry 1 has no id (default 1 collides with entry 2's explicit 1); entry 4 repeats 5. */
    assert_int_equal(load(f, "[{\"accessToken\":\"t-aaaaaaaaaaa1\"},"
                             "{\"id\":1,\"accessToken\":\"t-aaaaaaaaaaa2\"},"
                             "{\"id\":5,\"accessToken\":\"t-aaaaaaaaaaa3\"},"
                             "{\"id\":5,\"accessToken\":\"t-aaaaaaaaaaa4\"},"
                             "{\"accessToken\":\"t-aaaaaaaaaaa5\"}]"),
                     5);
    cJSON *view = cred_pool_view_json(f->pool);
    int ids[5];
    for (int i = 0; i < 5; i++)
        ids[i] = cJSON_GetObjectItem(cJSON_GetArrayItem(view, i), "id")->valueint;
    cJSON_Delete(view);
    /* Explicit 1 and 5 kept; the rest numbered above the highest id, in file order. */
    const int expected[5] = {6, 1, 5, 7, 8};
    for (int i = 0; i < 5; i++)
        assert_int_equal(ids[i], expected[i]);
    credential c = copy_of(f, 5);
    assert_string_equal(c.access_token, "t-aaaaaaaaaaa3"); /* the first holder keeps id 5 */
    credential_clear(&c);
}

/* A document that is not a credentials file must be refused, name the problem, and leave the
 * pool as it was. */
static void test_bad_documents_keep_the_pool(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f, "[{\"accessToken\":\"good-token-1234\"}]"), 1);
    static const struct {
        const char *json;
        const char *expected_in_error;
    } cases[] = {
        {"[{\"accessToken\":", "JSON"},
        {"42", "array or an object"},
        {"\"text\"", "array or an object"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        int rc = load(f, cases[i].json);
        if (rc != -1 || !strstr(f->err, cases[i].expected_in_error))
            fail_msg("case %s: rc %d, error '%s'", cases[i].json, rc, f->err);
        assert_int_equal(cred_pool_count(f->pool), 1);
        assert_int_equal(acquire_id(f, NULL, 0, NOW), 1);
    }
}

/* One odd entry never stops the others (kiro-go starts with it): it is loaded disabled with a
 * reason naming the field, the good entry beside it serves, and a save writes the odd entry
 * back exactly as it was read. */
static void test_bad_entry_is_disabled_with_reason(void **state)
{
    fixture *f = *state;
    static const struct {
        const char *entry;
        const char *expected_in_reason;
    } cases[] = {
        {"{\"profileArn\":\"x\"}", "refreshToken or an accessToken"},
        {"{\"accessToken\":5}", "accessToken"},
        {"{\"accessToken\":\"ok-token-12345\",\"expiresAt\":\"tomorrow\"}", "expiresAt"},
        {"{\"accessToken\":\"ok-token-12345\",\"expiresAt\":-5}", "expiresAt"},
        {"{\"accessToken\":\"ok-token-12345\",\"authMethod\":\"password\"}", "authMethod"},
        {"{\"accessToken\":\"ok-token-12345\",\"region\":\"../evil\"}", "region"},
        {"{\"accessToken\":\"ok-token-12345\",\"apiRegion\":7}", "apiRegion"},
        {"{\"accessToken\":\"ok-token-12345\",\"disabled\":\"yes\"}", "disabled"},
        {"{\"accessToken\":\"ok-token-12345\",\"priority\":\"1\"}", "priority"},
        {"{\"accessToken\":\"ok-token-12345\",\"id\":-3}", "id"},
        {"{\"accessToken\":\"ok-token-12345\",\"machineId\":\"a b\"}", "machineId"},
        {"{\"accessToken\":\"line\\r\\nbreak-token\"}", "accessToken"},
        {"3", "credential #2"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char json[512];
        snprintf(json, sizeof json, "[{\"id\":1,\"accessToken\":\"good-token-1234\"},%s]",
                 cases[i].entry);
        capture_log_reset();
        if (load(f, json) != 2)
            fail_msg("case %s: not loaded: %s", cases[i].entry, f->err);
        cJSON *view = cred_pool_view_json(f->pool);
        const cJSON *odd = cJSON_GetArrayItem(view, 1);
        const cJSON *reason = cJSON_GetObjectItemCaseSensitive(odd, "disabledReason");
        if (!cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(odd, "disabled")) ||
            !cJSON_IsString(reason) || !strstr(reason->valuestring, cases[i].expected_in_reason))
            fail_msg("case %s: view %s", cases[i].entry, cJSON_PrintUnformatted(odd));
        cJSON_Delete(view);
        if (!capture_log_contains(cases[i].expected_in_reason))
            fail_msg("case %s: the reason was not logged", cases[i].entry);
        for (int round = 0; round < 3; round++)
            assert_int_equal(acquire_id(f, NULL, 0, NOW), 1);

        /* Saved back: the odd entry byte-for-byte the same JSON value as read. */
        assert_int_equal(cred_pool_save(f->pool), 0);
        char *text = test_read_text(f->path);
        cJSON *saved = cJSON_Parse(text);
        cJSON *expected = cJSON_Parse(cases[i].entry);
        if (!cJSON_Compare(cJSON_GetArrayItem(saved, 1), expected, 1))
            fail_msg("case %s: saved as %s", cases[i].entry, text);
        cJSON_Delete(saved);
        cJSON_Delete(expected);
        free(text);
    }
}

/* The file keeps its own spelling and shape: a single object stays one object; authMethod
 * keeps its case; a region or machineId the file left out is not added. */
static void test_save_keeps_the_file_as_read(void **state)
{
    fixture *f = *state;
    assert_int_equal(test_write_text(f->path,
                                     "{\"accessToken\":\"acc-5555555555\",\"refreshToken\":"
                                     "\"ref-5555555555\",\"authMethod\":\"IdC\",\"clientId\":"
                                     "\"c\",\"clientSecret\":\"s\"}"),
                     0);
    assert_int_equal(cred_pool_load(f->pool, f->err, sizeof f->err), 1);
    assert_int_equal(cred_pool_save(f->pool), 0);
    char *text = test_read_text(f->path);
    cJSON *saved = cJSON_Parse(text);
    assert_true(cJSON_IsObject(saved));
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(saved, "authMethod");
    assert_true(cJSON_IsString(method));
    assert_string_equal(method->valuestring, "IdC");
    assert_null(cJSON_GetObjectItemCaseSensitive(saved, "region"));
    assert_null(cJSON_GetObjectItemCaseSensitive(saved, "apiRegion"));
    assert_null(cJSON_GetObjectItemCaseSensitive(saved, "machineId"));
    cJSON_Delete(saved);
    free(text);
}

static void test_entry_count_and_size_caps(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f, "{\"accessToken\":\"keep-me-please\"}"), 1);
    size_t n = CRED_MAX_ENTRIES + 1;
    size_t size = n * 40 + 16;
    char *json = malloc(size);
    assert_non_null(json);
    size_t len = 0;
    json[len++] = '[';
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(json + len, size - len, "%s{\"accessToken\":\"tok-%08zu\"}",
                                i ? "," : "", i);
    json[len++] = ']';
    json[len] = '\0';
    assert_int_equal(load(f, json), -1);
    assert_non_null(strstr(f->err, "entries"));
    free(json);
    assert_int_equal(cred_pool_count(f->pool), 1);

    /* A file above the size cap is refused before parsing. */
    size_t big_size = CRED_FILE_MAX_BYTES + 2;
    char *big = malloc(big_size + 1);
    assert_non_null(big);
    memset(big, ' ', big_size);
    big[0] = '[';
    big[big_size - 1] = ']';
    big[big_size] = '\0';
    assert_int_equal(test_write_text(f->path, big), 0);
    free(big);
    assert_int_equal(cred_pool_load(f->pool, f->err, sizeof f->err), -1);
    assert_non_null(strstr(f->err, "larger"));
    assert_int_equal(cred_pool_count(f->pool), 1);
}

static void test_load_from_file(void **state)
{
    fixture *f = *state;
    /* Missing file: an empty pool. */
    assert_int_equal(cred_pool_load(f->pool, f->err, sizeof f->err), 0);
    assert_int_equal(cred_pool_count(f->pool), 0);
    assert_int_equal(test_write_text(f->path, "[{\"accessToken\":\"from-file-12345\"},"
                                              "{\"refreshToken\":\"refresh-from-file\"}]"),
                     0);
    assert_int_equal(cred_pool_load(f->pool, f->err, sizeof f->err), 2);
    /* A broken file afterwards keeps the two credentials. */
    assert_int_equal(test_write_text(f->path, "[{\"accessToken\":"), 0);
    assert_int_equal(cred_pool_load(f->pool, f->err, sizeof f->err), -1);
    assert_non_null(strstr(f->err, f->path));
    assert_int_equal(cred_pool_count(f->pool), 2);
}

/* ---- selection ---- */

static void test_selection_priority_and_round_robin(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f, "[{\"id\":1,\"accessToken\":\"tok-prio-5-aaaa\",\"priority\":5},"
                             "{\"id\":2,\"accessToken\":\"tok-prio-1-bbbb\",\"priority\":1},"
                             "{\"id\":3,\"accessToken\":\"tok-prio-1-cccc\",\"priority\":1},"
                             "{\"id\":4,\"accessToken\":\"tok-prio-0-dddd\",\"priority\":0,"
                             "\"disabled\":true}]"),
                     4);
    /* 4 is disabled; 2 and 3 share the best priority and alternate; 1 is never chosen. */
    int counts[5] = {0};
    int previous = -1;
    for (int i = 0; i < 10; i++) {
        int id = acquire_id(f, NULL, 0, NOW);
        assert_true(id == 2 || id == 3);
        assert_int_not_equal(id, previous);
        previous = id;
        counts[id]++;
    }
    assert_int_equal(counts[2], 5);
    assert_int_equal(counts[3], 5);

    cred_snapshot snap;
    assert_int_equal(cred_pool_acquire(f->pool, NULL, 0, NOW, &snap), 0);
    assert_true(strcmp(snap.access_token, "tok-prio-1-bbbb") == 0 ||
                strcmp(snap.access_token, "tok-prio-1-cccc") == 0);
    assert_string_equal(snap.region, ""); /* the config's region */
    assert_int_equal(strlen(snap.machine_id), 64);
}

static void test_selection_skips_expired_and_accepts_unknown_expiry(void **state)
{
    fixture *f = *state;
    char json[512];
    snprintf(json, sizeof json,
             "[{\"id\":1,\"accessToken\":\"expired-token-11\",\"expiresAt\":%lld},"
             "{\"id\":2,\"accessToken\":\"unknown-expiry-2\",\"priority\":9},"
             "{\"id\":3,\"refreshToken\":\"no-access-token-3\"}]",
             (long long)NOW - 1);
    assert_int_equal(load(f, json), 3);
    assert_int_equal(acquire_id(f, NULL, 0, NOW), 2);
    /* One second earlier credential 1 is still valid and has the better priority. */
    assert_int_equal(acquire_id(f, NULL, 0, NOW - 2), 1);
    /* The usable count (for /health and /metrics) follows the same rule as selection. */
    assert_int_equal(cred_pool_usable_count(f->pool, NOW), 1);
    assert_int_equal(cred_pool_usable_count(f->pool, NOW - 2), 2);
}

static void test_exclusion_for_failover(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f, "[{\"id\":1,\"accessToken\":\"tok-11111111111\"},"
                             "{\"id\":2,\"accessToken\":\"tok-22222222222\",\"priority\":1},"
                             "{\"id\":3,\"accessToken\":\"tok-33333333333\",\"priority\":2}]"),
                     3);
    int tried[3];
    size_t n = 0;
    for (int expected = 1; expected <= 3; expected++) {
        int id = acquire_id(f, tried, n, NOW);
        assert_int_equal(id, expected);
        tried[n++] = id;
    }
    assert_int_equal(acquire_id(f, tried, n, NOW), -1);
}

static void test_empty_pool_has_nothing(void **state)
{
    fixture *f = *state;
    assert_int_equal(acquire_id(f, NULL, 0, NOW), -1);
    assert_int_equal(load(f, "[]"), 0);
    assert_int_equal(acquire_id(f, NULL, 0, NOW), -1);
}

/* ---- outcomes ---- */

static cJSON *view_of(fixture *f, int id)
{
    cJSON *view = cred_pool_view_json(f->pool);
    cJSON *item;
    cJSON_ArrayForEach(item, view)
    {
        if (cJSON_GetObjectItem(item, "id")->valueint == id) {
            cJSON *copy = cJSON_Duplicate(item, 1);
            cJSON_Delete(view);
            return copy;
        }
    }
    cJSON_Delete(view);
    fail_msg("credential %d not in view", id);
    return NULL;
}

static int view_int(fixture *f, int id, const char *field)
{
    cJSON *v = view_of(f, id);
    int value = cJSON_IsBool(cJSON_GetObjectItem(v, field))
                    ? cJSON_IsTrue(cJSON_GetObjectItem(v, field))
                    : cJSON_GetObjectItem(v, field)->valueint;
    cJSON_Delete(v);
    return value;
}

static void test_reports(void **state)
{
    fixture *f = *state;
    char json[512];
    snprintf(json, sizeof json,
             "[{\"id\":1,\"accessToken\":\"tok-11111111111\",\"refreshToken\":\"r-1111111111\","
             "\"expiresAt\":%lld},{\"id\":2,\"accessToken\":\"tok-22222222222\",\"priority\":1}]",
             (long long)NOW + 86400);
    assert_int_equal(load(f, json), 2);
    credential *due = NULL;
    assert_int_equal(cred_pool_due_for_refresh(f->pool, NOW, 300, &due), 0);
    /* AUTH_FAILED: counted, flagged for refresh, and used only when nothing else is left. */
    cred_pool_report(f->pool, 1, CRED_OUTCOME_AUTH_FAILED, "upstream 403");
    assert_int_equal(view_int(f, 1, "failureCount"), 1);
    assert_int_equal(view_int(f, 1, "needsRefresh"), 1);
    size_t n = cred_pool_due_for_refresh(f->pool, NOW, 300, &due);
    assert_int_equal(n, 1);
    assert_int_equal(due[0].id, 1);
    cred_list_free(due, n);
    assert_int_equal(acquire_id(f, NULL, 0, NOW), 2);
    int tried[] = {2};
    assert_int_equal(acquire_id(f, tried, 1, NOW), 1);

    /* TRANSIENT counts, OK resets. */
    cred_pool_report(f->pool, 2, CRED_OUTCOME_TRANSIENT, "HTTP 503");
    cred_pool_report(f->pool, 2, CRED_OUTCOME_TRANSIENT, "HTTP 429");
    assert_int_equal(view_int(f, 2, "failureCount"), 2);
    cred_pool_report(f->pool, 2, CRED_OUTCOME_OK, NULL);
    assert_int_equal(view_int(f, 2, "failureCount"), 0);

    /* QUOTA disables with a reason. */
    cred_pool_report(f->pool, 2, CRED_OUTCOME_QUOTA, "MONTHLY_REQUEST_COUNT");
    cJSON *v = view_of(f, 2);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v, "disabled")));
    assert_string_equal(cJSON_GetObjectItem(v, "disabledReason")->valuestring, "quota exhausted");
    cJSON_Delete(v);
    assert_int_equal(acquire_id(f, NULL, 0, NOW), 1);
    assert_true(capture_log_contains("quota exhausted"));

    /* Unknown ids are ignored. */
    cred_pool_report(f->pool, 99, CRED_OUTCOME_QUOTA, NULL);
    assert_int_equal(cred_pool_count(f->pool), 2);
}

/* ---- refresh bookkeeping ---- */

static void test_due_for_refresh(void **state)
{
    fixture *f = *state;
    char json[1024];
    snprintf(json, sizeof json,
             "[{\"id\":1,\"accessToken\":\"soon-expiring-1\",\"refreshToken\":\"r-soon-1111\","
             "\"expiresAt\":%lld},"
             "{\"id\":2,\"accessToken\":\"far-expiring-22\",\"refreshToken\":\"r-far-22222\","
             "\"expiresAt\":%lld},"
             "{\"id\":3,\"accessToken\":\"no-refresh-tok3\",\"expiresAt\":%lld},"
             "{\"id\":4,\"refreshToken\":\"r-no-access-4\"},"
             "{\"id\":5,\"accessToken\":\"disabled-tok-55\",\"refreshToken\":\"r-disabled-5\","
             "\"disabled\":true}]",
             (long long)NOW + 120, (long long)NOW + 86400, (long long)NOW + 10);
    assert_int_equal(load(f, json), 5);
    credential *due = NULL;
    size_t n = cred_pool_due_for_refresh(f->pool, NOW, 300, &due);
    assert_int_equal(n, 2);
    assert_int_equal(due[0].id, 1);
    assert_int_equal(due[1].id, 4);
    assert_string_equal(due[0].refresh_token, "r-soon-1111");
    cred_list_free(due, n);
}

static void test_store_refresh_and_failures(void **state)
{
    fixture *f = *state;
    time_t now = time(NULL);
    char json[512];
    snprintf(json, sizeof json,
             "[{\"id\":1,\"accessToken\":\"old-access-1111\",\"refreshToken\":\"old-refresh-1\","
             "\"expiresAt\":%lld},"
             "{\"id\":2,\"accessToken\":\"expired-access-2\",\"refreshToken\":\"old-refresh-2\","
             "\"expiresAt\":%lld}]",
             (long long)now + 3600, (long long)now - 10);
    assert_int_equal(load(f, json), 2);
    assert_int_equal(
        cred_pool_store_refresh(f->pool, 1, "new-access-1111", NULL, "arn:new", now + 7200), 0);
    credential c = copy_of(f, 1);
    assert_string_equal(c.access_token, "new-access-1111");
    assert_string_equal(c.refresh_token, "old-refresh-1"); /* NULL keeps it */
    assert_string_equal(c.profile_arn, "arn:new");
    assert_int_equal(c.expires_at, now + 7200);
    assert_int_equal(c.refresh_count, 1);
    credential_clear(&c);
    assert_int_equal(cred_pool_store_refresh(f->pool, 42, "x-access-token", NULL, NULL, now), -1);
    /* A token with a line break must never reach a header. */
    assert_int_equal(cred_pool_store_refresh(f->pool, 1, "bad\r\ntoken", NULL, NULL, now), -1);

    /* A dead refresh token with a still-valid access token: keep serving. */
    cred_pool_refresh_failed(f->pool, 1, "HTTP 401", 1);
    assert_int_equal(view_int(f, 1, "disabled"), 0);
    assert_int_equal(acquire_id(f, NULL, 0, now), 1);
    /* ... and backoff keeps it off the due list for a while, though it is due by expiry (the
     * margin covers its whole lifetime) and credential 2 is listed. */
    credential *due = NULL;
    size_t n = cred_pool_due_for_refresh(f->pool, now + 5, 100000, &due);
    assert_int_equal(n, 1);
    assert_int_equal(due[0].id, 2);
    cred_list_free(due, n);

    /* A dead refresh token with an expired access token: disabled with the reason. */
    cred_pool_refresh_failed(f->pool, 2, "HTTP 401", 1);
    cJSON *v = view_of(f, 2);
    assert_true(cJSON_IsTrue(cJSON_GetObjectItem(v, "disabled")));
    assert_string_equal(cJSON_GetObjectItem(v, "disabledReason")->valuestring,
                        "refresh token rejected");
    assert_non_null(strstr(cJSON_GetObjectItem(v, "lastError")->valuestring, "HTTP 401"));
    cJSON_Delete(v);

    /* A later successful (forced) refresh brings it back. */
    assert_int_equal(
        cred_pool_store_refresh(f->pool, 2, "revived-access-2", "new-refresh-2", NULL, now + 3600),
        0);
    assert_int_equal(view_int(f, 2, "disabled"), 0);
}

static void test_checked_store_refuses_replaced_credential(void **state)
{
    fixture *f = *state;
    assert_int_equal(
        load(
            f,
            "[{\"id\":1,\"accessToken\":\"acct-a-access-1\",\"refreshToken\":\"acct-a-refresh\"}]"),
        1);
    credential used = copy_of(f, 1);
    /* A reload puts another account under id 1 while the refresh is in flight. */
    assert_int_equal(
        load(
            f,
            "[{\"id\":1,\"accessToken\":\"acct-b-access-1\",\"refreshToken\":\"acct-b-refresh\"}]"),
        1);
    assert_int_equal(cred_pool_store_refresh_of(f->pool, &used, "acct-a-access-2", NULL, NULL,
                                                time(NULL) + 3600),
                     -1);
    assert_int_equal(cred_pool_refresh_failed_of(f->pool, &used, "HTTP 401", 1), -1);
    credential c = copy_of(f, 1);
    assert_string_equal(c.access_token, "acct-b-access-1");
    assert_int_equal(c.disabled, 0);
    credential_clear(&c);
    credential_clear(&used);
}

/* ---- view and persistence ---- */

static void test_view_masks_tokens(void **state)
{
    fixture *f = *state;
    const char *secrets[] = {"access-SECRET-0123456789abcdef", "refresh-SECRET-0123456789abcdef",
                             "client-secret-value-0123456789"};
    char json[1024];
    snprintf(
        json, sizeof json,
        "[{\"id\":1,\"accessToken\":\"%s\",\"refreshToken\":\"%s\",\"authMethod\":\"idc\","
        "\"clientId\":\"cid\",\"clientSecret\":\"%s\",\"expiresAt\":\"2027-01-15T08:00:00Z\"}]",
        secrets[0], secrets[1], secrets[2]);
    assert_int_equal(load(f, json), 1);
    cJSON *view = cred_pool_view_json(f->pool);
    char *text = cJSON_PrintUnformatted(view);
    cJSON_Delete(view);
    for (size_t i = 0; i < sizeof secrets / sizeof secrets[0]; i++) {
        if (strstr(text, secrets[i]))
            fail_msg("view contains %s: %s", secrets[i], text);
        /* Not even a long piece of it. */
        char piece[13];
        memcpy(piece, secrets[i] + 6, 12);
        piece[12] = '\0';
        assert_null(strstr(text, piece));
    }
    assert_non_null(strstr(text, "\"accessToken\":\"acce..."));
    assert_non_null(strstr(text, "\"expiresAt\":\"2027-01-15T08:00:00Z\""));
    assert_non_null(strstr(text, "\"authMethod\":\"idc\""));
    free(text);
}

static void test_save_round_trip(void **state)
{
    fixture *f = *state;
    assert_int_equal(
        load(f,
             "[{\"id\":3,\"accessToken\":\"acc-3333333333\",\"refreshToken\":\"ref-3333333333\","
             "\"expiresAt\":1800000000,\"authMethod\":\"builder-id\",\"clientId\":\"cid-3\","
             "\"clientSecret\":\"csecret-3\",\"region\":\"eu-west-1\",\"apiRegion\":\"us-east-1\","
             "\"priority\":2,\"disabled\":true,\"customNote\":{\"team\":\"x\"}},"
             "{\"id\":4,\"refreshToken\":\"ref-4444444444\",\"machineId\":\"fixed-machine\"}]"),
        2);
    time_t later = 1800003600;
    assert_int_equal(
        cred_pool_store_refresh(f->pool, 4, "fresh-access-44", "fresh-refresh-44", NULL, later), 0);
    /* A runtime disable is not persisted. */
    cred_pool_report(f->pool, 4, CRED_OUTCOME_QUOTA, NULL);
    assert_int_equal(cred_pool_save(f->pool), 0);

    struct stat st;
    assert_int_equal(stat(f->path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0600);
    char *text = test_read_text(f->path);
    assert_non_null(strstr(text, "\"expiresAt\":\t\"2027-01-15T08:00:00Z\""));
    assert_non_null(strstr(text, "customNote"));
    free(text);

    cred_pool *again = cred_pool_new(f->path);
    assert_int_equal(cred_pool_load(again, f->err, sizeof f->err), 2);
    credential c;
    assert_int_equal(cred_pool_copy(again, 3, &c), 0);
    assert_string_equal(c.access_token, "acc-3333333333");
    assert_int_equal(c.expires_at, 1800000000);
    assert_int_equal(c.method, AUTH_IDC);
    assert_string_equal(c.client_secret, "csecret-3");
    assert_string_equal(c.region, "us-east-1");
    assert_string_equal(c.auth_region, "eu-west-1");
    assert_int_equal(c.priority, 2);
    assert_int_equal(c.disabled, 1);
    credential_clear(&c);
    assert_int_equal(cred_pool_copy(again, 4, &c), 0);
    assert_string_equal(c.access_token, "fresh-access-44");
    assert_string_equal(c.refresh_token, "fresh-refresh-44");
    assert_int_equal(c.expires_at, later);
    assert_string_equal(c.machine_id, "fixed-machine");
    assert_int_equal(c.disabled, 0);
    credential_clear(&c);
    cred_pool_free(again);
}

/* The file watch's question: changed since the pool last loaded or saved it? The pool's own
 * save is no change (a reload would forget runtime disables); another writer's file is. */
static void test_reload_if_changed(void **state)
{
    fixture *f = *state;
    assert_int_equal(test_write_text(f->path, "[{\"accessToken\":\"first-token-0001\"}]"), 0);
    assert_int_equal(cred_pool_load(f->pool, f->err, sizeof f->err), 1);
    assert_int_equal(cred_pool_reload_if_changed(f->pool, f->err, sizeof f->err), 0);
    cred_pool_report(f->pool, 1, CRED_OUTCOME_QUOTA, NULL); /* a runtime disable */
    assert_int_equal(cred_pool_save(f->pool), 0);
    assert_int_equal(cred_pool_reload_if_changed(f->pool, f->err, sizeof f->err), 0);
    assert_int_equal(cred_pool_usable_count(f->pool, NOW), 0); /* still disabled: not reloaded */

    /* Another program replaces the file (a new inode, like the launcher's atomic write). */
    char tmp[TEST_PATH_MAX + 8];
    snprintf(tmp, sizeof tmp, "%s.new", f->path);
    assert_int_equal(test_write_text(tmp,
                                     "[{\"accessToken\":\"second-token-0002\"},{\"accessToken\":"
                                     "\"third-token-00003\"}]"),
                     0);
    assert_int_equal(rename(tmp, f->path), 0);
    assert_int_equal(cred_pool_reload_if_changed(f->pool, f->err, sizeof f->err), 1);
    assert_int_equal(cred_pool_count(f->pool), 2);
    assert_int_equal(cred_pool_reload_if_changed(f->pool, f->err, sizeof f->err), 0);

    /* A broken replacement: reported once, the pool stays; fixed: loaded. */
    assert_int_equal(test_write_text(tmp, "[{\"accessToken\":"), 0);
    assert_int_equal(rename(tmp, f->path), 0);
    assert_int_equal(cred_pool_reload_if_changed(f->pool, f->err, sizeof f->err), -1);
    assert_non_null(strstr(f->err, "JSON"));
    assert_int_equal(cred_pool_reload_if_changed(f->pool, f->err, sizeof f->err), 0);
    assert_int_equal(cred_pool_count(f->pool), 2);
    assert_int_equal(test_write_text(tmp, "[{\"accessToken\":\"fourth-token-004\"}]"), 0);
    assert_int_equal(rename(tmp, f->path), 0);
    assert_int_equal(cred_pool_reload_if_changed(f->pool, f->err, sizeof f->err), 1);
    assert_int_equal(cred_pool_count(f->pool), 1);
}

/* A save that fails half-way (RLIMIT_FSIZE cuts the write; root obeys it too) leaves the old
 * file whole. Runs in a child so that the limit stays out of the test process. */
static void test_save_failure_keeps_old_file(void **state)
{
    fixture *f = *state;
    assert_int_equal(test_write_text(f->path, "[{\"accessToken\":\"on-disk-token-1\"}]"), 0);
    assert_int_equal(cred_pool_load(f->pool, f->err, sizeof f->err), 1);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        static char long_token[4000];
        memset(long_token, 'z', sizeof long_token - 1);
        signal(SIGXFSZ, SIG_IGN);
        struct rlimit limit = {1024, 1024};
        if (setrlimit(RLIMIT_FSIZE, &limit) != 0 ||
            cred_pool_store_refresh(f->pool, 1, long_token, NULL, NULL, 0) != 0)
            _exit(2);
        _exit(cred_pool_save(f->pool) == -1 ? 0 : 1);
    }
    int status = 0;
    assert_int_equal(waitpid(pid, &status, 0), pid);
    assert_true(WIFEXITED(status));
    assert_int_equal(WEXITSTATUS(status), 0);
    char *text = test_read_text(f->path);
    assert_string_equal(text, "[{\"accessToken\":\"on-disk-token-1\"}]");
    free(text);
    assert_int_equal(test_dir_count_matching(f->dir, ".tmp."), 0);

    /* A path that is a directory fails too; a pool without a path saves nothing. */
    cred_pool *wrong = cred_pool_new(f->dir);
    assert_int_equal(cred_pool_save(wrong), -1);
    cred_pool_free(wrong);
    cred_pool *memory = cred_pool_new(NULL);
    assert_int_equal(cred_pool_save(memory), 0);
    cred_pool_free(memory);
}

/* A pool grown (through cred_pool_add_json) beyond what a load accepts is not saved: writing it
 * would lose every credential at the next start. The old file stays. */
static void test_save_refuses_a_file_too_large_to_load(void **state)
{
    fixture *f = *state;
    assert_int_equal(test_write_text(f->path, "[{\"accessToken\":\"on-disk-token-2\"}]"), 0);
    assert_int_equal(cred_pool_load(f->pool, f->err, sizeof f->err), 1);
    static char secret[8000];
    memset(secret, 's', sizeof secret - 1);
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "refreshToken", "refresh-token-bulk");
    cJSON_AddStringToObject(obj, "clientSecret", secret);
    size_t needed = CRED_FILE_MAX_BYTES / sizeof secret + 2;
    for (size_t i = 0; i < needed; i++)
        assert_true(cred_pool_add_json(f->pool, obj, f->err, sizeof f->err) > 0);
    cJSON_Delete(obj);
    assert_int_equal(cred_pool_save(f->pool), -1);
    char *text = test_read_text(f->path);
    assert_string_equal(text, "[{\"accessToken\":\"on-disk-token-2\"}]");
    free(text);
    assert_true(capture_log_contains("saving"));
}

static void test_add_json(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f, "[{\"id\":4,\"accessToken\":\"tok-44444444444\"}]"), 1);
    cJSON *obj = cJSON_Parse("{\"id\":4,\"refreshToken\":\"added-refresh\"}");
    assert_int_equal(cred_pool_add_json(f->pool, obj, f->err, sizeof f->err), 5);
    cJSON_Delete(obj);
    obj = cJSON_Parse("{\"clientId\":\"no tokens\"}");
    assert_int_equal(cred_pool_add_json(f->pool, obj, f->err, sizeof f->err), -1);
    cJSON_Delete(obj);
    assert_int_equal(cred_pool_count(f->pool), 2);
    obj = cJSON_Parse("{\"accessToken\":\"valid-token-123\"}");
    assert_int_equal(cred_validate_json(obj, f->err, sizeof f->err), 0);
    cJSON_Delete(obj);
    obj = cJSON_Parse("{\"accessToken\":7}");
    assert_int_equal(cred_validate_json(obj, f->err, sizeof f->err), -1);
    assert_non_null(strstr(f->err, "accessToken"));
    cJSON_Delete(obj);
}

/* ---- concurrency ---- */

typedef struct worker_args {
    cred_pool *pool;
    int iterations;
    int acquired;
} worker_args;

static void *request_worker(void *arg)
{
    worker_args *w = arg;
    for (int i = 0; i < w->iterations; i++) {
        cred_snapshot snap;
        if (cred_pool_acquire(w->pool, NULL, 0, time(NULL), &snap) == 0) {
            w->acquired++;
            cred_pool_report(w->pool, snap.id, CRED_OUTCOME_OK, NULL);
        }
    }
    return NULL;
}

static void *refresh_worker(void *arg)
{
    worker_args *w = arg;
    char token[32];
    for (int i = 0; i < w->iterations; i++) {
        snprintf(token, sizeof token, "rotated-token-%06d", i);
        cred_pool_store_refresh(w->pool, 1 + i % 2, token, NULL, NULL, time(NULL) + 3600);
        cJSON_Delete(cred_pool_view_json(w->pool));
    }
    return NULL;
}

/* Requests and refreshes at once (run under ThreadSanitizer by `make test-tsan`): every
 * acquire succeeds and sees a whole token. */
static void test_concurrent_acquire_and_refresh(void **state)
{
    fixture *f = *state;
    assert_int_equal(load(f, "[{\"id\":1,\"accessToken\":\"initial-token-1\"},"
                             "{\"id\":2,\"accessToken\":\"initial-token-2\"}]"),
                     2);
    pthread_t threads[4];
    worker_args args[4];
    for (int i = 0; i < 4; i++) {
        args[i] = (worker_args){f->pool, 2000, 0};
        pthread_create(&threads[i], NULL, i == 3 ? refresh_worker : request_worker, &args[i]);
    }
    for (int i = 0; i < 4; i++)
        pthread_join(threads[i], NULL);
    for (int i = 0; i < 3; i++)
        assert_int_equal(args[i].acquired, 2000);
    credential c = copy_of(f, 1);
    assert_string_equal(c.access_token, "rotated-token-001998");
    credential_clear(&c);
}

int main(void)
{
#define T(name) cmocka_unit_test_setup_teardown(name, setup, teardown)
    const struct CMUnitTest tests[] = {
        T(test_parse_array_with_all_fields),
        T(test_parse_single_object_and_defaults),
        T(test_parse_expiry_forms),
        T(test_auth_method_spellings),
        T(test_region_rules),
        T(test_bad_entry_is_disabled_with_reason),
        T(test_save_keeps_the_file_as_read),
        T(test_reload_if_changed),
        T(test_ids_default_and_unique),
        T(test_bad_documents_keep_the_pool),
        T(test_entry_count_and_size_caps),
        T(test_load_from_file),
        T(test_selection_priority_and_round_robin),
        T(test_selection_skips_expired_and_accepts_unknown_expiry),
        T(test_exclusion_for_failover),
        T(test_empty_pool_has_nothing),
        T(test_reports),
        T(test_due_for_refresh),
        T(test_store_refresh_and_failures),
        T(test_checked_store_refuses_replaced_credential),
        T(test_view_masks_tokens),
        T(test_save_round_trip),
        T(test_save_failure_keeps_old_file),
        T(test_save_refuses_a_file_too_large_to_load),
        T(test_add_json),
        T(test_concurrent_acquire_and_refresh),
    };
#undef T
    return cmocka_run_group_tests(tests, NULL, NULL);
}
