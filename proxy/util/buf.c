/* buf.c: growable byte buffer with a hard cap; see buf.h. */
#include "util/buf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void kbuf_init(kbuf *b, size_t cap)
{
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    b->cap = cap;
}

void kbuf_free(kbuf *b)
{
    free(b->data);
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
}

void kbuf_reset(kbuf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
}

int kbuf_reserve(kbuf *b, size_t extra)
{
    if (b->cap && (extra > b->cap || b->len > b->cap - extra))
        return KBUF_ERR_CAP;
    if (extra > (size_t)-1 / 2 - b->len)
        return KBUF_ERR_NOMEM;
    size_t need = b->len + extra + 1;
    if (need <= b->alloc)
        return KBUF_OK;
    size_t n = b->alloc ? b->alloc : 256;
    while (n < need)
        n *= 2;
    char *p = realloc(b->data, n);
    if (!p)
        return KBUF_ERR_NOMEM;
    b->data = p;
    b->alloc = n;
    return KBUF_OK;
}

int kbuf_append(kbuf *b, const void *data, size_t len)
{
    int rc = kbuf_reserve(b, len);
    if (rc != KBUF_OK)
        return rc;
    if (len)
        memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return KBUF_OK;
}

int kbuf_append_str(kbuf *b, const char *s)
{
    return kbuf_append(b, s, strlen(s));
}

int kbuf_append_char(kbuf *b, char c)
{
    return kbuf_append(b, &c, 1);
}

int kbuf_vprintf(kbuf *b, const char *fmt, va_list ap)
{
    va_list copy;
    va_copy(copy, ap);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, copy);
    va_end(copy);
    if (n < 0)
        return KBUF_ERR_NOMEM;
    if ((size_t)n < sizeof small)
        return kbuf_append(b, small, (size_t)n);
    int rc = kbuf_reserve(b, (size_t)n);
    if (rc != KBUF_OK)
        return rc;
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    b->len += (size_t)n;
    return KBUF_OK;
}

int kbuf_printf(kbuf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = kbuf_vprintf(b, fmt, ap);
    va_end(ap);
    return rc;
}

void kbuf_consume(kbuf *b, size_t n)
{
    if (n >= b->len) {
        kbuf_reset(b);
        return;
    }
    memmove(b->data, b->data + n, b->len - n);
    b->len -= n;
    b->data[b->len] = '\0';
}

char *bytes_dup(const void *data, size_t len)
{
    char *p = malloc(len + 1);
    if (!p)
        return NULL;
    if (len)
        memcpy(p, data, len);
    p[len] = '\0';
    return p;
}

char *kbuf_detach(kbuf *b, size_t *len_out)
{
    if (!b->data && kbuf_reserve(b, 0) != KBUF_OK)
        return NULL;
    char *p = b->data;
    if (len_out)
        *len_out = b->len;
    b->data = NULL;
    b->len = 0;
    b->alloc = 0;
    return p;
}
