/* config.h: the live settings of a running fake-kiro, shared by every connection thread.
 *
 * Settings start from the command line and change through POST /__fake/faults, so each request
 * takes what it needs under a lock at its start and then works on its own copy: a test that
 * flips a fault mid-stream changes the next request, never one already being answered.
 * fail_count is enforced here: only the first N generateAssistantResponse requests after the
 * faults were set receive them. */
#ifndef FAKE_KIRO_CONFIG_H
#define FAKE_KIRO_CONFIG_H

#include <pthread.h>

#include <cjson/cJSON.h>

#include "settings.h"

typedef struct fk_config {
    pthread_mutex_t lock;
    fk_values startup; /* command-line values; reset goes back to these, minus the faults */
    fk_values current;
    long faulted;      /* requests that received the faults since they were last set */
} fk_config;

/* What one generateAssistantResponse works with, copied at its start. */
typedef struct fk_assistant_settings {
    int faulted; /* 1 when the faults below apply to this request */
    long delay_ms;
    int hang;
    long status;
    int quota;
    long slow_ms;
    int malformed;
    int truncate;
    char exception[128]; /* "" = none */
    char *reply;         /* NULL = echo the prompt */
    long reply_bytes;
    long frame_bytes;
    int metadata;
    char metadata_event[64]; /* "" = metadataEvent */
    long cache_read_tokens;
    long cache_write_tokens;
    long context_usage;      /* 0 = computed */
    char stop_reason[64];    /* "" = none */
} fk_assistant_settings;

/* What one MCP (web_search) request works with. */
typedef struct fk_mcp_settings {
    int hang;
    long status;
    int rpc_error;
    int tool_error;
    int garbage;
    long results;
} fk_mcp_settings;

typedef enum { FK_TOKEN_OK, FK_TOKEN_REJECTED, FK_TOKEN_EXPIRED } fk_token_state;

/* Takes a copy of startup, which the caller keeps. Returns 0, or -1 when out of memory. */
int fk_config_init(fk_config *c, const fk_values *startup);
void fk_config_destroy(fk_config *c);

/* Fills out for one generateAssistantResponse, consuming one unit of fail_count when the faults
 * apply. Returns 0, or -1 when out of memory. Free with fk_assistant_settings_free. */
int fk_config_take_assistant(fk_config *c, fk_assistant_settings *out);
void fk_assistant_settings_free(fk_assistant_settings *s);

fk_token_state fk_config_access_token_state(fk_config *c, const char *token);
int fk_config_refresh_token_dead(fk_config *c, const char *token);
void fk_config_refresh_faults(fk_config *c, int *hang, long *status);
void fk_config_models_faults(fk_config *c, int *hang, long *status);
long fk_config_models_page_size(fk_config *c);
void fk_config_take_mcp(fk_config *c, fk_mcp_settings *out);
long fk_config_expires_in(fk_config *c);
/* 1 when id was added with --extra-model. */
int fk_config_is_extra_model(fk_config *c, const char *id);
/* A JSON array of the extra model ids (caller deletes); NULL when out of memory. */
cJSON *fk_config_extra_models_json(fk_config *c);

/* Every setting under its JSON name (caller deletes). */
cJSON *fk_config_to_json(fk_config *c);
/* Merges obj into the live settings (all or nothing) and restarts the fail_count. */
int fk_config_apply_json(fk_config *c, const cJSON *obj, char *err, size_t err_size);
/* Faults off, behaviour back to the command line, fail_count restarted. */
int fk_config_reset(fk_config *c);

#endif
