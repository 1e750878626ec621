/* trigger.h: the request that makes the server write a lot of log: its default body.
 *
 * In the incident one large /v1/messages request was logged in full and filled the pipe. The
 * default trigger reproduces it: an Anthropic messages request whose user text is
 * --trigger-bytes long. The same body with a short text is the small request the run sends
 * while it keeps building the fault. Sending is the flood's job (flood.h). */
#ifndef STALLCHECK_TRIGGER_H
#define STALLCHECK_TRIGGER_H

#include <stddef.h>

/* Text size of the small fill request's default body. */
#define TRIGGER_FILL_TEXT_BYTES 64

/* The default body: Anthropic messages JSON whose user text is text_bytes long. Owned by the
 * caller (free()). NULL when out of memory. */
char *trigger_default_body(long text_bytes, size_t *len_out);

#endif
