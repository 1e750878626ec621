/* fx_check.h: the outcome of one build's run of one fault case.
 *
 * The same case body runs against kiro-proxy-async (strict: a failed check fails the ctest
 * test) and kiro-proxy-blocking (recorded only: a failed check is an observation for the
 * report). A check states the expected behaviour; notes carry the measurements that go into the
 * results table. Also home of the clock and polling helpers every case uses. */
#ifndef FX_CHECK_H
#define FX_CHECK_H

#include <stddef.h>

typedef struct fx_run {
    const char *case_name;
    const char *build;  /* "kiro-proxy-async" or "kiro-proxy-blocking" */
    int strict;         /* 1: failures fail the test; 0: recorded only */
    int checks;
    int failures;
    char first_failure[320];
    char notes[900];
} fx_run;

void fx_run_init(fx_run *run, const char *case_name, const char *build, int strict);

/* Records one check; returns ok. Use FX_CHECK. */
int fx_check_at(fx_run *run, int ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
#define FX_CHECK(run, ok, ...) fx_check_at((run), (ok) ? 1 : 0, __FILE__, __LINE__, __VA_ARGS__)

/* Appends "; text" to the run's notes (the measurements shown in the report). */
void fx_note(fx_run *run, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* One line for the report: "ok: notes" or "FAIL (n): first failure; notes". */
void fx_run_summary(const fx_run *run, char *out, size_t size);

long long fx_now_ms(void);
void fx_sleep_ms(int ms);

/* Calls cond(arg) every interval_ms until it returns non-zero or timeout_ms passes. Returns 1
 * when the condition held, 0 on timeout. This is polling for a condition, not a sleep standing
 * in for synchronisation: the deadline is only an upper bound. */
int fx_poll_until(int timeout_ms, int interval_ms, int (*cond)(void *), void *arg);

#endif
