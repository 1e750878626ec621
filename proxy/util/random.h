/* random.h: identifiers and jitter: UUID v4 strings, message ids, random numbers.
 * Seeded once per thread from the OS entropy source; never blocks after that. */
#ifndef KIRO_UTIL_RANDOM_H
#define KIRO_UTIL_RANDOM_H

#include <stddef.h>
#include <stdint.h>

#define UUID_STR_SIZE 37

uint64_t random_u64(void);
/* A uniformly distributed number in [0, bound). bound 0 returns 0. */
uint64_t random_below(uint64_t bound);
void random_uuid(char out[UUID_STR_SIZE]);
/* prefix followed by 24 random base62 characters, e.g. "msg_01AbC..." */
void random_id(const char *prefix, char *out, size_t out_size);

#endif
