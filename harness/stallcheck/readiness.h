/* readiness.h: the port the child listens on, and knowing when it is ready.
 *
 * Readiness is decided from outside only (the port accepts and a real HTTP request gets any
 * answer), never from the child's output: the output pipe is the thing under test and nobody
 * may depend on reading it. A port that is already taken before the child starts would make
 * every later figure describe the wrong server, so it is refused. */
#ifndef STALLCHECK_READINESS_H
#define STALLCHECK_READINESS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "child_process.h"
#include "string_list.h"

/* A port that was free a moment ago (bind port 0, read it, close). -1 with err on failure. */
int readiness_pick_free_port(const char *host, char *err, size_t err_size);
/* True when something already listens on host:port or the port cannot be bound. */
bool readiness_port_is_busy(const char *host, int port);

typedef enum ready_outcome {
    READY_OK,
    READY_CHILD_EXITED,
    READY_TIMEOUT
} ready_outcome;

typedef struct ready_report {
    ready_outcome outcome;
    long attempts;
    long last_status;
    int64_t elapsed_ms;
    char last_error[160];
} ready_report;

/* Polls GET base_url+path until any HTTP answer, the child exits, or startup_ms pass. */
void readiness_wait(const char *base_url, const char *path, const string_list *headers,
                    long startup_ms, child_process *child, ready_report *out);

#endif
