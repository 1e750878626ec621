/* http_reply.h: the JSON answers fake-kiro gives, in the shapes the real services use.
 *
 * AWS services answer errors with {"message":...,"__type":...} and an x-amzn-ErrorType header;
 * the validation error Kiro is known for is 400 {"message":"Improperly formed request.",
 * "reason":null}. Every function here queues the response on the connection, records the status
 * in the request and returns what the MHD access handler should return. */
#ifndef FAKE_KIRO_HTTP_REPLY_H
#define FAKE_KIRO_HTTP_REPLY_H

#include <microhttpd.h>

#include <cjson/cJSON.h>

#include "request.h"

#define FK_IMPROPER_MESSAGE "Improperly formed request."

/* Queues body (copied) as application/json. */
enum MHD_Result fk_reply_json(struct MHD_Connection *c, fk_request *req, int status,
                              const char *body);
/* Serialises and deletes obj. */
enum MHD_Result fk_reply_cjson(struct MHD_Connection *c, fk_request *req, int status, cJSON *obj);
/* {"message":message} */
enum MHD_Result fk_reply_message(struct MHD_Connection *c, fk_request *req, int status,
                                 const char *message);
/* {"message":message,"__type":type} with header x-amzn-ErrorType: type. */
enum MHD_Result fk_reply_aws(struct MHD_Connection *c, fk_request *req, int status,
                             const char *type, const char *message);
/* The error an AWS service gives for this status (429 ThrottlingException, 500
 * InternalServerException, ...). quota adds "reason":"MONTHLY_REQUEST_COUNT". */
enum MHD_Result fk_reply_aws_status(struct MHD_Connection *c, fk_request *req, int status,
                                    int quota);
/* Serialises and deletes obj, with header x-amzn-ErrorType: type and, when reason is not
 * NULL, X-Fake-Reason: reason (made printable and cut short). */
enum MHD_Result fk_reply_typed(struct MHD_Connection *c, fk_request *req, int status,
                               const char *type, cJSON *obj, const char *reason);
/* 400 {"message":"Improperly formed request.","reason":null} with X-Fake-Reason: reason. */
enum MHD_Result fk_reply_improper(struct MHD_Connection *c, fk_request *req, const char *reason);

/* Queues a response built elsewhere (adds x-amzn-RequestId) and drops our reference. */
enum MHD_Result fk_reply_queue(struct MHD_Connection *c, fk_request *req, int status,
                               struct MHD_Response *response);

#endif
