/* result.h: everything one stallcheck run found, in one struct.
 *
 * The run (run.c) fills it; the three reports (text, JSON, JUnit) only read it. Keeping the
 * findings in plain data makes the reports trivial to test and impossible to disagree. */
#ifndef STALLCHECK_RESULT_H
#define STALLCHECK_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "child_process.h"
#include "evidence.h"
#include "fault.h"
#include "flood.h"
#include "log_pipe.h"
#include "options.h"
#include "probes.h"
#include "reader.h"
#include "timeline.h"
#include "verdict.h"

typedef struct pipe_figures {
    char name[24];
    long requested;
    long capacity;
    const char *capacity_source;
    long scratch_capacity;
    unsigned long long inode;
    long pending_after_trigger; /* -1 unknown */
    long pending;               /* at evidence time, -1 unknown (read end closed) */
    long pending_after_recovery;
    int has_room;               /* the kernel's own answer: 1, 0 (full), -1 unknown */
    bool full;
} pipe_figures;

typedef struct reader_figures {
    reader_snapshot snapshot;
} reader_figures;

typedef struct trigger_figures {
    bool enabled;
    const char *method;
    const char *path;
    size_t body_bytes;
    long flood;
    long sent;
    long answered;
    long timed_out;
    long last_status;
    int64_t last_latency_ms;
    unsigned long long last_bytes;
    char last_error[160];
    const char *flood_stopped_because; /* "pipe-full", "no-answer", NULL */
    flood_counts fill;         /* the small requests that built the fault */
    long unanswered;           /* triggers/fill requests without an answer past the probe deadline */
    const char *probing_started_because; /* "fault-reached", "fill-bound", "no-trigger" ... */
    int64_t wait_ms;           /* from trigger start to probing */
} trigger_figures;

/* What was established before the probes ran, and what held when they started. */
typedef struct fault_figures {
    fault_state state;
    bool reached;
    long fill_ms;              /* the bound (--fill-ms) */
    int64_t established_ms;    /* from the trigger's start until the decision */
    size_t pipe;               /* index of the pipe looked at (the fullest) */
    long pending;              /* at probe start, -1 unknown */
    long capacity;
    int has_room;              /* the kernel's answer at probe start: 1, 0, -1 unknown */
    bool full;
    bool reader_stopped;       /* the reader will never read again (scanner stopped, closed, never) */
    char reader[128];          /* the reader's state in words */
    char summary[64];          /* "full 65536/65536", "full by slots 1600/65536", "read end closed" ... */
    char detail[640];          /* one sentence */
} fault_figures;

/* A --collect request: fetched after the probes, while the fault lasts. */
typedef struct collected_item {
    const char *method;        /* points into the options */
    const char *path;
    long status;               /* 0 when no HTTP answer */
    bool timed_out;
    int64_t latency_ms;
    char *body;                /* malloc'd, NUL-terminated ("" when none) */
} collected_item;

typedef struct stall_result {
    const stall_options *options;
    char **command;            /* expanded, NULL-terminated */
    int port;
    char base_url[96];

    const char *verdict;       /* VERDICT_* */
    char verdict_basis[320];   /* what the verdict rests on, in words */
    const char *cause;         /* CAUSE_* or NULL when there was no verdict */
    char cause_detail[512];
    char error[512];           /* setup / run error, "" when none */
    char output_tail[2048];    /* the child's last output, on early exit */
    bool expect_met;
    int exit_code;

    pipe_figures pipes[2];
    size_t pipe_count;
    size_t main_pipe;          /* index of the pipe reported as "pipe" (the fullest) */
    reader_snapshot readers[2];    /* at the end of the run (after the recovery drain) */
    unsigned long long reader_bytes_before_recovery; /* what the --reader mode itself read */
    bool recovery_snapshot_taken;

    long ready_attempts;
    int64_t ready_ms;

    trigger_figures trigger;
    fault_figures fault;

    probe_result *probes;
    size_t probe_count;
    long rounds_run;
    long rounds_skipped;       /* not run: an earlier round already missed its deadline */
    size_t near_deadline;      /* probes answered after more than 75% of their deadline */

    collected_item *collected;
    size_t collected_count;

    evidence baseline;         /* threads after readiness, before the trigger */
    evidence threads;
    char shape[384];           /* the threads' shape in words (thread_shape_describe) */
    char waits[384];           /* what the blocked threads wait in (thread_shape_waits) */

    bool recovery_run;
    bool recovered;
    probe_result *recovery_probes;
    size_t recovery_count;

    int child_pid;
    char child_exit[96];
    int child_exit_code;       /* -1 when not exited normally */
    int child_exit_signal;     /* -1 when not killed by a signal */
    bool child_term_ignored;
    bool child_died_during_run;
    int orphans_reaped;
    bool subreaper;            /* orphaned descendants come back to stallcheck (child_adopt_orphans) */
    escaped_process escaped[CHILD_MAX_ESCAPED]; /* descendants found outside the child's group */
    int escaped_count;
    int escaped_seen;
    bool tree_unsupported;

    timeline timeline;         /* what happened and when (owned) */
    int64_t trigger_start_ms;  /* timeline time of the trigger's start (end of readiness) */
    int64_t verdict_ms;        /* timeline time the verdict was decided, -1 none */
    int64_t time_to_verdict_ms; /* from the trigger's start to the verdict */
    long sample_interval_ms;   /* the sampler's interval (--sample-ms), 0: off */
    unsigned long samples;     /* looks the sampler took (each covers every pipe) */
    int64_t sampler_cpu_us;    /* the sampler thread's own CPU time, -1 unknown */
    int64_t self_cpu_user_us;  /* stallcheck's own CPU over the run (getrusage RUSAGE_SELF) */
    int64_t self_cpu_sys_us;

    char os[72];
    const char *flavor;        /* platform_flavor(): "native" or "portable" */
    char kernel[128];
    char arch[72];
    int64_t duration_ms;
} stall_result;

#endif
