/* credentials.h: the pool of Kiro credentials (kiro-go's credentials.json: an array or a single
 * object of {id, accessToken, refreshToken, profileArn, expiresAt, authMethod, clientId,
 * clientSecret, region, authRegion, apiRegion, machineId, disabled, priority}).
 *
 * Implemented in one file per job: cred_parse.c (entries and their rules), cred_pool.c
 * (selection, failover state, the refresher's side), cred_view.c (the admin view), cred_file.c
 * (load and save), credential.c (the memory of one credential).
 *
 * Concurrency rule: the pool's mutex is held only to copy or update fields, never across a
 * network call or a file write. Requests take a snapshot (cred_pool_acquire) and report the
 * outcome; the background refresher (token_refresh.h) does the network work without the lock.
 * Selection: enabled credentials with a token that is valid now, lowest priority value first,
 * round-robin among equals, skipping ones the caller already tried (failover). Tokens flagged
 * by an upstream 401/403 are used only when nothing else is left.
 * Persistence: cred_pool_save writes the known fields plus any unknown fields the file had;
 * "disabled" is saved as the file said it: runtime disables (quota, dead refresh token) are
 * not persisted, so a restart retries such credentials once. A save that would exceed
 * CRED_FILE_MAX_BYTES (and so could not be loaded again) fails and keeps the old file. Saves
 * and loads are serialised by a flag and a condition variable, never by holding the mutex
 * across the file I/O. */
#ifndef KIRO_CREDENTIALS_H
#define KIRO_CREDENTIALS_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <time.h>

#include "config/rules.h"

typedef enum { AUTH_SOCIAL = 0, AUTH_IDC = 1 } auth_method;

typedef struct credential {
    int id;
    char *access_token;
    char *refresh_token;
    char *profile_arn;
    time_t expires_at;          /* 0 = unknown */
    auth_method method;
    char *client_id;
    char *client_secret;
    char region[REGION_NAME_SIZE];      /* upstream region for this credential */
    char auth_region[REGION_NAME_SIZE]; /* token service region */
    char machine_id[65];        /* default: SHA-256 hex of the refresh token */
    int disabled;
    char disabled_reason[192];
    int priority;
    int failure_count;
    long refresh_count;
    time_t last_refresh;
    char last_error[128];
    int needs_refresh;          /* set after an upstream 401/403 or when expiring */
} credential;

/* A copy of what a request needs, owned by the caller (no pointers into the pool). */
typedef struct cred_snapshot {
    int id;
    char access_token[8192];
    char profile_arn[512];
    char region[REGION_NAME_SIZE];
    char machine_id[65];
    auth_method method;
} cred_snapshot;

typedef enum {
    CRED_OUTCOME_OK,
    CRED_OUTCOME_AUTH_FAILED, /* upstream 401/403: mark for refresh, try another */
    CRED_OUTCOME_QUOTA,       /* 402 / MONTHLY_REQUEST_COUNT: disable */
    CRED_OUTCOME_TRANSIENT,   /* 408/429/5xx */
} cred_outcome;

typedef struct cred_pool cred_pool;

/* Empty pool bound to a file path (NULL: in memory only). */
cred_pool *cred_pool_new(const char *path);
void cred_pool_free(cred_pool *p);
/* (Re)loads the file: array or single object. Missing file = empty pool (0). Returns the
 * number of credentials, or -1 with err (the pool keeps its previous content on error). */
int cred_pool_load(cred_pool *p, char *err, size_t err_size);
/* Parses credentials JSON text into the pool, replacing its content (tests, admin). */
int cred_pool_load_json(cred_pool *p, const char *json, size_t len, char *err, size_t err_size);
/* The same from a parsed document (array or one object; not taken), for callers that hold the
 * credentials as a tree already (the act-<code> pool). */
int cred_pool_load_tree(cred_pool *p, const cJSON *doc, char *err, size_t err_size);
/* Adds credentials parsed from a JSON object; returns the new id or -1. */
int cred_pool_add_json(cred_pool *p, const cJSON *object, char *err, size_t err_size);
/* cred_pool_load() only when the file differs from what the pool last loaded or saved (device,
 * inode, size, time: util/file_sig.h), so that the pool's own saves never reload it (a reload
 * forgets runtime state: disables, failure counts). Returns 1 when it reloaded, 0 when the
 * file is as seen, -1 with err when it changed but could not be read (the pool stays; the next
 * change is tried again). */
