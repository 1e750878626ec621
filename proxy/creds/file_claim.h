/* file_claim.h: one load or save of a store's file at a time, without holding the store's mutex
 * across the disk I/O. The credential pool and the user store both persist through this: a
 * claimant waits on a condition variable (not on the mutex) while another load or save runs, so
 * request threads that only need the store's memory never wait for the disk. */
#ifndef KIRO_FILE_CLAIM_H
#define KIRO_FILE_CLAIM_H

#include <pthread.h>

typedef struct file_claim {
    pthread_mutex_t *mu; /* the store's mutex, held only to flip the flag */
    pthread_cond_t idle; /* signalled when busy drops */
    int busy;
} file_claim;

void file_claim_init(file_claim *c, pthread_mutex_t *mu);
void file_claim_destroy(file_claim *c);
/* Waits until no other load or save owns the file, then owns it. Call without holding mu. */
void file_claim_take(file_claim *c);
void file_claim_release(file_claim *c);

#endif
