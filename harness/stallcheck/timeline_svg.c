/* timeline_svg.c: draws timeline views as one SVG; see timeline_svg.h.
 *
 * Layout, top to bottom: the title, a legend, then one panel per run (its header with the
 * verdict badge and one line of figures, the marker labels, the pipe lane, the reader strip, the
 * trigger lane, one lane per probe route), then the shared time axis. All runs use one x scale,
 * so the same second is at the same x in every panel. */
#include "timeline_svg.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "svg_out.h"

#define SVG_WIDTH 1000
#define PLOT_LEFT 210 /* lane labels live left of this */
#define PLOT_RIGHT 24
#define PLOT_WIDTH (SVG_WIDTH - PLOT_LEFT - PLOT_RIGHT)
#define PIPE_LANE_HEIGHT 84
#define READER_LANE_HEIGHT 12
#define TRIGGER_LANE_HEIGHT 14
#define PROBE_LANE_HEIGHT 18
#define LANE_GAP 5
#define MARKER_ROW_HEIGHT 13
#define MARKER_ROWS_MAX 4
#define PANEL_GAP 18
#define LABEL_PX 10.5
/* Probe bars this close (px) with the same outcome share one label. */
#define LABEL_CLUSTER_PX 40

#define COLOUR_ANSWERED "#2e9e44"
#define COLOUR_TIMED_OUT "#d93025"
#define COLOUR_FAILED "#f29900"
#define COLOUR_OPEN "#9e9e9e"
#define COLOUR_LATE "#f6bf26" /* answered only once the pipe was drained */
#define COLOUR_PIPE_FILL "#8ab4f8"
#define COLOUR_PIPE_LINE "#1a5fb4"
#define COLOUR_NO_SLOT "#8e24aa"
#define COLOUR_CAPACITY "#b3261e"

typedef struct scale {
    int64_t span_ms; /* the axis runs from 0 to span_ms */
    int64_t step_ms; /* between ticks */
} scale;

static double x_of(const scale *sc, int64_t t_ms)
{
    return PLOT_LEFT + (double)t_ms * PLOT_WIDTH / (double)sc->span_ms;
}

static scale choose_scale(const timeline_view *views, size_t count)
{
    static const int64_t steps[] = {50,    100,   200,   250,   500,    1000,   2000,  5000,
                                    10000, 20000, 30000, 60000, 120000, 300000, 600000};
    int64_t end = 100;
    for (size_t i = 0; i < count; i++)
        if (views[i].end_ms > end)
            end = views[i].end_ms;
    end += end / 8; /* room right of the last bar for its label */
    scale sc = {end, steps[sizeof steps / sizeof steps[0] - 1]};
    for (size_t i = 0; i < sizeof steps / sizeof steps[0]; i++)
        if (end / steps[i] <= 10) {
            sc.step_ms = steps[i];
            break;
        }
    sc.span_ms = (end + sc.step_ms - 1) / sc.step_ms * sc.step_ms;
    return sc;
}

static const char *verdict_colour(const char *verdict)
{
    if (strcmp(verdict, "stalled") == 0)
        return "#c62828";
    if (strcmp(verdict, "responsive") == 0)
        return "#2e7d32";
    if (strcmp(verdict, "inconclusive") == 0)
        return "#f9a825";
    return "#616161";
}

typedef struct marker_style {
    const char *class_name;
    const char *colour;
    const char *dash; /* NULL: solid */
} marker_style;

static marker_style marker_style_of(tv_marker_kind kind)
{
    switch (kind) {
    case TV_MARK_READY:
        return (marker_style){"marker-ready", "#9e9e9e", "2,3"};
    case TV_MARK_TRIGGER:
        return (marker_style){"marker-trigger", "#6d4c41", NULL};
    case TV_MARK_FAULT:
        return (marker_style){"marker-fault", "#b3261e", NULL};
    case TV_MARK_FAULT_NOT_REACHED:
        return (marker_style){"marker-fault-not-reached", "#e37400", NULL};
    case TV_MARK_VERDICT:
        return (marker_style){"marker-verdict", "#202124", "5,2"};
    case TV_MARK_DRAIN:
        return (marker_style){"marker-drain", "#00796b", NULL};
    case TV_MARK_RECOVERED:
        return (marker_style){"marker-recovery", "#2e7d32", "5,2"};
    case TV_MARK_NOT_RECOVERED:
        return (marker_style){"marker-recovery marker-not-recovered", "#c62828", "5,2"};
    case TV_MARK_WATCHDOG:
        return (marker_style){"marker-watchdog", "#6a1b9a", NULL};
    }
    return (marker_style){"marker", "#000000", NULL};
}

