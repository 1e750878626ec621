/* stall_table.c: turns stallcheck --json reports into the demonstration table.
 *
 * Usage: stall-table [--markdown FILE] LABEL=REPORT.json ...
 * LABEL is "build|scenario|expected" (expected: stalled or responsive). Prints one row per
 * report (verdict, cause, what held when the probes ran, probe p50 and max latency, pipe
 * pending/capacity at evidence time, dropped log lines, recovery) and exits 0 only when every
 * verdict matches its expectation AND every run reached its fault: a row whose pipe was never
 * full proves nothing, so it is not "as expected" whatever its verdict. The dropped-lines figure
 * (and the lines still queued) comes from the /health body stallcheck collected while the fault
 * lasted ("-" when the server could not answer, which is itself the finding). */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct row {
    char build[64], scenario[64], expected[16];
    char verdict[16], cause[40], dropped[48], recovered[8], held[64];
    int fault_reached;
    double p50, max;
    long pending, capacity;
    int timeouts, probes;
    int ok;
} row;

static char *read_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    if (n < 0 || n > 64 * 1024 * 1024) {
        fclose(f);
        return NULL;
    }
    char *buf = malloc((size_t)n + 1);
    if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
        free(buf);
        buf = NULL;
    }
    if (buf)
        buf[n] = '\0';
    fclose(f);
    return buf;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static const char *str(const cJSON *o, const char *k, const char *dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsString(v) ? v->valuestring : dflt;
}

static double num(const cJSON *o, const char *k, double dflt)
{
    const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);
    return cJSON_IsNumber(v) ? v->valuedouble : dflt;
}

/* logger.lines_dropped from a collected /health body, if any. */
static void dropped_lines(const cJSON *report, char *out, size_t size)
{
    snprintf(out, size, "-");
    const cJSON *c;
    cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(report, "collected"))
    {
        const char *body = str(c, "body", NULL);
        cJSON *j = body ? cJSON_Parse(body) : NULL;
        const cJSON *logger = j ? cJSON_GetObjectItemCaseSensitive(j, "logger") : NULL;
        if (logger) {
            snprintf(out, size, "%.0f (%.0f queued)", num(logger, "lines_dropped", 0),
                     num(logger, "lines_queued", 0));
            cJSON_Delete(j);
            return;
        }
        cJSON_Delete(j);
    }
}

static int load_row(const char *arg, row *r)
{
    memset(r, 0, sizeof *r);
    const char *eq = strchr(arg, '=');
    if (!eq)
        return -1;
    char label[200];
    snprintf(label, sizeof label, "%.*s", (int)(eq - arg), arg);
    char *a = strtok(label, "|"), *b = strtok(NULL, "|"), *c = strtok(NULL, "|");
    if (!a || !b || !c)
        return -1;
    snprintf(r->build, sizeof r->build, "%s", a);
    snprintf(r->scenario, sizeof r->scenario, "%s", b);
    snprintf(r->expected, sizeof r->expected, "%s", c);
    char *text = read_file(eq + 1);
    cJSON *j = text ? cJSON_Parse(text) : NULL;
    free(text);
    if (!j) {
        snprintf(r->verdict, sizeof r->verdict, "error");
        snprintf(r->cause, sizeof r->cause, "no report");
        return 0;
    }
    snprintf(r->verdict, sizeof r->verdict, "%s", str(j, "verdict", "?"));
    snprintf(r->cause, sizeof r->cause, "%s", str(j, "cause", "?"));
    const cJSON *fault = cJSON_GetObjectItemCaseSensitive(j, "fault");
    snprintf(r->held, sizeof r->held, "%s", str(fault, "summary", "-"));
    r->fault_reached = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(j, "fault_reached"));
    const cJSON *pipe = cJSON_GetObjectItemCaseSensitive(j, "pipe");
    r->pending = (long)num(pipe, "pending", -1);
    r->capacity = (long)num(pipe, "capacity", -1);
    const cJSON *rec = cJSON_GetObjectItemCaseSensitive(j, "recovered");
    snprintf(r->recovered, sizeof r->recovered, "%s", cJSON_IsBool(rec) ? (cJSON_IsTrue(rec) ? "yes" : "no") : "-");
    const cJSON *probes = cJSON_GetObjectItemCaseSensitive(j, "probes");
    int n = cJSON_GetArraySize(probes);
    double *lat = calloc((size_t)(n ? n : 1), sizeof *lat);
    const cJSON *p;
    cJSON_ArrayForEach(p, probes)
    {
        lat[r->probes++] = num(p, "latency_ms", 0);
        if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(p, "timed_out")))
            r->timeouts++;
    }
    if (r->probes) {
        qsort(lat, (size_t)r->probes, sizeof *lat, cmp_double);
        r->p50 = lat[(r->probes - 1) / 2];
        r->max = lat[r->probes - 1];
    }
    free(lat);
    dropped_lines(j, r->dropped, sizeof r->dropped);
    r->ok = strcmp(r->verdict, r->expected) == 0 && r->fault_reached;
    cJSON_Delete(j);
    return 0;
}

