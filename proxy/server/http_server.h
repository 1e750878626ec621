/* http_server.h: the libmicrohttpd daemon: one thread per connection (a slow or blocked request
 * never delays another), connection limits and timeouts, the request lifecycle (access log,
 * routing, keys, bounded body), and a shutdown that never waits forever on a stuck thread.
 * Connections reach it through the front gate (front_gate.h), which owns the listening socket
 * and refuses ambiguous requests before libmicrohttpd parses them. */
#ifndef KIRO_HTTP_SERVER_H
#define KIRO_HTTP_SERVER_H

#include <stddef.h>

struct app;
typedef struct http_server http_server;

http_server *http_server_start(struct app *a, char *err, size_t err_size);
int http_server_port(const http_server *s);
/* Stops accepting, then stops the daemon; returns after deadline_ms even when connection
 * threads are still busy (they are then left to the process exit). Frees s when it could. */
void http_server_stop(http_server *s, int deadline_ms);

#endif
