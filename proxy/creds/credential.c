/* credential.c: the memory of one credential and of pool entries: copy, clear, free; see
 * credentials.h and cred_entry.h. */
#include "creds/cred_entry.h"

#include <stdlib.h>
#include <string.h>

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

void pool_entry_clear(pool_entry *e)
{
    credential_clear(&e->cred);
    cJSON_Delete(e->extra);
    cJSON_Delete(e->rejected);
    memset(e, 0, sizeof *e);
}

void pool_entries_free(pool_entry *entries, size_t n)
{
    if (!entries)
        return;
    for (size_t i = 0; i < n; i++)
        pool_entry_clear(&entries[i]);
    free(entries);
}

int credential_copy(const credential *src, credential *out)
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

const char *cred_auth_method_name(auth_method m)
{
    return m == AUTH_IDC ? "idc" : "social";
}
