/* timeline_svg.h: the picture of one or more runs, as a self-contained SVG.
 *
 * A reviewer should see the stall without reading a table: for each run, a lane with the pipe
 * level (a filled area up to the capacity line, a band where the kernel had no free slot), a
 * strip with the reader's state, a lane for the trigger requests and one lane of probe bars per
 * route (green answered, red timed out, with their latencies), and markers across the lanes for
 * the trigger, the moment the fault was established, the verdict, the drain and the recovery.
 * The verdict and cause are the run's title. Several runs are drawn one above the other on one
 * shared time axis (seconds since each child's start), so a blocking and an async build can be
 * compared at a glance.
 *
 * The file is plain SVG 1.1: no script, no external font or image (the generic family
 * sans-serif), presentation attributes only, so it renders the same in a browser, in an <img>
 * and on GitHub. Every element a test or a stylesheet may look for has a class: "run", "lane
 * lane-pipe", "lane lane-reader", "lane lane-trigger", "lane lane-probe", "probe answered",
 * "probe timedout", "probe failed", "probe open" (no end seen), "trigger-request answered"
 * ..., "after-drain" (answered only once the pipe was drained), "marker marker-fault" ...,
 * "axis"; ids are "run-N", "run-N-lane-pipe", "run-N-lane-probe-K", "axis-time". */
#ifndef STALLCHECK_TIMELINE_SVG_H
#define STALLCHECK_TIMELINE_SVG_H

#include <stddef.h>
#include <stdio.h>

#include "timeline_view.h"

/* Draws count views (1 or more) one above the other on one time axis. title NULL: the run's
 * label, verdict and cause for one view, "A vs B" for several. Returns 0, or -1 on a write
 * error. */
int timeline_svg_write(FILE *out, const timeline_view *views, size_t count, const char *title);
/* The same into path, atomically (a temporary file renamed over it). Returns 0, or -1 with a
 * reason in err. */
int timeline_svg_write_file(const char *path, const timeline_view *views, size_t count,
                            const char *title, char *err, size_t err_size);

#endif
