/* app.c: construction and teardown of the per-process fake-kiro state; see app.h. */
#include "app.h"

int fk_app_init(fk_app *app, const fk_values *startup, int verbose)
{
    if (fk_shutdown_init(&app->shutdown) != 0)
        return -1;
    if (fk_config_init(&app->config, startup) != 0) {
        fk_shutdown_destroy(&app->shutdown);
        return -1;
    }
    fk_stats_init(&app->stats);
    fk_last_request_init(&app->last_request);
    fk_last_request_init(&app->last_mcp_request);
    fk_identity_log_init(&app->identity_log);
    atomic_init(&app->tokens_issued, 0);
    app->verbose = verbose;
    return 0;
}

void fk_app_destroy(fk_app *app)
{
    fk_last_request_destroy(&app->last_request);
    fk_last_request_destroy(&app->last_mcp_request);
    fk_identity_log_destroy(&app->identity_log);
    fk_stats_destroy(&app->stats);
    fk_config_destroy(&app->config);
    fk_shutdown_destroy(&app->shutdown);
}