static const char *outcome_class(timeline_outcome o)
{
    switch (o) {
    case TL_OUTCOME_ANSWERED:
        return "answered";
    case TL_OUTCOME_TIMED_OUT:
        return "timedout";
    case TL_OUTCOME_FAILED:
        return "failed";
    case TL_OUTCOME_NONE:
        break;
    }
    return "open";
}

static const char *outcome_colour(timeline_outcome o)
{
    switch (o) {
    case TL_OUTCOME_ANSWERED:
        return COLOUR_ANSWERED;
    case TL_OUTCOME_TIMED_OUT:
        return COLOUR_TIMED_OUT;
    case TL_OUTCOME_FAILED:
        return COLOUR_FAILED;
    case TL_OUTCOME_NONE:
        break;
    }
    return COLOUR_OPEN;
}

static void text_at(FILE *out, double x, double y, const char *anchor, const char *attrs,
                    const char *text, size_t max)
{
    fprintf(out, "<text x=\"%.1f\" y=\"%.1f\"%s%s%s %s>", x, y, anchor ? " text-anchor=\"" : "",
            anchor ? anchor : "", anchor ? "\"" : "", attrs ? attrs : "");
    svg_put_text(out, text, max);
    fputs("</text>\n", out);
}

/* ---- the legend ---- */

static void draw_legend(FILE *out, double y)
{
    struct item {
        const char *colour, *text, *dash;
        bool line;
    } items[] = {
        {COLOUR_PIPE_FILL, "pipe pending bytes", NULL, false},
        {COLOUR_CAPACITY, "pipe capacity", "6,3", true},
        {COLOUR_NO_SLOT, "no free slot: writes block", NULL, false},
        {COLOUR_ANSWERED, "answered", NULL, false},
        {COLOUR_TIMED_OUT, "timed out", NULL, false},
        {COLOUR_LATE, "answered only after the drain", NULL, false},
        {COLOUR_OPEN, "no answer by the end", NULL, false},
    };
    double x = 12;
    fputs("<g class=\"legend\" font-size=\"11\" fill=\"#3c4043\">\n", out);
    for (size_t i = 0; i < sizeof items / sizeof items[0]; i++) {
        if (items[i].line)
            fprintf(out,
                    "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                    "stroke-width=\"2\" stroke-dasharray=\"%s\"/>\n",
                    x, y - 4, x + 18, y - 4, items[i].colour, items[i].dash);
        else
            fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"18\" height=\"10\" fill=\"%s\"/>\n",
                    x, y - 9, items[i].colour);
        text_at(out, x + 22, y, NULL, NULL, items[i].text, 0);
        x += 22 + svg_text_width(items[i].text, 11) + 16;
    }
    fputs("</g>\n", out);
}

/* ---- one panel ---- */

typedef struct panel {
    const timeline_view *v;
    const scale *sc;
    int index; /* 1-based */
    double top;
    double marker_top;
    int marker_rows;
    double lanes_top, lanes_bottom;
    int marker_row[TV_MAX_MARKERS];
} panel;

/* Puts every marker label in the first row where it does not overlap the one before it. */
static void place_marker_labels(panel *p)
{
    double row_end[MARKER_ROWS_MAX];
    for (int r = 0; r < MARKER_ROWS_MAX; r++)
        row_end[r] = -1e9;
    p->marker_rows = 1;
    for (size_t i = 0; i < p->v->marker_count; i++) {
        const tv_marker *m = &p->v->markers[i];
        double x = x_of(p->sc, m->t_ms);
        double w = svg_text_width(m->label, LABEL_PX) + 8;
        bool flip = x + w > SVG_WIDTH - 4; /* near the right edge: the label goes left */
        double start = flip ? x - w : x;
        int row = 0;
        double least = row_end[0];
        for (int r = 0; r < MARKER_ROWS_MAX; r++) {
            if (row_end[r] < start) {
                row = r;
                break;
            }
            if (row_end[r] < least) {
                least = row_end[r];
                row = r;
            }
        }
        row_end[row] = start + w;
        p->marker_row[i] = row;
        if (row + 1 > p->marker_rows)
            p->marker_rows = row + 1;
    }
}

