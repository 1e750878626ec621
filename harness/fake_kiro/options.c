/* options.c: command-line parsing and --help; see options.h. */
#include "options.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util/listen_addr.h"

/* "--name=value" -> name (copied into buf) and value; "--name" -> name and NULL. */
static const char *split_flag(const char *arg, char *buf, size_t buf_size, const char **value)
{
    const char *eq = strchr(arg, '=');
    *value = NULL;
    if (!eq)
        return arg;
    size_t n = (size_t)(eq - arg);
    if (n >= buf_size)
        n = buf_size - 1;
    memcpy(buf, arg, n);
    buf[n] = '\0';
    *value = eq + 1;
    return buf;
}

static int fail(fk_options *o, char *err, size_t err_size, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(fk_options *o, char *err, size_t err_size, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err, err_size, fmt, ap);
    va_end(ap);
    fk_options_free(o);
    return -1;
}

int fk_options_parse(fk_options *o, int argc, char **argv, char *err, size_t err_size)
{
    memset(o, 0, sizeof *o);
    snprintf(o->host, sizeof o->host, "%s", FK_DEFAULT_HOST);
    fk_values_init(&o->values);
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        if (strcmp(arg, "-h") == 0 || strcmp(arg, "--help") == 0) {
            o->help = 1;
            continue;
        }
        if (strcmp(arg, "--version") == 0) {
            o->version = 1;
            continue;
        }
        if (strcmp(arg, "-v") == 0 || strcmp(arg, "--verbose") == 0) {
            o->verbose = 1;
            continue;
        }
        if (strncmp(arg, "--", 2) != 0)
            return fail(o, err, err_size, "unexpected argument: %s", arg);
        char name_buf[64];
        const char *value;
        const char *name = split_flag(arg + 2, name_buf, sizeof name_buf, &value);
        int is_listen = strcmp(name, "listen") == 0;
        int is_port_file = strcmp(name, "port-file") == 0 || strcmp(name, "port_file") == 0;
        const fk_setting *setting = is_listen || is_port_file ? NULL : fk_setting_find(name);
        if (!is_listen && !is_port_file && !setting)
            return fail(o, err, err_size, "unknown option: %s", arg);
        int takes_value = !setting || fk_setting_takes_value(setting);
        if (takes_value && !value) {
            if (i + 1 >= argc)
                return fail(o, err, err_size, "%s needs a value", arg);
            value = argv[++i];
        } else if (!takes_value && value) {
            return fail(o, err, err_size, "%s takes no value", name);
        }
        if (is_listen) {
            int port;
            if (listen_addr_parse(value, o->host, sizeof o->host, &port) != 0)
                return fail(o, err, err_size, "--listen expects HOST:PORT, got \"%s\"", value);
            o->port = (unsigned)port;
        } else if (is_port_file) {
            o->port_file = value;
        } else if (fk_setting_apply_text(&o->values, setting, value, err, err_size) != 0) {
            fk_options_free(o);
            return -1;
        }
    }
    return 0;
}

void fk_options_free(fk_options *o)
{
    fk_values_free(&o->values);
}

void fk_options_print_help(FILE *out)
{
    fprintf(out,
            "Usage: fake-kiro [OPTIONS]\n"
            "A local emulator of the Amazon Kiro upstream (generateAssistantResponse event\n"
            "streams, ListAvailableModels, token refresh) with switchable faults, for testing\n"
            "Kiro proxies.\n\n"
            "  --listen HOST:PORT           address to listen on (default 127.0.0.1:0, port 0 =\n"
            "                               any free port; IPv6 as [::1]:PORT)\n"
            "  --port-file FILE             once listening, write the port to FILE (atomically);\n"
            "                               removed again on exit\n"
            "  -v, --verbose                log every request to stderr\n"
            "  -h, --help                   show this help\n"
            "  --version                    print \"fake-kiro " FK_VERSION "\" and exit\n\n");
    fk_settings_print_help(out);
    fprintf(out,
            "\nEndpoints: POST */generateAssistantResponse, GET|POST */ListAvailableModels,\n"
            "POST */refreshToken, POST */token, POST */mcp; test control: GET /__fake/stats,\n"
            "GET|POST /__fake/faults, POST /__fake/reset, GET /__fake/last-request,\n"
            "GET /__fake/last-mcp-request, GET /__fake/last-identity. A client without the\n"
            "Kiro IDE's user agents gets 403 AccessDeniedException from every Kiro endpoint.\n"
            "Prints \"fake-kiro listening on http://HOST:PORT\" when ready; exits 0 on SIGTERM or\n"
            "SIGINT.\n");
}
