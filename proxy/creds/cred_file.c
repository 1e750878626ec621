/* cred_file.c: the pool's file side: loading credentials.json (or JSON text) into the pool and
 * saving the pool back, atomically and with mode 0600; see credentials.h.
 *
 * Loads and saves are serialised by the pool's file claim, never by holding its mutex across
 * the disk: a load parses into a new array and swaps it in; a save copies the pool into a JSON
 * tree under the lock and writes it after releasing it. A file that cannot be parsed is never
 * replaced: the pool keeps its previous content. A save keeps the fields the file had that
 * this code does not know. */
#include "creds/cred_entry.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "creds/cred_json_fields.h"
#include "creds/cred_parse.h"
#include "log/log.h"
#include "util/atomic_file.h"
#include "util/errbuf.h"

/* Swaps parsed entries in, remembering the document's shape for saves. */
static void install(cred_pool *p, pool_entry *entries, size_t n, int is_object)
{
    pool_replace_entries(p, entries, n);
    pthread_mutex_lock(&p->mu);
    p->file_is_object = is_object;
    pthread_mutex_unlock(&p->mu);
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
    int is_object = 0;
    if (cred_document_parse(json, len, &entries, &n, &is_object, err, err_size) != 0)
        return -1;
    install(p, entries, n, is_object);
    return (int)n;
}

int cred_pool_load_tree(cred_pool *p, const cJSON *doc, char *err, size_t err_size)
{
    if (!p || !doc) {
        errbuf_set(err, err_size, "credentials: no input");
        return -1;
    }
    pool_entry *entries;
    size_t n;
    int is_object = 0;
    if (cred_document_parse_tree(doc, &entries, &n, &is_object, err, err_size) != 0)
        return -1;
    install(p, entries, n, is_object);
    return (int)n;
}

/* The load itself; the file claim is held. */
static int load_claimed(cred_pool *p, char *err, size_t err_size)
{
    file_sig before;
    file_sig_read(p->path, &before);
    size_t len = 0;
    int rc, absent;
    char *text = file_read_store(p->path, CRED_FILE_MAX_BYTES, &len, &absent, err, err_size);
    if (!text) {
        rc = absent ? 0 : -1;
        if (absent)
            pool_replace_entries(p, NULL, 0);
    } else {
        char detail[256];
        rc = cred_pool_load_json(p, text, len, detail, sizeof detail);
        if (rc < 0)
            errbuf_set(err, err_size, "%s: %s", p->path, detail);
        free(text);
    }
    /* Seen even when unreadable: the watch retries at the next change, not every second. */
    p->seen = before;
    return rc;
}

int cred_pool_load(cred_pool *p, char *err, size_t err_size)
{
    if (!p || !p->path) {
        errbuf_set(err, err_size, "credentials: no file configured");
        return -1;
    }
    file_claim_take(&p->file);
    int rc = load_claimed(p, err, err_size);
    file_claim_release(&p->file);
    return rc;
}

int cred_pool_reload_if_changed(cred_pool *p, char *err, size_t err_size)
{
    if (!p || !p->path)
        return 0;
    file_claim_take(&p->file);
    file_sig now;
    file_sig_read(p->path, &now);
    int rc = 0;
    if (!file_sig_equal(&now, &p->seen))
        rc = load_claimed(p, err, err_size) < 0 ? -1 : 1;
    file_claim_release(&p->file);
    return rc;
}

/* The file form of one credential: the fields as the file gave them (a spelling, a region the
 * file left out, a derived machineId are not rewritten), the current tokens, then the unknown
 * fields it was loaded with. A rejected entry is written back exactly as it was read. */
static cJSON *file_entry(const pool_entry *e)
{
    if (e->rejected)
        return cJSON_Duplicate(e->rejected, 1);
    const credential *c = &e->cred;
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    int ok = cJSON_AddNumberToObject(o, "id", c->id) != NULL;
    if (ok && c->access_token)
        ok = cred_json_add_string(o, "accessToken", c->access_token) == 0;
    if (ok && c->refresh_token)
        ok = cred_json_add_string(o, "refreshToken", c->refresh_token) == 0;
    if (ok && c->profile_arn)
        ok = cred_json_add_string(o, "profileArn", c->profile_arn) == 0;
    if (ok && c->expires_at > 0)
        ok = cred_json_add_time(o, "expiresAt", c->expires_at) == 0;
    if (ok && e->file_auth_method[0])
        ok = cred_json_add_string(o, "authMethod", e->file_auth_method) == 0;
    if (ok && c->client_id)
        ok = cred_json_add_string(o, "clientId", c->client_id) == 0;
    if (ok && c->client_secret)
        ok = cred_json_add_string(o, "clientSecret", c->client_secret) == 0;
    if (ok && e->file_region[0])
        ok = cred_json_add_string(o, "region", e->file_region) == 0;
    if (ok && e->file_auth_region[0])
        ok = cred_json_add_string(o, "authRegion", e->file_auth_region) == 0;
    if (ok && e->file_api_region[0])
        ok = cred_json_add_string(o, "apiRegion", e->file_api_region) == 0;
    if (ok && e->file_machine_id)
        ok = cred_json_add_string(o, "machineId", c->machine_id) == 0;
    ok = ok && cJSON_AddBoolToObject(o, "disabled", e->disabled_in_file) &&
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

void cred_pool_set_saver(cred_pool *p, int (*save)(cred_pool *p, void *user), void *user)
{
    p->saver = save;
    p->saver_user = user;
}

int cred_pool_save(cred_pool *p)
{
    if (!p)
        return -1;
    if (!p->path)
        return p->saver ? p->saver(p, p->saver_user) : 0;
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
    /* A file that held one object is written back as one object while it still has one. */
    cJSON *root = array;
    if (array && p->file_is_object && p->count == 1)
        root = cJSON_DetachItemFromArray(array, 0);
    pthread_mutex_unlock(&p->mu);

    int rc = -1;
    char *text = root ? cJSON_Print(root) : NULL;
    if (root != array)
        cJSON_Delete(root);
    cJSON_Delete(array);
    if (text) {
        size_t len = strlen(text);
        text[len] = '\n'; /* cJSON_Print's NUL becomes the final newline */
        if (len + 1 > CRED_FILE_MAX_BYTES) {
            /* A file load would refuse: keep the old one instead. */
            errno = EFBIG;
        } else {
            rc = atomic_file_write(p->path, text, len + 1);
            if (rc == 0)
                file_sig_read(p->path, &p->seen); /* our own save is no change to reload */
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
