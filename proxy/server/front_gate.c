/* front_gate.c: accept loop and per-connection relay between a client and libmicrohttpd; see
 * front_gate.h for why and for the order of work. */
#include "server/front_gate.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log/log.h"
#include "server/body_framer.h"
#include "server/gate_wire.h"
#include "server/request_head.h"
#include "util/clock.h"

#ifndef MSG_NOSIGNAL
#define MSG_NOSIGNAL 0 /* macOS: SO_NOSIGPIPE is set on the sockets instead */
#endif

/* Buffer sizes: client bytes not yet parsed, canonical bytes for libmicrohttpd, libmicrohttpd's
 * bytes not yet judged, bytes for the client. */
#define IN_CAP (REQUEST_HEAD_MAX + 65536)
#define FWD_CAP 65536
#define MB_CAP 65536
#define OUT_CAP 65536
/* Room past OUT_CAP kept for the gate's own answer (under 1 KiB), so that it always fits behind
 * the end of a previous response still waiting for the client. */
#define ANSWER_SLACK 4096
/* Largest response head the gate waits for before calling a response malformed. */
#define RESPONSE_HEAD_MAX 16384
/* While closing, wake at least this often so that a stop is seen quickly. */
#define CLOSING_POLL_MS 200

struct front_gate {
    front_gate_config cfg;
    pthread_t accept_thread;
    int accept_started;
    int wake[2];
    pthread_mutex_t lock;
    pthread_cond_t idle;
    int active;
    atomic_int stopping;
    atomic_long refused;
};

typedef enum {
    P_HEAD,    /* waiting for (more of) a request head */
    P_BODY,    /* forwarding a request body */
    P_WAIT,    /* request forwarded, waiting for the end of its response */
    P_FAILING, /* refused or ending: libmicrohttpd's input is shut, waiting for it to close */
    P_CLOSING, /* flushing the last bytes to the client, then the lingering close */
} phase;

typedef enum { RS_NONE, RS_HEAD, RS_BODY, RS_DROP } response_state;

typedef struct conn {
    front_gate *g;
    int cfd, mfd;
    char *in, *fwd, *mb, *out;
    size_t in_len, fwd_len, fwd_off, mb_len, out_len, out_off;
    phase ph;
    body_framer req_body;
    int64_t body_deadline_ms;
    int req_is_head, req_openai;
    response_state rs;
    body_framer resp_body;
    int resp_started, resp_done, close_after_response;
    int fail_status, fail_openai, fail_head_only;
    char fail_msg[200];
    int client_eof, mhd_eof, mhd_wr_shut, client_wr_shut, done;
    int64_t closing_since_ms, linger_since_ms, last_read_ms;
    int64_t mhd_eof_ms; /* when libmicrohttpd's close was seen (bounds the wait for the client) */
    uint64_t lingered;
} conn;

static void set_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl >= 0)
        fcntl(fd, F_SETFL, fl | O_NONBLOCK);
    fcntl(fd, F_SETFD, FD_CLOEXEC);
#ifdef SO_NOSIGPIPE
    int one = 1;
    setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
}

static void shut_mhd_input(conn *c)
{
    if (!c->mhd_wr_shut) {
        shutdown(c->mfd, SHUT_WR);
        c->mhd_wr_shut = 1;
    }
    c->fwd_len = c->fwd_off = 0;
}

/* Appends bytes for the client within cap; 0, or -1 when there is no room now. */
static int out_append_within(conn *c, const char *s, size_t n, size_t cap)
{
    if (c->out_off == c->out_len)
        c->out_off = c->out_len = 0;
    if (c->out_off && (c->out_len > cap || n > cap - c->out_len)) {
        memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
        c->out_len -= c->out_off;
        c->out_off = 0;
    }
    if (c->out_len > cap || n > cap - c->out_len)
        return -1;
    memcpy(c->out + c->out_len, s, n);
    c->out_len += n;
    return 0;
}

static int out_append(conn *c, const char *s, size_t n)
{
    return out_append_within(c, s, n, OUT_CAP);
}

