/* stall_test_server.c: small HTTP servers that stall (or do not) in known ways, for stallcheck's
 * own tests. Each mode is a preset of a logger (fixture_logger.h), a handler behaviour, a
 * threading model and extra processes (fixture_spawn.h):
 *
 *   deadlock  blocking logger (mutex held across write(2)), one thread per connection; every
 *             request logs a long access line and POST /v1/messages its whole body: with nobody
 *             reading stderr the writer blocks holding the mutex and every other request thread
 *             waits on it: the incident.
 *   async     the same logging through a bounded drop-on-full queue with one writer thread: the
 *             writer blocks on the full pipe by design, requests never do (the fix).
 *   hang      async logging, but /v1/models and /api/admin/user-credentials wait forever for a
 *             dead upstream (a connected socket that never answers): a stall that is not the
 *             pipe's fault, with the pipe full.
 *   filelog   the deadlock's logging, to a file (--log-file) instead of stderr: the pipe never
 *             fills, nothing can be proven about it.
 *   single    blocking logger, one thread for everything (libmicrohttpd's internal poll
 *             thread): that thread blocks in write, nobody waits on a lock (no convoy).
 *   quiet     never logs anything.
 *   slow      POST /v1/messages starts a thread that takes the state lock and sleeps forever;
 *             every later request except /health waits for that lock. Logs only short lines, so
 *             the pipe stays nearly empty: a stall with another cause.
 *   exit      prints a fatal message and exits with status 3 at start.
 *   stubborn  async logging, ignores SIGTERM and forks a helper that ignores it too.
 *
 * Options added to any mode: --idle-threads N (threads parked on one condition variable from the
 * start), --spawn-daemon (a grandchild that left the group and session), --spawn-session-helper
 * (a child in a session of its own), --packet-pipe (stderr in pipe packet mode, O_DIRECT: every
 * write takes a buffer slot of its own, so 16 short lines fill a 64 KiB pipe by the kernel's
 * rule), --line-bytes N (access line length, default 1024), --pid-file FILE (every pid left
 * behind, one per line: the server first).
 *
 * Routes: /health, /v1/models, /v1/messages, /api/admin/user-credentials, and /quiet... (any
 * path starting so: answered and never logged; /quiet/delay/MS answers after MS milliseconds). libmicrohttpd, 127.0.0.1 only. SIGPIPE is
 * ignored: a closed log reader gives EPIPE, which is counted; on SIGTERM the server exits with
 * status 32 if it ever saw EPIPE, else 0. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "fixture_logger.h"
#include "fixture_spawn.h"
#include "platform/platform.h"

typedef enum server_mode {
    MODE_DEADLOCK, MODE_ASYNC, MODE_HANG, MODE_FILELOG, MODE_SINGLE, MODE_QUIET, MODE_SLOW, MODE_EXIT,
    MODE_STUBBORN
} server_mode;

static const struct {
    const char *name;
    server_mode mode;
    fixture_log_kind logger;
} mode_table[] = {
    { "deadlock", MODE_DEADLOCK, LOG_KIND_BLOCKING }, { "async", MODE_ASYNC, LOG_KIND_ASYNC },
    { "hang", MODE_HANG, LOG_KIND_ASYNC },            { "filelog", MODE_FILELOG, LOG_KIND_FILE },
    { "single", MODE_SINGLE, LOG_KIND_BLOCKING },     { "quiet", MODE_QUIET, LOG_KIND_NONE },
    { "slow", MODE_SLOW, LOG_KIND_BLOCKING },         { "exit", MODE_EXIT, LOG_KIND_NONE },
    { "stubborn", MODE_STUBBORN, LOG_KIND_ASYNC },
};

typedef struct server_config {
    server_mode mode;
    fixture_log_kind logger;
    int port;
    const char *pid_file;
    const char *log_file;
    size_t line_bytes; /* length of each per-request log line */
    int idle_threads;
    bool spawn_daemon;
    bool spawn_session_helper;
    bool packet_pipe;
} server_config;

/* The server's shared state: the lock the slow mode's sleeper holds, and the dead upstream the
 * hang mode's handlers wait on. */
typedef struct server_state {
    server_config config;
    pthread_mutex_t state_lock;
    pthread_mutex_t holder_lock;
    pthread_cond_t holder_ready;
    bool holder_started;
    bool holder_has_lock;
    struct sockaddr_in dead_upstream; /* listens, never accepts, never answers */
} server_state;

typedef struct request_body {
    char *data;
    size_t len;
    size_t alloc;
} request_body;

#define BODY_MAX (64u * 1024 * 1024)

