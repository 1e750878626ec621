/* check.h: judging a response against a corpus case (status, API error shape, content type)
 * and small process probes (alive, resident memory) shared by the hostile and security tests. */
#ifndef KIRO_HOSTILE_CHECK_H
#define KIRO_HOSTILE_CHECK_H

#include <stddef.h>
#include <sys/types.h>

#include "corpus.h"
#include "raw_http.h"

/* 0 when r matches c's expectation; -1 with the reason in why. */
int hc_check_response(const hc_case *c, const rh_response *r, char *why, size_t why_size);

/* 0 when body is an Anthropic error {"type":"error","error":{"type","message"}} (with
 * error.type == type unless type is NULL or ""), else -1 with why. */
int hc_check_anthropic_error(const char *body, const char *type, char *why, size_t why_size);
/* 0 when body is an OpenAI error {"error":{"message","type",...}}, else -1 with why. */
int hc_check_openai_error(const char *body, const char *type, char *why, size_t why_size);

/* 1 when pid is still running (not a zombie we could reap). */
int hc_pid_alive(pid_t pid);
/* Waits (bounded) until pid has exited, without reaping it, so that stack_stop() still collects
 * its status. Returns 0 with *exit_code set (the exit status, or -signal when killed), or -1 on
 * timeout. */
int hc_wait_exited(pid_t pid, int timeout_ms, int *exit_code);

/* Resident set size of pid in KiB from /proc/PID/status (VmRSS, or VmHWM when peak is set);
 * -1 when unavailable (not Linux). */
long hc_rss_kib(pid_t pid, int peak);

#endif