/* The gate's own answer: the last thing sent on the connection, so it may use the slack. */
static void answer(conn *c, int status, const char *msg, int openai, int head_only)
{
    size_t len = 0;
    char *resp = gate_error_response(status, msg, openai, head_only, &len);
    if (!resp)
        return;
    if (out_append_within(c, resp, len, OUT_CAP + ANSWER_SLACK) != 0)
        LOG_WARN("[GATE] no room for the %d answer (%zu bytes)", status, len);
    free(resp);
}

/* Refuses the request being read: libmicrohttpd's input is shut (it closes once any answer it
 * is writing is done), then the gate answers unless libmicrohttpd already did. */
static void refuse(conn *c, int status, const char *msg, int openai)
{
    c->fail_status = status;
    c->fail_openai = openai;
    c->fail_head_only = c->ph != P_HEAD && c->req_is_head;
    snprintf(c->fail_msg, sizeof c->fail_msg, "%s", msg);
    atomic_fetch_add(&c->g->refused, 1);
    LOG_WARN("[GATE] answered %d itself: %s", status, c->fail_msg);
    if (c->ph == P_HEAD)
        c->rs = RS_NONE; /* nothing of this request reached libmicrohttpd */
    c->in_len = 0;
    shut_mhd_input(c);
    c->ph = P_FAILING;
}

/* Ends the connection without further answer once libmicrohttpd has closed. */
static void wind_down(conn *c)
{
    c->fail_status = 0;
    c->in_len = 0;
    shut_mhd_input(c);
    c->ph = P_FAILING;
}

static void start_closing(conn *c)
{
    c->ph = P_CLOSING;
    c->closing_since_ms = clock_monotonic_ms();
    c->in_len = 0;
    c->rs = RS_NONE; /* libmicrohttpd has closed and every byte of it has been judged */
}

static int response_has_body(const response_info *info)
{
    return info->framing != BODY_NONE && !(info->framing == BODY_LENGTH && !info->content_length);
}

/* libmicrohttpd's bytes: follow each response to its end; replace its own error pages. */
static int track_response(conn *c)
{
    int changed = 0;
    while (c->mb_len > 0) {
        size_t used = 0;
        if (c->rs == RS_NONE) {
            used = c->mb_len; /* bytes for no request: never passed on */
        } else if (c->rs == RS_HEAD) {
            response_info info;
            int r = gate_parse_response_head(c->mb, c->mb_len, RESPONSE_HEAD_MAX, c->req_is_head,
                                             &info);
            if (r == 0 && !c->mhd_eof)
                break;
            if (r <= 0) {
                /* not a response head: never relayed as one */
                c->rs = RS_NONE;
                c->close_after_response = 1;
                continue;
            }
            if (info.status >= 400 && !info.has_request_id) {
                /* libmicrohttpd's own error page: the same status in the API's shape */
                char msg[160];
                snprintf(msg, sizeof msg, "the request was refused by the HTTP layer (%d %s)",
                         info.status, http_reason_phrase(info.status));
                answer(c, info.status, msg, c->req_openai, c->req_is_head);
                c->resp_started = 1;
                c->close_after_response = 1;
                body_framer_init(&c->resp_body, info.framing, info.content_length, 0);
                c->rs = RS_DROP;
                used = info.head_len;
                if (!response_has_body(&info)) {
                    c->resp_done = 1;
                    c->rs = RS_NONE;
                }
            } else {
                if (out_append(c, c->mb, info.head_len) != 0)
                    break;
                used = info.head_len;
                if (info.status < 200) {
                    /* 100 Continue: the final answer is still to come */
                } else {
                    c->resp_started = 1;
                    if (info.connection_close)
                        c->close_after_response = 1;
                    body_framer_init(&c->resp_body, info.framing, info.content_length, 0);
                    c->rs = RS_BODY;
                    if (!response_has_body(&info)) {
                        c->resp_done = 1;
                        c->rs = RS_NONE;
                    }
                }
            }
        } else {
            size_t room = c->mb_len;
            if (c->rs == RS_BODY) {
                if (c->out_off == c->out_len)
                    c->out_off = c->out_len = 0;
                if (c->out_off && (c->out_len >= OUT_CAP || OUT_CAP - c->out_len < c->mb_len)) {
                    memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
                    c->out_len -= c->out_off;
                    c->out_off = 0;
                }
                room = c->out_len >= OUT_CAP              ? 0
                       : OUT_CAP - c->out_len < c->mb_len ? OUT_CAP - c->out_len
                                                          : c->mb_len;
                if (room == 0)
                    break;
            }
            framer_status st = body_framer_feed(&c->resp_body, c->mb, room, &used, NULL, 0, NULL);
            if (c->rs == RS_BODY)
                out_append(c, c->mb, used);
            if (st == FRAMER_ERROR) {
                c->rs = RS_NONE;
                c->close_after_response = 1;
            } else if (st == FRAMER_DONE) {
                c->resp_done = 1;
                c->rs = RS_NONE;
            }
        }
        memmove(c->mb, c->mb + used, c->mb_len - used);
        c->mb_len -= used;
        changed = 1;
    }
    if (c->mhd_eof && c->rs == RS_BODY && c->resp_body.mode == BODY_UNTIL_CLOSE && !c->mb_len) {
        c->resp_done = 1;
        c->rs = RS_NONE;
        changed = 1;
    }
    return changed;
}

