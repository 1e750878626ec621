/* trigger.c: the default trigger body; see trigger.h. */
#include "trigger.h"

#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
