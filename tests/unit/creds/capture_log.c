/* capture_log.c: the in-memory log/log.h implementation for the creds tests; see
 * capture_log.h. Lines are kept up to a 4 MiB cap (counted beyond it as dropped). */
#include "capture_log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "log/log.h"
#include "util/buf.h"

#define CAPTURE_MAX_BYTES (4u << 20)

static pthread_mutex_t capture_mu = PTHREAD_MUTEX_INITIALIZER;
static kbuf captured = KBUF_INIT(CAPTURE_MAX_BYTES);
static log_stats stats;
static log_level min_level = LOG_LEVEL_DEBUG;

void capture_log_reset(void)
{
    pthread_mutex_lock(&capture_mu);
    kbuf_free(&captured);
    kbuf_init(&captured, CAPTURE_MAX_BYTES);
    memset(&stats, 0, sizeof stats);
    pthread_mutex_unlock(&capture_mu);
}

int capture_log_contains(const char *needle)
{
    pthread_mutex_lock(&capture_mu);
    int found = captured.data && strstr(captured.data, needle) != NULL;
    pthread_mutex_unlock(&capture_mu);
    return found;
}

size_t capture_log_lines(void)
{
    pthread_mutex_lock(&capture_mu);
    size_t n = (size_t)stats.lines_written;
    pthread_mutex_unlock(&capture_mu);
    return n;
}

char *capture_log_text(void)
{
    pthread_mutex_lock(&capture_mu);
    char *copy = strdup(captured.data ? captured.data : "");
    pthread_mutex_unlock(&capture_mu);
    return copy;
}

void log_config_defaults(log_config *config)
{
    memset(config, 0, sizeof *config);
    config->fd = 2;
    config->min_level = LOG_LEVEL_INFO;
    config->max_line_bytes = 1u << 20;
}

int log_start(const log_config *config)
{
    min_level = config ? config->min_level : LOG_LEVEL_DEBUG;
    return 0;
}

void log_stop(void)
{
}

void log_message(log_level level, const char *fmt, ...)
{
    if (level < min_level)
        return;
    char line[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof line, fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&capture_mu);
    stats.lines_logged++;
    if (kbuf_printf(&captured, "%s %s\n", log_level_name(level), line) == KBUF_OK)
        stats.lines_written++;
    else
        stats.lines_dropped++;
    pthread_mutex_unlock(&capture_mu);
}

int log_enabled(log_level level)
{
    return level >= min_level;
}

void log_set_level(log_level level)
{
    min_level = level;
}

void log_get_stats(log_stats *out)
{
    pthread_mutex_lock(&capture_mu);
    *out = stats;
    pthread_mutex_unlock(&capture_mu);
}

const char *log_implementation(void)
{
    return "capture";
}

int log_level_parse(const char *text, log_level *out)
{
    static const char *const names[] = {"debug", "info", "warn", "error"};
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(text, names[i]) == 0) {
            *out = (log_level)i;
            return 0;
        }
    }
    if (strcasecmp(text, "warning") == 0) {
        *out = LOG_LEVEL_WARN;
        return 0;
    }
    return -1;
}

const char *log_level_name(log_level level)
{
    switch (level) {
    case LOG_LEVEL_DEBUG:
        return "DEBUG";
    case LOG_LEVEL_INFO:
        return "INFO";
    case LOG_LEVEL_WARN:
        return "WARN";
    case LOG_LEVEL_ERROR:
        return "ERROR";
    }
    return "?";
}
