/* timeline_view_json.c: a view of a run from its --json report; see timeline_view_json.h. */
#include "timeline_view_json.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* Far above any report stallcheck writes (its lists are bounded), far below trouble. */
#define REPORT_MAX_BYTES (256L * 1024 * 1024)

static const cJSON *at(const cJSON *o, const char *name)
{
    return cJSON_GetObjectItemCaseSensitive(o, name);
}

static const char *string_at(const cJSON *o, const char *name)
{
    const cJSON *v = at(o, name);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

static double number_at(const cJSON *o, const char *name, double def)
{
    const cJSON *v = at(o, name);
    return cJSON_IsNumber(v) ? v->valuedouble : def;
}

static int fail(char *err, size_t err_size, const char *what)
{
    snprintf(err, err_size, "%s", what);
    return -1;
}

static void read_command(const cJSON *report, const char *label, timeline_view *v)
{
    const char *argv[64];
    size_t argc = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, at(at(report, "child"), "command"))
    {
        if (argc < sizeof argv / sizeof argv[0] && cJSON_IsString(item))
            argv[argc++] = item->valuestring;
    }
    timeline_view_set_command(v, label, argv, argc);
}

static void read_outcome(const cJSON *report, timeline_view *v)
{
    const cJSON *recovered = at(report, "recovered");
    int rec = cJSON_IsBool(recovered) ? cJSON_IsTrue(recovered) : -1;
    const cJSON *ttv = at(report, "time_to_verdict_ms");
    timeline_view_set_outcome(v, string_at(report, "verdict"), string_at(report, "cause"),
                              string_at(at(report, "fault"), "summary"),
                              cJSON_IsNumber(ttv) ? (long)ttv->valuedouble : -1, rec);
}

/* The routes: timeline.routes (version 2), else the probes' routes in their order. */
static void read_routes(const cJSON *report, const cJSON *tl, timeline_view *v)
{
    const cJSON *item;
    const cJSON *routes = at(tl, "routes");
    if (cJSON_IsArray(routes)) {
        cJSON_ArrayForEach(item, routes)
        {
            if (cJSON_IsString(item))
                timeline_view_add_route(v, item->valuestring);
        }
        return;
    }
    cJSON_ArrayForEach(item, at(report, "probes"))
    {
        char route[96];
        snprintf(route, sizeof route, "%s %s",
                 string_at(item, "method") ? string_at(item, "method") : "?",
                 string_at(item, "path") ? string_at(item, "path") : "?");
        bool known = false;
        for (size_t i = 0; i < v->route_count && !known; i++)
            known = strcmp(v->routes[i], route) == 0;
        if (!known)
            timeline_view_add_route(v, route);
    }
}

/* The pipe drawn: the report's "pipe" (the fullest), by name among the pipes. */
static int read_pipe(const cJSON *report, const cJSON *tl, timeline_view *v)
{
    const cJSON *main_pipe = at(report, "pipe");
    const char *name = string_at(main_pipe, "name");
    snprintf(v->pipe_name, sizeof v->pipe_name, "%s", name ? name : "pipe");
    v->capacity = (long)number_at(main_pipe, "capacity", 0);
    const cJSON *pipes = cJSON_IsArray(at(tl, "pipes")) ? at(tl, "pipes") : at(report, "pipes");
    int index = 0, i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, pipes)
    {
        const char *n = string_at(item, "name");
        if (name && n && strcmp(n, name) == 0)
            index = cJSON_IsNumber(at(item, "index")) ? (int)number_at(item, "index", i) : i;
        i++;
    }
    return index;
}

/* A version 1 probe-done ("round N METHOD PATH: outcome") names its route in words. */
static int route_from_detail(const timeline_view *v, const char *detail)
{
    if (!detail || strncmp(detail, "round ", 6) != 0)
        return -1;
    const char *route = strchr(detail + 6, ' ');
    const char *end = route ? strstr(route, ": ") : NULL;
    if (!end)
        return -1;
    route++;
    for (size_t i = 0; i < v->route_count; i++)
        if (strlen(v->routes[i]) == (size_t)(end - route) &&
            strncmp(v->routes[i], route, (size_t)(end - route)) == 0)
            return (int)i;
    return -1;
}

