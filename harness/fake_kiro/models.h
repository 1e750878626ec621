/* models.h: ListAvailableModels and the model ids generateAssistantResponse accepts.
 *
 * The list mirrors what Kiro offers today (claude-sonnet-4.5, claude-sonnet-4, claude-haiku-4.5,
 * claude-opus-4.5, claude-opus-4.6, claude-sonnet-4.6, auto) plus any --extra-model, so a proxy
 * that normalises client model names wrongly gets the same 400 "Invalid model" as upstream.
 * Each entry carries the real answer's fields (modelId, modelName, description, rateMultiplier,
 * rateUnit, supportedInputTypes, promptCaching, tokenLimits{maxInputTokens,maxOutputTokens|null})
 * and the list comes in pages of --models-page-size entries joined by nextToken (the next
 * request passes it as ?nextToken=), so a proxy that keeps only the first page misses models. */
#ifndef FAKE_KIRO_MODELS_H
#define FAKE_KIRO_MODELS_H

#include <microhttpd.h>

#include "app.h"
#include "request.h"

#define FK_DEFAULT_MODEL "auto"
#define FK_INVALID_MODEL_MESSAGE "Invalid model. Please select a different model to continue."

/* 1 when id is a built-in or extra model. */
int fk_models_known(fk_app *app, const char *id);
/* {"models":[...],"defaultModel":{...}}: every model in one answer; caller deletes. NULL when
 * out of memory. */
cJSON *fk_models_json(fk_app *app);
/* One page: page_size entries from offset (0 = all), with "nextToken" when more follow. */
cJSON *fk_models_page_json(fk_app *app, size_t offset, size_t page_size);
/* The offset a nextToken stands for (token NULL: 0). Returns 0, or -1 for a foreign token. */
int fk_models_parse_next_token(const char *token, size_t *offset);
/* GET|POST .../ListAvailableModels (Bearer required; --models-hang, --models-status). */
enum MHD_Result fk_handle_models(fk_app *app, struct MHD_Connection *c, fk_request *req);

#endif
