/* raw_http.c: byte-exact HTTP/1.1 exchanges over a socket, sending and reading at once; see
 * raw_http.h. */
#include "raw_http.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

/* A write to a connection the server closed must fail with EPIPE, not kill the test: Linux has
 * MSG_NOSIGNAL per call, macOS the SO_NOSIGPIPE socket option. */
#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0
#endif

#define DEFAULT_CHUNK (64 * 1024)
#define RESPONSE_CAP (64u * 1024u * 1024u)

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int make_addr(const char *host, int port, struct sockaddr_storage *ss, socklen_t *len)
{
    memset(ss, 0, sizeof *ss);
    struct sockaddr_in *v4 = (struct sockaddr_in *)ss;
    struct sockaddr_in6 *v6 = (struct sockaddr_in6 *)ss;
    if (inet_pton(AF_INET, host, &v4->sin_addr) == 1) {
        v4->sin_family = AF_INET;
        v4->sin_port = htons((unsigned short)port);
        *len = sizeof *v4;
        return 0;
    }
    if (inet_pton(AF_INET6, host, &v6->sin6_addr) == 1) {
        v6->sin6_family = AF_INET6;
        v6->sin6_port = htons((unsigned short)port);
        *len = sizeof *v6;
        return 0;
    }
    return -1;
}

static int connect_nonblocking(const char *host, int port, int timeout_ms)
{
    struct sockaddr_storage ss;
    socklen_t len;
    if (make_addr(host, port, &ss, &len) != 0)
        return -1;
    int fd = socket(ss.ss_family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
#ifdef SO_NOSIGPIPE
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    if (connect(fd, (struct sockaddr *)&ss, len) != 0) {
        if (errno != EINPROGRESS) {
            close(fd);
            return -1;
        }
        struct pollfd p = {fd, POLLOUT, 0};
        int err = 0;
        socklen_t err_len = sizeof err;
        if (poll(&p, 1, timeout_ms) != 1 ||
            getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &err_len) != 0 || err != 0) {
            close(fd);
            return -1;
        }
    }
    return fd;
}

int rh_connect(const char *host, int port, int timeout_ms)
{
    int fd = connect_nonblocking(host, port, timeout_ms);
    if (fd >= 0)
        fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) & ~O_NONBLOCK);
    return fd;
}

/* ---- sending: the head, then the body (raw or chunk-framed), through a staging buffer ---- */

typedef struct sender {
    const rh_request *rq;
    size_t head_off;
    size_t body_off;
    int body_end;       /* the body source is exhausted */
    int finished;       /* everything including the final chunk is staged */
    char *stage;
    size_t stage_cap, stage_len, stage_off;
} sender;

static size_t chunk_size_of(const rh_request *rq)
{
    return rq->chunk_size ? rq->chunk_size : DEFAULT_CHUNK;
}

/* Next body piece into dst (at most cap bytes). */
static size_t body_piece(sender *s, char *dst, size_t cap)
{
    const rh_request *rq = s->rq;
    if (rq->body) {
        size_t n = rq->body_len - s->body_off;
        if (n > cap)
            n = cap;
        memcpy(dst, rq->body + s->body_off, n);
        s->body_off += n;
        return n;
    }
    return rq->gen ? rq->gen(rq->gen_ctx, dst, cap) : 0;
}

/* Refills the stage when it is empty. Returns 0 when there is nothing more to send. */
static int stage_next(sender *s)
{
    if (s->stage_off < s->stage_len)
        return 1;
    s->stage_len = s->stage_off = 0;
    const rh_request *rq = s->rq;
    if (s->head_off < rq->head_len) {
        size_t n = rq->head_len - s->head_off;
        if (n > s->stage_cap)
            n = s->stage_cap;
        memcpy(s->stage, rq->head + s->head_off, n);
        s->head_off += n;
        s->stage_len = n;
        return 1;
    }
    if (s->finished)
        return 0;
    size_t piece = chunk_size_of(rq);
    if (!rq->chunked) {
        size_t n = s->body_end ? 0 : body_piece(s, s->stage, piece);
        if (n == 0) {
            s->body_end = s->finished = 1;
            return 0;
        }
        s->stage_len = n;
        return 1;
    }
    size_t n = s->body_end ? 0 : body_piece(s, s->stage + 24, piece);
    if (n == 0) {
        s->body_end = s->finished = 1;
        memcpy(s->stage, "0\r\n\r\n", 5);
        s->stage_len = 5;
        return 1;
    }
    char frame[24];
    int f = snprintf(frame, sizeof frame, "%zx\r\n", n);
    memmove(s->stage + f, s->stage + 24, n);
    memcpy(s->stage, frame, (size_t)f);
    memcpy(s->stage + f + n, "\r\n", 2);
    s->stage_len = (size_t)f + n + 2;
    return 1;
}

