/* model_refresher.h: a background thread that refreshes the model catalogue from the upstream
 * ListAvailableModels, so that GET /v1/models never waits on the network (fetching the list on
 * every call was one of the stall paths seen in other proxies). Failures keep the last list. */
#ifndef KIRO_MODEL_REFRESHER_H
#define KIRO_MODEL_REFRESHER_H

struct app;
typedef struct model_refresher model_refresher;

/* period_s 0: one fetch shortly after start, none after. */
model_refresher *model_refresher_start(struct app *a, int period_s);
void model_refresher_stop(model_refresher *m);
/* Fetches once now on the calling thread (tests). Returns the model count or -1. */
int model_refresher_fetch_once(struct app *a);

#endif
