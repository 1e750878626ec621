/* cred_entry.h: one credential as the pool holds it, shared by the pool's files (internal to
 * proxy/creds): the parser (cred_parse.c) makes entries, the pool (cred_pool.c) selects and
 * updates them, the views (cred_view.c) show them and the file side (cred_file.c) loads and
 * saves them. Nothing outside proxy/creds includes this. */
#ifndef KIRO_CRED_ENTRY_H
#define KIRO_CRED_ENTRY_H

#include <cjson/cJSON.h>
#include <pthread.h>
#include <time.h>

#include "creds/credentials.h"
#include "creds/file_claim.h"
#include "util/file_sig.h"

typedef struct pool_entry {
    credential cred;
    cJSON *extra;              /* fields this code does not know, written back on save */
    cJSON *rejected;           /* an entry the parser refused: kept as read, written back as
                                  it was, loaded disabled with the reason (NULL otherwise) */
    char file_auth_method[32]; /* authMethod as the file spelled it ("" = absent) */
    char file_region[REGION_NAME_SIZE];      /* region, authRegion, apiRegion as the file */
    char file_auth_region[REGION_NAME_SIZE]; /* gave them ("" = absent): saves write back */
    char file_api_region[REGION_NAME_SIZE];  /* what was read, not what was derived */
    int file_machine_id;         /* machineId came from the file (else derived, not saved) */
    int disabled_in_file;        /* "disabled": true in the file: the only disable we persist */
    int disabled_by_refresh;     /* disabled because the refresh token was rejected */
    int refresh_failures;        /* consecutive failed refreshes */
    time_t next_refresh_attempt; /* backoff: not due before this */
} pool_entry;

/* The pool. `mu` guards memory only (entries, count, next_index): it is never held across a
 * network call or file I/O; `file` serialises loads and saves without it. */
struct cred_pool {
    pthread_mutex_t mu;
    file_claim file; /* one save or load of the file at a time */
    char *path;      /* NULL: in memory only */
    pool_entry *entries;
    size_t count;
    size_t next_index;  /* round-robin cursor */
    int file_is_object; /* the file held one object, not an array: saved the same way */
    file_sig seen;      /* the file as last loaded or saved (under the file claim) */
    int (*saver)(cred_pool *p, void *user); /* cred_pool_set_saver(); NULL: the file */
    void *saver_user;
};

/* Frees what an entry owns and zeroes it. */
void pool_entry_clear(pool_entry *e);
/* Frees entries[0..n) and the array. */
void pool_entries_free(pool_entry *entries, size_t n);
/* Deep copy of a credential; returns 0, or -1 (out cleared) when memory runs out. */
int credential_copy(const credential *src, credential *out);
/* Swaps a parsed entry array into the pool (the old one is freed after unlocking). */
void pool_replace_entries(cred_pool *p, pool_entry *entries, size_t n);
/* 1 when some entry of entries[0..n) has this id. */
int pool_id_taken(const pool_entry *entries, size_t n, int id);
/* "social" or "idc": how the views and the file spell a method. */
const char *cred_auth_method_name(auth_method m);

#endif
