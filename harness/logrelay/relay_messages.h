/* relay_messages.h: logrelay's own messages (errors, the --stats report) to its stderr.
 *
 * They never go through the line queues (a logger's own errors must not depend on the logger)
 * and never block: written like any sink (see sink.h), given up after RELAY_MESSAGE_WAIT_MS
 * when stderr is stalled. The --stats-json file is the reliable channel for the counters. */
#ifndef LOGRELAY_RELAY_MESSAGES_H
#define LOGRELAY_RELAY_MESSAGES_H

#include <stddef.h>

#define RELAY_MESSAGE_WAIT_MS 500

/* Writes text to fd 2 within the wait limit; what does not fit in time is lost. */
void relay_message_write(const char *text, size_t len);

/* Writes "logrelay: what: detail\n" (detail may be NULL). */
void relay_message_error(const char *what, const char *detail);

#endif
