/* peer_guard.h: where a request comes from, for the routes that answer without a key.
 *
 * Why: the desktop launcher reloads credentials with a keyless POST to the local proxy, and
 * /health, /metrics and the event-logging sink are keyless too. A web page the user visits can
 * reach those through the browser (DNS rebinding: evil.example resolving to 127.0.0.1), so a
 * keyless route also demands a Host header that no rebinding attack can produce: a loopback
 * name (localhost, *.localhost), an IP literal, or the host the proxy is configured with. A
 * keyless admin call (reload) further demands a loopback peer. */
#ifndef KIRO_PEER_GUARD_H
#define KIRO_PEER_GUARD_H

#include "config/config.h"
#include "server/request.h"

/* 1 when the request's TCP peer is a loopback address (127.0.0.0/8, ::1, ::ffff:127.x). */
int peer_is_loopback(request_ctx *rq);

/* 1 when host (a Host header value, with or without :port; NULL = none sent) is one a DNS
 * rebinding page cannot send: absent (HTTP/1.0) or empty, localhost or *.localhost, an IPv4 or
 * bracketed IPv6 literal, or cfg->host itself. Matching is case-insensitive. */
int peer_host_trusted(const proxy_config *cfg, const char *host);

#endif
