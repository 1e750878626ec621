/* option_table.c: the table of options and how a value is applied; see option_table.h. */
#include "config/option_table.h"

#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "config/rules.h"
#include "config/version.h"
#include "log/log.h"
#include "util/errbuf.h"
#include "util/kiro_identity.h"
#include "util/listen_addr.h"

#define FIELD(name) offsetof(proxy_config, name)
/* offset, min, max of an OPT_TEXT option: the buffer's size is its limit */
#define TEXT_FIELD(name) FIELD(name), 0, (long long)sizeof(((proxy_config *)0)->name)

const option_spec option_table[] = {
    {"listen", OPT_LISTEN, 0, 0, 0, NULL, "HOST:PORT",
     "address to listen on: HOST:PORT, [IPv6]:PORT, :PORT or PORT; no host means 127.0.0.1 "
     "(default 127.0.0.1:13000)"},
    {"config", OPT_CONFIG, FIELD(config_path), 0, 0, NULL, "FILE",
     "config.json to read first (kiro-go format); default: ./config.json when it exists, as in "
     "kiro-go"},
    {"credentials", OPT_PATH, FIELD(credentials_path), 0, 0, "credentialsPath", "FILE",
     "Kiro credentials file, an array or one object (default ./credentials.json)"},
    {"user-credentials", OPT_PATH, FIELD(user_credentials_path), 0, 0, "userCredentialsPath",
     "FILE",
     "kiro-go's user-credentials store (activation codes); kiro-go's codes.json beside it is "
     "read too (default: user_credentials.json beside the credentials file)"},
    {"api-key", OPT_SECRET, FIELD(api_key), 0, 0, "apiKey", "KEY",
     "key clients must send (x-api-key or Authorization: Bearer); unset: every request is "
     "rejected"},
    {"admin-key", OPT_SECRET, FIELD(admin_key), 0, 0, "adminApiKey", "KEY",
     "key for /api/admin/*; unset: the admin API is disabled"},
    {"upstream-url", OPT_URL, FIELD(upstream_url), 0, 0, "upstreamUrl", "URL",
     "base URL of the Kiro API (default https://q.{region}.amazonaws.com)"},
    {"auth-url", OPT_URL, FIELD(auth_url), 0, 0, "authUrl", "URL",
     "base URL for both token refresh endpoints (default: the real Kiro and OIDC hosts)"},
    {"region", OPT_REGION, FIELD(region), 0, 0, NULL, "R",
     "upstream region (default us-east-1; config.json: apiRegion, else regions[0])"},
    {"kiro-version", OPT_TEXT, TEXT_FIELD(kiro_version), NULL, "V",
     "Kiro IDE version every call to Kiro reports in its user agents "
     "(default " KIRO_IDENTITY_DEFAULT_KIRO_VERSION "; config.json: kiroVersion)"},
    {"sdk-version", OPT_TEXT, TEXT_FIELD(sdk_version), "sdkVersion", "V",
     "aws-sdk-js version in the user agents of Kiro API calls "
     "(default " KIRO_IDENTITY_DEFAULT_SDK_VERSION ")"},
    {"system-version", OPT_TEXT, TEXT_FIELD(system_version), NULL, "OS#V",
     "os/ part of those user agents (default this system, e.g. linux#6.1.0; config.json: "
     "systemVersion)"},
    {"node-version", OPT_TEXT, TEXT_FIELD(node_version), NULL, "V",
     "md/nodejs# part of those user agents (default " KIRO_IDENTITY_DEFAULT_NODE_VERSION
     "; config.json: nodeVersion)"},
    {"log-level", OPT_LOG_LEVEL, FIELD(log_level), 0, 0, "logLevel", "LEVEL",
     "debug, info, warn or error (default info)"},
    {"log-queue-bytes", OPT_SIZE, FIELD(log_queue_bytes), 65536, 1LL << 30, "logQueueBytes", "N",
     "byte budget of the async log queue, 65536..1073741824 (default 4194304)"},
    {"log-flush-ms", OPT_INT, FIELD(log_flush_ms), 0, 60000, "logFlushMs", "N",
     "how long the logger may flush at exit, 0..60000 (default 2000)"},
    {"max-body-bytes", OPT_SIZE, FIELD(max_body_bytes), 1024, 1LL << 30, "maxBodyBytes", "N",
     "largest client request body, 1024..1073741824 (default 16777216)"},
    {"max-connections", OPT_INT, FIELD(max_connections), 1, 100000, "maxConnections", "N",
     "concurrent client connections, 1..100000 (default 512)"},
    {"connect-timeout-ms", OPT_INT, FIELD(connect_timeout_ms), 100, 600000, "connectTimeoutMs", "N",
     "upstream connect timeout, 100..600000 (default 10000)"},
    {"first-byte-timeout-ms", OPT_INT, FIELD(first_byte_timeout_ms), 100, 3600000,
     "firstByteTimeoutMs", "N",
     "longest wait for the upstream's first byte, 100..3600000 (default 120000)"},
    {"idle-timeout-ms", OPT_INT, FIELD(idle_timeout_ms), 100, 3600000, "idleTimeoutMs", "N",
     "longest upstream silence between bytes, 100..3600000 (default 300000)"},
    {"client-timeout-s", OPT_INT, FIELD(client_timeout_s), 1, 86400, "clientTimeoutSeconds", "N",
     "idle client connection timeout in seconds, 1..86400 (default 300)"},
    {"header-timeout-s", OPT_INT, FIELD(header_timeout_s), 1, 3600, "headerTimeoutSeconds", "N",
     "longest time a client may take to send a request's headers (slowloris guard), also "
     "closes idle keep-alive connections; capped by --client-timeout-s, 1..3600 (default 60)"},
    {"body-timeout-s", OPT_INT, FIELD(body_timeout_s), 1, 3600, "bodyTimeoutSeconds", "N",
     "longest time a request body may take after its head, else 408 and close, 1..3600 "
     "(default 60)"},
    {"ping-interval-ms", OPT_INT, FIELD(ping_interval_ms), 100, 600000, "pingIntervalMs", "N",
     "SSE ping interval while waiting for the upstream, 100..600000 (default 15000)"},
    {"model-refresh-s", OPT_INT, FIELD(model_refresh_s), 0, 604800, "modelRefreshSeconds", "N",
     "model list refresh period in seconds, 0 = never, 0..604800 (default 3600)"},
    {"max-retries", OPT_INT, FIELD(max_retries), 0, 10, "maxRetries", "N",
     "upstream retries on 408/429/5xx, 0..10 (default 3)"},
    {"retry-base-ms", OPT_INT, FIELD(retry_base_ms), 1, 60000, "retryBaseMs", "N",
     "base of the exponential retry backoff, 1..60000 (default 250)"},
    {"watch-ms", OPT_INT, FIELD(watch_ms), 0, 3600000, "credentialsWatchMs", "N",
     "how often the credentials file is checked for changes (reloaded when it changed), 0 = "
     "never, 0..3600000 (default 1000)"},
    {"cors-origins", OPT_LIST, FIELD(cors_origins), 0, 0, "corsOrigins", "LIST",
     "origins a browser page may call from (Access-Control-Allow-Origin), comma-separated; * "
     "allows any, as kiro-go does (default *)"},
    {"caller-credentials", OPT_BOOL, FIELD(allow_caller_credentials), 0, 0,
     "allowCallerCredentials", "on|off",
     "accept a caller's own Kiro credential in X-Kiro-Credentials or a creds-<base64> key, as "
     "kiro-go does (default off)"},
    {"help", OPT_HELP, 0, 0, 0, NULL, NULL, "print this help and exit"},
    {"version", OPT_VERSION, 0, 0, 0, NULL, NULL,
     "print \"kiro-proxy " KIRO_PROXY_VERSION "\" and exit"},
};

