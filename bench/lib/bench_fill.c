/* bench_fill.c: fill a proxy's stalled log pipe; see bench_fill.h. */
#include "bench_fill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_bodies.h"
#include "bench_client.h"
#include "bench_load.h"

enum { BIG_BODY = 256 * 1024, ROUNDS = 20, BATCH = 400, WAIT_MS = 300, TIMEOUT_MS = 5000 };

int bench_fill_log_pipe(bench_proxy *p, long *pending)
{
    char *body = bench_rejected_message(BIG_BODY);
    if (!body)
        return -1;
    char messages[128], models[128];
    snprintf(messages, sizeof messages, "%s/v1/messages", p->url);
    snprintf(models, sizeof models, "%s/v1/models", p->url);
    bench_client client;
    int full = 0;
    if (bench_client_init(&client, bench_api_headers, 0, 0) == 0) {
        for (int round = 0; round < ROUNDS && !full; round++) {
            bench_timing t;
            bench_client_request(&client, messages, body, strlen(body), TIMEOUT_MS, &t);
            if (bench_pipe_wait_full(&p->log, WAIT_MS, pending) == 0) {
                full = 1;
                break;
            }
            bench_request request = {.url = models, .headers = bench_api_headers};
            bench_load_options o = {.connections = 4, .requests = BATCH, .timeout_ms = TIMEOUT_MS};
            bench_load_result r;
            bench_load_run(&request, &o, &r);
            bench_load_result_free(&r);
            full = bench_pipe_wait_full(&p->log, WAIT_MS, pending) == 0;
        }
        bench_client_free(&client);
    }
    free(body);
    *pending = bench_pipe_pending(&p->log);
    return full ? 0 : -1;
}
