/* log_drain.h: internal to proxy/log: the async logger's drain thread ("log-drain"), the only
 * writer of the log fd.
 *
 * It takes committed records from the ring in order and writes their bytes straight from the
 * ring through log_sink.c, which never sleeps in write(2) and never changes the fd's flags.
 * Lines are counted written when their last byte went out (a line cut by a partial write is
 * half written, half queued), so written + dropped + queued == logged at every moment.
 *
 * It polls the queue on a short timer while lines flow (1 ms) and a long one once idle
 * (100 ms); callers wake it only when the queue passes 3/4 of a bound while it sleeps. On a
 * sink with a reader behind it (pipe, socket, terminal) a batch under 16 KiB waits one busy
 * period for more before it is written, so that a trickle of lines does not wake the reader
 * once per handful of lines.
 * On EPIPE everything queued and everything later is dropped. When stopping, it announces the
 * drops no later line will announce, flushes until the queue is empty or the flush deadline
 * passes, counts what is left as dropped, and hands the session back (log_session.h). */
#ifndef KIRO_LOG_DRAIN_H
#define KIRO_LOG_DRAIN_H

/* pthread entry point; arg is the log_session. */
void *log_drain_main(void *arg);

#endif
