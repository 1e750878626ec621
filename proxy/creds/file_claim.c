/* file_claim.c: serialised file ownership for stores; see file_claim.h. */
#include "creds/file_claim.h"

void file_claim_init(file_claim *c, pthread_mutex_t *mu)
{
    c->mu = mu;
    c->busy = 0;
    pthread_cond_init(&c->idle, NULL);
}

void file_claim_destroy(file_claim *c)
{
    pthread_cond_destroy(&c->idle);
}

void file_claim_take(file_claim *c)
{
    pthread_mutex_lock(c->mu);
    while (c->busy)
        pthread_cond_wait(&c->idle, c->mu);
    c->busy = 1;
    pthread_mutex_unlock(c->mu);
}

void file_claim_release(file_claim *c)
{
    pthread_mutex_lock(c->mu);
    c->busy = 0;
    pthread_cond_broadcast(&c->idle);
    pthread_mutex_unlock(c->mu);
}
