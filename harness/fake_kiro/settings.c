/* settings.c: the settings table behind the command line, POST /__fake/faults and --help.
 *
 * Each entry names a field of fk_values by offset, its kind and its bounds. Parsing from text
 * (argv) and from JSON share the bounds checks, so a value the command line refuses is refused
 * at runtime too. Every value is bounded: numbers by range, text and lists by size. */
#include "settings.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

enum fk_kind { KIND_SWITCH, KIND_NUMBER, KIND_TEXT, KIND_LIST };
enum fk_group { GROUP_FAULT, GROUP_BEHAVIOUR };
enum fk_check { CHECK_NONE, CHECK_HTTP_STATUS, CHECK_TYPE_NAME };

struct fk_setting {
    const char *name; /* JSON key; the flag is --name with '_' written as '-' */
    enum fk_kind kind;
    enum fk_group group;
    size_t offset;
    long min, max;       /* numbers */
    size_t max_bytes;    /* text and list items */
    enum fk_check check; /* extra rule on top of the bounds */
    const char *metavar;
    const char *help;
};

#define FIELD(f) offsetof(fk_values, f)

static const fk_setting settings[] = {
    {"delay_ms", KIND_NUMBER, GROUP_FAULT, FIELD(delay_ms), 0, 3600000, 0, CHECK_NONE, "MS",
     "wait MS milliseconds before the response headers of generateAssistantResponse"},
    {"hang", KIND_SWITCH, GROUP_FAULT, FIELD(hang), 0, 1, 0, CHECK_NONE, NULL,
     "accept generateAssistantResponse and never send a byte (until the client leaves or we stop)"},
    {"status", KIND_NUMBER, GROUP_FAULT, FIELD(status), 0, 599, 0, CHECK_HTTP_STATUS, "CODE",
     "answer generateAssistantResponse with HTTP CODE (400-599) and an AWS-shaped JSON error"},
    {"quota", KIND_SWITCH, GROUP_FAULT, FIELD(quota), 0, 1, 0, CHECK_NONE, NULL,
     "quota exhausted: error body has reason MONTHLY_REQUEST_COUNT (status 402 unless --status)"},
    {"fail_count", KIND_NUMBER, GROUP_FAULT, FIELD(fail_count), 0, 1000000000, 0, CHECK_NONE, "N",
     "only the next N generateAssistantResponse requests get the faults, later ones are normal "
     "(0 = every request)"},
    {"slow_ms", KIND_NUMBER, GROUP_FAULT, FIELD(slow_ms), 0, 600000, 0, CHECK_NONE, "MS",
     "sleep MS milliseconds between event-stream frames"},
    {"malformed", KIND_SWITCH, GROUP_FAULT, FIELD(malformed), 0, 1, 0, CHECK_NONE, NULL,
     "after a few good frames send a frame whose message CRC is wrong, then end the stream"},
    {"truncate", KIND_SWITCH, GROUP_FAULT, FIELD(truncate), 0, 1, 0, CHECK_NONE, NULL,
     "after a few good frames send half a frame, then cut the connection"},
    {"exception", KIND_TEXT, GROUP_FAULT, FIELD(exception), 0, 0, 100, CHECK_TYPE_NAME, "TYPE",
     "after some text send an exception frame of TYPE (e.g. ContentLengthExceededException, "
     "ThrottlingException), then end the stream"},
    {"refresh_hang", KIND_SWITCH, GROUP_FAULT, FIELD(refresh_hang), 0, 1, 0, CHECK_NONE, NULL,
     "accept /refreshToken and /token and never answer"},
    {"refresh_status", KIND_NUMBER, GROUP_FAULT, FIELD(refresh_status), 0, 599, 0,
     CHECK_HTTP_STATUS, "CODE", "answer /refreshToken and /token with HTTP CODE"},
    {"models_hang", KIND_SWITCH, GROUP_FAULT, FIELD(models_hang), 0, 1, 0, CHECK_NONE, NULL,
     "accept ListAvailableModels and never answer"},
    {"models_status", KIND_NUMBER, GROUP_FAULT, FIELD(models_status), 0, 599, 0,
     CHECK_HTTP_STATUS, "CODE", "answer ListAvailableModels with HTTP CODE"},
    {"mcp_hang", KIND_SWITCH, GROUP_FAULT, FIELD(mcp_hang), 0, 1, 0, CHECK_NONE, NULL,
     "accept the MCP endpoint (/mcp, web_search) and never answer"},
    {"mcp_status", KIND_NUMBER, GROUP_FAULT, FIELD(mcp_status), 0, 599, 0, CHECK_HTTP_STATUS,
     "CODE", "answer the MCP endpoint with HTTP CODE and an AWS-shaped JSON error"},
    {"mcp_rpc_error", KIND_SWITCH, GROUP_FAULT, FIELD(mcp_rpc_error), 0, 1, 0, CHECK_NONE, NULL,
     "answer the MCP endpoint with a JSON-RPC error object (code -32603)"},
    {"mcp_tool_error", KIND_SWITCH, GROUP_FAULT, FIELD(mcp_tool_error), 0, 1, 0, CHECK_NONE, NULL,
     "answer the MCP endpoint with a tool result marked isError"},
    {"mcp_garbage", KIND_SWITCH, GROUP_FAULT, FIELD(mcp_garbage), 0, 1, 0, CHECK_NONE, NULL,
     "answer the MCP endpoint with HTTP 200 and a body that is not JSON"},
    {"reply", KIND_TEXT, GROUP_BEHAVIOUR, FIELD(reply), 0, 0, FK_REPLY_MAX_BYTES, CHECK_NONE,
     "TEXT", "answer plain prompts with TEXT instead of echoing the prompt"},
    {"reply_bytes", KIND_NUMBER, GROUP_BEHAVIOUR, FIELD(reply_bytes), 0, FK_REPLY_BYTES_MAX, 0,
     CHECK_NONE, "N", "answer plain prompts with N bytes of lorem ipsum (0 = off, max 16 MiB)"},
    {"frame_bytes", KIND_NUMBER, GROUP_BEHAVIOUR, FIELD(frame_bytes), 1, 65536, 0, CHECK_NONE,
     "N", "bytes of text per assistantResponseEvent frame (default 16)"},
    {"metadata", KIND_SWITCH, GROUP_BEHAVIOUR, FIELD(metadata), 0, 1, 0, CHECK_NONE, NULL,
     "end each stream with a metadataEvent carrying tokenUsage"},
    {"expires_in", KIND_NUMBER, GROUP_BEHAVIOUR, FIELD(expires_in), 0, 1000000000, 0, CHECK_NONE,
     "SECONDS", "expiresIn of refreshed tokens (default 3600)"},
    {"reject_token", KIND_LIST, GROUP_BEHAVIOUR, FIELD(reject_token), 0, 0, FK_LIST_MAX_ITEM_BYTES,
     CHECK_NONE, "TOKEN", "answer 403 (invalid security token) to this access token; repeatable"},
    {"expired_token", KIND_LIST, GROUP_BEHAVIOUR, FIELD(expired_token), 0, 0,
     FK_LIST_MAX_ITEM_BYTES, CHECK_NONE, "TOKEN",
     "answer 401 (expired token) to this access token; repeatable"},
    {"dead_refresh_token", KIND_LIST, GROUP_BEHAVIOUR, FIELD(dead_refresh_token), 0, 0,
     FK_LIST_MAX_ITEM_BYTES, CHECK_NONE, "TOKEN",
     "refuse this refresh token (401 on /refreshToken, invalid_grant on /token); repeatable"},
    {"extra_model", KIND_LIST, GROUP_BEHAVIOUR, FIELD(extra_model), 0, 0, 128, CHECK_NONE, "ID",
     "also list and accept model ID; repeatable"},
    {"models_page_size", KIND_NUMBER, GROUP_BEHAVIOUR, FIELD(models_page_size), 0, 256, 0,
     CHECK_NONE, "N",
     "ListAvailableModels pages of N models joined by nextToken (default 4, 0 = one page)"},
    {"metadata_event", KIND_TEXT, GROUP_BEHAVIOUR, FIELD(metadata_event), 0, 0, 64,
     CHECK_TYPE_NAME, "NAME",
     "event name of the usage event (metadataEvent by default, or messageMetadataEvent)"},
    {"cache_read_tokens", KIND_NUMBER, GROUP_BEHAVIOUR, FIELD(cache_read_tokens), 0, 1000000000,
     0, CHECK_NONE, "N", "cacheReadInputTokens of the usage event (implies --metadata)"},
    {"cache_write_tokens", KIND_NUMBER, GROUP_BEHAVIOUR, FIELD(cache_write_tokens), 0,
     1000000000, 0, CHECK_NONE, "N",
     "cacheWriteInputTokens of the usage event (implies --metadata)"},
    {"context_usage", KIND_NUMBER, GROUP_BEHAVIOUR, FIELD(context_usage), 0, 1000, 0, CHECK_NONE,
     "PERCENT", "report this contextUsagePercentage (100 = the context window is full; "
     "0 = from the body size)"},
    {"stop_reason", KIND_TEXT, GROUP_BEHAVIOUR, FIELD(stop_reason), 0, 0, 64, CHECK_TYPE_NAME,
     "REASON", "stopReason of the usage event, e.g. MODEL_CONTEXT_WINDOW_EXCEEDED (implies "
     "--metadata)"},
    {"mcp_results", KIND_NUMBER, GROUP_BEHAVIOUR, FIELD(mcp_results), 0, FK_MCP_RESULTS_MAX, 0,
     CHECK_NONE, "N", "web_search results the MCP endpoint returns (default 3)"},
};

