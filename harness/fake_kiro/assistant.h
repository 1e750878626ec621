/* assistant.h: POST .../generateAssistantResponse, the endpoint fake-kiro exists for.
 *
 * In order: record the request for /__fake/last-request; check the Bearer token; validate the
 * body like Kiro (400 "Improperly formed request." with X-Fake-Reason, 400 "Invalid model");
 * apply the request faults (hang, delay, status; counted against fail_count); then answer 200
 * application/vnd.amazon.eventstream with the frames of reply_plan.c, streamed by stream.c. */
#ifndef FAKE_KIRO_ASSISTANT_H
#define FAKE_KIRO_ASSISTANT_H

#include <microhttpd.h>

#include "app.h"
#include "request.h"

enum MHD_Result fk_handle_assistant(fk_app *app, struct MHD_Connection *c, fk_request *req);

#endif