static void draw_header(FILE *out, const panel *p)
{
    const timeline_view *v = p->v;
    double y = p->top + 16;
    text_at(out, 12, y, NULL, "font-size=\"14\" font-weight=\"bold\" fill=\"#202124\"", v->label,
            60);
    double x = 12 + svg_text_width(v->label, 14) * 1.15 + 12; /* bold runs wider */
    double w = svg_text_width(v->verdict, 12) + 16;
    fprintf(out,
            "<rect class=\"verdict verdict-%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"18\" "
            "rx=\"9\" fill=\"%s\"/>\n",
            v->verdict, x, y - 13, w, verdict_colour(v->verdict));
    text_at(out, x + w / 2, y, "middle", "font-size=\"12\" font-weight=\"bold\" fill=\"#ffffff\"",
            v->verdict, 0);
    if (v->cause[0])
        text_at(out, x + w + 10, y, NULL, "font-size=\"13\" fill=\"#202124\"", v->cause, 0);

    /* one line of figures */
    size_t probes = 0, in_time = 0;
    for (size_t i = 0; i < v->bar_count; i++)
        if (v->bars[i].lane >= 0 && !v->bars[i].recovery) {
            probes++;
            in_time += v->bars[i].outcome == TL_OUTCOME_ANSWERED;
        }
    char line[400], ttv[32] = "";
    if (v->time_to_verdict_ms >= 0)
        svg_format_duration(v->time_to_verdict_ms, ttv, sizeof ttv);
    snprintf(line, sizeof line, "held when probed: %s  |  probes answered in time: %zu/%zu%s%s%s%s",
             v->fault[0] ? v->fault : "?", in_time, probes, ttv[0] ? "  |  verdict " : "", ttv,
             ttv[0] ? " after the trigger" : "",
             v->recovered == 1   ? "  |  recovered on drain"
             : v->recovered == 0 ? "  |  NOT recovered on drain"
                                 : "");
    text_at(out, 12, p->top + 33, NULL, "font-size=\"11\" fill=\"#3c4043\"", line, 0);
    if (v->command[0])
        text_at(out, 12, p->top + 47, NULL, "font-size=\"10\" fill=\"#5f6368\"", v->command, 0);
}

static void draw_pipe_lane(FILE *out, const panel *p, double top)
{
    const timeline_view *v = p->v;
    double bottom = top + PIPE_LANE_HEIGHT;
    long ymax = v->capacity > 0 ? v->capacity : 1;
    for (size_t i = 0; i < v->sample_count; i++)
        if (v->samples[i].pending > ymax)
            ymax = v->samples[i].pending;
    double usable = PIPE_LANE_HEIGHT - 12; /* headroom above the capacity line: the no-slot band */
#define Y_OF(bytes) (bottom - (double)(bytes)*usable / (double)ymax)
    fprintf(out, "<g id=\"run-%d-lane-pipe\" class=\"lane lane-pipe\">\n", p->index);
    fprintf(out,
            "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"#f8f9fa\" "
            "stroke=\"#dadce0\"/>\n",
            PLOT_LEFT, top, PLOT_WIDTH, PIPE_LANE_HEIGHT);
    char name[64], cap[32];
    snprintf(name, sizeof name, "pipe %s", v->pipe_name[0] ? v->pipe_name : "");
    text_at(out, PLOT_LEFT - 8, top + PIPE_LANE_HEIGHT / 2.0, "end",
            "font-size=\"12\" font-weight=\"bold\" fill=\"#202124\"", name, 30);
    text_at(out, PLOT_LEFT - 8, top + PIPE_LANE_HEIGHT / 2.0 + 14, "end",
            "font-size=\"10\" fill=\"#5f6368\"", "pending bytes", 0);
    text_at(out, PLOT_LEFT - 4, bottom, "end", "font-size=\"10\" fill=\"#5f6368\"", "0", 0);

    /* the level: one filled polygon per run of known samples */
    size_t i = 0;
    while (i < v->sample_count) {
        while (i < v->sample_count && v->samples[i].pending < 0)
            i++;
        size_t first = i;
        while (i < v->sample_count && v->samples[i].pending >= 0)
            i++;
        if (i == first)
            break;
        fprintf(out,
                "<path class=\"pipe-level\" fill=\"%s\" fill-opacity=\"0.75\" stroke=\"%s\" "
                "stroke-width=\"1.2\" d=\"M%.1f,%.1f",
                COLOUR_PIPE_FILL, COLOUR_PIPE_LINE, x_of(p->sc, v->samples[first].t_ms), bottom);
        for (size_t k = first; k < i; k++)
            fprintf(out, " L%.1f,%.1f", x_of(p->sc, v->samples[k].t_ms),
                    Y_OF(v->samples[k].pending));
        fprintf(out, " L%.1f,%.1f Z\"/>\n", x_of(p->sc, v->samples[i - 1].t_ms), bottom);
    }
    /* where the kernel had no free slot: writers block there */
    for (size_t k = 0; k < v->sample_count; k++) {
        if (v->samples[k].has_room != 0)
            continue;
        size_t end = k;
        while (end + 1 < v->sample_count && v->samples[end + 1].has_room == 0)
            end++;
        int64_t until = end + 1 < v->sample_count ? v->samples[end + 1].t_ms : v->samples[end].t_ms;
        double x0 = x_of(p->sc, v->samples[k].t_ms), x1 = x_of(p->sc, until);
        fprintf(out,
                "<rect class=\"pipe-noslot\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"5\" "
                "fill=\"%s\"><title>no free slot in the pipe: every write that needs a new page "
                "blocks</title></rect>\n",
                x0, top + 1, x1 - x0 > 1 ? x1 - x0 : 1, COLOUR_NO_SLOT);
        k = end;
    }
    if (v->capacity > 0) {
        double y = Y_OF(v->capacity);
        svg_format_bytes(v->capacity, cap, sizeof cap);
        char label[48];
        snprintf(label, sizeof label, "capacity %s", cap);
        fprintf(out,
                "<line class=\"pipe-capacity\" x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" "
                "stroke=\"%s\" stroke-width=\"1.5\" stroke-dasharray=\"6,3\"/>\n",
                PLOT_LEFT, y, PLOT_LEFT + PLOT_WIDTH, y, COLOUR_CAPACITY);
        text_at(out, PLOT_LEFT - 4, y + 4, "end", "font-size=\"10\" fill=\"#b3261e\"", label, 0);
    }
    fputs("</g>\n", out);
#undef Y_OF
}

