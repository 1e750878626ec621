/* fx_cases.c: the ordered list of fault cases; see fx_cases.h. */
#include "fx_cases.h"

#include <string.h>

static const fx_case cases[] = {
    {"log-never", "log reader never reads (pipe full)", fx_case_log_never},
    {"log-slow", "log reader drains 1 KiB/s", fx_case_log_slow},
    {"log-scanner", "log reader stops at the first line > 64 KiB", fx_case_log_scanner},
    {"log-closed", "log pipe read end closed (EPIPE)", fx_case_log_closed},
    {"log-devfull", "stdout and stderr on /dev/full (ENOSPC)", fx_case_log_devfull},
    {"log-fd2-closed", "started with fd 2 closed", fx_case_log_fd2_closed},
    {"upstream-hang", "upstream never sends the first byte", fx_case_upstream_hang},
    {"upstream-slow", "upstream streams slowly (--slow-ms)", fx_case_upstream_slow},
    {"upstream-401", "upstream 401 for the first credential", fx_case_upstream_401},
    {"upstream-403", "upstream 403 for the first credential", fx_case_upstream_403},
    {"upstream-429", "upstream 429, twice then permanently", fx_case_upstream_429},
    {"upstream-500", "upstream 500, twice then permanently", fx_case_upstream_500},
    {"models-hang", "ListAvailableModels never answers", fx_case_models_hang},
    {"frames-malformed", "event-stream frame with a bad CRC", fx_case_frames_malformed},
    {"frames-truncated", "event stream cut inside a frame", fx_case_frames_truncated},
    {"frames-exception", "ThrottlingException frame mid-stream", fx_case_frames_exception},
    {"token-hang-valid", "token service hangs; token valid < 5 min", fx_case_token_hang_valid},
    {"token-401-valid", "token service 401; token valid < 5 min", fx_case_token_401_valid},
    {"token-hang-expired", "token service hangs; token expired", fx_case_token_hang_expired},
    {"token-401-expired", "token service 401; token expired", fx_case_token_401_expired},
    {"client-disconnect", "client leaves mid-stream", fx_case_client_disconnect},
    {"client-disconnect-hang", "client leaves while the upstream hangs",
     fx_case_client_disconnect_hang},
    {"concurrent-200", "200 concurrent connections, log pipe stalled", fx_case_concurrent_stalled},
    {"sigterm-pipe-full", "SIGTERM while the log pipe is full", fx_case_sigterm_pipe_full},
};

size_t fx_case_count(void)
{
    return sizeof cases / sizeof cases[0];
}

const fx_case *fx_case_at(size_t i)
{
    return i < fx_case_count() ? &cases[i] : NULL;
}

const fx_case *fx_case_find(const char *name)
{
    for (size_t i = 0; i < fx_case_count(); i++)
        if (strcmp(cases[i].name, name) == 0)
            return &cases[i];
    return NULL;
}
