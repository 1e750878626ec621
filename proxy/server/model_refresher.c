/* model_refresher.c: periodic ListAvailableModels fetch; see model_refresher.h. */
#include "server/model_refresher.h"

#include <curl/curl.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "log/log.h"
#include "server/app.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/kiro_identity.h"
#include "util/worker.h"

#define MODELS_BODY_CAP (1024 * 1024)
#define FETCH_TIMEOUT_MS 15000
#define FIRST_FETCH_DELAY_MS 200

struct model_refresher {
    app *a;
    int period_s;
    worker *thread;
};

static size_t collect(char *data, size_t size, size_t nmemb, void *userdata)
{
    kbuf *b = userdata;
    size_t n = size * nmemb;
    return kbuf_append(b, data, n) == KBUF_OK ? n : 0;
}

/* Aborts a fetch in progress as soon as the proxy is shutting down. */
static int abort_on_stop(void *clientp, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
                         curl_off_t ulnow)
{
    (void)dltotal;
    (void)dlnow;
    (void)ultotal;
    (void)ulnow;
    const app *a = clientp;
    return atomic_load(&a->stopping) ? 1 : 0;
}

/* GET one page of ListAvailableModels (next_token NULL: the first) into body, with the Kiro
 * client identity of the credential. Returns the HTTP status, or -1 when the transfer failed
 * (logged). */
static long fetch_page(app *a, const cred_snapshot *cred, const char *base, const char *next_token,
                       kbuf *body)
{
    kiro_client_versions versions = config_client_versions(a->cfg);
    kiro_identity_lines identity;
    if (kiro_identity_api(&versions, cred->machine_id, &identity) != 0) {
        LOG_WARN("[MODELS] no client identity for credential %d", cred->id);
        return -1;
    }
    CURL *e = curl_easy_init();
    if (!e)
        return -1;
    char url[1400 + 3 * MODEL_NEXT_TOKEN_SIZE];
    char *arn = cred->profile_arn[0] ? curl_easy_escape(e, cred->profile_arn, 0) : NULL;
    char *token = next_token ? curl_easy_escape(e, next_token, 0) : NULL;
    snprintf(url, sizeof url, "%s/ListAvailableModels?origin=AI_EDITOR%s%s%s%s", base,
             arn ? "&profileArn=" : "", arn ? arn : "", token ? "&nextToken=" : "",
             token ? token : "");
    curl_free(arn);
    curl_free(token);
    char auth[8300];
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", cred->access_token);
    struct curl_slist *h = curl_slist_append(NULL, auth);
    h = curl_slist_append(h, "Accept: application/json");
    h = curl_slist_append(h, identity.amz_user_agent);
    h = curl_slist_append(h, identity.user_agent);
    curl_easy_setopt(e, CURLOPT_URL, url);
    curl_easy_setopt(e, CURLOPT_HTTPHEADER, h);
    curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(e, CURLOPT_WRITEDATA, body);
    curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, (long)a->cfg->connect_timeout_ms);
    curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, (long)FETCH_TIMEOUT_MS);
    curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, abort_on_stop);
    curl_easy_setopt(e, CURLOPT_XFERINFODATA, a);
    CURLcode rc = curl_easy_perform(e);
    long status = 0;
    curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_cleanup(e);
    curl_slist_free_all(h);
    if (rc != CURLE_OK) {
        LOG_WARN("[MODELS] ListAvailableModels failed: %s", curl_easy_strerror(rc));
        return -1;
    }
    return status;
}

int model_refresher_fetch_once(app *a)
{
    cred_snapshot cred;
    if (cred_pool_acquire(a->pool, NULL, 0, time(NULL), &cred) != 0) {
        LOG_INFO("[MODELS] no usable credential yet: keeping the current model list");
        return -1;
    }
    char base[512];
    config_upstream_base_url(a->cfg, cred.region, base, sizeof base);
    model_pages *pages = model_pages_new();
    if (!pages)
        return -1;
    /* Every page, bounded by MODEL_PAGES_MAX; any failure keeps the current list whole. */
    const char *next_token = NULL;
    int failed = 0;
    do {
        kbuf body = KBUF_INIT(MODELS_BODY_CAP);
        long status = fetch_page(a, &cred, base, next_token, &body);
        if (status >= 0 && status != 200)
            LOG_WARN("[MODELS] ListAvailableModels answered HTTP %ld: keeping the current list",
                     status);
        failed = status != 200 || model_pages_add(pages, body.data, body.len) != 0;
        if (status == 200 && failed)
            LOG_WARN("[MODELS] ListAvailableModels answer not understood: keeping the current "
                     "list");
        kbuf_free(&body);
        next_token = failed ? NULL : model_pages_next_token(pages);
    } while (next_token && !atomic_load(&a->stopping));
    if (next_token)   /* stopped half-way: a partial list must not replace a whole one */
        failed = 1;

    int count = -1;
    model_info *models = NULL;
    size_t n = 0;
    if (!failed && model_pages_finish(pages, &models, &n) == 0 &&
        model_catalog_replace(a->models, models, n) == 0) {
        count = (int)n;
        LOG_INFO("[MODELS] catalogue refreshed from upstream: %zu models in %d page(s)", n,
                 model_pages_count(pages));
    } else if (!failed) {
        LOG_WARN("[MODELS] ListAvailableModels listed no usable model: keeping the current list");
    }
    free(models);
    model_pages_free(pages);
    return count;
}

/* The first fetch shortly after start, then one per period; sooner (every 30 s at most)
 * while no list has come yet (e.g. tokens still being refreshed). */
static void refresher_body(worker *w, void *user)
{
    model_refresher *m = user;
    if (worker_wait(w, FIRST_FETCH_DELAY_MS) == WORKER_STOP)
        return;
    for (;;) {
        int n = model_refresher_fetch_once(m->a);
        int64_t next = m->period_s > 0 ? (int64_t)m->period_s * 1000 : -1;
        if (n < 0)
            next = next < 0 ? 30000 : (next < 30000 ? next : 30000);
        if (next < 0 || worker_wait(w, next) == WORKER_STOP)
            return;
    }
}

model_refresher *model_refresher_start(app *a, int period_s)
{
    model_refresher *m = calloc(1, sizeof *m);
    if (!m)
        return NULL;
    m->a = a;
    m->period_s = period_s;
    m->thread = worker_start("model-refresh", refresher_body, m);
    if (!m->thread) {
        free(m);
        return NULL;
    }
    return m;
}

void model_refresher_stop(model_refresher *m)
{
    if (!m)
        return;
    /* A fetch is bounded by its own timeout and aborts once the app is stopping. */
    if (worker_stop(m->thread, FETCH_TIMEOUT_MS + 5000) != 0) {
        LOG_ERROR("[MODELS] the model refresher did not stop in time: leaving it running");
        return; /* m stays allocated: the thread still uses it */
    }
    free(m);
}