static int head_step(conn *c)
{
    if (c->fwd_len) /* canonical bytes of the previous request still going out */
        return 0;
    if (c->in_len == 0) {
        if (c->client_eof) {
            wind_down(c);
            return 1;
        }
        return 0;
    }
    request_head h;
    head_verdict v;
    head_result r = request_head_parse(c->in, c->in_len, &h, &v);
    if (r == HEAD_INCOMPLETE) {
        if (c->client_eof) {
            refuse(c, 400, "the connection was closed inside a request head",
                   gate_request_is_openai(c->in, c->in_len));
            return 1;
        }
        return 0;
    }
    if (r == HEAD_REJECT) {
        refuse(c, v.status, v.message, gate_request_is_openai(c->in, c->in_len));
        return 1;
    }
    size_t n = request_head_write(&h, c->fwd, FWD_CAP);
    if (n == 0) {
        refuse(c, 431, "the request head is too large", gate_request_is_openai(c->in, c->in_len));
        return 1;
    }
    c->fwd_len = n;
    c->fwd_off = 0;
    c->req_is_head = h.is_head;
    c->req_openai = h.path_len >= 9 && memcmp(h.path, "/v1/chat/", 9) == 0;
    uint64_t limit = h.framing == BODY_CHUNKED ? c->g->cfg.max_body_bytes : 0;
    body_framer_init(&c->req_body, h.framing, h.content_length, limit);
    c->rs = RS_HEAD;
    c->resp_started = c->resp_done = 0;
    memmove(c->in, c->in + h.head_len, c->in_len - h.head_len);
    c->in_len -= h.head_len;
    int has_body = h.framing == BODY_CHUNKED || (h.framing == BODY_LENGTH && h.content_length);
    c->ph = has_body ? P_BODY : P_WAIT;
    c->body_deadline_ms = clock_monotonic_ms() + c->g->cfg.body_timeout_ms;
    return 1;
}

static int body_step(conn *c)
{
    if (c->resp_done) {
        /* answered before the body ended (401, 413...): libmicrohttpd closes after it */
        wind_down(c);
        return 1;
    }
    if (c->in_len == 0) {
        if (c->client_eof) {
            refuse(c, 400, "the connection was closed inside a request body", c->req_openai);
            return 1;
        }
        return 0;
    }
    if (c->fwd_off == c->fwd_len)
        c->fwd_off = c->fwd_len = 0;
    if (FWD_CAP - c->fwd_len < 64)
        return 0;
    size_t used = 0, made = 0;
    framer_status st = body_framer_feed(&c->req_body, c->in, c->in_len, &used, c->fwd + c->fwd_len,
                                        FWD_CAP - c->fwd_len, &made);
    c->fwd_len += made;
    memmove(c->in, c->in + used, c->in_len - used);
    c->in_len -= used;
    if (st == FRAMER_ERROR) {
        if (c->resp_started)
            wind_down(c);
        else
            refuse(c, c->req_body.status, c->req_body.message, c->req_openai);
        return 1;
    }
    if (st == FRAMER_DONE)
        c->ph = P_WAIT;
    return used || made || st == FRAMER_DONE;
}

