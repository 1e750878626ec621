/* config.c: the settings' defaults, their release, and the upstream base URL they imply;
 * see config.h. Reading them is option_table.c (the options), config_json.c (config.json) and
 * config_args.c (environment, flags, --help). */
#include "config/config.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "util/listen_addr.h"

#define DEFAULT_PORT 13000

static void default_system_version(char *out, size_t size)
{
    struct utsname u;
    if (uname(&u) != 0) {
        snprintf(out, size, "unknown#0");
        return;
    }
    char os[32];
    size_t n = 0;
    for (const char *p = u.sysname; *p && n + 1 < sizeof os; p++)
        os[n++] = (char)tolower((unsigned char)*p);
    os[n] = '\0';
    /* "6.1.0-18-amd64" -> "6.1.0": the numeric part is what Kiro clients report. */
    size_t release_len = strspn(u.release, "0123456789.");
    snprintf(out, size, "%s#%.*s", os, (int)release_len, u.release);
}

void config_defaults(proxy_config *c)
{
    memset(c, 0, sizeof *c);
    snprintf(c->host, sizeof c->host, "%s", LISTEN_ADDR_DEFAULT_HOST);
    c->port = DEFAULT_PORT;
    snprintf(c->region, sizeof c->region, "us-east-1");
    snprintf(c->kiro_version, sizeof c->kiro_version, "%s", KIRO_IDENTITY_DEFAULT_KIRO_VERSION);
    default_system_version(c->system_version, sizeof c->system_version);
    snprintf(c->node_version, sizeof c->node_version, "%s", KIRO_IDENTITY_DEFAULT_NODE_VERSION);
    snprintf(c->sdk_version, sizeof c->sdk_version, "%s", KIRO_IDENTITY_DEFAULT_SDK_VERSION);
    c->credentials_path = strdup("./credentials.json");
    c->user_credentials_path = strdup("./user_credentials.json");
    c->log_level = LOG_LEVEL_INFO;
    c->log_queue_bytes = 4u << 20;
    c->log_flush_ms = 2000;
    c->max_body_bytes = 16u << 20;
    c->max_connections = 512;
    c->connect_timeout_ms = 10000;
    c->first_byte_timeout_ms = 120000;
    c->idle_timeout_ms = 300000;
    c->client_timeout_s = 300;
    c->header_timeout_s = 60;
    c->body_timeout_s = 60;
    c->ping_interval_ms = 15000;
    c->model_refresh_s = 3600;
    c->max_retries = 3;
    c->retry_base_ms = 250;
    c->watch_ms = 1000;
}

void config_free(proxy_config *c)
{
    if (!c)
        return;
    char **owned[] = {&c->api_key,
                      &c->admin_key,
                      &c->config_path,
                      &c->credentials_path,
                      &c->user_credentials_path,
                      &c->upstream_url,
                      &c->auth_url,
                      &c->cors_origins};
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++) {
        free(*owned[i]);
        *owned[i] = NULL;
    }
}

void config_upstream_base_url(const proxy_config *c, const char *region, char *out, size_t out_size)
{
    const char *base = c->upstream_url;
    if (base && *base) {
        size_t n = strlen(base);
        while (n && base[n - 1] == '/')
            n--;
        snprintf(out, out_size, "%.*s", (int)n, base);
    } else {
        snprintf(out, out_size, "https://q.%s.amazonaws.com",
                 region && *region ? region : c->region);
    }
}

kiro_client_versions config_client_versions(const proxy_config *c)
{
    kiro_client_versions v = {
        .sdk = c->sdk_version,
        .kiro = c->kiro_version,
        .system = c->system_version,
        .node = c->node_version,
    };
    return v;
}