const size_t option_count = sizeof option_table / sizeof option_table[0];

static char **string_field(proxy_config *c, const option_spec *o)
{
    return (char **)(void *)((char *)c + o->offset);
}

static int *int_field(proxy_config *c, const option_spec *o)
{
    return (int *)(void *)((char *)c + o->offset);
}

static size_t *size_field(proxy_config *c, const option_spec *o)
{
    return (size_t *)(void *)((char *)c + o->offset);
}

const option_spec *option_find(const char *flag, size_t flag_len)
{
    for (size_t i = 0; i < option_count; i++) {
        if (strlen(option_table[i].flag) == flag_len &&
            strncmp(option_table[i].flag, flag, flag_len) == 0)
            return &option_table[i];
    }
    return NULL;
}

int option_takes_value(const option_spec *o)
{
    return o->kind != OPT_HELP && o->kind != OPT_VERSION;
}

void option_env_name(const option_spec *o, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "KIRO_");
    for (const char *p = o->flag; *p && n + 1 < size; p++)
        out[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    out[n < size ? n : size - 1] = '\0';
}

int option_replace_string(char **field, const char *value)
{
    char *copy = NULL;
    if (value && *value) {
        copy = strdup(value);
        if (!copy)
            return -1;
    }
    free(*field);
    *field = copy;
    return 0;
}

