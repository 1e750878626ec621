/* upstream_usage.c: token and context usage of one upstream turn; see upstream_usage.h. */
#include "render/upstream_usage.h"

#include <strings.h>

void upstream_usage_init(upstream_usage *u)
{
    u->input_tokens = u->output_tokens = -1;
    u->cache_read_tokens = u->cache_write_tokens = -1;
    u->context_percent = -1;
    u->context_exceeded = 0;
    u->max_tokens = 0;
}

/* stopReason values arrive as Kiro's enum (MAX_TOKENS) or in Anthropic's spelling. */
static void note_stop_reason(upstream_usage *u, const char *reason)
{
    if (!reason)
        return;
    if (strcasecmp(reason, "MODEL_CONTEXT_WINDOW_EXCEEDED") == 0)
        u->context_exceeded = 1;
    else if (strcasecmp(reason, "MAX_TOKENS") == 0)
        u->max_tokens = 1;
}

void upstream_usage_note(upstream_usage *u, const kiro_event *ev)
{
    switch (ev->kind) {
    case KIRO_EV_CONTEXT_USAGE:
        if (ev->context_usage_percent >= 0)
            u->context_percent = ev->context_usage_percent;
        return;
    case KIRO_EV_METADATA:
        if (ev->input_tokens >= 0)
            u->input_tokens = ev->input_tokens;
        if (ev->output_tokens >= 0)
            u->output_tokens = ev->output_tokens;
        if (ev->cache_read_tokens >= 0)
            u->cache_read_tokens = ev->cache_read_tokens;
        if (ev->cache_write_tokens >= 0)
            u->cache_write_tokens = ev->cache_write_tokens;
        if (ev->context_usage_percent >= 0)
            u->context_percent = ev->context_usage_percent;
        note_stop_reason(u, ev->stop_reason);
        return;
    default:
        return;
    }
}

static long non_negative(long v)
{
    return v > 0 ? v : 0;
}

usage_numbers upstream_usage_numbers(const upstream_usage *u, long input_estimate,
                                     long output_estimate, long context_window)
{
    usage_numbers n;
    n.cache_read_input_tokens = non_negative(u->cache_read_tokens);
    n.cache_creation_input_tokens = non_negative(u->cache_write_tokens);
    if (u->input_tokens >= 0) {
        n.input_tokens = u->input_tokens;
    } else if (u->context_percent >= 0) {
        double window =
            context_window > 0 ? (double)context_window : (double)UPSTREAM_DEFAULT_CONTEXT_WINDOW;
        double total = u->context_percent * window / 100.0 + 0.5;
        long whole = total < 1e15 ? (long)total : (long)1e15;
        /* The percentage covers the whole context; the cached part is reported apart. */
        n.input_tokens =
            non_negative(whole - n.cache_read_input_tokens - n.cache_creation_input_tokens);
    } else {
        n.input_tokens = non_negative(input_estimate);
    }
    n.output_tokens = u->output_tokens >= 0 ? u->output_tokens : non_negative(output_estimate);
    return n;
}

int upstream_usage_context_exceeded(const upstream_usage *u)
{
    return u->context_exceeded || u->context_percent >= 100.0;
}

int upstream_usage_max_tokens(const upstream_usage *u)
{
    return u->max_tokens;
}

const char *upstream_usage_stop_reason(const upstream_usage *u, int tool_calls, int length_limited)
{
    if (upstream_usage_context_exceeded(u))
        return "model_context_window_exceeded";
    if (tool_calls > 0)
        return "tool_use";
    if (length_limited || u->max_tokens)
        return "max_tokens";
    return "end_turn";
}

const char *upstream_usage_finish_reason(const upstream_usage *u, int tool_calls,
                                         int length_limited)
{
    if (upstream_usage_context_exceeded(u))
        return "length";
    if (tool_calls > 0)
        return "tool_calls";
    if (length_limited || u->max_tokens)
        return "length";
    return "stop";
}

int usage_add_anthropic(cJSON *usage, const usage_numbers *n)
{
    if (!usage)
        return -1;
    int ok = cJSON_AddNumberToObject(usage, "input_tokens", (double)n->input_tokens) &&
             cJSON_AddNumberToObject(usage, "cache_creation_input_tokens",
                                     (double)n->cache_creation_input_tokens) &&
             cJSON_AddNumberToObject(usage, "cache_read_input_tokens",
                                     (double)n->cache_read_input_tokens) &&
             cJSON_AddNumberToObject(usage, "output_tokens", (double)n->output_tokens);
    return ok ? 0 : -1;
}

int usage_add_openai(cJSON *usage, const usage_numbers *n)
{
    if (!usage)
        return -1;
    long prompt = n->input_tokens + n->cache_read_input_tokens + n->cache_creation_input_tokens;
    int ok = cJSON_AddNumberToObject(usage, "prompt_tokens", (double)prompt) &&
             cJSON_AddNumberToObject(usage, "completion_tokens", (double)n->output_tokens) &&
             cJSON_AddNumberToObject(usage, "total_tokens", (double)(prompt + n->output_tokens));
    cJSON *details = ok ? cJSON_AddObjectToObject(usage, "prompt_tokens_details") : NULL;
    ok = details &&
         cJSON_AddNumberToObject(details, "cached_tokens", (double)n->cache_read_input_tokens);
    return ok ? 0 : -1;
}