/* libmicrohttpd closed while a request was open: answer what it left unanswered. */
static void mhd_closed(conn *c)
{
    const front_gate_config *cfg = &c->g->cfg;
    int stopping = atomic_load(&c->g->stopping);
    char msg[200];
    if (c->ph == P_HEAD) {
        if (c->in_len && !stopping) {
            snprintf(msg, sizeof msg, "the request head did not arrive within %d s",
                     cfg->header_timeout_ms / 1000);
            atomic_fetch_add(&c->g->refused, 1);
            answer(c, 408, msg, gate_request_is_openai(c->in, c->in_len), 0);
        }
    } else if (!c->resp_started && !stopping) {
        if (c->ph == P_BODY) {
            snprintf(msg, sizeof msg,
                     "the request body did not arrive in time (the connection "
                     "was idle too long)");
            answer(c, 408, msg, c->req_openai, c->req_is_head);
        } else {
            answer(c, 500, "the server closed the connection without answering the request",
                   c->req_openai, c->req_is_head);
        }
    }
    start_closing(c);
}

static int progress(conn *c)
{
    int changed = track_response(c);
    /* libmicrohttpd closed and all it sent has been judged (out may be full for a while) */
    int mhd_done = c->mhd_eof && c->mb_len == 0;
    switch (c->ph) {
    case P_HEAD:
        if (mhd_done) {
            mhd_closed(c);
            return 1;
        }
        return head_step(c) || changed;
    case P_BODY:
        if (mhd_done) {
            mhd_closed(c);
            return 1;
        }
        return body_step(c) || changed;
    case P_WAIT:
        if (c->resp_done) {
            if (c->close_after_response) {
                wind_down(c);
            } else {
                c->ph = P_HEAD;
                c->rs = RS_NONE;
            }
            return 1;
        }
        if (mhd_done) {
            mhd_closed(c);
            return 1;
        }
        if (c->client_eof && c->in_len == 0 && c->fwd_off == c->fwd_len && !c->mhd_wr_shut) {
            shutdown(c->mfd, SHUT_WR); /* pass the half-close on; the answer still comes */
            c->mhd_wr_shut = 1;
        }
        return changed;
    case P_FAILING:
        if (mhd_done && c->rs != RS_BODY && c->rs != RS_DROP) {
            if (c->fail_status && !c->resp_started)
                answer(c, c->fail_status, c->fail_msg, c->fail_openai, c->fail_head_only);
            start_closing(c);
            return 1;
        }
        if (mhd_done && c->rs != RS_NONE) {
            c->rs = RS_NONE; /* libmicrohttpd's answer was cut: nothing more comes */
            return 1;
        }
        return changed;
    case P_CLOSING: {
        int64_t now = clock_monotonic_ms();
        const front_gate_config *cfg = &c->g->cfg;
        int stopping = atomic_load(&c->g->stopping);
        if (c->out_off < c->out_len) {
            if (now - c->closing_since_ms > cfg->flush_ms || stopping)
                c->done = 1;
            return changed;
        }
        if (!c->client_wr_shut) {
            shutdown(c->cfd, SHUT_WR);
            c->client_wr_shut = 1;
            c->linger_since_ms = c->last_read_ms = now;
        }
        if (c->client_eof || stopping || c->lingered > cfg->linger_bytes ||
            now - c->linger_since_ms >= cfg->linger_ms ||
            now - c->last_read_ms >= cfg->linger_idle_ms)
            c->done = 1;
        return changed;
    }
    }
    return changed;
}

/* libmicrohttpd stopped reading (it answered early and closed): its answer may still be
 * waiting in the socket, so only the writing stops; its end of the socket is read to EOF. */
static void mhd_input_gone(conn *c)
{
    c->mhd_wr_shut = 1;
    c->fwd_off = c->fwd_len = 0;
}

