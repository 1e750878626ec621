/* kiro_body.h: the generateAssistantResponse JSON body from a finished conversation (internal).
 *
 * The last user turn becomes currentMessage (with the tool specifications); everything before
 * it becomes history. When the conversation ends with an assistant turn (a prefill), all turns
 * go to the history and the current content is PLACEHOLDER_CONTINUE. Empty arrays and objects
 * are omitted, and so is "history" when it would be empty: the upstream rejects null and
 * empty containers. */
#ifndef KIRO_TRANSLATE_KIRO_BODY_H
#define KIRO_TRANSLATE_KIRO_BODY_H

#include <cjson/cJSON.h>

#include "translate/conversation.h"
#include "util/api_error.h"

typedef struct kiro_body_params {
    const char *model_id;
    const char *conversation_id;
    const char *continuation_id;
    const char *profile_arn;   /* root "profileArn" when non-NULL */
    int thinking;
    long thinking_budget;
} kiro_body_params;

/* Builds the body; the conversation's lists and tool_specs (may be NULL) are moved into it.
 * Returns the new object (caller deletes), or NULL with err. */
cJSON *kiro_body_build(conversation *c, cJSON *tool_specs, const kiro_body_params *p,
                       api_error *err);

#endif
