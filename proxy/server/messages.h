/* messages.h: the part of /v1/messages that the OpenAI route shares: request logging,
 * translation to Kiro and the relay of the answer in the caller's format. */
#ifndef KIRO_MESSAGES_H
#define KIRO_MESSAGES_H

#include <cjson/cJSON.h>

#include "render/response_writer.h"
#include "server/request.h"

/* [KIRO_PRE]: the whole body at debug level, a summary at info. */
void messages_log_client_request(request_ctx *rq, const cJSON *request, const char *api);

/* Translates an Anthropic-shaped request, logs [RAW_KIRO_REQUEST], relays the upstream answer
 * as stream_format or json_format depending on the request's "stream". */
enum MHD_Result messages_translate_and_relay(request_ctx *rq, const cJSON *anthropic_request,
                                             rw_format stream_format, rw_format json_format);

#endif