static int poll_timeout(conn *c)
{
    int64_t now = clock_monotonic_ms();
    const front_gate_config *cfg = &c->g->cfg;
    int64_t wait = -1;
    if (c->ph == P_BODY && !c->resp_started)
        wait = c->body_deadline_ms - now;
    if (c->ph == P_CLOSING) {
        int64_t t = c->out_off < c->out_len
                        ? c->closing_since_ms + cfg->flush_ms - now
                        : (c->client_wr_shut ? c->last_read_ms + cfg->linger_idle_ms - now : 0);
        if (c->client_wr_shut && c->linger_since_ms + cfg->linger_ms - now < t)
            t = c->linger_since_ms + cfg->linger_ms - now;
        wait = t < CLOSING_POLL_MS ? t : CLOSING_POLL_MS;
    }
    if (c->mhd_eof && c->ph != P_CLOSING) {
        /* libmicrohttpd is gone but its last bytes wait for a client that does not read */
        int64_t t = c->mhd_eof_ms + cfg->flush_ms - now;
        if (wait == -1 || t < wait)
            wait = t;
    }
    if (wait < 0 && wait != -1)
        wait = 0;
    return (int)wait;
}

static void check_deadlines(conn *c)
{
    if (c->mhd_eof && c->ph != P_CLOSING &&
        clock_monotonic_ms() - c->mhd_eof_ms > c->g->cfg.flush_ms) {
        c->done = 1; /* the client has not taken libmicrohttpd's last bytes in time */
        return;
    }
    if (c->ph == P_BODY && !c->resp_started && clock_monotonic_ms() >= c->body_deadline_ms) {
        char msg[160];
        snprintf(msg, sizeof msg,
                 "the request body did not arrive within %d s "
                 "(--body-timeout-s)",
                 c->g->cfg.body_timeout_ms / 1000);
        refuse(c, 408, msg, c->req_openai);
    }
}

/* One poll round: reads and writes whatever is ready. Returns -1 when the client is gone. */
static int io_round(conn *c)
{
    struct pollfd p[2];
    memset(p, 0, sizeof p);
    p[0].fd = c->cfd;
    p[1].fd = c->mhd_eof ? -1 : c->mfd;
    /* while closing, input is read and discarded (the lingering close) */
    int reading = c->ph == P_CLOSING ? !c->client_eof
                                     : !c->client_eof && c->in_len < IN_CAP && c->ph != P_FAILING;
    if (reading)
        p[0].events |= POLLIN;
    if (c->out_off < c->out_len)
        p[0].events |= POLLOUT;
    if (c->mb_len < MB_CAP)
        p[1].events |= POLLIN;
    if (c->fwd_off < c->fwd_len && !c->mhd_wr_shut)
        p[1].events |= POLLOUT;
    if (p[0].events == 0)
        p[0].fd = -1;
    int timeout = poll_timeout(c);
    if (p[0].fd < 0 && p[1].fd < 0 && timeout < 0)
        timeout = 1000; /* nothing to wait for: never sleep forever */
    int n = poll(p, 2, timeout);
    if (n < 0)
        return errno == EINTR ? 0 : -1;
    if (p[0].revents & (POLLIN | POLLHUP | POLLERR)) {
        if (c->ph == P_CLOSING) {
            char scratch[16384];
            ssize_t r = recv(c->cfd, scratch, sizeof scratch, 0);
            if (r > 0) {
                c->lingered += (uint64_t)r;
                c->last_read_ms = clock_monotonic_ms();
            } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
                c->client_eof = 1;
            }
        } else if (reading) {
            ssize_t r = recv(c->cfd, c->in + c->in_len, IN_CAP - c->in_len, 0);
            if (r > 0)
                c->in_len += (size_t)r;
            else if (r == 0)
                c->client_eof = 1;
            else if (errno != EAGAIN && errno != EINTR)
                return -1;
        } else if (p[0].revents & POLLERR) {
            return -1;
        }
    }
    if (p[0].revents & POLLOUT) {
        ssize_t w = send(c->cfd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (w > 0)
            c->out_off += (size_t)w;
        else if (w < 0 && errno != EAGAIN && errno != EINTR)
            return -1;
    }
    if (p[1].revents & (POLLIN | POLLHUP | POLLERR)) {
        ssize_t r = recv(c->mfd, c->mb + c->mb_len, MB_CAP - c->mb_len, 0);
        if (r > 0) {
            c->mb_len += (size_t)r;
        } else if (r == 0 || (errno != EAGAIN && errno != EINTR)) {
            c->mhd_eof = 1;
            c->mhd_eof_ms = clock_monotonic_ms();
        }
    }
    if ((p[1].revents & POLLOUT) && c->fwd_off < c->fwd_len) {
        ssize_t w = send(c->mfd, c->fwd + c->fwd_off, c->fwd_len - c->fwd_off, MSG_NOSIGNAL);
        if (w > 0) {
            c->fwd_off += (size_t)w;
            if (c->fwd_off == c->fwd_len)
                c->fwd_off = c->fwd_len = 0;
        } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
            mhd_input_gone(c);
        }
    }
    return 0;
}

