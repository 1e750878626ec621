/* options.h: fake-kiro's command line.
 *
 *   fake-kiro [--listen HOST:PORT] [--port-file FILE] [-v] [SETTINGS...]
 * where SETTINGS are the fault and behaviour flags of settings.h (each also a JSON key of
 * POST /__fake/faults). Flags take their value as the next argument or after '='. */
#ifndef FAKE_KIRO_OPTIONS_H
#define FAKE_KIRO_OPTIONS_H

#include <stddef.h>
#include <stdio.h>

#include "settings.h"

#define FK_DEFAULT_HOST "127.0.0.1"
#define FK_VERSION "1.0.0"

typedef struct fk_options {
    char host[256];        /* without IPv6 brackets */
    unsigned port;         /* 0: any free port */
    const char *port_file; /* NULL: none; points into argv */
    int verbose;
    int help;
    int version; /* --version */
    fk_values values;
} fk_options;

/* Returns 0, or -1 with err filled (o is then freed). */
int fk_options_parse(fk_options *o, int argc, char **argv, char *err, size_t err_size);
void fk_options_free(fk_options *o);
void fk_options_print_help(FILE *out);

/* --listen is parsed by util/listen_addr.h, the parser the proxy uses too. */

#endif
