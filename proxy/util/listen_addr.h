/* listen_addr.h: the one parser of a listen address ("HOST:PORT", "[v6]:PORT", ":PORT",
 * "PORT"), shared by the proxy, fake-kiro and the harness tools so that every program of the
 * project accepts the same --listen spellings and refuses the same mistakes.
 *
 * Without a host (":PORT", "PORT") the host is 127.0.0.1: listening on every interface must be
 * asked for explicitly (0.0.0.0 or [::]). A bare IPv6 address needs brackets. Port 0 is
 * accepted (any free port). The host is checked for characters only (letters, digits, '.', '-',
 * '_'; inside brackets also ':' and '%'); resolving it is the caller's business. */
#ifndef KIRO_UTIL_LISTEN_ADDR_H
#define KIRO_UTIL_LISTEN_ADDR_H

#include <stddef.h>

#define LISTEN_ADDR_DEFAULT_HOST "127.0.0.1"

/* Splits text into host (NUL-terminated, at most host_size - 1 bytes) and port (0..65535).
 * Returns 0, or -1 with host and port untouched. */
int listen_addr_parse(const char *text, char *host, size_t host_size, int *port);

#endif
