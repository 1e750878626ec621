/* cred_parse.c: credentials.json entries to pool entries: one small function per field (or
 * group of fields), one for a whole document, and the id rules; see cred_parse.h.
 *
 * Every rule a field must meet is checked here and nowhere else: the file, the admin API
 * (cred_pool_add_json) and the user store (cred_validate_json) all come through
 * cred_entry_parse(). Errors name the entry and the field. Fields this code does not know are
 * kept, to be written back on save. */
#include "creds/cred_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/rules.h"
#include "creds/sha256.h"
#include "log/log.h"
#include "util/clock.h"
#include "util/errbuf.h"

#define CLIENT_FIELD_MAX 8192
#define PRIORITY_LIMIT 1000000
#define CRED_DEFAULT_REGION "us-east-1"

/* Known credential fields; anything else is kept in pool_entry.extra. */
static const char *const known_fields[] = {
    "id",         "accessToken", "refreshToken", "profileArn", "expiresAt",
    "authMethod", "clientId",    "clientSecret", "region",     "authRegion",
    "apiRegion",  "machineId",   "disabled",     "priority",
};

static int is_machine_id(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof(((credential *)0)->machine_id))
        return 0;
    for (; *s; s++) {
        if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_' && *s != '.')
            return 0;
    }
    return 1;
}

/* Reads an optional string field: absent, null or "" leave *out NULL. `header_safe` demands
 * printable text without spaces (tokens end up in headers). */
static int optional_string(const cJSON *obj, const char *name, size_t max_len, int header_safe,
                           char **out, const char *where, char *err, size_t err_size)
{
    *out = NULL;
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item))
        return 0;
    if (!cJSON_IsString(item)) {
        errbuf_set(err, err_size, "%s: field \"%s\" must be a string", where, name);
        return -1;
    }
    const char *value = item->valuestring;
    if (!*value)
        return 0;
    if (strlen(value) > max_len) {
        errbuf_set(err, err_size, "%s: field \"%s\" is longer than %zu characters", where, name,
                   max_len);
        return -1;
    }
    if (header_safe && !rule_header_safe(value)) {
        errbuf_set(err, err_size, "%s: field \"%s\" contains spaces or control characters", where,
                   name);
        return -1;
    }
    *out = strdup(value);
    if (!*out) {
        errbuf_set(err, err_size, "%s: out of memory", where);
        return -1;
    }
    return 0;
}

/* A region field into a fixed buffer; absent leaves out untouched. */
static int optional_region(const cJSON *obj, const char *name, char *out, size_t size,
                           const char *where, char *err, size_t err_size)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item) || (cJSON_IsString(item) && !*item->valuestring))
        return 0;
    if (!cJSON_IsString(item) || !rule_region_name(item->valuestring)) {
        errbuf_set(err, err_size, "%s: field \"%s\" must be a region name like us-east-1", where,
                   name);
        return -1;
    }
    snprintf(out, size, "%s", item->valuestring);
    return 0;
}

int cred_parse_expires_at(const cJSON *value, time_t *out)
{
    *out = 0;
    if (!value || cJSON_IsNull(value))
        return 0;
    if (cJSON_IsString(value)) {
        if (!*value->valuestring)
            return 0;
        time_t t;
        if (clock_parse_rfc3339(value->valuestring, &t) != 0 || t < 0)
            return -1;
        *out = t;
        return 0;
    }
    if (cJSON_IsNumber(value)) {
        double v = value->valuedouble;
        /* Seconds up to 1e11 (year 5138), milliseconds beyond, up to 1e13 ms (year 2286). */
        if (!(v >= 0 && v <= 1e13))
            return -1;
        if (v > 1e11)
            v /= 1000.0;
        *out = (time_t)v;
        return 0;
    }
    return -1;
}

