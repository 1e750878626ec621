/* bare_mhd.c: bench-ref-mhd, the floor of bench-throughput: libmicrohttpd alone, in the
 * proxy's threading mode (a thread per connection, an internal polling thread, poll()), with
 * the proxy's connection limit and timeout, answering GET /v1/models with the same body after
 * the same API-key check, and doing nothing else: no routing table, no logging, no metrics.
 * What the proxy adds on top of libmicrohttpd is its rate divided by this one's.
 *
 * With --gate, the same server sits behind the proxy's own front gate (proxy/server/
 * front_gate.c, with the proxy's default limits), exactly as the proxy's libmicrohttpd does:
 * the gate owns the listening socket and relays every connection over a socketpair. Its rate
 * divided by the plain one's is what the gate's relay costs by itself, and the proxy's rate
 * divided by this one's is what the proxy's own work costs on top.
 *
 * With --pool, libmicrohttpd runs event-driven instead (its own choice of epoll/poll/select,
 * one polling thread per core, no thread per connection): what the same library reaches when
 * no request costs a thread hand-off, for the Go comparison. --gate and --pool exclude each
 * other (the gate gives every connection a thread of its own).
 *
 *   bench-ref-mhd --listen 127.0.0.1:PORT --body FILE --api-key KEY [--gate | --pool] */
#include <arpa/inet.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "server/front_gate.h"

/* The proxy's defaults (proxy/config): connections, client and header timeouts, body limit
 * and body deadline. */
enum {
    CONNECTION_LIMIT = 512,
    CONNECTION_TIMEOUT_S = 300,
    BODY_MAX = 4 * 1024 * 1024,
    GATE_HEADER_TIMEOUT_MS = 60000,
    GATE_BODY_TIMEOUT_MS = 60000
};
#define GATE_MAX_BODY_BYTES ((uint64_t)16 * 1024 * 1024)

typedef struct server {
    char *body;
    size_t body_len;
    const char *api_key;
} server;

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig)
{
    (void)sig;
    stop_requested = 1;
}

static enum MHD_Result answer_text(struct MHD_Connection *conn, unsigned int status,
                                   const char *text)
{
    struct MHD_Response *r =
        MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result rc = MHD_queue_response(conn, status, r);
    MHD_destroy_response(r);
    return rc;
}

static enum MHD_Result on_request(void *cls, struct MHD_Connection *conn, const char *url,
                                  const char *method, const char *version, const char *upload_data,
                                  size_t *upload_size, void **state)
{
    (void)version;
    (void)upload_data;
    server *s = cls;
    if (!*state) { /* first call: headers only */
        *state = s;
        return MHD_YES;
    }
    if (*upload_size) {
        *upload_size = 0; /* a body nobody asked for: read and ignore it */
        return MHD_YES;
    }
    if (strcmp(url, "/v1/models") != 0)
        return answer_text(conn, MHD_HTTP_NOT_FOUND,
                           "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\"}}");
    if (strcmp(method, "GET") != 0)
        return answer_text(conn, MHD_HTTP_METHOD_NOT_ALLOWED,
                           "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\"}}");
    const char *key = MHD_lookup_connection_value(conn, MHD_HEADER_KIND, "x-api-key");
    if (!key || strcmp(key, s->api_key) != 0)
        return answer_text(conn, MHD_HTTP_UNAUTHORIZED,
                           "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\"}}");
    struct MHD_Response *r =
        MHD_create_response_from_buffer(s->body_len, s->body, MHD_RESPMEM_PERSISTENT);
    if (!r)
        return MHD_NO;
    MHD_add_response_header(r, MHD_HTTP_HEADER_CONTENT_TYPE, "application/json");
    enum MHD_Result rc = MHD_queue_response(conn, MHD_HTTP_OK, r);
    MHD_destroy_response(r);
    return rc;
}

static int read_body(const char *path, server *s)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    s->body = malloc(BODY_MAX);
    s->body_len = s->body ? fread(s->body, 1, BODY_MAX, f) : 0;
    int ok = s->body && !ferror(f) && s->body_len > 0 && s->body_len < BODY_MAX;
    fclose(f);
    return ok ? 0 : -1;
}

/* The listening socket for the gate; -1 on failure. */
static int listen_on(const struct sockaddr_in *addr)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(fd, (const struct sockaddr *)addr, sizeof *addr) != 0 || listen(fd, SOMAXCONN) != 0) {
        close(fd);
        return -1;
    }
    return fd;
}

