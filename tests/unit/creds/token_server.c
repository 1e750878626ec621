/* token_server.c: the libmicrohttpd token service used by the token_refresh tests; see
 * token_server.h. One thread per connection, so that a hanging answer can simply block its own
 * connection's thread on a condition variable until the server stops. */
#include "token_server.h"

#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util/buf.h"
#include "util/clock.h"

#define REQUEST_BODY_MAX (1u << 20)
#define HANG_LIMIT_MS 30000

struct token_server {
    struct MHD_Daemon *daemon;
    char url[64];
    pthread_mutex_t mu;
    pthread_cond_t changed; /* a request arrived, or the server is stopping */
    int status;
    char *reply;
    int hang;
    int stopping;
    int requests;
    char *last_path;
    char *last_body;
    kbuf seen; /* every path and body so far */
};

typedef struct request_state {
    kbuf body;
} request_state;

static ssize_t hang_reader(void *cls, uint64_t pos, char *buf, size_t max)
{
    (void)pos;
    (void)buf;
    (void)max;
    token_server *s = cls;
    struct timespec deadline;
    clock_deadline_in(&deadline, HANG_LIMIT_MS);
    pthread_mutex_lock(&s->mu);
    while (!s->stopping) {
        if (pthread_cond_timedwait(&s->changed, &s->mu, &deadline) == ETIMEDOUT)
            break;
    }
    pthread_mutex_unlock(&s->mu);
    return MHD_CONTENT_READER_END_WITH_ERROR;
}

static void record_request(token_server *s, const char *url, const request_state *req)
{
    const char *body = req->body.data ? req->body.data : "";
    pthread_mutex_lock(&s->mu);
    s->requests++;
    free(s->last_path);
    free(s->last_body);
    s->last_path = strdup(url);
    s->last_body = strdup(body);
    kbuf_printf(&s->seen, "%s\n%s\n", url, body);
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->mu);
}

static enum MHD_Result handle_request(void *cls, struct MHD_Connection *connection, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **con_cls)
{
    (void)method;
    (void)version;
    token_server *s = cls;
    request_state *req = *con_cls;
    if (!req) {
        req = calloc(1, sizeof *req);
        if (!req)
            return MHD_NO;
        kbuf_init(&req->body, REQUEST_BODY_MAX);
        *con_cls = req;
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        if (kbuf_append(&req->body, upload_data, *upload_data_size) != KBUF_OK)
            return MHD_NO;
        *upload_data_size = 0;
        return MHD_YES;
    }
    record_request(s, url, req);

    pthread_mutex_lock(&s->mu);
    int hang = s->hang;
    int status = s->status;
    char *reply = strdup(s->reply ? s->reply : "");
    pthread_mutex_unlock(&s->mu);

    struct MHD_Response *response;
    if (hang) {
        free(reply);
        status = MHD_HTTP_OK;
        response = MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, 1024, hang_reader, s, NULL);
    } else {
        if (!reply)
            return MHD_NO;
        response = MHD_create_response_from_buffer(strlen(reply), reply, MHD_RESPMEM_MUST_FREE);
    }
    if (!response)
        return MHD_NO;
    MHD_add_response_header(response, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(connection, (unsigned)status, response);
    MHD_destroy_response(response);
    return rc;
}

static void request_completed(void *cls, struct MHD_Connection *connection, void **con_cls,
                              enum MHD_RequestTerminationCode toe)
{
    (void)cls;
    (void)connection;
    (void)toe;
    request_state *req = *con_cls;
    if (req) {
        kbuf_free(&req->body);
        free(req);
        *con_cls = NULL;
    }
}

token_server *token_server_start(void)
{
    token_server *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->changed, NULL);
    kbuf_init(&s->seen, 16u << 20);
    s->status = 200;
    s->reply = strdup("{}");

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = 0;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    s->daemon =
        MHD_start_daemon(MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION, 0, NULL,
                         NULL, handle_request, s, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
                         MHD_OPTION_NOTIFY_COMPLETED, request_completed, s,
                         MHD_OPTION_CONNECTION_TIMEOUT, (unsigned int)60, MHD_OPTION_END);
    if (!s->daemon) {
        token_server_stop(s);
        return NULL;
    }
    const union MHD_DaemonInfo *info = MHD_get_daemon_info(s->daemon, MHD_DAEMON_INFO_BIND_PORT);
    if (!info || info->port == 0) {
        token_server_stop(s);
        return NULL;
    }
    snprintf(s->url, sizeof s->url, "http://127.0.0.1:%u", (unsigned)info->port);
    return s;
}

void token_server_stop(token_server *s)
{
    if (!s)
        return;
    pthread_mutex_lock(&s->mu);
    s->stopping = 1;
    pthread_cond_broadcast(&s->changed);
    pthread_mutex_unlock(&s->mu);
    if (s->daemon)
        MHD_stop_daemon(s->daemon);
    free(s->reply);
    free(s->last_path);
    free(s->last_body);
    kbuf_free(&s->seen);
    pthread_cond_destroy(&s->changed);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

const char *token_server_url(const token_server *s)
{
    return s->url;
}

void token_server_reply(token_server *s, int status, const char *body)
{
    char *copy = strdup(body);
    pthread_mutex_lock(&s->mu);
    free(s->reply);
    s->reply = copy;
    s->status = status;
    s->hang = 0;
    pthread_mutex_unlock(&s->mu);
}

void token_server_hang(token_server *s)
{
    pthread_mutex_lock(&s->mu);
    s->hang = 1;
    pthread_mutex_unlock(&s->mu);
}

int token_server_request_count(token_server *s)
{
    pthread_mutex_lock(&s->mu);
    int n = s->requests;
    pthread_mutex_unlock(&s->mu);
    return n;
}

int token_server_saw(token_server *s, const char *needle)
{
    pthread_mutex_lock(&s->mu);
    int found = s->seen.data && strstr(s->seen.data, needle) != NULL;
    pthread_mutex_unlock(&s->mu);
    return found;
}

char *token_server_last_path(token_server *s)
{
    pthread_mutex_lock(&s->mu);
    char *copy = s->last_path ? strdup(s->last_path) : NULL;
    pthread_mutex_unlock(&s->mu);
    return copy;
}

char *token_server_last_body(token_server *s)
{
    pthread_mutex_lock(&s->mu);
    char *copy = s->last_body ? strdup(s->last_body) : NULL;
    pthread_mutex_unlock(&s->mu);
    return copy;
}

int token_server_wait_requests(token_server *s, int n, int timeout_ms)
{
    struct timespec deadline;
    clock_deadline_in(&deadline, timeout_ms);
    pthread_mutex_lock(&s->mu);
    int rc = 0;
    while (s->requests < n) {
        if (pthread_cond_timedwait(&s->changed, &s->mu, &deadline) == ETIMEDOUT) {
            rc = s->requests >= n ? 0 : -1;
            break;
        }
    }
    pthread_mutex_unlock(&s->mu);
    return rc;
}
