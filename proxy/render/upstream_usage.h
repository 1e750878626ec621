/* upstream_usage.h: what the upstream says about the size of one turn, gathered from its events
 * and turned into the usage numbers and the stop reason a client is shown.
 *
 * Kiro reports sizes three ways: contextUsageEvent {contextUsagePercentage} (how full the
 * model's context window is), metadataEvent / messageMetadataEvent {tokenUsage} with exact
 * counts (uncached input, output, cache read, cache write) and a stopReason. Exact counts win;
 * without them the input is derived from the context percentage and the window of the model
 * (kiro-go and kiro.rs do the same: percentage x window / 100), and without either the caller's
 * estimate stands. The counts are disjoint, as in Anthropic's usage: input_tokens is the
 * uncached part, cache_read_input_tokens and cache_creation_input_tokens come on top.
 *
 * A context at 100% or more (or an upstream stopReason MODEL_CONTEXT_WINDOW_EXCEEDED) ends the
 * turn with stop_reason model_context_window_exceeded, which wins over tool_use as in kiro-go
 * and kiro.rs; OpenAI clients see finish_reason "length". */
#ifndef KIRO_RENDER_UPSTREAM_USAGE_H
#define KIRO_RENDER_UPSTREAM_USAGE_H

#include <cjson/cJSON.h>

#include "render/kiro_event.h"

/* Context window used when the caller knows none (Kiro's Claude models up to 4.5). */
#define UPSTREAM_DEFAULT_CONTEXT_WINDOW 200000L

typedef struct upstream_usage {
    long input_tokens;       /* uncached input, -1 until reported */
    long output_tokens;      /* -1 until reported */
    long cache_read_tokens;  /* -1 until reported */
    long cache_write_tokens; /* -1 until reported */
    double context_percent;  /* -1 until reported */
    int context_exceeded;    /* stopReason MODEL_CONTEXT_WINDOW_EXCEEDED */
    int max_tokens;          /* stopReason MAX_TOKENS */
} upstream_usage;

/* The numbers a response shows; never negative. */
typedef struct usage_numbers {
    long input_tokens; /* uncached input */
    long output_tokens;
    long cache_read_input_tokens;
    long cache_creation_input_tokens;
} usage_numbers;

void upstream_usage_init(upstream_usage *u);
/* Takes what a METADATA or CONTEXT_USAGE event reports (later reports replace earlier ones);
 * other events are ignored. */
void upstream_usage_note(upstream_usage *u, const kiro_event *ev);

/* The numbers: exact counts when reported, else the input from the context percentage of
 * context_window (0 = UPSTREAM_DEFAULT_CONTEXT_WINDOW) minus the cache counts, else
 * input_estimate; output_estimate when no output count was reported. */
usage_numbers upstream_usage_numbers(const upstream_usage *u, long input_estimate,
                                     long output_estimate, long context_window);

/* 1 when the turn ran out of context window (percentage >= 100 or the upstream said so). */
int upstream_usage_context_exceeded(const upstream_usage *u);
/* 1 when the upstream's stopReason said the output limit was hit. */
int upstream_usage_max_tokens(const upstream_usage *u);

/* Anthropic's stop_reason from what the turn did: model_context_window_exceeded, tool_use,
 * max_tokens (length_limited: ContentLengthExceededException or stopReason MAX_TOKENS) or
 * end_turn, in that order. OpenAI's finish_reason maps them to length, tool_calls, length, stop. */
const char *upstream_usage_stop_reason(const upstream_usage *u, int tool_calls, int length_limited);
const char *upstream_usage_finish_reason(const upstream_usage *u, int tool_calls,
                                         int length_limited);

/* Adds input_tokens, cache_creation_input_tokens, cache_read_input_tokens and output_tokens
 * to an Anthropic usage object. Returns 0, or -1 when out of memory. */
int usage_add_anthropic(cJSON *usage, const usage_numbers *n);
/* Adds prompt_tokens (all input, cached or not, as OpenAI counts it), completion_tokens,
 * total_tokens and prompt_tokens_details.cached_tokens to an OpenAI usage object. */
int usage_add_openai(cJSON *usage, const usage_numbers *n);

#endif