int cred_auth_method_parse(const char *text, auth_method *out)
{
    /* kiro-go, kiro.rs and AIClient accept these; IAM Identity Center ("iam") and the
     * enterprise sign-in are IdC refreshes too. */
    static const struct {
        const char *spelling;
        auth_method method;
    } spellings[] = {
        {"social", AUTH_SOCIAL},  {"idc", AUTH_IDC},        {"builder-id", AUTH_IDC},
        {"builderid", AUTH_IDC},  {"builder_id", AUTH_IDC}, {"iam", AUTH_IDC},
        {"enterprise", AUTH_IDC}, {"sso", AUTH_IDC},        {"identity-center", AUTH_IDC},
    };
    for (size_t i = 0; i < sizeof spellings / sizeof spellings[0]; i++) {
        if (strcasecmp(text, spellings[i].spelling) == 0) {
            *out = spellings[i].method;
            return 0;
        }
    }
    return -1;
}

static int is_known_field(const char *name)
{
    for (size_t i = 0; i < sizeof known_fields / sizeof known_fields[0]; i++) {
        if (strcmp(known_fields[i], name) == 0)
            return 1;
    }
    return 0;
}

/* Copies the fields this code does not know (NULL when there are none). */
static int collect_extra_fields(const cJSON *obj, cJSON **out)
{
    *out = NULL;
    const cJSON *field;
    cJSON_ArrayForEach(field, obj)
    {
        if (!field->string || is_known_field(field->string))
            continue;
        if (!*out && !(*out = cJSON_CreateObject()))
            return -1;
        cJSON *copy = cJSON_Duplicate(field, 1);
        if (!copy || !cJSON_AddItemToObject(*out, field->string, copy)) {
            cJSON_Delete(copy);
            return -1;
        }
    }
    return 0;
}

/* Reports a field error "<where>: field "<name>" <what>" and returns -1. */
static int field_error(char *err, size_t err_size, const char *where, const char *name,
                       const char *what)
{
    errbuf_set(err, err_size, "%s: field \"%s\" %s", where, name, what);
    return -1;
}

/* 1 when obj has the field with a value other than null. */
static const cJSON *present(const cJSON *obj, const char *name)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    return item && !cJSON_IsNull(item) ? item : NULL;
}

/* id: a positive whole number; *explicit_id says whether the object had one. */
static int parse_id(const cJSON *obj, credential *c, int *explicit_id, const char *where, char *err,
                    size_t err_size)
{
    const cJSON *id = present(obj, "id");
    if (!id || (cJSON_IsNumber(id) && id->valuedouble == 0))
        return 0; /* kiro-go writes Go's zero value, 0, for "no id" */
    long long value;
    if (rule_json_whole_number(id, 1, 2147483647.0, &value) != 0)
        return field_error(err, err_size, where, "id", "must be a positive whole number");
    c->id = (int)value;
    *explicit_id = 1;
    return 0;
}

/* The secrets: tokens and ARN end up in headers (header-safe); at least one token. */
static int parse_tokens(const cJSON *obj, credential *c, const char *where, char *err,
                        size_t err_size)
{
    if (optional_string(obj, "accessToken", CRED_ACCESS_TOKEN_MAX, 1, &c->access_token, where, err,
                        err_size) != 0 ||
        optional_string(obj, "refreshToken", CRED_REFRESH_TOKEN_MAX, 0, &c->refresh_token, where,
                        err, err_size) != 0 ||
        optional_string(obj, "profileArn", CRED_PROFILE_ARN_MAX, 1, &c->profile_arn, where, err,
                        err_size) != 0 ||
        optional_string(obj, "clientId", CLIENT_FIELD_MAX, 0, &c->client_id, where, err,
                        err_size) != 0 ||
        optional_string(obj, "clientSecret", CLIENT_FIELD_MAX, 0, &c->client_secret, where, err,
                        err_size) != 0)
        return -1;
    if (!c->access_token && !c->refresh_token) {
        errbuf_set(err, err_size, "%s: needs a refreshToken or an accessToken", where);
        return -1;
    }
    return 0;
}

