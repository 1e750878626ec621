/* config.c: the proxy's settings from config.json, KIRO_* environment variables and flags;
 * see config.h.
 *
 * One table (option_table) describes every option once: its flag, its config.json field, its
 * type and range, and its --help line. The flag parser, the environment reader, the JSON
 * reader and the help printer all walk that table, so an option cannot be documented in one
 * place and forgotten in another. The environment variable of an option is derived from its
 * flag: --max-body-bytes <-> KIRO_MAX_BODY_BYTES. */
#include "util/errbuf.h"
#include "creds/config.h"

#include <cjson/cJSON.h>
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/utsname.h>

#include "creds/atomic_file.h"

#define CONFIG_FILE_MAX_BYTES (1024 * 1024)
#define CONFIG_STRING_MAX 4096
#define DEFAULT_HOST "127.0.0.1"
#define DEFAULT_PORT 13000

typedef enum {
    OPT_LISTEN,    /* HOST:PORT into host and port */
    OPT_CONFIG,    /* the config file itself (read before everything else) */
    OPT_PATH,      /* owned string, must not be empty */
    OPT_SECRET,    /* owned string, empty = unset */
    OPT_URL,       /* owned string, http:// or https://, empty = unset */
    OPT_REGION,    /* region[32] */
    OPT_LOG_LEVEL, /* log_level */
    OPT_INT,       /* int within [min, max] */
    OPT_SIZE,      /* size_t within [min, max] */
    OPT_HELP,
    OPT_VERSION,
} option_kind;

typedef struct option_spec {
    const char *flag; /* without the leading "--" */
    option_kind kind;
    size_t offset;          /* of the field in proxy_config (unused for some kinds) */
    long long min, max;     /* for OPT_INT / OPT_SIZE */
    const char *json_name;  /* config.json field, NULL when the file has none or a special one */
    const char *value_name; /* placeholder shown by --help */
    const char *help;
} option_spec;

#define FIELD(name) offsetof(proxy_config, name)

static const option_spec option_table[] = {
    {"listen", OPT_LISTEN, 0, 0, 0, NULL, "HOST:PORT",
     "address to listen on: HOST:PORT, [IPv6]:PORT, :PORT or PORT; no host means 127.0.0.1 "
     "(default 127.0.0.1:13000)"},
    {"config", OPT_CONFIG, FIELD(config_path), 0, 0, NULL, "FILE",
     "config.json to read first (kiro-go format); default: none"},
    {"credentials", OPT_PATH, FIELD(credentials_path), 0, 0, "credentialsPath", "FILE",
     "Kiro credentials file, an array or one object (default ./credentials.json)"},
    {"user-credentials", OPT_PATH, FIELD(user_credentials_path), 0, 0, "userCredentialsPath",
     "FILE", "admin user-credentials store (default ./user_credentials.json)"},
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
    {"help", OPT_HELP, 0, 0, 0, NULL, NULL, "print this help and exit"},
    {"version", OPT_VERSION, 0, 0, 0, NULL, NULL,
     "print \"kiro-proxy " KIRO_PROXY_VERSION "\" and exit"},
};

#define OPTION_COUNT (sizeof option_table / sizeof option_table[0])

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

static const option_spec *find_option(const char *flag, size_t flag_len)
{
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        if (strlen(option_table[i].flag) == flag_len &&
            strncmp(option_table[i].flag, flag, flag_len) == 0)
            return &option_table[i];
    }
    return NULL;
}

static int option_takes_value(const option_spec *o)
{
    return o->kind != OPT_HELP && o->kind != OPT_VERSION;
}

/* KIRO_ + the flag in upper case with '-' as '_'. */
static void env_name_for(const option_spec *o, char *out, size_t size)
{
    size_t n = (size_t)snprintf(out, size, "KIRO_");
    for (const char *p = o->flag; *p && n + 1 < size; p++)
        out[n++] = *p == '-' ? '_' : (char)toupper((unsigned char)*p);
    out[n < size ? n : size - 1] = '\0';
}

