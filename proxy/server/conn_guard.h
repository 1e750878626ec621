/* conn_guard.h: the slowloris guard: a deadline for the head of every request.
 *
 * libmicrohttpd's connection timeout is an idle timeout: a client that trickles one header byte
 * per second never trips it and holds a connection thread forever; a few such clients exhaust the
 * connection limit. The guard gives each connection a clock that runs while the server waits for
 * a request head (after connect, and between keep-alive requests) and stops while a request is
 * being served. A reaper thread shuts down the socket of any connection whose clock passes the
 * deadline; libmicrohttpd then closes it as usual.
 *
 * Each tracked connection holds a dup() of its socket, so shutdown() always reaches the right
 * socket even if libmicrohttpd has already closed and reused the descriptor number. The guard's
 * mutex is held only for list updates and shutdown(2), which never blocks. */
#ifndef KIRO_CONN_GUARD_H
#define KIRO_CONN_GUARD_H

typedef struct conn_guard conn_guard;
typedef struct conn_track conn_track;

conn_guard *conn_guard_start(int header_timeout_ms);
void conn_guard_stop(conn_guard *g);

/* A new connection on socket fd; its clock starts now. NULL when it cannot be tracked (the
 * connection then simply has no head deadline). */
conn_track *conn_guard_add(conn_guard *g, int fd);
void conn_guard_remove(conn_guard *g, conn_track *t);

/* The request head arrived: stop the clock. */
void conn_track_request_started(conn_track *t);
/* The response was sent: restart the clock for the next request on a kept-alive connection. */
void conn_track_request_done(conn_track *t);

/* Connections cut because their head did not arrive in time. */
long conn_guard_cut_count(conn_guard *g);

#endif
