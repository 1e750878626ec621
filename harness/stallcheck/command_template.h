/* command_template.h: turns the command after "--" into what is executed.
 *
 * The port is only known after option parsing (a free one may be picked), so the command line
 * is a template: every "{port}" inside an argument (and inside --env values) becomes the port.
 * The child's environment is the harness's own plus the --env overrides. */
#ifndef STALLCHECK_COMMAND_TEMPLATE_H
#define STALLCHECK_COMMAND_TEMPLATE_H

#include "string_list.h"

/* Returns a malloc'd copy of text with every "{port}" replaced by port, or NULL (no memory). */
char *template_expand_port(const char *text, int port);
/* Expands argv[0..count-1]; the result is NULL-terminated and owned (free with
 * template_free_vector). NULL when out of memory. */
char **template_expand_command(char *const *argv, int count, int port);
/* The current environment with each NAME=VALUE of overrides set (replacing an existing NAME),
 * {port} expanded in the values. NULL-terminated, owned. */
char **template_build_environment(const string_list *overrides, int port);
void template_free_vector(char **vector);

#endif
