/* models.h: ListAvailableModels and the model ids generateAssistantResponse accepts.
 *
 * The list mirrors what Kiro offers today (claude-sonnet-4.5, claude-sonnet-4, claude-haiku-4.5,
 * claude-opus-4.5, claude-opus-4.6, claude-sonnet-4.6, auto) plus any --extra-model, so a proxy
 * that normalises client model names wrongly gets the same 400 "Invalid model" as upstream. */
#ifndef FAKE_KIRO_MODELS_H
#define FAKE_KIRO_MODELS_H

#include <microhttpd.h>

#include "app.h"
#include "request.h"

#define FK_DEFAULT_MODEL "auto"
#define FK_INVALID_MODEL_MESSAGE "Invalid model. Please select a different model to continue."

/* 1 when id is a built-in or extra model. */
int fk_models_known(fk_app *app, const char *id);
/* {"models":[...],"defaultModel":{...}}; caller deletes. NULL when out of memory. */
cJSON *fk_models_json(fk_app *app);
/* GET|POST .../ListAvailableModels (Bearer required; --models-hang, --models-status). */
enum MHD_Result fk_handle_models(fk_app *app, struct MHD_Connection *c, fk_request *req);

#endif
