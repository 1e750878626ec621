/* test_worker.c: the background-thread helper: a wake made before the body waits is not lost,
 * wakes made while it is busy count as one, a wait without a wake runs its full length, stop
 * wins over a pending wake and ends the body, and a body that ignores the stop makes
 * worker_stop() give up at its deadline instead of hanging. Every hand-over between the test
 * and the body goes through a mutex and condition variable; the only timed waits are the ones
 * under test. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>

#include "util/clock.h"
#include "util/worker.h"

#define MAX_EVENTS 8

/* What the body saw, and a gate the test opens to let it go on. */
typedef struct probe {
    pthread_mutex_t mu;
    pthread_cond_t cond;
    worker_event events[MAX_EVENTS];
    int n_events;
    int gate_open; /* the body may pass its gate */
    int at_gate;   /* the body is waiting at its gate */
    int finished;
    int64_t wait_ms; /* the body's wait length (-1: no limit) */
} probe;

static void probe_init(probe *p, int64_t wait_ms)
{
    *p = (probe){.wait_ms = wait_ms};
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cond, NULL);
}

static void probe_done(probe *p)
{
    pthread_cond_destroy(&p->cond);
    pthread_mutex_destroy(&p->mu);
}

/* Body side: stop at the gate until the test opens it. */
static void pass_gate(probe *p)
{
    pthread_mutex_lock(&p->mu);
    p->at_gate = 1;
    pthread_cond_broadcast(&p->cond);
    while (!p->gate_open)
        pthread_cond_wait(&p->cond, &p->mu);
    p->gate_open = 0;
    p->at_gate = 0;
    pthread_mutex_unlock(&p->mu);
}

static void record(probe *p, worker_event e)
{
    pthread_mutex_lock(&p->mu);
    if (p->n_events < MAX_EVENTS)
        p->events[p->n_events++] = e;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
}

/* Test side. */
static void wait_at_gate(probe *p)
{
    pthread_mutex_lock(&p->mu);
    while (!p->at_gate)
        pthread_cond_wait(&p->cond, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

static void open_gate(probe *p)
{
    pthread_mutex_lock(&p->mu);
    p->gate_open = 1;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
}

static void wait_events(probe *p, int n)
{
    pthread_mutex_lock(&p->mu);
    while (p->n_events < n)
        pthread_cond_wait(&p->cond, &p->mu);
    pthread_mutex_unlock(&p->mu);
}

/* Gate, then wait and record until told to stop. */
static void gated_body(worker *w, void *user)
{
    probe *p = user;
    pass_gate(p);
    for (;;) {
        worker_event e = worker_wait(w, p->wait_ms);
        record(p, e);
        if (e == WORKER_STOP)
            break;
        pass_gate(p);
    }
    pthread_mutex_lock(&p->mu);
    p->finished = 1;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
}

static void test_wakes_are_remembered_and_merged(void **state)
{
    (void)state;
    probe p;
    probe_init(&p, -1); /* waits have no time limit: only a wake or a stop ends them */
    worker *w = worker_start("test-worker", gated_body, &p);
    assert_non_null(w);
    wait_at_gate(&p);
    worker_wake(w); /* before the body waits: must not be lost */
    worker_wake(w); /* and two count as one */
    open_gate(&p);
    wait_events(&p, 1);
    assert_int_equal(p.events[0], WORKER_WOKEN);
    wait_at_gate(&p);
    worker_wake(w);
    open_gate(&p);
    wait_events(&p, 2);
    assert_int_equal(p.events[1], WORKER_WOKEN);
    wait_at_gate(&p);
    open_gate(&p);
    assert_int_equal(worker_stop(w, -1), 0); /* the body is in a wait: stop ends it */
    assert_int_equal(p.n_events, 3);
    assert_int_equal(p.events[2], WORKER_STOP);
    assert_true(p.finished);
    probe_done(&p);
}

static void test_wait_without_wake_times_out(void **state)
{
    (void)state;
    probe p;
    probe_init(&p, 30);
    worker *w = worker_start("test-worker", gated_body, &p);
    assert_non_null(w);
    wait_at_gate(&p);
    int64_t start = clock_monotonic_ms();
    open_gate(&p);
    wait_events(&p, 1);
    assert_int_equal(p.events[0], WORKER_TIMEOUT);
    assert_true(clock_monotonic_ms() - start >= 30); /* the full length, never less */
    wait_at_gate(&p);
    open_gate(&p);
    assert_int_equal(worker_stop(w, -1), 0);
    assert_int_equal(p.events[p.n_events - 1], WORKER_STOP);
    probe_done(&p);
}

static void *stop_in_background(void *arg)
{
    static int rc;
    rc = worker_stop(arg, -1);
    return &rc;
}

static void test_stop_wins_over_pending_wake(void **state)
{
    (void)state;
    probe p;
    probe_init(&p, -1);
    worker *w = worker_start("test-worker", gated_body, &p);
    assert_non_null(w);
    wait_at_gate(&p);
    worker_wake(w);
    /* worker_stop() waits for the body, which is held at its gate: stop from another thread,
     * and let the body go once the stop is recorded (a bounded poll for a condition). */
    pthread_t stopper;
    assert_int_equal(pthread_create(&stopper, NULL, stop_in_background, w), 0);
    int64_t give_up = clock_monotonic_ms() + 30000;
    while (!worker_stopping(w) && clock_monotonic_ms() < give_up)
        sleep_ms(1);
    assert_true(worker_stopping(w)); /* both a wake and a stop are pending now */
    open_gate(&p);
    void *rc;
    pthread_join(stopper, &rc);
    assert_int_equal(*(int *)rc, 0);
    assert_int_equal(p.n_events, 1);
    assert_int_equal(p.events[0], WORKER_STOP);
    assert_true(p.finished);
    probe_done(&p);
}

/* A body that ignores stop requests until its gate is opened. */
static void stubborn_body(worker *w, void *user)
{
    (void)w;
    probe *p = user;
    pass_gate(p);
    pthread_mutex_lock(&p->mu);
    p->finished = 1;
    pthread_cond_broadcast(&p->cond);
    pthread_mutex_unlock(&p->mu);
}

static void test_stop_gives_up_at_its_deadline(void **state)
{
    (void)state;
    static probe p; /* outlives the test's frame: the detached thread still uses it */
    probe_init(&p, -1);
    worker *w = worker_start("test-worker", stubborn_body, &p);
    assert_non_null(w);
    wait_at_gate(&p); /* the fault is in place: the body is stuck where stop cannot reach it */
    int64_t start = clock_monotonic_ms();
    assert_int_equal(worker_stop(w, 50), -1);
    int64_t took = clock_monotonic_ms() - start;
    assert_true(took >= 50);
    assert_true(took < 30000); /* it returned instead of waiting for the body */
    pthread_mutex_lock(&p.mu);
    assert_false(p.finished);
    pthread_mutex_unlock(&p.mu);
    open_gate(&p); /* the body ends and the thread frees the worker itself */
    pthread_mutex_lock(&p.mu);
    while (!p.finished)
        pthread_cond_wait(&p.cond, &p.mu);
    pthread_mutex_unlock(&p.mu);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_wakes_are_remembered_and_merged),
        cmocka_unit_test(test_wait_without_wake_times_out),
        cmocka_unit_test(test_stop_wins_over_pending_wake),
        cmocka_unit_test(test_stop_gives_up_at_its_deadline),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