#define SETTING_COUNT (sizeof settings / sizeof settings[0])

static long *number_at(fk_values *v, const fk_setting *s)
{
    return (long *)(void *)((char *)v + s->offset);
}

static int *switch_at(fk_values *v, const fk_setting *s)
{
    return (int *)(void *)((char *)v + s->offset);
}

static char **text_at(fk_values *v, const fk_setting *s)
{
    return (char **)(void *)((char *)v + s->offset);
}

static fk_strlist *list_at(fk_values *v, const fk_setting *s)
{
    return (fk_strlist *)(void *)((char *)v + s->offset);
}

static const void *field_at(const fk_values *v, const fk_setting *s)
{
    return (const char *)v + s->offset;
}

static void strlist_free(fk_strlist *list)
{
    for (size_t i = 0; i < list->count; i++)
        free(list->items[i]);
    free(list->items);
    list->items = NULL;
    list->count = 0;
}

static int strlist_append(fk_strlist *list, const char *s)
{
    if (list->count >= FK_LIST_MAX_ITEMS)
        return -1;
    char *copy = strdup(s);
    if (!copy)
        return -1;
    char **items = realloc(list->items, (list->count + 1) * sizeof *items);
    if (!items) {
        free(copy);
        return -1;
    }
    items[list->count++] = copy;
    list->items = items;
    return 0;
}