/* Text that may travel into HTTP headers or URLs: printable, no spaces or controls. */
static int is_token_text(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 0x7f)
            return 0;
    }
    return 1;
}

static int has_control_chars(const char *s)
{
    for (; *s; s++) {
        if ((unsigned char)*s < ' ' || (unsigned char)*s == 0x7f)
            return 1;
    }
    return 0;
}

static int is_region_name(const char *s, size_t max_len)
{
    size_t n = strlen(s);
    if (n == 0 || n >= max_len)
        return 0;
    for (; *s; s++) {
        if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '-')
            return 0;
    }
    return 1;
}

static int parse_log_level(const char *text, log_level *out)
{
    static const struct {
        const char *name;
        log_level level;
    } names[] = {{"debug", LOG_LEVEL_DEBUG},
                 {"info", LOG_LEVEL_INFO},
                 {"warn", LOG_LEVEL_WARN},
                 {"warning", LOG_LEVEL_WARN},
                 {"error", LOG_LEVEL_ERROR}};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcasecmp(text, names[i].name) == 0) {
            *out = names[i].level;
            return 0;
        }
    }
    return -1;
}

static int replace_string(char **field, const char *value)
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

/* Stores an integer option after checking its range. `source` names the flag, variable or
 * field for the error message. */
static int apply_number(proxy_config *c, const option_spec *o, long long value, const char *source,
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

/* Applies an option given as text (a flag value or an environment variable). */
static int apply_text(proxy_config *c, const option_spec *o, const char *value, const char *source,
                      char *err, size_t err_size)
{
    if (strlen(value) > CONFIG_STRING_MAX) {
        errbuf_set(err, err_size, "%s: value longer than %d characters", source, CONFIG_STRING_MAX);
        return -1;
    }
    switch (o->kind) {
    case OPT_LISTEN:
        if (config_parse_listen(value, c->host, sizeof c->host, &c->port) != 0) {
            errbuf_set(err, err_size,
                      "%s: '%s' is not HOST:PORT, [IPv6]:PORT, :PORT or PORT (port 0..65535)",
                      source, value);
            return -1;
        }
        return 0;
    case OPT_CONFIG:
    case OPT_PATH:
        if (!*value || has_control_chars(value)) {
            errbuf_set(err, err_size, "%s: needs a file name", source);
            return -1;
        }
        break;
    case OPT_SECRET:
        if (has_control_chars(value)) {
            errbuf_set(err, err_size, "%s: contains control characters", source);
            return -1;
        }
        break;
    case OPT_URL:
        if (*value && ((strncmp(value, "http://", 7) != 0 && strncmp(value, "https://", 8) != 0) ||
                       !is_token_text(value))) {
            errbuf_set(err, err_size, "%s: '%s' is not an http:// or https:// URL", source, value);
            return -1;
        }
        break;
    case OPT_REGION:
        if (!is_region_name(value, sizeof c->region)) {
            errbuf_set(err, err_size, "%s: '%s' is not a region name (like us-east-1)", source,
                      value);
            return -1;
        }
        /* Length checked by is_region_name() above. */
        memcpy(c->region, value, strlen(value) + 1);
        return 0;
    case OPT_LOG_LEVEL:
        if (parse_log_level(value, &c->log_level) != 0) {
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
        return apply_number(c, o, number, source, err, err_size);
    }
    case OPT_HELP:
    case OPT_VERSION:
        return 0;
    }
    if (replace_string(string_field(c, o), value) != 0) {
        errbuf_set(err, err_size, "%s: out of memory", source);
        return -1;
    }
    return 0;
}

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
    snprintf(c->host, sizeof c->host, "%s", DEFAULT_HOST);
    c->port = DEFAULT_PORT;
    snprintf(c->region, sizeof c->region, "us-east-1");
    snprintf(c->kiro_version, sizeof c->kiro_version, "0.2.13");
    default_system_version(c->system_version, sizeof c->system_version);
    snprintf(c->node_version, sizeof c->node_version, "22.21.1");
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
                      &c->auth_url};
    for (size_t i = 0; i < sizeof owned / sizeof owned[0]; i++) {
        free(*owned[i]);
        *owned[i] = NULL;
    }
}

