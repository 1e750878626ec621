/* fixture_logger.h: the loggers of stall-test-server, one per way of logging a server can have.
 *
 *   blocking  a mutex held across a blocking write(2) to stderr, exactly like Go's log package:
 *             with nobody reading, the writer blocks holding the lock and every thread that logs
 *             after it waits on that lock (the incident)
 *   async     a bounded queue (drop newest when full, counted) and one writer thread that is
 *             the only writer of stderr: on a full pipe only that thread blocks, by design
 *   file      appends to a file and never touches stdout or stderr
 *   none      logs nothing
 * A write that meets EPIPE (the read end closed) is counted, never fatal. */
#ifndef FIXTURE_LOGGER_H
#define FIXTURE_LOGGER_H

#include <stdbool.h>
#include <stddef.h>

typedef enum fixture_log_kind { LOG_KIND_BLOCKING, LOG_KIND_ASYNC, LOG_KIND_FILE, LOG_KIND_NONE } fixture_log_kind;

/* Sets the logger up (file: path is appended to). Returns 0 or -1. */
int fixture_log_start(fixture_log_kind kind, const char *path);
/* Logs one line (a newline is added). Never blocks the caller with the async and file kinds. */
void fixture_log_line(const char *line, size_t len);
/* Whether any write met EPIPE. */
bool fixture_log_saw_epipe(void);

#endif