static int strlist_copy(fk_strlist *dst, const fk_strlist *src)
{
    dst->items = NULL;
    dst->count = 0;
    for (size_t i = 0; i < src->count; i++) {
        if (strlist_append(dst, src->items[i]) != 0) {
            strlist_free(dst);
            return -1;
        }
    }
    return 0;
}

int fk_strlist_contains(const fk_strlist *list, const char *s)
{
    if (!s)
        return 0;
    for (size_t i = 0; i < list->count; i++) {
        if (strcmp(list->items[i], s) == 0)
            return 1;
    }
    return 0;
}

void fk_values_init(fk_values *v)
{
    memset(v, 0, sizeof *v);
    v->frame_bytes = FK_DEFAULT_FRAME_BYTES;
    v->expires_in = FK_DEFAULT_EXPIRES_IN;
    v->models_page_size = FK_DEFAULT_MODELS_PAGE_SIZE;
    v->mcp_results = FK_DEFAULT_MCP_RESULTS;
}

static void free_field(fk_values *v, const fk_setting *s)
{
    if (s->kind == KIND_TEXT) {
        free(*text_at(v, s));
        *text_at(v, s) = NULL;
    } else if (s->kind == KIND_LIST) {
        strlist_free(list_at(v, s));
    }
}

void fk_values_free(fk_values *v)
{
    for (size_t i = 0; i < SETTING_COUNT; i++)
        free_field(v, &settings[i]);
}

