/* buf.h: a growable byte buffer with a hard size cap.
 *
 * Every buffer whose size a client or the upstream controls is a kbuf with a cap, so that an
 * attacker-sized input fails cleanly (KBUF_ERR_CAP) instead of exhausting memory. The buffer
 * always keeps a NUL after its data, so text can be used as a C string directly. */
#ifndef KIRO_UTIL_BUF_H
#define KIRO_UTIL_BUF_H

#include <stdarg.h>
#include <stddef.h>

enum { KBUF_OK = 0, KBUF_ERR_NOMEM = -1, KBUF_ERR_CAP = -2 };

typedef struct kbuf {
    char *data;   /* NUL-terminated after len bytes; NULL until the first append */
    size_t len;
    size_t alloc; /* bytes allocated, including room for the NUL */
    size_t cap;   /* maximum len; 0 means no cap (only for internally sized data) */
} kbuf;

#define KBUF_INIT(capacity) { NULL, 0, 0, (capacity) }

void kbuf_init(kbuf *b, size_t cap);
void kbuf_free(kbuf *b);
/* Keeps the allocation, forgets the content. */
void kbuf_reset(kbuf *b);
int kbuf_reserve(kbuf *b, size_t extra);
int kbuf_append(kbuf *b, const void *data, size_t len);
int kbuf_append_str(kbuf *b, const char *s);
int kbuf_append_char(kbuf *b, char c);
int kbuf_printf(kbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int kbuf_vprintf(kbuf *b, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
/* Drops the first n bytes (used by consumers that process a prefix). */
void kbuf_consume(kbuf *b, size_t n);
/* A NUL-terminated malloc'd copy of len bytes (which may hold NULs), or NULL. */
char *bytes_dup(const void *data, size_t len);

/* Hands the data to the caller (free() it); the buffer is left empty. Never NULL on success. */
char *kbuf_detach(kbuf *b, size_t *len_out);

#endif
