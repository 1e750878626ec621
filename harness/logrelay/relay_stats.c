/* relay_stats.c: formats logrelay's counters as text (for --stats) and JSON (for --stats-json).
 * JSON goes through cJSON, so names and nesting stay valid whatever they become. */
#include "relay_stats.h"

#include <cjson/cJSON.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

const char *relay_stream_name(int stream)
{
    return stream == RELAY_STDERR ? "stderr" : "stdout";
}

int relay_stats_format_text(const struct relay_stats *stats, kbuf *out)
{
    int rc = 0;
    for (int s = 0; s < RELAY_STREAMS && rc == 0; s++) {
        const struct stream_counters *c = &stats->stream[s];
        rc = kbuf_printf(out,
                         "logrelay: %s: received %llu lines (%llu bytes), forwarded %llu lines "
                         "(%llu bytes), dropped %llu lines (%llu bytes), split %llu lines\n",
                         relay_stream_name(s), (unsigned long long)c->received_lines,
                         (unsigned long long)c->received_bytes,
                         (unsigned long long)c->forwarded_lines,
                         (unsigned long long)c->forwarded_bytes,
                         (unsigned long long)c->dropped_lines, (unsigned long long)c->dropped_bytes,
                         (unsigned long long)c->split_lines);
    }
    if (rc == 0)
        rc = kbuf_printf(out, "logrelay: gap markers %llu, rotations %llu, child status %d\n",
                         (unsigned long long)stats->gap_markers,
                         (unsigned long long)stats->rotations, stats->child_exit_status);
    return rc;
}

static void add_counter(cJSON *object, const char *name, uint64_t value)
{
    /* JSON numbers are doubles: exact up to 2^53, far beyond any count logrelay reaches. */
    cJSON_AddNumberToObject(object, name, (double)value);
}

static cJSON *stream_json(const struct stream_counters *c)
{
    cJSON *o = cJSON_CreateObject();
    if (!o)
        return NULL;
    add_counter(o, "received_lines", c->received_lines);
    add_counter(o, "received_bytes", c->received_bytes);
    add_counter(o, "forwarded_lines", c->forwarded_lines);
    add_counter(o, "forwarded_bytes", c->forwarded_bytes);
    add_counter(o, "dropped_lines", c->dropped_lines);
    add_counter(o, "dropped_bytes", c->dropped_bytes);
    add_counter(o, "split_lines", c->split_lines);
    return o;
}

int relay_stats_write_json(const struct relay_stats *stats, const char *path)
{
    cJSON *root = cJSON_CreateObject();
    if (!root) {
        errno = ENOMEM;
        return -1;
    }
    for (int s = 0; s < RELAY_STREAMS; s++) {
        cJSON *stream = stream_json(&stats->stream[s]);
        if (stream)
            cJSON_AddItemToObject(root, relay_stream_name(s), stream);
    }
    add_counter(root, "gap_markers", stats->gap_markers);
    add_counter(root, "rotations", stats->rotations);
    cJSON_AddNumberToObject(root, "child_exit_status", stats->child_exit_status);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    if (!text) {
        errno = ENOMEM;
        return -1;
    }
    FILE *f = fopen(path, "w");
    int rc = -1;
    if (f) {
        int written = fputs(text, f) >= 0 && fputc('\n', f) != EOF;
        int closed = fclose(f) == 0;
        rc = written && closed ? 0 : -1;
    }
    free(text);
    return rc;
}
