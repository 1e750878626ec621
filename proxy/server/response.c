/* response.c: answering a request: JSON bodies, API-shaped errors, common headers; see request.h. */
#include "server/request.h"

#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>

#include "server/cors.h"
#include "server/router.h"
#include "util/json_text.h"

const char *request_header(request_ctx *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_HEADER_KIND, name);
}

const char *request_query(request_ctx *rq, const char *name)
{
    return MHD_lookup_connection_value(rq->conn, MHD_GET_ARGUMENT_KIND, name);
}

/* Checks what cJSON would accept too leniently or too expensively: raw control bytes (JSON allows
 * only tab, LF and CR outside strings, none inside; cJSON treats every byte up to 0x20, NUL
 * included, as white space) and the number of values, since cJSON allocates one node per value
 * (a 16 MiB body of "[0,0,..." would take over 600 MiB of nodes). Returns 0 or -1 with err. */
static int json_body_precheck(const char *data, size_t len, api_error *err)
{
    size_t values = 0;
    int in_string = 0, escaped = 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)data[i];
        if (c < 0x20 && !(!in_string && (c == '\t' || c == '\n' || c == '\r'))) {
            api_error_set(err, 400, "invalid_request_error",
                          "the request body is not valid JSON (control byte 0x%02x at byte %zu)", c, i);
            return -1;
        }
        if (in_string) {
            if (escaped)
                escaped = 0;
            else if (c == '\\')
                escaped = 1;
            else if (c == '"')
                in_string = 0;
        } else if (c == '"') {
            in_string = 1;
        } else if (c == ',' || c == '[' || c == '{') {
            if (++values > REQUEST_JSON_MAX_VALUES) {
                api_error_set(err, 400, "invalid_request_error",
                              "the request body has more than %d JSON values", REQUEST_JSON_MAX_VALUES);
                return -1;
            }
        }
    }
    return 0;
}

cJSON *request_json_object(request_ctx *rq, api_error *err)
{
    if (!rq->body.len) {
        api_error_set(err, 400, "invalid_request_error", "the request body is empty; JSON expected");
        return NULL;
    }
    if (json_body_precheck(rq->body.data, rq->body.len, err) != 0)
        return NULL;
    /* \u0000 would be cut by every consumer of cJSON's C strings: refused in every field */
    long nul = json_text_nul_escape(rq->body.data, rq->body.len);
    if (nul >= 0) {
        api_error_set(err, 400, "invalid_request_error",
                      "the request body has \\u0000 (a NUL character) in a JSON string at byte "
                      "%ld: strings with NUL are not accepted", nul);
        return NULL;
    }
    /* The kbuf keeps a NUL after the data: parsing len + 1 bytes with require_null_terminated
     * refuses anything after the JSON value (trailing garbage, a second object). */
    const char *end = NULL;
    cJSON *j = cJSON_ParseWithLengthOpts(rq->body.data, rq->body.len + 1, &end, 1);
    if (!j) {
        size_t at = end && end >= rq->body.data ? (size_t)(end - rq->body.data) : 0;
        api_error_set(err, 400, "invalid_request_error", "the request body is not valid JSON (error near byte %zu)", at);
        return NULL;
    }
    if (!cJSON_IsObject(j)) {
        cJSON_Delete(j);
        api_error_set(err, 400, "invalid_request_error", "the request body must be a JSON object");
        return NULL;
    }
    return j;
}

void response_add_common_headers(request_ctx *rq, struct MHD_Response *response)
{
    MHD_add_response_header(response, "request-id", rq->request_id);
    if (rq->route &&
        (rq->route->auth == ROUTE_AUTH_ADMIN || rq->route->auth == ROUTE_AUTH_ADMIN_OR_LOOPBACK))
        MHD_add_response_header(response, "Cache-Control", "no-store");
    cors_add_headers(rq, response);
}

enum MHD_Result respond_response(request_ctx *rq, int status, struct MHD_Response *response)
{
    if (!response)
        return MHD_NO;
    response_add_common_headers(rq, response);
    rq->status = status;
    enum MHD_Result r = MHD_queue_response(rq->conn, (unsigned int)status, response);
    MHD_destroy_response(response);
    return r;
}

enum MHD_Result respond_bytes(request_ctx *rq, int status, const char *content_type,
                              const char *body, size_t len)
{
    struct MHD_Response *response =
        MHD_create_response_from_buffer(len, (void *)body, MHD_RESPMEM_MUST_COPY);
    if (!response)
        return MHD_NO;
    if (content_type)
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    return respond_response(rq, status, response);
}

enum MHD_Result respond_shared_bytes(request_ctx *rq, int status, const char *content_type,
                                     const char *body, size_t len, void (*release)(void *),
                                     void *release_cls)
{
    /* libmicrohttpd calls release when it destroys the response, queued or not. */
    struct MHD_Response *response = MHD_create_response_from_buffer_with_free_callback_cls(
        len, (void *)body, release, release_cls);
    if (!response) {
        release(release_cls);
        return MHD_NO;
    }
    if (content_type)
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type);
    return respond_response(rq, status, response);
}

enum MHD_Result respond_json(request_ctx *rq, int status, const void *cjson_item)
{
    char *text = cJSON_PrintUnformatted((const cJSON *)cjson_item);
    if (!text)
        return respond_error_msg(rq, 500, "api_error", "out of memory");
    enum MHD_Result r = respond_bytes(rq, status, "application/json", text, strlen(text));
    cJSON_free(text);
    return r;
}

struct MHD_Response *response_for_error(request_ctx *rq, const api_error *err)
{
    char *text = rq->shape == API_OPENAI ? api_error_openai_json(err) : api_error_anthropic_json(err);
    if (!text)
        return NULL;
    struct MHD_Response *response =
        MHD_create_response_from_buffer(strlen(text), text, MHD_RESPMEM_MUST_COPY);
    cJSON_free(text);
    if (response)
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    return response;
}

enum MHD_Result respond_error(request_ctx *rq, const api_error *err)
{
    return respond_response(rq, err->status, response_for_error(rq, err));
}

enum MHD_Result respond_error_msg(request_ctx *rq, int status, const char *type, const char *msg)
{
    api_error e;
    api_error_set(&e, status, type, "%s", msg);
    return respond_error(rq, &e);
}
