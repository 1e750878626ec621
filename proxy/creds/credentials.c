/* credentials.c: the pool of Kiro credentials: parsing credentials.json, choosing a credential
 * for a request, recording outcomes, and the refresher's copy/store side; see credentials.h.
 *
 * The mutex guards memory only. Anything slow happens outside it: parsing a file builds a new
 * array that is swapped in under the lock; saving copies the pool into a JSON tree under the
 * lock and writes it after releasing it. */
#include "util/errbuf.h"
#include "creds/credentials.h"
#include "creds/file_claim.h"

#include <ctype.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "util/atomic_file.h"
#include "creds/sha256.h"
#include "log/log.h"
#include "util/clock.h"
#include "util/secret.h"

#define CLIENT_FIELD_MAX 8192
#define PRIORITY_LIMIT 1000000
/* Backoff after failed refreshes: 30 s doubling up to 30 minutes. */
#define REFRESH_BACKOFF_BASE_S 30
#define REFRESH_BACKOFF_MAX_S 1800

typedef struct pool_entry {
    credential cred;
    cJSON *extra;                /* fields this code does not know, written back on save */
    int disabled_in_file;        /* "disabled": true in the file: the only disable we persist */
    int disabled_by_refresh;     /* disabled because the refresh token was rejected */
    int refresh_failures;        /* consecutive failed refreshes */
    time_t next_refresh_attempt; /* backoff: not due before this */
} pool_entry;

struct cred_pool {
    pthread_mutex_t mu;
    file_claim file;          /* one save or load of the file at a time */
    char *path;
    pool_entry *entries;
    size_t count;
    size_t next_index; /* round-robin cursor */
};

/* Known credential fields; anything else is kept in pool_entry.extra. */
static const char *const known_fields[] = {
    "id",         "accessToken", "refreshToken", "profileArn", "expiresAt",
    "authMethod", "clientId",    "clientSecret", "region",     "authRegion",
    "apiRegion",  "machineId",   "disabled",     "priority",
};

static char *dup_or_null(const char *s)
{
    return s ? strdup(s) : NULL;
}

void credential_clear(credential *c)
{
    if (!c)
        return;
    free(c->access_token);
    free(c->refresh_token);
    free(c->profile_arn);
    free(c->client_id);
    free(c->client_secret);
    memset(c, 0, sizeof *c);
}

void cred_list_free(credential *list, size_t n)
{
    if (!list)
        return;
    for (size_t i = 0; i < n; i++)
        credential_clear(&list[i]);
    free(list);
}

static void entry_clear(pool_entry *e)
{
    credential_clear(&e->cred);
    cJSON_Delete(e->extra);
    memset(e, 0, sizeof *e);
}

static void entries_free(pool_entry *entries, size_t n)
{
    if (!entries)
        return;
    for (size_t i = 0; i < n; i++)
        entry_clear(&entries[i]);
    free(entries);
}

/* Deep copy; returns 0 or -1 (out cleared) when memory runs out. */
static int credential_copy(const credential *src, credential *out)
{
    *out = *src;
    out->access_token = dup_or_null(src->access_token);
    out->refresh_token = dup_or_null(src->refresh_token);
    out->profile_arn = dup_or_null(src->profile_arn);
    out->client_id = dup_or_null(src->client_id);
    out->client_secret = dup_or_null(src->client_secret);
    if ((src->access_token && !out->access_token) || (src->refresh_token && !out->refresh_token) ||
        (src->profile_arn && !out->profile_arn) || (src->client_id && !out->client_id) ||
        (src->client_secret && !out->client_secret)) {
        credential_clear(out);
        return -1;
    }
    return 0;
}

/* ---- parsing ---- */

int cred_is_header_safe(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
            return 0;
    }
    return 1;
}

