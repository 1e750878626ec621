/* http_server.c: libmicrohttpd setup and the per-request lifecycle; see http_server.h.
 *
 * The listening socket belongs to the front gate (front_gate.h): every connection reaches
 * libmicrohttpd through it, with a strictly parsed, canonical request head and body framing,
 * so nothing below sees an ambiguous request.
 *
 * Order of work for every request, on the connection's own thread:
 *   1. the access line ([AUTH] ...) through the logger: every route logs, /health included,
 *      so a probe of any route sees a logger that blocks;
 *   2. routing (404/405), key check (401/403), declared body size (413) - answered at once;
 *   3. the body, collected into a capped buffer (413 when it grows past the limit);
 *   4. the route's handler. */
#include "server/http_server.h"

#include <errno.h>
#include <netdb.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log/log.h"
#include "server/app.h"
#include "server/cors.h"
#include "server/auth.h"
#include "server/conn_guard.h"
#include "server/front_gate.h"
#include "server/request.h"
#include "server/router.h"
#include "util/clock.h"
#include "util/random.h"

struct http_server {
    struct MHD_Daemon *daemon;
    front_gate *gate;
    conn_guard *guard;
    app *app;
    int port;
    pthread_mutex_t stop_lock;
    pthread_cond_t stop_cond;
    int stop_done;
};

/* libmicrohttpd's complaints about TCP socket options. Every connection reaches it over the
 * front gate's AF_UNIX socketpair, where TCP_NODELAY and TCP_CORK do not exist (EOPNOTSUPP)
 * and nothing is held back to push: 0.9.75 tries them again after every response and reported
 * each failure, three WARN lines per request (three log calls, and in the blocking build three
 * write(2) calls, for nothing). Matched on the format string, before anything is formatted. */
static const char *const mhd_socket_option_noise[] = {
    "Setting %s option to %s state failed",
    "Failed to push the data from buffers to the network",
    "Failed to put the data from buffers to the network",
    "Zero-send failed",
};

static int is_socket_option_noise(const char *fmt)
{
    for (size_t i = 0; i < sizeof mhd_socket_option_noise / sizeof mhd_socket_option_noise[0]; i++)
        if (strncmp(fmt, mhd_socket_option_noise[i], strlen(mhd_socket_option_noise[i])) == 0)
            return 1;
    return 0;
}

/* libmicrohttpd's own diagnostics go through the logger, never straight to fd 2. */
__attribute__((format(printf, 2, 0))) static void mhd_log(void *cls, const char *fmt, va_list ap)
{
    (void)cls;
    if (is_socket_option_noise(fmt))
        return;
    char text[512];
    vsnprintf(text, sizeof text, fmt, ap);
    size_t n = strlen(text);
    while (n && (text[n - 1] == '\n' || text[n - 1] == '\r'))
        text[--n] = '\0';
    LOG_WARN("[HTTP] %s", text);
}

static void on_connection(void *cls, struct MHD_Connection *conn, void **socket_context,
                          enum MHD_ConnectionNotificationCode code)
{
    http_server *s = cls;
    app *a = s->app;
    if (code == MHD_CONNECTION_NOTIFY_STARTED) {
        atomic_fetch_add(&a->metrics.connections_active, 1);
        const union MHD_ConnectionInfo *ci =
            MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
        *socket_context = conn_guard_add(s->guard, ci ? (int)ci->connect_fd : -1);
    } else {
        atomic_fetch_sub(&a->metrics.connections_active, 1);
        conn_guard_remove(s->guard, *socket_context);
        *socket_context = NULL;
    }
}

/* The connection's head-deadline clock (conn_guard), or NULL. */
static conn_track *connection_track(struct MHD_Connection *conn)
{
    const union MHD_ConnectionInfo *ci =
        MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
    return ci ? ci->socket_context : NULL;
}

static void on_completed(void *cls, struct MHD_Connection *conn, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    http_server *s = cls;
    app *a = s->app;
    conn_track_request_done(connection_track(conn));
    request_ctx *rq = *con_cls;
    if (!rq)
        return;
    if (rq->status)
        metrics_count_request(&a->metrics, rq->metric_route, rq->status);
    if (toe != MHD_REQUEST_TERMINATED_COMPLETED_OK && rq->status)
        LOG_DEBUG("[HTTP] %s %s ended early (code %d) id=%s", rq->method, rq->path, (int)toe,
                  rq->request_id);
    kbuf_free(&rq->body);
    cred_pool_free(rq->caller_pool);
    free(rq);
    *con_cls = NULL;
}

static request_ctx *request_new(app *a, struct MHD_Connection *conn, const char *method,
                                const char *url)
{
    request_ctx *rq = calloc(1, sizeof *rq);
    if (!rq)
        return NULL;
    rq->app = a;
    rq->conn = conn;
    rq->method = method;
    rq->path = url;
    rq->start_us = clock_monotonic_us();
    rq->metric_route = router_metric_for_path(url);
    rq->shape = router_shape_for_path(url);
    kbuf_init(&rq->body, a->cfg->max_body_bytes);
    random_id("req_", rq->request_id, sizeof rq->request_id);
    return rq;
}

