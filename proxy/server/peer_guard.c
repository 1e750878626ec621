/* peer_guard.c: the loopback-peer and Host checks of keyless routes; see peer_guard.h. */
#include "server/peer_guard.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>

int peer_is_loopback(request_ctx *rq)
{
    const union MHD_ConnectionInfo *info =
        MHD_get_connection_info(rq->conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
    if (!info || !info->client_addr)
        return 0;
    const struct sockaddr *sa = info->client_addr;
    if (sa->sa_family == AF_INET) {
        const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;
        return (ntohl(in->sin_addr.s_addr) >> 24) == 127;
    }
    if (sa->sa_family == AF_INET6) {
        const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;
        if (IN6_IS_ADDR_LOOPBACK(&in6->sin6_addr))
            return 1;
        return IN6_IS_ADDR_V4MAPPED(&in6->sin6_addr) && in6->sin6_addr.s6_addr[12] == 127;
    }
    return 0;
}

/* The name part of a Host value: "[v6]:port" -> "[v6]", "name:port" -> "name". */
static size_t host_name_length(const char *host)
{
    if (host[0] == '[') {
        const char *close = strchr(host, ']');
        return close ? (size_t)(close - host) + 1 : strlen(host);
    }
    const char *colon = strchr(host, ':');
    return colon ? (size_t)(colon - host) : strlen(host);
}

static int is_ip_literal(const char *name, size_t len)
{
    char text[64];
    if (len == 0 || len >= sizeof text)
        return 0;
    unsigned char addr[sizeof(struct in6_addr)];
    if (name[0] == '[') {
        if (len < 3 || name[len - 1] != ']')
            return 0;
        snprintf(text, sizeof text, "%.*s", (int)(len - 2), name + 1);
        return inet_pton(AF_INET6, text, addr) == 1;
    }
    snprintf(text, sizeof text, "%.*s", (int)len, name);
    return inet_pton(AF_INET, text, addr) == 1;
}

static int ends_with_ci(const char *s, size_t len, const char *suffix)
{
    size_t n = strlen(suffix);
    return len >= n && strncasecmp(s + len - n, suffix, n) == 0;
}

int peer_host_trusted(const proxy_config *cfg, const char *host)
{
    /* No Host (HTTP/1.0) or an empty one (RFC 9110 7.2 allows it): no browser sends either. */
    if (!host || !*host)
        return 1;
    size_t len = host_name_length(host);
    if (len == 0)
        return 0;
    if ((len == 9 && strncasecmp(host, "localhost", 9) == 0) ||
        ends_with_ci(host, len, ".localhost") || is_ip_literal(host, len))
        return 1;
    size_t configured = strlen(cfg->host);
    return configured == len && strncasecmp(host, cfg->host, len) == 0;
}