static int is_region_name(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= sizeof(((credential *)0)->region))
        return 0;
    for (; *s; s++) {
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
            return 0;
    }
    return 1;
}

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
    if (header_safe && !cred_is_header_safe(value)) {
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
    if (!cJSON_IsString(item) || !is_region_name(item->valuestring)) {
        errbuf_set(err, err_size, "%s: field \"%s\" must be a region name like us-east-1", where,
                  name);
        return -1;
    }
    snprintf(out, size, "%s", item->valuestring);
    return 0;
}

static int whole_number(const cJSON *item, double min, double max, long long *out)
{
    if (!cJSON_IsNumber(item))
        return -1;
    double v = item->valuedouble;
    if (!(v >= min && v <= max) || (double)(long long)v != v)
        return -1;
    *out = (long long)v;
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

static int parse_auth_method(const char *text, auth_method *out)
{
    if (strcasecmp(text, "social") == 0) {
        *out = AUTH_SOCIAL;
        return 0;
    }
    if (strcasecmp(text, "idc") == 0 || strcasecmp(text, "builder-id") == 0 ||
        strcasecmp(text, "builderid") == 0) {
        *out = AUTH_IDC;
        return 0;
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

/* Parses one credential object into e. *explicit_id is set when the object had an id. */
static int parse_entry(const cJSON *obj, const char *where, pool_entry *e, int *explicit_id,
                       char *err, size_t err_size)
{
    memset(e, 0, sizeof *e);
    credential *c = &e->cred;
    *explicit_id = 0;
    if (!cJSON_IsObject(obj)) {
        errbuf_set(err, err_size, "%s: must be a JSON object", where);
        return -1;
    }

    const cJSON *id = cJSON_GetObjectItemCaseSensitive(obj, "id");
    if (id && !cJSON_IsNull(id)) {
        long long value;
        if (whole_number(id, 1, 2147483647.0, &value) != 0) {
            errbuf_set(err, err_size, "%s: field \"id\" must be a positive whole number", where);
            return -1;
        }
        c->id = (int)value;
        *explicit_id = 1;
    }

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
        goto fail;
    if (!c->access_token && !c->refresh_token) {
        errbuf_set(err, err_size, "%s: needs a refreshToken or an accessToken", where);
        goto fail;
    }

    if (cred_parse_expires_at(cJSON_GetObjectItemCaseSensitive(obj, "expiresAt"), &c->expires_at) !=
        0) {
        errbuf_set(err, err_size,
                  "%s: field \"expiresAt\" must be an RFC 3339 time or epoch seconds/ms", where);
        goto fail;
    }

    c->method = AUTH_SOCIAL;
    const cJSON *method = cJSON_GetObjectItemCaseSensitive(obj, "authMethod");
    if (method && !cJSON_IsNull(method)) {
        if (!cJSON_IsString(method) || parse_auth_method(method->valuestring, &c->method) != 0) {
            errbuf_set(err, err_size,
                      "%s: field \"authMethod\" must be \"social\", \"idc\" or \"builder-id\"",
                      where);
            goto fail;
        }
    }

    /* region: the account's region (default us-east-1); authRegion defaults to it; apiRegion,
     * when present, replaces it for upstream calls. */
    char account_region[sizeof c->region] = "us-east-1";
    if (optional_region(obj, "region", account_region, sizeof account_region, where, err,
                        err_size) != 0)
        goto fail;
    snprintf(c->auth_region, sizeof c->auth_region, "%s", account_region);
    snprintf(c->region, sizeof c->region, "%s", account_region);
    if (optional_region(obj, "authRegion", c->auth_region, sizeof c->auth_region, where, err,
                        err_size) != 0 ||
        optional_region(obj, "apiRegion", c->region, sizeof c->region, where, err, err_size) != 0)
        goto fail;

    const cJSON *machine = cJSON_GetObjectItemCaseSensitive(obj, "machineId");
    if (machine && !cJSON_IsNull(machine) && !(cJSON_IsString(machine) && !*machine->valuestring)) {
        if (!cJSON_IsString(machine) || !is_machine_id(machine->valuestring)) {
            errbuf_set(err, err_size,
                      "%s: field \"machineId\" must be 1..64 characters of [A-Za-z0-9._-]", where);
            goto fail;
        }
        snprintf(c->machine_id, sizeof c->machine_id, "%s", machine->valuestring);
    } else {
        const char *seed = c->refresh_token ? c->refresh_token : c->access_token;
        sha256_hex(seed, strlen(seed), c->machine_id);
    }

    const cJSON *disabled = cJSON_GetObjectItemCaseSensitive(obj, "disabled");
    if (disabled && !cJSON_IsNull(disabled)) {
        if (!cJSON_IsBool(disabled)) {
            errbuf_set(err, err_size, "%s: field \"disabled\" must be true or false", where);
            goto fail;
        }
        e->disabled_in_file = cJSON_IsTrue(disabled);
        c->disabled = e->disabled_in_file;
        if (c->disabled)
            snprintf(c->disabled_reason, sizeof c->disabled_reason, "disabled in file");
    }

    const cJSON *priority = cJSON_GetObjectItemCaseSensitive(obj, "priority");
    if (priority && !cJSON_IsNull(priority)) {
        long long value;
        if (whole_number(priority, -PRIORITY_LIMIT, PRIORITY_LIMIT, &value) != 0) {
            errbuf_set(err, err_size, "%s: field \"priority\" must be a whole number within +-%d",
                      where, PRIORITY_LIMIT);
            goto fail;
        }
        c->priority = (int)value;
    }

    if (collect_extra_fields(obj, &e->extra) != 0) {
        errbuf_set(err, err_size, "%s: out of memory", where);
        goto fail;
    }
    return 0;
fail:
    entry_clear(e);
    return -1;
}

int cred_validate_json(const cJSON *object, char *err, size_t err_size)
{
    pool_entry e;
    int explicit_id;
    if (parse_entry(object, "credentials", &e, &explicit_id, err, err_size) != 0)
        return -1;
    entry_clear(&e);
    return 0;
}

static int id_taken(const pool_entry *entries, size_t n, int id)
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
        if (explicit_id[i] && id_taken(entries, i, entries[i].cred.id)) {
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
        if (candidate == 0 || id_taken(entries, n, candidate))
            candidate = max_id + 1;
        entries[i].cred.id = candidate;
        if (candidate > max_id)
            max_id = candidate;
    }
}

/* Parses a whole credentials document (array or one object) into a new entry array. */
static int parse_document(const char *json, size_t len, pool_entry **out, size_t *count_out,
                          char *err, size_t err_size)
{
    *out = NULL;
    *count_out = 0;
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) {
        errbuf_set(err, err_size, "credentials: not valid JSON");
        return -1;
    }
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
        if (parse_entry(item, where, &entries[parsed], &explicit_id[parsed], err, err_size) != 0)
            break;
    }
    if (parsed != n) {
        entries_free(entries, parsed);
        entries = NULL;
        goto done;
    }
    assign_ids(entries, n, explicit_id);
    *out = entries;
    *count_out = n;
    entries = NULL;
    rc = 0;
done:
    free(explicit_id);
    free(entries);
    cJSON_Delete(root);
    return rc;
}