/* ---- config.json ---- */

/* A JSON string field copied into a fixed buffer; must be header-safe text. */
static int json_fixed_text(const cJSON *root, const char *name, char *out, size_t size,
                           const char *origin, char *err, size_t err_size)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, name);
    if (!item || cJSON_IsNull(item))
        return 0;
    if (!cJSON_IsString(item)) {
        errbuf_set(err, err_size, "%s: field \"%s\" must be a string", origin, name);
        return -1;
    }
    const char *value = item->valuestring;
    if (!*value || strlen(value) >= size || !is_token_text(value)) {
        errbuf_set(err, err_size,
                  "%s: field \"%s\" must be 1..%zu printable characters without spaces", origin,
                  name, size - 1);
        return -1;
    }
    snprintf(out, size, "%s", value);
    return 0;
}

static int json_whole_number(const cJSON *item, long long *out)
{
    if (!cJSON_IsNumber(item))
        return -1;
    double v = item->valuedouble;
    /* The range test also rejects NaN; inside it the cast is exact for whole numbers. */
    if (!(v >= -9.0e15 && v <= 9.0e15) || (double)(long long)v != v)
        return -1;
    *out = (long long)v;
    return 0;
}

static int json_table_field(proxy_config *c, const cJSON *root, const option_spec *o,
                            const char *origin, char *err, size_t err_size)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, o->json_name);
    if (!item || cJSON_IsNull(item))
        return 0;
    char source[160];
    snprintf(source, sizeof source, "%s: field \"%s\"", origin, o->json_name);
    if (o->kind == OPT_INT || o->kind == OPT_SIZE) {
        long long number;
        if (json_whole_number(item, &number) != 0) {
            errbuf_set(err, err_size, "%s must be a whole number", source);
            return -1;
        }
        return apply_number(c, o, number, source, err, err_size);
    }
    if (!cJSON_IsString(item)) {
        errbuf_set(err, err_size, "%s must be a string", source);
        return -1;
    }
    return apply_text(c, o, item->valuestring, source, err, err_size);
}

static int json_host_and_port(proxy_config *c, const cJSON *root, const char *origin, char *err,
                              size_t err_size)
{
    const cJSON *host = cJSON_GetObjectItemCaseSensitive(root, "host");
    if (host && !cJSON_IsNull(host)) {
        if (!cJSON_IsString(host)) {
            errbuf_set(err, err_size, "%s: field \"host\" must be a string", origin);
            return -1;
        }
        const char *h = host->valuestring;
        if (!*h || strlen(h) >= sizeof c->host || !is_token_text(h)) {
            errbuf_set(err, err_size, "%s: field \"host\" is not a host name or address", origin);
            return -1;
        }
        snprintf(c->host, sizeof c->host, "%s", h);
    }
    const cJSON *port = cJSON_GetObjectItemCaseSensitive(root, "port");
    if (port && !cJSON_IsNull(port)) {
        long long number;
        if (json_whole_number(port, &number) != 0 || number < 0 || number > 65535) {
            errbuf_set(err, err_size, "%s: field \"port\" must be a whole number 0..65535", origin);
            return -1;
        }
        c->port = (int)number;
    }
    return 0;
}

