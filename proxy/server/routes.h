/* routes.h: every route handler, one group per file (routes_*.c). */
#ifndef KIRO_ROUTES_H
#define KIRO_ROUTES_H

#include "server/request.h"

/* routes_health.c */
enum MHD_Result route_health(request_ctx *rq);
enum MHD_Result route_metrics(request_ctx *rq);
enum MHD_Result route_event_logging(request_ctx *rq);
/* routes_models.c */
enum MHD_Result route_models_list(request_ctx *rq);
enum MHD_Result route_models_get(request_ctx *rq);
/* routes_messages.c */
enum MHD_Result route_messages(request_ctx *rq);
enum MHD_Result route_count_tokens(request_ctx *rq);
/* routes_openai.c */
enum MHD_Result route_chat_completions(request_ctx *rq);
/* routes_admin.c */
enum MHD_Result route_admin_users_list(request_ctx *rq);
enum MHD_Result route_admin_users_add(request_ctx *rq);
enum MHD_Result route_admin_users_stats(request_ctx *rq);
enum MHD_Result route_admin_users_get(request_ctx *rq);
enum MHD_Result route_admin_users_delete(request_ctx *rq);
enum MHD_Result route_admin_reload(request_ctx *rq);
enum MHD_Result route_admin_users_set_expiry(request_ctx *rq);
enum MHD_Result route_admin_users_batch_expiry(request_ctx *rq);
enum MHD_Result route_admin_pool(request_ctx *rq);
enum MHD_Result route_admin_refresh(request_ctx *rq);

#endif