static int parse_expiry(const cJSON *obj, credential *c, const char *where, char *err,
                        size_t err_size)
{
    if (cred_parse_expires_at(cJSON_GetObjectItemCaseSensitive(obj, "expiresAt"), &c->expires_at) !=
        0)
        return field_error(err, err_size, where, "expiresAt",
                           "must be an RFC 3339 time or epoch seconds/ms");
    return 0;
}

/* authMethod: the spellings of cred_auth_method_parse(); absent or "" means IdC when the entry
 * has clientId and clientSecret (what every Kiro proxy infers), else social; an unknown
 * spelling with client credentials is IdC too. The spelling is kept to be written back. */
static int parse_method(const cJSON *obj, pool_entry *e, const char *where, char *err,
                        size_t err_size)
{
    credential *c = &e->cred;
    int has_client = c->client_id && c->client_secret;
    c->method = has_client ? AUTH_IDC : AUTH_SOCIAL;
    const cJSON *method = present(obj, "authMethod");
    if (!method || (cJSON_IsString(method) && !*method->valuestring))
        return 0;
    if (!cJSON_IsString(method) || strlen(method->valuestring) >= sizeof e->file_auth_method)
        return field_error(err, err_size, where, "authMethod", "must be a short string");
    snprintf(e->file_auth_method, sizeof e->file_auth_method, "%s", method->valuestring);
    if (cred_auth_method_parse(method->valuestring, &c->method) == 0 || has_client)
        return 0;
    return field_error(err, err_size, where, "authMethod",
                       "is not a known sign-in method (social, idc, builder-id, iam, enterprise) "
                       "and the entry has no clientId/clientSecret");
}

/* Regions as kiro-go resolves them. API calls: apiRegion, else region, else "" (the config's
 * apiRegion / regions[0], resolved by config_upstream_base_url). Token refresh: authRegion,
 * else region, else us-east-1. The file's own values are kept to be written back as read. */
static int parse_regions(const cJSON *obj, pool_entry *e, const char *where, char *err,
                         size_t err_size)
{
    credential *c = &e->cred;
    if (optional_region(obj, "region", e->file_region, sizeof e->file_region, where, err,
                        err_size) != 0 ||
        optional_region(obj, "authRegion", e->file_auth_region, sizeof e->file_auth_region, where,
                        err, err_size) != 0 ||
        optional_region(obj, "apiRegion", e->file_api_region, sizeof e->file_api_region, where, err,
                        err_size) != 0)
        return -1;
    const char *api = e->file_api_region[0] ? e->file_api_region : e->file_region;
    const char *auth = e->file_auth_region[0] ? e->file_auth_region
                       : e->file_region[0]    ? e->file_region
                                              : CRED_DEFAULT_REGION;
    snprintf(c->region, sizeof c->region, "%s", api);
    snprintf(c->auth_region, sizeof c->auth_region, "%s", auth);
    return 0;
}

/* machineId: given, or the SHA-256 hex of the refresh token (of the access token without one),
 * as kiro-go derives it. */
static int parse_machine_id(const cJSON *obj, pool_entry *e, const char *where, char *err,
                            size_t err_size)
{
    credential *c = &e->cred;
    const cJSON *machine = present(obj, "machineId");
    if (machine && !(cJSON_IsString(machine) && !*machine->valuestring)) {
        if (!cJSON_IsString(machine) || !is_machine_id(machine->valuestring))
            return field_error(err, err_size, where, "machineId",
                               "must be 1..64 characters of [A-Za-z0-9._-]");
        snprintf(c->machine_id, sizeof c->machine_id, "%s", machine->valuestring);
        e->file_machine_id = 1;
        return 0;
    }
    const char *seed = c->refresh_token ? c->refresh_token : c->access_token;
    sha256_hex(seed, strlen(seed), c->machine_id);
    return 0;
}