/* regions[] gives the region (its first element); apiRegion wins whatever the key order. */
static int json_regions(proxy_config *c, const cJSON *root, const char *origin, char *err,
                        size_t err_size)
{
    const cJSON *regions = cJSON_GetObjectItemCaseSensitive(root, "regions");
    if (regions && !cJSON_IsNull(regions)) {
        if (!cJSON_IsArray(regions)) {
            errbuf_set(err, err_size, "%s: field \"regions\" must be an array of region names",
                      origin);
            return -1;
        }
        const cJSON *element;
        int index = 0;
        cJSON_ArrayForEach(element, regions)
        {
            if (!cJSON_IsString(element) ||
                !is_region_name(element->valuestring, sizeof c->region)) {
                errbuf_set(err, err_size, "%s: field \"regions\"[%d] is not a region name", origin,
                          index);
                return -1;
            }
            if (index == 0)
                snprintf(c->region, sizeof c->region, "%s", element->valuestring);
            index++;
        }
    }
    const cJSON *api_region = cJSON_GetObjectItemCaseSensitive(root, "apiRegion");
    if (api_region && !cJSON_IsNull(api_region)) {
        if (!cJSON_IsString(api_region) ||
            !is_region_name(api_region->valuestring, sizeof c->region)) {
            errbuf_set(err, err_size, "%s: field \"apiRegion\" must be a region name string",
                      origin);
            return -1;
        }
        snprintf(c->region, sizeof c->region, "%s", api_region->valuestring);
    }
    return 0;
}

static int load_json_text(proxy_config *c, const char *json, size_t len, const char *origin,
                          char *err, size_t err_size)
{
    cJSON *root = cJSON_ParseWithLength(json, len);
    if (!root) {
        errbuf_set(err, err_size, "%s: not valid JSON", origin);
        return -1;
    }
    int rc = -1;
    if (!cJSON_IsObject(root)) {
        errbuf_set(err, err_size, "%s: must be a JSON object", origin);
        goto done;
    }
    if (json_host_and_port(c, root, origin, err, err_size) != 0 ||
        json_regions(c, root, origin, err, err_size) != 0 ||
        json_fixed_text(root, "kiroVersion", c->kiro_version, sizeof c->kiro_version, origin, err,
                        err_size) != 0 ||
        json_fixed_text(root, "systemVersion", c->system_version, sizeof c->system_version, origin,
                        err, err_size) != 0 ||
        json_fixed_text(root, "nodeVersion", c->node_version, sizeof c->node_version, origin, err,
                        err_size) != 0)
        goto done;
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        if (option_table[i].json_name &&
            json_table_field(c, root, &option_table[i], origin, err, err_size) != 0)
            goto done;
    }
    rc = 0;
done:
    cJSON_Delete(root);
    return rc;
}

int config_load_json(proxy_config *c, const char *json, char *err, size_t err_size)
{
    if (!json) {
        errbuf_set(err, err_size, "config JSON: missing");
        return -1;
    }
    size_t len = strlen(json);
    if (len > CONFIG_FILE_MAX_BYTES) {
        errbuf_set(err, err_size, "config JSON: larger than %d bytes", CONFIG_FILE_MAX_BYTES);
        return -1;
    }
    return load_json_text(c, json, len, "config JSON", err, err_size);
}

int config_load_file(proxy_config *c, const char *path, char *err, size_t err_size)
{
    size_t len = 0;
    char *text = file_read_all(path, CONFIG_FILE_MAX_BYTES, &len);
    if (!text) {
        if (errno == EFBIG)
            errbuf_set(err, err_size, "config file %s: larger than %d bytes", path,
                      CONFIG_FILE_MAX_BYTES);
        else
            errbuf_set(err, err_size, "config file %s: %s", path, strerror(errno));
        return -1;
    }
    int rc = load_json_text(c, text, len, path, err, err_size);
    free(text);
    if (rc == 0 && replace_string(&c->config_path, path) != 0) {
        errbuf_set(err, err_size, "config file %s: out of memory", path);
        return -1;
    }
    return rc;
}

/* ---- environment ---- */

int config_apply_env(proxy_config *c, char *err, size_t err_size)
{
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        const option_spec *o = &option_table[i];
        if (!option_takes_value(o) || o->kind == OPT_CONFIG)
            continue; /* KIRO_CONFIG is read by config_from_args before everything else */
        char name[64];
        env_name_for(o, name, sizeof name);
        const char *value = getenv(name);
        if (!value || !*value)
            continue;
        if (apply_text(c, o, value, name, err, err_size) != 0)
            return -1;
    }
    return 0;
}

/* ---- command line ---- */

/* Splits argv[*index] into an option and its value (consuming the next argument when the
 * value is not attached with '='). */
