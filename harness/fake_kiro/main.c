/* main.c: fake-kiro's entry point: parse the command line, serve until SIGTERM/SIGINT.
 *
 * The signal handler only writes to the app's stop pipe (async-signal-safe); the main thread
 * waits on that pipe, then stops the daemon. Every handler that is waiting (hang, delay, slow
 * stream) watches the same pipe, so stopping is prompt even with requests held open. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "app.h"
#include "options.h"
#include "port_file.h"
#include "server.h"

/* The one process-wide variable: where the signal handler writes. Set and cleared by main. */
static volatile sig_atomic_t stop_fd = -1;

static void on_stop_signal(int sig)
{
    (void)sig;
    int fd = stop_fd;
    if (fd >= 0) {
        ssize_t ignored = write(fd, "x", 1);
        (void)ignored;
    }
}

static void install_signals(void)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_stop_signal;
    sigemptyset(&sa.sa_mask);
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
}

static int serve(const fk_options *o, fk_app *app)
{
    char err[256];
    fk_server *server = fk_server_start(app, o->host, o->port, err, sizeof err);
    if (!server) {
        fprintf(stderr, "fake-kiro: %s\n", err);
        return 1;
    }
    unsigned port = fk_server_port(server);
    if (o->port_file && fk_port_file_write(o->port_file, port) != 0) {
        perror("fake-kiro: cannot write the port file");
        fk_server_stop(server);
        return 1;
    }
    int bracket = strchr(o->host, ':') != NULL;
    printf("fake-kiro listening on http://%s%s%s:%u\n", bracket ? "[" : "", o->host,
           bracket ? "]" : "", port);
    fflush(stdout);

    while (!fk_shutdown_wait(&app->shutdown, 1000))
        ;
    if (app->verbose)
        fprintf(stderr, "fake-kiro: stopping\n");
    fk_server_stop(server);
    if (o->port_file)
        unlink(o->port_file);
    return 0;
}

int main(int argc, char **argv)
{
    fk_options options;
    char err[256];
    if (fk_options_parse(&options, argc, argv, err, sizeof err) != 0) {
        fprintf(stderr, "fake-kiro: %s (see --help)\n", err);
        return 2;
    }
    if (options.version && !options.help) {
        puts("fake-kiro " FK_VERSION);
        fk_options_free(&options);
        return 0;
    }
    if (options.help) {
        fk_options_print_help(stdout);
        fk_options_free(&options);
        return 0;
    }
    fk_app app;
    if (fk_app_init(&app, &options.values, options.verbose) != 0) {
        fprintf(stderr, "fake-kiro: cannot initialise\n");
        fk_options_free(&options);
        return 1;
    }
    stop_fd = app.shutdown.write_fd;
    install_signals();
    int rc = serve(&options, &app);
    stop_fd = -1;
    fk_app_destroy(&app);
    fk_options_free(&options);
    return rc;
}
