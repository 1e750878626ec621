/* token_refresh.c: renewal of Kiro access tokens (social and IdC), one blocking libcurl call at a
 * time from a background thread; see token_refresh.h.
 *
 * Why a thread of its own: a refresh can take as long as its timeout, and must never sit on a
 * request path or under a lock requests need. The thread copies the due credentials out of the
 * pool, calls the token service with no lock held, stores the results and saves the file once
 * per round. */
#include "creds/token_refresh.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "creds/sha256.h"
#include "log/log.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/kiro_identity.h"
#include "util/worker.h"
#include "util/secret.h"

#define DEFAULT_TIMEOUT_MS 15000
#define DEFAULT_CONNECT_TIMEOUT_MS 5000
#define DEFAULT_MARGIN_S 300
#define DEFAULT_PERIOD_MS 30000
#define EXPIRES_IN_MAX (10L * 365 * 24 * 3600)

static void set_result_error(refresh_result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_result_error(refresh_result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(r->error, sizeof r->error, fmt, ap);
    va_end(ap);
}

static void with_defaults(const refresh_config *in, refresh_config *out)
{
    memset(out, 0, sizeof *out);
    if (in)
        *out = *in;
    if (out->timeout_ms <= 0)
        out->timeout_ms = DEFAULT_TIMEOUT_MS;
    if (out->connect_timeout_ms <= 0)
        out->connect_timeout_ms = DEFAULT_CONNECT_TIMEOUT_MS;
    if (out->margin_s <= 0)
        out->margin_s = DEFAULT_MARGIN_S;
    if (out->period_ms <= 0)
        out->period_ms = DEFAULT_PERIOD_MS;
}

void refresh_result_clear(refresh_result *r)
{
    if (!r)
        return;
    free(r->access_token);
    free(r->refresh_token);
    free(r->profile_arn);
    memset(r, 0, sizeof *r);
    r->expires_in = -1;
}

void token_refresh_url(const refresh_config *cfg, const credential *c, char *out, size_t size)
{
    const char *region = c->auth_region[0] ? c->auth_region : "us-east-1";
    const char *endpoint = c->method == AUTH_IDC ? "/token" : "/refreshToken";
    if (cfg && cfg->auth_url && *cfg->auth_url) {
        size_t base_len = strlen(cfg->auth_url);
        while (base_len > 0 && cfg->auth_url[base_len - 1] == '/')
            base_len--;
        snprintf(out, size, "%.*s%s", (int)base_len, cfg->auth_url, endpoint);
    } else if (c->method == AUTH_IDC) {
        snprintf(out, size, "https://oidc.%s.amazonaws.com%s", region, endpoint);
    } else {
        snprintf(out, size, "https://prod.%s.auth.desktop.kiro.dev%s", region, endpoint);
    }
}

char *token_refresh_body(const credential *c)
{
    if (!c || !c->refresh_token || !*c->refresh_token)
        return NULL;
    if (c->method == AUTH_IDC && (!c->client_id || !c->client_secret))
        return NULL;
    cJSON *body = cJSON_CreateObject();
    if (!body)
        return NULL;
    int ok;
    if (c->method == AUTH_IDC) {
        ok = cJSON_AddStringToObject(body, "clientId", c->client_id) &&
             cJSON_AddStringToObject(body, "clientSecret", c->client_secret) &&
             cJSON_AddStringToObject(body, "refreshToken", c->refresh_token) &&
             cJSON_AddStringToObject(body, "grantType", "refresh_token");
    } else {
        ok = cJSON_AddStringToObject(body, "refreshToken", c->refresh_token) != NULL;
    }
    char *text = ok ? cJSON_PrintUnformatted(body) : NULL;
    cJSON_Delete(body);
    return text;
}

/* The camelCase field, or its OAuth snake_case spelling. */
static const cJSON *field_either(const cJSON *obj, const char *camel, const char *snake)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, camel);
    return item ? item : cJSON_GetObjectItemCaseSensitive(obj, snake);
}

