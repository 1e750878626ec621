/* readiness.c: free/busy ports and the readiness poll; see readiness.h. */
#include "readiness.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http_batch.h"
#include "util/clock.h"

/* Between two readiness attempts; each attempt itself is bounded by READY_ATTEMPT_MS. */
#define READY_RETRY_MS 50
#define READY_ATTEMPT_MS 1000

static int resolve(const char *host, int port, struct sockaddr_storage *addr, socklen_t *len)
{
    struct addrinfo hints, *res = NULL;
    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    if (getaddrinfo(host, port_text, &hints, &res) != 0 || !res)
        return -1;
    memcpy(addr, res->ai_addr, res->ai_addrlen);
    *len = res->ai_addrlen;
    freeaddrinfo(res);
    return 0;
}

static int port_of(const struct sockaddr_storage *addr)
{
    if (addr->ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)(const void *)addr)->sin_port);
    if (addr->ss_family == AF_INET6)
        return ntohs(((const struct sockaddr_in6 *)(const void *)addr)->sin6_port);
    return -1;
}

int readiness_pick_free_port(const char *host, char *err, size_t err_size)
{
    struct sockaddr_storage addr;
    socklen_t len = 0;
    if (resolve(host, 0, &addr, &len) != 0) {
        snprintf(err, err_size, "cannot resolve host '%s'", host);
        return -1;
    }
    int fd = socket(addr.ss_family, SOCK_STREAM, 0);
    if (fd < 0) {
        snprintf(err, err_size, "socket: %s", strerror(errno));
        return -1;
    }
    if (bind(fd, (struct sockaddr *)&addr, len) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        snprintf(err, err_size, "cannot bind a free port on %s: %s", host, strerror(errno));
        close(fd);
        return -1;
    }
    close(fd);
    return port_of(&addr);
}

bool readiness_port_is_busy(const char *host, int port)
{
    struct sockaddr_storage addr;
    socklen_t len = 0;
    if (resolve(host, port, &addr, &len) != 0)
        return true;

    /* Someone accepts connections there? */
    int fd = socket(addr.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        return true;
    if (connect(fd, (struct sockaddr *)&addr, len) == 0) {
        close(fd);
        return true;
    }
    close(fd);

    /* Bound but not listening, or listening on a wider address? SO_REUSEADDR so that
     * connections in TIME_WAIT from an earlier run do not count as busy. */
    fd = socket(addr.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        return true;
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    bool busy = bind(fd, (struct sockaddr *)&addr, len) != 0;
    close(fd);
    return busy;
}


void readiness_wait(const char *base_url, const char *path, const string_list *headers,
                    long startup_ms, child_process *child, ready_report *out)
{
    memset(out, 0, sizeof *out);
    int64_t start = clock_monotonic_ms();
    int64_t deadline = start + startup_ms;
    for (;;) {
        if (child_has_exited(child)) {
            out->outcome = READY_CHILD_EXITED;
            break;
        }
        int64_t left = deadline - clock_monotonic_ms();
        if (left <= 0) {
            out->outcome = READY_TIMEOUT;
            break;
        }
        http_call call;
        memset(&call, 0, sizeof call);
        call.method = "GET";
        call.path = path;
        call.headers = headers;
        call.deadline_ms = left < READY_ATTEMPT_MS ? left : READY_ATTEMPT_MS;
        http_batch_run(base_url, &call, 1, NULL);
        out->attempts++;
        if (call.answered) {
            out->last_status = call.status;
            out->outcome = READY_OK;
            break;
        }
        snprintf(out->last_error, sizeof out->last_error, "%s", call.error);
        /* connection refused comes back at once: wait a little before the next attempt */
        if (call.latency_ms < READY_RETRY_MS)
            sleep_ms(READY_RETRY_MS - (long)call.latency_ms);
    }
    out->elapsed_ms = clock_monotonic_ms() - start;
}