static int next_argument(int argc, char **argv, int *index, const option_spec **option,
                         const char **value, char *err, size_t err_size)
{
    const char *arg = argv[*index];
    *value = NULL;
    if (strcmp(arg, "-h") == 0) {
        *option = find_option("help", 4);
        return 0;
    }
    if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
        errbuf_set(err, err_size, "unexpected argument '%s' (see --help)", arg);
        return -1;
    }
    const char *name = arg + 2;
    const char *equals = strchr(name, '=');
    size_t name_len = equals ? (size_t)(equals - name) : strlen(name);
    *option = find_option(name, name_len);
    if (!*option) {
        errbuf_set(err, err_size, "unknown option '--%.*s' (see --help)", (int)name_len, name);
        return -1;
    }
    if (!option_takes_value(*option)) {
        if (equals) {
            errbuf_set(err, err_size, "--%s takes no value", (*option)->flag);
            return -1;
        }
        return 0;
    }
    if (equals) {
        *value = equals + 1;
    } else if (*index + 1 < argc) {
        *value = argv[++*index];
    } else {
        errbuf_set(err, err_size, "--%s needs a value (%s)", (*option)->flag, (*option)->value_name);
        return -1;
    }
    return 0;
}

int config_from_args(proxy_config *c, int argc, char **argv, char *err, size_t err_size)
{
    const char *program = argc > 0 && argv[0] ? argv[0] : "kiro-proxy";
    const char *config_file = NULL;
    int want_help = 0, want_version = 0;

    /* First pass: syntax only, to find --help, --version and --config. */
    for (int i = 1; i < argc; i++) {
        const option_spec *o;
        const char *value;
        if (next_argument(argc, argv, &i, &o, &value, err, err_size) != 0)
            return -1;
        if (o->kind == OPT_HELP)
            want_help = 1;
        else if (o->kind == OPT_VERSION)
            want_version = 1;
        else if (o->kind == OPT_CONFIG)
            config_file = value;
    }
    if (want_help) {
        config_print_help(program, stdout);
        fflush(stdout);
        return 1;
    }
    if (want_version) {
        printf("kiro-proxy %s\n", KIRO_PROXY_VERSION);
        fflush(stdout);
        return 1;
    }

    if (!config_file) {
        const char *from_env = getenv("KIRO_CONFIG");
        if (from_env && *from_env)
            config_file = from_env;
    }
    if (config_file && config_load_file(c, config_file, err, err_size) != 0)
        return -1;
    if (config_apply_env(c, err, err_size) != 0)
        return -1;

    for (int i = 1; i < argc; i++) {
        const option_spec *o;
        const char *value;
        if (next_argument(argc, argv, &i, &o, &value, err, err_size) != 0)
            return -1;
        if (!value || o->kind == OPT_CONFIG)
            continue;
        char source[64];
        snprintf(source, sizeof source, "--%s", o->flag);
        if (apply_text(c, o, value, source, err, err_size) != 0)
            return -1;
    }
    return 0;
}

#define HELP_WIDTH 79
#define HELP_INDENT 32

/* Writes words of text starting at column `column`, wrapping at HELP_WIDTH with the
 * continuation lines indented by `indent`. */
static void print_wrapped(FILE *out, const char *text, int column, int indent)
{
    const char *p = text;
    while (*p) {
        size_t word = strcspn(p, " ");
        if (column > indent && column + 1 + (int)word > HELP_WIDTH) {
            fprintf(out, "\n%*s", indent, "");
            column = indent;
        } else if (column > indent) {
            fputc(' ', out);
            column++;
        }
        fprintf(out, "%.*s", (int)word, p);
        column += (int)word;
        p += word;
        while (*p == ' ')
            p++;
    }
    fputc('\n', out);
}