int cred_pool_reload_if_changed(cred_pool *p, char *err, size_t err_size);
/* Persists the pool atomically (mode 0600). No-op without a path. */
int cred_pool_save(cred_pool *p);

size_t cred_pool_count(cred_pool *p);
/* Credentials cred_pool_acquire() could hand out at `now` (enabled, token valid). */
size_t cred_pool_usable_count(cred_pool *p, time_t now);
/* Copies a usable credential into out, skipping ids in exclude[0..n_exclude). Returns 0, or -1
 * when none is usable now (all disabled, expired or excluded). */
int cred_pool_acquire(cred_pool *p, const int *exclude, size_t n_exclude, time_t now,
                      cred_snapshot *out);
void cred_pool_report(cred_pool *p, int id, cred_outcome outcome, const char *detail);

/* cred_pool_acquire() restricted to one credential (an act-<code> caller's own). */
enum { CRED_ONLY_OK = 0, CRED_ONLY_UNUSABLE = -1, CRED_ONLY_DISABLED = -2 };
/* Returns CRED_ONLY_OK with out filled, CRED_ONLY_UNUSABLE when its token is not valid now (a
 * refresh is due), CRED_ONLY_DISABLED when it is disabled (quota, dead refresh token) or gone. */
int cred_pool_acquire_only(cred_pool *p, int id, time_t now, cred_snapshot *out);

/* A pool without a file of its own (path NULL) can be saved elsewhere: cred_pool_save() then
 * calls save(p, user) instead of writing (the user-credential pool saves into the user store).
 * Set once, before the pool is shared. */
void cred_pool_set_saver(cred_pool *p, int (*save)(cred_pool *p, void *user), void *user);

/* Refresher side: copies of the credentials that need a refresh at `now` (expiring within
 * `margin_s`, or flagged). *out is malloc'd; free with cred_list_free. */
size_t cred_pool_due_for_refresh(cred_pool *p, time_t now, int margin_s, credential **out);
/* Copies one credential by id (for a forced refresh). Returns 0 or -1. */
int cred_pool_copy(cred_pool *p, int id, credential *out);
/* Stores the result of a refresh of credential id (new tokens; refresh_token/profile_arn
 * NULL = keep). Returns 0, or -1 if the id vanished meanwhile. */
int cred_pool_store_refresh(cred_pool *p, int id, const char *access_token,
                            const char *refresh_token, const char *profile_arn,
                            time_t expires_at);
/* Records a failed refresh (error text; dead = the refresh token was rejected). */
void cred_pool_refresh_failed(cred_pool *p, int id, const char *error, int dead);

/* Admin pool view: [{id, priority, disabled, disabledReason, failureCount, expiresAt,
 * authMethod, region, accessToken (masked), refreshToken (masked), refreshCount, lastError}]. */
cJSON *cred_pool_view_json(cred_pool *p);

void credential_clear(credential *c);
void cred_list_free(credential *list, size_t n);

/* ---- Additions beyond the agreed interface ---- */

/* Limits of one credentials file / pool. */
#define CRED_FILE_MAX_BYTES (4u << 20)
#define CRED_MAX_ENTRIES 1024
/* Longest access token (it must fit cred_snapshot.access_token with its NUL), refresh token
 * and profile ARN (it must fit cred_snapshot.profile_arn). */
#define CRED_ACCESS_TOKEN_MAX 8191
#define CRED_REFRESH_TOKEN_MAX 8192
#define CRED_PROFILE_ARN_MAX 511

/* Checks that object is a credential the pool would accept (same rules as the file).
 * Returns 0, or -1 with err naming the offending field. */
int cred_validate_json(const cJSON *object, char *err, size_t err_size);

/* Parses an expiresAt value: RFC 3339 string, or a number of epoch seconds or milliseconds
 * (values above 1e11 are milliseconds); null or "" give 0 (unknown). Returns 0 or -1. */
int cred_parse_expires_at(const cJSON *value, time_t *out);

/* Like cred_pool_store_refresh / cred_pool_refresh_failed, but only applied when the pool still
 * holds the credential the refresh was made from (`used`: same id and refresh token). A reload
 * in the meantime may have put another account under that id; it must not receive these tokens
 * or be disabled for the old one's failure. Return 0, or -1 when the credential changed. */
int cred_pool_store_refresh_of(cred_pool *p, const credential *used, const char *access_token,
                               const char *refresh_token, const char *profile_arn,
                               time_t expires_at);
int cred_pool_refresh_failed_of(cred_pool *p, const credential *used, const char *error,
                                int dead);

#endif
