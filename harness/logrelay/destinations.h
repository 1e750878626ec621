/* destinations.h: where the child's records go, and the writing that never blocks.
 *
 * One destination per target: logrelay's stdout and stderr, or a single one when both are the
 * same pipe/file/terminal (2>&1: one queue keeps the two streams' lines whole and in order), or
 * the --output file for both streams. Each destination is a line_queue drained into a sink;
 * the --output file is rotated at record boundaries (rotating_file.h). */
#ifndef LOGRELAY_DESTINATIONS_H
#define LOGRELAY_DESTINATIONS_H

#include <poll.h>
#include <stddef.h>
#include <sys/uio.h>

#include "line_queue.h"
#include "options.h"
#include "relay_stats.h"
#include "rotating_file.h"
#include "sink.h"

struct destination {
    struct line_queue queue;
    struct sink sink;
    struct rotating_file *file; /* --output: rotation and size tracking; else NULL */
};

struct destinations {
    struct destination items[RELAY_STREAMS];
    int count;
    int of_stream[RELAY_STREAMS];   /* stream -> index into items */
    struct rotating_file file;
    int has_file;
    int rotation_error_reported;
    struct relay_stats *stats;      /* not owned */
};

/* Opens the destinations for the options. Returns 0, or -1 after reporting why. */
int destinations_open(struct destinations *set, const struct relay_options *options,
                      struct relay_stats *stats);
void destinations_close(struct destinations *set);

/* The longest line content every destination can take in one piece. */
size_t destinations_max_piece(const struct destinations *set);

/* Queues one record of stream (or drops and counts it). When it would not fit, the destination
 * first gets the chance to take what is queued, without blocking. */
void destinations_push(struct destinations *set, int stream, const struct iovec *parts,
                       int part_count, size_t payload_bytes);

/* Writes to every destination what it takes now. */
void destinations_flush(struct destinations *set);

/* Adds a POLLOUT entry for each destination waiting for one (index_of[i]: its slot or -1);
 * returns the new entry count. note_polls passes poll's answers back. */
nfds_t destinations_add_polls(struct destinations *set, struct pollfd *fds, nfds_t n,
                              int *index_of);
void destinations_note_polls(struct destinations *set, const struct pollfd *fds,
                             const int *index_of);

/* Whether any destination still has data and a live sink. */
int destinations_pending(const struct destinations *set);

/* Counts everything still queued as dropped (the flush deadline has passed). */
void destinations_drop_all(struct destinations *set);

#endif