static int optional_text(const cJSON *item, size_t max_len, char **out)
{
    if (!item || cJSON_IsNull(item))
        return 0;
    if (!cJSON_IsString(item) || strlen(item->valuestring) > max_len ||
        !rule_header_safe(item->valuestring))
        return -1;
    if (!*item->valuestring)
        return 0;
    *out = strdup(item->valuestring);
    return *out ? 0 : -1;
}

int token_refresh_parse(const char *body, size_t len, refresh_result *result)
{
    result->expires_in = -1;
    if (!body || len == 0) {
        set_result_error(result, "empty response");
        return -1;
    }
    if (len > REFRESH_RESPONSE_MAX) {
        set_result_error(result, "response larger than %d bytes", REFRESH_RESPONSE_MAX);
        return -1;
    }
    cJSON *root = cJSON_ParseWithLength(body, len);
    if (!cJSON_IsObject(root)) {
        cJSON_Delete(root);
        set_result_error(result, "response is not a JSON object");
        return -1;
    }
    int rc = -1;
    const cJSON *access = field_either(root, "accessToken", "access_token");
    if (!cJSON_IsString(access) || !*access->valuestring ||
        strlen(access->valuestring) > CRED_ACCESS_TOKEN_MAX ||
        !rule_header_safe(access->valuestring)) {
        set_result_error(result, "response has no usable accessToken");
        goto done;
    }
    if (!(result->access_token = strdup(access->valuestring))) {
        set_result_error(result, "out of memory");
        goto done;
    }
    if (optional_text(field_either(root, "refreshToken", "refresh_token"), CRED_REFRESH_TOKEN_MAX,
                      &result->refresh_token) != 0) {
        set_result_error(result, "response has an unusable refreshToken");
        goto done;
    }
    if (optional_text(cJSON_GetObjectItemCaseSensitive(root, "profileArn"), CRED_PROFILE_ARN_MAX,
                      &result->profile_arn) != 0) {
        set_result_error(result, "response has an unusable profileArn");
        goto done;
    }
    const cJSON *expires = field_either(root, "expiresIn", "expires_in");
    if (cJSON_IsNumber(expires) && expires->valuedouble >= 0 &&
        expires->valuedouble <= (double)EXPIRES_IN_MAX)
        result->expires_in = (long)expires->valuedouble;
    rc = 0;
done:
    if (rc != 0) {
        free(result->access_token);
        free(result->refresh_token);
        free(result->profile_arn);
        result->access_token = result->refresh_token = result->profile_arn = NULL;
    }
    cJSON_Delete(root);
    return rc;
}

int token_refresh_is_dead(const refresh_result *r)
{
    return r && (r->http_status == 401 ||
                 (r->http_status == 400 && (strstr(r->error, "invalid_grant") != NULL ||
                                            strstr(r->error, "InvalidGrant") != NULL)));
}

/* The service's own short error code from an error body ("invalid_grant"), reduced to harmless
 * characters: error text ends up in logs and the admin view. */