void config_print_help(const char *program, void *stdio_file)
{
    FILE *out = stdio_file ? (FILE *)stdio_file : stdout;
    fprintf(out,
            "Usage: %s [options]\n"
            "\n"
            "kiro-proxy %s: the Anthropic Messages and OpenAI Chat Completions APIs,\n"
            "served from Amazon Kiro accounts.\n"
            "\n"
            "Options (\"--flag value\" or \"--flag=value\"):\n",
            program ? program : "kiro-proxy", KIRO_PROXY_VERSION);
    for (size_t i = 0; i < OPTION_COUNT; i++) {
        const option_spec *o = &option_table[i];
        char left[64];
        if (o->value_name)
            snprintf(left, sizeof left, "  --%s %s", o->flag, o->value_name);
        else
            snprintf(left, sizeof left, "  --%s", o->flag);
        fprintf(out, "%-*s", HELP_INDENT, left);
        print_wrapped(out, o->help, HELP_INDENT, HELP_INDENT);
    }
    fputc('\n', out);
    print_wrapped(out,
                  "Settings apply in this order, later ones winning: the config file (--config "
                  "or KIRO_CONFIG), then the environment, then the flags. Every option with a "
                  "value also has an environment variable: KIRO_ and the flag in capitals with "
                  "'_' for '-' (KIRO_LISTEN, KIRO_API_KEY, KIRO_ADMIN_KEY, KIRO_CREDENTIALS, "
                  "KIRO_USER_CREDENTIALS, KIRO_UPSTREAM_URL, KIRO_AUTH_URL, KIRO_LOG_LEVEL, "
                  "KIRO_REGION, KIRO_MAX_RETRIES, ...).",
                  0, 0);
    fputc('\n', out);
    char fields[1024];
    size_t used = (size_t)snprintf(fields, sizeof fields,
                                   "config.json fields: host, port, regions[] (the first is the "
                                   "region), apiRegion (wins over regions), kiroVersion, "
                                   "systemVersion, nodeVersion");
    for (size_t i = 0; i < OPTION_COUNT && used < sizeof fields; i++) {
        if (option_table[i].json_name)
            used += (size_t)snprintf(fields + used, sizeof fields - used, ", %s",
                                     option_table[i].json_name);
    }
    print_wrapped(out, fields, 0, 2);
}

/* ---- HOST:PORT ---- */

static int parse_port(const char *text, int *port)
{
    size_t n = strlen(text);
    if (n == 0 || n > 5 || strspn(text, "0123456789") != n)
        return -1;
    long value = strtol(text, NULL, 10);
    if (value > 65535)
        return -1;
    *port = (int)value;
    return 0;
}

static int is_host_text(const char *s, size_t len, int bracketed)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        int ok = isalnum(ch) || ch == '.' || ch == '-' || ch == '_' ||
                 (bracketed && (ch == ':' || ch == '%'));
        if (!ok)
            return 0;
    }
    return 1;
}

int config_parse_listen(const char *text, char *host, size_t host_size, int *port)
{
    if (!text || !host || host_size == 0 || !port)
        return -1;
    const char *host_start = NULL;
    size_t host_len = 0;
    const char *port_text;
    int bracketed = 0;

    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':')
            return -1;
        host_start = text + 1;
        host_len = (size_t)(close - host_start);
        port_text = close + 2;
        bracketed = 1;
    } else {
        const char *colon = strrchr(text, ':');
        if (!colon) {
            port_text = text; /* "PORT" */
        } else {
            if (memchr(text, ':', (size_t)(colon - text)))
                return -1; /* an IPv6 address needs brackets */
            host_start = text;
            host_len = (size_t)(colon - text);
            port_text = colon + 1;
        }
    }
    int parsed_port;
    if (parse_port(port_text, &parsed_port) != 0)
        return -1;
    if (host_len == 0) {
        if (bracketed)
            return -1; /* "[]:80" */
        host_start = DEFAULT_HOST;
        host_len = strlen(DEFAULT_HOST);
    } else if (!is_host_text(host_start, host_len, bracketed)) {
        return -1;
    }
    if (host_len >= host_size)
        return -1;
    memcpy(host, host_start, host_len);
    host[host_len] = '\0';
    *port = parsed_port;
    return 0;
}
