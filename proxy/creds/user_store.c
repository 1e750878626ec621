/* user_store.c: kiro-go's admin "user credentials" store; see user_store.h.
 *
 * File: {"users":[{activation_code,user_name,credentials:{...},created_at,updated_at}]} (a bare
 * array of entries is accepted when loading). A change is made in three steps: the new file
 * content is built from memory under the mutex, written with the mutex released, and only when
 * the write succeeded is memory changed. Changes (and loads) are serialised by a busy flag with
 * a condition variable, so list/get never wait for the disk and a failed write changes nothing. */
#include "util/errbuf.h"
#include "creds/user_store.h"
#include "creds/file_claim.h"

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <time.h>

#include "util/atomic_file.h"
#include "creds/credentials.h"
#include "log/log.h"
#include "util/clock.h"

#define USER_STORE_FILE_MAX_BYTES (16u << 20)
#define USER_STORE_MAX_ENTRIES 10000
#define ACTIVATION_CODE_MAX 128
#define USER_NAME_MAX_CHARS 256
#define USER_NAME_MAX_BYTES 1024
#define CREDENTIALS_JSON_MAX (64 * 1024)

typedef struct user_entry {
    char *code;
    char *user_name;
    cJSON *credentials; /* NULL when the entry has none */
    time_t expires_at;  /* from credentials.expiresAt; 0 = unknown */
    time_t created_at;
    time_t updated_at;
} user_entry;

struct user_store {
    pthread_mutex_t mu; /* guards the fields below; never held across file I/O */
    file_claim file; /* a change or load owns the file */
    char *path;    /* NULL: memory only */
    user_entry *entries;
    size_t count;
    size_t capacity;
};

static void entry_clear(user_entry *e)
{
    free(e->code);
    free(e->user_name);
    cJSON_Delete(e->credentials);
    memset(e, 0, sizeof *e);
}

static void entries_free(user_entry *entries, size_t n)
{
    if (!entries)
        return;
    for (size_t i = 0; i < n; i++)
        entry_clear(&entries[i]);
    free(entries);
}

/* ---- validation ---- */

static int valid_activation_code(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > ACTIVATION_CODE_MAX)
        return 0;
    for (; *s; s++) {
        char ch = *s;
        if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') ||
              ch == '_' || ch == '-'))
            return 0;
    }
    return 1;
}

/* At most USER_NAME_MAX_CHARS characters (UTF-8 code points), no control characters. */
static int valid_user_name(const char *s)
{
    if (strlen(s) > USER_NAME_MAX_BYTES)
        return 0;
    size_t chars = 0;
    for (; *s; s++) {
        unsigned char ch = (unsigned char)*s;
        if (ch < 0x20 || ch == 0x7f)
            return 0;
        if ((ch & 0xc0) != 0x80)
            chars++;
    }
    return chars <= USER_NAME_MAX_CHARS;
}

static int parse_time_field(const cJSON *item, time_t *out)
{
    *out = 0;
    if (!item || cJSON_IsNull(item))
        return 0;
    return cred_parse_expires_at(item, out); /* same forms: RFC 3339 or epoch s/ms */
}

/* Parses one entry (from a request body or the file). `where` prefixes error messages. */
static int parse_entry(const cJSON *obj, const char *where, int from_file, user_entry *out,
                       char *err, size_t err_size)
{
    memset(out, 0, sizeof *out);
    if (!cJSON_IsObject(obj)) {
        errbuf_set(err, err_size, "%s: must be a JSON object", where);
        return -1;
    }
    const cJSON *code = cJSON_GetObjectItemCaseSensitive(obj, "activation_code");
    if (!cJSON_IsString(code) || !valid_activation_code(code->valuestring)) {
        errbuf_set(err, err_size,
                  "%s: activation_code must be 1..%d characters of A-Z, a-z, 0-9, '_' and '-'",
                  where, ACTIVATION_CODE_MAX);
        return -1;
    }
    const cJSON *name = cJSON_GetObjectItemCaseSensitive(obj, "user_name");
    if (!cJSON_IsString(name) || !valid_user_name(name->valuestring)) {
        errbuf_set(err, err_size,
                  "%s: user_name must be a string of at most %d characters without control "
                  "characters",
                  where, USER_NAME_MAX_CHARS);
        return -1;
    }
    const cJSON *creds = cJSON_GetObjectItemCaseSensitive(obj, "credentials");
    if (creds && !cJSON_IsNull(creds)) {
        if (!cJSON_IsObject(creds)) {
            errbuf_set(err, err_size, "%s: credentials must be an object", where);
            return -1;
        }
        char detail[192];
        if (cred_validate_json(creds, detail, sizeof detail) != 0) {
            errbuf_set(err, err_size, "%s: %s", where, detail);
            return -1;
        }
        char *text = cJSON_PrintUnformatted(creds);
        size_t len = text ? strlen(text) : 0;
        free(text);
        if (!text || len > CREDENTIALS_JSON_MAX) {
            errbuf_set(err, err_size, "%s: credentials larger than %d bytes", where,
                      CREDENTIALS_JSON_MAX);
            return -1;
        }
        (void)cred_parse_expires_at(cJSON_GetObjectItemCaseSensitive(creds, "expiresAt"),
                                    &out->expires_at);
    }
    if (from_file && (parse_time_field(cJSON_GetObjectItemCaseSensitive(obj, "created_at"),
                                       &out->created_at) != 0 ||
                      parse_time_field(cJSON_GetObjectItemCaseSensitive(obj, "updated_at"),
                                       &out->updated_at) != 0)) {
        errbuf_set(err, err_size, "%s: created_at/updated_at must be RFC 3339 times", where);
        return -1;
    }
    out->code = strdup(code->valuestring);
    out->user_name = strdup(name->valuestring);
    out->credentials = creds && !cJSON_IsNull(creds) ? cJSON_Duplicate(creds, 1) : NULL;
    if (!out->code || !out->user_name || (creds && !cJSON_IsNull(creds) && !out->credentials)) {
        entry_clear(out);
        errbuf_set(err, err_size, "%s: out of memory", where);
        return -1;
    }
    return 0;
}

