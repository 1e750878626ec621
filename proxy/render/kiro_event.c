/* kiro_event.c: typed Kiro events from decoded event-stream messages; see kiro_event.h.
 *
 * The JSON payload is parsed with cJSON and the event's strings point into the parsed tree,
 * which the owner keeps alive; header values (only valid during the decoder callback) are
 * copied. Unknown event types are ignored rather than failing the stream, because the upstream
 * adds event types over time; a known event with a payload of the wrong shape is an error. */
#include "render/kiro_event.h"
#include "util/buf.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "render/json_exact.h"

struct kiro_event_owner {
    cJSON *payload;
    char *exception_type;
    char *exception_message;
    char *tool_input;   /* an input sent as a JSON object instead of a string fragment */
};

void kiro_event_release(kiro_event_owner *owner)
{
    if (!owner)
        return;
    cJSON_Delete(owner->payload);
    free(owner->exception_type);
    free(owner->exception_message);
    free(owner->tool_input);
    free(owner);
}

static const es_header *find_header(const es_message *m, const char *name)
{
    for (size_t i = 0; i < m->header_count; i++)
        if (m->headers[i].str && strcmp(m->headers[i].name, name) == 0)
            return &m->headers[i];
    return NULL;
}

/* A string member of obj: 0 with *out set (or left NULL when absent), -1 when not a string. */
static int optional_string(const cJSON *obj, const char *name, const char **out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item))
        return 0;
    if (!cJSON_IsString(item))
        return -1;
    *out = item->valuestring;
    return 0;
}

static int optional_number(const cJSON *obj, const char *name, double *out)
{
    const cJSON *item = cJSON_GetObjectItemCaseSensitive(obj, name);
    if (!item || cJSON_IsNull(item))
        return 0;
    if (!cJSON_IsNumber(item))
        return -1;
    *out = item->valuedouble;
    return 0;
}

static void set_text(kiro_event *ev, const char *s)
{
    ev->text = s ? s : "";
    ev->text_len = strlen(ev->text);
}

static int parse_text(const cJSON *payload, kiro_event *ev)
{
    const char *content = NULL;
    if (optional_string(payload, "content", &content) != 0)
        return -1;
    ev->kind = KIRO_EV_TEXT;
    set_text(ev, content);
    return 0;
}

/* {text} or {reasoningText:{text}} or {reasoningText:"..."}. */
static int parse_reasoning(const cJSON *payload, kiro_event *ev)
{
    const char *text = NULL;
    if (optional_string(payload, "text", &text) != 0)
        return -1;
    const cJSON *nested = cJSON_GetObjectItemCaseSensitive(payload, "reasoningText");
    if (!text && cJSON_IsString(nested))
        text = nested->valuestring;
    else if (!text && cJSON_IsObject(nested) && optional_string(nested, "text", &text) != 0)
        return -1;
    ev->kind = KIRO_EV_REASONING;
    set_text(ev, text);
    return 0;
}

static int parse_tool_use(const cJSON *payload, kiro_event *ev, kiro_event_owner *owner)
{
    const char *id = NULL, *name = NULL, *input = NULL;
    if (optional_string(payload, "toolUseId", &id) != 0 || !id || !id[0])
        return -1;
    if (optional_string(payload, "name", &name) != 0)
        return -1;
    const cJSON *in = cJSON_GetObjectItemCaseSensitive(payload, "input");
    if (cJSON_IsString(in)) {
        input = in->valuestring;
    } else if (cJSON_IsObject(in)) {
        owner->tool_input = cJSON_PrintUnformatted(in);
        if (!owner->tool_input)
            return -1;
        input = owner->tool_input;
    } else if (in && !cJSON_IsNull(in)) {
        return -1;
    }
    const cJSON *stop = cJSON_GetObjectItemCaseSensitive(payload, "stop");
    if (stop && !cJSON_IsBool(stop) && !cJSON_IsNull(stop))
        return -1;
    ev->kind = KIRO_EV_TOOL_USE;
    ev->tool_use_id = id;
    ev->tool_name = name;
    ev->tool_stop = cJSON_IsTrue(stop);
    set_text(ev, input);
    return 0;
}

static int parse_context_usage(const cJSON *payload, kiro_event *ev)
{
    const cJSON *pct = cJSON_GetObjectItemCaseSensitive(payload, "contextUsagePercentage");
    if (!cJSON_IsNumber(pct) || pct->valuedouble < 0)
        return -1;
    ev->kind = KIRO_EV_CONTEXT_USAGE;
    ev->context_usage_percent = pct->valuedouble;
    return 0;
}

