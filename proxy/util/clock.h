/* clock.h: time helpers: monotonic milliseconds for deadlines, RFC 3339 for files and APIs.
 * Deadlines always use the monotonic clock so that wall-clock jumps never stretch a timeout. */
#ifndef KIRO_UTIL_CLOCK_H
#define KIRO_UTIL_CLOCK_H

#include <stdint.h>
#include <stddef.h>
#include <time.h>

int64_t clock_monotonic_ms(void);
int64_t clock_monotonic_us(void);
/* Formats t (UTC) as 2025-09-29T00:00:00Z. out needs 21 bytes. */
void clock_format_rfc3339(time_t t, char *out, size_t out_size);
/* Parses RFC 3339 (with Z, +hh:mm offsets and fractional seconds). Returns 0 on success. */
int clock_parse_rfc3339(const char *s, time_t *out);
/* Sleeps ms milliseconds (<= 0: returns at once), resuming after signals. A pause between
 * polls or retries, never a substitute for synchronisation. */
void sleep_ms(int64_t ms);
/* Fills ts with the absolute CLOCK_REALTIME time ms from now (for pthread_cond_timedwait). */
void clock_deadline_in(struct timespec *ts, int64_t ms);

#endif
