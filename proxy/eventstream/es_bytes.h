/* es_bytes.h: big-endian integer helpers shared by the event-stream encoder and decoder.
 *
 * Private to proxy/eventstream. Every multi-byte field of the framing is big-endian; reading
 * through these byte-wise helpers keeps the code free of alignment and endianness issues. */
#ifndef KIRO_ES_BYTES_H
#define KIRO_ES_BYTES_H

#include <stdint.h>

/* Frame layout constants: 12-byte prelude (two lengths and their CRC), 4-byte trailing CRC. */
#define ES_PRELUDE_BYTES 12u
#define ES_OVERHEAD_BYTES 16u

/* Header value types (see eventstream.h). */
enum {
    ES_TYPE_BOOL_TRUE = 0,
    ES_TYPE_BOOL_FALSE = 1,
    ES_TYPE_INT8 = 2,
    ES_TYPE_INT16 = 3,
    ES_TYPE_INT32 = 4,
    ES_TYPE_INT64 = 5,
    ES_TYPE_BYTES = 6,
    ES_TYPE_STRING = 7,
    ES_TYPE_TIMESTAMP = 8,
    ES_TYPE_UUID = 9,
};
#define ES_UUID_BYTES 16u

static inline uint64_t es_read_be(const uint8_t *p, unsigned width)
{
    uint64_t v = 0;
    for (unsigned i = 0; i < width; i++)
        v = (v << 8) | p[i];
    return v;
}

static inline void es_write_be(uint8_t *p, uint64_t v, unsigned width)
{
    for (unsigned i = width; i > 0; i--) {
        p[i - 1] = (uint8_t)(v & 0xffu);
        v >>= 8;
    }
}

#endif