int fk_values_copy(fk_values *dst, const fk_values *src)
{
    *dst = *src;
    /* Detach the pointers first so that a failure half-way frees only our own copies. */
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        const fk_setting *s = &settings[i];
        if (s->kind == KIND_TEXT)
            *text_at(dst, s) = NULL;
        else if (s->kind == KIND_LIST)
            memset(list_at(dst, s), 0, sizeof(fk_strlist));
    }
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        const fk_setting *s = &settings[i];
        int failed = 0;
        if (s->kind == KIND_TEXT) {
            const char *text = *(char *const *)field_at(src, s);
            if (text) {
                *text_at(dst, s) = strdup(text);
                failed = *text_at(dst, s) == NULL;
            }
        } else if (s->kind == KIND_LIST) {
            failed = strlist_copy(list_at(dst, s), (const fk_strlist *)field_at(src, s));
        }
        if (failed) {
            fk_values_free(dst);
            return -1;
        }
    }
    return 0;
}

void fk_values_clear_faults(fk_values *v)
{
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        const fk_setting *s = &settings[i];
        if (s->group != GROUP_FAULT)
            continue;
        if (s->kind == KIND_NUMBER)
            *number_at(v, s) = 0;
        else if (s->kind == KIND_SWITCH)
            *switch_at(v, s) = 0;
        else
            free_field(v, s);
    }
}

int fk_values_has_assistant_fault(const fk_values *v)
{
    return v->delay_ms > 0 || v->hang || v->status > 0 || v->quota || v->slow_ms > 0 ||
           v->malformed || v->truncate || v->exception != NULL;
}

static int same_name(const char *a, const char *b)
{
    for (;; a++, b++) {
        char ca = *a == '-' ? '_' : *a;
        char cb = *b == '-' ? '_' : *b;
        if (ca != cb)
            return 0;
        if (ca == '\0')
            return 1;
    }
}

const fk_setting *fk_setting_find(const char *name)
{
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        if (same_name(settings[i].name, name))
            return &settings[i];
    }
    return NULL;
}

int fk_setting_takes_value(const fk_setting *s)
{
    return s->kind != KIND_SWITCH;
}

static int fail(char *err, size_t err_size, const fk_setting *s, const char *why)
{
    snprintf(err, err_size, "%s: %s", s->name, why);
    return -1;
}

static int check_number(const fk_setting *s, long n, char *err, size_t err_size)
{
    if (n < s->min || n > s->max) {
        char why[96];
        snprintf(why, sizeof why, "must be between %ld and %ld", s->min, s->max);
        return fail(err, err_size, s, why);
    }
    if (s->check == CHECK_HTTP_STATUS && n != 0 && n < 400)
        return fail(err, err_size, s, "must be 0 (off) or an HTTP error status 400-599");
    return 0;
}

static int is_type_name_char(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
           c == '.' || c == '_' || c == ':' || c == '#' || c == '-';
}

