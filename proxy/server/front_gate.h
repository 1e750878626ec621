/* front_gate.h: the proxy's own HTTP/1.1 front door, in front of libmicrohttpd.
 *
 * Why it exists: libmicrohttpd 0.9.75 (Debian 12; no newer release in bookworm-backports) has
 * no hook between the socket and its parser, and no hook over the errors it answers by itself.
 * It reads ambiguous requests leniently (see request_head.h), answers framing errors with its
 * own HTML pages, waits for a body it will never get when Transfer-Encoding is not chunked,
 * closes a connection at once after an early error (a client still writing its body then gets
 * a reset instead of the answer) and has no deadline for a body. So the gate owns the
 * listening socket: it accepts each client, and relays between the client and a socketpair
 * whose other end it hands to libmicrohttpd (MHD_add_connection, with the client's address).
 *
 * Per connection, one thread, one request at a time:
 *   - the request head is parsed strictly (request_head.h); a refused head is answered by the
 *     gate itself, in the API's error shape, with Connection: close, before any routing;
 *   - an accepted head is written to libmicrohttpd in canonical form, the body after it through
 *     a body_framer (chunked bodies rewritten canonically, a chunked body past the limit
 *     refused with 413), under the body deadline (408);
 *   - libmicrohttpd's answer is relayed back through a response framer, so the gate knows
 *     where it ends (the next pipelined request is read only then); an error page that
 *     libmicrohttpd wrote on its own (no request-id header: every proxy response has one) is
 *     replaced by the same status in the API's error shape;
 *   - when libmicrohttpd closes without answering a request it had started to receive, the
 *     gate answers (408 for a timed-out head or body, 500 otherwise) instead of a silent close;
 *   - every close after an answer is a lingering close: the write side is shut, then input is
 *     read and discarded for a bounded time and byte count, so a client that writes its whole
 *     body before reading (Python's http.client, most SDKs) sees the 413/401 instead of a
 *     reset.
 * Nothing here logs on the path of an accepted request (the logger may block: see REPORT.md);
 * refusals are logged once each. */
#ifndef KIRO_FRONT_GATE_H
#define KIRO_FRONT_GATE_H

#include <stddef.h>
#include <stdint.h>

struct MHD_Daemon;
typedef struct front_gate front_gate;

typedef struct front_gate_config {
    int listen_fd;             /* bound and listening; the gate owns it from now on */
    struct MHD_Daemon *daemon; /* started with MHD_USE_NO_LISTEN_SOCKET */
    int max_connections;       /* more are answered 503 and closed */
    uint64_t max_body_bytes;   /* chunked bodies past it: 413 from the gate */
    int body_timeout_ms;       /* whole body must arrive within, after the head: else 408 */
    int header_timeout_ms;     /* named in the 408 for a head cut by the head deadline */
    int linger_ms;             /* lingering close: longest total time */
    int linger_idle_ms;        /* lingering close: longest wait for the next bytes */
    uint64_t linger_bytes;     /* lingering close: most bytes read and discarded */
    int flush_ms;              /* longest wait for a client to take a final answer */
} front_gate_config;

/* Defaults for the lingering close (REPORT.md, security section, has the reasoning). */
#define GATE_LINGER_MS 30000
#define GATE_LINGER_IDLE_MS 5000
#define GATE_FLUSH_MS 30000

/* Starts the accept thread. Returns NULL with err on failure (listen_fd is then closed). */
front_gate *front_gate_start(const front_gate_config *cfg, char *err, size_t err_size);
/* Stops accepting and closes the listening socket; connections go on. */
void front_gate_stop_accepting(front_gate *g);
/* After libmicrohttpd has stopped: waits up to deadline_ms for the relay threads to end (they
 * skip lingering from now on). Returns 0 and frees g, or -1 when some are still busy (g is
 * then left to the process exit). */
int front_gate_finish(front_gate *g, int deadline_ms);

/* Counters for tests and metrics. */
long front_gate_refused_count(front_gate *g);

#endif
