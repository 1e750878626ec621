/* report.h: the three views of a stall_result: a readable report, JSON, JUnit XML.
 *
 * People read the text report (or the one-line summary), CI gates read the JSON, and test
 * dashboards read JUnit. All three only read the result; none of them decides anything. */
#ifndef STALLCHECK_REPORT_H
#define STALLCHECK_REPORT_H

#include <stdbool.h>
#include <stdio.h>

#include "result.h"

/* The full report; colour adds ANSI colours (the caller decides: a terminal and no NO_COLOR). */
void report_write_text(FILE *out, const stall_result *r, bool colour);
/* One line: verdict, cause, pipe level, probes answered, recovery. */
void report_write_summary(FILE *out, const stall_result *r, bool colour);
/* Whether colour should be used on out: a terminal, and NO_COLOR unset or empty. */
bool report_use_colour(FILE *out);

/* The JSON document (caller frees). NULL when out of memory. */
char *report_json_text(const stall_result *r);
/* Writes the JSON to path (via a temporary file and rename). Returns 0 or -1. */
int report_write_json(const char *path, const stall_result *r);
/* Writes JUnit XML to path. Returns 0 or -1. */
int report_write_junit(const char *path, const stall_result *r);

#endif
