/* stack.h: a running test stack: fake-kiro (the upstream emulator) and one proxy build in front
 * of it, with a credentials file in a private temporary directory. Shared by the end-to-end tests
 * and the fault tests; every process is reaped by stack_stop(). */
#ifndef KIRO_TEST_STACK_H
#define KIRO_TEST_STACK_H

#include <sys/types.h>

#include "http.h"

#define STACK_API_KEY "sk-test-api-key-0123456789"
#define STACK_ADMIN_KEY "adm-test-admin-key-0123456789"

typedef struct test_stack {
    char dir[128];
    char credentials_path[256];
    char proxy_log_path[256];
    pid_t fake_pid;
    pid_t proxy_pid;
    int fake_port;
    int proxy_port;
    char fake_url[64];
    char proxy_url[64];
} test_stack;

typedef struct stack_options {
    const char *proxy;              /* "kiro-proxy-async" (default) or "kiro-proxy-blocking" */
    const char *const *fake_args;   /* extra fake-kiro flags, NULL-terminated */
    const char *const *proxy_args;  /* extra proxy flags, NULL-terminated */
    const char *credentials_json;   /* NULL: one credential valid until 2099 */
    int no_admin_key;
} stack_options;

/* Starts both processes and waits until the proxy answers /health. Returns 0 or -1. */
int stack_start(test_stack *s, const stack_options *o);
/* Stops both processes. Returns 0 when the proxy exited by itself with status 0 after SIGTERM
 * (a sanitizer report or a crash makes it non-zero), -1 otherwise. */
int stack_stop(test_stack *s);

/* Request to the proxy: path relative to its URL, API key header added when with_key. */
int stack_request(test_stack *s, const char *method, const char *path, const char *body,
                  int with_key, int timeout_ms, tp_response *out);
/* Request with explicit headers (NULL-terminated). */
int stack_request_h(test_stack *s, const char *method, const char *path, const char *body,
                    const char *const *headers, int timeout_ms, tp_response *out);
/* Request to fake-kiro (e.g. /__fake/stats). */
int stack_fake_request(test_stack *s, const char *method, const char *path, const char *body,
                       tp_response *out);

#endif
