/* identity_gate.h: the check of identity.h applied to every request for a Kiro endpoint, and
 * the record of what each endpoint last saw, for GET /__fake/last-identity.
 *
 * server.c runs the gate before any handler, so no endpoint can forget it and a request from
 * an unknown client sees no fault, no validation and no auth check, as with the real service:
 * 403 with x-amzn-ErrorType AccessDeniedException and the service's body shape
 * ({"__type":"AccessDeniedException","message":...}; the IdC token endpoint, an OIDC service,
 * answers {"error":"access_denied","error_description":...}), the rule that failed in
 * X-Fake-Reason. Every check is counted (identity_rejected in /__fake/stats) and recorded, so a
 * proxy test can read back the user agents its requests carried, even accepted ones. */
#ifndef FAKE_KIRO_IDENTITY_GATE_H
#define FAKE_KIRO_IDENTITY_GATE_H

#include <pthread.h>

#include <cjson/cJSON.h>
#include <microhttpd.h>

#include "identity.h"
#include "request.h"
#include "router.h"

/* Longest header value recorded; longer ones are kept cut to this many bytes. */
#define FK_IDENTITY_VALUE_MAX 511

typedef struct fk_identity_seen {
    int seen; /* 0 until the endpoint got a request */
    int accepted;
    int has_amz, has_agent; /* the header was present */
    char amz_user_agent[FK_IDENTITY_VALUE_MAX + 1];
    char user_agent[FK_IDENTITY_VALUE_MAX + 1];
    const char *problem; /* static text from identity.c, NULL when accepted */
} fk_identity_seen;

typedef struct fk_identity_log {
    pthread_mutex_t lock;
    fk_identity_seen last[FK_EP_COUNT];
} fk_identity_log;

void fk_identity_log_init(fk_identity_log *log);
void fk_identity_log_destroy(fk_identity_log *log);
void fk_identity_log_reset(fk_identity_log *log);
/* Stores what a request for endpoint carried (values NULL: header absent). */
void fk_identity_log_store(fk_identity_log *log, fk_endpoint endpoint, const char *amz,
                           const char *agent, const char *problem);
/* {"<endpoint name>":{"x-amz-user-agent":..|null,"user-agent":..|null,"accepted":bool,
 * "problem":..|null},...} for each endpoint that got a request since the last reset; caller
 * deletes (NULL when out of memory). */
cJSON *fk_identity_log_to_json(fk_identity_log *log);

struct fk_app;
/* Returns 1 when req may go on (its endpoint asks for no identity, or it carries the right
 * one). Otherwise it has queued the 403, stored the access handler's return value in *result
 * and returns 0. */
int fk_identity_gate(struct fk_app *app, struct MHD_Connection *c, fk_request *req,
                     enum MHD_Result *result);

#endif
