/* last_request.c: a locked slot holding the last recorded request; see last_request.h. */
#include "last_request.h"

#include <stdlib.h>
#include <string.h>

void fk_last_request_init(fk_last_request *l)
{
    pthread_mutex_init(&l->lock, NULL);
    l->json = NULL;
}

void fk_last_request_destroy(fk_last_request *l)
{
    free(l->json);
    l->json = NULL;
    pthread_mutex_destroy(&l->lock);
}

void fk_last_request_store(fk_last_request *l, char *json)
{
    pthread_mutex_lock(&l->lock);
    char *old = l->json;
    l->json = json;
    pthread_mutex_unlock(&l->lock);
    free(old);
}

char *fk_last_request_copy(fk_last_request *l)
{
    pthread_mutex_lock(&l->lock);
    char *copy = l->json ? strdup(l->json) : NULL;
    pthread_mutex_unlock(&l->lock);
    return copy;
}

void fk_last_request_clear(fk_last_request *l)
{
    fk_last_request_store(l, NULL);
}