/* ---- reading: accumulate, then decide whether a whole response is there ---- */

typedef struct reader {
    char *data;
    size_t len, cap;
} reader;

static int reader_add(reader *r, const char *p, size_t n)
{
    if (r->len + n + 1 > r->cap) {
        size_t cap = r->cap ? r->cap : 16384;
        while (cap < r->len + n + 1)
            cap *= 2;
        if (cap > RESPONSE_CAP)
            return -1;
        char *grown = realloc(r->data, cap);
        if (!grown)
            return -1;
        r->data = grown;
        r->cap = cap;
    }
    memcpy(r->data + r->len, p, n);
    r->len += n;
    r->data[r->len] = '\0';
    return 0;
}

static const char *find_head_end(const char *data, size_t len)
{
    for (size_t i = 0; i + 3 < len; i++)
        if (data[i] == '\r' && data[i + 1] == '\n' && data[i + 2] == '\r' && data[i + 3] == '\n')
            return data + i + 4;
    return NULL;
}

static const char *header_in(const char *head, size_t head_len, const char *name, char *out,
                             size_t out_size)
{
    size_t name_len = strlen(name);
    const char *p = head, *end = head + head_len;
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        if (!eol)
            eol = end;
        if ((size_t)(eol - p) > name_len && strncasecmp(p, name, name_len) == 0 &&
            p[name_len] == ':') {
            const char *v = p + name_len + 1;
            while (v < eol && (*v == ' ' || *v == '\t'))
                v++;
            size_t n = (size_t)(eol - v);
            while (n && (v[n - 1] == '\r' || v[n - 1] == ' '))
                n--;
            if (n >= out_size)
                n = out_size - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return out;
        }
        p = eol + 1;
    }
    return NULL;
}

/* De-chunks body[0..len) into out. Returns 1 when the final chunk was seen, 0 when more bytes
 * are needed, -1 when the framing is broken. */
static int dechunk(const char *body, size_t len, reader *out)
{
    size_t at = 0;
    out->len = 0;
    for (;;) {
        const char *eol = NULL;
        for (size_t i = at; i + 1 < len; i++)
            if (body[i] == '\r' && body[i + 1] == '\n') {
                eol = body + i;
                break;
            }
        if (!eol)
            return 0;
        char *endp;
        unsigned long size = strtoul(body + at, &endp, 16);
        if (endp == body + at)
            return -1;
        size_t data_at = (size_t)(eol - body) + 2;
        if (size == 0)
            return 1; /* trailers, if any, are not needed */
        if (data_at + size + 2 > len)
            return 0;
        if (reader_add(out, body + data_at, size) != 0)
            return -1;
        at = data_at + size + 2;
    }
}

/* Fills out from the bytes read so far. final: the peer closed (a body without framing ends
 * here). Returns 1 when the response is complete. */
static int parse_response(const reader *in, int final, rh_response *out)
{
    const char *body = find_head_end(in->data ? in->data : "", in->len);
    if (!body)
        return 0;
    size_t head_len = (size_t)(body - in->data);
    if (!out->head) {
        out->head = malloc(head_len + 1);
        if (!out->head)
            return 0;
        memcpy(out->head, in->data, head_len);
        out->head[head_len] = '\0';
        int status = 0;
        if (sscanf(out->head, "HTTP/%*d.%*d %d", &status) == 1)
            out->status = status;
    }
    size_t have = in->len - head_len;
    char value[64];
    reader decoded = {0};
    int done = 0;
    if (header_in(out->head, head_len, "Transfer-Encoding", value, sizeof value) &&
        strcasecmp(value, "chunked") == 0) {
        int rc = dechunk(body, have, &decoded);
        done = rc != 0 || final;
    } else if (header_in(out->head, head_len, "Content-Length", value, sizeof value)) {
        size_t want = (size_t)strtoull(value, NULL, 10);
        if (have >= want || final) {
            reader_add(&decoded, body, have < want ? have : want);
            out->extra_bytes = have > want ? have - want : 0;
            done = 1;
        }
    } else if (final || out->status == 204 || out->status == 304) {
        reader_add(&decoded, body, have);
        done = 1;
    }
    if (!done) {
        free(decoded.data);
        return 0;
    }
    free(out->body);
    out->body = decoded.data ? decoded.data : calloc(1, 1);
    out->body_len = decoded.len;
    return 1;
}

