/* server.c: MHD daemon setup, body gathering and routing to handlers; see server.h. */
#include "server.h"

#include <microhttpd.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "assistant.h"
#include "http_reply.h"
#include "identity_gate.h"
#include "introspect.h"
#include "mcp.h"
#include "models.h"
#include "request.h"
#include "router.h"
#include "tokens.h"
#include "util/clock.h"

/* Idle keep-alive connections are dropped after this; waits inside handlers are not affected. */
#define IDLE_TIMEOUT_SECONDS 120

struct fk_server {
    fk_app *app;
    struct MHD_Daemon *daemon;
    unsigned port;
};

typedef enum MHD_Result (*handler_fn)(fk_app *app, struct MHD_Connection *c, fk_request *req);

static handler_fn handler_for(fk_endpoint endpoint)
{
    switch (endpoint) {
    case FK_EP_ASSISTANT:
        return fk_handle_assistant;
    case FK_EP_MODELS:
        return fk_handle_models;
    case FK_EP_REFRESH:
        return fk_handle_refresh_token;
    case FK_EP_TOKEN:
        return fk_handle_oidc_token;
    case FK_EP_MCP:
        return fk_handle_mcp;
    case FK_EP_FAKE_STATS:
        return fk_handle_fake_stats;
    case FK_EP_FAKE_FAULTS:
        return fk_handle_fake_faults;
    case FK_EP_FAKE_RESET:
        return fk_handle_fake_reset;
    case FK_EP_FAKE_LAST:
        return fk_handle_fake_last_request;
    case FK_EP_FAKE_LAST_MCP:
        return fk_handle_fake_last_mcp_request;
    case FK_EP_FAKE_IDENTITY:
        return fk_handle_fake_last_identity;
    case FK_EP_NOT_FOUND:
    case FK_EP_COUNT:
        break;
    }
    return NULL;
}

static int is_counted(fk_endpoint endpoint)
{
    return endpoint == FK_EP_ASSISTANT || endpoint == FK_EP_MODELS ||
           endpoint == FK_EP_REFRESH || endpoint == FK_EP_TOKEN || endpoint == FK_EP_MCP ||
           endpoint == FK_EP_NOT_FOUND;
}

static fk_request *request_new(struct MHD_Connection *c, const char *url, const char *method)
{
    fk_request *req = calloc(1, sizeof *req);
    if (!req)
        return NULL;
    snprintf(req->method, sizeof req->method, "%s", method);
    snprintf(req->path, sizeof req->path, "%s", url);
    req->endpoint = fk_route(req->path);
    kbuf_init(&req->body, FK_MAX_BODY_BYTES);
    req->started_ms = clock_monotonic_ms();
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(c, MHD_CONNECTION_INFO_CONNECTION_FD);
    req->client_fd = info ? (int)info->connect_fd : -1;
    return req;
}

static void request_free(fk_request *req)
{
    fk_stream_free(req->stream);
    kbuf_free(&req->body);
    free(req);
}

static void gather_body(fk_request *req, const char *data, size_t size)
{
    int keeping = !fk_request_body_dropped(req);
    req->body_total = size > (size_t)-1 - req->body_total ? (size_t)-1 : req->body_total + size;
    if (keeping && kbuf_append(&req->body, data, size) != KBUF_OK)
        kbuf_reset(&req->body); /* over the cap: keep nothing; body_dropped() now says so */
}

static enum MHD_Result dispatch(fk_app *app, struct MHD_Connection *c, fk_request *req)
{
    if (is_counted(req->endpoint))
        fk_stats_count_request(&app->stats, req->endpoint);
    handler_fn handler = handler_for(req->endpoint);
    if (!handler)
        return fk_reply_message(c, req, 404, "fake-kiro: no such endpoint");
    if (!fk_route_allows(req->endpoint, req->method))
        return fk_reply_message(c, req, 405, "fake-kiro: method not allowed");
    enum MHD_Result refused;
    if (!fk_identity_gate(app, c, req, &refused))
        return refused; /* an unknown client: nothing else is looked at */
    return handler(app, c, req);
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
                                  const char *method, const char *version,
                                  const char *upload_data, size_t *upload_data_size,
                                  void **con_cls)
{
    (void)version;
    fk_app *app = cls;
    fk_request *req = *con_cls;
    if (!req) {
        req = request_new(c, url, method);
        if (!req)
            return MHD_NO;
        *con_cls = req;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        gather_body(req, upload_data, *upload_data_size);
        *upload_data_size = 0;
        return MHD_YES;
    }
    return dispatch(app, c, req);
}

