/* test_timeline_svg.c: the timeline picture drawn from synthetic runs (timeline_view.h +
 * timeline_svg.h), read back with the strict XML checker (svg_facts.h). Table-driven: each row
 * builds a view as a run would (routes, events in timeline order, pipe samples, the outcome) and
 * says which lanes, bars and markers the picture must have. Also: hostile text stays
 * well-formed, several runs share one picture, and a version 1 JSON timeline (written before
 * probe intervals existed) is still read. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "svg_facts.h"
#include "timeline_svg.h"
#include "timeline_view.h"
#include "timeline_view_json.h"

static void event(timeline_view *v, timeline_kind kind, int64_t t, long value)
{
    tv_event ev = {kind, t, -1, value, -1, 0, false, TL_OUTCOME_NONE, 0, NULL};
    assert_int_equal(timeline_view_add_event(v, &ev), 0);
}

static void probe(timeline_view *v, int route, int round, bool recovery, int64_t start,
                  long latency, timeline_outcome outcome)
{
    tv_event s = {TL_PROBE_START, start, -1, 0, route, round, recovery, TL_OUTCOME_NONE, 0, NULL};
    assert_int_equal(timeline_view_add_event(v, &s), 0);
    if (outcome == TL_OUTCOME_NONE)
        return; /* never ended */
    tv_event d = {TL_PROBE_DONE, start + latency, start,
                  latency,       route,           round,
                  recovery,      outcome,         outcome == TL_OUTCOME_ANSWERED ? 200 : 0,
                  NULL};
    assert_int_equal(timeline_view_add_event(v, &d), 0);
}

static void trigger(timeline_view *v, int64_t sent, int64_t done, timeline_outcome outcome)
{
    tv_event s = {TL_TRIGGER_SENT,    sent, -1, 1, -1, 0, false, TL_OUTCOME_NONE, 0,
                  "POST /v1/messages"};
    assert_int_equal(timeline_view_add_event(v, &s), 0);
    if (done < 0)
        return;
    tv_event d = {TL_TRIGGER_DONE, done, sent, 200, -1, 1, false, outcome, 200, "answered"};
    assert_int_equal(timeline_view_add_event(v, &d), 0);
}

/* The pipe fills from fill_ms to full_ms, stays full, and drains at drain_ms (-1: never). */
static void samples(timeline_view *v, int64_t end, int64_t fill, int64_t full, int64_t drain)
{
    for (int64_t t = 0; t <= end; t += 10) {
        long pending = t < fill ? 0 : t < full ? (long)(65536 * (t - fill) / (full - fill)) : 65536;
        bool drained = drain >= 0 && t >= drain;
        if (drained)
            pending = 0;
        assert_int_equal(timeline_view_add_sample(v, t, pending, pending >= 65536 ? 0 : 1,
                                                  drained ? TL_READER_DRAINING : TL_READER_NONE),
                         0);
    }
}

static void base(timeline_view *v, const char *label, const char *verdict, const char *cause)
{
    timeline_view_init(v);
    const char *argv[] = {"/usr/bin/server", "--port", "4000"};
    timeline_view_set_command(v, label, argv, 3);
    timeline_view_set_outcome(v, verdict, cause, "full 65536/65536", 1800, 1);
    v->capacity = 65536;
    snprintf(v->pipe_name, sizeof v->pipe_name, "stdout+stderr");
    timeline_view_add_route(v, "GET /v1/models");
    timeline_view_add_route(v, "GET /health");
}

