/* timeline_view_json.h: a view (timeline_view.h) of a run read back from its --json report.
 *
 * stallcheck-compare draws runs that ended long ago, on another machine perhaps, from their
 * reports alone. The reader takes the report's "timeline" (version 2: probe intervals with their
 * route, the reader state in every pipe row, the routes and capacities; version 1, written
 * before those existed, as far as it goes: probe bars from probe-done latencies, no reader
 * state) and the title fields (verdict, cause, fault.summary, time_to_verdict_ms, recovered).
 * It never trusts the report's sizes: every array is walked as it is, unknown events and
 * columns are skipped. */
#ifndef STALLCHECK_TIMELINE_VIEW_JSON_H
#define STALLCHECK_TIMELINE_VIEW_JSON_H

#include <cjson/cJSON.h>
#include <stddef.h>

#include "timeline_view.h"

/* Fills v (timeline_view_init'ed here; release with timeline_view_free) from a parsed report.
 * label NULL: the command's base name. Returns 0, or -1 with a reason in err. */
int timeline_view_from_json(const cJSON *report, const char *label, timeline_view *v, char *err,
                            size_t err_size);
/* Reads and parses path (at most 256 MiB), then timeline_view_from_json. */
int timeline_view_from_json_file(const char *path, const char *label, timeline_view *v, char *err,
                                 size_t err_size);

#endif