static int parse_metering(const cJSON *payload, kiro_event *ev)
{
    ev->kind = KIRO_EV_METERING;
    return optional_number(payload, "usage", &ev->metering_usage);
}

static int token_count(const cJSON *usage, const char *name, long *out)
{
    double v = -1;
    if (optional_number(usage, name, &v) != 0)
        return -1;
    *out = v >= 0 && v < 1e15 ? (long)v : -1;
    return 0;
}

/* The first of names present in usage: 0 with *out set (left alone when none is present), -1
 * when one is present but not a number. */
static int first_token_count(const cJSON *usage, const char *const *names, long *out)
{
    for (; *names; names++) {
        if (!cJSON_GetObjectItemCaseSensitive(usage, *names))
            continue;
        return token_count(usage, *names, out);
    }
    return 0;
}

/* The token usage object of a metadata payload: tokenUsage (the wire name), usage (older
 * proxies' spelling), either also one level down under the event's own name. NULL when none;
 * *bad set when one is present but not an object. */
static const cJSON *usage_object(const cJSON *payload, int *bad)
{
    static const char *const wrappers[] = {"metadataEvent", "messageMetadataEvent", NULL};
    static const char *const names[] = {"tokenUsage", "usage", NULL};
    const cJSON *scopes[3] = {payload, NULL, NULL};
    size_t n_scopes = 1;
    for (const char *const *w = wrappers; *w; w++) {
        const cJSON *inner = cJSON_GetObjectItemCaseSensitive(payload, *w);
        if (cJSON_IsObject(inner))
            scopes[n_scopes++] = inner;
    }
    for (size_t i = 0; i < n_scopes; i++) {
        for (const char *const *name = names; *name; name++) {
            const cJSON *usage = cJSON_GetObjectItemCaseSensitive(scopes[i], *name);
            if (!usage || cJSON_IsNull(usage))
                continue;
            if (cJSON_IsObject(usage))
                return usage;
            if (name == names) {   /* tokenUsage of the wrong type; "usage" is only a guess */
                *bad = 1;
                return NULL;
            }
        }
    }
    return NULL;
}

static int parse_stop_reason(const cJSON *payload, kiro_event *ev)
{
    const char *reason = NULL;
    if (optional_string(payload, "stopReason", &reason) != 0)
        return -1;
    static const char *const wrappers[] = {"metadataEvent", "messageMetadataEvent", NULL};
    for (const char *const *w = wrappers; !reason && *w; w++) {
        const cJSON *inner = cJSON_GetObjectItemCaseSensitive(payload, *w);
        if (cJSON_IsObject(inner) && optional_string(inner, "stopReason", &reason) != 0)
            return -1;
    }
    ev->stop_reason = reason;
    return 0;
}

/* metadataEvent / messageMetadataEvent: {"tokenUsage":{"uncachedInputTokens","outputTokens",
 * "totalTokens","cacheReadInputTokens","cacheWriteInputTokens","contextUsagePercentage"},
 * "stopReason":"END_TURN"|"MAX_TOKENS"|"MODEL_CONTEXT_WINDOW_EXCEEDED"|...}. Every member is
 * optional; one of the wrong type makes the event malformed. */
static int parse_metadata(const cJSON *payload, kiro_event *ev)
{
    static const char *const input_names[] = {"uncachedInputTokens", "inputTokens", NULL};
    static const char *const output_names[] = {"outputTokens", NULL};
    static const char *const read_names[] = {"cacheReadInputTokens", NULL};
    static const char *const write_names[] = {"cacheWriteInputTokens", "cacheCreationInputTokens",
                                              NULL};
    ev->kind = KIRO_EV_METADATA;
    if (parse_stop_reason(payload, ev) != 0)
        return -1;
    int bad = 0;
    const cJSON *usage = usage_object(payload, &bad);
    if (bad)
        return -1;
    if (!usage)
        return 0;
    if (first_token_count(usage, input_names, &ev->input_tokens) != 0 ||
        first_token_count(usage, output_names, &ev->output_tokens) != 0 ||
        first_token_count(usage, read_names, &ev->cache_read_tokens) != 0 ||
        first_token_count(usage, write_names, &ev->cache_write_tokens) != 0)
        return -1;
    double pct = -1;
    if (optional_number(usage, "contextUsagePercentage", &pct) != 0)
        return -1;
    ev->context_usage_percent = pct >= 0 && pct < 1e6 ? pct : -1;
    return 0;
}

