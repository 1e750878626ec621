/* settings.h: every adjustable behaviour of fake-kiro, in one table.
 *
 * A setting can be given on the command line (--slow-ms 50) and changed at runtime through
 * POST /__fake/faults ({"slow_ms":50}); both go through this table, so the two spellings can
 * never drift apart and --help is generated from the same entries. Settings come in two groups:
 * faults (hang, status, truncate, ...), which POST /__fake/reset switches off, and behaviour
 * (reply text, frame size, token lists, ...), which reset puts back to the command-line values. */
#ifndef FAKE_KIRO_SETTINGS_H
#define FAKE_KIRO_SETTINGS_H

#include <stddef.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#define FK_LIST_MAX_ITEMS 64
#define FK_LIST_MAX_ITEM_BYTES 4096
#define FK_REPLY_MAX_BYTES (1024 * 1024)
#define FK_REPLY_BYTES_MAX (16L * 1024 * 1024)
#define FK_DEFAULT_FRAME_BYTES 16
#define FK_DEFAULT_EXPIRES_IN 3600
#define FK_DEFAULT_MODELS_PAGE_SIZE 4
#define FK_DEFAULT_MCP_RESULTS 3
#define FK_MCP_RESULTS_MAX 50

typedef struct fk_strlist {
    char **items;
    size_t count;
} fk_strlist;

typedef struct fk_values {
    /* Faults of generateAssistantResponse (gated by fail_count). */
    long delay_ms;
    int hang;
    long status;
    int quota;
    long fail_count;
    long slow_ms;
    int malformed;
    int truncate;
    char *exception;
    /* Faults of the other endpoints. */
    int refresh_hang;
    long refresh_status;
    int models_hang;
    long models_status;
    int mcp_hang;       /* MCP endpoint (web_search): never answer */
    long mcp_status;    /* ... answer with this HTTP status */
    int mcp_rpc_error;  /* ... answer with a JSON-RPC error object */
    int mcp_tool_error; /* ... answer with result.isError true */
    int mcp_garbage;    /* ... answer 200 with a body that is not JSON */
    /* Behaviour. */
    char *reply;
    long reply_bytes;
    long frame_bytes;
    int metadata;
    long expires_in;
    fk_strlist reject_token;
    fk_strlist expired_token;
    fk_strlist dead_refresh_token;
    fk_strlist extra_model;
    long models_page_size; /* ListAvailableModels entries per page, 0 = one page */
    char *metadata_event;  /* event name of the usage event (NULL = metadataEvent) */
    long cache_read_tokens;
    long cache_write_tokens;
    long context_usage; /* contextUsagePercentage to report, 0 = from the body size */
    char *stop_reason;  /* stopReason of the usage event, NULL = none */
    long mcp_results;   /* web_search results the MCP endpoint returns */
} fk_values;

typedef struct fk_setting fk_setting;

/* Defaults: no faults, echo replies, 16-byte frames, tokens valid for an hour, model list pages
 * of 4, three web search results. */
void fk_values_init(fk_values *v);
void fk_values_free(fk_values *v);
/* Deep copy into an uninitialised dst. Returns 0, or -1 when out of memory (dst then empty). */
int fk_values_copy(fk_values *dst, const fk_values *src);
/* Switches every fault off and keeps the behaviour settings. */
void fk_values_clear_faults(fk_values *v);
/* 1 when any generateAssistantResponse fault is switched on (the MCP faults are separate). */
int fk_values_has_assistant_fault(const fk_values *v);
/* 1 when the list holds exactly this string. */
int fk_strlist_contains(const fk_strlist *list, const char *s);

/* Looks a setting up by name; '-' and '_' are interchangeable ("slow-ms" == "slow_ms"). */
const fk_setting *fk_setting_find(const char *name);
/* 0 for switches (--hang), 1 for settings that take a value (--slow-ms N). */
int fk_setting_takes_value(const fk_setting *s);
/* Command-line form: switches take text NULL; lists append. Returns 0 or -1 with err filled. */
int fk_setting_apply_text(fk_values *v, const fk_setting *s, const char *text, char *err,
                          size_t err_size);
/* Runtime form: every key of obj must name a setting and have the right type; lists replace.
 * All or nothing: on error v is unchanged and err says which key was wrong. */
int fk_values_apply_json(fk_values *v, const cJSON *obj, char *err, size_t err_size);
/* {"delay_ms":0,"hang":false,...}: every setting under its JSON name. NULL when out of memory. */
cJSON *fk_values_to_json(const fk_values *v);
/* One help line per setting, grouped as faults and behaviour. */
void fk_settings_print_help(FILE *out);

#endif