static void error_code_from_body(const char *body, size_t len, char *out, size_t size)
{
    out[0] = '\0';
    cJSON *root = cJSON_ParseWithLength(body, len);
    if (!root)
        return;
    const char *names[] = {"error", "code", "message", "__type"};
    const cJSON *item = NULL;
    for (size_t i = 0; i < sizeof names / sizeof names[0] && !cJSON_IsString(item); i++)
        item = cJSON_GetObjectItemCaseSensitive(root, names[i]);
    if (cJSON_IsString(item)) {
        size_t n = 0;
        for (const char *p = item->valuestring; *p && n + 1 < size && n < 60; p++) {
            char ch = *p;
            int keep = (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                       (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.' ||
                       ch == ' ' || ch == ':';
            out[n++] = keep ? ch : '?';
        }
        out[n] = '\0';
    }
    cJSON_Delete(root);
}

typedef struct response_sink {
    kbuf body;
    int overflow;
} response_sink;

static size_t collect_response(char *data, size_t size, size_t nmemb, void *user)
{
    response_sink *sink = user;
    size_t n = size * nmemb;
    if (kbuf_append(&sink->body, data, n) != KBUF_OK) {
        sink->overflow = 1;
        return 0; /* makes libcurl abort with CURLE_WRITE_ERROR */
    }
    return n;
}

/* The user agent of c's refresh, as the Kiro IDE sends it. A credential without a machine id
 * (one built in memory) gets kiro-go's: the SHA-256 hex of its refresh token. */
static void refresh_identity(const refresh_config *cfg, const credential *c,
                             kiro_identity_lines *out)
{
    if (c->method == AUTH_IDC) {
        kiro_identity_idc_refresh(out);
        return;
    }
    char derived[SHA256_HEX_SIZE];
    const char *machine_id = c->machine_id;
    if (!machine_id[0]) {
        sha256_hex(c->refresh_token, strlen(c->refresh_token), derived);
        machine_id = derived;
    }
    kiro_client_versions versions = {.kiro = cfg->kiro_version};
    kiro_identity_social_refresh(&versions, machine_id, out);
}

static void wipe_and_free(char *text)
{
    if (text) {
        memset(text, 0, strlen(text));
        free(text);
    }
}

int token_refresh_once(const refresh_config *cfg_in, const credential *c, refresh_result *result)
{
    memset(result, 0, sizeof *result);
    result->expires_in = -1;
    refresh_config cfg;
    with_defaults(cfg_in, &cfg);

    char *body = token_refresh_body(c);
    if (!body) {
        if (!c || !c->refresh_token)
            set_result_error(result, "no refresh token");
        else if (c->method == AUTH_IDC)
            set_result_error(result, "IdC credential needs clientId and clientSecret");
        else
            set_result_error(result, "out of memory");
        return -1;
    }
    char url[512];
    token_refresh_url(&cfg, c, url, sizeof url);

    CURL *curl = curl_easy_init();
    if (!curl) {
        wipe_and_free(body);
        set_result_error(result, "curl_easy_init failed");
        return -1;
    }
    response_sink sink = {KBUF_INIT(REFRESH_RESPONSE_MAX), 0};
    char curl_error[CURL_ERROR_SIZE] = "";
    kiro_identity_lines identity;
    refresh_identity(&cfg, c, &identity);
    struct curl_slist *headers = NULL;
    headers = curl_slist_append(headers, "Content-Type: application/json");
    headers = curl_slist_append(headers, "Accept: application/json");
    if (identity.amz_user_agent[0])
        headers = curl_slist_append(headers, identity.amz_user_agent);
    if (identity.user_agent[0])
        headers = curl_slist_append(headers, identity.user_agent);
    curl_easy_setopt(curl, CURLOPT_URL, url);
    curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body);
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, (long)cfg.connect_timeout_ms);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, (long)cfg.timeout_ms);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_FOLLOWLOCATION, 0L);
    curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect_response);
    curl_easy_setopt(curl, CURLOPT_WRITEDATA, &sink);
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, curl_error);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(curl, CURLOPT_PROTOCOLS, (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif

    CURLcode code = curl_easy_perform(curl);
    long status = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
    result->http_status = (int)status;
    curl_slist_free_all(headers);
    curl_easy_cleanup(curl);
    wipe_and_free(body);

    int rc = -1;
    const char *data = sink.body.data ? sink.body.data : "";
    if (code != CURLE_OK) {
        if (sink.overflow)
            set_result_error(result, "response larger than %d bytes", REFRESH_RESPONSE_MAX);
        else
            set_result_error(result, "request failed: %s",
                             curl_error[0] ? curl_error : curl_easy_strerror(code));
    } else if (status >= 200 && status < 300) {
        rc = token_refresh_parse(data, sink.body.len, result);
    } else {
        char service_code[64];
        error_code_from_body(data, sink.body.len, service_code, sizeof service_code);
        set_result_error(result, "HTTP %ld%s%s", status, service_code[0] ? " " : "", service_code);
    }
    if (sink.body.data)
        memset(sink.body.data, 0, sink.body.len); /* it may hold tokens */
    kbuf_free(&sink.body);
    return rc;
}

/* Stores a refresh outcome in the pool and logs it (masked). Returns 0 when new tokens were
 * stored. */
static int apply_outcome(cred_pool *pool, const credential *used, int rc, const refresh_result *r)
{
    if (rc == 0) {
        time_t now = time(NULL);
        long lifetime = r->expires_in >= 0 ? r->expires_in : REFRESH_DEFAULT_LIFETIME_S;
        time_t expires_at = now + (time_t)lifetime;
        if (cred_pool_store_refresh_of(pool, used, r->access_token, r->refresh_token,
                                       r->profile_arn, expires_at) != 0) {
            LOG_WARN("token refresh: credential %d changed or vanished during its refresh; "
                     "result discarded",
                     used->id);
            return -1;
        }
        char masked[SECRET_MASK_SIZE], expires_text[32];
        secret_mask(r->access_token, masked, sizeof masked);
        clock_format_rfc3339(expires_at, expires_text, sizeof expires_text);
        LOG_INFO("token refresh: credential %d refreshed: access token %s, expires %s%s", used->id,
                 masked, expires_text, r->refresh_token ? ", new refresh token" : "");
        return 0;
    }
    int dead = token_refresh_is_dead(r);
    char masked[SECRET_MASK_SIZE];
    secret_mask(used->refresh_token, masked, sizeof masked);
    cred_pool_refresh_failed_of(pool, used, r->error, dead);
    LOG_WARN("token refresh: credential %d (refresh token %s) failed: %s%s", used->id, masked,
             r->error, dead ? " (refresh token rejected)" : "");
    return -1;
}

int token_refresh_credential(const refresh_config *cfg, cred_pool *pool, int id, char *err,
                             size_t err_size)
{
    credential c;
    if (cred_pool_copy(pool, id, &c) != 0) {
        if (err && err_size)
            snprintf(err, err_size, "no credential %d", id);
        return -1;
    }
    refresh_result r;
    int rc = token_refresh_once(cfg, &c, &r);
    int stored = apply_outcome(pool, &c, rc, &r);
    if (stored == 0) {
        if (cred_pool_save(pool) != 0 && err && err_size)
            snprintf(err, err_size, "refreshed, but saving the credentials file failed");
    } else if (err && err_size) {
        snprintf(err, err_size, "%s", rc == 0 ? "credential changed during refresh" : r.error);
    }
    refresh_result_clear(&r);
    credential_clear(&c);
    return stored;
}

/* ---- background refresher ---- */

struct token_refresher {
    refresh_config cfg; /* cfg.auth_url points at auth_url below */
    char *auth_url;
    cred_pool *pool;
    worker *thread;
    pthread_mutex_t mu; /* guards the counters below; never held across I/O */
    pthread_cond_t round_done;
    long rounds;
    long refreshes;
    long failures;
};

static void run_round(token_refresher *r, worker *w)
{
    credential *due = NULL;
    size_t n = cred_pool_due_for_refresh(r->pool, time(NULL), r->cfg.margin_s, &due);
    long ok = 0, failed = 0;
    for (size_t i = 0; i < n && !worker_stopping(w); i++) {
        refresh_result result;
        int rc = token_refresh_once(&r->cfg, &due[i], &result);
        if (apply_outcome(r->pool, &due[i], rc, &result) == 0)
            ok++;
        else
            failed++;
        refresh_result_clear(&result);
    }
    cred_list_free(due, n);
    if (ok > 0)
        cred_pool_save(r->pool);
    pthread_mutex_lock(&r->mu);
    r->refreshes += ok;
    r->failures += failed;
    pthread_mutex_unlock(&r->mu);
}

/* One round now, then one per period or as soon as poked; a poke during a round asks for
 * another round right after it. */
static void refresher_body(worker *w, void *user)
{
    token_refresher *r = user;
    while (!worker_stopping(w)) {
        worker_clear_wake(w); /* this round serves every poke made so far */
        run_round(r, w);
        pthread_mutex_lock(&r->mu);
        r->rounds++;
        pthread_cond_broadcast(&r->round_done);
        pthread_mutex_unlock(&r->mu);
        if (worker_wait(w, r->cfg.period_ms) == WORKER_STOP)
            break;
    }
}

token_refresher *token_refresher_start(const refresh_config *cfg, cred_pool *pool)
{
    if (!pool)
        return NULL;
    token_refresher *r = calloc(1, sizeof *r);
    if (!r)
        return NULL;
    with_defaults(cfg, &r->cfg);
    if (r->cfg.auth_url && !(r->auth_url = strdup(r->cfg.auth_url))) {
        free(r);
        return NULL;
    }
    r->cfg.auth_url = r->auth_url;
    r->pool = pool;
    pthread_mutex_init(&r->mu, NULL);
    pthread_cond_init(&r->round_done, NULL);
    /* Reference-counted by libcurl; called here, on the starting thread, so the refresher never
     * depends on someone else having initialised libcurl. */
    curl_global_init(CURL_GLOBAL_DEFAULT);
    r->thread = worker_start("token-refresh", refresher_body, r);
    if (!r->thread) {
        curl_global_cleanup();
        pthread_cond_destroy(&r->round_done);
        pthread_mutex_destroy(&r->mu);
        free(r->auth_url);
        free(r);
        return NULL;
    }
    return r;
}

void token_refresher_poke(token_refresher *r)
{
    if (r)
        worker_wake(r->thread);
}

void token_refresher_stop(token_refresher *r)
{
    if (!r)
        return;
    /* A round ends between two refreshes, each bounded by the call timeouts. */
    int deadline_ms = r->cfg.timeout_ms + r->cfg.connect_timeout_ms + 5000;
    if (worker_stop(r->thread, deadline_ms) != 0) {
        LOG_ERROR("[REFRESH] the token refresher did not stop within %d ms: leaving it running",
                  deadline_ms);
        return; /* its state stays allocated: the thread still uses it */
    }
    curl_global_cleanup();
    pthread_cond_destroy(&r->round_done);
    pthread_mutex_destroy(&r->mu);
    free(r->auth_url);
    free(r);
}

void token_refresher_counts(token_refresher *r, long *refreshes, long *failures)
{
    long ok = 0, failed = 0;
    if (r) {
        pthread_mutex_lock(&r->mu);
        ok = r->refreshes;
        failed = r->failures;
        pthread_mutex_unlock(&r->mu);
    }
    if (refreshes)
        *refreshes = ok;
    if (failures)
        *failures = failed;
}

long token_refresher_round_count(token_refresher *r)
{
    if (!r)
        return 0;
    pthread_mutex_lock(&r->mu);
    long rounds = r->rounds;
    pthread_mutex_unlock(&r->mu);
    return rounds;
}

int token_refresher_wait_rounds(token_refresher *r, long rounds, int timeout_ms)
{
    if (!r)
        return -1;
    struct timespec deadline;
    clock_deadline_in(&deadline, timeout_ms);
    pthread_mutex_lock(&r->mu);
    int rc = 0;
    while (r->rounds < rounds && rc == 0) {
        if (pthread_cond_timedwait(&r->round_done, &r->mu, &deadline) == ETIMEDOUT)
            rc = r->rounds >= rounds ? 0 : -1;
    }
    pthread_mutex_unlock(&r->mu);
    return rc;
}
