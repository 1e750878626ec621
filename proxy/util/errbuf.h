/* errbuf.h: writing a message into a caller's error buffer (char *err, size_t err_size), the
 * convention of every function here that can fail with an explanation. A NULL or empty buffer
 * is allowed and ignored. */
#ifndef KIRO_UTIL_ERRBUF_H
#define KIRO_UTIL_ERRBUF_H

#include <stddef.h>

void errbuf_set(char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
