/* capture_log.h: a test implementation of log/log.h that keeps every line in memory, so tests
 * can assert what the creds module logs (for instance that no token appears unmasked).
 * It replaces kiro_log_async/kiro_log_blocking in the creds tests: those loggers write to a
 * file descriptor, which would make the assertions depend on another module's behaviour. */
#ifndef KIRO_TEST_CAPTURE_LOG_H
#define KIRO_TEST_CAPTURE_LOG_H

#include <stddef.h>

/* Forgets every captured line. */
void capture_log_reset(void);
/* 1 when any captured line contains needle. */
int capture_log_contains(const char *needle);
size_t capture_log_lines(void);
/* A malloc'd copy of everything captured ("LEVEL message\n" per line). */
char *capture_log_text(void);

#endif