/* Writes what is pending without waiting for poll first (the common case: both sockets can
 * take it at once), which saves a poll round per direction and request. Returns -1 when the
 * client is gone. */
static int write_now(conn *c)
{
    if (c->fwd_off < c->fwd_len && !c->mhd_wr_shut && !c->mhd_eof) {
        ssize_t w = send(c->mfd, c->fwd + c->fwd_off, c->fwd_len - c->fwd_off, MSG_NOSIGNAL);
        if (w > 0) {
            c->fwd_off += (size_t)w;
            if (c->fwd_off == c->fwd_len)
                c->fwd_off = c->fwd_len = 0;
        } else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
            mhd_input_gone(c);
        }
    }
    if (c->out_off < c->out_len) {
        ssize_t w = send(c->cfd, c->out + c->out_off, c->out_len - c->out_off, MSG_NOSIGNAL);
        if (w > 0)
            c->out_off += (size_t)w;
        else if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
            return -1;
    }
    return 0;
}

static void conn_free(conn *c)
{
    if (c->cfd >= 0)
        close(c->cfd);
    if (c->mfd >= 0)
        close(c->mfd);
    free(c->in);
    free(c->fwd);
    free(c->mb);
    free(c->out);
    free(c);
}

static void *conn_main(void *arg)
{
    conn *c = arg;
    front_gate *g = c->g;
    while (!c->done) {
        while (!c->done && progress(c)) {
        }
        if (c->done)
            break;
        if (write_now(c) != 0)
            break;
        if (progress(c))
            continue;
        if (io_round(c) != 0)
            break; /* the client is gone: closing libmicrohttpd's end aborts its request */
        check_deadlines(c);
    }
    conn_free(c);
    pthread_mutex_lock(&g->lock);
    g->active--;
    pthread_cond_broadcast(&g->idle);
    pthread_mutex_unlock(&g->lock);
    return NULL;
}

/* Best effort, never blocks: the client gets a 503 if its socket takes it at once. */
static void turn_away(front_gate *g, int fd, const char *msg)
{
    set_nonblocking(fd);
    size_t len = 0;
    char *resp = gate_error_response(503, msg, 0, 0, &len);
    if (resp) {
        ssize_t w = send(fd, resp, len, MSG_NOSIGNAL);
        (void)w;
        free(resp);
    }
    atomic_fetch_add(&g->refused, 1);
    shutdown(fd, SHUT_WR);
    close(fd);
}

static conn *conn_new(front_gate *g, int cfd, int mfd)
{
    conn *c = calloc(1, sizeof *c);
    if (!c)
        return NULL;
    c->g = g;
    c->cfd = cfd;
    c->mfd = mfd;
    c->in = malloc(IN_CAP);
    c->fwd = malloc(FWD_CAP);
    c->mb = malloc(MB_CAP);
    c->out = malloc(OUT_CAP + ANSWER_SLACK);
    if (!c->in || !c->fwd || !c->mb || !c->out) {
        c->cfd = c->mfd = -1;
        conn_free(c);
        return NULL;
    }
    return c;
}