/* disabled: true/false, remembered as the file said it (the only disable that is saved). */
static int parse_disabled(const cJSON *obj, pool_entry *e, const char *where, char *err,
                          size_t err_size)
{
    const cJSON *disabled = present(obj, "disabled");
    if (!disabled)
        return 0;
    if (!cJSON_IsBool(disabled))
        return field_error(err, err_size, where, "disabled", "must be true or false");
    e->disabled_in_file = cJSON_IsTrue(disabled);
    e->cred.disabled = e->disabled_in_file;
    if (e->cred.disabled)
        snprintf(e->cred.disabled_reason, sizeof e->cred.disabled_reason, "disabled in file");
    return 0;
}

static int parse_priority(const cJSON *obj, credential *c, const char *where, char *err,
                          size_t err_size)
{
    const cJSON *priority = present(obj, "priority");
    if (!priority)
        return 0;
    long long value;
    if (rule_json_whole_number(priority, -PRIORITY_LIMIT, PRIORITY_LIMIT, &value) != 0) {
        errbuf_set(err, err_size, "%s: field \"priority\" must be a whole number within +-%d",
                   where, PRIORITY_LIMIT);
        return -1;
    }
    c->priority = (int)value;
    return 0;
}

int cred_entry_parse(const cJSON *obj, const char *where, pool_entry *e, int *explicit_id,
                     char *err, size_t err_size)
{
    memset(e, 0, sizeof *e);
    credential *c = &e->cred;
    *explicit_id = 0;
    if (!cJSON_IsObject(obj)) {
        errbuf_set(err, err_size, "%s: must be a JSON object", where);
        return -1;
    }
    if (parse_id(obj, c, explicit_id, where, err, err_size) != 0 ||
        parse_tokens(obj, c, where, err, err_size) != 0 ||
        parse_expiry(obj, c, where, err, err_size) != 0 ||
        parse_method(obj, e, where, err, err_size) != 0 ||
        parse_regions(obj, e, where, err, err_size) != 0 ||
        parse_machine_id(obj, e, where, err, err_size) != 0 ||
        parse_disabled(obj, e, where, err, err_size) != 0 ||
        parse_priority(obj, c, where, err, err_size) != 0)
        goto fail;
    if (collect_extra_fields(obj, &e->extra) != 0) {
        errbuf_set(err, err_size, "%s: out of memory", where);
        goto fail;
    }
    return 0;
fail:
    pool_entry_clear(e);
    return -1;
}

int cred_validate_json(const cJSON *object, char *err, size_t err_size)
{
    pool_entry e;
    int explicit_id;
    if (cred_entry_parse(object, "credentials", &e, &explicit_id, err, err_size) != 0)
        return -1;
    pool_entry_clear(&e);
    return 0;
}

int pool_id_taken(const pool_entry *entries, size_t n, int id)
{
    for (size_t i = 0; i < n; i++) {
        if (entries[i].cred.id == id)
            return 1;
    }
    return 0;
}

/* Gives every entry a unique id: explicit ids are kept unless an earlier entry has the same
 * one; entries without an id get position+1; collisions get the next id above all others. */
static void assign_ids(pool_entry *entries, size_t n, const int *explicit_id)
{
    int max_id = 0;
    for (size_t i = 0; i < n; i++) {
        if (explicit_id[i] && pool_id_taken(entries, i, entries[i].cred.id)) {
            LOG_WARN("credentials: duplicate id %d in entry #%zu, assigning a new one",
                     entries[i].cred.id, i + 1);
            entries[i].cred.id = 0;
        }
        if (entries[i].cred.id > max_id)
            max_id = entries[i].cred.id;
    }
    for (size_t i = 0; i < n; i++) {
        if (entries[i].cred.id != 0)
            continue;
        int candidate = explicit_id[i] ? 0 : (int)i + 1;
        if (candidate == 0 || pool_id_taken(entries, n, candidate))
            candidate = max_id + 1;
        entries[i].cred.id = candidate;
        if (candidate > max_id)
            max_id = candidate;
    }
}

