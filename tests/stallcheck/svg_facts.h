/* svg_facts.h: what a test needs to know about a timeline SVG, read with the XML checker.
 *
 * The pictures are checked as a person would look at them, in facts: the document is
 * well-formed XML with an <svg> root; it has no script, no foreign object, no external
 * reference (href, url(http...), @import, <image>); it has a title and the time axis; and per
 * run (the <g class="run"> groups, in order) which lanes it has, how many probe bars of each
 * outcome (recovery bars apart), and which markers. */
#ifndef TESTS_SVG_FACTS_H
#define TESTS_SVG_FACTS_H

#include <stdbool.h>
#include <stddef.h>

#include "xml_check.h"

#define SVG_FACTS_MAX_RUNS 8

typedef struct svg_run_facts {
    char id[24];
    char verdict[24]; /* from the run's class "verdict-..." */
    bool pipe_lane, reader_lane, trigger_lane, pipe_level, capacity_line, no_slot_band;
    int probe_lanes;
    int answered, timed_out, failed, open; /* probe bars under the fault (not recovery) */
    int recovery_answered, recovery_other;
    int after_drain;                     /* requests answered only once the pipe was drained */
    int trigger_answered, trigger_other; /* bars in the trigger lane */
    bool marker_trigger, marker_fault, marker_fault_not_reached, marker_verdict, marker_drain,
        marker_recovery, marker_not_recovered;
    int latency_labels;
} svg_run_facts;

typedef struct svg_facts {
    xml_result xml;
    bool svg_root;
    bool title;  /* a <title> child of the root with text */
    bool axis;   /* id="axis-time" */
    bool unsafe; /* a script, foreignObject, image, or an external reference */
    char unsafe_what[64];
    int runs;
    svg_run_facts run[SVG_FACTS_MAX_RUNS];
} svg_facts;

/* Reads doc. Returns true when it is well-formed (out->xml says why not). */
bool svg_facts_read(const char *doc, size_t len, svg_facts *out);
/* Reads a file (at most 8 MiB). False when missing, unreadable or not well-formed. */
bool svg_facts_read_file(const char *path, svg_facts *out);

#endif