static int parse_listen(const char *text, struct sockaddr_in *out)
{
    char host[64];
    const char *colon = strrchr(text, ':');
    if (!colon || (size_t)(colon - text) >= sizeof host)
        return -1;
    memcpy(host, text, (size_t)(colon - text));
    host[colon - text] = '\0';
    long port = strtol(colon + 1, NULL, 10);
    memset(out, 0, sizeof *out);
    out->sin_family = AF_INET;
    out->sin_port = htons((unsigned short)port);
    return port > 0 && port < 65536 && inet_pton(AF_INET, host, &out->sin_addr) == 1 ? 0 : -1;
}

int main(int argc, char **argv)
{
    const char *listen = NULL, *body = NULL;
    server s = {NULL, 0, NULL};
    int gate = 0, pool = 0, bad = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--gate"))
            gate = 1;
        else if (!strcmp(argv[i], "--pool"))
            pool = 1;
        else if (!strcmp(argv[i], "--listen") && v)
            listen = v, i++;
        else if (!strcmp(argv[i], "--body") && v)
            body = v, i++;
        else if (!strcmp(argv[i], "--api-key") && v)
            s.api_key = v, i++;
        else
            bad = 1;
    }
    struct sockaddr_in addr;
    if (bad || (gate && pool) || !listen || !body || !s.api_key ||
        parse_listen(listen, &addr) != 0 || read_body(body, &s) != 0) {
        fprintf(stderr, "usage: bench-ref-mhd --listen 127.0.0.1:PORT --body FILE --api-key KEY "
                        "[--gate | --pool]\n");
        return 2;
    }
    signal(SIGPIPE, SIG_IGN);
    signal(SIGTERM, on_signal);
    signal(SIGINT, on_signal);
    unsigned int flags =
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_POLL;
    long cores = sysconf(_SC_NPROCESSORS_ONLN);
    unsigned int pool_threads = cores > 1 ? (unsigned int)cores : 1;
    if (pool)
        flags = MHD_USE_AUTO_INTERNAL_THREAD;
    int listen_fd = -1;
    if (gate) {
        flags |= MHD_USE_NO_LISTEN_SOCKET;
        listen_fd = listen_on(&addr);
    }
    struct MHD_Daemon *d =
        gate && listen_fd < 0
            ? NULL
            : MHD_start_daemon(flags, 0, NULL, NULL, on_request, &s,
                               gate ? MHD_OPTION_END : MHD_OPTION_SOCK_ADDR,
                               (struct sockaddr *)&addr, MHD_OPTION_CONNECTION_LIMIT,
                               (unsigned int)CONNECTION_LIMIT, MHD_OPTION_CONNECTION_TIMEOUT,
                               (unsigned int)CONNECTION_TIMEOUT_S,
                               MHD_OPTION_CONNECTION_MEMORY_LIMIT, (size_t)(64 * 1024),
                               pool ? MHD_OPTION_THREAD_POOL_SIZE : MHD_OPTION_END, pool_threads,
                               MHD_OPTION_END);
    front_gate *g = NULL;
    if (d && gate) {
        front_gate_config gc = {
            .listen_fd = listen_fd,
            .daemon = d,
            .max_connections = CONNECTION_LIMIT,
            .max_body_bytes = GATE_MAX_BODY_BYTES,
            .body_timeout_ms = GATE_BODY_TIMEOUT_MS,
            .header_timeout_ms = GATE_HEADER_TIMEOUT_MS,
            .linger_ms = GATE_LINGER_MS,
            .linger_idle_ms = GATE_LINGER_IDLE_MS,
            .linger_bytes = 2 * GATE_MAX_BODY_BYTES + (1u << 20),
            .flush_ms = GATE_FLUSH_MS,
        };
        char err[256];
        listen_fd = -1; /* the gate owns it now, even when it fails */
        g = front_gate_start(&gc, err, sizeof err);
        if (!g) {
            fprintf(stderr, "bench-ref-mhd: %s\n", err);
            MHD_stop_daemon(d);
            d = NULL;
        }
    }
    if (!d) {
        if (listen_fd >= 0)
            close(listen_fd);
        fprintf(stderr, "bench-ref-mhd: cannot listen on %s\n", listen);
        return 1;
    }
    while (!stop_requested)
        sleep(1); /* a signal ends the sleep early */
    front_gate_stop_accepting(g);
    MHD_stop_daemon(d);
    if (g && front_gate_finish(g, 2000) != 0)
        fprintf(stderr, "bench-ref-mhd: a gate relay was still busy at exit\n");
    free(s.body);
    return 0;
}
