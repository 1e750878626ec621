/* fx_finish.c: bounded shutdown check and cleanup of a fault case; see fx_finish.h. */
#include "fx_finish.h"

#include <sys/wait.h>

#include "fx_spawn.h"

void fx_finish(fx_run *run, fx_stack *s, int grace_ms)
{
    if (s->proxy_pid > 0) {
        int status = 0;
        long long ms = 0;
        int was_alive = fx_stack_proxy_alive(s);
        char how[96];
        if (!was_alive) {
            fx_describe_status(s->proxy_status, how, sizeof how);
            FX_CHECK(run, 0, "the proxy is still running at the end of the case (%s)", how);
        } else if (fx_stack_term_proxy(s, grace_ms, &status, &ms) == 0) {
            fx_describe_status(status, how, sizeof how);
            FX_CHECK(run, WIFEXITED(status) && WEXITSTATUS(status) == 0,
                     "SIGTERM: the proxy exits with status 0 (%s)", how);
        } else {
            FX_CHECK(run, 0, "SIGTERM: the proxy exits within %d ms", grace_ms);
        }
    }
    fx_stack_free(s);
}
