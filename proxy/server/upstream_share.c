/* upstream_share.c: one libcurl share of connections, TLS sessions and DNS answers for all
 * upstream calls; see upstream_share.h. */
#include "server/upstream_share.h"

#include <pthread.h>

static CURLSH *share;
static pthread_once_t share_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t locks[CURL_LOCK_DATA_LAST];

static void lock_data(CURL *handle, curl_lock_data data, curl_lock_access access, void *user)
{
    (void)handle;
    (void)access;
    (void)user;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_lock(&locks[data]);
}

static void unlock_data(CURL *handle, curl_lock_data data, void *user)
{
    (void)handle;
    (void)user;
    if ((int)data >= 0 && data < CURL_LOCK_DATA_LAST)
        pthread_mutex_unlock(&locks[data]);
}

static void create_share(void)
{
    for (int i = 0; i < CURL_LOCK_DATA_LAST; i++)
        pthread_mutex_init(&locks[i], NULL);
    CURLSH *s = curl_share_init();
    if (!s)
        return;
    int ok = curl_share_setopt(s, CURLSHOPT_LOCKFUNC, lock_data) == CURLSHE_OK &&
             curl_share_setopt(s, CURLSHOPT_UNLOCKFUNC, unlock_data) == CURLSHE_OK &&
             curl_share_setopt(s, CURLSHOPT_SHARE, CURL_LOCK_DATA_CONNECT) == CURLSHE_OK;
    /* Optional extras: a libcurl without them still shares connections. */
    curl_share_setopt(s, CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    curl_share_setopt(s, CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
    if (!ok) {
        curl_share_cleanup(s);
        return;
    }
    share = s;
}

CURLSH *upstream_share(void)
{
    pthread_once(&share_once, create_share);
    return share;
}
