/* relay.h: logrelay's main loop: one poll() over the child's pipes, the signal self-pipe and
 * the destinations; reading never waits for writing, writing never blocks.
 *
 * Lifetime: runs until the child has exited, then reads what the child left in its pipes (not
 * waiting for descendants that may hold them open), flushes for at most --flush-ms, counts the
 * rest as dropped, reports (--stats, --stats-json) and returns the child's status. */
#ifndef LOGRELAY_RELAY_H
#define LOGRELAY_RELAY_H

#include "options.h"
#include "relay_stats.h"

/* Exit status when the command cannot be started at all (as env(1) and docker use). */
#define RELAY_EXIT_CANNOT_START 125

/* Runs the relay; fills *stats (may be NULL) and returns the exit status for logrelay. */
int relay_run(const struct relay_options *options, struct relay_stats *stats);

#endif
