/* stall_test_server.c: small HTTP servers that stall (or do not) in known ways, for stallcheck's
 * own tests. One program, one mode per behaviour:
 *
 *   deadlock  every request logs a long line to stderr through a mutex held across a blocking
 *             write(2), exactly like Go's log package; POST /v1/messages also logs its whole
 *             body as one line. With nobody reading stderr the pipe fills, the writer blocks
 *             holding the mutex, and every other request thread waits on it: the incident.
 *   quiet     never logs anything: always responsive.
 *   slow      POST /v1/messages starts a thread that takes the state lock and sleeps forever;
 *             every later request except /health waits for that lock. Logs only short lines, so
 *             the pipe stays nearly empty: a stall with another cause.
 *   exit      prints a fatal message and exits with status 3 at start.
 *   stubborn  like quiet, but ignores SIGTERM and forks a helper that ignores it too.
 *
 * Usage: stall-test-server --mode MODE --port N [--pid-file FILE] [--line-bytes N]
 * Routes: /health, /v1/models, /v1/messages, /api/admin/user-credentials (libmicrohttpd, one
 * thread per connection, 127.0.0.1 only). SIGPIPE is ignored: a closed log reader gives EPIPE,
 * which is counted; on SIGTERM the server exits with status 32 if it ever saw EPIPE, else 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "platform/platform.h"

typedef enum server_mode { MODE_DEADLOCK, MODE_QUIET, MODE_SLOW, MODE_EXIT, MODE_STUBBORN } server_mode;

typedef struct server_config {
    server_mode mode;
    int port;
    const char *pid_file;
    size_t line_bytes; /* length of each per-request log line */
} server_config;

/* The server's shared state: the logger's lock (held across write, the bug), the lock the slow
 * mode's sleeper holds, and whether a log write ever met EPIPE. */
typedef struct server_state {
    server_config config;
    pthread_mutex_t log_lock;
    pthread_mutex_t state_lock;
    pthread_mutex_t holder_lock;
    pthread_cond_t holder_ready;
    bool holder_started;
    bool holder_has_lock;
    atomic_int epipe_seen;
} server_state;

typedef struct request_body {
    char *data;
    size_t len;
    size_t alloc;
} request_body;

#define BODY_MAX (64u * 1024 * 1024)

/* Writes the whole line to fd 2 while holding the logger's lock: a blocking write on a full
 * pipe blocks here with the lock held, and so blocks every other thread that logs. */
static void log_write_locked(server_state *st, const char *line, size_t len)
{
    pthread_mutex_lock(&st->log_lock);
    size_t done = 0;
    while (done < len) {
        ssize_t n = write(STDERR_FILENO, line + done, len - done);
        if (n > 0) {
            done += (size_t)n;
            continue;
        }
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EPIPE)
            atomic_store(&st->epipe_seen, 1);
        break; /* EPIPE or another error: the line is lost, the server goes on */
    }
    pthread_mutex_unlock(&st->log_lock);
}

