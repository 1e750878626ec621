/* app.h: everything one running fake-kiro owns, passed to every handler.
 *
 * There is no global state: a test can create an app, run a server on it, stop it and destroy
 * it, as many times as it likes. The only process-wide thing is the signal handler in main.c,
 * which just triggers this app's stop signal. */
#ifndef FAKE_KIRO_APP_H
#define FAKE_KIRO_APP_H

#include <stdatomic.h>

#include "config.h"
#include "identity_gate.h"
#include "last_request.h"
#include "settings.h"
#include "shutdown.h"
#include "stats.h"

typedef struct fk_app {
    fk_config config;
    fk_stats stats;
    fk_last_request last_request;     /* generateAssistantResponse */
    fk_last_request last_mcp_request; /* the MCP endpoint */
    fk_identity_log identity_log;     /* the user agents each endpoint last saw */
    fk_shutdown shutdown;
    atomic_long tokens_issued; /* numbers the fake-access-<n> / fake-refresh-<n> tokens */
    int verbose;
} fk_app;

/* Returns 0, or -1 (nothing to destroy) when a resource could not be created. */
int fk_app_init(fk_app *app, const fk_values *startup, int verbose);
void fk_app_destroy(fk_app *app);

#endif
