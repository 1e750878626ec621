/* creds_watch.h: the credentials file watch. kiro-go users (and the desktop launcher) edit or
 * replace credentials.json while the proxy runs; the launcher also calls the keyless reload,
 * but a hand edit has nobody to call it. A background thread looks at the file every period
 * (a stat, no read) and reloads it when it changed (cred_pool_reload_if_changed: the pool's own
 * saves are no change). A file that cannot be read is reported once per change and the pool
 * stays as it was. */
#ifndef KIRO_CREDS_WATCH_H
#define KIRO_CREDS_WATCH_H

#include "creds/credentials.h"
#include "creds/token_refresh.h"

typedef struct creds_watch creds_watch;

/* Watches pool's file every period_ms (> 0); refresher (may be NULL) is poked after a reload.
 * Both outlive the watch. Returns NULL when the thread cannot start. */
creds_watch *creds_watch_start(cred_pool *pool, token_refresher *refresher, int period_ms);
/* Stops and frees the watch (a stat never blocks for long: it ends within one period). */
void creds_watch_stop(creds_watch *w);

#endif
