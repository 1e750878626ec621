/* report.c: bench-report, the last step of `make bench`: reads the ROW/NUM/META lines the
 * bench programs printed (bench_rows.h), prints the table, writes the Markdown and JSON
 * reports, lists the missed targets, and exits 0 only when no figure is FAIL.
 *
 *   bench-report [--markdown FILE] [--json FILE] [--meta KEY=VALUE]... RESULTS...
 *
 * Rows are shown by section (the sections are numbered after the figures of the issue), in
 * the order they were printed within a section. A summary follows: every figure that has a
 * target, and the figures that say what bounds one (target "(bounds ...)"), with the target,
 * the measured value (its first clause) and whether it was met. */
#include <cjson/cJSON.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { FIELDS_MAX = 7, ROWS_MAX = 256, META_MAX = 32 };

typedef struct row {
    char *id, *section, *figure, *status, *target, *measured;
    int order;
} row;

typedef struct meta {
    char *key, *value;
} meta;

typedef struct report {
    row rows[ROWS_MAX];
    int row_count;
    meta metas[META_MAX];
    int meta_count;
    cJSON *values;
} report;

/* Splits line in place at tabs; returns the number of fields. */
static int split(char *line, char **fields, int max)
{
    int n = 0;
    line[strcspn(line, "\r\n")] = '\0';
    while (n < max) {
        fields[n++] = line;
        char *tab = strchr(line, '\t');
        if (!tab)
            break;
        *tab = '\0';
        line = tab + 1;
    }
    return n;
}

static void add_meta(report *r, const char *key, const char *value)
{
    for (int i = 0; i < r->meta_count; i++) {
        if (!strcmp(r->metas[i].key, key)) {
            free(r->metas[i].value);
            r->metas[i].value = strdup(value);
            return;
        }
    }
    if (r->meta_count < META_MAX) {
        r->metas[r->meta_count].key = strdup(key);
        r->metas[r->meta_count].value = strdup(value);
        r->meta_count++;
    }
}

static int read_results(report *r, const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "bench-report: cannot read %s\n", path);
        return -1;
    }
    char line[4096];
    char *fields[FIELDS_MAX];
    while (fgets(line, sizeof line, f)) {
        int n = split(line, fields, FIELDS_MAX);
        if (n == 7 && !strcmp(fields[0], "ROW") && r->row_count < ROWS_MAX) {
            row *w = &r->rows[r->row_count];
            w->id = strdup(fields[1]);
            w->section = strdup(fields[2]);
            w->figure = strdup(fields[3]);
            w->status = strdup(fields[4]);
            w->target = strdup(fields[5]);
            w->measured = strdup(fields[6]);
            w->order = r->row_count++;
        } else if (n == 3 && !strcmp(fields[0], "NUM")) {
            cJSON_DeleteItemFromObjectCaseSensitive(r->values, fields[1]);
            cJSON_AddNumberToObject(r->values, fields[1], strtod(fields[2], NULL));
        } else if (n == 3 && !strcmp(fields[0], "META")) {
            add_meta(r, fields[1], fields[2]);
        }
    }
    fclose(f);
    return 0;
}

static int compare_rows(const void *a, const void *b)
{
    const row *x = a, *y = b;
    int c = strcmp(x->section, y->section);
    return c ? c : x->order - y->order;
}

static const char *meta_value(const report *r, const char *key)
{
    for (int i = 0; i < r->meta_count; i++)
        if (!strcmp(r->metas[i].key, key))
            return r->metas[i].value;
    return "unknown";
}

static int is_fail(const row *w)
{
    return strcmp(w->status, "PASS") && strcmp(w->status, "INFO") && strcmp(w->status, "N/A");
}

static void machine_line(const report *r, FILE *to, const char *prefix)
{
    fprintf(to, "%sMachine: %s, %s cores; kernel %s; pipe capacity %s; PIPE_BUF %s\n", prefix,
            meta_value(r, "cpu"), meta_value(r, "cores"), meta_value(r, "kernel"),
            meta_value(r, "pipe_capacity"), meta_value(r, "pipe_buf"));
}

/* 1 for the facts machine_line() already shows. */
static int in_machine_line(const char *key)
{
    return !strcmp(key, "cpu") || !strcmp(key, "cores") || !strcmp(key, "kernel") ||
           !strcmp(key, "pipe_capacity") || !strcmp(key, "pipe_buf");
}

