/* report_junit.c: JUnit XML (--junit): one testcase for the fault, one per probe round, one for
 * the verdict. See report.h. The fault case fails when the fault was never established (the run
 * is inconclusive: CI must treat that as a failure); a round fails when any of its probes missed
 * the deadline; the verdict case fails when the expectation (--expect, else "responsive") was not
 * met, the run was inconclusive, or it had an error. */
#include "report.h"

#include <stdio.h>
#include <string.h>

static void write_escaped(FILE *f, const char *s)
{
    for (; s && *s; s++) {
        switch (*s) {
        case '<': fputs("&lt;", f); break;
        case '>': fputs("&gt;", f); break;
        case '&': fputs("&amp;", f); break;
        case '"': fputs("&quot;", f); break;
        case '\'': fputs("&apos;", f); break;
        default:
            if ((unsigned char)*s < 0x20 && *s != '\n' && *s != '\t')
                fputc('?', f); /* control characters are not allowed in XML 1.0 */
            else
                fputc(*s, f);
        }
    }
}

static const char *expected_verdict(const stall_result *r)
{
    return r->options->expect == EXPECT_STALLED ? VERDICT_STALLED : VERDICT_RESPONSIVE;
}

int report_write_junit(const char *path, const stall_result *r)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    long rounds = r->options->rounds;
    size_t per_round = r->options->probe_count;
    if (r->probe_count < per_round * (size_t)rounds)
        rounds = per_round ? (long)(r->probe_count / per_round) : 0;

    bool fault_case = r->fault.summary[0] != '\0'; /* the run got as far as building the fault */
    int failures = 0;
    for (long round = 0; round < rounds; round++)
        failures += probes_any_timed_out(r->probes + round * (long)per_round, per_round);
    failures += !r->expect_met;
    failures += fault_case && !r->fault.reached;

    fprintf(f, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
    fprintf(f, "<testsuites>\n");
    fprintf(f, "  <testsuite name=\"stallcheck\" tests=\"%ld\" failures=\"%d\" errors=\"0\" time=\"%.3f\">\n",
            rounds + 1 + (fault_case ? 1 : 0), failures, (double)r->duration_ms / 1000.0);

    if (fault_case) {
        fprintf(f, "    <testcase classname=\"stallcheck\" name=\"fault established\" time=\"%.3f\">\n",
                (double)r->fault.established_ms / 1000.0);
        if (!r->fault.reached) {
            fprintf(f, "      <failure message=\"inconclusive: the fault was not established; treat as a failure\">");
            write_escaped(f, r->fault.detail);
            fprintf(f, "</failure>\n");
        }
        fprintf(f, "      <system-out>");
        write_escaped(f, r->fault.summary);
        fprintf(f, "</system-out>\n");
        fprintf(f, "    </testcase>\n");
    }

    for (long round = 0; round < rounds; round++) {
        const probe_result *p = r->probes + round * (long)per_round;
        int64_t slowest = 0;
        for (size_t i = 0; i < per_round; i++)
            if (p[i].latency_ms > slowest)
                slowest = p[i].latency_ms;
        fprintf(f, "    <testcase classname=\"stallcheck.probes\" name=\"round %ld\" time=\"%.3f\">\n",
                round + 1, (double)slowest / 1000.0);
        if (probes_any_timed_out(p, per_round)) {
            fprintf(f, "      <failure message=\"probes missed the %ld ms deadline\">", r->options->deadline_ms);
            for (size_t i = 0; i < per_round; i++) {
                if (!p[i].timed_out)
                    continue;
                fprintf(f, "%s %s: ", p[i].method, p[i].path);
                write_escaped(f, p[i].error);
                fputc('\n', f);
            }
            fprintf(f, "</failure>\n");
        }
        fprintf(f, "    </testcase>\n");
    }

    fprintf(f, "    <testcase classname=\"stallcheck\" name=\"verdict\" time=\"%.3f\">\n",
            (double)r->duration_ms / 1000.0);
    if (!r->expect_met) {
        fprintf(f, "      <failure message=\"verdict ");
        write_escaped(f, r->verdict);
        fprintf(f, ", expected %s\">", expected_verdict(r));
        if (r->error[0])
            write_escaped(f, r->error);
        else if (strcmp(r->verdict, VERDICT_INCONCLUSIVE) == 0) {
            fprintf(f, "inconclusive (exit status 3): CI must treat it as a failure.\n");
            write_escaped(f, r->verdict_basis);
        } else {
            fprintf(f, "cause: ");
            write_escaped(f, r->cause ? r->cause : "none");
            fputc('\n', f);
            write_escaped(f, r->cause_detail);
        }
        fprintf(f, "</failure>\n");
    }
    fprintf(f, "      <system-out>verdict=");
    write_escaped(f, r->verdict);
    fprintf(f, " cause=");
    write_escaped(f, r->cause ? r->cause : "none");
    fprintf(f, "</system-out>\n");
    fprintf(f, "    </testcase>\n");
    fprintf(f, "  </testsuite>\n</testsuites>\n");
    return fclose(f) == 0 ? 0 : -1;
}
