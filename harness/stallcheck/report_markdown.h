/* report_markdown.h: the run as Markdown (--summary FILE), for any CI system's job page.
 *
 * GitHub's $GITHUB_STEP_SUMMARY, GitLab merge-request notes and most dashboards render GitHub
 * Flavored Markdown, so one file serves them all: a heading with the verdict and whether the
 * gate passed, a table of the verdict, cause, fault (established or not), time to verdict and
 * system, the probe table, near-deadline warnings, the thread shape, the pipe figures, the
 * recovery, escaped descendants and any error. Like the other reports it only reads the result
 * and is written whatever happened, the watchdog included. Everything taken from the run
 * (commands, paths, the server's own words) is escaped, so a `|` or a newline cannot break a
 * table. */
#ifndef STALLCHECK_REPORT_MARKDOWN_H
#define STALLCHECK_REPORT_MARKDOWN_H

#include <stdio.h>

#include "result.h"

/* Writes the Markdown report to out. */
void report_markdown(FILE *out, const stall_result *r);
/* Writes it to path (a temporary file, then rename). Returns 0 or -1. */
int report_write_markdown(const char *path, const stall_result *r);
/* Writes text to out as inline Markdown that is safe inside a table cell: Markdown's special
 * characters are backslash-escaped, `|` included, and line breaks become spaces. */
void report_markdown_escape(FILE *out, const char *text);
/* The minimal report of a run that could not write its own (the watchdog's last resort): the
 * verdict error and why. Returns 0 or -1. */
int report_write_markdown_minimal(const char *path, const char *reason, int child_pid);

#endif