static const char *reader_colour(timeline_reader_state s)
{
    switch (s) {
    case TL_READER_NONE:
        return "#bdc1c6";
    case TL_READER_READING:
        return "#a8dab5";
    case TL_READER_STOPPED:
        return "#f6aea9";
    case TL_READER_CLOSED:
        return "#80868b";
    case TL_READER_DRAINING:
        return "#4db6ac";
    case TL_READER_UNKNOWN:
    case TL_READER_STATE_COUNT:
        break;
    }
    return "#ffffff";
}

static const char *reader_words(timeline_reader_state s)
{
    switch (s) {
    case TL_READER_NONE:
        return "nobody reads the pipe";
    case TL_READER_READING:
        return "reader reading";
    case TL_READER_STOPPED:
        return "reader stopped for good";
    case TL_READER_CLOSED:
        return "read end closed";
    case TL_READER_DRAINING:
        return "draining";
    case TL_READER_UNKNOWN:
    case TL_READER_STATE_COUNT:
        break;
    }
    return "";
}

static void draw_reader_lane(FILE *out, const panel *p, double top)
{
    const timeline_view *v = p->v;
    fprintf(out, "<g id=\"run-%d-lane-reader\" class=\"lane lane-reader\">\n", p->index);
    text_at(out, PLOT_LEFT - 8, top + 10, "end", "font-size=\"11\" fill=\"#202124\"", "reader", 0);
    for (size_t k = 0; k < v->sample_count; k++) {
        size_t end = k;
        while (end + 1 < v->sample_count && v->samples[end + 1].reader == v->samples[k].reader)
            end++;
        int64_t until = end + 1 < v->sample_count ? v->samples[end + 1].t_ms : v->samples[end].t_ms;
        timeline_reader_state state = (timeline_reader_state)v->samples[k].reader;
        double x0 = x_of(p->sc, v->samples[k].t_ms), x1 = x_of(p->sc, until);
        double w = x1 - x0 > 1 ? x1 - x0 : 1;
        fprintf(out,
                "<rect class=\"reader reader-%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                "height=\"%d\" fill=\"%s\"><title>",
                timeline_reader_name(state), x0, top, w, READER_LANE_HEIGHT, reader_colour(state));
        svg_put_text(out, reader_words(state), 0);
        fputs("</title></rect>\n", out);
        if (w > svg_text_width(reader_words(state), 9.5) + 6)
            text_at(out, x0 + 3, top + 9.5, NULL, "font-size=\"9.5\" fill=\"#202124\"",
                    reader_words(state), 0);
        k = end;
    }
    fputs("</g>\n", out);
}

/* When the run's drain began, -1 none. */
static int64_t drain_ms(const timeline_view *v)
{
    for (size_t i = 0; i < v->marker_count; i++)
        if (v->markers[i].kind == TV_MARK_DRAIN)
            return v->markers[i].t_ms;
    return -1;
}