/* exception / error messages: the type from the headers, the text from a header or payload. */
static int parse_exception(const es_message *m, kiro_event *ev, kiro_event_owner *owner)
{
    int is_error = m->message_type && strcmp(m->message_type, "error") == 0;
    const char *type = is_error ? m->error_code : m->exception_type;
    const char *message = NULL;
    size_t message_len = 0;
    const es_header *h = find_header(m, ":error-message");
    if (h) {
        message = h->str;
        message_len = h->str_len;
    }
    cJSON *payload = json_parse_exact((const char *)m->payload, m->payload_len);
    owner->payload = payload;
    if (!message && cJSON_IsObject(payload)) {
        const cJSON *msg = cJSON_GetObjectItemCaseSensitive(payload, "message");
        if (!cJSON_IsString(msg))
            msg = cJSON_GetObjectItemCaseSensitive(payload, "Message");
        if (cJSON_IsString(msg)) {
            message = msg->valuestring;
            message_len = strlen(message);
        }
        const cJSON *t = cJSON_GetObjectItemCaseSensitive(payload, "__type");
        if (!type && cJSON_IsString(t))
            type = t->valuestring;
    }
    if (!message && cJSON_IsString(payload)) {
        message = payload->valuestring;
        message_len = strlen(message);
    }
    if (!message && !payload && m->payload_len) {   /* not JSON: the raw text */
        message = (const char *)m->payload;
        message_len = m->payload_len;
    }
    owner->exception_type = bytes_dup(type ? type : "UnknownError",
                                       strlen(type ? type : "UnknownError"));
    owner->exception_message = bytes_dup(message ? message : "", message ? message_len : 0);
    if (!owner->exception_type || !owner->exception_message)
        return -1;
    ev->kind = KIRO_EV_EXCEPTION;
    ev->exception_type = owner->exception_type;
    ev->exception_message = owner->exception_message;
    return 0;
}

typedef int (*payload_parser)(const cJSON *payload, kiro_event *ev);

static payload_parser parser_for(const char *event_type)
{
    static const struct {
        const char *name;
        payload_parser parse;
    } parsers[] = {
        { "assistantResponseEvent", parse_text },
        { "reasoningContentEvent", parse_reasoning },
        { "contextUsageEvent", parse_context_usage },
        { "meteringEvent", parse_metering },
        { "metadataEvent", parse_metadata },
        { "messageMetadataEvent", parse_metadata },
    };
    for (size_t i = 0; i < sizeof parsers / sizeof parsers[0]; i++)
        if (strcmp(event_type, parsers[i].name) == 0)
            return parsers[i].parse;
    return NULL;
}

static cJSON *parse_object(const es_message *m)
{
    cJSON *json = json_parse_exact((const char *)m->payload, m->payload_len);
    if (json && !cJSON_IsObject(json)) {
        cJSON_Delete(json);
        return NULL;
    }
    return json;
}

static int parse_event(const es_message *m, kiro_event *ev, kiro_event_owner *owner)
{
    const char *type = m->event_type;
    int is_tool = type && strcmp(type, "toolUseEvent") == 0;
    payload_parser parse = type && !is_tool ? parser_for(type) : NULL;
    if (!is_tool && !parse) {
        ev->kind = KIRO_EV_IGNORED;
        return 0;
    }
    owner->payload = parse_object(m);
    if (!owner->payload)
        return -1;
    return is_tool ? parse_tool_use(owner->payload, ev, owner) : parse(owner->payload, ev);
}

int kiro_event_parse(const es_message *message, kiro_event *ev, kiro_event_owner **owner)
{
    memset(ev, 0, sizeof *ev);
    ev->kind = KIRO_EV_IGNORED;
    ev->text = "";
    ev->input_tokens = ev->output_tokens = -1;
    ev->cache_read_tokens = ev->cache_write_tokens = -1;
    ev->context_usage_percent = -1;
    *owner = NULL;
    kiro_event_owner *o = calloc(1, sizeof *o);
    if (!o)
        return -1;
    const char *mt = message->message_type;
    int rc;
    if (mt && (strcmp(mt, "exception") == 0 || strcmp(mt, "error") == 0))
        rc = parse_exception(message, ev, o);
    else if (!mt || strcmp(mt, "event") == 0)
        rc = parse_event(message, ev, o);
    else
        rc = 0;   /* an unknown message type: ignored like an unknown event */
    if (rc != 0) {
        kiro_event_release(o);
        memset(ev, 0, sizeof *ev);
        ev->kind = KIRO_EV_IGNORED;
        ev->text = "";
        ev->input_tokens = ev->output_tokens = -1;
        ev->cache_read_tokens = ev->cache_write_tokens = -1;
        ev->context_usage_percent = -1;
        return -1;
    }
    *owner = o;
    return 0;
}