int option_apply_number(proxy_config *c, const option_spec *o, long long value, const char *source,
                        char *err, size_t err_size)
{
    if (value < o->min || value > o->max) {
        errbuf_set(err, err_size, "%s: %lld is out of range (%lld..%lld)", source, value, o->min,
                   o->max);
        return -1;
    }
    if (o->kind == OPT_INT)
        *int_field(c, o) = (int)value;
    else
        *size_field(c, o) = (size_t)value;
    return 0;
}

int option_apply_text(proxy_config *c, const option_spec *o, const char *value, const char *source,
                      char *err, size_t err_size)
{
    if (strlen(value) > CONFIG_STRING_MAX) {
        errbuf_set(err, err_size, "%s: value longer than %d characters", source, CONFIG_STRING_MAX);
        return -1;
    }
    switch (o->kind) {
    case OPT_LISTEN:
        if (listen_addr_parse(value, c->host, sizeof c->host, &c->port) != 0) {
            errbuf_set(err, err_size,
                       "%s: '%s' is not HOST:PORT, [IPv6]:PORT, :PORT or PORT (port 0..65535)",
                       source, value);
            return -1;
        }
        return 0;
    case OPT_CONFIG:
    case OPT_PATH:
        if (!*value || rule_has_control_chars(value)) {
            errbuf_set(err, err_size, "%s: needs a file name", source);
            return -1;
        }
        break;
    case OPT_SECRET:
        if (rule_has_control_chars(value)) {
            errbuf_set(err, err_size, "%s: contains control characters", source);
            return -1;
        }
        break;
    case OPT_URL:
        if (*value && ((strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0) ||
                       !rule_header_safe(value))) {
            errbuf_set(err, err_size, "%s: '%s' is not an http:// or https:// URL", source, value);
            return -1;
        }
        break;
    case OPT_REGION:
        if (!rule_region_name(value)) {
            errbuf_set(err, err_size, "%s: '%s' is not a region name (like us-east-1)", source,
                       value);
            return -1;
        }
        /* Length checked by rule_region_name() above. */
        memcpy(c->region, value, strlen(value) + 1);
        return 0;
    case OPT_TEXT: {
        size_t size = (size_t)o->max;
        if (!*value || strlen(value) >= size || !rule_header_safe(value)) {
            errbuf_set(err, err_size, "%s: must be 1..%zu printable characters without spaces",
                       source, size - 1);
            return -1;
        }
        memcpy((char *)c + o->offset, value, strlen(value) + 1);
        return 0;
    }
    case OPT_LOG_LEVEL:
        if (log_level_parse(value, &c->log_level) != 0) {
            errbuf_set(err, err_size, "%s: '%s' is not one of debug, info, warn, error", source,
                       value);
            return -1;
        }
        return 0;
    case OPT_INT:
    case OPT_SIZE: {
        char *end = NULL;
        errno = 0;
        long long number = strtoll(value, &end, 10);
        if (!*value || isspace((unsigned char)*value) || *end || errno == ERANGE) {
            errbuf_set(err, err_size, "%s: '%s' is not a whole number", source, value);
            return -1;
        }
        return option_apply_number(c, o, number, source, err, err_size);
    }
    case OPT_BOOL: {
        static const char *const truths[] = {"true", "on", "yes", "1"};
        static const char *const lies[] = {"false", "off", "no", "0"};
        for (size_t i = 0; i < sizeof truths / sizeof truths[0]; i++) {
            if (strcasecmp(value, truths[i]) == 0 || strcasecmp(value, lies[i]) == 0) {
                *int_field(c, o) = strcasecmp(value, truths[i]) == 0;
                return 0;
            }
        }
        errbuf_set(err, err_size, "%s: '%s' is not on/off (true/false, yes/no, 1/0)", source,
                   value);
        return -1;
    }
    case OPT_LIST:
        if (!rule_header_safe(value) && *value) {
            errbuf_set(err, err_size, "%s: must be printable text without spaces", source);
            return -1;
        }
        break;
    case OPT_HELP:
    case OPT_VERSION:
        return 0;
    }
    if (o->offset == FIELD(user_credentials_path))
        c->user_credentials_given = 1;
    if (option_replace_string(string_field(c, o), value) != 0) {
        errbuf_set(err, err_size, "%s: out of memory", source);
        return -1;
    }
    return 0;
}
