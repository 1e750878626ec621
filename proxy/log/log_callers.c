/* log_callers.c: the registry of per-thread caller blocks; see log_callers.h.
 *
 * One list of blocks that only grows, headed by an atomic pointer: a block is pushed with a
 * compare-and-swap of the head, its next pointer is fixed before it is published (release) and
 * never changes, and no block is ever unlinked or freed, so readers walk the list without a
 * lock while threads register. A block is claimed by a compare-and-swap of its owned flag; a
 * thread-exit hook (a pthread key destructor) lowers the flag. */
#include "log/log_callers.h"

#include "util/clock.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

enum {
    STATIC_BLOCKS = 256, /* blocks that need no malloc (32 KiB); later threads allocate */
    YIELDS_BEFORE_SLEEP = 100,
};

_Thread_local log_caller *log_caller_current;

static log_caller static_blocks[STATIC_BLOCKS];
static _Atomic unsigned static_taken; /* static_blocks[0..static_taken) handed out */
static _Atomic(log_caller *) blocks;  /* head of the list of every block */
static pthread_key_t exit_key;
static _Atomic int exit_key_ok;
static pthread_once_t exit_key_once = PTHREAD_ONCE_INIT;

/* Thread exit: the block is free for the next new thread; its counts stay in it. */
static void release_block(void *arg)
{
    log_caller *c = arg;
    if (log_caller_current == c)
        log_caller_current = NULL; /* a later call (another key's destructor) registers again */
    /* Release: everything the thread counted happens before the next owner's first count. */
    atomic_store_explicit(&c->owned, 0, memory_order_release);
}

static void create_exit_key(void)
{
    if (pthread_key_create(&exit_key, release_block) == 0)
        atomic_store_explicit(&exit_key_ok, 1, memory_order_release);
}

void log_callers_prepare(void)
{
    pthread_once(&exit_key_once, create_exit_key);
}

/* A block that is in no list yet: a static one while they last, else from malloc. */
static log_caller *new_block(void)
{
    log_caller *c = NULL;
    unsigned taken = atomic_load_explicit(&static_taken, memory_order_relaxed);
    while (taken < STATIC_BLOCKS) {
        if (atomic_compare_exchange_weak_explicit(&static_taken, &taken, taken + 1,
                                                  memory_order_relaxed, memory_order_relaxed)) {
            c = &static_blocks[taken];
            break;
        }
    }
    if (!c) {
        c = aligned_alloc(_Alignof(log_caller), sizeof(log_caller));
        if (!c)
            return NULL;
        memset(c, 0, sizeof *c);
    }
    for (int k = 0; k < CALLER_COUNTERS; k++)
        atomic_init(&c->count[k], 0);
    atomic_init(&c->inside, 0);
    atomic_init(&c->owned, 1); /* ours before anyone can see it */
    return c;
}

/* A free block already in the list, now owned by the caller, or NULL. Acquire: the counts the
 * previous owner stored are seen before this thread adds to them. */
static log_caller *claim_free_block(void)
{
    for (log_caller *c = atomic_load_explicit(&blocks, memory_order_acquire); c; c = c->next) {
        int expected = 0;
        if (!atomic_load_explicit(&c->owned, memory_order_relaxed) &&
            atomic_compare_exchange_strong_explicit(&c->owned, &expected, 1, memory_order_acquire,
                                                    memory_order_relaxed))
            return c;
    }
    return NULL;
}

/* Sequentially consistent, like the caller's inside flag and log_stop()'s walk: a block pushed
 * before its thread raised the flag is in the list log_stop() walks after unpublishing. */
static void publish_block(log_caller *c)
{
    log_caller *head = atomic_load_explicit(&blocks, memory_order_relaxed);
    do {
        c->next = head;
    } while (!atomic_compare_exchange_weak_explicit(&blocks, &head, c, memory_order_seq_cst,
                                                    memory_order_relaxed));
}

log_caller *log_caller_register(void)
{
    /* Set up by log_start() in every normal run; only a call before the first log_start()
     * takes this one-time path. */
    if (!atomic_load_explicit(&exit_key_ok, memory_order_acquire))
        log_callers_prepare();
    log_caller *c = claim_free_block();
    if (!c) {
        c = new_block();
        if (!c)
            return NULL;
        publish_block(c);
    }
    /* Without the key (no destructor), the block stays owned when the thread exits: its
     * counts still add up, only the block is not reused. */
    if (atomic_load_explicit(&exit_key_ok, memory_order_acquire))
        pthread_setspecific(exit_key, c);
    log_caller_current = c;
    return c;
}

static _Atomic uint64_t orphan_lines, orphan_bytes;

void log_callers_count_orphan(uint64_t bytes)
{
    atomic_fetch_add(&orphan_lines, 1);
    atomic_fetch_add(&orphan_bytes, bytes);
}

void log_callers_sum(log_caller_sums *out)
{
    memset(out->value, 0, sizeof out->value);
    for (const log_caller *c = atomic_load_explicit(&blocks, memory_order_acquire); c; c = c->next)
        for (int k = CALLER_COUNTERS - 1; k >= 0; k--) /* reverse order: see log_caller_add */
            out->value[k] +=
                atomic_load_explicit(&((log_caller *)c)->count[k], memory_order_acquire);
    uint64_t lines = atomic_load(&orphan_lines), bytes = atomic_load(&orphan_bytes);
    out->value[CALLER_LINES_LOGGED] += lines;
    out->value[CALLER_BYTES_LOGGED] += bytes;
    out->value[CALLER_LINES_DROPPED] += lines;
    out->value[CALLER_BYTES_DROPPED] += bytes;
}

static int anyone_inside(void)
{
    for (log_caller *c = atomic_load_explicit(&blocks, memory_order_seq_cst); c; c = c->next)
        if (atomic_load_explicit(&c->inside, memory_order_seq_cst))
            return 1;
    return 0;
}

int log_callers_wait_outside(int64_t deadline_ms)
{
    /* A caller inside is copying memory: it leaves within microseconds once it runs, so yield
     * to it first and only then sleep. */
    for (int tries = 0; anyone_inside(); tries++) {
        if (clock_monotonic_ms() >= deadline_ms)
            return 0;
        if (tries < YIELDS_BEFORE_SLEEP)
            sched_yield();
        else
            sleep_ms(1);
    }
    return 1;
}
