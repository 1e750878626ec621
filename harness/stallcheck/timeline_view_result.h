/* timeline_view_result.h: a view (timeline_view.h) of a run that has just ended, from its
 * in-memory result: what `stallcheck --timeline FILE.svg` draws. */
#ifndef STALLCHECK_TIMELINE_VIEW_RESULT_H
#define STALLCHECK_TIMELINE_VIEW_RESULT_H

#include "result.h"
#include "timeline_view.h"

/* Fills v (timeline_view_init'ed here; release with timeline_view_free) from r. label NULL:
 * the command's base name. Returns 0 or -1 (out of memory). */
int timeline_view_from_result(const stall_result *r, const char *label, timeline_view *v);

#endif
