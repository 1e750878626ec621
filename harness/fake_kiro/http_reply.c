/* http_reply.c: JSON and AWS-shaped error responses; see http_reply.h. */
#include "http_reply.h"

#include <string.h>

#include "util/random.h"

#define INTERNAL_ERROR_MESSAGE \
    "Encountered an unexpected error when processing the request, please try again."
#define REASON_HEADER_MAX 200

typedef struct aws_error {
    int status;
    const char *type;
    const char *message;
} aws_error;

static const aws_error aws_errors[] = {
    {400, "ValidationException", FK_IMPROPER_MESSAGE},
    {401, "UnauthorizedException", "The bearer token included in the request is invalid."},
    {402, "ServiceQuotaExceededException", "You have reached the limit of requests."},
    {403, "AccessDeniedException", "The security token included in the request is invalid."},
    {404, "ResourceNotFoundException", "The requested resource was not found."},
    {408, "RequestTimeoutException", "The request timed out."},
    {413, "ContentLengthExceededException", "Input is too long."},
    {429, "ThrottlingException", "Too many requests"},
    {500, "InternalServerException", INTERNAL_ERROR_MESSAGE},
    {502, "BadGatewayException", "Bad gateway."},
    {503, "ServiceUnavailableException", "Service is temporarily unavailable."},
    {504, "GatewayTimeoutException", "The gateway timed out."},
};

enum MHD_Result fk_reply_queue(struct MHD_Connection *c, fk_request *req, int status,
                               struct MHD_Response *response)
{
    if (!response)
        return MHD_NO;
    char id[UUID_STR_SIZE];
    random_uuid(id);
    MHD_add_response_header(response, "x-amzn-RequestId", id);
    req->status = status;
    enum MHD_Result rc = MHD_queue_response(c, (unsigned int)status, response);
    MHD_destroy_response(response);
    return rc;
}

static struct MHD_Response *json_response(const char *body)
{
    struct MHD_Response *response =
        MHD_create_response_from_buffer(strlen(body), (void *)body, MHD_RESPMEM_MUST_COPY);
    if (response)
        MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    return response;
}

enum MHD_Result fk_reply_json(struct MHD_Connection *c, fk_request *req, int status,
                              const char *body)
{
    return fk_reply_queue(c, req, status, json_response(body));
}

enum MHD_Result fk_reply_cjson(struct MHD_Connection *c, fk_request *req, int status, cJSON *obj)
{
    char *body = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    if (!body)
        return fk_reply_json(c, req, 500, "{\"message\":\"fake-kiro: out of memory\"}");
    enum MHD_Result rc = fk_reply_json(c, req, status, body);
    cJSON_free(body);
    return rc;
}

enum MHD_Result fk_reply_message(struct MHD_Connection *c, fk_request *req, int status,
                                 const char *message)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "message", message);
    return fk_reply_cjson(c, req, status, obj);
}

static enum MHD_Result reply_aws_body(struct MHD_Connection *c, fk_request *req, int status,
                                      const char *type, cJSON *obj)
{
    char *body = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    if (!body)
        return MHD_NO;
    struct MHD_Response *response = json_response(body);
    cJSON_free(body);
    if (response)
        MHD_add_response_header(response, "x-amzn-ErrorType", type);
    return fk_reply_queue(c, req, status, response);
}

enum MHD_Result fk_reply_aws(struct MHD_Connection *c, fk_request *req, int status,
                             const char *type, const char *message)
{
    cJSON *obj = cJSON_CreateObject();
    cJSON_AddStringToObject(obj, "message", message);
    cJSON_AddStringToObject(obj, "__type", type);
    return reply_aws_body(c, req, status, type, obj);
}

enum MHD_Result fk_reply_aws_status(struct MHD_Connection *c, fk_request *req, int status,
                                    int quota)
{
    const char *type = status >= 500 ? "InternalServerException" : "ValidationException";
    const char *message = status >= 500 ? INTERNAL_ERROR_MESSAGE : FK_IMPROPER_MESSAGE;
    for (size_t i = 0; i < sizeof aws_errors / sizeof aws_errors[0]; i++) {
        if (aws_errors[i].status == status) {
            type = aws_errors[i].type;
            message = aws_errors[i].message;
        }
    }
    cJSON *obj = cJSON_CreateObject();
    if (quota) {
        cJSON_AddStringToObject(obj, "message",
                                "You have reached the limit for requests this month.");
        cJSON_AddStringToObject(obj, "__type", type);
        cJSON_AddStringToObject(obj, "reason", "MONTHLY_REQUEST_COUNT");
    } else {
        cJSON_AddStringToObject(obj, "message", message);
        cJSON_AddStringToObject(obj, "__type", type);
    }
    return reply_aws_body(c, req, status, type, obj);
}

/* Reasons quote client input (tool names, ids): keep them short and printable for a header. */
static void header_safe(const char *in, char *out, size_t out_size)
{
    size_t n = 0;
    for (; *in && n + 1 < out_size; in++) {
        unsigned char ch = (unsigned char)*in;
        out[n++] = ch < 0x20 || ch >= 0x7f ? '?' : (char)ch;
    }
    out[n] = '\0';
}

enum MHD_Result fk_reply_typed(struct MHD_Connection *c, fk_request *req, int status,
                               const char *type, cJSON *obj, const char *reason)
{
    char *body = obj ? cJSON_PrintUnformatted(obj) : NULL;
    cJSON_Delete(obj);
    if (!body)
        return MHD_NO;
    struct MHD_Response *response = json_response(body);
    cJSON_free(body);
    if (response) {
        MHD_add_response_header(response, "x-amzn-ErrorType", type);
        if (reason) {
            char safe[REASON_HEADER_MAX];
            header_safe(reason, safe, sizeof safe);
            MHD_add_response_header(response, "X-Fake-Reason", safe);
        }
    }
    return fk_reply_queue(c, req, status, response);
}

enum MHD_Result fk_reply_improper(struct MHD_Connection *c, fk_request *req, const char *reason)
{
    char safe[REASON_HEADER_MAX];
    header_safe(reason, safe, sizeof safe);
    struct MHD_Response *response =
        json_response("{\"message\":\"" FK_IMPROPER_MESSAGE "\",\"reason\":null}");
    if (response) {
        MHD_add_response_header(response, "x-amzn-ErrorType", "ValidationException");
        MHD_add_response_header(response, "X-Fake-Reason", safe);
    }
    return fk_reply_queue(c, req, 400, response);
}
