/* user_pool.c: the act-<code> callers' credential pool; see user_pool.h. */
#include "creds/user_pool.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log/log.h"

struct user_pool {
    user_store *store;
    cred_pool *pool;
    pthread_mutex_t sync_mu; /* one sync at a time (held across the rebuild, never by calls) */
    pthread_mutex_t mu;      /* guards the code <-> id table */
    char **codes;            /* the code of ids[i] */
    int *ids;                /* stable: a code keeps its id across syncs, a new code gets a new one,
                                so that a call in flight never lands on another caller's credential */
    size_t n_codes;
    int last_id;
};

static void codes_free(char **codes, size_t n)
{
    for (size_t i = 0; codes && i < n; i++)
        free(codes[i]);
    free(codes);
}

/* cred_pool_save() of this pool: the tokens of every credential go back into the store. */
static int save_into_store(cred_pool *pool, void *user)
{
    user_pool *u = user;
    pthread_mutex_lock(&u->mu);
    size_t n = u->n_codes;
    char **codes = calloc(n + 1, sizeof *codes);
    int *ids = calloc(n + 1, sizeof *ids);
    for (size_t i = 0; codes && ids && i < n; i++) {
        codes[i] = strdup(u->codes[i]);
        ids[i] = u->ids[i];
    }
    pthread_mutex_unlock(&u->mu);
    credential *creds = calloc(n + 1, sizeof *creds);
    user_token_update *updates = calloc(n + 1, sizeof *updates);
    size_t k = 0;
    for (size_t i = 0; codes && ids && creds && updates && i < n; i++) {
        if (!codes[i] || cred_pool_copy(pool, ids[i], &creds[k]) != 0)
            continue;
        updates[k] = (user_token_update){
            .code = codes[i],
            .access_token = creds[k].access_token,
            .refresh_token = creds[k].refresh_token,
            .profile_arn = creds[k].profile_arn,
            .expires_at = creds[k].expires_at,
        };
        k++;
    }
    int rc = codes && ids && creds && updates ? user_store_update_tokens(u->store, updates, k) : -1;
    cred_list_free(creds, k);
    free(updates);
    free(ids);
    codes_free(codes, n);
    return rc;
}

user_pool *user_pool_new(user_store *store)
{
    user_pool *u = calloc(1, sizeof *u);
    if (!u)
        return NULL;
    u->store = store;
    u->pool = cred_pool_new(NULL);
    if (!u->pool) {
        free(u);
        return NULL;
    }
    cred_pool_set_saver(u->pool, save_into_store, u);
    pthread_mutex_init(&u->mu, NULL);
    pthread_mutex_init(&u->sync_mu, NULL);
    return u;
}

void user_pool_free(user_pool *u)
{
    if (!u)
        return;
    cred_pool_free(u->pool);
    codes_free(u->codes, u->n_codes);
    free(u->ids);
    pthread_mutex_destroy(&u->mu);
    pthread_mutex_destroy(&u->sync_mu);
    free(u);
}

/* The id code had at the last sync, or 0. Called with the mutex held. */
static int known_id(const user_pool *u, const char *code)
{
    for (size_t i = 0; i < u->n_codes; i++)
        if (strcasecmp(u->codes[i], code) == 0)
            return u->ids[i];
    return 0;
}

static int sync_locked(user_pool *u);

int user_pool_sync(user_pool *u)
{
    pthread_mutex_lock(&u->sync_mu);
    int rc = sync_locked(u);
    pthread_mutex_unlock(&u->sync_mu);
    return rc;
}

static int sync_locked(user_pool *u)
{
    cJSON *by_code = user_store_credentials_by_code(u->store);
    cJSON *array = cJSON_CreateArray();
    size_t n = (size_t)cJSON_GetArraySize(by_code);
    char **codes = calloc(n + 1, sizeof *codes);
    int *ids = calloc(n + 1, sizeof *ids);
    int ok = by_code && array && codes && ids;
    size_t k = 0;
    pthread_mutex_lock(&u->mu); /* ids are handed out here; lookups wait only for this loop */
    int last_id = u->last_id;
    const cJSON *item;
    cJSON_ArrayForEach(item, by_code)
    {
        if (!ok)
            break;
        cJSON *copy = cJSON_Duplicate(item, 1);
        codes[k] = strdup(item->string);
        int id = known_id(u, item->string);
        ids[k] = id ? id : ++last_id;
        ok = copy && codes[k];
        if (ok) {
            cJSON_DeleteItemFromObjectCaseSensitive(copy, "id");
            ok = cJSON_AddNumberToObject(copy, "id", ids[k]) && cJSON_AddItemToArray(array, copy);
        } else {
            cJSON_Delete(copy);
        }
        k++;
    }
    pthread_mutex_unlock(&u->mu);
    char err[256] = "";
    int rc = ok ? cred_pool_load_tree(u->pool, array, err, sizeof err) : -1;
    cJSON_Delete(array);
    cJSON_Delete(by_code);
    if (rc < 0) {
        LOG_WARN("user credentials: the act-<code> pool was not rebuilt: %s",
                 err[0] ? err : "out of memory");
        codes_free(codes, k);
        free(ids);
        return -1;
    }
    pthread_mutex_lock(&u->mu);
    char **old = u->codes;
    int *old_ids = u->ids;
    size_t old_n = u->n_codes;
    u->codes = codes;
    u->ids = ids;
    u->n_codes = k;
    u->last_id = last_id;
    pthread_mutex_unlock(&u->mu);
    codes_free(old, old_n);
    free(old_ids);
    return rc;
}

cred_pool *user_pool_creds(user_pool *u)
{
    return u ? u->pool : NULL;
}

int user_pool_id_for(user_pool *u, const char *code)
{
    if (!u || !code)
        return -1;
    pthread_mutex_lock(&u->mu);
    int id = known_id(u, code);
    pthread_mutex_unlock(&u->mu);
    return id > 0 ? id : -1;
}
