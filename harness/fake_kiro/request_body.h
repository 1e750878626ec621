/* request_body.h: the JSON body of a fake-kiro request, and the record of a request kept for
 * the /__fake/last-* introspection endpoints.
 *
 * Shared by the endpoints that take a JSON body and let tests look at what was sent
 * (generateAssistantResponse, the MCP endpoint), so that both parse and record alike. */
#ifndef FAKE_KIRO_REQUEST_BODY_H
#define FAKE_KIRO_REQUEST_BODY_H

#include <microhttpd.h>

#include <cjson/cJSON.h>

#include "last_request.h"
#include "request.h"

/* The body as JSON, or NULL when it is not exactly one JSON value (trailing bytes other than
 * whitespace make it invalid, as they do for the real service) or was too large to keep.
 * Caller deletes. */
cJSON *fk_request_json(const fk_request *req);

/* Stores {"method","path","headers","body_bytes","body"} in slot. body is the parsed JSON
 * (borrowed) or NULL when the body was not JSON. */
void fk_request_record(fk_last_request *slot, struct MHD_Connection *c, const fk_request *req,
                       const cJSON *body);

#endif