static void log_line(server_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void log_line(server_state *st, const char *fmt, ...)
{
    if (st->config.mode == MODE_QUIET || st->config.mode == MODE_STUBBORN)
        return;
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    size_t len = (size_t)n < sizeof line - 1 ? (size_t)n : sizeof line - 2;
    line[len++] = '\n';
    log_write_locked(st, line, len);
}

/* The per-request access line, padded to line_bytes so that requests fill the pipe quickly. */
static void log_access(server_state *st, const char *method, const char *url, size_t body_len)
{
    if (st->config.mode != MODE_DEADLOCK) {
        log_line(st, "access %s %s body=%zu", method, url, body_len);
        return;
    }
    size_t size = st->config.line_bytes + 1;
    char *line = malloc(size);
    if (!line)
        return;
    int n = snprintf(line, size, "access %s %s body=%zu pad=", method, url, body_len);
    size_t len = n > 0 && (size_t)n < size ? (size_t)n : 0;
    while (len + 1 < st->config.line_bytes)
        line[len++] = '.';
    line[len++] = '\n';
    log_write_locked(st, line, len);
    free(line);
}

/* POST /v1/messages: the whole body as one log line (the "debug logging" that filled the pipe). */
static void log_body(server_state *st, const request_body *body)
{
    if (st->config.mode != MODE_DEADLOCK || body->len == 0)
        return;
    static const char prefix[] = "debug request body: ";
    size_t len = sizeof prefix - 1 + body->len + 1;
    char *line = malloc(len);
    if (!line)
        return;
    memcpy(line, prefix, sizeof prefix - 1);
    memcpy(line + sizeof prefix - 1, body->data, body->len);
    for (size_t i = sizeof prefix - 1; i < len - 1; i++)
        if (line[i] == '\n')
            line[i] = ' ';
    line[len - 1] = '\n';
    log_write_locked(st, line, len);
    free(line);
}

static void *lock_holder(void *arg)
{
    server_state *st = arg;
    platform_set_thread_name("lock-holder");
    pthread_mutex_lock(&st->state_lock);
    pthread_mutex_lock(&st->holder_lock);
    st->holder_has_lock = true;
    pthread_cond_broadcast(&st->holder_ready);
    pthread_mutex_unlock(&st->holder_lock);
    for (;;)
        pause(); /* holds state_lock until the process is killed */
    return NULL;
}

/* Slow mode: the first trigger starts the holder and answers once the lock is taken. */
static void start_lock_holder(server_state *st)
{
    pthread_mutex_lock(&st->holder_lock);
    if (!st->holder_started) {
        st->holder_started = true;
        pthread_t thread;
        if (pthread_create(&thread, NULL, lock_holder, st) == 0)
            pthread_detach(thread);
        else
            st->holder_has_lock = true; /* nothing will come: do not wait */
    }
    while (!st->holder_has_lock)
        pthread_cond_wait(&st->holder_ready, &st->holder_lock);
    pthread_mutex_unlock(&st->holder_lock);
}

static enum MHD_Result respond(struct MHD_Connection *connection, unsigned int status, const char *json)
{
    struct MHD_Response *response =
        MHD_create_response_from_buffer(strlen(json), (void *)json, MHD_RESPMEM_MUST_COPY);
    if (!response)
        return MHD_NO;
    MHD_add_response_header(response, "Content-Type", "application/json");
    enum MHD_Result rc = MHD_queue_response(connection, status, response);
    MHD_destroy_response(response);
    return rc;
}

static enum MHD_Result handle_request(void *cls, struct MHD_Connection *connection, const char *url,
                                      const char *method, const char *version,
                                      const char *upload_data, size_t *upload_data_size,
                                      void **req_cls)
{
    (void)version;
    server_state *st = cls;
    request_body *body = *req_cls;
    if (!body) {
        body = calloc(1, sizeof *body);
        if (!body)
            return MHD_NO;
        *req_cls = body;
        platform_set_thread_name("http-conn");
        return MHD_YES;
    }
    if (*upload_data_size > 0) {
        size_t n = *upload_data_size;
        if (body->len + n > BODY_MAX)
            return MHD_NO;
        if (body->len + n > body->alloc) {
            size_t alloc = body->alloc ? body->alloc : 65536;
            while (alloc < body->len + n)
                alloc *= 2;
            char *grown = realloc(body->data, alloc);
            if (!grown)
                return MHD_NO;
            body->data = grown;
            body->alloc = alloc;
        }
        memcpy(body->data + body->len, upload_data, n);
        body->len += n;
        *upload_data_size = 0;
        return MHD_YES;
    }

    log_access(st, method, url, body->len);
    if (strcmp(url, "/health") == 0)
        return respond(connection, MHD_HTTP_OK, "{\"status\":\"ok\"}");

    if (strcmp(url, "/v1/messages") == 0 && strcmp(method, "POST") == 0) {
        log_body(st, body);
        if (st->config.mode == MODE_SLOW)
            start_lock_holder(st);
        return respond(connection, MHD_HTTP_OK,
                       "{\"id\":\"msg_test\",\"type\":\"message\",\"role\":\"assistant\","
                       "\"content\":[{\"type\":\"text\",\"text\":\"ok\"}]}");
    }

    if (st->config.mode == MODE_SLOW) {
        pthread_mutex_lock(&st->state_lock); /* waits for the sleeping holder: the other stall */
        pthread_mutex_unlock(&st->state_lock);
    }
    if (strcmp(url, "/v1/models") == 0)
        return respond(connection, MHD_HTTP_OK,
                       "{\"object\":\"list\",\"data\":[{\"id\":\"claude-sonnet-4.5\",\"object\":\"model\"}]}");
    if (strcmp(url, "/api/admin/user-credentials") == 0)
        return respond(connection, MHD_HTTP_OK, "{\"credentials\":[]}");
    return respond(connection, MHD_HTTP_NOT_FOUND, "{\"error\":\"not found\"}");
}

static void request_done(void *cls, struct MHD_Connection *connection, void **req_cls,
                         enum MHD_RequestTerminationCode code)
{
    (void)cls;
    (void)connection;
    (void)code;
    request_body *body = *req_cls;
    if (body) {
        free(body->data);
        free(body);
        *req_cls = NULL;
    }
}

static int parse_args(int argc, char **argv, server_config *config)
{
    memset(config, 0, sizeof *config);
    config->mode = MODE_DEADLOCK;
    config->line_bytes = 1024;
    for (int i = 1; i + 1 < argc; i += 2) {
        const char *name = argv[i], *value = argv[i + 1];
        if (strcmp(name, "--mode") == 0) {
            if (strcmp(value, "deadlock") == 0)
                config->mode = MODE_DEADLOCK;
            else if (strcmp(value, "quiet") == 0)
                config->mode = MODE_QUIET;
            else if (strcmp(value, "slow") == 0)
                config->mode = MODE_SLOW;
            else if (strcmp(value, "exit") == 0)
                config->mode = MODE_EXIT;
            else if (strcmp(value, "stubborn") == 0)
                config->mode = MODE_STUBBORN;
            else
                return -1;
        } else if (strcmp(name, "--port") == 0) {
            config->port = atoi(value);
        } else if (strcmp(name, "--pid-file") == 0) {
            config->pid_file = value;
        } else if (strcmp(name, "--line-bytes") == 0) {
            long n = atol(value);
            if (n < 64 || n > 1024 * 1024)
                return -1;
            config->line_bytes = (size_t)n;
        } else {
            return -1;
        }
    }
    return config->port > 0 && config->port < 65536 ? 0 : -1;
}

static void write_pid_file(const char *path, pid_t helper)
{
    if (!path)
        return;
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f, "%d\n", (int)getpid());
    if (helper > 0)
        fprintf(f, "%d\n", (int)helper);
    fclose(f);
}