/* ---- JSON forms ---- */

static int add_time(cJSON *obj, const char *name, time_t t)
{
    if (t <= 0)
        return cJSON_AddNullToObject(obj, name) ? 0 : -1;
    char text[32];
    clock_format_rfc3339(t, text, sizeof text);
    return cJSON_AddStringToObject(obj, name, text) ? 0 : -1;
}

/* List form: never the credentials themselves. */
static cJSON *list_form(const user_entry *e)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    if (!cJSON_AddStringToObject(o, "activation_code", e->code) ||
        !cJSON_AddStringToObject(o, "user_name", e->user_name) ||
        !cJSON_AddBoolToObject(o, "has_credentials", e->credentials != NULL) ||
        add_time(o, "expires_at", e->expires_at) != 0 ||
        add_time(o, "created_at", e->created_at) != 0 ||
        add_time(o, "updated_at", e->updated_at) != 0) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static cJSON *file_form(const user_entry *e)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    int ok = cJSON_AddStringToObject(o, "activation_code", e->code) &&
             cJSON_AddStringToObject(o, "user_name", e->user_name);
    if (ok && e->credentials) {
        cJSON *copy = cJSON_Duplicate(e->credentials, 1);
        ok = copy && cJSON_AddItemToObject(o, "credentials", copy);
        if (!ok)
            cJSON_Delete(copy);
    }
    ok = ok && add_time(o, "created_at", e->created_at) == 0 &&
         add_time(o, "updated_at", e->updated_at) == 0;
    if (!ok) {
        cJSON_Delete(o);
        return NULL;
    }
    return o;
}

static ssize_t find_index(const user_store *s, const char *code)
{
    for (size_t i = 0; i < s->count; i++) {
        if (strcmp(s->entries[i].code, code) == 0)
            return (ssize_t)i;
    }
    return -1;
}

/* The file text for the current entries with one change: `replacement` put in place of the
 * entry at index `at` (or appended when at == count), or the entry at `at` removed when
 * replacement is NULL. Called with the mutex held; memory work only. */
static char *document_with_change(const user_store *s, size_t at, const user_entry *replacement)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *users = root ? cJSON_AddArrayToObject(root, "users") : NULL;
    int ok = users != NULL;
    for (size_t i = 0; ok && i <= s->count; i++) {
        const user_entry *e = i < s->count ? &s->entries[i] : NULL;
        if (i == at)
            e = replacement;
        if (!e)
            continue;
        cJSON *o = file_form(e);
        ok = o && cJSON_AddItemToArray(users, o);
        if (!ok)
            cJSON_Delete(o);
    }
    char *text = ok ? cJSON_Print(root) : NULL;
    cJSON_Delete(root);
    return text;
}

/* ---- file ownership (serialises changes and loads without holding the mutex) ---- */


/* Writes a document built by document_with_change; memory-only stores always succeed. */
static int persist(const user_store *s, char *text)
{
    if (!s->path) {
        free(text);
        return 0;
    }
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    size_t len = strlen(text);
    text[len] = '\n'; /* the NUL becomes the file's final newline */
    int rc = atomic_file_write(s->path, text, len + 1);
    int saved = errno;
    memset(text, 0, len + 1); /* it holds tokens */
    free(text);
    errno = saved;
    return rc;
}

