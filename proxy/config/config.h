/* config.h: the settings of the whole proxy (listen address, keys, paths, upstream identity,
 * logger, limits, timeouts, retries) from kiro-go's config.json, environment variables and
 * command-line flags, applied in that order (flags win). The options are described once, in
 * option_table.c; the value rules shared with the credentials are in rules.h; the version is in
 * version.h.
 *
 * config.json fields (kiro-go): host, port, apiKey, adminApiKey, regions[], kiroVersion,
 * systemVersion, nodeVersion, apiRegion, userCredentialsPath; plus this proxy's own:
 * credentialsPath, upstreamUrl, authUrl, logLevel, logQueueBytes, logFlushMs, maxBodyBytes,
 * maxConnections, connectTimeoutMs, firstByteTimeoutMs, idleTimeoutMs, modelRefreshSeconds,
 * sdkVersion. The four client versions (kiroVersion, systemVersion, nodeVersion, sdkVersion)
 * are what every call to Kiro reports in its user agents (util/kiro_identity.h).
 * Environment: KIRO_CONFIG, KIRO_LISTEN, KIRO_API_KEY, KIRO_ADMIN_KEY, KIRO_CREDENTIALS,
 * KIRO_USER_CREDENTIALS, KIRO_UPSTREAM_URL, KIRO_AUTH_URL, KIRO_LOG_LEVEL, KIRO_REGION; every
 * other flag with a value has one too: KIRO_ + the flag in capitals, '-' as '_'
 * (--max-retries <-> KIRO_MAX_RETRIES), and config.json also takes clientTimeoutSeconds,
 * pingIntervalMs, maxRetries and retryBaseMs. Numbers are range-checked; errors name the flag,
 * variable or field. On an error the config may be partly updated: callers exit. */
#ifndef KIRO_CONFIG_CONFIG_H
#define KIRO_CONFIG_CONFIG_H

#include <stddef.h>

#include "config/rules.h"
#include "config/version.h"
#include "log/log.h"
#include "util/kiro_identity.h"

typedef struct proxy_config {
    char host[256];                /* default 127.0.0.1 */
    int port;                      /* default 13000 */
    char *api_key;                 /* NULL: client API disabled (every request 401) */
    char *admin_key;               /* NULL: admin API answers 403 with how to enable it */
    char region[REGION_NAME_SIZE]; /* upstream region (first of regions[]); default us-east-1 */
    char kiro_version[32];         /* Kiro IDE version in the user agents; default 1.6.0 */
    char system_version[64];       /* os/ in the user agents; default this system (linux#6.1.0) */
    char node_version[32];         /* md/nodejs# in the user agents; default 22.21.1 */
    char sdk_version[32];          /* aws-sdk-js/ in the user agents; default 1.0.27 */
    char *config_path;             /* where config.json was read from, if any */
    char *credentials_path;        /* credentials.json; default ./credentials.json */
    char *user_credentials_path;   /* admin user-credentials store; default: user_credentials.json
                                      beside the credentials file */
    int user_credentials_given;    /* set by a flag, the environment or config.json */
    char *cors_origins;            /* comma-separated origins allowed from browsers; NULL = any */
    int allow_caller_credentials;  /* X-Kiro-Credentials / creds-<base64>; default 0 */
    int watch_ms;                  /* credentials file watch period; default 1000, 0 = off */
    char *upstream_url;            /* base for generateAssistantResponse / ListAvailableModels;
                                      NULL = https://q.{region}.amazonaws.com */
    char *auth_url;                /* base for both refresh endpoints; NULL = the real hosts */
    log_level log_level;           /* default info */
    size_t log_queue_bytes;        /* async logger budget; default 4 MiB */
    int log_flush_ms;              /* exit flush deadline; default 2000 */
    size_t max_body_bytes;         /* client request body limit; default 16 MiB */
    int max_connections;           /* default 512 */
    int connect_timeout_ms;        /* upstream connect; default 10000 */
    int first_byte_timeout_ms;     /* upstream first byte; default 120000 */
    int idle_timeout_ms;           /* upstream stall between bytes; default 300000 */
    int client_timeout_s;          /* idle client connection; default 300 */
    int header_timeout_s;          /* whole request head must arrive within; default 60 */
    int body_timeout_s;            /* whole request body must arrive within, after the head; 60 */
    int ping_interval_ms;          /* SSE ping while waiting; default 15000 */
    int model_refresh_s; /* background ListAvailableModels period; default 3600, 0 = never */
    int max_retries;     /* upstream retries on 408/429/5xx; default 3 */
    int retry_base_ms;   /* backoff base; default 250 */
} proxy_config;

void config_defaults(proxy_config *c);
void config_free(proxy_config *c);

/* Merges a config.json file. Returns 0, or -1 with a message in err. */
int config_load_file(proxy_config *c, const char *path, char *err, size_t err_size);
/* Merges a config.json text (tests). */
int config_load_json(proxy_config *c, const char *json, char *err, size_t err_size);
/* Merges the KIRO_* environment variables. */
int config_apply_env(proxy_config *c, char *err, size_t err_size);

/* Parses argv (after loading --config first, then the environment, then the other flags).
 * Returns 0 to run, 1 when --help or --version printed and the program should exit 0, -1 on a
 * usage error (message in err). */
int config_from_args(proxy_config *c, int argc, char **argv, char *err, size_t err_size);
/* Writes the --help text. */
void config_print_help(const char *program, void *stdio_file);

/* The upstream base URL (no trailing slash) for a credential's region: upstream_url when set,
 * else https://q.{region}.amazonaws.com (region NULL or "": the configured region). Used by
 * every caller of the Kiro API (generateAssistantResponse, ListAvailableModels). */
void config_upstream_base_url(const proxy_config *c, const char *region, char *out,
                              size_t out_size);

/* The client versions of the settings, for util/kiro_identity.h (pointers into c). */
kiro_client_versions config_client_versions(const proxy_config *c);

#endif
