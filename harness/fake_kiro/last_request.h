/* last_request.h: the most recent generateAssistantResponse request, for GET /__fake/last-request.
 *
 * Proxy tests use it to check the translation itself (headers sent upstream, the
 * conversationState built from an Anthropic request), not only the answer that came back.
 * The record is kept as serialised JSON text so that no cJSON tree is shared between threads. */
#ifndef FAKE_KIRO_LAST_REQUEST_H
#define FAKE_KIRO_LAST_REQUEST_H

#include <pthread.h>

typedef struct fk_last_request {
    pthread_mutex_t lock;
    char *json; /* NULL until the first request */
} fk_last_request;

void fk_last_request_init(fk_last_request *l);
void fk_last_request_destroy(fk_last_request *l);
/* Takes ownership of json (malloc'd text). */
void fk_last_request_store(fk_last_request *l, char *json);
/* A malloc'd copy of the record, or NULL when there is none (or out of memory). */
char *fk_last_request_copy(fk_last_request *l);
void fk_last_request_clear(fk_last_request *l);

#endif