static int check_text(const fk_setting *s, const char *text, char *err, size_t err_size)
{
    size_t len = strlen(text);
    if (len > s->max_bytes)
        return fail(err, err_size, s, "value too long");
    if (s->kind == KIND_LIST && len == 0)
        return fail(err, err_size, s, "empty value");
    if (s->check == CHECK_TYPE_NAME) {
        for (size_t i = 0; i < len; i++) {
            if (!is_type_name_char(text[i]))
                return fail(err, err_size, s, "only letters, digits and ._:#- are allowed");
        }
    }
    return 0;
}

/* Stores text (NULL or "" clears it). */
static int store_text(fk_values *v, const fk_setting *s, const char *text, char *err,
                      size_t err_size)
{
    char *copy = NULL;
    if (text && *text) {
        if (check_text(s, text, err, err_size) != 0)
            return -1;
        copy = strdup(text);
        if (!copy)
            return fail(err, err_size, s, "out of memory");
    }
    free(*text_at(v, s));
    *text_at(v, s) = copy;
    return 0;
}

static int store_list_item(fk_values *v, const fk_setting *s, const char *text, char *err,
                           size_t err_size)
{
    if (check_text(s, text, err, err_size) != 0)
        return -1;
    if (strlist_append(list_at(v, s), text) != 0)
        return fail(err, err_size, s, "too many values");
    return 0;
}

static int parse_long(const char *text, long *out)
{
    if (!text || !*text)
        return -1;
    char *end = NULL;
    errno = 0;
    long n = strtol(text, &end, 10);
    if (errno != 0 || *end != '\0')
        return -1;
    *out = n;
    return 0;
}

int fk_setting_apply_text(fk_values *v, const fk_setting *s, const char *text, char *err,
                          size_t err_size)
{
    switch (s->kind) {
    case KIND_SWITCH:
        *switch_at(v, s) = 1;
        return 0;
    case KIND_NUMBER: {
        long n;
        if (parse_long(text, &n) != 0)
            return fail(err, err_size, s, "expects a whole number");
        if (check_number(s, n, err, err_size) != 0)
            return -1;
        *number_at(v, s) = n;
        return 0;
    }
    case KIND_TEXT:
        if (!text)
            return fail(err, err_size, s, "expects a value");
        return store_text(v, s, text, err, err_size);
    case KIND_LIST:
        if (!text)
            return fail(err, err_size, s, "expects a value");
        return store_list_item(v, s, text, err, err_size);
    }
    return fail(err, err_size, s, "unknown kind");
}

static int apply_json_value(fk_values *v, const fk_setting *s, const cJSON *value, char *err,
                            size_t err_size)
{
    switch (s->kind) {
    case KIND_SWITCH:
        if (cJSON_IsBool(value)) {
            *switch_at(v, s) = cJSON_IsTrue(value);
            return 0;
        }
        if (cJSON_IsNumber(value) && (value->valuedouble == 0 || value->valuedouble == 1)) {
            *switch_at(v, s) = value->valuedouble == 1;
            return 0;
        }
        return fail(err, err_size, s, "expects true or false");
    case KIND_NUMBER: {
        if (!cJSON_IsNumber(value))
            return fail(err, err_size, s, "expects a whole number");
        double d = value->valuedouble;
        /* Range first (the cast is undefined outside it), then integrality; NaN fails both. */
        if (!(d >= -1e15 && d <= 1e15) || (double)(long)d != d)
            return fail(err, err_size, s, "expects a whole number");
        if (check_number(s, (long)d, err, err_size) != 0)
            return -1;
        *number_at(v, s) = (long)d;
        return 0;
    }
    case KIND_TEXT:
        if (cJSON_IsNull(value))
            return store_text(v, s, NULL, err, err_size);
        if (!cJSON_IsString(value))
            return fail(err, err_size, s, "expects a string or null");
        return store_text(v, s, value->valuestring, err, err_size);
    case KIND_LIST: {
        strlist_free(list_at(v, s));
        if (cJSON_IsNull(value))
            return 0;
        if (cJSON_IsString(value))
            return store_list_item(v, s, value->valuestring, err, err_size);
        if (!cJSON_IsArray(value))
            return fail(err, err_size, s, "expects an array of strings");
        const cJSON *item;
        cJSON_ArrayForEach(item, value) {
            if (!cJSON_IsString(item))
                return fail(err, err_size, s, "expects an array of strings");
            if (store_list_item(v, s, item->valuestring, err, err_size) != 0)
                return -1;
        }
        return 0;
    }
    }
    return fail(err, err_size, s, "unknown kind");
}

