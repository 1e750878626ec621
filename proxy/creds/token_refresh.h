/* token_refresh.h: renewal of Kiro access tokens, off every request path.
 *
 * Social accounts: POST {auth}/refreshToken {"refreshToken"}; IdC / builder-id accounts:
 * POST {oidc}/token {"clientId","clientSecret","refreshToken","grantType":"refresh_token"}.
 * The background refresher wakes periodically (and when poked), refreshes every credential that
 * expires within 5 minutes or was flagged by an upstream 401/403, with connect and total
 * timeouts, without holding the pool lock during the call, and persists new tokens atomically.
 * Each call carries the user agent the Kiro IDE sends (util/kiro_identity.h): social
 * "KiroIDE-{kiroVersion}-{machineId}", IdC the AWS SDK's sso-oidc agent and "node". */
#ifndef KIRO_TOKEN_REFRESH_H
#define KIRO_TOKEN_REFRESH_H

#include <time.h>

#include "creds/credentials.h"

/* Zero in any field below means its default. */
typedef struct refresh_config {
    const char *auth_url;    /* base for both endpoints (tests); NULL = real hosts */
    char kiro_version[32];   /* in the social refresh's User-Agent; "" = 1.6.0 */
    int timeout_ms;          /* total per refresh call; default 15000 */
    int connect_timeout_ms;  /* default 5000 */
    int margin_s;            /* refresh this long before expiry; default 300 */
    int period_ms;           /* wake-up period; default 30000 */
} refresh_config;

typedef struct refresh_result {
    char *access_token;
    char *refresh_token;     /* NULL when the service kept the old one */
    char *profile_arn;
    long expires_in;         /* seconds, -1 when absent */
    int http_status;         /* 0 when no answer */
    char error[160];
} refresh_result;

/* URL of the refresh endpoint for a credential (writes into out). */
void token_refresh_url(const refresh_config *cfg, const credential *c, char *out, size_t size);
/* Request body for a credential (malloc'd JSON). */
char *token_refresh_body(const credential *c);
/* Parses a refresh response body into a zeroed (or cleared) result. Accepts camelCase fields
 * and the OAuth snake_case spellings. Returns 0, or -1 with result->error. */
int token_refresh_parse(const char *body, size_t len, refresh_result *result);
/* One blocking refresh call (libcurl, bounded by the timeouts). Returns 0 or -1. */
int token_refresh_once(const refresh_config *cfg, const credential *c, refresh_result *result);
void refresh_result_clear(refresh_result *r);

/* Refreshes credential id now and stores the result (admin "refresh" action). Returns 0/-1. */
int token_refresh_credential(const refresh_config *cfg, cred_pool *pool, int id,
                             char *err, size_t err_size);

typedef struct token_refresher token_refresher;
token_refresher *token_refresher_start(const refresh_config *cfg, cred_pool *pool);
/* Wakes the refresher (e.g. after an upstream 401). Never blocks. */
void token_refresher_poke(token_refresher *r);
/* Stops and joins (the thread never waits longer than one refresh timeout). */
void token_refresher_stop(token_refresher *r);
/* Counters for /metrics. */
void token_refresher_counts(token_refresher *r, long *refreshes, long *failures);

/* ---- Additions beyond the agreed interface ---- */

/* Largest refresh response body accepted. */
#define REFRESH_RESPONSE_MAX (64 * 1024)
/* Lifetime assumed when a refresh response carries no expiresIn. */
#define REFRESH_DEFAULT_LIFETIME_S 3600

/* 1 when the result says the refresh token itself is dead (HTTP 401, or HTTP 400 with
 * invalid_grant / InvalidGrantException). */
int token_refresh_is_dead(const refresh_result *r);
/* Rounds the refresher has completed (a round = one pass over the due credentials). */
long token_refresher_round_count(token_refresher *r);
/* Waits until at least `rounds` rounds completed. Returns 0, or -1 after timeout_ms. */
int token_refresher_wait_rounds(token_refresher *r, long rounds, int timeout_ms);

#endif