/* A request that was answered only once the pipe was drained: it hung while the pipe was full. */
static bool answered_after_drain(const timeline_view *v, const tv_bar *b)
{
    int64_t drain = drain_ms(v);
    return !b->recovery && b->outcome == TL_OUTCOME_ANSWERED && drain >= 0 && b->start_ms < drain &&
           b->end_ms > drain;
}

/* A bar's own label: its latency, or what happened to it; "; N after the drain" counts the
 * recovery probes among them. */
static void bar_label(const timeline_view *v, const tv_bar *b, size_t together, size_t recovery,
                      long max_latency, char *out, size_t size)
{
    char d[24];
    svg_format_duration(max_latency, d, sizeof d);
    if (answered_after_drain(v, b)) {
        if (together == 1)
            snprintf(out, size, "answered only after the drain (%s)", d);
        else
            snprintf(out, size, "%zu answered only after the drain (max %s)", together, d);
        return;
    }
    if (recovery == together) {
        snprintf(out, size, "%s after the drain", d);
        return;
    }
    if (recovery > 0) {
        snprintf(out, size, "%zu answered, max %s (%zu after the drain)", together - recovery, d,
                 recovery);
        return;
    }
    if (together > 1) {
        switch (b->outcome) {
        case TL_OUTCOME_ANSWERED:
            snprintf(out, size, "%zu answered, max %s", together, d);
            return;
        case TL_OUTCOME_TIMED_OUT:
            snprintf(out, size, "%zu timed out at %s", together, d);
            return;
        case TL_OUTCOME_FAILED:
            snprintf(out, size, "%zu failed", together);
            return;
        case TL_OUTCOME_NONE:
            snprintf(out, size, "%zu: no answer by the end", together);
            return;
        }
    }
    switch (b->outcome) {
    case TL_OUTCOME_ANSWERED:
        snprintf(out, size, "%s", d);
        return;
    case TL_OUTCOME_TIMED_OUT:
        snprintf(out, size, "timed out at %s", d);
        return;
    case TL_OUTCOME_FAILED:
        snprintf(out, size, "failed after %s", d);
        return;
    case TL_OUTCOME_NONE:
        snprintf(out, size, "no answer by the end (%s)", d);
        return;
    }
}

static void bar_tooltip(FILE *out, const timeline_view *v, const tv_bar *b)
{
    char d[32];
    svg_format_duration(b->latency_ms, d, sizeof d);
    const char *what =
        b->lane == TV_LANE_TRIGGER ? (v->trigger[0] ? v->trigger : "trigger") : v->routes[b->lane];
    fputs("<title>", out);
    svg_put_text(out, what, 90);
    if (b->lane == TV_LANE_TRIGGER)
        fprintf(out, " (trigger %d)", b->round);
    else if (b->recovery)
        fputs(" (recovery, after the drain)", out);
    else
        fprintf(out, " (round %d)", b->round);
    const char *outcome = b->outcome == TL_OUTCOME_ANSWERED    ? "answered"
                          : b->outcome == TL_OUTCOME_TIMED_OUT ? "timed out"
                          : b->outcome == TL_OUTCOME_FAILED    ? "failed"
                                                               : "no answer by the end";
    fprintf(out, ": %s after %s", outcome, d);
    if (b->status > 0)
        fprintf(out, ", HTTP %ld", b->status);
    fputs("</title>", out);
}

/* The bars of one lane (route index or TV_LANE_TRIGGER), in the order they started, labelled
 * per cluster. */