/* ---- public API ---- */

user_store *user_store_new(const char *path)
{
    user_store *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    if (path && !(s->path = strdup(path))) {
        free(s);
        return NULL;
    }
    pthread_mutex_init(&s->mu, NULL);
    file_claim_init(&s->file, &s->mu);
    return s;
}

void user_store_free(user_store *s)
{
    if (!s)
        return;
    entries_free(s->entries, s->count);
    free(s->path);
    file_claim_destroy(&s->file);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

static int parse_document(const char *text, size_t len, user_entry **out, size_t *count_out,
                          char *err, size_t err_size)
{
    *out = NULL;
    *count_out = 0;
    cJSON *root = cJSON_ParseWithLength(text, len);
    if (!root) {
        errbuf_set(err, err_size, "not valid JSON");
        return -1;
    }
    const cJSON *users =
        cJSON_IsArray(root) ? root : cJSON_GetObjectItemCaseSensitive(root, "users");
    int rc = -1;
    user_entry *entries = NULL;
    size_t n = 0;
    if (cJSON_IsObject(root) && (!users || cJSON_IsNull(users))) {
        rc = 0; /* {} : an empty store */
        goto done;
    }
    if (!cJSON_IsArray(users)) {
        errbuf_set(err, err_size, "must be {\"users\":[...]} or an array");
        goto done;
    }
    size_t total = (size_t)cJSON_GetArraySize(users);
    if (total > USER_STORE_MAX_ENTRIES) {
        errbuf_set(err, err_size, "%zu entries, at most %d are allowed", total,
                  USER_STORE_MAX_ENTRIES);
        goto done;
    }
    entries = calloc(total ? total : 1, sizeof *entries);
    if (!entries) {
        errbuf_set(err, err_size, "out of memory");
        goto done;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, users)
    {
        char where[32];
        snprintf(where, sizeof where, "entry #%zu", n + 1);
        if (parse_entry(item, where, 1, &entries[n], err, err_size) != 0)
            goto done;
        for (size_t i = 0; i < n; i++) {
            if (strcmp(entries[i].code, entries[n].code) == 0) {
                errbuf_set(err, err_size, "%s: duplicate activation_code", where);
                entry_clear(&entries[n]);
                goto done;
            }
        }
        n++;
    }
    *out = entries;
    *count_out = n;
    entries = NULL;
    rc = 0;
done:
    entries_free(entries, n);
    cJSON_Delete(root);
    return rc;
}

int user_store_load(user_store *s, char *err, size_t err_size)
{
    if (!s || !s->path) {
        errbuf_set(err, err_size, "user store: no file configured");
        return -1;
    }
    file_claim_take(&s->file);
    size_t len = 0;
    user_entry *entries = NULL;
    size_t n = 0;
    int rc = 0;
    int absent;
    char *text = file_read_store(s->path, USER_STORE_FILE_MAX_BYTES, &len, &absent, err, err_size);
    if (!text) {
        rc = absent ? 0 : -1;
    } else {
        char detail[256];
        if (parse_document(text, len, &entries, &n, detail, sizeof detail) != 0) {
            errbuf_set(err, err_size, "%s: %s", s->path, detail);
            rc = -1;
        }
        memset(text, 0, len);
        free(text);
    }
    if (rc == 0) {
        pthread_mutex_lock(&s->mu);
        user_entry *old = s->entries;
        size_t old_count = s->count;
        s->entries = entries;
        s->count = n;
        s->capacity = entries ? (n ? n : 1) : 0;
        pthread_mutex_unlock(&s->mu);
        entries_free(old, old_count);
        rc = (int)n;
    }
    file_claim_release(&s->file);
    return rc;
}

cJSON *user_store_list_json(user_store *s)
{
    cJSON *array = cJSON_CreateArray();
    if (!array || !s)
        return array;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->count; i++) {
        cJSON *o = list_form(&s->entries[i]);
        if (!o || !cJSON_AddItemToArray(array, o)) {
            cJSON_Delete(o);
            cJSON_Delete(array);
            array = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return array;
}

cJSON *user_store_get_json(user_store *s, const char *code)
{
    if (!s || !code)
        return NULL;
    pthread_mutex_lock(&s->mu);
    ssize_t i = find_index(s, code);
    cJSON *o = i >= 0 ? list_form(&s->entries[i]) : NULL;
    pthread_mutex_unlock(&s->mu);
    return o;
}

int user_store_put(user_store *s, const cJSON *body, int *status, char *err, size_t err_size)
{
    int ignored;
    if (!status)
        status = &ignored;
    *status = 400;
    if (!s) {
        errbuf_set(err, err_size, "user store: missing");
        return -1;
    }
    user_entry fresh;
    if (parse_entry(body, "user", 0, &fresh, err, err_size) != 0)
        return -1;

    file_claim_take(&s->file);
    pthread_mutex_lock(&s->mu);
    ssize_t existing = find_index(s, fresh.code);
    time_t now = time(NULL);
    fresh.created_at = existing >= 0 ? s->entries[existing].created_at : now;
    fresh.updated_at = now;
    int full = existing < 0 && s->count >= USER_STORE_MAX_ENTRIES;
    if (!full && existing < 0 && s->count == s->capacity) {
        /* Grow now, so that applying the change after a successful write cannot fail. */
        size_t grown_capacity = s->capacity ? s->capacity * 2 : 8;
        user_entry *grown = realloc(s->entries, grown_capacity * sizeof *grown);
        if (grown) {
            s->entries = grown;
            s->capacity = grown_capacity;
        }
    }
    int no_room = existing < 0 && s->count == s->capacity;
    char *text = full || no_room
                     ? NULL
                     : document_with_change(s, existing >= 0 ? (size_t)existing : s->count, &fresh);
    pthread_mutex_unlock(&s->mu);

    /* A file the next load would refuse must not be written: refuse the change instead. */
    int too_large = text && strlen(text) + 1 > USER_STORE_FILE_MAX_BYTES;
    if (full || too_large) {
        if (full)
            errbuf_set(err, err_size, "user store: at most %d entries", USER_STORE_MAX_ENTRIES);
        else
            errbuf_set(err, err_size, "user store: the file would exceed %u bytes",
                      USER_STORE_FILE_MAX_BYTES);
        if (text)
            memset(text, 0, strlen(text)); /* it holds tokens */
        free(text);
        entry_clear(&fresh);
        file_claim_release(&s->file);
        return -1;
    }
    if (no_room || !text || persist(s, text) != 0) {
        int saved = errno;
        *status = 500;
        errbuf_set(err, err_size, "user store: saving failed: %s",
                  no_room || !text ? "out of memory" : strerror(saved));
        LOG_ERROR("user store: saving %s failed: %s", s->path ? s->path : "(memory)",
                  no_room || !text ? "out of memory" : strerror(saved));
        entry_clear(&fresh);
        file_claim_release(&s->file);
        return -1;
    }

    user_entry replaced = {0};
    pthread_mutex_lock(&s->mu);
    if (existing >= 0) {
        replaced = s->entries[existing];
        s->entries[existing] = fresh;
    } else {
        s->entries[s->count++] = fresh;
    }
    pthread_mutex_unlock(&s->mu);
    entry_clear(&replaced);
    file_claim_release(&s->file);
    *status = 200;
    return 0;
}

int user_store_delete(user_store *s, const char *code)
{
    if (!s || !code)
        return 1;
    file_claim_take(&s->file);
    pthread_mutex_lock(&s->mu);
    ssize_t i = find_index(s, code);
    char *text = i >= 0 ? document_with_change(s, (size_t)i, NULL) : NULL;
    pthread_mutex_unlock(&s->mu);
    if (i < 0) {
        file_claim_release(&s->file);
        return 1;
    }
    if ((s->path && !text) || persist(s, text) != 0) {
        LOG_ERROR("user store: saving %s failed: %s", s->path, strerror(errno));
        file_claim_release(&s->file);
        return -1;
    }
    pthread_mutex_lock(&s->mu);
    user_entry removed = s->entries[i];
    memmove(&s->entries[i], &s->entries[i + 1], (s->count - (size_t)i - 1) * sizeof *s->entries);
    s->count--;
    pthread_mutex_unlock(&s->mu);
    entry_clear(&removed);
    file_claim_release(&s->file);
    return 0;
}

size_t user_store_count(user_store *s)
{
    if (!s)
        return 0;
    pthread_mutex_lock(&s->mu);
    size_t n = s->count;
    pthread_mutex_unlock(&s->mu);
    return n;
}

cJSON *user_store_credentials_json(user_store *s)
{
    cJSON *array = cJSON_CreateArray();
    if (!array || !s)
        return array;
    pthread_mutex_lock(&s->mu);
    for (size_t i = 0; i < s->count; i++) {
        if (!s->entries[i].credentials)
            continue;
        cJSON *copy = cJSON_Duplicate(s->entries[i].credentials, 1);
        if (!copy || !cJSON_AddItemToArray(array, copy)) {
            cJSON_Delete(copy);
            cJSON_Delete(array);
            array = NULL;
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return array;
}
