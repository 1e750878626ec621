/* user_store.h: kiro-go's "user credentials": entries keyed by activation code, each with a user
 * name, optionally Kiro credentials and an expiry date, kept in kiro-go's own files.
 *
 * Files: user_credentials.json (any shape of user_file.h: kiro-go's object keyed by code, this
 * proxy's earlier {"users":[...]} or a bare array) and, when it exists, newer kiro-go's
 * codes.json beside it (where kiro-go's admin add writes). Both are read; each is written
 * back in the shape it was read in, with every member of every entry kept; a new code goes to
 * codes.json when that file exists, else to user_credentials.json (a new file gets kiro-go's
 * keyed shape). A file that could not be read, or that holds entries that could not be read,
 * is never written: a change that would touch it is refused with an error naming it, and it
 * stays byte for byte as it is until a later load reads it whole.
 *
 * Codes are matched in any case (kiro-go's rule). The credentials of an entry are used for the
 * requests that present "act-<code>" as their key (server/user_pool.h does that); this store
 * only keeps them. Changes are made in three steps: the new file text is built (holding only
 * the file claim, so list/get never wait for the disk), written, and only when the write
 * succeeded is memory changed; a failed write changes nothing. */
#ifndef KIRO_USER_STORE_H
#define KIRO_USER_STORE_H

#include <cjson/cJSON.h>
#include <stddef.h>
#include <time.h>

typedef struct user_store user_store;

/* path: user_credentials.json (NULL: memory only); codes_path: codes.json (NULL: none). */
user_store *user_store_new(const char *path, const char *codes_path);
void user_store_free(user_store *s);
/* kiro-go's codes.json for a user_credentials.json path: the same directory. */
void user_store_codes_path(const char *path, char *out, size_t out_size);

/* (Re)loads both files (missing = no entries from it). Returns the entry count, or -1 with err
 * naming each file that could not be read whole; what could be read of it is loaded and the
 * file is left alone (never written) until a later load reads it whole. A file that could not
 * be read at all keeps the entries it was loaded with before. */
int user_store_load(user_store *s, char *err, size_t err_size);

/* kiro-go's list: a bare array of {activation_code, user_name, has_credentials, expires_at,
 * expires_date, expired, created_at, updated_at, usable, credentials_error}; never tokens. */
cJSON *user_store_list_json(user_store *s);
/* kiro-go's get: {activation_code, has_credentials, expires_at, expires_date, expired,
 * user_name, created_at, updated_at}, or NULL when the code is unknown. */
cJSON *user_store_get_json(user_store *s, const char *code);
/* Adds or updates {activation_code, user_name?, credentials?} (the fields given replace the
 * stored ones; every other member is kept). Returns 0, or -1 with err and *status (400 bad
 * input, 500 when the file cannot be written: then nothing changed). */
int user_store_put(user_store *s, const cJSON *body, int *status, char *err, size_t err_size);
/* Returns 0 when removed and persisted, 1 when the code is unknown, -1 with err when the file
 * cannot be written (nothing changed). */
int user_store_delete(user_store *s, const char *code, char *err, size_t err_size);
/* kiro-go's set-expiry for codes[0..n): days > 0 expires `days` days from today, 0 expires now
 * (yesterday's date), < 0 removes the expiry. date_out gets the date set ("" for none).
 * Returns how many codes were updated (unknown ones are skipped), or -1 with err. */
int user_store_set_expiry(user_store *s, const char *const *codes, size_t n, int days,
                          char *date_out, size_t date_size, char *err, size_t err_size);
size_t user_store_count(user_store *s);

typedef enum {
    USER_CODE_UNKNOWN,
    USER_CODE_EXPIRED,
    USER_CODE_NO_CREDENTIALS, /* known, not expired, no usable credentials of its own */
    USER_CODE_CREDENTIALS,    /* known, not expired, with usable credentials */
} user_code_state;

/* What a request presenting `code` may do. canonical gets the code as stored; detail says why
 * for the refusals (expiry date, what is wrong with the credentials). */
user_code_state user_store_check(user_store *s, const char *code, char *canonical,
                                 size_t canonical_size, char *detail, size_t detail_size);

/* The usable credentials of every entry that has them, as {code: credentials object} (a new
 * object, caller deletes). */
cJSON *user_store_credentials_by_code(user_store *s);

/* Refreshed tokens for one code (NULL refresh_token/profile_arn: keep; expires_at 0: keep). */
typedef struct user_token_update {
    const char *code;
    const char *access_token;
    const char *refresh_token;
    const char *profile_arn;
    time_t expires_at;
} user_token_update;

/* Stores refreshed tokens into the entries' credentials and persists the files touched.
 * Unknown codes are skipped. Returns 0, or -1 when a file could not be written (nothing
 * changed). */
int user_store_update_tokens(user_store *s, const user_token_update *updates, size_t n);

#endif