static void draw_bars(FILE *out, const panel *p, int lane, double top, double height)
{
    const timeline_view *v = p->v;
    size_t n = 0;
    for (size_t i = 0; i < v->bar_count; i++)
        n += v->bars[i].lane == lane;
    if (n == 0)
        return;
    const tv_bar **bars = malloc(n * sizeof *bars);
    if (!bars)
        return;
    n = 0;
    for (size_t i = 0; i < v->bar_count; i++)
        if (v->bars[i].lane == lane)
            bars[n++] = &v->bars[i];
    for (size_t i = 1; i < n; i++) /* insertion sort by start: lanes hold few bars */
        for (size_t k = i; k > 0 && bars[k]->start_ms < bars[k - 1]->start_ms; k--) {
            const tv_bar *t = bars[k];
            bars[k] = bars[k - 1];
            bars[k - 1] = t;
        }
    double opacity = lane == TV_LANE_TRIGGER && n > 1 ? 0.6 : 1.0;
    for (size_t i = 0; i < n; i++) {
        const tv_bar *b = bars[i];
        double x0 = x_of(p->sc, b->start_ms), x1 = x_of(p->sc, b->end_ms);
        double w = x1 - x0 > 2.5 ? x1 - x0 : 2.5;
        bool late = answered_after_drain(v, b);
        fprintf(out,
                "<rect class=\"%s %s%s%s\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" "
                "height=\"%.1f\" fill=\"%s\" fill-opacity=\"%.2f\"%s>",
                lane == TV_LANE_TRIGGER ? "trigger-request" : "probe", outcome_class(b->outcome),
                b->recovery ? " recovery" : "", late ? " after-drain" : "", x0, top, w, height,
                late ? COLOUR_LATE : outcome_colour(b->outcome), opacity,
                b->recovery ? " stroke=\"#1b5e20\" stroke-width=\"0.8\"" : "");
        bar_tooltip(out, v, b);
        fputs("</rect>\n", out);
    }
    /* labels: one per cluster of nearby bars with the same outcome; a label inside a bar moves
     * to the bar's right end when the label before it reaches into the bar */
    double last_label_end = -1e9;
    for (size_t i = 0; i < n;) {
        size_t k = i + 1;
        double end_x = x_of(p->sc, bars[i]->end_ms);
        long max_latency = bars[i]->latency_ms;
        while (k < n && bars[k]->outcome == bars[i]->outcome &&
               answered_after_drain(v, bars[k]) == answered_after_drain(v, bars[i]) &&
               x_of(p->sc, bars[k]->start_ms) < end_x + LABEL_CLUSTER_PX) {
            double e = x_of(p->sc, bars[k]->end_ms);
            end_x = e > end_x ? e : end_x;
            if (bars[k]->latency_ms > max_latency)
                max_latency = bars[k]->latency_ms;
            k++;
        }
        size_t recovery = 0;
        for (size_t j = i; j < k; j++)
            recovery += bars[j]->recovery;
        char label[128];
        bar_label(v, bars[i], k - i, recovery, max_latency, label, sizeof label);
        double x0 = x_of(p->sc, bars[i]->start_ms);
        double tw = svg_text_width(label, LABEL_PX);
        double baseline = top + height / 2 + 3.8;
        static const char inside[] =
            "class=\"latency\" font-size=\"10.5\" fill=\"#ffffff\" font-weight=\"bold\"";
        static const char outside[] = "class=\"latency\" font-size=\"10.5\" fill=\"#202124\"";
        double bold_tw = tw * 1.12;
        if (end_x - x0 > bold_tw + 8 && x0 + 4 > last_label_end) {
            text_at(out, x0 + 4, baseline, NULL, inside, label, 0);
            last_label_end = x0 + 4 + bold_tw;
        } else if (end_x - x0 > bold_tw + 8 && end_x - 4 - bold_tw > last_label_end) {
            text_at(out, end_x - 4, baseline, "end", inside, label, 0);
            last_label_end = end_x;
        } else if (end_x + 4 + tw < SVG_WIDTH - 2) {
            text_at(out, end_x + 4, baseline, NULL, outside, label, 0);
            last_label_end = end_x + 4 + tw;
        } else {
            text_at(out, x0 - 4, baseline, "end", outside, label, 0);
            last_label_end = end_x;
        }
        i = k;
    }
    free(bars);
}

static void draw_markers(FILE *out, const panel *p)
{
    const timeline_view *v = p->v;
    fprintf(out, "<g id=\"run-%d-markers\" class=\"markers\">\n", p->index);
    for (size_t i = 0; i < v->marker_count; i++) {
        const tv_marker *m = &v->markers[i];
        marker_style st = marker_style_of(m->kind);
        double x = x_of(p->sc, m->t_ms);
        double label_y = p->marker_top + (p->marker_row[i] + 1) * MARKER_ROW_HEIGHT - 3;
        fprintf(out, "<g class=\"marker %s\">", st.class_name);
        fprintf(out,
                "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"%s\" "
                "stroke-width=\"%s\"%s%s%s/>",
                x, label_y - 9, x, p->lanes_bottom, st.colour,
                m->kind == TV_MARK_READY ? "1" : "1.6", st.dash ? " stroke-dasharray=\"" : "",
                st.dash ? st.dash : "", st.dash ? "\"" : "");
        double w = svg_text_width(m->label, LABEL_PX) + 8;
        bool flip = x + w > SVG_WIDTH - 4;
        char attrs[96];
        snprintf(attrs, sizeof attrs, "font-size=\"10.5\" font-weight=\"bold\" fill=\"%s\"",
                 st.colour);
        text_at(out, flip ? x - 3 : x + 3, label_y, flip ? "end" : NULL, attrs, m->label, 0);
        fputs("</g>\n", out);
    }
    fputs("</g>\n", out);
}

