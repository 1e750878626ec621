/* capture_log.c: the in-memory log/log.h implementation for the creds tests; see
 * capture_log.h. Lines are kept up to a 4 MiB cap (counted beyond it as dropped).
 * The parts of log.h that are not the logger itself (log_config_defaults, the level names and
 * their parser) come from the real kiro_log_format, so the tests see the same names. */
#include "capture_log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