static void accept_one(front_gate *g)
{
    struct sockaddr_storage ss;
    socklen_t ss_len = sizeof ss;
    int fd = accept(g->cfg.listen_fd, (struct sockaddr *)&ss, &ss_len);
    if (fd < 0) {
        if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM)
            sleep_ms(10); /* out of descriptors: let connections end before trying again */
        return;
    }
    int one = 1;
    if (ss.ss_family == AF_INET || ss.ss_family == AF_INET6)
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    pthread_mutex_lock(&g->lock);
    int full = g->active >= g->cfg.max_connections;
    if (!full)
        g->active++;
    pthread_mutex_unlock(&g->lock);
    if (full) {
        turn_away(g, fd, "too many connections: try again later");
        return;
    }
    int sv[2];
    conn *c = NULL;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0) {
        sv[0] = sv[1] = -1;
    } else {
        set_nonblocking(sv[0]);
        fcntl(sv[1], F_SETFD, FD_CLOEXEC);
#ifdef SO_NOSIGPIPE
        setsockopt(sv[1], SOL_SOCKET, SO_NOSIGPIPE, &one, sizeof one);
#endif
        c = conn_new(g, fd, sv[0]);
    }
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    pthread_t tid;
    /* libmicrohttpd takes (and always closes) its end first, so that the relay never waits on
     * a socket nobody reads. */
    int ok =
        c && MHD_add_connection(g->cfg.daemon, sv[1], (struct sockaddr *)&ss, ss_len) == MHD_YES;
    if (!ok && !c && sv[1] >= 0)
        close(sv[1]);
    if (ok) {
        set_nonblocking(fd);
        ok = pthread_create(&tid, &attr, conn_main, c) == 0;
    }
    pthread_attr_destroy(&attr);
    if (!ok) {
        if (c) {
            c->cfd = -1; /* the client socket is turned away below */
            conn_free(c);
        } else if (sv[0] >= 0)
            close(sv[0]);
        turn_away(g, fd, "the server cannot take this connection now: try again later");
        pthread_mutex_lock(&g->lock);
        g->active--;
        pthread_cond_broadcast(&g->idle);
        pthread_mutex_unlock(&g->lock);
    }
}

static void *accept_main(void *arg)
{
    front_gate *g = arg;
    for (;;) {
        struct pollfd p[2] = {{g->cfg.listen_fd, POLLIN, 0}, {g->wake[0], POLLIN, 0}};
        int n = poll(p, 2, -1);
        if (n < 0 && errno != EINTR)
            break;
        if (p[1].revents)
            break;
        if (p[0].revents & POLLIN)
            accept_one(g);
    }
    return NULL;
}

front_gate *front_gate_start(const front_gate_config *cfg, char *err, size_t err_size)
{
    front_gate *g = calloc(1, sizeof *g);
    if (!g || pipe(g->wake) != 0) {
        snprintf(err, err_size, "cannot start the front gate: %s", strerror(errno));
        free(g);
        close(cfg->listen_fd);
        return NULL;
    }
    g->cfg = *cfg;
    pthread_mutex_init(&g->lock, NULL);
    pthread_cond_init(&g->idle, NULL);
    fcntl(g->cfg.listen_fd, F_SETFD, FD_CLOEXEC);
    set_nonblocking(g->cfg.listen_fd);
    if (pthread_create(&g->accept_thread, NULL, accept_main, g) != 0) {
        snprintf(err, err_size, "cannot start the accept thread");
        close(g->wake[0]);
        close(g->wake[1]);
        close(g->cfg.listen_fd);
        pthread_mutex_destroy(&g->lock);
        pthread_cond_destroy(&g->idle);
        free(g);
        return NULL;
    }
    g->accept_started = 1;
    return g;
}

void front_gate_stop_accepting(front_gate *g)
{
    if (!g || !g->accept_started)
        return;
    ssize_t w = write(g->wake[1], "x", 1);
    (void)w;
    pthread_join(g->accept_thread, NULL);
    g->accept_started = 0;
    close(g->cfg.listen_fd);
    g->cfg.listen_fd = -1;
}

int front_gate_finish(front_gate *g, int deadline_ms)
{
    if (!g)
        return 0;
    front_gate_stop_accepting(g);
    atomic_store(&g->stopping, 1);
    struct timespec deadline;
    clock_deadline_in(&deadline, deadline_ms);
    pthread_mutex_lock(&g->lock);
    while (g->active > 0)
        if (pthread_cond_timedwait(&g->idle, &g->lock, &deadline) == ETIMEDOUT)
            break;
    int busy = g->active;
    pthread_mutex_unlock(&g->lock);
    if (busy)
        return -1;
    close(g->wake[0]);
    close(g->wake[1]);
    pthread_mutex_destroy(&g->lock);
    pthread_cond_destroy(&g->idle);
    free(g);
    return 0;
}

long front_gate_refused_count(front_gate *g)
{
    return g ? atomic_load(&g->refused) : 0;
}
