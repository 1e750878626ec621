/* relay.h: one upstream response carried to the client: upstream bytes -> event-stream decoder
 * -> Kiro events -> response writer (Anthropic or OpenAI, SSE or JSON) -> client.
 *
 * Streaming responses are served by a libmicrohttpd content callback that runs on the
 * connection's thread and drives the upstream transfer itself; it sends pings while the
 * upstream is silent, ends with an error event (never a fake end_turn) when the upstream fails
 * or goes idle too long, and aborts the upstream transfer as soon as the client goes away.
 * Used by both /v1/messages and /v1/chat/completions. */
#ifndef KIRO_RELAY_H
#define KIRO_RELAY_H

#include "render/response_writer.h"
#include "server/request.h"
#include "translate/translate.h"

/* Sends the request upstream and answers rq: a stream, a JSON body, or an API-shaped error.
 * Takes ownership of *request (it is cleared). */
enum MHD_Result relay_handle(request_ctx *rq, kiro_request *request, rw_format format);

#endif
