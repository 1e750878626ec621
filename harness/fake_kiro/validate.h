/* validate.h: the request checks of the real generateAssistantResponse.
 *
 * Kiro answers 400 "Improperly formed request." to a body it does not like, without saying why;
 * it is the bug proxy users report most. fake-kiro applies the same rules and says which one
 * failed (the reason goes into an X-Fake-Reason header), so a proxy test that passes against
 * fake-kiro has a real chance of passing against Kiro:
 *   - conversationState.currentMessage.userInputMessage with non-empty content and a modelId;
 *   - "history", when present, is a non-empty array of turns alternating user/assistant,
 *     starting with user and ending with assistant (the current message is the next user turn);
 *   - no user turn with empty content;
 *   - tools: each a toolSpecification with a name of at most 64 characters, a description and
 *     an inputSchema.json object;
 *   - every toolResults[].toolUseId names a toolUses[].toolUseId of an earlier assistant turn;
 *   - the body is at most 600000 bytes. */
#ifndef FAKE_KIRO_VALIDATE_H
#define FAKE_KIRO_VALIDATE_H

#include <stddef.h>

#include <cjson/cJSON.h>

#define FK_MAX_UPSTREAM_BODY 600000
#define FK_MAX_TOOL_NAME 64
#define FK_REASON_SIZE 192

/* 0 when the request is well formed; -1 with a one-line reason otherwise. */
int fk_validate_request(const cJSON *request, size_t body_bytes, char *reason,
                        size_t reason_size);

/* conversationState.currentMessage.userInputMessage.modelId, or NULL. */
const char *fk_request_model_id(const cJSON *request);

#endif
