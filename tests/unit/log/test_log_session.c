/* test_log_session.c: who frees an async logger session (proxy/log/log_session.c). The drain
 * thread finishing and log_stop() giving up may happen in either order or at the same moment
 * (a drain thread that exits right at the stop deadline): exactly one side must own the
 * session every time - never both (a double free), never neither (the leak issue 16 found when
 * the decision rested on two flags under two locks). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>

#include "log/log.h"
#include "log/log_format.h"
#include "log/log_session.h"

enum { RACES = 2000 };

typedef struct race {
    log_session *s;
    atomic_int go;
    int result;
} race;

static void *drain_side(void *arg)
{
    race *r = arg;
    while (!atomic_load(&r->go)) {
    }
    r->result = log_session_drain_done(r->s);
    return NULL;
}

static log_session *new_session(void)
{
    log_config c;
    log_config_defaults(&c);
    c.queue_bytes = 4096;
    c.queue_lines = 16;
    log_config normalized;
    log_config_normalize(&c, &normalized);
    log_session *s = log_session_create(&normalized);
    assert_non_null(s);
    return s;
}

/* In order, each way round: the answers say who owns it. */
static void test_owner_in_either_order(void **state)
{
    (void)state;
    log_session *s = new_session();
    assert_int_equal(log_session_drain_done(s), 0); /* drain first: log_stop() frees */
    assert_int_equal(log_session_give_up(s), 1);
    log_session_free(s);

    s = new_session();
    assert_int_equal(log_session_give_up(s), 0); /* log_stop() first: the drain frees */
    assert_int_equal(log_session_drain_done(s), 1);
    log_session_free(s);
}

/* At the same moment, many times: exactly one owner each time, and both orders happen. */
static void test_exactly_one_owner_when_racing(void **state)
{
    (void)state;
    int drain_owned = 0, stop_owned = 0;
    for (int i = 0; i < RACES; i++) {
        race r = {new_session(), 0, -1};
        atomic_init(&r.go, 0);
        pthread_t t;
        assert_int_equal(pthread_create(&t, NULL, drain_side, &r), 0);
        atomic_store(&r.go, 1);
        int stop_keeps = log_session_give_up(r.s);
        pthread_join(t, NULL);
        int drain_keeps = r.result;
        assert_int_equal(drain_keeps + stop_keeps, 1);
        drain_owned += drain_keeps;
        stop_owned += stop_keeps;
        log_session_free(r.s); /* by whichever side owned it: here, the test */
    }
    assert_int_equal(drain_owned + stop_owned, RACES);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_owner_in_either_order),
        cmocka_unit_test(test_exactly_one_owner_when_racing),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