/* Rows of the summary: a target, or what bounds one. */
static int in_summary(const row *w)
{
    return strcmp(w->status, "INFO") != 0 || strncmp(w->target, "(bounds", 7) == 0;
}

/* The measured text up to its first "; " (the figure itself; the rest says how it was taken). */
static void short_measured(const char *measured, char *out, size_t out_size)
{
    const char *end = strstr(measured, "; ");
    size_t n = end ? (size_t)(end - measured) : strlen(measured);
    if (n >= out_size)
        n = out_size - 1;
    memcpy(out, measured, n);
    out[n] = '\0';
}

static const char *met_word(const row *w)
{
    if (!strcmp(w->status, "PASS"))
        return "yes";
    if (!strcmp(w->status, "INFO"))
        return "-";
    if (!strcmp(w->status, "N/A"))
        return "n/a";
    return "NO";
}

static void print_summary(const report *r)
{
    printf("\n== Summary: every target, from this one run ==\n");
    printf("  %-4s  %-16s  %s\n", "met?", "section", "figure | target | measured");
    for (int i = 0; i < r->row_count; i++) {
        const row *w = &r->rows[i];
        if (!in_summary(w))
            continue;
        char measured[256];
        short_measured(w->measured, measured, sizeof measured);
        printf("  %-4s  %-16s  %s | %s | %s\n", met_word(w), w->section, w->figure, w->target,
               measured);
    }
}

static void print_table(const report *r, int failures)
{
    machine_line(r, stdout, "");
    for (int i = 0; i < r->meta_count; i++)
        if (!in_machine_line(r->metas[i].key))
            printf("%s: %s\n", r->metas[i].key, r->metas[i].value);
    const char *section = "";
    for (int i = 0; i < r->row_count; i++) {
        const row *w = &r->rows[i];
        if (strcmp(section, w->section)) {
            section = w->section;
            printf("\n== %s ==\n", section);
        }
        printf("  %-4s  %s\n        target: %s\n        measured: %s\n", w->status, w->figure,
               w->target, w->measured);
    }
    print_summary(r);
    printf("\n");
    if (failures == 0) {
        printf("RESULT: every target held (%d figures).\n", r->row_count);
        return;
    }
    printf("RESULT: %d target%s MISSED:\n", failures, failures > 1 ? "s" : "");
    for (int i = 0; i < r->row_count; i++)
        if (is_fail(&r->rows[i]))
            printf("  FAIL %s: %s (target %s; measured %s)\n", r->rows[i].id, r->rows[i].figure,
                   r->rows[i].target, r->rows[i].measured);
}

/* Markdown cell: pipes escaped. */
static void md_cell(FILE *f, const char *text)
{
    fputs(" ", f);
    for (const char *p = text; *p; p++) {
        if (*p == '|')
            fputc('\\', f);
        fputc(*p, f);
    }
    fputs(" |", f);
}

static int write_markdown(const report *r, const char *path, int failures)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fprintf(f, "# kiro-proxy benchmark (`make bench`)\n\n");
    machine_line(r, f, "");
    fprintf(f, "\n");
    for (int i = 0; i < r->meta_count; i++)
        if (!in_machine_line(r->metas[i].key))
            fprintf(f, "- %s: %s\n", r->metas[i].key, r->metas[i].value);
    fprintf(f, "\n| section | figure | target | measured | status |\n|---|---|---|---|---|\n");
    for (int i = 0; i < r->row_count; i++) {
        const row *w = &r->rows[i];
        fputs("|", f);
        md_cell(f, w->section);
        md_cell(f, w->figure);
        md_cell(f, w->target);
        md_cell(f, w->measured);
        fprintf(f, " %s%s%s |\n", is_fail(w) ? "**" : "", w->status, is_fail(w) ? "**" : "");
    }
    fprintf(f, "\n### Summary: every target, from this one run\n\n"
               "| section | figure | target | measured | met? |\n|---|---|---|---|---|\n");
    for (int i = 0; i < r->row_count; i++) {
        const row *w = &r->rows[i];
        if (!in_summary(w))
            continue;
        char measured[256];
        short_measured(w->measured, measured, sizeof measured);
        fputs("|", f);
        md_cell(f, w->section);
        md_cell(f, w->figure);
        md_cell(f, w->target);
        md_cell(f, measured);
        fprintf(f, " %s%s%s |\n", is_fail(w) ? "**" : "", met_word(w), is_fail(w) ? "**" : "");
    }
    if (failures)
        fprintf(f, "\n**%d target%s missed.**\n", failures, failures > 1 ? "s" : "");
    else
        fprintf(f, "\nEvery target held.\n");
    return fclose(f) == 0 ? 0 : -1;
}

