/* listen_addr.c: HOST:PORT parsing; see listen_addr.h. */
#include "util/listen_addr.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static int parse_port(const char *text, int *port)
{
    size_t n = strlen(text);
    if (n == 0 || n > 5 || strspn(text, "0123456789") != n)
        return -1;
    long value = strtol(text, NULL, 10);
    if (value > 65535)
        return -1;
    *port = (int)value;
    return 0;
}

static int is_host_text(const char *s, size_t len, int bracketed)
{
    if (len == 0)
        return 0;
    for (size_t i = 0; i < len; i++) {
        unsigned char ch = (unsigned char)s[i];
        int ok = isalnum(ch) || ch == '.' || ch == '-' || ch == '_' ||
                 (bracketed && (ch == ':' || ch == '%'));
        if (!ok)
            return 0;
    }
    return 1;
}

int listen_addr_parse(const char *text, char *host, size_t host_size, int *port)
{
    if (!text || !host || host_size == 0 || !port)
        return -1;
    const char *host_start = NULL;
    size_t host_len = 0;
    const char *port_text;
    int bracketed = 0;

    if (text[0] == '[') {
        const char *close = strchr(text, ']');
        if (!close || close[1] != ':')
            return -1;
        host_start = text + 1;
        host_len = (size_t)(close - host_start);
        port_text = close + 2;
        bracketed = 1;
    } else {
        const char *colon = strrchr(text, ':');
        if (!colon) {
            port_text = text; /* "PORT" */
        } else {
            if (memchr(text, ':', (size_t)(colon - text)))
                return -1; /* an IPv6 address needs brackets */
            host_start = text;
            host_len = (size_t)(colon - text);
            port_text = colon + 1;
        }
    }
    int parsed_port;
    if (parse_port(port_text, &parsed_port) != 0)
        return -1;
    if (host_len == 0) {
        if (bracketed)
            return -1; /* "[]:80" */
        host_start = LISTEN_ADDR_DEFAULT_HOST;
        host_len = strlen(LISTEN_ADDR_DEFAULT_HOST);
    } else if (!is_host_text(host_start, host_len, bracketed)) {
        return -1;
    }
    if (host_len >= host_size)
        return -1;
    memcpy(host, host_start, host_len);
    host[host_len] = '\0';
    *port = parsed_port;
    return 0;
}
