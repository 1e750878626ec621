/* fk_http.h: the libcurl client side of the fake-kiro tests.
 *
 * One blocking request per call, always with a timeout, collecting status, body and the headers
 * the tests look at. Requests for the Kiro endpoints carry the user agents a Kiro client sends
 * (fake-kiro refuses others with 403, see harness/fake_kiro/identity.h) unless the test sets
 * its own. Helpers on top read /__fake/stats and wait (bounded) for a counter to reach
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
    const char *const *identity; /* set before the call: these "Name: value" lines (NULL-ended;
                                    an empty list sends none) instead of the default identity */
} fk_response;

/* Prepares r (abort_after 0). */
void fk_response_init(fk_response *r);
void fk_response_free(fk_response *r);
/* method GET or POST; bearer NULL sends no Authorization; body NULL sends none. Returns the
 * CURLcode (also in r->curl_code). */
CURLcode fk_http(fk_response *r, const char *method, const char *url, const char *bearer,
                 const char *body, long timeout_ms);
/* The identity fk_http sends by default: the user agents of the Kiro IDE 1.6.0 (machine id
 * FK_TEST_MACHINE_ID) for the Kiro API calls, of its social or IdC refresh for .../refreshToken
 * and .../token, none for /__fake/. NULL-terminated "Name: value" lines. */
#define FK_TEST_MACHINE_ID "fk-test-machine-0001"
const char *const *fk_default_identity(const char *url);
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
