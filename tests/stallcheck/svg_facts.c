/* svg_facts.c: the facts of a timeline SVG, gathered by an XML visitor; see svg_facts.h. */
#include "svg_facts.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct gather {
    svg_facts *f;
    int run_depth;   /* depth of the open <g class="run">, 0 when none */
    int title_depth; /* depth of the root's <title>, 0 when none */
} gather;

static bool name_is(const char *name, size_t len, const char *want)
{
    return len == strlen(want) && memcmp(name, want, len) == 0;
}

static void mark_unsafe(svg_facts *f, const char *what)
{
    if (!f->unsafe)
        snprintf(f->unsafe_what, sizeof f->unsafe_what, "%s", what);
    f->unsafe = true;
}

static bool raw_contains(const xml_attr *a, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; a && i + n <= a->value_len; i++)
        if (strncmp(a->value + i, needle, n) == 0)
            return true;
    return false;
}

static void on_run_element(gather *g, const xml_attr *cls)
{
    svg_run_facts *run = &g->f->run[g->f->runs - 1];
    if (xml_attr_has_token(cls, "lane-pipe"))
        run->pipe_lane = true;
    if (xml_attr_has_token(cls, "lane-reader"))
        run->reader_lane = true;
    if (xml_attr_has_token(cls, "lane-trigger"))
        run->trigger_lane = true;
    if (xml_attr_has_token(cls, "lane-probe"))
        run->probe_lanes++;
    if (xml_attr_has_token(cls, "pipe-level"))
        run->pipe_level = true;
    if (xml_attr_has_token(cls, "pipe-capacity"))
        run->capacity_line = true;
    if (xml_attr_has_token(cls, "pipe-noslot"))
        run->no_slot_band = true;
    if (xml_attr_has_token(cls, "latency"))
        run->latency_labels++;
    if (xml_attr_has_token(cls, "trigger-request")) {
        if (xml_attr_has_token(cls, "after-drain"))
            run->after_drain++;
        xml_attr_has_token(cls, "answered") ? run->trigger_answered++ : run->trigger_other++;
    }
    if (xml_attr_has_token(cls, "probe")) {
        bool recovery = xml_attr_has_token(cls, "recovery");
        bool answered = xml_attr_has_token(cls, "answered");
        if (xml_attr_has_token(cls, "after-drain"))
            run->after_drain++;
        if (recovery)
            answered ? run->recovery_answered++ : run->recovery_other++;
        else if (answered)
            run->answered++;
        else if (xml_attr_has_token(cls, "timedout"))
            run->timed_out++;
        else if (xml_attr_has_token(cls, "failed"))
            run->failed++;
        else if (xml_attr_has_token(cls, "open"))
            run->open++;
    }
    if (xml_attr_has_token(cls, "marker-trigger"))
        run->marker_trigger = true;
    if (xml_attr_has_token(cls, "marker-fault"))
        run->marker_fault = true;
    if (xml_attr_has_token(cls, "marker-fault-not-reached"))
        run->marker_fault_not_reached = true;
    if (xml_attr_has_token(cls, "marker-verdict"))
        run->marker_verdict = true;
    if (xml_attr_has_token(cls, "marker-drain"))
        run->marker_drain = true;
    if (xml_attr_has_token(cls, "marker-recovery"))
        run->marker_recovery = true;
    if (xml_attr_has_token(cls, "marker-not-recovered"))
        run->marker_not_recovered = true;
}

static void on_start(void *ctx, const char *name, size_t len, const xml_attr *attrs, size_t n,
                     int depth)
{
    gather *g = ctx;
    svg_facts *f = g->f;
    if (depth == 1)
        f->svg_root = name_is(name, len, "svg");
    if (depth == 2 && name_is(name, len, "title"))
        g->title_depth = depth;
    if (name_is(name, len, "script") || name_is(name, len, "foreignObject") ||
        name_is(name, len, "image") || name_is(name, len, "use"))
        mark_unsafe(f, "a script, foreignObject, image or use element");
    for (size_t i = 0; i < n; i++) {
        const xml_attr *a = &attrs[i];
        if ((a->name_len == 4 && memcmp(a->name, "href", 4) == 0) ||
            (a->name_len == 10 && memcmp(a->name, "xlink:href", 10) == 0))
            mark_unsafe(f, "an href");
        if (raw_contains(a, "url(") || raw_contains(a, "@import"))
            mark_unsafe(f, "a url() or @import");
        if (a->name_len > 2 && memcmp(a->name, "on", 2) == 0)
            mark_unsafe(f, "an event handler attribute");
    }
    const xml_attr *id = xml_find_attr(attrs, n, "id");
    if (xml_attr_equals(id, "axis-time"))
        f->axis = true;
    const xml_attr *cls = xml_find_attr(attrs, n, "class");
    if (name_is(name, len, "g") && xml_attr_has_token(cls, "run") && g->run_depth == 0 &&
        f->runs < SVG_FACTS_MAX_RUNS) {
        svg_run_facts *run = &f->run[f->runs++];
        memset(run, 0, sizeof *run);
        if (id)
            snprintf(run->id, sizeof run->id, "%.*s", (int)id->value_len, id->value);
        for (const char *v = cls->value; v + 8 < cls->value + cls->value_len; v++)
            if (strncmp(v, "verdict-", 8) == 0) {
                size_t k = 0;
                while (v + 8 + k < cls->value + cls->value_len && v[8 + k] != ' ' &&
                       k + 1 < sizeof run->verdict)
                    k++;
                snprintf(run->verdict, sizeof run->verdict, "%.*s", (int)k, v + 8);
                break;
            }
        g->run_depth = depth;
        return;
    }
    if (g->run_depth > 0 && cls)
        on_run_element(g, cls);
}

static void on_end(void *ctx, int depth)
{
    gather *g = ctx;
    if (depth == g->run_depth)
        g->run_depth = 0;
    if (depth == g->title_depth)
        g->title_depth = 0;
}

static void on_text(void *ctx, const char *text, size_t len, int depth)
{
    gather *g = ctx;
    if (g->title_depth && depth == g->title_depth)
        for (size_t i = 0; i < len; i++)
            if (text[i] != ' ' && text[i] != '\n' && text[i] != '\t')
                g->f->title = true;
    /* CSS inside a <style> could import: none is written, and any @import is caught */
    for (size_t i = 0; i + 7 <= len; i++)
        if (strncmp(text + i, "@import", 7) == 0)
            mark_unsafe(g->f, "@import");
}

bool svg_facts_read(const char *doc, size_t len, svg_facts *out)
{
    memset(out, 0, sizeof *out);
    gather g = {out, 0, 0};
    xml_visitor v = {&g, on_start, on_end, on_text};
    return xml_check(doc, len, &v, &out->xml);
}

bool svg_facts_read_file(const char *path, svg_facts *out)
{
    memset(out, 0, sizeof *out);
    FILE *f = fopen(path, "rb");
    if (!f) {
        snprintf(out->xml.error, sizeof out->xml.error, "cannot open %s", path);
        return false;
    }
    size_t cap = 8u << 20;
    char *buf = malloc(cap);
    size_t n = buf ? fread(buf, 1, cap, f) : 0;
    fclose(f);
    if (!buf || n == cap) {
        free(buf);
        snprintf(out->xml.error, sizeof out->xml.error, "%s is unreadable or over 8 MiB", path);
        return false;
    }
    bool ok = svg_facts_read(buf, n, out);
    free(buf);
    return ok;
}