static void build_stalled(timeline_view *v)
{
    base(v, "blocking", "stalled", "log-pipe-deadlock");
    event(v, TL_READY, 50, 1);
    trigger(v, 60, -1, TL_OUTCOME_NONE);
    event(v, TL_FAULT_REACHED, 300, 65536);
    probe(v, 0, 1, false, 310, 1500, TL_OUTCOME_TIMED_OUT);
    probe(v, 1, 1, false, 310, 1500, TL_OUTCOME_TIMED_OUT);
    event(v, TL_VERDICT, 1820, 0);
    event(v, TL_DRAIN, 1821, 0);
    probe(v, 0, 4, true, 1822, 2, TL_OUTCOME_ANSWERED);
    probe(v, 1, 4, true, 1822, 3, TL_OUTCOME_ANSWERED);
    tv_event d = {TL_TRIGGER_DONE, 1825, 60, 200, -1, 1, false, TL_OUTCOME_ANSWERED, 200, NULL};
    assert_int_equal(timeline_view_add_event(v, &d), 0);
    event(v, TL_RECOVERY, 1830, 1);
    samples(v, 1900, 60, 250, 1822);
    timeline_view_finish(v);
}

static void build_responsive(timeline_view *v)
{
    base(v, "async", "responsive", "none");
    event(v, TL_READY, 50, 1);
    trigger(v, 60, 65, TL_OUTCOME_ANSWERED);
    event(v, TL_FAULT_REACHED, 300, 65536);
    for (int round = 1; round <= 3; round++) {
        probe(v, 0, round, false, 300 + round * 20, 3, TL_OUTCOME_ANSWERED);
        probe(v, 1, round, false, 300 + round * 20, 1, TL_OUTCOME_ANSWERED);
    }
    event(v, TL_VERDICT, 400, 0);
    event(v, TL_DRAIN, 401, 0);
    event(v, TL_RECOVERY, 410, 1);
    samples(v, 450, 60, 250, 401);
    timeline_view_finish(v);
}

/* The watchdog fired while the probes were out: they never ended. */
static void build_watchdog(timeline_view *v)
{
    base(v, "hung", "error", NULL);
    event(v, TL_FAULT_REACHED, 300, 65536);
    probe(v, 0, 1, false, 310, 0, TL_OUTCOME_NONE);
    probe(v, 1, 1, false, 310, 0, TL_OUTCOME_NONE);
    event(v, TL_WATCHDOG, 5000, 0);
    samples(v, 5000, 60, 250, -1);
    timeline_view_finish(v);
}

static void build_not_reached(timeline_view *v)
{
    base(v, "quiet", "inconclusive", "fault-not-reached");
    event(v, TL_FAULT_NOT_REACHED, 3000, 100);
    probe(v, 0, 1, false, 3010, 2, TL_OUTCOME_ANSWERED);
    samples(v, 3100, 0, 100000, -1); /* never near full */
    timeline_view_finish(v);
}

/* Text from the run that XML must not take as markup, and bytes that are not UTF-8. */
static void build_hostile(timeline_view *v)
{
    timeline_view_init(v);
    const char *argv[] = {"/srv/a&b<c>\"d'", "--x=\x01\xff", "\xe2\x80\x94ok"};
    timeline_view_set_command(v, NULL, argv, 3);
    timeline_view_set_outcome(v, "stalled", "a<b&c", "full \"1\"/2 & <3>", -1, -1);
    timeline_view_add_route(v, "GET /q?a=1&b=<x>\"'\x02");
    probe(v, 0, 1, false, 10, 20, TL_OUTCOME_FAILED);
    timeline_view_finish(v);
}

static void build_empty(timeline_view *v)
{
    timeline_view_init(v);
    timeline_view_finish(v);
}

typedef struct svg_case {
    const char *name;
    void (*build)(timeline_view *v);
    const char *verdict;
    int probe_lanes, answered, timed_out, failed, open, recovery_answered, after_drain;
    bool trigger_lane, fault, fault_not_reached, drain, recovery, no_slot;
} svg_case;

