/* request.h: one client request as the routes see it, and the helpers that answer it.
 *
 * The HTTP layer (http_server.c) creates a request_ctx per request, collects the body under the
 * size limit, logs the access line and checks keys, then hands the finished request to the
 * route's handler. Handlers answer with exactly one respond_* call (or a streaming response). */
#ifndef KIRO_REQUEST_H
#define KIRO_REQUEST_H

#include <microhttpd.h>
#include <stdint.h>

#include "util/api_error.h"
#include "util/buf.h"

struct app;

typedef enum { API_ANTHROPIC, API_OPENAI } api_shape;

typedef struct request_ctx {
    struct app *app;
    struct MHD_Connection *conn;
    const struct route *route;
    const char *method;           /* valid for the whole request (owned by MHD) */
    const char *path;             /* URL path without the query string */
    char path_param[256];         /* the {param} segment of routes that have one */
    kbuf body;                    /* capped at the configured body limit */
    int body_too_large;
    int status;                   /* status of the response queued (for metrics) */
    int metric_route;
    int64_t start_us;
    api_shape shape;              /* error shape for this route */
    char request_id[40];
    /* Whose Kiro credential serves this request (set by auth_check): the main pool (both
     * unset), the act-<code> caller's own (user_cred_id > 0, in the app's user pool), or the
     * one the caller brought (caller_pool, owned by the request: creds-<base64> keys and
     * X-Kiro-Credentials, when the config allows them). */
    int user_cred_id;
    char user_code[132];
    struct cred_pool *caller_pool;
} request_ctx;

/* Request header lookup (case-insensitive), NULL when absent. */
const char *request_header(request_ctx *rq, const char *name);
/* Query-string argument, NULL when absent. */
const char *request_query(request_ctx *rq, const char *name);

/* Most JSON values (arrays, objects and their elements) a request body may hold. */
#define REQUEST_JSON_MAX_VALUES 200000

/* The body parsed as a JSON object; NULL with err (400: empty, invalid JSON, trailing bytes,
 * control bytes, too many values, not an object). */
struct cJSON *request_json_object(request_ctx *rq, api_error *err);

/* Queues a response with the given body (copied) and content type. */
enum MHD_Result respond_bytes(request_ctx *rq, int status, const char *content_type,
                              const char *body, size_t len);
/* Queues a response whose body is not copied: release(release_cls) is called exactly once,
 * when libmicrohttpd is done with the body (at once when the response cannot be made). */
enum MHD_Result respond_shared_bytes(request_ctx *rq, int status, const char *content_type,
                                     const char *body, size_t len, void (*release)(void *),
                                     void *release_cls);
/* Queues compact JSON. The object is not freed. */
enum MHD_Result respond_json(request_ctx *rq, int status, const void *cjson_item);
/* An unqueued response carrying err in this route's API shape (to add headers before queueing). */
struct MHD_Response *response_for_error(request_ctx *rq, const api_error *err);
/* Queues an error in this route's API shape (Anthropic or OpenAI). */
enum MHD_Result respond_error(request_ctx *rq, const api_error *err);
enum MHD_Result respond_error_msg(request_ctx *rq, int status, const char *type, const char *msg);
/* Queues an already-built MHD response (streaming) and releases it. */
enum MHD_Result respond_response(request_ctx *rq, int status, struct MHD_Response *response);

/* Adds the headers every response carries (request id, no-store for admin). */
void response_add_common_headers(request_ctx *rq, struct MHD_Response *response);

#endif
