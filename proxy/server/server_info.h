/* server_info.h: figures gathered from the app for /health and /metrics. */
#ifndef KIRO_SERVER_INFO_H
#define KIRO_SERVER_INFO_H

#include "server/app.h"
#include "server/metrics.h"

void server_collect_extra(app *a, metrics_extra *extra);

#endif
