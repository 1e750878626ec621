/* main.c: kiro-proxy: command line, logger, signals, and the app's lifetime.
 *
 * Built twice from this one file: kiro-proxy-blocking links the blocking logger (the production
 * deadlock) and kiro-proxy-async the async one (the fix). Signals are handled synchronously by
 * this thread with sigwait(): all other threads inherit a mask that blocks them.
 * Shutdown is bounded: the HTTP daemon gets a short deadline, the logger flushes within its own
 * deadline, and the process exits even when a thread is stuck. */
#include <curl/curl.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "config/config.h"
#include "log/log.h"
#include "platform/platform.h"
#include "server/app.h"

#define SERVER_STOP_DEADLINE_MS 500

int main(int argc, char **argv)
{
    platform_fill_standard_fds(); /* before anything can open a descriptor */
    proxy_config cfg;
    config_defaults(&cfg);
    char err[512] = "";
    int rc = config_from_args(&cfg, argc, argv, err, sizeof err);
    if (rc != 0) {
        if (rc > 0) {
            config_free(&cfg);
            return 0;
        }
        /* The logger is not running yet: this is the only direct write to fd 2. */
        fprintf(stderr, "kiro-proxy: %s (see --help)\n", err);
        config_free(&cfg);
        return 2;
    }

    platform_ignore_sigpipe();
    platform_tune_allocator();
    platform_raise_fd_limit(65536);
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &signals, NULL);

    log_config lc;
    log_config_defaults(&lc);
    lc.min_level = cfg.log_level;
    lc.queue_bytes = cfg.log_queue_bytes;
    lc.flush_deadline_ms = cfg.log_flush_ms;
    if (log_start(&lc) != 0) {
        fprintf(stderr, "kiro-proxy: cannot start the logger\n");
        return 1;
    }
    curl_global_init(CURL_GLOBAL_DEFAULT);

    static app a;
    if (app_init(&a, &cfg, err, sizeof err) != 0 || app_start(&a, err, sizeof err) != 0) {
        LOG_ERROR("kiro-proxy: %s", err);
        app_stop(&a, SERVER_STOP_DEADLINE_MS);
        log_stop();
        return 1;
    }
    LOG_INFO("kiro-proxy %s listening on http://%s:%d (logger: %s, upstream: %s, credentials: %zu)",
             KIRO_PROXY_VERSION, cfg.host, app_port(&a), log_implementation(),
             cfg.upstream_url ? cfg.upstream_url : "https://q.<region>.amazonaws.com",
             cred_pool_count(a.pool));

    for (;;) {
        int sig = 0;
        if (sigwait(&signals, &sig) != 0)
            continue;
        if (sig == SIGHUP) {
            char reload_err[256] = "";
            if (app_reload_credentials(&a, reload_err, sizeof reload_err, NULL, 0) == 0)
                LOG_INFO("SIGHUP: credentials reloaded");
            else
                LOG_WARN("SIGHUP: reload failed, the previous credentials stay in use: %s",
                         reload_err);
            continue;
        }
        LOG_INFO("received %s: shutting down", sig == SIGINT ? "SIGINT" : "SIGTERM");
        break;
    }
    atomic_store(&a.stopping, 1);
    /* Stop taking requests; connection threads get a short deadline. Background threads are
     * not joined: the process exit ends them, so no stuck call can delay the exit. */
    app_stop_server(&a, SERVER_STOP_DEADLINE_MS);
    log_stop();
    _exit(0);
}