/* ---- pool ---- */

cred_pool *cred_pool_new(const char *path)
{
    cred_pool *p = calloc(1, sizeof *p);
    if (!p)
        return NULL;
    if (path && !(p->path = strdup(path))) {
        free(p);
        return NULL;
    }
    pthread_mutex_init(&p->mu, NULL);
    file_claim_init(&p->file, &p->mu);
    return p;
}

void cred_pool_free(cred_pool *p)
{
    if (!p)
        return;
    entries_free(p->entries, p->count);
    free(p->path);
    file_claim_destroy(&p->file);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

static void replace_entries(cred_pool *p, pool_entry *entries, size_t n)
{
    pthread_mutex_lock(&p->mu);
    pool_entry *old = p->entries;
    size_t old_count = p->count;
    p->entries = entries;
    p->count = n;
    p->next_index = 0;
    pthread_mutex_unlock(&p->mu);
    entries_free(old, old_count);
}

int cred_pool_load_json(cred_pool *p, const char *json, size_t len, char *err, size_t err_size)
{
    if (!p || !json) {
        errbuf_set(err, err_size, "credentials: no input");
        return -1;
    }
    if (len > CRED_FILE_MAX_BYTES) {
        errbuf_set(err, err_size, "credentials: larger than %u bytes", CRED_FILE_MAX_BYTES);
        return -1;
    }
    pool_entry *entries;
    size_t n;
    if (parse_document(json, len, &entries, &n, err, err_size) != 0)
        return -1;
    replace_entries(p, entries, n);
    return (int)n;
}

int cred_pool_load(cred_pool *p, char *err, size_t err_size)
{
    if (!p || !p->path) {
        errbuf_set(err, err_size, "credentials: no file configured");
        return -1;
    }
    file_claim_take(&p->file);
    size_t len = 0;
    int rc;
    char *text = file_read_all(p->path, CRED_FILE_MAX_BYTES, &len);
    if (!text) {
        if (errno == ENOENT) {
            replace_entries(p, NULL, 0);
            rc = 0;
        } else if (errno == EFBIG) {
            errbuf_set(err, err_size, "%s: larger than %u bytes", p->path, CRED_FILE_MAX_BYTES);
            rc = -1;
        } else {
            errbuf_set(err, err_size, "%s: %s", p->path, strerror(errno));
            rc = -1;
        }
    } else {
        char detail[256];
        rc = cred_pool_load_json(p, text, len, detail, sizeof detail);
        if (rc < 0)
            errbuf_set(err, err_size, "%s: %s", p->path, detail);
        free(text);
    }
    file_claim_release(&p->file);
    return rc;
}

int cred_pool_add_json(cred_pool *p, const cJSON *object, char *err, size_t err_size)
{
    if (!p) {
        errbuf_set(err, err_size, "credentials: no pool");
        return -1;
    }
    pool_entry e;
    int explicit_id;
    if (parse_entry(object, "credential", &e, &explicit_id, err, err_size) != 0)
        return -1;
    pthread_mutex_lock(&p->mu);
    if (p->count >= CRED_MAX_ENTRIES) {
        pthread_mutex_unlock(&p->mu);
        errbuf_set(err, err_size, "credentials: the pool already holds %d entries",
                  CRED_MAX_ENTRIES);
        entry_clear(&e);
        return -1;
    }
    pool_entry *grown = realloc(p->entries, (p->count + 1) * sizeof *grown);
    if (!grown) {
        pthread_mutex_unlock(&p->mu);
        errbuf_set(err, err_size, "credentials: out of memory");
        entry_clear(&e);
        return -1;
    }
    p->entries = grown;
    if (!explicit_id || id_taken(p->entries, p->count, e.cred.id)) {
        int max_id = 0;
        for (size_t i = 0; i < p->count; i++) {
            if (p->entries[i].cred.id > max_id)
                max_id = p->entries[i].cred.id;
        }
        e.cred.id = max_id + 1;
    }
    int id = e.cred.id;
    p->entries[p->count++] = e;
    pthread_mutex_unlock(&p->mu);
    return id;
}

size_t cred_pool_count(cred_pool *p)
{
    if (!p)
        return 0;
    pthread_mutex_lock(&p->mu);
    size_t n = p->count;
    pthread_mutex_unlock(&p->mu);
    return n;
}

static pool_entry *find_entry(cred_pool *p, int id)
{
    for (size_t i = 0; i < p->count; i++) {
        if (p->entries[i].cred.id == id)
            return &p->entries[i];
    }
    return NULL;
}

static int is_excluded(int id, const int *exclude, size_t n_exclude)
{
    for (size_t i = 0; exclude && i < n_exclude; i++) {
        if (exclude[i] == id)
            return 1;
    }
    return 0;
}

static int token_valid_at(const credential *c, time_t now)
{
    return c->access_token && (c->expires_at == 0 || c->expires_at > now);
}

size_t cred_pool_usable_count(cred_pool *p, time_t now)
{
    if (!p)
        return 0;
    pthread_mutex_lock(&p->mu);
    size_t n = 0;
    for (size_t i = 0; i < p->count; i++)
        if (!p->entries[i].cred.disabled && token_valid_at(&p->entries[i].cred, now))
            n++;
    pthread_mutex_unlock(&p->mu);
    return n;
}

int cred_pool_acquire(cred_pool *p, const int *exclude, size_t n_exclude, time_t now,
                      cred_snapshot *out)
{
    if (!p || !out)
        return -1;
    pthread_mutex_lock(&p->mu);
    const credential *best = NULL;
    size_t best_index = 0;
    for (size_t k = 0; k < p->count; k++) {
        /* Scan from the round-robin cursor: the first of the best rank wins, so equal
         * credentials take turns. */
        size_t i = (p->next_index + k) % p->count;
        const credential *c = &p->entries[i].cred;
        if (c->disabled || !token_valid_at(c, now) || is_excluded(c->id, exclude, n_exclude))
            continue;
        if (!best || c->needs_refresh < best->needs_refresh ||
            (c->needs_refresh == best->needs_refresh && c->priority < best->priority)) {
            best = c;
            best_index = i;
        }
    }
    if (!best) {
        pthread_mutex_unlock(&p->mu);
        return -1;
    }
    memset(out, 0, sizeof *out);
    out->id = best->id;
    snprintf(out->access_token, sizeof out->access_token, "%s", best->access_token);
    snprintf(out->profile_arn, sizeof out->profile_arn, "%s",
             best->profile_arn ? best->profile_arn : "");
    snprintf(out->region, sizeof out->region, "%s", best->region);
    snprintf(out->machine_id, sizeof out->machine_id, "%s", best->machine_id);
    out->method = best->method;
    p->next_index = best_index + 1;
    pthread_mutex_unlock(&p->mu);
    return 0;
}

void cred_pool_report(cred_pool *p, int id, cred_outcome outcome, const char *detail)
{
    if (!p)
        return;
    int disabled_now = 0;
    pthread_mutex_lock(&p->mu);
    pool_entry *e = find_entry(p, id);
    if (e) {
        credential *c = &e->cred;
        switch (outcome) {
        case CRED_OUTCOME_OK:
            c->failure_count = 0;
            break;
        case CRED_OUTCOME_AUTH_FAILED:
            c->failure_count++;
            c->needs_refresh = 1;
            break;
        case CRED_OUTCOME_QUOTA:
            disabled_now = !c->disabled;
            c->disabled = 1;
            snprintf(c->disabled_reason, sizeof c->disabled_reason, "quota exhausted");
            break;
        case CRED_OUTCOME_TRANSIENT:
            c->failure_count++;
            break;
        }
        if (outcome != CRED_OUTCOME_OK && detail)
            snprintf(c->last_error, sizeof c->last_error, "%s", detail);
    }
    pthread_mutex_unlock(&p->mu);
    if (disabled_now)
        LOG_WARN("credentials: credential %d disabled: quota exhausted", id);
}

size_t cred_pool_due_for_refresh(cred_pool *p, time_t now, int margin_s, credential **out)
{
    *out = NULL;
    if (!p)
        return 0;
    pthread_mutex_lock(&p->mu);
    credential *list = p->count ? calloc(p->count, sizeof *list) : NULL;
    size_t n = 0;
    for (size_t i = 0; list && i < p->count; i++) {
        const pool_entry *e = &p->entries[i];
        const credential *c = &e->cred;
        if (c->disabled || !c->refresh_token || now < e->next_refresh_attempt)
            continue;
        int due = c->needs_refresh || !c->access_token || c->expires_at == 0 ||
                  c->expires_at - margin_s <= now;
        if (!due)
            continue;
        if (credential_copy(c, &list[n]) != 0)
            break;
        n++;
    }
    pthread_mutex_unlock(&p->mu);
    if (n == 0) {
        free(list);
        return 0;
    }
    *out = list;
    return n;
}

int cred_pool_copy(cred_pool *p, int id, credential *out)
{
    if (!p || !out)
        return -1;
    pthread_mutex_lock(&p->mu);
    pool_entry *e = find_entry(p, id);
    int rc = e ? credential_copy(&e->cred, out) : -1;
    pthread_mutex_unlock(&p->mu);
    return rc;
}

static int same_string(const char *a, const char *b)
{
    return (!a && !b) || (a && b && strcmp(a, b) == 0);
}

/* The entry for id, provided it still is the credential `used` (NULL: any). */
static pool_entry *find_current(cred_pool *p, int id, const credential *used)
{
    pool_entry *e = find_entry(p, id);
    if (e && used && !same_string(e->cred.refresh_token, used->refresh_token))
        return NULL;
    return e;
}

static int store_refresh(cred_pool *p, int id, const credential *used, const char *access_token,
                         const char *refresh_token, const char *profile_arn, time_t expires_at)
{
    if (!p || !access_token || !*access_token || strlen(access_token) > CRED_ACCESS_TOKEN_MAX ||
        !cred_is_header_safe(access_token) ||
        (refresh_token && strlen(refresh_token) > CRED_REFRESH_TOKEN_MAX) ||
        (profile_arn &&
         (strlen(profile_arn) > CRED_PROFILE_ARN_MAX || !cred_is_header_safe(profile_arn))))
        return -1;
    /* Allocate before locking; free the replaced strings after unlocking. */
    char *new_access = strdup(access_token);
    char *new_refresh = refresh_token && *refresh_token ? strdup(refresh_token) : NULL;
    char *new_arn = profile_arn && *profile_arn ? strdup(profile_arn) : NULL;
    if (!new_access || (refresh_token && *refresh_token && !new_refresh) ||
        (profile_arn && *profile_arn && !new_arn)) {
        free(new_access);
        free(new_refresh);
        free(new_arn);
        return -1;
    }
    pthread_mutex_lock(&p->mu);
    pool_entry *e = find_current(p, id, used);
    if (!e) {
        pthread_mutex_unlock(&p->mu);
        free(new_access);
        free(new_refresh);
        free(new_arn);
        return -1;
    }
    credential *c = &e->cred;
    char *old_access = c->access_token;
    c->access_token = new_access;
    char *old_refresh = NULL, *old_arn = NULL;
    if (new_refresh) {
        old_refresh = c->refresh_token;
        c->refresh_token = new_refresh;
    }
    if (new_arn) {
        old_arn = c->profile_arn;
        c->profile_arn = new_arn;
    }
    c->expires_at = expires_at;
    c->needs_refresh = 0;
    c->failure_count = 0;
    c->refresh_count++;
    c->last_refresh = time(NULL);
    c->last_error[0] = '\0';
    e->refresh_failures = 0;
    e->next_refresh_attempt = 0;
    if (e->disabled_by_refresh) {
        e->disabled_by_refresh = 0;
        c->disabled = e->disabled_in_file;
        c->disabled_reason[0] = '\0';
    }
    pthread_mutex_unlock(&p->mu);
    free(old_access);
    free(old_refresh);
    free(old_arn);
    return 0;
}

int cred_pool_store_refresh(cred_pool *p, int id, const char *access_token,
                            const char *refresh_token, const char *profile_arn, time_t expires_at)
{
    return store_refresh(p, id, NULL, access_token, refresh_token, profile_arn, expires_at);
}

int cred_pool_store_refresh_of(cred_pool *p, const credential *used, const char *access_token,
                               const char *refresh_token, const char *profile_arn,
                               time_t expires_at)
{
    if (!used)
        return -1;
    return store_refresh(p, used->id, used, access_token, refresh_token, profile_arn, expires_at);
}

static int refresh_failed(cred_pool *p, int id, const credential *used, const char *error, int dead)
{
    if (!p)
        return -1;
    time_t now = time(NULL);
    pthread_mutex_lock(&p->mu);
    pool_entry *e = find_current(p, id, used);
    if (!e) {
        pthread_mutex_unlock(&p->mu);
        return -1;
    }
    credential *c = &e->cred;
    snprintf(c->last_error, sizeof c->last_error, "refresh: %s", error ? error : "failed");
    e->refresh_failures++;
    int shift = e->refresh_failures - 1 < 6 ? e->refresh_failures - 1 : 6;
    long delay = (long)REFRESH_BACKOFF_BASE_S << shift;
    e->next_refresh_attempt = now + (delay < REFRESH_BACKOFF_MAX_S ? delay : REFRESH_BACKOFF_MAX_S);
    /* A rejected refresh token only retires the credential once its access token is no use:
     * a token that is still valid (and not refused upstream) keeps serving until it expires. */
    int access_usable = token_valid_at(c, now) && !c->needs_refresh;
    int disabled_now = 0;
    if (dead && !access_usable && !c->disabled) {
        c->disabled = 1;
        e->disabled_by_refresh = 1;
        snprintf(c->disabled_reason, sizeof c->disabled_reason, "refresh token rejected");
        disabled_now = 1;
    }
    pthread_mutex_unlock(&p->mu);
    if (disabled_now)
        LOG_WARN("credentials: credential %d disabled: refresh token rejected", id);
    return 0;
}

void cred_pool_refresh_failed(cred_pool *p, int id, const char *error, int dead)
{
    (void)refresh_failed(p, id, NULL, error, dead);
}

int cred_pool_refresh_failed_of(cred_pool *p, const credential *used, const char *error, int dead)
{
    if (!used)
        return -1;
    return refresh_failed(p, used->id, used, error, dead);
}

/* ---- views and persistence ---- */

static const char *auth_method_name(auth_method m)
{
    return m == AUTH_IDC ? "idc" : "social";
}

static int add_string_or_null(cJSON *obj, const char *name, const char *value)
{
    cJSON *item = value ? cJSON_CreateString(value) : cJSON_CreateNull();
    if (!item || !cJSON_AddItemToObject(obj, name, item)) {
        cJSON_Delete(item);
        return -1;
    }
    return 0;
}

static int add_time(cJSON *obj, const char *name, time_t t)
{
    char text[32];
    if (t <= 0)
        return add_string_or_null(obj, name, NULL);
    clock_format_rfc3339(t, text, sizeof text);
    return add_string_or_null(obj, name, text);
}

static int add_masked(cJSON *obj, const char *name, const char *secret)
{
    char masked[SECRET_MASK_SIZE];
    secret_mask(secret, masked, sizeof masked);
    return add_string_or_null(obj, name, masked);
}

static cJSON *view_entry(const pool_entry *e)
{
    const credential *c = &e->cred;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    int ok =
        cJSON_AddNumberToObject(o, "id", c->id) &&
        cJSON_AddNumberToObject(o, "priority", c->priority) &&
        cJSON_AddBoolToObject(o, "disabled", c->disabled) &&
        add_string_or_null(o, "disabledReason",
                           c->disabled && c->disabled_reason[0] ? c->disabled_reason : NULL) == 0 &&
        cJSON_AddNumberToObject(o, "failureCount", c->failure_count) &&
        add_time(o, "expiresAt", c->expires_at) == 0 &&
        add_string_or_null(o, "authMethod", auth_method_name(c->method)) == 0 &&
        add_string_or_null(o, "region", c->region) == 0 &&
        add_string_or_null(o, "authRegion", c->auth_region) == 0 &&
        add_masked(o, "accessToken", c->access_token) == 0 &&
        add_masked(o, "refreshToken", c->refresh_token) == 0 &&
        cJSON_AddBoolToObject(o, "needsRefresh", c->needs_refresh) &&
        cJSON_AddNumberToObject(o, "refreshCount", (double)c->refresh_count) &&
        add_time(o, "lastRefresh", c->last_refresh) == 0 &&
        add_string_or_null(o, "lastError", c->last_error[0] ? c->last_error : NULL) == 0;
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

cJSON *cred_pool_view_json(cred_pool *p)
{
    cJSON *array = cJSON_CreateArray();
    if (!array || !p)
        return array;
    pthread_mutex_lock(&p->mu);
    for (size_t i = 0; i < p->count; i++) {
        cJSON *o = view_entry(&p->entries[i]);
        if (!o || !cJSON_AddItemToArray(array, o)) {
            cJSON_Delete(o);
            cJSON_Delete(array);
            array = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&p->mu);
    return array;
}

/* The file form of one credential: known fields, then the unknown ones it was loaded with. */
static cJSON *file_entry(const pool_entry *e)
{
    const credential *c = &e->cred;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    int ok = cJSON_AddNumberToObject(o, "id", c->id) != NULL;
    if (ok && c->access_token)
        ok = add_string_or_null(o, "accessToken", c->access_token) == 0;
    if (ok && c->refresh_token)
        ok = add_string_or_null(o, "refreshToken", c->refresh_token) == 0;
    if (ok && c->profile_arn)
        ok = add_string_or_null(o, "profileArn", c->profile_arn) == 0;
    if (ok && c->expires_at > 0)
        ok = add_time(o, "expiresAt", c->expires_at) == 0;
    if (ok)
        ok = add_string_or_null(o, "authMethod", auth_method_name(c->method)) == 0;
    if (ok && c->client_id)
        ok = add_string_or_null(o, "clientId", c->client_id) == 0;
    if (ok && c->client_secret)
        ok = add_string_or_null(o, "clientSecret", c->client_secret) == 0;
    /* region is written as the upstream region, so apiRegion is not needed to reload it. */
    ok = ok && add_string_or_null(o, "region", c->region) == 0 &&
         add_string_or_null(o, "authRegion", c->auth_region) == 0 &&
         add_string_or_null(o, "machineId", c->machine_id) == 0 &&
         cJSON_AddBoolToObject(o, "disabled", e->disabled_in_file) &&
         cJSON_AddNumberToObject(o, "priority", c->priority);
    const cJSON *field;
    cJSON_ArrayForEach(field, e->extra)
    {
        if (!ok)
            break;
        cJSON *copy = cJSON_Duplicate(field, 1);
        ok = copy && cJSON_AddItemToObject(o, field->string, copy);
        if (!ok)
            cJSON_Delete(copy);
    }
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

int cred_pool_save(cred_pool *p)
{
    if (!p)
        return -1;
    if (!p->path)
        return 0;
    file_claim_take(&p->file);
    pthread_mutex_lock(&p->mu);
    cJSON *array = cJSON_CreateArray();
    for (size_t i = 0; array && i < p->count; i++) {
        cJSON *o = file_entry(&p->entries[i]);
        if (!o || !cJSON_AddItemToArray(array, o)) {
            cJSON_Delete(o);
            cJSON_Delete(array);
            array = NULL;
        }
    }
    pthread_mutex_unlock(&p->mu);

    int rc = -1;
    char *text = array ? cJSON_Print(array) : NULL;
    cJSON_Delete(array);
    if (text) {
        size_t len = strlen(text);
        text[len] = '\n'; /* cJSON_Print's NUL becomes the final newline */
        if (len + 1 > CRED_FILE_MAX_BYTES) {
            /* A file load would refuse: keep the old one instead. */
            errno = EFBIG;
        } else {
            rc = atomic_file_write(p->path, text, len + 1);
        }
        int saved = errno;
        /* The text holds every token: wipe it before handing the memory back. */
        memset(text, 0, len + 1);
        free(text);
        if (rc != 0)
            LOG_ERROR("credentials: saving %s failed: %s", p->path, strerror(saved));
    } else {
        LOG_ERROR("credentials: saving %s failed: out of memory", p->path);
    }
    file_claim_release(&p->file);
    return rc;
}
