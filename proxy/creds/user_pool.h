/* user_pool.h: the credentials of callers that present "act-<code>" as their key: the user
 * store's credentials (user_store.h) in a credential pool of their own, so that they are
 * chosen, reported on, disabled on quota (402) and refreshed in the background exactly like
 * the main pool's, and so that refreshed tokens are saved back into the user store's files.
 *
 * Why a pool of its own: a caller's credential must never serve another caller, and the main
 * pool's round-robin must never hand it out. Ids in this pool are positions in the store's
 * list at the last sync; user_pool_id_for() maps a code to its id. */
#ifndef KIRO_USER_POOL_H
#define KIRO_USER_POOL_H

#include "creds/credentials.h"
#include "creds/user_store.h"

typedef struct user_pool user_pool;

/* A pool over store (which outlives it). */
user_pool *user_pool_new(user_store *store);
void user_pool_free(user_pool *u);
/* Rebuilds the pool from the store's usable credentials (after a load or an admin change).
 * Returns the number of credentials, or -1 (the previous pool stays). */
int user_pool_sync(user_pool *u);
/* The pool (for the refresher and upstream calls); owned by u. */
cred_pool *user_pool_creds(user_pool *u);
/* The pool id of the credential stored under code (any case), or -1. */
int user_pool_id_for(user_pool *u, const char *code);

#endif
