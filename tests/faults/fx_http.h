/* fx_http.h: requests a fault case makes: to the proxy with the API or admin key, to
 * fake-kiro's control endpoints, and in the background (a request that hangs on purpose runs
 * on its own thread while the case probes). Every request has a deadline (tests/support/http.h). */
#ifndef FX_HTTP_H
#define FX_HTTP_H

#include <pthread.h>

#include "fx_stack.h"
#include "http.h"

extern const char *const fx_api_headers[];
extern const char *const fx_admin_headers[];

/* An Anthropic /v1/messages body with one user message (malloc'd). */
char *fx_messages_body(int stream, const char *text);
/* The same with text_bytes bytes of filler text (the log-pipe trigger at debug level). */
char *fx_large_messages_body(int stream, size_t text_bytes);

int fx_proxy_request(fx_stack *s, const char *method, const char *path, const char *const *headers,
                     const char *body, int timeout_ms, tp_response *out);
int fx_fake_request(fx_stack *s, const char *method, const char *path, const char *body,
                    tp_response *out);
/* POST /__fake/faults with a JSON object; 0 when fake-kiro accepted it. */
int fx_fake_set(fx_stack *s, const char *json);

/* A request on its own thread. */
typedef struct fx_bg {
    pthread_t thread;
    int started;
    char url[256];
    char *body;
    const char *const *headers;
    int timeout_ms;
    tp_response resp;
    int rc;
    long long elapsed_ms;
    int done; /* guarded by lock */
    int inited;
    pthread_mutex_t lock;
} fx_bg;

/* Starts GET path (body NULL) or POST path with body (copied) on the proxy. 0 or -1. */
int fx_bg_start(fx_bg *bg, fx_stack *s, const char *path, const char *const *headers,
                const char *body, int timeout_ms);
int fx_bg_done(fx_bg *bg);
/* Joins (bounded by the request's own deadline); the response stays in bg->resp. */
void fx_bg_join(fx_bg *bg);
/* Frees bg; also fine on a zeroed fx_bg that was never started. */
void fx_bg_free(fx_bg *bg);

/* Checks that r is an Anthropic error {"type":"error","error":{"type":type,"message":...}}. */
int fx_is_anthropic_error(const tp_response *r, const char *type, char *message, size_t size);

#endif
