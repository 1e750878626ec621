/* fuzz_eventstream.c: libFuzzer target for the event-stream decoder and the Kiro event parser.
 * The input is fed in pieces whose sizes come from the input itself, so that frame boundaries
 * fall everywhere; every decoded message also goes through kiro_event_parse. */
#include <stddef.h>
#include <stdint.h>

#include "eventstream/eventstream.h"
#include "render/kiro_event.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int on_message(void *user, const es_message *m)
{
    (void)user;
    kiro_event ev;
    kiro_event_owner *owner = NULL;
    kiro_event_parse(m, &ev, &owner);
    kiro_event_release(owner);
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    es_decoder *d = es_decoder_new(1024 * 1024);
    if (!d)
        return 0;
    size_t step = size ? (size_t)(data[0] % 17) + 1 : 1;
    for (size_t off = 0; off < size; off += step) {
        size_t n = size - off < step ? size - off : step;
        if (es_decoder_feed(d, data + off, n, on_message, NULL) < 0)
            break;
    }
    es_decoder_finish(d);
    es_decoder_free(d);
    return 0;
}
