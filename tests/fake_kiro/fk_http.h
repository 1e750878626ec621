/* fk_http.h: the libcurl client side of the fake-kiro tests.
 *
 * One blocking request per call, always with a timeout, collecting status, body and the headers
 * the tests look at. Helpers on top read /__fake/stats and wait (bounded) for a counter to reach
 * a value, which is how tests synchronise with what fake-kiro has observed. */
#ifndef FK_TEST_HTTP_H
#define FK_TEST_HTTP_H

#include <stddef.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "util/buf.h"

#define FK_HTTP_TIMEOUT_MS 20000

typedef struct fk_response {
    long status;
    CURLcode curl_code;
    kbuf body;
    char reason[256];       /* X-Fake-Reason */
    char content_type[128];
    char error_type[128];   /* x-amzn-ErrorType */
    size_t abort_after;     /* set before the call: drop the connection after this many body
                               bytes (0 = read everything) */
} fk_response;

/* Prepares r (abort_after 0). */
void fk_response_init(fk_response *r);
void fk_response_free(fk_response *r);
/* method GET or POST; bearer NULL sends no Authorization; body NULL sends none. Returns the
 * CURLcode (also in r->curl_code). */
CURLcode fk_http(fk_response *r, const char *method, const char *url, const char *bearer,
                 const char *body, long timeout_ms);
/* base_url + path, POST, with Bearer test-token and the default timeout. */
CURLcode fk_post(fk_response *r, const char *base_url, const char *path, const char *body);
/* The body parsed as JSON (caller deletes), or NULL. */
cJSON *fk_response_json(const fk_response *r);

/* A counter of GET /__fake/stats: "streams_aborted" or "requests.token". -1 on error. */
long fk_stat(const char *base_url, const char *name);
/* Polls fk_stat until it equals want or timeout_ms passes. Returns 0 when reached. */
int fk_wait_stat(const char *base_url, const char *name, long want, int timeout_ms);
/* POST /__fake/faults with json. Returns the HTTP status. */
long fk_set_faults(const char *base_url, const char *json);

#endif
