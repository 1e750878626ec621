/* user_store.h: kiro-go's admin "user credentials" store: entries keyed by activation code,
 * each with a user name and optionally Kiro credentials, persisted atomically (0600) as JSON.
 * Entries that carry credentials are also loaded into the credential pool on reload. */
#ifndef KIRO_USER_STORE_H
#define KIRO_USER_STORE_H

#include <cjson/cJSON.h>
#include <stddef.h>

typedef struct user_store user_store;

user_store *user_store_new(const char *path);
void user_store_free(user_store *s);
/* Loads the file (missing = empty). Returns the entry count or -1 (content kept on error). */
int user_store_load(user_store *s, char *err, size_t err_size);
/* List entries: [{activation_code,user_name,has_credentials,expires_at,created_at,updated_at}]. */
cJSON *user_store_list_json(user_store *s);
/* One entry in list form, or NULL when absent. */
cJSON *user_store_get_json(user_store *s, const char *code);
/* Adds or replaces {activation_code,user_name,credentials:{...}}; persists. Returns 0, or -1
 * with err (status 400 on bad input, 500 when persisting failed: then nothing changed). */
int user_store_put(user_store *s, const cJSON *body, int *status, char *err, size_t err_size);
/* Returns 0 when removed and persisted, 1 when absent, -1 when persisting failed. */
int user_store_delete(user_store *s, const char *code);
size_t user_store_count(user_store *s);
/* Credentials objects of entries that have them (new array, caller deletes). */
cJSON *user_store_credentials_json(user_store *s);

#endif
