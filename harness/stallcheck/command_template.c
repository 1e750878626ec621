/* command_template.c: {port} expansion and the child's environment; see command_template.h. */
#include "command_template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

extern char **environ;

#define PORT_PLACEHOLDER "{port}"

char *template_expand_port(const char *text, int port)
{
    char port_text[16];
    snprintf(port_text, sizeof port_text, "%d", port);
    size_t placeholder_len = strlen(PORT_PLACEHOLDER);
    size_t port_len = strlen(port_text);

    size_t hits = 0;
    for (const char *p = strstr(text, PORT_PLACEHOLDER); p; p = strstr(p + placeholder_len, PORT_PLACEHOLDER))
        hits++;
    size_t out_len = strlen(text) + hits * port_len; /* never shorter than needed */
    char *out = malloc(out_len + 1);
    if (!out)
        return NULL;

    char *w = out;
    const char *r = text;
    for (const char *p = strstr(r, PORT_PLACEHOLDER); p; p = strstr(r, PORT_PLACEHOLDER)) {
        memcpy(w, r, (size_t)(p - r));
        w += p - r;
        memcpy(w, port_text, port_len);
        w += port_len;
        r = p + placeholder_len;
    }
    strcpy(w, r);
    return out;
}

void template_free_vector(char **vector)
{
    if (!vector)
        return;
    for (char **p = vector; *p; p++)
        free(*p);
    free(vector);
}

char **template_expand_command(char *const *argv, int count, int port)
{
    char **out = calloc((size_t)count + 1, sizeof *out);
    if (!out)
        return NULL;
    for (int i = 0; i < count; i++) {
        out[i] = template_expand_port(argv[i], port);
        if (!out[i]) {
            template_free_vector(out);
            return NULL;
        }
    }
    return out;
}

/* True when entry ("NAME=...") defines the same NAME as assignment ("NAME=..."). */
static int same_name(const char *entry, const char *assignment)
{
    size_t name_len = (size_t)(strchr(assignment, '=') - assignment);
    return strncmp(entry, assignment, name_len) == 0 && entry[name_len] == '=';
}

char **template_build_environment(const string_list *overrides, int port)
{
    size_t base = 0;
    while (environ && environ[base])
        base++;
    char **out = calloc(base + overrides->count + 1, sizeof *out);
    if (!out)
        return NULL;
    size_t n = 0;
    for (size_t i = 0; i < base; i++) {
        int overridden = 0;
        for (size_t j = 0; j < overrides->count && !overridden; j++)
            overridden = same_name(environ[i], overrides->items[j]);
        if (overridden || !strchr(environ[i], '='))
            continue;
        if (!(out[n++] = strdup(environ[i])))
            goto oom;
    }
    for (size_t j = 0; j < overrides->count; j++) {
        /* a later --env for the same NAME wins */
        int later = 0;
        for (size_t k = j + 1; k < overrides->count && !later; k++)
            later = same_name(overrides->items[k], overrides->items[j]);
        if (later)
            continue;
        if (!(out[n++] = template_expand_port(overrides->items[j], port)))
            goto oom;
    }
    return out;

oom:
    template_free_vector(out);
    return NULL;
}