static const svg_case cases[] = {
    {"stalled", build_stalled, "stalled", 2, 0, 2, 0, 0, 2, 1, true, true, false, true, true, true},
    {"responsive", build_responsive, "responsive", 2, 6, 0, 0, 0, 0, 0, true, true, false, true,
     true, true},
    {"watchdog", build_watchdog, "error", 2, 0, 0, 0, 2, 0, 0, false, true, false, false, false,
     true},
    {"not reached", build_not_reached, "inconclusive", 2, 1, 0, 0, 0, 0, 0, false, false, true,
     false, false, false},
    {"hostile text", build_hostile, "stalled", 1, 0, 0, 1, 0, 0, 0, false, false, false, false,
     false, false},
    {"empty", build_empty, "unknown", 0, 0, 0, 0, 0, 0, 0, false, false, false, false, false,
     false},
};

/* Draws views into memory and reads the picture back. */
static void draw(const timeline_view *views, size_t count, svg_facts *facts, char **text_out)
{
    char *text = NULL;
    size_t len = 0;
    FILE *mem = open_memstream(&text, &len);
    assert_non_null(mem);
    assert_int_equal(timeline_svg_write(mem, views, count, NULL), 0);
    assert_int_equal(fclose(mem), 0);
    if (!svg_facts_read(text, len, facts))
        fail_msg("not well-formed at line %zu: %s", facts->xml.line, facts->xml.error);
    if (text_out)
        *text_out = text;
    else
        free(text);
}

static void test_cases(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        const svg_case *c = &cases[i];
        timeline_view v;
        c->build(&v);
        svg_facts f;
        draw(&v, 1, &f, NULL);
        const svg_run_facts *r = &f.run[0];
#define EXPECT(cond)                                                                               \
    do {                                                                                           \
        if (!(cond))                                                                               \
            fail_msg("row '%s': %s (answered %d timed out %d failed %d open %d)", c->name, #cond,  \
                     r->answered, r->timed_out, r->failed, r->open);                               \
    } while (0)
        EXPECT(f.svg_root && f.title && f.axis && !f.unsafe && f.runs == 1);
        EXPECT(strcmp(r->verdict, c->verdict) == 0);
        EXPECT(r->pipe_lane && r->reader_lane && r->capacity_line == (v.capacity > 0));
        EXPECT(r->probe_lanes == c->probe_lanes);
        EXPECT(r->answered == c->answered && r->timed_out == c->timed_out);
        EXPECT(r->failed == c->failed && r->open == c->open);
        EXPECT(r->recovery_answered == c->recovery_answered && r->after_drain == c->after_drain);
        EXPECT(r->trigger_lane == c->trigger_lane);
        EXPECT(r->marker_fault == c->fault && r->marker_fault_not_reached == c->fault_not_reached);
        EXPECT(r->marker_drain == c->drain && r->marker_recovery == c->recovery);
        EXPECT(r->no_slot_band == c->no_slot);
        EXPECT(r->latency_labels >= (c->answered + c->timed_out + c->failed + c->open > 0));
#undef EXPECT
        timeline_view_free(&v);
    }
}

static void test_two_runs_one_axis(void **state)
{
    (void)state;
    timeline_view views[2];
    build_stalled(&views[0]);
    build_responsive(&views[1]);
    svg_facts f;
    char *text = NULL;
    draw(views, 2, &f, &text);
    assert_int_equal(f.runs, 2);
    assert_string_equal(f.run[0].verdict, "stalled");
    assert_string_equal(f.run[1].verdict, "responsive");
    assert_int_equal(f.run[0].timed_out, 2);
    assert_int_equal(f.run[1].timed_out, 0);
    assert_non_null(strstr(text, "<title>blocking vs async</title>"));
    /* one axis for both: a single axis group */
    assert_null(strstr(strstr(text, "id=\"axis-time\"") + 1, "id=\"axis-time\""));
    free(text);
    timeline_view_free(&views[0]);
    timeline_view_free(&views[1]);
}

/* A report written before probe intervals existed: probe-done events carry only a latency and
 * their route in words, pipe rows have no reader column. */
