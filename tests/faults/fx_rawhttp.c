/* fx_rawhttp.c: the two exchanges a fault case holds open by hand (a stream it hangs up on, a
 * request paused between head and body), over a connection from tests/support/raw_http.h;
 * see fx_rawhttp.h. */
#include "fx_rawhttp.h"

#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "fx_check.h"
#include "raw_http.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

/* A blocking socket to the proxy, through the tests' raw HTTP client. */
static int connect_proxy(const fx_stack *s)
{
    int port = 0;
    if (sscanf(s->proxy_url, "http://127.0.0.1:%d", &port) != 1)
        return -1;
    return rh_connect("127.0.0.1", port, 5000);
}

static int send_all(int fd, const char *data, size_t len)
{
    while (len) {
        ssize_t n = send(fd, data, len, MSG_NOSIGNAL);
        if (n <= 0)
            return -1;
        data += n;
        len -= (size_t)n;
    }
    return 0;
}

int fx_rawstream_open(fx_stack *s, const char *path, const char *body, const char *needle,
                      int timeout_ms, char *got, size_t size)
{
    got[0] = '\0';
    int fd = connect_proxy(s);
    if (fd < 0)
        return -1;
    char head[512];
    int n = snprintf(head, sizeof head,
                     "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: %s\r\n"
                     "Content-Type: application/json\r\nanthropic-version: 2023-06-01\r\n"
                     "Content-Length: %zu\r\n\r\n", path, FX_API_KEY, strlen(body));
    if (send_all(fd, head, (size_t)n) != 0 || send_all(fd, body, strlen(body)) != 0) {
        close(fd);
        return -1;
    }
    if (!needle)
        return fd;
    size_t used = 0;
    long long end = fx_now_ms() + timeout_ms;
    while (!strstr(got, needle)) {
        long long left = end - fx_now_ms();
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            break;
        char buf[4096];
        ssize_t r = recv(fd, buf, sizeof buf, 0);
        if (r <= 0)
            break;
        size_t keep = (size_t)r < size - 1 - used ? (size_t)r : size - 1 - used;
        memcpy(got + used, buf, keep);
        used += keep;
        got[used] = '\0';
        if (used == size - 1)
            break;
    }
    if (!strstr(got, needle)) {
        close(fd);
        return -1;
    }
    return fd;
}

/* Reads until the peer closes or the deadline; returns the bytes (malloc'd). */
static char *read_to_close(int fd, long long end, size_t *len)
{
    size_t cap = 65536, used = 0;
    char *buf = malloc(cap);
    while (buf) {
        long long left = end - fx_now_ms();
        struct pollfd p = {fd, POLLIN, 0};
        if (left <= 0 || poll(&p, 1, (int)left) <= 0)
            break;
        if (used + 4096 + 1 > cap) {
            char *grown = realloc(buf, cap * 2);
            if (!grown)
                break;
            buf = grown;
            cap *= 2;
        }
        ssize_t r = recv(fd, buf + used, cap - used - 1, 0);
        if (r <= 0)
            break;
        used += (size_t)r;
    }
    if (buf)
        buf[used] = '\0';
    *len = used;
    return buf;
}

int fx_raw_get_split(fx_stack *s, const char *path, const char *extra, int (*between)(void *),
                     void *arg, int timeout_ms, char **body)
{
    *body = NULL;
    long long end = fx_now_ms() + timeout_ms;
    int fd = connect_proxy(s);
    if (fd < 0)
        return 0;
    char head[512];
    int n = snprintf(head, sizeof head,
                     "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n%s%sContent-Length: 1\r\n"
                     "Connection: close\r\n\r\n", path, extra ? extra : "", extra ? "\r\n" : "");
    int status = 0;
    if (send_all(fd, head, (size_t)n) == 0) {
        long long left = end - fx_now_ms();
        if (left > 0 && fx_poll_until((int)left, 5, between, arg) && send_all(fd, "x", 1) == 0) {
            size_t len = 0;
            char *resp = read_to_close(fd, end, &len);
            const char *split = resp ? strstr(resp, "\r\n\r\n") : NULL;
            if (resp && sscanf(resp, "HTTP/1.%*d %d", &status) == 1 && split) {
                *body = strdup(split + 4);
            } else {
                status = 0;
            }
            free(resp);
        }
    }
    close(fd);
    return status;
}