int main(int argc, char **argv)
{
    const char *markdown = NULL;
    row rows[64];
    int n = 0, all_ok = 1;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--markdown") && i + 1 < argc) {
            markdown = argv[++i];
            continue;
        }
        if (n == 64 || load_row(argv[i], &rows[n]) != 0) {
            fprintf(stderr, "stall-table: bad argument %s (want build|scenario|expected=FILE)\n", argv[i]);
            return 2;
        }
        all_ok &= rows[n].ok;
        n++;
    }
    const char *head[] = {"build", "scenario", "verdict", "cause", "held when probed",
                          "probes timed out", "p50 ms", "max ms", "pipe pending/capacity",
                          "log lines dropped", "recovered", "as expected"};
    enum { COLUMNS = sizeof head / sizeof head[0] };
    printf("%-28s %-11s %-12s %-21s %-32s %-8s %6s %6s %-11s %-19s %-9s %s\n", head[0], head[1], head[2],
           head[3], "held when probed", "timeouts", "p50 ms", "max ms", "pipe", "log dropped", head[10], "ok");
    FILE *md = markdown ? fopen(markdown, "w") : NULL;
    if (md) {
        fprintf(md, "| %s |", head[0]);
        for (int k = 1; k < COLUMNS; k++)
            fprintf(md, " %s |", head[k]);
        fprintf(md, "\n|");
        for (int k = 0; k < COLUMNS; k++)
            fprintf(md, "---|");
        fprintf(md, "\n");
    }
    for (int i = 0; i < n; i++) {
        row *r = &rows[i];
        char pipe[40], timeouts[24];
        snprintf(pipe, sizeof pipe, "%ld/%ld", r->pending, r->capacity);
        snprintf(timeouts, sizeof timeouts, "%d/%d", r->timeouts, r->probes);
        printf("%-28s %-11s %-12s %-21s %-32s %-8s %6.0f %6.0f %-11s %-19s %-9s %s\n", r->build,
               r->scenario, r->verdict, r->cause, r->held, timeouts, r->p50, r->max, pipe, r->dropped,
               r->recovered, r->ok ? "yes" : r->fault_reached ? "NO" : "NO (fault not reached)");
        if (md)
            fprintf(md, "| %s | %s | %s | %s | %s | %s | %.1f | %.1f | %s | %s | %s | %s |\n", r->build,
                    r->scenario, r->verdict, r->cause, r->held, timeouts, r->p50, r->max, pipe, r->dropped,
                    r->recovered, r->ok ? "yes" : r->fault_reached ? "**no**" : "**no: fault not reached**");
    }
    if (md)
        fclose(md);
    return all_ok && n > 0 ? 0 : 1;
}
