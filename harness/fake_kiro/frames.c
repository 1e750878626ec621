/* frames.c: lazy event-stream frame generation for one reply; see frames.h. */
#include "frames.h"

#include <string.h>

#include <cjson/cJSON.h>

#include "eventstream/eventstream.h"
#include "util/utf8.h"

void fk_frames_init(fk_frames *f, const fk_reply *reply, size_t frame_bytes, size_t request_bytes,
                    const fk_frames_usage *usage)
{
    memset(f, 0, sizeof *f);
    f->reply = reply;
    f->frame_bytes = frame_bytes ? frame_bytes : 16;
    f->request_bytes = request_bytes;
    if (usage)
        f->usage = *usage;
    f->phase = FK_PHASE_TEXT;
}

double fk_frames_context_percent(const fk_frames *f)
{
    if (f->usage.context_percent > 0)
        return (double)f->usage.context_percent;
    return (double)fk_frames_input_tokens(f->request_bytes) * 100.0 / FK_CONTEXT_TOKENS;
}

long fk_frames_input_tokens(size_t request_bytes)
{
    long tokens = (long)(request_bytes / 4);
    return tokens > 0 ? tokens : 1;
}

static long output_tokens(const fk_reply *r)
{
    size_t bytes = r->text.len + (r->tool_input ? strlen(r->tool_input) : 0);
    long tokens = (long)(bytes / 4);
    return tokens > 0 ? tokens : 1;
}

/* Serialises payload as the frame's JSON body and appends the frame. Consumes payload. */
static int emit(kbuf *out, const char *event_type, cJSON *payload)
{
    if (!payload)
        return -1;
    char *json = cJSON_PrintUnformatted(payload);
    cJSON_Delete(payload);
    if (!json)
        return -1;
    int rc = es_encode_event(out, "event", event_type, json, strlen(json));
    cJSON_free(json);
    return rc == 0 ? 1 : -1;
}

/* A JSON string value holding exactly len bytes of s. */
static cJSON *string_of(const char *s, size_t len)
{
    char small[256];
    char *copy = len < sizeof small ? small : cJSON_malloc(len + 1);
    if (!copy)
        return NULL;
    memcpy(copy, s, len);
    copy[len] = '\0';
    cJSON *str = cJSON_CreateString(copy);
    if (copy != small)
        cJSON_free(copy);
    return str;
}

static int text_frame(fk_frames *f, kbuf *out)
{
    const kbuf *text = &f->reply->text;
    size_t left = text->len - f->text_pos;
    size_t n = utf8_chunk(text->data + f->text_pos, left, f->frame_bytes);
    cJSON *payload = cJSON_CreateObject();
    cJSON *content = string_of(text->data + f->text_pos, n);
    if (!payload || !content || !cJSON_AddItemToObject(payload, "content", content)) {
        cJSON_Delete(payload);
        cJSON_Delete(content);
        return -1;
    }
    f->text_pos += n;
    return emit(out, "assistantResponseEvent", payload);
}

static cJSON *tool_payload(const fk_reply *r)
{
    cJSON *payload = cJSON_CreateObject();
    if (!cJSON_AddStringToObject(payload, "name", r->tool_name) ||
        !cJSON_AddStringToObject(payload, "toolUseId", r->tool_use_id)) {
        cJSON_Delete(payload);
        return NULL;
    }
    return payload;
}

static int tool_input_frame(fk_frames *f, kbuf *out)
{
    const char *input = f->reply->tool_input;
    size_t len = strlen(input);
    size_t n = utf8_chunk(input + f->input_pos, len - f->input_pos, FK_TOOL_FRAGMENT_BYTES);
    cJSON *payload = tool_payload(f->reply);
    cJSON *fragment = string_of(input + f->input_pos, n);
    if (!payload || !fragment || !cJSON_AddItemToObject(payload, "input", fragment)) {
        cJSON_Delete(payload);
        cJSON_Delete(fragment);
        return -1;
    }
    f->input_pos += n;
    return emit(out, "toolUseEvent", payload);
}

static int tool_stop_frame(fk_frames *f, kbuf *out)
{
    cJSON *payload = tool_payload(f->reply);
    if (payload && !cJSON_AddTrueToObject(payload, "stop")) {
        cJSON_Delete(payload);
        payload = NULL;
    }
    return emit(out, "toolUseEvent", payload);
}

