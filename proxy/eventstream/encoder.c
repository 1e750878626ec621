/* encoder.c: builds event-stream frames (fake-kiro and the tests use it).
 *
 * A frame is appended to the caller's kbuf in place: a prelude placeholder, the headers, the
 * payload, then the lengths and both CRCs are patched in. On any error the kbuf is restored to
 * its previous length, so a caller never sees half a frame. */
#include "eventstream/eventstream.h"

#include <string.h>

#include "eventstream/es_bytes.h"

static int kbuf_status_to_es(int rc)
{
    return rc == KBUF_ERR_CAP ? ES_ERR_LENGTH : ES_ERR_NOMEM;
}

/* Fixed-size numeric payload width of a header type, or 0 for types without one. */
static unsigned numeric_width(uint8_t type)
{
    switch (type) {
    case ES_TYPE_INT8: return 1;
    case ES_TYPE_INT16: return 2;
    case ES_TYPE_INT32: return 4;
    case ES_TYPE_INT64:
    case ES_TYPE_TIMESTAMP: return 8;
    default: return 0;
    }
}

static int append_header(kbuf *out, const es_header *h)
{
    size_t name_len = h->name ? strlen(h->name) : 0;
    if (name_len == 0 || name_len > 255)
        return ES_ERR_HEADER;
    uint8_t head[1 + 255 + 1];
    head[0] = (uint8_t)name_len;
    memcpy(head + 1, h->name, name_len);
    head[1 + name_len] = h->type;
    int rc = kbuf_append(out, head, name_len + 2);
    if (rc != KBUF_OK)
        return kbuf_status_to_es(rc);

    uint8_t value[8];
    switch (h->type) {
    case ES_TYPE_BOOL_TRUE:
    case ES_TYPE_BOOL_FALSE:
        return ES_OK;
    case ES_TYPE_INT8:
    case ES_TYPE_INT16:
    case ES_TYPE_INT32:
    case ES_TYPE_INT64:
    case ES_TYPE_TIMESTAMP: {
        unsigned width = numeric_width(h->type);
        es_write_be(value, (uint64_t)h->num, width);
        rc = kbuf_append(out, value, width);
        break;
    }
    case ES_TYPE_BYTES:
    case ES_TYPE_STRING:
        if (h->str_len > 0xffffu || (h->str_len && !h->str))
            return ES_ERR_HEADER;
        es_write_be(value, h->str_len, 2);
        rc = kbuf_append(out, value, 2);
        if (rc == KBUF_OK)
            rc = kbuf_append(out, h->str, h->str_len);
        break;
    case ES_TYPE_UUID:
        if (h->str_len != ES_UUID_BYTES || !h->str)
            return ES_ERR_HEADER;
        rc = kbuf_append(out, h->str, ES_UUID_BYTES);
        break;
    default:
        return ES_ERR_HEADER;
    }
    return rc == KBUF_OK ? ES_OK : kbuf_status_to_es(rc);
}

static int build_frame(kbuf *out, size_t start, const es_header *headers, size_t header_count,
                       const void *payload, size_t payload_len)
{
    if (header_count && !headers)
        return ES_ERR_HEADER;
    if (payload_len && !payload)
        return ES_ERR_LENGTH;
    uint8_t prelude[ES_PRELUDE_BYTES] = { 0 };
    int rc = kbuf_append(out, prelude, sizeof prelude);
    if (rc != KBUF_OK)
        return kbuf_status_to_es(rc);
    for (size_t i = 0; i < header_count; i++) {
        rc = append_header(out, &headers[i]);
        if (rc != ES_OK)
            return rc;
    }
    size_t headers_len = out->len - start - ES_PRELUDE_BYTES;
    if ((rc = kbuf_append(out, payload, payload_len)) != KBUF_OK)
        return kbuf_status_to_es(rc);
    size_t total = out->len - start + 4;
    if (total > UINT32_MAX)
        return ES_ERR_LENGTH;

    uint8_t *frame = (uint8_t *)out->data + start;
    es_write_be(frame, total, 4);
    es_write_be(frame + 4, headers_len, 4);
    es_write_be(frame + 8, es_crc32(0, frame, 8), 4);
    uint8_t trailer[4];
    es_write_be(trailer, es_crc32(0, frame, total - 4), 4);
    rc = kbuf_append(out, trailer, sizeof trailer);
    return rc == KBUF_OK ? ES_OK : kbuf_status_to_es(rc);
}

int es_encode_frame(kbuf *out, const es_header *headers, size_t header_count,
                    const void *payload, size_t payload_len)
{
    size_t start = out->len;
    int rc = build_frame(out, start, headers, header_count, payload, payload_len);
    if (rc != ES_OK && out->data) {
        out->len = start;
        out->data[start] = '\0';
    }
    return rc;
}

static es_header string_header(const char *name, const char *value)
{
    es_header h = { name, ES_TYPE_STRING, value, strlen(value), 0 };
    return h;
}

int es_encode_event(kbuf *out, const char *message_type, const char *event_type,
                    const void *payload, size_t payload_len)
{
    if (!message_type || !event_type)
        return ES_ERR_HEADER;
    const char *type_header = ":event-type";
    if (strcmp(message_type, "exception") == 0)
        type_header = ":exception-type";
    else if (strcmp(message_type, "error") == 0)
        type_header = ":error-code";
    es_header headers[3] = {
        string_header(":message-type", message_type),
        string_header(type_header, event_type),
        string_header(":content-type", "application/json"),
    };
    return es_encode_frame(out, headers, 3, payload, payload_len);
}
