/* bench_bodies.h: the request bodies the benches send.
 *
 *   rejected message  POST /v1/messages for a model the proxy does not know: at debug level
 *                     the proxy logs the whole body as one [KIRO_PRE] line, then answers 400
 *                     without calling the upstream: a cheap way to make big log lines;
 *   stream message    POST /v1/messages with stream:true for a model fake-kiro serves;
 *   kiro request      the body of generateAssistantResponse, sent straight to fake-kiro. */
#ifndef KIRO_BENCH_BODIES_H
#define KIRO_BENCH_BODIES_H

#include <stddef.h>

#define BENCH_UNKNOWN_MODEL "bench-unknown-model"
#define BENCH_STREAM_MODEL "claude-sonnet-4.5"

/* A body of exactly `bytes` bytes (at least 128). malloc'd; NULL on failure. */
char *bench_rejected_message(size_t bytes);

/* Small streaming request. malloc'd. */
char *bench_stream_message(void);

/* Kiro generateAssistantResponse body for the same prompt. malloc'd. */
char *bench_kiro_request(void);

#endif