static int metering_frame(kbuf *out)
{
    cJSON *payload = cJSON_CreateObject();
    cJSON_AddStringToObject(payload, "unit", "credit");
    cJSON_AddStringToObject(payload, "unitPlural", "credits");
    if (!cJSON_AddNumberToObject(payload, "usage", 0.01)) {
        cJSON_Delete(payload);
        payload = NULL;
    }
    return emit(out, "meteringEvent", payload);
}

static int context_frame(const fk_frames *f, kbuf *out)
{
    double percent = fk_frames_context_percent(f);
    cJSON *payload = cJSON_CreateObject();
    if (!cJSON_AddNumberToObject(payload, "contextUsagePercentage", percent)) {
        cJSON_Delete(payload);
        payload = NULL;
    }
    return emit(out, "contextUsageEvent", payload);
}

/* The input splits into the uncached part and the cache read / write parts (as disjoint
 * counts, the way the service reports them); totalTokens is their sum plus the output. */
static int metadata_frame(const fk_frames *f, kbuf *out)
{
    long input = fk_frames_input_tokens(f->request_bytes);
    long cached = f->usage.cache_read_tokens + f->usage.cache_write_tokens;
    long uncached = input > cached ? input - cached : 0;
    long output = output_tokens(f->reply);
    cJSON *payload = cJSON_CreateObject();
    cJSON *usage = cJSON_AddObjectToObject(payload, "tokenUsage");
    int ok = usage && cJSON_AddNumberToObject(usage, "uncachedInputTokens", (double)uncached) &&
             cJSON_AddNumberToObject(usage, "outputTokens", (double)output) &&
             cJSON_AddNumberToObject(usage, "totalTokens", (double)(uncached + cached + output)) &&
             cJSON_AddNumberToObject(usage, "cacheReadInputTokens",
                                     (double)f->usage.cache_read_tokens) &&
             cJSON_AddNumberToObject(usage, "cacheWriteInputTokens",
                                     (double)f->usage.cache_write_tokens) &&
             cJSON_AddNumberToObject(usage, "contextUsagePercentage", fk_frames_context_percent(f));
    if (ok && f->usage.stop_reason && f->usage.stop_reason[0])
        ok = cJSON_AddStringToObject(payload, "stopReason", f->usage.stop_reason) != NULL;
    if (!ok) {
        cJSON_Delete(payload);
        payload = NULL;
    }
    const char *name =
        f->usage.event_name && f->usage.event_name[0] ? f->usage.event_name : "metadataEvent";
    return emit(out, name, payload);
}

int fk_frames_in_content(const fk_frames *f)
{
    if (f->phase == FK_PHASE_TEXT && f->text_pos < f->reply->text.len)
        return 1;
    return f->reply->tool_name && (f->phase == FK_PHASE_TEXT || f->phase == FK_PHASE_TOOL_INPUT ||
                                   f->phase == FK_PHASE_TOOL_STOP);
}

int fk_frames_next(fk_frames *f, kbuf *out)
{
    for (;;) {
        switch (f->phase) {
        case FK_PHASE_TEXT:
            if (f->text_pos < f->reply->text.len)
                return text_frame(f, out);
            f->phase = f->reply->tool_name ? FK_PHASE_TOOL_INPUT : FK_PHASE_METERING;
            break;
        case FK_PHASE_TOOL_INPUT:
            if (f->input_pos < strlen(f->reply->tool_input))
                return tool_input_frame(f, out);
            f->phase = FK_PHASE_TOOL_STOP;
            break;
        case FK_PHASE_TOOL_STOP:
            f->phase = FK_PHASE_METERING;
            return tool_stop_frame(f, out);
        case FK_PHASE_METERING:
            f->phase = FK_PHASE_CONTEXT;
            return metering_frame(out);
        case FK_PHASE_CONTEXT:
            f->phase = f->usage.metadata ? FK_PHASE_METADATA : FK_PHASE_DONE;
            return context_frame(f, out);
        case FK_PHASE_METADATA:
            f->phase = FK_PHASE_DONE;
            return metadata_frame(f, out);
        case FK_PHASE_DONE:
            return 0;
        }
    }
}
