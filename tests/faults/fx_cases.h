/* fx_cases.h: the fault matrix: every case, the file that implements it, and the table that
 * fault_matrix.c, the report and tests/faults/CMakeLists.txt (via --list) agree on. */
#ifndef FX_CASES_H
#define FX_CASES_H

#include <stddef.h>

#include "fx_check.h"

/* Runs one case against run->build; records checks and notes in run. */
typedef void (*fx_case_fn)(fx_run *run);

typedef struct fx_case {
    const char *name;
    const char *fault; /* one line for the report */
    fx_case_fn fn;
} fx_case;

size_t fx_case_count(void);
const fx_case *fx_case_at(size_t i);
const fx_case *fx_case_find(const char *name);

/* cases_logpipe.c */
void fx_case_log_never(fx_run *run);
void fx_case_log_slow(fx_run *run);
void fx_case_log_scanner(fx_run *run);
void fx_case_log_closed(fx_run *run);
void fx_case_log_devfull(fx_run *run);
void fx_case_log_fd2_closed(fx_run *run);
/* cases_upstream.c */
void fx_case_upstream_hang(fx_run *run);
void fx_case_upstream_slow(fx_run *run);
void fx_case_upstream_401(fx_run *run);
void fx_case_upstream_403(fx_run *run);
void fx_case_upstream_429(fx_run *run);
void fx_case_upstream_500(fx_run *run);
void fx_case_models_hang(fx_run *run);
/* cases_frames.c */
void fx_case_frames_malformed(fx_run *run);
void fx_case_frames_truncated(fx_run *run);
void fx_case_frames_exception(fx_run *run);
/* cases_token.c */
void fx_case_token_hang_valid(fx_run *run);
void fx_case_token_401_valid(fx_run *run);
void fx_case_token_hang_expired(fx_run *run);
void fx_case_token_401_expired(fx_run *run);
/* cases_client.c */
void fx_case_client_disconnect(fx_run *run);
void fx_case_client_disconnect_hang(fx_run *run);
void fx_case_concurrent_stalled(fx_run *run);
void fx_case_sigterm_pipe_full(fx_run *run);

#endif