static int write_json(report *r, const char *path, int failures)
{
    cJSON *root = cJSON_CreateObject();
    cJSON *machine = cJSON_AddObjectToObject(root, "machine");
    for (int i = 0; i < r->meta_count; i++)
        cJSON_AddStringToObject(machine, r->metas[i].key, r->metas[i].value);
    cJSON *figures = cJSON_AddArrayToObject(root, "figures");
    cJSON *missed = cJSON_CreateArray();
    for (int i = 0; i < r->row_count; i++) {
        const row *w = &r->rows[i];
        cJSON *o = cJSON_CreateObject();
        cJSON_AddStringToObject(o, "id", w->id);
        cJSON_AddStringToObject(o, "section", w->section);
        cJSON_AddStringToObject(o, "figure", w->figure);
        cJSON_AddStringToObject(o, "target", w->target);
        cJSON_AddStringToObject(o, "measured", w->measured);
        cJSON_AddStringToObject(o, "status", w->status);
        cJSON_AddItemToArray(figures, o);
        if (is_fail(w))
            cJSON_AddItemToArray(missed, cJSON_CreateString(w->id));
    }
    cJSON_AddItemReferenceToObject(root, "values", r->values);
    cJSON_AddItemToObject(root, "missed", missed);
    cJSON_AddBoolToObject(root, "all_targets_met", failures == 0);
    char *text = cJSON_Print(root);
    cJSON_Delete(root);
    FILE *f = text ? fopen(path, "w") : NULL;
    int ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
    if (f && fclose(f) != 0)
        ok = 0;
    free(text);
    return ok ? 0 : -1;
}

static void report_free(report *r)
{
    cJSON_Delete(r->values);
    for (int i = 0; i < r->row_count; i++) {
        row *w = &r->rows[i];
        free(w->id), free(w->section), free(w->figure);
        free(w->status), free(w->target), free(w->measured);
    }
    for (int i = 0; i < r->meta_count; i++)
        free(r->metas[i].key), free(r->metas[i].value);
    memset(r, 0, sizeof *r);
}

int main(int argc, char **argv)
{
    static report r;
    r.values = cJSON_CreateObject();
    const char *markdown = NULL, *json = NULL;
    int inputs = 0;
    for (int i = 1; i < argc; i++) {
        const char *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (!strcmp(argv[i], "--markdown") && v) {
            markdown = v, i++;
        } else if (!strcmp(argv[i], "--json") && v) {
            json = v, i++;
        } else if (!strcmp(argv[i], "--meta") && v && strchr(v, '=')) {
            char key[128];
            snprintf(key, sizeof key, "%.*s", (int)(strchr(v, '=') - v), v);
            add_meta(&r, key, strchr(v, '=') + 1);
            i++;
        } else if (argv[i][0] == '-') {
            fprintf(stderr, "usage: bench-report [--markdown FILE] [--json FILE] "
                            "[--meta KEY=VALUE]... RESULTS...\n");
            report_free(&r);
            return 2;
        } else {
            inputs++;
            read_results(&r, argv[i]);
        }
    }
    if (inputs == 0) {
        fprintf(stderr, "bench-report: no results files\n");
        report_free(&r);
        return 2;
    }
    qsort(r.rows, (size_t)r.row_count, sizeof r.rows[0], compare_rows);
    int failures = 0;
    for (int i = 0; i < r.row_count; i++)
        failures += is_fail(&r.rows[i]);
    if (r.row_count == 0)
        failures = 1;
    print_table(&r, failures);
    if (markdown && write_markdown(&r, markdown, failures) != 0)
        fprintf(stderr, "bench-report: cannot write %s\n", markdown);
    if (json && write_json(&r, json, failures) != 0)
        fprintf(stderr, "bench-report: cannot write %s\n", json);
    report_free(&r);
    return failures ? 1 : 0;
}
