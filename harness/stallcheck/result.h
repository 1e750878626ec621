/* result.h: everything one stallcheck run found, in one struct.
 *
 * The run (run.c) fills it; the three reports (text, JSON, JUnit) only read it. Keeping the
 * findings in plain data makes the reports trivial to test and impossible to disagree. */
#ifndef STALLCHECK_RESULT_H
#define STALLCHECK_RESULT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "evidence.h"
#include "log_pipe.h"
#include "options.h"
#include "probes.h"
#include "reader.h"

#define VERDICT_RESPONSIVE "responsive"
#define VERDICT_STALLED "stalled"
#define VERDICT_ERROR "error"

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
    bool stopped_pipe_full;
    bool stopped_no_answer;
    const char *probing_started_because; /* "pipe-full", "trigger-finished", "no-trigger", ... */
    int64_t wait_ms;           /* from trigger start to probing */
} trigger_figures;

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
    const char *cause;         /* CAUSE_* or NULL when there was no verdict */
    char cause_detail[320];
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

    probe_result *probes;
    size_t probe_count;

    collected_item *collected;
    size_t collected_count;

    evidence threads;

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

    char os[72];
    char kernel[128];
    char arch[72];
    int64_t duration_ms;
} stall_result;

#endif