static bool mode_logs_long_lines(const server_state *st)
{
    return st->config.mode != MODE_SLOW;
}

static void log_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void log_text(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    if (n > 0)
        fixture_log_line(line, (size_t)n < sizeof line ? (size_t)n : sizeof line - 1);
}

/* The per-request access line, padded to line_bytes so that requests fill the pipe quickly. */
static void log_access(server_state *st, const char *method, const char *url, size_t body_len)
{
    if (!mode_logs_long_lines(st)) {
        log_text("access %s %s body=%zu", method, url, body_len);
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
    fixture_log_line(line, len);
    free(line);
}

/* POST /v1/messages: the whole body as one log line (the "debug logging" that filled the pipe). */
static void log_body(server_state *st, const request_body *body)
{
    if (!mode_logs_long_lines(st) || body->len == 0)
        return;
    static const char prefix[] = "debug request body: ";
    size_t len = sizeof prefix - 1 + body->len;
    char *line = malloc(len);
    if (!line)
        return;
    memcpy(line, prefix, sizeof prefix - 1);
    memcpy(line + sizeof prefix - 1, body->data, body->len);
    for (size_t i = sizeof prefix - 1; i < len; i++)
        if (line[i] == '\n')
            line[i] = ' ';
    fixture_log_line(line, len);
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

/* Hang mode: an upstream call that never returns (connected, never answered). */
static void call_dead_upstream(server_state *st)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return;
    if (connect(fd, (struct sockaddr *)&st->dead_upstream, sizeof st->dead_upstream) == 0) {
        char byte;
        while (recv(fd, &byte, 1, 0) < 0 && errno == EINTR) {
        }
    }
    close(fd);
}

static int open_dead_upstream(server_state *st)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof addr;
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 || listen(fd, 128) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0)
        return -1;
    st->dead_upstream = addr; /* fd stays open, never accepted from */
    return 0;
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
        if (st->config.mode != MODE_SINGLE)
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

    if (strncmp(url, "/quiet/delay/", 13) == 0) {
        long ms = atol(url + 13); /* a slow answer, never logged: thin margins */
        if (ms > 0 && ms < 60000) {
            struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
            while (nanosleep(&ts, &ts) != 0 && errno == EINTR) {
            }
        }
        return respond(connection, MHD_HTTP_OK, "{\"quiet\":true,\"delayed\":true}");
    }
    if (strncmp(url, "/quiet", 6) == 0)
        return respond(connection, MHD_HTTP_OK, "{\"quiet\":true}"); /* never logged */
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
    bool upstream_route = strcmp(url, "/v1/models") == 0 || strcmp(url, "/api/admin/user-credentials") == 0;
    if (st->config.mode == MODE_HANG && upstream_route)
        call_dead_upstream(st);
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

static int parse_mode(const char *value, server_config *config)
{
    for (size_t i = 0; i < sizeof mode_table / sizeof mode_table[0]; i++)
        if (strcmp(mode_table[i].name, value) == 0) {
            config->mode = mode_table[i].mode;
            config->logger = mode_table[i].logger;
            return 0;
        }
    return -1;
}

static int parse_args(int argc, char **argv, server_config *config)
{
    memset(config, 0, sizeof *config);
    config->mode = MODE_DEADLOCK;
    config->logger = LOG_KIND_BLOCKING;
    config->line_bytes = 1024;
    for (int i = 1; i < argc; i++) {
        const char *name = argv[i];
        if (strcmp(name, "--spawn-daemon") == 0) {
            config->spawn_daemon = true;
            continue;
        }
        if (strcmp(name, "--spawn-session-helper") == 0) {
            config->spawn_session_helper = true;
            continue;
        }
        if (strcmp(name, "--packet-pipe") == 0) {
            config->packet_pipe = true;
            continue;
        }
        if (i + 1 >= argc)
            return -1;
        const char *value = argv[++i];
        if (strcmp(name, "--mode") == 0) {
            if (parse_mode(value, config) != 0)
                return -1;
        } else if (strcmp(name, "--port") == 0) {
            config->port = atoi(value);
        } else if (strcmp(name, "--pid-file") == 0) {
            config->pid_file = value;
        } else if (strcmp(name, "--log-file") == 0) {
            config->log_file = value;
        } else if (strcmp(name, "--idle-threads") == 0) {
            config->idle_threads = atoi(value);
            if (config->idle_threads < 0 || config->idle_threads > 256)
                return -1;
        } else if (strcmp(name, "--line-bytes") == 0) {
            long n = atol(value);
            if (n < 64 || n > 1024 * 1024)
                return -1;
            config->line_bytes = (size_t)n;
        } else {
            return -1;
        }
    }
    if (config->mode == MODE_FILELOG && !config->log_file)
        return -1;
    return config->port > 0 && config->port < 65536 ? 0 : -1;
}

