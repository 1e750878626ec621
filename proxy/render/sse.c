/* sse.c: Server-Sent Events framing and the JSON printing helpers the formats share.
 *
 * An SSE event is "event: NAME\n" (optional) and "data: JSON\n" followed by a blank line. The
 * JSON is always printed unformatted by cJSON, so it never contains a raw newline that would
 * split the data line. */
#include "render/rw_internal.h"

#include <stdlib.h>

int sse_append(kbuf *out, const char *event_name, const char *data)
{
    size_t before = out->len;
    int rc = KBUF_OK;
    if (event_name)
        rc = kbuf_printf(out, "event: %s\n", event_name);
    if (rc == KBUF_OK)
        rc = kbuf_printf(out, "data: %s\n\n", data ? data : "");
    if (rc != KBUF_OK && out->data) {
        out->len = before;
        out->data[before] = '\0';
    }
    return rc == KBUF_OK ? 0 : -1;
}

int rw_append_sse_json(kbuf *out, const char *event_name, cJSON *json)
{
    char *text = json ? cJSON_PrintUnformatted(json) : NULL;
    cJSON_Delete(json);
    if (!text)
        return -1;
    int rc = sse_append(out, event_name, text);
    free(text);
    return rc;
}

int rw_append_json(kbuf *out, cJSON *json)
{
    char *text = json ? cJSON_PrintUnformatted(json) : NULL;
    cJSON_Delete(json);
    if (!text)
        return -1;
    int rc = kbuf_append_str(out, text);
    free(text);
    return rc == KBUF_OK ? 0 : -1;
}
