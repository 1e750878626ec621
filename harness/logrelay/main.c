/* main.c: logrelay's entry point: parse the command line, run the relay, exit with the child's
 * status. Everything else lives in the modules (see README.md for the map). */
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "options.h"
#include "relay.h"

/* A launcher may start logrelay with fd 0, 1 or 2 closed; the next pipe() would then take that
 * number and logrelay's "stdout" would be its own signal pipe. /dev/null fills the hole. */
static void fill_closed_standard_fds(void)
{
    for (int fd = 0; fd <= 2; fd++)
        if (fcntl(fd, F_GETFD) < 0 && open("/dev/null", O_RDWR) < 0)
            return;
}

int main(int argc, char **argv)
{
    fill_closed_standard_fds();
    struct relay_options options;
    char error[256];
    switch (options_parse(&options, argc, argv, error, sizeof error)) {
    case OPTIONS_HELP:
        fputs(options_usage(), stdout);
        return 0;
    case OPTIONS_VERSION:
        puts("logrelay " LOGRELAY_VERSION);
        return 0;
    case OPTIONS_ERROR:
        fprintf(stderr, "logrelay: %s\n", error);
        return 2;
    case OPTIONS_RUN:
        break;
    }
    return relay_run(&options, NULL);
}