static void test_json_version_1(void **state)
{
    (void)state;
    const char *report =
        "{\"verdict\":\"stalled\",\"cause\":\"log-pipe-deadlock\",\"recovered\":true,"
        "\"time_to_verdict_ms\":1800,\"fault\":{\"summary\":\"full 65536/65536\"},"
        "\"pipe\":{\"name\":\"stdout+stderr\",\"capacity\":65536},"
        "\"pipes\":[{\"name\":\"stdout+stderr\",\"capacity\":65536}],"
        "\"probes\":[{\"method\":\"GET\",\"path\":\"/v1/models\"},{\"method\":\"GET\",\"path\":\"/"
        "health\"}],"
        "\"child\":{\"command\":[\"/opt/kiro-proxy-blocking\",\"--port\",\"1\"]},"
        "\"timeline\":{\"origin\":\"just before the child was spawned\",\"events\":["
        "{\"t_ms\":300,\"event\":\"fault-reached\",\"value\":65536},"
        "{\"t_ms\":310,\"event\":\"probe-round\",\"value\":1},"
        "{\"t_ms\":1810,\"event\":\"probe-done\",\"value\":1500,\"detail\":\"round 1 GET /health: "
        "timed out\"},"
        "{\"t_ms\":1811,\"event\":\"drain\",\"value\":0},{\"t_ms\":1812,\"event\":\"some-future-"
        "event\"}],"
        "\"pipe\":{\"columns\":[\"t_ms\",\"pipe\",\"pending\",\"writable\"],"
        "\"rows\":[[60,0,100,true],[300,0,65536,false],[\"bad\"],[310,0,null,null]]}}}";
    cJSON *root = cJSON_Parse(report);
    assert_non_null(root);
    timeline_view v;
    char err[128] = "";
    assert_int_equal(timeline_view_from_json(root, NULL, &v, err, sizeof err), 0);
    assert_string_equal(v.label, "kiro-proxy-blocking");
    assert_int_equal(v.route_count, 2);
    assert_int_equal(v.bar_count, 1);
    assert_int_equal(v.bars[0].lane, 1);
    assert_int_equal(v.bars[0].start_ms, 310);
    assert_int_equal(v.bars[0].outcome, TL_OUTCOME_TIMED_OUT);
    assert_int_equal(v.sample_count, 3); /* the malformed row is skipped */
    assert_int_equal(v.samples[1].has_room, 0);
    assert_int_equal(v.samples[2].pending, -1);
    assert_int_equal(v.samples[0].reader, TL_READER_UNKNOWN);
    assert_int_equal(v.capacity, 65536);
    assert_int_equal(v.recovered, 1);
    timeline_view_free(&v);
    cJSON_Delete(root);

    cJSON *not_report = cJSON_Parse("{\"verdict\":\"stalled\"}");
    assert_int_not_equal(timeline_view_from_json(not_report, NULL, &v, err, sizeof err), 0);
    assert_non_null(strstr(err, "no timeline"));
    timeline_view_free(&v);
    cJSON_Delete(not_report);
}

/* The picture is made to be shown around: the command's arguments (keys, tokens) stay out. */
static void test_no_arguments_in_picture(void **state)
{
    (void)state;
    timeline_view v;
    timeline_view_init(&v);
    const char *argv[] = {"bin/logrelay", "--", "bin/proxy", "--api-key", "sk-secret-0123"};
    timeline_view_set_command(&v, NULL, argv, 5);
    timeline_view_finish(&v);
    assert_string_equal(v.label, "logrelay");
    assert_string_equal(v.command, "bin/logrelay -- bin/proxy (+2 arguments)");
    svg_facts f;
    char *text = NULL;
    draw(&v, 1, &f, &text);
    assert_null(strstr(text, "sk-secret"));
    free(text);
    timeline_view_free(&v);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_cases),
        cmocka_unit_test(test_two_runs_one_axis),
        cmocka_unit_test(test_json_version_1),
        cmocka_unit_test(test_no_arguments_in_picture),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
