/* stats.c: locked counters for GET /__fake/stats; see stats.h. */
#include "stats.h"

#include <string.h>

void fk_stats_init(fk_stats *s)
{
    memset(s, 0, sizeof *s);
    pthread_mutex_init(&s->lock, NULL);
}

void fk_stats_destroy(fk_stats *s)
{
    pthread_mutex_destroy(&s->lock);
}

void fk_stats_reset(fk_stats *s)
{
    pthread_mutex_lock(&s->lock);
    memset(s->requests, 0, sizeof s->requests);
    s->streams_completed = 0;
    s->streams_aborted = 0;
    s->streams_cut = 0;
    s->faults_injected = 0;
    s->rejected = 0;
    s->identity_rejected = 0;
    pthread_mutex_unlock(&s->lock);
}

static void add(fk_stats *s, long *counter, long delta)
{
    pthread_mutex_lock(&s->lock);
    *counter += delta;
    pthread_mutex_unlock(&s->lock);
}

void fk_stats_count_request(fk_stats *s, fk_endpoint endpoint)
{
    if ((int)endpoint >= 0 && endpoint < FK_EP_COUNT)
        add(s, &s->requests[endpoint], 1);
}

void fk_stats_count_fault(fk_stats *s)
{
    add(s, &s->faults_injected, 1);
}

void fk_stats_count_rejected(fk_stats *s)
{
    add(s, &s->rejected, 1);
}

void fk_stats_count_identity_rejected(fk_stats *s)
{
    add(s, &s->identity_rejected, 1);
}

void fk_stats_stream_begin(fk_stats *s)
{
    add(s, &s->streams_active, 1);
}

void fk_stats_stream_end(fk_stats *s, fk_stream_outcome outcome)
{
    pthread_mutex_lock(&s->lock);
    s->streams_active--;
    if (outcome == FK_STREAM_COMPLETED)
        s->streams_completed++;
    else if (outcome == FK_STREAM_CUT)
        s->streams_cut++;
    else
        s->streams_aborted++;
    pthread_mutex_unlock(&s->lock);
}

void fk_stats_hang_begin(fk_stats *s)
{
    add(s, &s->hangs_active, 1);
}

void fk_stats_hang_end(fk_stats *s)
{
    add(s, &s->hangs_active, -1);
}

cJSON *fk_stats_to_json(fk_stats *s)
{
    static const fk_endpoint counted[] = {FK_EP_ASSISTANT, FK_EP_MODELS, FK_EP_REFRESH,
                                          FK_EP_TOKEN, FK_EP_MCP, FK_EP_NOT_FOUND};
    fk_stats copy;
    pthread_mutex_lock(&s->lock);
    memcpy(copy.requests, s->requests, sizeof copy.requests);
    copy.streams_completed = s->streams_completed;
    copy.streams_aborted = s->streams_aborted;
    copy.streams_cut = s->streams_cut;
    copy.streams_active = s->streams_active;
    copy.hangs_active = s->hangs_active;
    copy.faults_injected = s->faults_injected;
    copy.rejected = s->rejected;
    copy.identity_rejected = s->identity_rejected;
    pthread_mutex_unlock(&s->lock);

    cJSON *obj = cJSON_CreateObject();
    cJSON *requests = cJSON_AddObjectToObject(obj, "requests");
    if (!requests) {
        cJSON_Delete(obj);
        return NULL;
    }
    for (size_t i = 0; i < sizeof counted / sizeof counted[0]; i++)
        cJSON_AddNumberToObject(requests, fk_endpoint_name(counted[i]),
                                (double)copy.requests[counted[i]]);
    cJSON_AddNumberToObject(obj, "streams_completed", (double)copy.streams_completed);
    cJSON_AddNumberToObject(obj, "streams_aborted", (double)copy.streams_aborted);
    cJSON_AddNumberToObject(obj, "streams_cut", (double)copy.streams_cut);
    cJSON_AddNumberToObject(obj, "streams_active", (double)copy.streams_active);
    cJSON_AddNumberToObject(obj, "hangs_active", (double)copy.hangs_active);
    cJSON_AddNumberToObject(obj, "faults_injected", (double)copy.faults_injected);
    cJSON_AddNumberToObject(obj, "rejected", (double)copy.rejected);
    cJSON_AddNumberToObject(obj, "identity_rejected", (double)copy.identity_rejected);
    return obj;
}
