/* stats.h: counters a test reads back through GET /__fake/stats.
 *
 * They let tests synchronise on what fake-kiro has seen instead of sleeping: "wait until a hang
 * is active", "wait until the aborted stream was noticed". Counters are reset by
 * POST /__fake/reset; the two gauges (streams_active, hangs_active) describe requests still in
 * flight and are never reset. */
#ifndef FAKE_KIRO_STATS_H
#define FAKE_KIRO_STATS_H

#include <pthread.h>

#include <cjson/cJSON.h>

#include "router.h"

typedef enum fk_stream_outcome {
    FK_STREAM_COMPLETED, /* every frame was sent and the response ended normally */
    FK_STREAM_ABORTED,   /* the client went away (or we shut down) before the end */
    FK_STREAM_CUT        /* fake-kiro cut it on purpose (--truncate) */
} fk_stream_outcome;

typedef struct fk_stats {
    pthread_mutex_t lock;
    long requests[FK_EP_COUNT];
    long streams_completed;
    long streams_aborted;
    long streams_cut;
    long streams_active;
    long hangs_active;
    long faults_injected;
    long rejected; /* generateAssistantResponse answered with a 4xx by validation or auth */
    long identity_rejected; /* Kiro endpoint requests refused for their client identity */
} fk_stats;

void fk_stats_init(fk_stats *s);
void fk_stats_destroy(fk_stats *s);
void fk_stats_reset(fk_stats *s);

void fk_stats_count_request(fk_stats *s, fk_endpoint endpoint);
void fk_stats_count_fault(fk_stats *s);
void fk_stats_count_rejected(fk_stats *s);
void fk_stats_count_identity_rejected(fk_stats *s);
void fk_stats_stream_begin(fk_stats *s);
void fk_stats_stream_end(fk_stats *s, fk_stream_outcome outcome);
void fk_stats_hang_begin(fk_stats *s);
void fk_stats_hang_end(fk_stats *s);

/* {"requests":{"generateAssistantResponse":n,...},"streams_completed":n,...}; caller deletes. */
cJSON *fk_stats_to_json(fk_stats *s);

#endif
