/* timeline_tests.h: the integration tests of the timeline, its pictures and the status line
 * (timeline_tests.c), called from stallcheck_tests.c. */
#ifndef STALLCHECK_TIMELINE_TESTS_H
#define STALLCHECK_TIMELINE_TESTS_H

#include <stdbool.h>

#include "test_support.h"

/* After a row ran with --timeline <work>/<test>-timeline.svg: the JSON timeline, the SVG, and
 * the same picture from stallcheck-compare. stalled: what the picture must show. */
void check_timeline_run(test_context *t, const cJSON *root, const command_outcome *out,
                        bool stalled);
/* A stalled and a responsive fixture in one picture (stallcheck-compare). */
int test_timeline_compare(test_context *t);
/* The live status line on a pseudo-terminal, and none with --no-progress. */
int test_progress_tty(test_context *t);

#endif
