/* server.h: the HTTP side of fake-kiro: a libmicrohttpd daemon and request dispatch.
 *
 * One thread per connection (MHD_USE_THREAD_PER_CONNECTION), so a hung or slow response holds
 * only its own thread and every other request is still answered: exactly the behaviour a stall
 * test needs from its upstream. Bodies are gathered up to 8 MiB (larger ones are read and
 * discarded, then refused); the request-completed notification frees per-request state and
 * records how each stream ended. */
#ifndef FAKE_KIRO_SERVER_H
#define FAKE_KIRO_SERVER_H

#include <stddef.h>

#include "app.h"

#define FK_CONNECTION_LIMIT 1024

typedef struct fk_server fk_server;

/* Listens on host:port (host NULL: 127.0.0.1; port 0: any free port). host may be an IPv4 or
 * IPv6 literal or a name. Returns NULL with err filled on failure. */
fk_server *fk_server_start(fk_app *app, const char *host, unsigned port, char *err,
                           size_t err_size);
/* The port actually bound. */
unsigned fk_server_port(const fk_server *s);
/* Stops the daemon and frees s. Trigger app->shutdown first so that waiting handlers return;
 * this call then joins every connection thread. */
void fk_server_stop(fk_server *s);

#endif
