/* fx_stall.h: stalling the log pipe the way production did: at --log-level debug one
 * /v1/messages with 256 KiB of text is logged whole (twice: the client body and the Kiro
 * body), which fills a 64 KiB pipe at once. The async build gets a 1 MiB queue: its 256 KiB
 * lines always fit (whatever short lines are still queued), so the pipe fills on every run;
 * the cases that need drops log a few more of these (about 2 MiB in all) to overflow it. */
#ifndef FX_STALL_H
#define FX_STALL_H

#include "fx_check.h"
#include "fx_http.h"
#include "fx_stack.h"

/* Proxy flags of a stall case (NULL-terminated): debug level, 1 MiB queue. */
extern const char *const fx_stall_proxy_args[];
/* The same plus --log-flush-ms 500 (the SIGTERM case). */
extern const char *const fx_stall_proxy_args_flush500[];

/* Starts the trigger in the background and waits (bounded) until the pipe is full. Records a
 * check and a note; returns 1 when the pipe is full. */
int fx_stall_fill(fx_run *run, fx_stack *s, fx_bg *trigger);

/* Joins the trigger (bounded by its deadline) and checks that it was answered 200: the
 * request that filled the pipe is not harmed either. Frees it. */
void fx_stall_end(fx_run *run, fx_bg *trigger);

#endif