static void write_pid_file(const char *path, const pid_t *others, size_t count)
{
    if (!path)
        return;
    FILE *f = fopen(path, "w");
    if (!f)
        return;
    fprintf(f, "%d\n", (int)getpid());
    for (size_t i = 0; i < count; i++)
        if (others[i] > 0)
            fprintf(f, "%d\n", (int)others[i]);
    fclose(f);
}

/* Pipe packet mode on stderr (and stdout, the same open pipe): every write is its own buffer. */
static void use_packet_mode(void)
{
#if defined(O_DIRECT)
    int flags = fcntl(STDERR_FILENO, F_GETFL);
    if (flags >= 0 && fcntl(STDERR_FILENO, F_SETFL, flags | O_DIRECT) == 0)
        return;
    fprintf(stderr, "cannot set pipe packet mode: %s\n", strerror(errno));
#else
    fprintf(stderr, "pipe packet mode (O_DIRECT) does not exist on this system\n");
#endif
    exit(1);
}

int main(int argc, char **argv)
{
    server_state st;
    memset(&st, 0, sizeof st);
    if (parse_args(argc, argv, &st.config) != 0) {
        fprintf(stderr, "usage: stall-test-server --mode deadlock|async|hang|filelog|single|quiet|slow|exit|"
                        "stubborn --port N [--pid-file FILE] [--log-file FILE] [--line-bytes N] "
                        "[--idle-threads N] [--spawn-daemon] [--spawn-session-helper] [--packet-pipe]\n");
        return 64;
    }
    if (st.config.mode == MODE_EXIT) {
        fprintf(stderr, "fatal: configuration file missing, exiting\n");
        return 3;
    }
    platform_set_thread_name("server-main");
    platform_ignore_sigpipe();
    if (st.config.packet_pipe)
        use_packet_mode();
    pthread_mutex_init(&st.state_lock, NULL);
    pthread_mutex_init(&st.holder_lock, NULL);
    pthread_cond_init(&st.holder_ready, NULL);
    if (st.config.mode == MODE_HANG && open_dead_upstream(&st) != 0) {
        fprintf(stderr, "cannot open the dead upstream socket\n");
        return 1;
    }

    /* SIGTERM/SIGINT are taken by sigwait() in main; every other thread inherits the block. */
    sigset_t wait_set;
    sigemptyset(&wait_set);
    sigaddset(&wait_set, SIGINT);
    if (st.config.mode == MODE_STUBBORN)
        signal(SIGTERM, SIG_IGN);
    else
        sigaddset(&wait_set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &wait_set, NULL);

    pid_t others[3] = { 0, 0, 0 };
    if (st.config.mode == MODE_STUBBORN)
        others[0] = fixture_spawn_stubborn_helper();
    if (st.config.spawn_daemon)
        others[1] = fixture_spawn_daemon();
    if (st.config.spawn_session_helper)
        others[2] = fixture_spawn_session_helper();
    write_pid_file(st.config.pid_file, others, 3);
    if (fixture_log_start(st.config.logger, st.config.log_file) != 0) {
        fprintf(stderr, "cannot start the logger\n");
        return 1;
    }
    if (fixture_start_idle_threads(st.config.idle_threads) != st.config.idle_threads) {
        fprintf(stderr, "cannot start the idle threads\n");
        return 1;
    }

    struct sockaddr_in addr;
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_port = htons((uint16_t)st.config.port);
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    unsigned int flags = st.config.mode == MODE_SINGLE
                             ? MHD_USE_INTERNAL_POLLING_THREAD /* one thread serves everything */
                             : MHD_USE_THREAD_PER_CONNECTION | MHD_USE_INTERNAL_POLLING_THREAD;
    struct MHD_Daemon *daemon = MHD_start_daemon(
        flags, (uint16_t)st.config.port, NULL, NULL, handle_request, &st, MHD_OPTION_SOCK_ADDR,
        (struct sockaddr *)&addr, MHD_OPTION_NOTIFY_COMPLETED, request_done, &st, MHD_OPTION_END);
    if (!daemon) {
        fprintf(stderr, "cannot listen on 127.0.0.1:%d\n", st.config.port);
        return 1;
    }
    log_text("stall-test-server listening on 127.0.0.1:%d", st.config.port);

    int sig = 0;
    while (sigwait(&wait_set, &sig) != 0) {
    }
    /* Do not stop the daemon: its threads may be stuck in write(2) by design. */
    _exit(fixture_log_saw_epipe() ? 32 : 0);
}