static void draw_grid(FILE *out, const panel *p)
{
    fputs("<g class=\"grid\" stroke=\"#e8eaed\" stroke-width=\"1\">\n", out);
    for (int64_t t = 0; t <= p->sc->span_ms; t += p->sc->step_ms)
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n", x_of(p->sc, t),
                p->lanes_top, x_of(p->sc, t), p->lanes_bottom);
    fputs("</g>\n", out);
}

static bool has_trigger_lane(const timeline_view *v)
{
    for (size_t i = 0; i < v->bar_count; i++)
        if (v->bars[i].lane == TV_LANE_TRIGGER)
            return true;
    return false;
}

static double panel_height(const timeline_view *v, int marker_rows)
{
    double h = 54 + marker_rows * MARKER_ROW_HEIGHT + 4;
    h += PIPE_LANE_HEIGHT + LANE_GAP + READER_LANE_HEIGHT + LANE_GAP;
    if (has_trigger_lane(v))
        h += TRIGGER_LANE_HEIGHT + LANE_GAP;
    h += (double)v->route_count * (PROBE_LANE_HEIGHT + LANE_GAP);
    return h;
}

static double draw_panel(FILE *out, panel *p)
{
    const timeline_view *v = p->v;
    fprintf(out, "<g id=\"run-%d\" class=\"run verdict-%s\">\n", p->index, v->verdict);
    draw_header(out, p);
    p->marker_top = p->top + 54;
    p->lanes_top = p->marker_top + p->marker_rows * MARKER_ROW_HEIGHT + 4;
    p->lanes_bottom = p->top + panel_height(v, p->marker_rows) - LANE_GAP;
    draw_grid(out, p);
    double y = p->lanes_top;
    draw_pipe_lane(out, p, y);
    y += PIPE_LANE_HEIGHT + LANE_GAP;
    draw_reader_lane(out, p, y);
    y += READER_LANE_HEIGHT + LANE_GAP;
    if (has_trigger_lane(v)) {
        fprintf(out, "<g id=\"run-%d-lane-trigger\" class=\"lane lane-trigger\">\n", p->index);
        char name[112];
        snprintf(name, sizeof name, "trigger %s", v->trigger);
        text_at(out, PLOT_LEFT - 8, y + 11, "end", "font-size=\"11\" fill=\"#202124\"", name, 34);
        draw_bars(out, p, TV_LANE_TRIGGER, y + 1, TRIGGER_LANE_HEIGHT - 2);
        fputs("</g>\n", out);
        y += TRIGGER_LANE_HEIGHT + LANE_GAP;
    }
    for (size_t r = 0; r < v->route_count; r++) {
        fprintf(out, "<g id=\"run-%d-lane-probe-%zu\" class=\"lane lane-probe\">\n", p->index, r);
        fprintf(out,
                "<rect x=\"%d\" y=\"%.1f\" width=\"%d\" height=\"%d\" fill=\"#fbfbfc\" "
                "stroke=\"#eceff1\"/>\n",
                PLOT_LEFT, y, PLOT_WIDTH, PROBE_LANE_HEIGHT);
        text_at(out, PLOT_LEFT - 8, y + 13, "end", "font-size=\"11\" fill=\"#202124\"",
                v->routes[r], 32);
        draw_bars(out, p, (int)r, y + 2, PROBE_LANE_HEIGHT - 4);
        fputs("</g>\n", out);
        y += PROBE_LANE_HEIGHT + LANE_GAP;
    }
    draw_markers(out, p);
    fputs("</g>\n", out);
    return panel_height(v, p->marker_rows);
}

static void draw_axis(FILE *out, const scale *sc, double y)
{
    fputs("<g id=\"axis-time\" class=\"axis\" font-size=\"11\" fill=\"#3c4043\">\n", out);
    fprintf(out,
            "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#5f6368\" "
            "stroke-width=\"1\"/>\n",
            PLOT_LEFT, y, PLOT_LEFT + PLOT_WIDTH, y);
    for (int64_t t = 0; t <= sc->span_ms; t += sc->step_ms) {
        double x = x_of(sc, t);
        char label[32];
        if (sc->step_ms % 1000 == 0)
            snprintf(label, sizeof label, "%lld s", (long long)(t / 1000));
        else if (sc->step_ms % 100 == 0)
            snprintf(label, sizeof label, "%.1f s", (double)t / 1000.0);
        else
            snprintf(label, sizeof label, "%.2f s", (double)t / 1000.0);
        fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#5f6368\"/>\n",
                x, y, x, y + 5);
        text_at(out, x, y + 18, "middle", NULL, label, 0);
    }
    text_at(out, PLOT_LEFT + PLOT_WIDTH / 2.0, y + 34, "middle", "font-size=\"11\"",
            "seconds since the child started (one axis for every run)", 0);
    fputs("</g>\n", out);
}

