/* config_json.c: merging a kiro-go config.json into the settings; see config.h.
 *
 * kiro-go's own fields (host, port, regions[], apiRegion, kiroVersion, systemVersion,
 * nodeVersion) are read here by name (the versions through the options --kiro-version,
 * --system-version and --node-version, so both take the same values); every other field is the
 * json_name of an option in option_table.c. Unknown fields are ignored, never fatal: kiro-go's
 * files carry fields this proxy does not use. */
#include "config/config.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/option_table.h"
#include "config/rules.h"
#include "util/atomic_file.h"
#include "util/errbuf.h"

#define CONFIG_FILE_MAX_BYTES (1024 * 1024)

/* Any whole number a double holds exactly; the option's own range is checked afterwards. */
static int json_whole_number(const cJSON *item, long long *out)
{
    return rule_json_whole_number(item, -9.0e15, 9.0e15, out);
}

/* An array of strings for an OPT_LIST option: joined with commas. */
static int json_list_field(proxy_config *c, const option_spec *o, const cJSON *array,
                           const char *source, char *err, size_t err_size)
{
    char joined[CONFIG_STRING_MAX + 1] = "";
    size_t used = 0;
    const cJSON *element;
    cJSON_ArrayForEach(element, array)
    {
        if (!cJSON_IsString(element) || strchr(element->valuestring, ',')) {
            errbuf_set(err, err_size, "%s must be an array of strings without commas", source);
            return -1;
        }
        size_t len = strlen(element->valuestring);
        if (used + len + 1 > CONFIG_STRING_MAX) {
            errbuf_set(err, err_size, "%s: longer than %d characters", source, CONFIG_STRING_MAX);
            return -1;
        }
        used += (size_t)snprintf(joined + used, sizeof joined - used, "%s%s", used ? "," : "",
                                 element->valuestring);
    }
    return option_apply_text(c, o, joined, source, err, err_size);
}

/* Field `name` of the file applied as option o (its json_name, or kiro-go's name for it). */
static int json_table_field(proxy_config *c, const cJSON *root, const option_spec *o,
                            const char *name, const char *origin, char *err, size_t err_size)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(root, name);
    if (!item || cJSON_IsNull(item))
        return 0;
    char source[160];
    snprintf(source, sizeof source, "%s: field \"%s\"", origin, name);
    if (o->kind == OPT_INT || o->kind == OPT_SIZE) {
        long long number;
        if (json_whole_number(item, &number) != 0) {
            errbuf_set(err, err_size, "%s must be a whole number", source);
            return -1;
        }
        return option_apply_number(c, o, number, source, err, err_size);
    }
    if (o->kind == OPT_BOOL && cJSON_IsBool(item))
        return option_apply_text(c, o, cJSON_IsTrue(item) ? "true" : "false", source, err,
                                 err_size);
    if (o->kind == OPT_LIST && cJSON_IsArray(item))
        return json_list_field(c, o, item, source, err, err_size);
    if (!cJSON_IsString(item)) {
        errbuf_set(err, err_size, "%s must be a string", source);
        return -1;
    }
    return option_apply_text(c, o, item->valuestring, source, err, err_size);
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
        if (!*h || strlen(h) >= sizeof c->host || !rule_header_safe(h)) {
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
            if (!cJSON_IsString(element) || !rule_region_name(element->valuestring)) {
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
        if (!cJSON_IsString(api_region) || !rule_region_name(api_region->valuestring)) {
            errbuf_set(err, err_size, "%s: field \"apiRegion\" must be a region name string",
                       origin);
            return -1;
        }
        snprintf(c->region, sizeof c->region, "%s", api_region->valuestring);
    }
    return 0;
}

/* kiro-go's client version fields, applied through the options that also take them as flags
 * (whose json_name stays NULL so that --help names them once, as kiro-go's). */
static int json_client_versions(proxy_config *c, const cJSON *root, const char *origin, char *err,
                                size_t err_size)
{
    static const struct {
        const char *json_name;
        const char *flag;
    } fields[] = {
        {"kiroVersion", "kiro-version"},
        {"systemVersion", "system-version"},
        {"nodeVersion", "node-version"},
    };
    for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
        const option_spec *o = option_find(fields[i].flag, strlen(fields[i].flag));
        if (o && json_table_field(c, root, o, fields[i].json_name, origin, err, err_size) != 0)
            return -1;
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
        json_client_versions(c, root, origin, err, err_size) != 0)
        goto done;
    for (size_t i = 0; i < option_count; i++) {
        if (option_table[i].json_name &&
            json_table_field(c, root, &option_table[i], option_table[i].json_name, origin, err,
                             err_size) != 0)
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
    if (rc == 0 && option_replace_string(&c->config_path, path) != 0) {
        errbuf_set(err, err_size, "config file %s: out of memory", path);
        return -1;
    }
    return rc;
}