/* Everything that can be decided from the request line and headers alone. Returns MHD_YES
 * with *answered = 0 to go on reading the body. */
static enum MHD_Result request_head(request_ctx *rq, int *answered)
{
    *answered = 1;
    auth_log_access(rq);
    if (strcmp(rq->method, "OPTIONS") == 0)
        return cors_answer_preflight(rq); /* browsers preflight without keys (cors.h) */

    char allow[64];
    switch (router_find(rq->method, rq->path, &rq->route, rq->path_param, sizeof rq->path_param,
                        allow, sizeof allow)) {
    case ROUTE_NOT_FOUND: {
        api_error e;
        api_error_set(&e, 404, "not_found_error", "no route for %s %.200s", rq->method, rq->path);
        return respond_error(rq, &e);
    }
    case ROUTE_METHOD_NOT_ALLOWED: {
        api_error e;
        api_error_set(&e, 405, "invalid_request_error", "method %s not allowed on %.200s (allowed: %s)",
                      rq->method, rq->path, allow);
        struct MHD_Response *r = response_for_error(rq, &e);
        if (!r)
            return MHD_NO;
        MHD_add_response_header(r, MHD_HTTP_HEADER_ALLOW, allow);
        return respond_response(rq, 405, r);
    }
    case ROUTE_FOUND:
        break;
    }
    rq->shape = rq->route->shape;

    api_error e;
    if (!auth_check(rq, &e))
        return respond_error(rq, &e);

    const char *length = request_header(rq, MHD_HTTP_HEADER_CONTENT_LENGTH);
    if (length) {
        char *end;
        errno = 0;
        unsigned long long declared = strtoull(length, &end, 10);
        if (errno || *end || declared > rq->app->cfg->max_body_bytes) {
            api_error_set(&e, 413, "request_too_large",
                          "request body of %.30s bytes exceeds the limit of %zu bytes", length,
                          rq->app->cfg->max_body_bytes);
            return respond_error(rq, &e);
        }
    }
    *answered = 0;
    return MHD_YES;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    app *a = cls;
    request_ctx *rq = *con_cls;
    if (!rq) {
        conn_track_request_started(connection_track(conn));
        rq = request_new(a, conn, method, url);
        if (!rq)
            return MHD_NO;
        *con_cls = rq;
        int answered;
        enum MHD_Result r = request_head(rq, &answered);
        if (answered)
            return r;
        return MHD_YES;
    }
    if (rq->status)
        return MHD_YES; /* already answered (e.g. 413 mid-body); MHD discards the rest */
    if (*upload_data_size) {
        if (!rq->body_too_large &&
            kbuf_append(&rq->body, upload_data, *upload_data_size) != KBUF_OK) {
            rq->body_too_large = 1;
            kbuf_free(&rq->body);
        }
        *upload_data_size = 0;
        return MHD_YES;
    }
    if (rq->body_too_large) {
        api_error e;
        api_error_set(&e, 413, "request_too_large", "request body exceeds the limit of %zu bytes",
                      a->cfg->max_body_bytes);
        return respond_error(rq, &e);
    }
    return rq->route->handler(rq);
}

