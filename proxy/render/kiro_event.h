/* kiro_event.h: one decoded upstream event-stream message as a typed Kiro event.
 *
 * The upstream sends JSON payloads in event-stream frames; this module turns an es_message
 * into a kiro_event so that renderers never look at raw frames or JSON. */
#ifndef KIRO_EVENT_H
#define KIRO_EVENT_H

#include <stddef.h>

#include "eventstream/eventstream.h"

typedef enum {
    KIRO_EV_TEXT,          /* assistantResponseEvent {content} */
    KIRO_EV_REASONING,     /* reasoningContentEvent {text} */
    KIRO_EV_TOOL_USE,      /* toolUseEvent {name, toolUseId, input (fragment), stop} */
    KIRO_EV_CONTEXT_USAGE, /* contextUsageEvent {contextUsagePercentage} */
    KIRO_EV_METERING,      /* meteringEvent {usage} */
    KIRO_EV_METADATA,      /* metadataEvent / messageMetadataEvent {tokenUsage, stopReason} */
    KIRO_EV_EXCEPTION,     /* :message-type exception or error */
    KIRO_EV_IGNORED,       /* known but irrelevant, or unknown event types */
} kiro_event_kind;

typedef struct kiro_event {
    kiro_event_kind kind;
    /* TEXT / REASONING: the text; TOOL_USE: the input fragment (may be empty). */
    const char *text;
    size_t text_len;
    const char *tool_use_id; /* TOOL_USE */
    const char *tool_name;   /* TOOL_USE */
    int tool_stop;           /* TOOL_USE: this fragment ends the tool call */
    /* CONTEXT_USAGE: contextUsagePercentage; METADATA: tokenUsage.contextUsagePercentage,
     * -1 when absent. */
    double context_usage_percent;
    double metering_usage;        /* METERING */
    /* METADATA, each -1 when absent: input is tokenUsage.uncachedInputTokens (or the older
     * inputTokens), output is outputTokens, cache read is cacheReadInputTokens and cache write
     * is cacheWriteInputTokens (or cacheCreationInputTokens). */
    long input_tokens, output_tokens;
    long cache_read_tokens, cache_write_tokens;
    const char *stop_reason;      /* METADATA: stopReason (e.g. MAX_TOKENS), NULL when absent */
    const char *exception_type;   /* EXCEPTION: e.g. ContentLengthExceededException */
    const char *exception_message;
} kiro_event;

typedef struct kiro_event_owner kiro_event_owner;

/* Parses message into ev. String pointers in ev stay valid until kiro_event_release(owner).
 * Returns 0, or -1 when the payload is not the JSON the event type requires (the caller treats
 * that as a stream error). */
int kiro_event_parse(const es_message *message, kiro_event *ev, kiro_event_owner **owner);
void kiro_event_release(kiro_event_owner *owner);

#endif