static const char *outcome_name(fk_stream_outcome outcome)
{
    switch (outcome) {
    case FK_STREAM_COMPLETED:
        return "stream completed";
    case FK_STREAM_ABORTED:
        return "stream aborted";
    case FK_STREAM_CUT:
        return "stream cut";
    }
    return "";
}

static void on_completed(void *cls, struct MHD_Connection *c, void **con_cls,
                         enum MHD_RequestTerminationCode toe)
{
    (void)c;
    fk_app *app = cls;
    fk_request *req = *con_cls;
    if (!req)
        return;
    *con_cls = NULL;
    const char *note = toe == MHD_REQUEST_TERMINATED_COMPLETED_OK ? "" : "connection closed";
    if (req->stream) {
        fk_stream_outcome outcome =
            fk_stream_outcome_of(req->stream, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
        fk_stats_stream_end(&app->stats, outcome);
        note = outcome_name(outcome);
    }
    if (app->verbose)
        fprintf(stderr, "fake-kiro: %s %s -> %d %s (%lld ms)\n", req->method, req->path,
                req->status, note, (long long)(clock_monotonic_ms() - req->started_ms));
    request_free(req);
}

/* Resolves host:port into addr. Returns 0, or -1 with err filled. */
static int resolve(const char *host, unsigned port, struct sockaddr_storage *addr,
                   char *err, size_t err_size)
{
    char service[16];
    snprintf(service, sizeof service, "%u", port);
    struct addrinfo hints;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    struct addrinfo *found = NULL;
    int rc = getaddrinfo(host, service, &hints, &found);
    if (rc != 0 || !found) {
        snprintf(err, err_size, "cannot resolve %s: %s", host, gai_strerror(rc));
        return -1;
    }
    memset(addr, 0, sizeof *addr);
    memcpy(addr, found->ai_addr, found->ai_addrlen);
    freeaddrinfo(found);
    return 0;
}

fk_server *fk_server_start(fk_app *app, const char *host, unsigned port, char *err,
                           size_t err_size)
{
    struct sockaddr_storage addr;
    if (resolve(host ? host : "127.0.0.1", port, &addr, err, err_size) != 0)
        return NULL;
    fk_server *s = calloc(1, sizeof *s);
    if (!s) {
        snprintf(err, err_size, "out of memory");
        return NULL;
    }
    s->app = app;
    unsigned flags = MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;
    if (addr.ss_family == AF_INET6)
        flags |= MHD_USE_IPv6;
    if (app->verbose)
        flags |= MHD_USE_ERROR_LOG;
    s->daemon = MHD_start_daemon(
        flags, (uint16_t)port, NULL, NULL, on_request, app, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, on_completed, app,
        MHD_OPTION_CONNECTION_LIMIT, (unsigned int)FK_CONNECTION_LIMIT,
        MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)IDLE_TIMEOUT_SECONDS,
        MHD_OPTION_LISTEN_BACKLOG_SIZE, (unsigned int)256, MHD_OPTION_END);
    if (!s->daemon) {
        snprintf(err, err_size, "cannot listen on %s:%u", host ? host : "127.0.0.1", port);
        free(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    s->port = info ? info->port : port;
    return s;
}

unsigned fk_server_port(const fk_server *s)
{
    return s->port;
}

void fk_server_stop(fk_server *s)
{
    if (!s)
        return;
    MHD_stop_daemon(s->daemon);
    free(s);
}