static int read_events(const cJSON *tl, timeline_view *v)
{
    const cJSON *item;
    cJSON_ArrayForEach(item, at(tl, "events"))
    {
        timeline_kind kind = timeline_kind_from_name(string_at(item, "event"));
        if (kind == TL_KIND_COUNT || !cJSON_IsNumber(at(item, "t_ms")))
            continue;
        tv_event ev;
        memset(&ev, 0, sizeof ev);
        ev.kind = kind;
        ev.t_ms = (int64_t)number_at(item, "t_ms", 0);
        ev.start_ms = (int64_t)number_at(item, "start_ms", -1);
        ev.value = (long)number_at(item, "value", 0);
        ev.detail = string_at(item, "detail");
        ev.route = (int)number_at(item, "route", -1);
        ev.round = (int)number_at(item, kind == TL_TRIGGER_DONE ? "number" : "round", 0);
        const char *phase = string_at(item, "phase");
        ev.recovery = phase && strcmp(phase, "recovery") == 0;
        ev.outcome = timeline_outcome_from_name(string_at(item, "outcome"));
        ev.status = (long)number_at(item, "status", 0);
        if (kind == TL_PROBE_DONE && ev.route < 0) { /* version 1 */
            ev.route = route_from_detail(v, ev.detail);
            ev.round = -1;
            ev.outcome = ev.detail && strstr(ev.detail, "timed out")  ? TL_OUTCOME_TIMED_OUT
                         : ev.detail && strstr(ev.detail, "answered") ? TL_OUTCOME_ANSWERED
                                                                      : TL_OUTCOME_FAILED;
        }
        if (kind == TL_TRIGGER_DONE && ev.outcome == TL_OUTCOME_NONE) /* version 1 */
            ev.outcome = ev.value > 0 ? TL_OUTCOME_ANSWERED : TL_OUTCOME_TIMED_OUT;
        if (timeline_view_add_event(v, &ev) != 0)
            return -1;
    }
    return 0;
}

static int column_index(const cJSON *columns, const char *name)
{
    int i = 0;
    const cJSON *item;
    cJSON_ArrayForEach(item, columns)
    {
        if (cJSON_IsString(item) && strcmp(item->valuestring, name) == 0)
            return i;
        i++;
    }
    return -1;
}

static int read_samples(const cJSON *tl, int pipe, timeline_view *v)
{
    const cJSON *table = at(tl, "pipe");
    const cJSON *columns = at(table, "columns");
    int c_t = column_index(columns, "t_ms"), c_pipe = column_index(columns, "pipe");
    int c_pending = column_index(columns, "pending"), c_room = column_index(columns, "writable");
    int c_reader = column_index(columns, "reader");
    if (c_t < 0 || c_pending < 0)
        return 0; /* no samples this reader understands: events only */
    const cJSON *row;
    cJSON_ArrayForEach(row, at(table, "rows"))
    {
        const cJSON *t = cJSON_GetArrayItem(row, c_t);
        if (!cJSON_IsNumber(t))
            continue;
        const cJSON *p = c_pipe >= 0 ? cJSON_GetArrayItem(row, c_pipe) : NULL;
        if (cJSON_IsNumber(p) && (int)p->valuedouble != pipe)
            continue;
        const cJSON *pending = cJSON_GetArrayItem(row, c_pending);
        const cJSON *room = c_room >= 0 ? cJSON_GetArrayItem(row, c_room) : NULL;
        const cJSON *reader = c_reader >= 0 ? cJSON_GetArrayItem(row, c_reader) : NULL;
        if (timeline_view_add_sample(v, (int64_t)t->valuedouble,
                                     cJSON_IsNumber(pending) ? (long)pending->valuedouble : -1,
                                     cJSON_IsBool(room) ? cJSON_IsTrue(room) : -1,
                                     timeline_reader_from_name(
                                         cJSON_IsString(reader) ? reader->valuestring : NULL)) != 0)
            return -1;
    }
    return 0;
}

int timeline_view_from_json(const cJSON *report, const char *label, timeline_view *v, char *err,
                            size_t err_size)
{
    if (timeline_view_init(v) != 0)
        return fail(err, err_size, "out of memory");
    const cJSON *tl = at(report, "timeline");
    if (!cJSON_IsObject(report) || !cJSON_IsObject(tl) || !cJSON_IsArray(at(tl, "events")))
        return fail(err, err_size, "no timeline in it (not a stallcheck --json report?)");
    read_command(report, label, v);
    read_outcome(report, v);
    v->deadline_ms =
        (long)number_at(tl, "deadline_ms", number_at(at(report, "config"), "deadline_ms", 0));
    read_routes(report, tl, v);
    int pipe = read_pipe(report, tl, v);
    if (read_events(tl, v) != 0 || read_samples(tl, pipe, v) != 0)
        return fail(err, err_size, "out of memory");
    timeline_view_finish(v);
    return 0;
}

int timeline_view_from_json_file(const char *path, const char *label, timeline_view *v, char *err,
                                 size_t err_size)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(err, err_size, "cannot open %s: %s", path, strerror(errno));
        return -1;
    }
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || !S_ISREG(st.st_mode) || st.st_size > REPORT_MAX_BYTES) {
        fclose(f);
        snprintf(err, err_size, "%s is not a regular file of at most %ld bytes", path,
                 REPORT_MAX_BYTES);
        return -1;
    }
    size_t size = (size_t)st.st_size;
    char *text = malloc(size + 1);
    if (!text) {
        fclose(f);
        snprintf(err, err_size, "out of memory reading %s", path);
        return -1;
    }
    size_t got = fread(text, 1, size, f);
    fclose(f);
    text[got] = '\0';
    cJSON *root = cJSON_ParseWithLength(text, got);
    free(text);
    if (!root) {
        snprintf(err, err_size, "%s is not valid JSON", path);
        return -1;
    }
    char why[200] = "";
    int rc = timeline_view_from_json(root, label, v, why, sizeof why);
    cJSON_Delete(root);
    if (rc != 0)
        snprintf(err, err_size, "%s: %s", path, why);
    return rc;
}
