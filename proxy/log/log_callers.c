/* log_callers.c: the registry of per-thread caller blocks; see log_callers.h.
 *
 * One mutex guards the list of live blocks, the spare blocks and the retired totals. It is
 * taken when a thread registers (its first log call) or exits, by statistics readers, and by
 * log_stop(); a logging caller only ever try-locks it (to count drops for a gap line), so no
 * caller waits on it while it is inside the logger. */
#include "log/log_callers.h"

#include "util/clock.h"

#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <string.h>

enum {
    BLOCK_ALIGN = 64, /* a block per cache line (or more), never two threads on one line */
    YIELDS_BEFORE_SLEEP = 100,
};

_Thread_local log_caller *log_caller_current;

static struct {
    pthread_mutex_t lock;
    log_caller *live;  /* doubly linked */
    log_caller *spare; /* blocks of exited threads, linked by next */
    uint64_t retired[CALLER_COUNTERS];
    pthread_key_t exit_key;
    int key_ok;
    pthread_once_t key_once;
} registry = {PTHREAD_MUTEX_INITIALIZER, NULL, NULL, {0}, 0, 0, PTHREAD_ONCE_INIT};

/* Thread exit: fold the thread's counts into the retired totals and keep its block. */
static void retire(void *arg)
{
    log_caller *c = arg;
    pthread_mutex_lock(&registry.lock);
    for (int k = 0; k < CALLER_COUNTERS; k++) {
        registry.retired[k] += atomic_load_explicit(&c->count[k], memory_order_relaxed);
        atomic_store_explicit(&c->count[k], 0, memory_order_relaxed);
    }
    if (c->prev)
        c->prev->next = c->next;
    else
        registry.live = c->next;
    if (c->next)
        c->next->prev = c->prev;
    c->prev = NULL;
    c->next = registry.spare;
    registry.spare = c;
    pthread_mutex_unlock(&registry.lock);
    log_caller_current = NULL; /* a later call (another key's destructor) registers again */
}

static void create_key(void)
{
    registry.key_ok = pthread_key_create(&registry.exit_key, retire) == 0;
}

static log_caller *new_block(void)
{
    size_t size = (sizeof(log_caller) + BLOCK_ALIGN - 1) / BLOCK_ALIGN * BLOCK_ALIGN;
    log_caller *c = aligned_alloc(BLOCK_ALIGN, size);
    if (!c)
        return NULL;
    memset(c, 0, size);
    for (int k = 0; k < CALLER_COUNTERS; k++)
        atomic_init(&c->count[k], 0);
    atomic_init(&c->inside, 0);
    return c;
}

log_caller *log_caller_register(void)
{
    pthread_once(&registry.key_once, create_key);
    pthread_mutex_lock(&registry.lock);
    log_caller *c = registry.spare;
    if (c)
        registry.spare = c->next;
    else
        c = new_block();
    if (c) {
        c->prev = NULL;
        c->next = registry.live;
        if (registry.live)
            registry.live->prev = c;
        registry.live = c;
    }
    pthread_mutex_unlock(&registry.lock);
    if (!c)
        return NULL;
    /* Without the key (no destructor), the block stays live when the thread exits: its counts
     * still add up, only the block is not reused. */
    if (registry.key_ok)
        pthread_setspecific(registry.exit_key, c);
    log_caller_current = c;
    return c;
}

static _Atomic uint64_t orphan_lines, orphan_bytes;

void log_callers_count_orphan(uint64_t bytes)
{
    atomic_fetch_add(&orphan_lines, 1);
    atomic_fetch_add(&orphan_bytes, bytes);
}

int log_callers_sum(log_caller_sums *out, int try_only)
{
    if (try_only) {
        if (pthread_mutex_trylock(&registry.lock) != 0)
            return -1;
    } else {
        pthread_mutex_lock(&registry.lock);
    }
    memcpy(out->value, registry.retired, sizeof out->value);
    for (const log_caller *c = registry.live; c; c = c->next)
        for (int k = CALLER_COUNTERS - 1; k >= 0; k--) /* reverse order: see log_caller_add */
            out->value[k] += atomic_load_explicit(&c->count[k], memory_order_acquire);
    pthread_mutex_unlock(&registry.lock);
    uint64_t lines = atomic_load(&orphan_lines), bytes = atomic_load(&orphan_bytes);
    out->value[CALLER_LINES_LOGGED] += lines;
    out->value[CALLER_BYTES_LOGGED] += bytes;
    out->value[CALLER_LINES_DROPPED] += lines;
    out->value[CALLER_BYTES_DROPPED] += bytes;
    return 0;
}

static int anyone_inside(void)
{
    int inside = 0;
    pthread_mutex_lock(&registry.lock);
    for (const log_caller *c = registry.live; c && !inside; c = c->next)
        inside = atomic_load_explicit(&c->inside, memory_order_seq_cst);
    pthread_mutex_unlock(&registry.lock);
    return inside;
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