int timeline_svg_write(FILE *out, const timeline_view *views, size_t count, const char *title)
{
    if (count == 0)
        return -1;
    char own_title[320];
    if (!title) {
        if (count == 1) {
            snprintf(own_title, sizeof own_title, "%s: %s%s%s", views[0].label, views[0].verdict,
                     views[0].cause[0] ? " (" : "", views[0].cause[0] ? views[0].cause : "");
            if (views[0].cause[0])
                strncat(own_title, ")", sizeof own_title - strlen(own_title) - 1);
        } else {
            own_title[0] = '\0';
            for (size_t i = 0; i < count; i++) {
                strncat(own_title, i ? " vs " : "", sizeof own_title - strlen(own_title) - 1);
                strncat(own_title, views[i].label, sizeof own_title - strlen(own_title) - 1);
            }
        }
        title = own_title;
    }
    scale sc = choose_scale(views, count);
    panel *panels = calloc(count, sizeof *panels);
    if (!panels)
        return -1;
    double height = 64;
    for (size_t i = 0; i < count; i++) {
        panels[i].v = &views[i];
        panels[i].sc = &sc;
        panels[i].index = (int)i + 1;
        place_marker_labels(&panels[i]);
        height += panel_height(&views[i], panels[i].marker_rows) + PANEL_GAP;
    }
    height += 44;

    fprintf(out,
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
            "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"%d\" "
            "height=\"%.0f\" viewBox=\"0 0 %d %.0f\" font-family=\"sans-serif\" "
            "font-size=\"11\">\n",
            SVG_WIDTH, height, SVG_WIDTH, height);
    fputs("<title>", out);
    svg_put_text(out, title, 300);
    fputs("</title>\n<desc>stallcheck timeline: pipe level against capacity, reader state, trigger "
          "and probe requests per route (green answered, red timed out), markers for the "
          "trigger, the fault, the verdict, the drain and the recovery; time in seconds since "
          "the child started.</desc>\n",
          out);
    fprintf(out, "<rect width=\"%d\" height=\"%.0f\" fill=\"#ffffff\"/>\n", SVG_WIDTH, height);
    text_at(out, 12, 24, NULL,
            "id=\"title\" font-size=\"17\" font-weight=\"bold\" fill=\"#202124\"", title, 150);
    draw_legend(out, 46);
    double y = 64;
    for (size_t i = 0; i < count; i++) {
        panels[i].top = y;
        y += draw_panel(out, &panels[i]) + PANEL_GAP;
        if (i + 1 < count)
            fprintf(out,
                    "<line x1=\"8\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\" stroke=\"#bdc1c6\" "
                    "stroke-width=\"1\"/>\n",
                    y - PANEL_GAP / 2.0, SVG_WIDTH - 8, y - PANEL_GAP / 2.0);
    }
    draw_axis(out, &sc, y - PANEL_GAP + 6);
    fputs("</svg>\n", out);
    free(panels);
    return ferror(out) ? -1 : 0;
}

int timeline_svg_write_file(const char *path, const timeline_view *views, size_t count,
                            const char *title, char *err, size_t err_size)
{
    size_t len = strlen(path) + 32;
    char *tmp = malloc(len);
    if (!tmp) {
        snprintf(err, err_size, "out of memory");
        return -1;
    }
    snprintf(tmp, len, "%s.tmp.%ld", path, (long)getpid());
    FILE *f = fopen(tmp, "w");
    if (!f) {
        snprintf(err, err_size, "cannot create %s: %s", tmp, strerror(errno));
        free(tmp);
        return -1;
    }
    int rc = timeline_svg_write(f, views, count, title);
    if (fclose(f) != 0)
        rc = -1;
    if (rc == 0 && rename(tmp, path) != 0) {
        snprintf(err, err_size, "cannot rename %s to %s: %s", tmp, path, strerror(errno));
        rc = -1;
    } else if (rc != 0) {
        snprintf(err, err_size, "cannot write %s", tmp);
    }
    if (rc != 0)
        unlink(tmp);
    free(tmp);
    return rc;
}