/* Stubborn mode: a second process in the group that also ignores SIGTERM. */
static pid_t fork_stubborn_helper(void)
{
    pid_t pid = fork();
    if (pid == 0) {
        for (;;)
            pause();
    }
    return pid;
}

int main(int argc, char **argv)
{
    server_state st;
    memset(&st, 0, sizeof st);
    if (parse_args(argc, argv, &st.config) != 0) {
        fprintf(stderr, "usage: stall-test-server --mode deadlock|quiet|slow|exit|stubborn --port N "
                        "[--pid-file FILE] [--line-bytes N]\n");
        return 64;
    }
    if (st.config.mode == MODE_EXIT) {
        fprintf(stderr, "fatal: configuration file missing, exiting\n");
        return 3;
    }
    platform_set_thread_name("server-main");
    platform_ignore_sigpipe();
    pthread_mutex_init(&st.log_lock, NULL);
    pthread_mutex_init(&st.state_lock, NULL);
    pthread_mutex_init(&st.holder_lock, NULL);
    pthread_cond_init(&st.holder_ready, NULL);

    /* SIGTERM/SIGINT are taken by sigwait() in main; every other thread inherits the block. */
    sigset_t wait_set;
    sigemptyset(&wait_set);
    sigaddset(&wait_set, SIGINT);
    if (st.config.mode == MODE_STUBBORN)
        signal(SIGTERM, SIG_IGN);
    else
        sigaddset(&wait_set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &wait_set, NULL);

    pid_t helper = st.config.mode == MODE_STUBBORN ? fork_stubborn_helper() : 0;
    write_pid_file(st.config.pid_file, helper);

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)st.config.port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    struct MHD_Daemon *daemon = MHD_start_daemon(
        MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD, (uint16_t)st.config.port,
        NULL, NULL, handle_request, &st, MHD_OPTION_SOCK_ADDR, (struct sockaddr *)&addr,
        MHD_OPTION_NOTIFY_COMPLETED, request_done, &st, MHD_OPTION_END);
    if (!daemon) {
        fprintf(stderr, "cannot listen on 127.0.0.1:%d\n", st.config.port);
        return 1;
    }
    log_line(&st, "stall-test-server listening on 127.0.0.1:%d", st.config.port);

    int sig = 0;
    while (sigwait(&wait_set, &sig) != 0) {
    }
    /* Do not stop the daemon: its threads may be stuck in write(2) by design. */
    _exit(atomic_load(&st.epipe_seen) ? 32 : 0);
}