static int resolve_listen(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len,
                          char *err, size_t err_size)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    char service[16];
    snprintf(service, sizeof service, "%d", port);
    int rc = getaddrinfo(host, service, &hints, &res);
    if (rc != 0 || !res) {
        snprintf(err, err_size, "cannot resolve listen address %s: %s", host, gai_strerror(rc));
        return -1;
    }
    memcpy(ss, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

/* The listening socket the gate accepts on; -1 with err. */
static int open_listener(const proxy_config *cfg, const struct sockaddr_storage *ss,
                         socklen_t ss_len, int *port, char *err, size_t err_size)
{
    int fd = socket(ss->ss_family, SOCK_STREAM, 0);
    if (fd < 0) {
        snprintf(err, err_size, "cannot create a socket: %s", strerror(errno));
        return -1;
    }
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (ss->ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof one);
    if (bind(fd, (const struct sockaddr *)ss, ss_len) != 0 || listen(fd, SOMAXCONN) != 0) {
        snprintf(err, err_size, "cannot listen on %s:%d (%s)", cfg->host, cfg->port,
                 strerror(errno));
        close(fd);
        return -1;
    }
    struct sockaddr_storage bound;
    socklen_t bound_len = sizeof bound;
    *port = cfg->port;
    if (getsockname(fd, (struct sockaddr *)&bound, &bound_len) == 0)
        *port = bound.ss_family == AF_INET6
                    ? ntohs(((struct sockaddr_in6 *)(void *)&bound)->sin6_port)
                    : ntohs(((struct sockaddr_in *)(void *)&bound)->sin_port);
    return fd;
}

http_server *http_server_start(app *a, char *err, size_t err_size)
{
    struct sockaddr_storage ss;
    socklen_t ss_len;
    if (resolve_listen(a->cfg->host, a->cfg->port, &ss, &ss_len, err, err_size) != 0)
        return NULL;
    http_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    int listen_fd = open_listener(a->cfg, &ss, ss_len, &s->port, err, err_size);
    if (listen_fd < 0) {
        free(s);
        return NULL;
    }
    s->app = a;
    int header_s = a->cfg->header_timeout_s < a->cfg->client_timeout_s ? a->cfg->header_timeout_s
                                                                        : a->cfg->client_timeout_s;
    s->guard = conn_guard_start(header_s * 1000);
    pthread_mutex_init(&s->stop_lock, NULL);
    pthread_cond_init(&s->stop_cond, NULL);

    unsigned int flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD |
                         MHD_USE_POLL | MHD_USE_ERROR_LOG | MHD_USE_NO_LISTEN_SOCKET;
    if (ss.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    /* The external logger must come first: libmicrohttpd reports problems with the options
     * that precede it through its own logger, which writes fd 2 directly. */
    s->daemon = MHD_start_daemon(
        flags, 0, NULL, NULL, on_request, a,
        MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)a->cfg->max_connections,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)a->cfg->client_timeout_s,
        MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
        MHD_OPTION_NOTIFY_COMPLETED, on_completed, s,
        MHD_OPTION_NOTIFY_CONNECTION, on_connection, s,
        MHD_OPTION_END);
    if (s->daemon) {
        front_gate_config gc = {
            .listen_fd = listen_fd,
            .daemon = s->daemon,
            .max_connections = a->cfg->max_connections,
            .max_body_bytes = a->cfg->max_body_bytes,
            .body_timeout_ms = a->cfg->body_timeout_s * 1000,
            .header_timeout_ms = header_s * 1000,
            .linger_ms = GATE_LINGER_MS,
            .linger_idle_ms = GATE_LINGER_IDLE_MS,
            .linger_bytes = 2 * (uint64_t)a->cfg->max_body_bytes + (1u << 20),
            .flush_ms = GATE_FLUSH_MS,
        };
        listen_fd = -1; /* the gate owns it now, even when it fails */
        s->gate = front_gate_start(&gc, err, err_size);
        if (!s->gate) {
            MHD_stop_daemon(s->daemon);
            s->daemon = NULL;
        }
    } else {
        snprintf(err, err_size, "cannot start the HTTP daemon on %s:%d", a->cfg->host,
                 a->cfg->port);
    }
    if (!s->daemon) {
        if (listen_fd >= 0)
            close(listen_fd);
        conn_guard_stop(s->guard);
        pthread_mutex_destroy(&s->stop_lock);
        pthread_cond_destroy(&s->stop_cond);
        free(s);
        return NULL;
    }
    return s;
}

int http_server_port(const http_server *s)
{
    return s ? s->port : 0;
}

static void *stop_thread(void *arg)
{
    http_server *s = arg;
    MHD_stop_daemon(s->daemon);
    pthread_mutex_lock(&s->stop_lock);
    s->stop_done = 1;
    pthread_cond_signal(&s->stop_cond);
    pthread_mutex_unlock(&s->stop_lock);
    return NULL;
}

void http_server_stop(http_server *s, int deadline_ms)
{
    if (!s)
        return;
    int64_t stop_start = clock_monotonic_ms();
    front_gate_stop_accepting(s->gate);
    pthread_t tid;
    if (pthread_create(&tid, NULL, stop_thread, s) != 0) {
        stop_thread(s);
    } else {
        struct timespec deadline;
        clock_deadline_in(&deadline, deadline_ms);
        pthread_mutex_lock(&s->stop_lock);
        while (!s->stop_done)
            if (pthread_cond_timedwait(&s->stop_cond, &s->stop_lock, &deadline) == ETIMEDOUT)
                break;
        int done = s->stop_done;
        pthread_mutex_unlock(&s->stop_lock);
        if (!done) {
            /* A connection thread is stuck (in the blocking build: on the logger's mutex).
             * Leave the daemon to the process exit rather than hang shutdown. */
            pthread_detach(tid);
            return;
        }
        pthread_join(tid, NULL);
    }
    /* libmicrohttpd has closed its ends: the relays finish (without lingering) */
    int64_t left = deadline_ms - (clock_monotonic_ms() - stop_start);
    if (front_gate_finish(s->gate, left > 100 ? (int)left : 100) != 0)
        return; /* a relay is still busy: leave it to the process exit */
    conn_guard_stop(s->guard);
    pthread_mutex_destroy(&s->stop_lock);
    pthread_cond_destroy(&s->stop_cond);
    free(s);
}
