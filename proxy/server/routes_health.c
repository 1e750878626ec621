/* routes_health.c: GET /health (status, uptime, logger counters), GET /metrics (Prometheus text)
 * and POST /api/event_logging/batch (Claude Code telemetry, accepted and discarded).
 * /health writes its access line like every route: a health check that skips the logger would
 * report a frozen proxy as healthy. */
#include <cjson/cJSON.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "config/config.h"
#include "log/log.h"
#include "server/app.h"
#include "server/routes.h"
#include "server/server_info.h"
#include "util/clock.h"

void server_collect_extra(app *a, metrics_extra *extra)
{
    memset(extra, 0, sizeof *extra);
    if (a->refresher)
        token_refresher_counts(a->refresher, &extra->token_refreshes, &extra->token_refresh_failures);
    extra->credentials_total = (long)cred_pool_count(a->pool);
    extra->credentials_usable = (long)cred_pool_usable_count(a->pool, time(NULL));
    model_info *models = NULL;
    extra->models = (long)model_catalog_snapshot(a->models, &models);
    free(models);
    extra->uptime_seconds = (double)(clock_monotonic_ms() - a->started_ms) / 1000.0;
}

enum MHD_Result route_health(request_ctx *rq)
{
    app *a = rq->app;
    metrics_extra extra;
    server_collect_extra(a, &extra);
    log_stats ls;
    log_get_stats(&ls);

    cJSON *root = cJSON_CreateObject();
    cJSON_AddStringToObject(root, "status", "ok");
    cJSON_AddStringToObject(root, "version", KIRO_PROXY_VERSION);
    cJSON_AddNumberToObject(root, "uptime_seconds", extra.uptime_seconds);
    cJSON *logger = cJSON_AddObjectToObject(root, "logger");
    cJSON_AddStringToObject(logger, "implementation", log_implementation());
    cJSON_AddNumberToObject(logger, "lines_logged", (double)ls.lines_logged);
    cJSON_AddNumberToObject(logger, "lines_written", (double)ls.lines_written);
    cJSON_AddNumberToObject(logger, "lines_dropped", (double)ls.lines_dropped);
    cJSON_AddNumberToObject(logger, "lines_queued", (double)ls.lines_queued);
    cJSON_AddNumberToObject(logger, "bytes_logged", (double)ls.bytes_logged);
    cJSON_AddNumberToObject(logger, "bytes_written", (double)ls.bytes_written);
    cJSON_AddNumberToObject(logger, "bytes_dropped", (double)ls.bytes_dropped);
    cJSON_AddNumberToObject(logger, "bytes_queued", (double)ls.bytes_queued);
    cJSON_AddNumberToObject(logger, "queue_budget_bytes", (double)ls.queue_budget_bytes);
    cJSON_AddNumberToObject(logger, "gap_lines", (double)ls.gap_lines);
    cJSON_AddNumberToObject(logger, "write_errors", (double)ls.write_errors);
    cJSON *creds = cJSON_AddObjectToObject(root, "credentials");
    cJSON_AddNumberToObject(creds, "total", (double)extra.credentials_total);
    cJSON_AddNumberToObject(creds, "usable", (double)extra.credentials_usable);
    cJSON_AddNumberToObject(root, "models", (double)extra.models);
    cJSON_AddNumberToObject(root, "streams_active",
                            (double)atomic_load(&a->metrics.streams_active));
    enum MHD_Result r = respond_json(rq, 200, root);
    cJSON_Delete(root);
    return r;
}

enum MHD_Result route_metrics(request_ctx *rq)
{
    metrics_extra extra;
    server_collect_extra(rq->app, &extra);
    kbuf out = KBUF_INIT(0);
    metrics_render_prometheus(&rq->app->metrics, &extra, &out);
    enum MHD_Result r = respond_bytes(rq, 200, "text/plain; version=0.0.4; charset=utf-8",
                                      out.data ? out.data : "", out.len);
    kbuf_free(&out);
    return r;
}

enum MHD_Result route_event_logging(request_ctx *rq)
{
    static const char ok[] = "{\"status\":\"ok\"}";
    return respond_bytes(rq, 200, "application/json", ok, sizeof ok - 1);
}
