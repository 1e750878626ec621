/* http.h: a small libcurl client for tests: one request, a deadline, status/body/headers. */
#ifndef KIRO_TEST_HTTP_H
#define KIRO_TEST_HTTP_H

#include <stddef.h>

typedef struct tp_response {
    long status;          /* 0 when no answer */
    char *body;           /* NUL-terminated, malloc'd */
    size_t body_len;
    char content_type[128];
    char allow[64];
    double seconds;
    int timed_out;
    int curl_code;
} tp_response;

/* headers: NULL-terminated list of "Name: value". body may be NULL. Returns 0 when an HTTP
 * answer arrived (any status), -1 otherwise (timed_out set on a deadline). */
int tp_http(const char *method, const char *url, const char *const *headers, const char *body,
            size_t body_len, int timeout_ms, tp_response *out);
void tp_response_free(tp_response *r);

#endif
