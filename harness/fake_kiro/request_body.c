/* request_body.c: JSON bodies and request records; see request_body.h. */
#include "request_body.h"

#include <ctype.h>

static enum MHD_Result add_header(void *cls, enum MHD_ValueKind kind, const char *key,
                                  const char *value)
{
    (void)kind;
    cJSON_AddStringToObject(cls, key, value ? value : "");
    return MHD_YES;
}

void fk_request_record(fk_last_request *slot, struct MHD_Connection *c, const fk_request *req,
                       const cJSON *body)
{
    cJSON *record = cJSON_CreateObject();
    cJSON_AddStringToObject(record, "method", req->method);
    cJSON_AddStringToObject(record, "path", req->path);
    cJSON *headers = cJSON_AddObjectToObject(record, "headers");
    if (headers)
        MHD_get_connection_values(c, MHD_HEADER_KIND, add_header, headers);
    cJSON_AddNumberToObject(record, "body_bytes", (double)req->body_total);
    if (body)
        cJSON_AddItemReferenceToObject(record, "body", (cJSON *)body);
    else
        cJSON_AddNullToObject(record, "body");
    char *json = cJSON_PrintUnformatted(record);
    cJSON_Delete(record);
    if (json)
        fk_last_request_store(slot, json);
}

cJSON *fk_request_json(const fk_request *req)
{
    if (fk_request_body_dropped(req) || !req->body.data)
        return NULL;
    const char *end = NULL;
    cJSON *root = cJSON_ParseWithLengthOpts(req->body.data, req->body.len, &end, 0);
    const char *stop = req->body.data + req->body.len;
    while (root && end && end < stop && isspace((unsigned char)*end))
        end++;
    if (root && end != stop) {
        cJSON_Delete(root);
        return NULL;
    }
    return root;
}
