/* cred_pool.c: the credential pool in memory: choosing a credential for a request (priority,
 * round-robin, failover exclusions), recording outcomes (failover state), and the refresher's
 * copy/store side; see credentials.h. Parsing is cred_parse.c, the admin view cred_view.c,
 * loading and saving cred_file.c.
 *
 * The mutex guards memory only: anything slow happens outside it. A parsed entry array is
 * swapped in under the lock; strings are allocated before locking and freed after. */
#include "creds/cred_entry.h"

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/rules.h"
#include "creds/cred_parse.h"
#include "log/log.h"
#include "util/errbuf.h"

/* Backoff after failed refreshes: 30 s doubling up to 30 minutes. */
#define REFRESH_BACKOFF_BASE_S 30
#define REFRESH_BACKOFF_MAX_S 1800

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
    pool_entries_free(p->entries, p->count);
    free(p->path);
    file_claim_destroy(&p->file);
    pthread_mutex_destroy(&p->mu);
    free(p);
}

void pool_replace_entries(cred_pool *p, pool_entry *entries, size_t n)
{
    pthread_mutex_lock(&p->mu);
    pool_entry *old = p->entries;
    size_t old_count = p->count;
    p->entries = entries;
    p->count = n;
    p->next_index = 0;
    pthread_mutex_unlock(&p->mu);
    pool_entries_free(old, old_count);
}

int cred_pool_add_json(cred_pool *p, const cJSON *object, char *err, size_t err_size)
{
    if (!p) {
        errbuf_set(err, err_size, "credentials: no pool");
        return -1;
    }
    pool_entry e;
    int explicit_id;
    if (cred_entry_parse(object, "credential", &e, &explicit_id, err, err_size) != 0)
        return -1;
    pthread_mutex_lock(&p->mu);
    if (p->count >= CRED_MAX_ENTRIES) {
        pthread_mutex_unlock(&p->mu);
        errbuf_set(err, err_size, "credentials: the pool already holds %d entries",
                   CRED_MAX_ENTRIES);
        pool_entry_clear(&e);
        return -1;
    }
    pool_entry *grown = realloc(p->entries, (p->count + 1) * sizeof *grown);
    if (!grown) {
        pthread_mutex_unlock(&p->mu);
        errbuf_set(err, err_size, "credentials: out of memory");
        pool_entry_clear(&e);
        return -1;
    }
    p->entries = grown;
    if (!explicit_id || pool_id_taken(p->entries, p->count, e.cred.id)) {
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

/* What a request needs of c, copied out (called with the mutex held). */
static void snapshot_of(const credential *c, cred_snapshot *out)
{
    memset(out, 0, sizeof *out);
    out->id = c->id;
    snprintf(out->access_token, sizeof out->access_token, "%s", c->access_token);
    snprintf(out->profile_arn, sizeof out->profile_arn, "%s", c->profile_arn ? c->profile_arn : "");
    snprintf(out->region, sizeof out->region, "%s", c->region);
    snprintf(out->machine_id, sizeof out->machine_id, "%s", c->machine_id);
    out->method = c->method;
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
    snapshot_of(best, out);
    p->next_index = best_index + 1;
    pthread_mutex_unlock(&p->mu);
    return 0;
}

int cred_pool_acquire_only(cred_pool *p, int id, time_t now, cred_snapshot *out)
{
    if (!p || !out)
        return CRED_ONLY_UNUSABLE;
    pthread_mutex_lock(&p->mu);
    const pool_entry *e = find_entry(p, id);
    int rc = !e                               ? CRED_ONLY_DISABLED
             : e->cred.disabled               ? CRED_ONLY_DISABLED
             : !token_valid_at(&e->cred, now) ? CRED_ONLY_UNUSABLE
                                              : CRED_ONLY_OK;
    if (rc == CRED_ONLY_OK)
        snapshot_of(&e->cred, out);
    pthread_mutex_unlock(&p->mu);
    return rc;
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
        !rule_header_safe(access_token) ||
        (refresh_token && strlen(refresh_token) > CRED_REFRESH_TOKEN_MAX) ||
        (profile_arn &&
         (strlen(profile_arn) > CRED_PROFILE_ARN_MAX || !rule_header_safe(profile_arn))))
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