static int read_available(int fd, reader *in, rh_response *out)
{
    char buf[65536];
    for (;;) {
        ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0) {
            if (reader_add(in, buf, (size_t)n) != 0)
                return -1;
            continue;
        }
        if (n == 0) {
            out->peer_closed = 1;
            return 0;
        }
        if (errno == EINTR)
            continue;
        if (errno == EAGAIN || errno == EWOULDBLOCK)
            return 0;
        out->peer_closed = 1; /* ECONNRESET and friends */
        return 0;
    }
}

int rh_exchange(const char *host, int port, const rh_request *rq, int timeout_ms,
                rh_response *out)
{
    memset(out, 0, sizeof *out);
    out->first_byte_s = -1;
    if (!rq->gen)
        out->request_bytes = rq->head_len + rq->body_len;
    double start = now_s();
    double deadline = start + timeout_ms / 1000.0;
    int fd = connect_nonblocking(host, port, timeout_ms);
    if (fd < 0) {
        out->connect_failed = 1;
        out->seconds = now_s() - start;
        return -1;
    }
    sender s = {.rq = rq};
    s.stage_cap = chunk_size_of(rq) + 64;
    s.stage = malloc(s.stage_cap);
    reader in = {0};
    int sending = s.stage != NULL;
    double next_trickle = start;
    size_t len_at_complete = 0;
    while (!out->complete || (rq->read_to_close && !out->peer_closed)) {
        double now = now_s();
        if (now >= deadline) {
            out->timed_out = 1;
            break;
        }
        if (sending && !stage_next(&s)) {
            sending = 0;
            if (rq->half_close)
                shutdown(fd, SHUT_WR);
        }
        int trickling = rq->trickle_ms > 0 &&
                        !(rq->trickle_body_only && out->bytes_sent < rq->head_len);
        int want_send = sending && (!trickling || now >= next_trickle);
        double wait_s = deadline - now;
        if (sending && trickling && !want_send && next_trickle - now < wait_s)
            wait_s = next_trickle - now;
        struct pollfd p = {fd, (short)(POLLIN | (want_send ? POLLOUT : 0)), 0};
        int rc = poll(&p, 1, (int)(wait_s * 1000.0) + 1);
        if (rc < 0 && errno != EINTR)
            break;
        if (rc <= 0)
            continue;
        if (p.revents & (POLLIN | POLLHUP | POLLERR)) {
            size_t before = in.len;
            if (read_available(fd, &in, out) != 0)
                break;
            if (before == 0 && in.len > 0)
                out->first_byte_s = now_s() - start;
            if (!out->complete && parse_response(&in, out->peer_closed, out)) {
                out->complete = 1;
                len_at_complete = in.len;
            }
            if (out->peer_closed)
                break;
        }
        if (!out->complete && want_send && (p.revents & POLLOUT)) {
            size_t n = s.stage_len - s.stage_off;
            if (trickling)
                n = 1;
            else if (rq->trickle_body_only && out->bytes_sent + n > rq->head_len &&
                     out->bytes_sent < rq->head_len)
                n = rq->head_len - out->bytes_sent; /* the head alone, then the trickle */
            ssize_t w = send(fd, s.stage + s.stage_off, n, MSG_NOSIGNAL | MSG_DONTWAIT);
            if (w > 0) {
                s.stage_off += (size_t)w;
                out->bytes_sent += (size_t)w;
                next_trickle = now_s() + rq->trickle_ms / 1000.0;
            } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                sending = 0; /* the server stopped reading (EPIPE, ECONNRESET): read on */
            }
        }
    }
    if (!out->complete && in.len && parse_response(&in, 1, out))
        out->complete = 1;
    else if (out->complete && rq->read_to_close)
        out->extra_bytes += in.len - len_at_complete;
    if (!out->body)
        out->body = calloc(1, 1);
    out->seconds = now_s() - start;
    close(fd);
    free(in.data);
    free(s.stage);
    return out->status > 0 ? 0 : -1;
}

void rh_response_free(rh_response *r)
{
    free(r->head);
    free(r->body);
    r->head = r->body = NULL;
}

const char *rh_header(const rh_response *r, const char *name, char *out, size_t out_size)
{
    if (!r->head || out_size == 0)
        return NULL;
    return header_in(r->head, strlen(r->head), name, out, out_size);
}
