/* fx_finish.h: the end of every case: SIGTERM to the proxy, which must exit by itself with
 * status 0 within the bound (not crash, not die of a signal, not hang), then everything is
 * killed, reaped and removed. */
#ifndef FX_FINISH_H
#define FX_FINISH_H

#include "fx_check.h"
#include "fx_stack.h"

#define FX_EXIT_GRACE_MS 5000

void fx_finish(fx_run *run, fx_stack *s, int grace_ms);

#endif
