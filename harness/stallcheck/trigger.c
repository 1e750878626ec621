/* trigger.c: the default trigger body and the background trigger thread; see trigger.h. */
#include "trigger.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "http_batch.h"
#include "platform/platform.h"

char *trigger_default_body(long text_bytes, size_t *len_out)
{
    static const char sentence[] =
        "Summarise this build log and explain which step failed and why it failed. ";
    size_t sentence_len = sizeof sentence - 1;
    size_t n = text_bytes > 0 ? (size_t)text_bytes : 0;
    char *text = malloc(n + 1);
    if (!text)
        return NULL;
    for (size_t i = 0; i < n; i++)
        text[i] = sentence[i % sentence_len];
    text[n] = '\0';

    char *body = NULL;
    cJSON *root = cJSON_CreateObject();
    cJSON *messages = cJSON_CreateArray();
    cJSON *message = cJSON_CreateObject();
    if (root && messages && message &&
        cJSON_AddStringToObject(root, "model", "claude-sonnet-4.5") &&
        cJSON_AddNumberToObject(root, "max_tokens", 64) &&
        cJSON_AddBoolToObject(root, "stream", 1) &&
        cJSON_AddStringToObject(message, "role", "user") &&
        cJSON_AddStringToObject(message, "content", text)) {
        cJSON_AddItemToArray(messages, message);
        message = NULL;
        cJSON_AddItemToObject(root, "messages", messages);
        messages = NULL;
        body = cJSON_PrintUnformatted(root);
    }
    cJSON_Delete(message);
    cJSON_Delete(messages);
    cJSON_Delete(root);
    free(text);
    if (body && len_out)
        *len_out = strlen(body);
    return body;
}

static void *trigger_thread(void *arg)
{
    trigger_run *t = arg;
    platform_set_thread_name("stall-trigger");
    for (long i = 0; i < t->flood; i++) {
        if (atomic_load(&t->cancel))
            break;
        if (i > 0 && t->pipe_full && t->pipe_full(t->pipe_full_ctx)) {
            t->stopped_pipe_full = true;
            break;
        }
        if (i > 0 && t->timed_out > 0) {
            t->stopped_no_answer = true; /* the server stopped answering: more cannot help */
            break;
        }
        http_call call;
        memset(&call, 0, sizeof call);
        call.method = t->method;
        call.path = t->path;
        call.body = t->body;
        call.body_len = t->body_len;
        call.headers = t->headers;
        call.extra_headers = t->extra_headers;
        call.deadline_ms = t->timeout_ms;
        http_batch_run(t->base_url, &call, 1, &t->cancel);
        t->sent++;
        if (call.answered)
            t->answered++;
        if (call.timed_out)
            t->timed_out++;
        t->last_status = call.status;
        t->last_latency_ms = call.latency_ms;
        t->last_bytes = call.bytes;
        snprintf(t->last_error, sizeof t->last_error, "%s", call.error);
    }
    atomic_store(&t->finished, true);
    return NULL;
}

int trigger_start(trigger_run *t)
{
    atomic_store(&t->finished, false);
    atomic_store(&t->cancel, false);
    if (pthread_create(&t->thread, NULL, trigger_thread, t) != 0)
        return -1;
    t->started = true;
    return 0;
}

bool trigger_is_finished(trigger_run *t)
{
    return !t->started || atomic_load(&t->finished);
}

void trigger_join(trigger_run *t)
{
    if (!t->started)
        return;
    pthread_join(t->thread, NULL);
    t->started = false;
}