int fk_values_apply_json(fk_values *v, const cJSON *obj, char *err, size_t err_size)
{
    if (!cJSON_IsObject(obj)) {
        snprintf(err, err_size, "expected a JSON object");
        return -1;
    }
    fk_values draft;
    if (fk_values_copy(&draft, v) != 0) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    const cJSON *item;
    cJSON_ArrayForEach(item, obj) {
        const fk_setting *s = item->string ? fk_setting_find(item->string) : NULL;
        if (!s) {
            snprintf(err, err_size, "unknown setting \"%.64s\"", item->string ? item->string : "");
            fk_values_free(&draft);
            return -1;
        }
        if (apply_json_value(&draft, s, item, err, err_size) != 0) {
            fk_values_free(&draft);
            return -1;
        }
    }
    fk_values_free(v);
    *v = draft;
    return 0;
}

static cJSON *field_to_json(const fk_values *v, const fk_setting *s)
{
    switch (s->kind) {
    case KIND_SWITCH:
        return cJSON_CreateBool(*(const int *)field_at(v, s));
    case KIND_NUMBER:
        return cJSON_CreateNumber((double)*(const long *)field_at(v, s));
    case KIND_TEXT: {
        const char *text = *(char *const *)field_at(v, s);
        return text ? cJSON_CreateString(text) : cJSON_CreateNull();
    }
    case KIND_LIST: {
        const fk_strlist *list = field_at(v, s);
        cJSON *array = cJSON_CreateArray();
        for (size_t i = 0; array && i < list->count; i++) {
            cJSON *str = cJSON_CreateString(list->items[i]);
            if (!str || !cJSON_AddItemToArray(array, str)) {
                cJSON_Delete(str);
                cJSON_Delete(array);
                return NULL;
            }
        }
        return array;
    }
    }
    return NULL;
}

cJSON *fk_values_to_json(const fk_values *v)
{
    cJSON *obj = cJSON_CreateObject();
    for (size_t i = 0; obj && i < SETTING_COUNT; i++) {
        cJSON *value = field_to_json(v, &settings[i]);
        if (!value || !cJSON_AddItemToObject(obj, settings[i].name, value)) {
            cJSON_Delete(value);
            cJSON_Delete(obj);
            return NULL;
        }
    }
    return obj;
}

static void print_group(FILE *out, enum fk_group group)
{
    for (size_t i = 0; i < SETTING_COUNT; i++) {
        const fk_setting *s = &settings[i];
        if (s->group != group)
            continue;
        char flag[64] = "--";
        size_t n = 2;
        for (const char *p = s->name; *p && n + 1 < sizeof flag; p++)
            flag[n++] = *p == '_' ? '-' : *p;
        flag[n] = '\0';
        if (s->metavar)
            snprintf(flag + n, sizeof flag - n, " %s", s->metavar);
        fprintf(out, "  %-28s %s\n", flag, s->help);
    }
}

void fk_settings_print_help(FILE *out)
{
    fprintf(out, "Faults (JSON keys of POST /__fake/faults are the names with '_' for '-';\n"
                 "POST /__fake/reset switches every fault off):\n");
    print_group(out, GROUP_FAULT);
    fprintf(out, "\nBehaviour (also settable at runtime; reset restores the command-line "
                 "values):\n");
    print_group(out, GROUP_BEHAVIOUR);
}