/* An entry cred_entry_parse() refused: kept as read (saves write it back unchanged), loaded
 * disabled with the reason, so that one odd entry never stops the others. Its own id is kept
 * when it has a usable one. Logged here, once per load. */
static int reject_entry(const cJSON *item, const char *reason, pool_entry *e, int *explicit_id)
{
    memset(e, 0, sizeof *e);
    *explicit_id = 0;
    e->rejected = cJSON_Duplicate(item, 1);
    if (!e->rejected)
        return -1;
    long long id;
    const cJSON *id_item = cJSON_IsObject(item) ? present(item, "id") : NULL;
    if (id_item && rule_json_whole_number(id_item, 1, 2147483647.0, &id) == 0) {
        e->cred.id = (int)id;
        *explicit_id = 1;
    }
    e->cred.disabled = 1;
    e->disabled_in_file = 1;
    snprintf(e->cred.disabled_reason, sizeof e->cred.disabled_reason, "%s", reason);
    snprintf(e->cred.auth_region, sizeof e->cred.auth_region, "%s", CRED_DEFAULT_REGION);
    LOG_WARN("credentials: %s; that entry is loaded disabled and kept in the file as it is",
             reason);
    return 0;
}

/* Parses a whole credentials document (array or one object) into a new entry array. */
int cred_document_parse(const char *json, size_t len, pool_entry **out, size_t *count_out,
                        int *is_object_out, char *err, size_t err_size)
{
    *out = NULL;
    *count_out = 0;
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) {
        errbuf_set(err, err_size, "credentials: not valid JSON");
        return -1;
    }
    int rc = cred_document_parse_tree(root, out, count_out, is_object_out, err, err_size);
    cJSON_Delete(root);
    return rc;
}

int cred_document_parse_tree(const cJSON *root, pool_entry **out, size_t *count_out,
                             int *is_object_out, char *err, size_t err_size)
{
    *out = NULL;
    *count_out = 0;
    int rc = -1;
    size_t n = 0;
    pool_entry *entries = NULL;
    int *explicit_id = NULL;
    if (cJSON_IsObject(root)) {
        n = 1;
    } else if (cJSON_IsArray(root)) {
        n = (size_t)cJSON_GetArraySize(root);
    } else {
        errbuf_set(err, err_size, "credentials: must be an array or an object");
        goto done;
    }
    if (n > CRED_MAX_ENTRIES) {
        errbuf_set(err, err_size, "credentials: %zu entries, at most %d are allowed", n,
                   CRED_MAX_ENTRIES);
        goto done;
    }
    entries = calloc(n ? n : 1, sizeof *entries);
    explicit_id = calloc(n ? n : 1, sizeof *explicit_id);
    if (!entries || !explicit_id) {
        errbuf_set(err, err_size, "credentials: out of memory");
        goto done;
    }
    size_t parsed = 0;
    const cJSON *item = cJSON_IsObject(root) ? root : root->child;
    for (; parsed < n && item; parsed++, item = cJSON_IsObject(root) ? NULL : item->next) {
        char where[48];
        snprintf(where, sizeof where, "credential #%zu", parsed + 1);
        char reason[sizeof entries[0].cred.disabled_reason];
        if (cred_entry_parse(item, where, &entries[parsed], &explicit_id[parsed], reason,
                             sizeof reason) != 0 &&
            reject_entry(item, reason, &entries[parsed], &explicit_id[parsed]) != 0)
            break;
    }
    if (parsed != n) {
        errbuf_set(err, err_size, "credentials: out of memory");
        pool_entries_free(entries, parsed);
        entries = NULL;
        goto done;
    }
    if (is_object_out)
        *is_object_out = cJSON_IsObject(root);
    assign_ids(entries, n, explicit_id);
    *out = entries;
    *count_out = n;
    entries = NULL;
    rc = 0;
done:
    free(explicit_id);
    free(entries);
    return rc;
}
