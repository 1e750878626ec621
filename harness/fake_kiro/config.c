/* config.c: locked access to the live settings; see config.h. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int fk_config_init(fk_config *c, const fk_values *startup)
{
    if (fk_values_copy(&c->startup, startup) != 0)
        return -1;
    if (fk_values_copy(&c->current, startup) != 0) {
        fk_values_free(&c->startup);
        return -1;
    }
    c->faulted = 0;
    pthread_mutex_init(&c->lock, NULL);
    return 0;
}

void fk_config_destroy(fk_config *c)
{
    pthread_mutex_destroy(&c->lock);
    fk_values_free(&c->startup);
    fk_values_free(&c->current);
}

static void copy_assistant_faults(const fk_values *v, fk_assistant_settings *out)
{
    out->faulted = 1;
    out->delay_ms = v->delay_ms;
    out->hang = v->hang;
    out->status = v->status;
    out->quota = v->quota;
    out->slow_ms = v->slow_ms;
    out->malformed = v->malformed;
    out->truncate = v->truncate;
    if (v->exception)
        snprintf(out->exception, sizeof out->exception, "%s", v->exception);
}

int fk_config_take_assistant(fk_config *c, fk_assistant_settings *out)
{
    memset(out, 0, sizeof *out);
    pthread_mutex_lock(&c->lock);
    const fk_values *v = &c->current;
    if (fk_values_has_assistant_fault(v) && (v->fail_count == 0 || c->faulted < v->fail_count)) {
        copy_assistant_faults(v, out);
        c->faulted++;
    }
    out->reply_bytes = v->reply_bytes;
    out->frame_bytes = v->frame_bytes;
    out->metadata = v->metadata;
    if (v->metadata_event)
        snprintf(out->metadata_event, sizeof out->metadata_event, "%s", v->metadata_event);
    out->cache_read_tokens = v->cache_read_tokens;
    out->cache_write_tokens = v->cache_write_tokens;
    out->context_usage = v->context_usage;
    if (v->stop_reason)
        snprintf(out->stop_reason, sizeof out->stop_reason, "%s", v->stop_reason);
    int rc = 0;
    if (v->reply) {
        out->reply = strdup(v->reply);
        rc = out->reply ? 0 : -1;
    }
    pthread_mutex_unlock(&c->lock);
    return rc;
}

void fk_assistant_settings_free(fk_assistant_settings *s)
{
    free(s->reply);
    s->reply = NULL;
}

fk_token_state fk_config_access_token_state(fk_config *c, const char *token)
{
    pthread_mutex_lock(&c->lock);
    fk_token_state state = FK_TOKEN_OK;
    if (fk_strlist_contains(&c->current.reject_token, token))
        state = FK_TOKEN_REJECTED;
    else if (fk_strlist_contains(&c->current.expired_token, token))
        state = FK_TOKEN_EXPIRED;
    pthread_mutex_unlock(&c->lock);
    return state;
}

int fk_config_refresh_token_dead(fk_config *c, const char *token)
{
    pthread_mutex_lock(&c->lock);
    int dead = fk_strlist_contains(&c->current.dead_refresh_token, token);
    pthread_mutex_unlock(&c->lock);
    return dead;
}

void fk_config_refresh_faults(fk_config *c, int *hang, long *status)
{
    pthread_mutex_lock(&c->lock);
    *hang = c->current.refresh_hang;
    *status = c->current.refresh_status;
    pthread_mutex_unlock(&c->lock);
}

void fk_config_models_faults(fk_config *c, int *hang, long *status)
{
    pthread_mutex_lock(&c->lock);
    *hang = c->current.models_hang;
    *status = c->current.models_status;
    pthread_mutex_unlock(&c->lock);
}

long fk_config_models_page_size(fk_config *c)
{
    pthread_mutex_lock(&c->lock);
    long n = c->current.models_page_size;
    pthread_mutex_unlock(&c->lock);
    return n;
}

void fk_config_take_mcp(fk_config *c, fk_mcp_settings *out)
{
    pthread_mutex_lock(&c->lock);
    const fk_values *v = &c->current;
    out->hang = v->mcp_hang;
    out->status = v->mcp_status;
    out->rpc_error = v->mcp_rpc_error;
    out->tool_error = v->mcp_tool_error;
    out->garbage = v->mcp_garbage;
    out->results = v->mcp_results;
    pthread_mutex_unlock(&c->lock);
}

long fk_config_expires_in(fk_config *c)
{
    pthread_mutex_lock(&c->lock);
    long seconds = c->current.expires_in;
    pthread_mutex_unlock(&c->lock);
    return seconds;
}

int fk_config_is_extra_model(fk_config *c, const char *id)
{
    pthread_mutex_lock(&c->lock);
    int found = fk_strlist_contains(&c->current.extra_model, id);
    pthread_mutex_unlock(&c->lock);
    return found;
}

cJSON *fk_config_extra_models_json(fk_config *c)
{
    pthread_mutex_lock(&c->lock);
    const fk_strlist *models = &c->current.extra_model;
    cJSON *ids = models->count == 0
                     ? cJSON_CreateArray()
                     : cJSON_CreateStringArray((const char *const *)models->items,
                                               (int)models->count);
    pthread_mutex_unlock(&c->lock);
    return ids;
}

cJSON *fk_config_to_json(fk_config *c)
{
    pthread_mutex_lock(&c->lock);
    cJSON *obj = fk_values_to_json(&c->current);
    pthread_mutex_unlock(&c->lock);
    return obj;
}

int fk_config_apply_json(fk_config *c, const cJSON *obj, char *err, size_t err_size)
{
    pthread_mutex_lock(&c->lock);
    int rc = fk_values_apply_json(&c->current, obj, err, err_size);
    if (rc == 0)
        c->faulted = 0;
    pthread_mutex_unlock(&c->lock);
    return rc;
}

int fk_config_reset(fk_config *c)
{
    fk_values fresh;
    if (fk_values_copy(&fresh, &c->startup) != 0)
        return -1;
    fk_values_clear_faults(&fresh);
    pthread_mutex_lock(&c->lock);
    fk_values_free(&c->current);
    c->current = fresh;
    c->faulted = 0;
    pthread_mutex_unlock(&c->lock);
    return 0;
}
