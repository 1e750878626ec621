/* timeline_sampler.c: the pipe sampler thread; see timeline_sampler.h. */
#include "timeline_sampler.h"

#include <string.h>
#include <time.h>

#include "platform/platform.h"

timeline_reader_state timeline_sampler_reader_state(reader_mode mode, const reader_snapshot *snap)
{
    if (snap->active == READER_DRAIN)
        return TL_READER_DRAINING;
    switch (mode) {
    case READER_NEVER:
        return TL_READER_NONE;
    case READER_CLOSE:
        return TL_READER_CLOSED;
    case READER_SCANNER:
        return snap->scanner_stopped ? TL_READER_STOPPED : TL_READER_READING;
    case READER_SLOW:
        return TL_READER_READING;
    case READER_DRAIN:
        return TL_READER_DRAINING;
    }
    return TL_READER_UNKNOWN;
}

static void look_once(timeline_sampler *s)
{
    for (size_t i = 0; i < s->pipe_count; i++) {
        reader_snapshot snap;
        memset(&snap, 0, sizeof snap);
        reader_get_snapshot(&s->readers[i], &snap);
        timeline_pipe_add(
            s->tl, (unsigned)i, log_pipe_pending(&s->pipes[i]), log_pipe_has_room(&s->pipes[i]),
            timeline_sampler_reader_state(s->readers[i].mode, &snap), snap.bytes_read);
    }
    s->samples++;
}

static int64_t thread_cpu_us(void)
{
#if defined(CLOCK_THREAD_CPUTIME_ID)
    struct timespec ts;
    if (clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts) == 0)
        return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
#endif
    return -1;
}

static void *sampler_thread(void *arg)
{
    timeline_sampler *s = arg;
    platform_set_thread_name("stall-sampler");
    unsigned long seq = 0;
    while (!atomic_load(&s->stop)) {
        look_once(s);
        /* the next look: after interval_ms, or at once after an event */
        (void)timeline_wait_event(s->tl, &seq, s->interval_ms);
    }
    look_once(s); /* the state at the end */
    s->cpu_us = thread_cpu_us();
    return NULL;
}

int timeline_sampler_start(timeline_sampler *s, timeline *tl, const log_pipe *pipes,
                           pipe_reader *readers, size_t pipe_count, long interval_ms)
{
    memset(s, 0, sizeof *s);
    s->cpu_us = -1;
    atomic_init(&s->stop, false);
    if (interval_ms <= 0 || !tl || !tl->pipe)
        return 0;
    s->tl = tl;
    s->pipes = pipes;
    s->readers = readers;
    s->pipe_count = pipe_count;
    s->interval_ms = interval_ms;
    if (pthread_create(&s->thread, NULL, sampler_thread, s) != 0)
        return -1;
    s->running = true;
    return 0;
}

void timeline_sampler_stop(timeline_sampler *s)
{
    if (!s->running)
        return;
    atomic_store(&s->stop, true);
    timeline_poke(s->tl); /* wakes the thread now rather than at its next interval */
    pthread_join(s->thread, NULL);
    s->running = false;
}
