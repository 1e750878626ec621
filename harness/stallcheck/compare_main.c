/* compare_main.c: stallcheck-compare, the picture of several runs on one time axis.
 *
 * Usage: stallcheck-compare [--title TEXT] -o OUT.svg [LABEL=]REPORT.json...
 * Reads each stallcheck --json report (timeline_view_json.h) and draws the runs one above the
 * other with a shared time axis (timeline_svg.h), so a blocking build that froze the moment
 * its pipe filled stands right above an async build that kept answering with the same full
 * pipe. The same writer draws `stallcheck --timeline`, so one run drawn here from its report and
 * drawn by stallcheck at the end of the run come out the same.
 * Exit status: 0 written, 2 usage error, unreadable report or write error. */
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "timeline_svg.h"
#include "timeline_view_json.h"
#include "version.h"

#define COMPARE_MAX_RUNS 8

static void print_help(FILE *out)
{
    fputs("Usage: stallcheck-compare [--title TEXT] -o OUT.svg [LABEL=]REPORT.json...\n"
          "\n"
          "Draws the runs of one or more stallcheck --json reports (typically two: a blocking\n"
          "and an async build of the same server) one above the other on one shared time axis,\n"
          "as a self-contained SVG (no script, no external font): per run the pipe level against\n"
          "its capacity, the reader's state, the trigger, one lane of probe bars per route (green\n"
          "answered, red timed out, with latencies), and markers for the trigger, the fault\n"
          "being established, the verdict, the drain and the recovery. At most 8 reports.\n"
          "\n"
          "  LABEL=REPORT.json         name the run LABEL in the picture (default: the base name\n"
          "                            of the command the report ran); an argument that names an\n"
          "                            existing file is always a report, '=' or not\n"
          "  -o, --output FILE         the SVG to write (written atomically; required)\n"
          "  --title TEXT              the picture's title (default: 'A vs B')\n"
          "  -h, --help                this text\n"
          "  -V, --version             the version\n"
          "\n"
          "Exit status: 0 the picture was written, 2 usage error, a report that cannot be read\n"
          "(or has no timeline), or a write error.\n"
          "\n"
          "Example:\n"
          "  stallcheck --json blocking.json -- ./server-blocking --listen 127.0.0.1:{port}\n"
          "  stallcheck --json async.json -- ./server-async --listen 127.0.0.1:{port}\n"
          "  stallcheck-compare -o compare.svg blocking=blocking.json async=async.json\n",
          out);
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

int main(int argc, char **argv)
{
    const char *output = NULL, *title = NULL;
    const char *inputs[COMPARE_MAX_RUNS];
    size_t count = 0;
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
            print_help(stdout);
            return 0;
        }
        if (strcmp(a, "-V") == 0 || strcmp(a, "--version") == 0) {
            printf("stallcheck-compare %s\n", STALLCHECK_VERSION);
            return 0;
        }
        if (strcmp(a, "-o") == 0 || strcmp(a, "--output") == 0 || strcmp(a, "--title") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "stallcheck-compare: %s needs a value\n", a);
                return 2;
            }
            if (strcmp(a, "--title") == 0)
                title = argv[++i];
            else
                output = argv[++i];
            continue;
        }
        if (strncmp(a, "--output=", 9) == 0) {
            output = a + 9;
            continue;
        }
        if (strncmp(a, "--title=", 8) == 0) {
            title = a + 8;
            continue;
        }
        if (a[0] == '-' && a[1] != '\0') {
            fprintf(stderr, "stallcheck-compare: unknown option '%s' (see --help)\n", a);
            return 2;
        }
        if (count >= COMPARE_MAX_RUNS) {
            fprintf(stderr, "stallcheck-compare: at most %d reports\n", COMPARE_MAX_RUNS);
            return 2;
        }
        inputs[count++] = a;
    }
    if (!output || !*output || count == 0) {
        fprintf(stderr, "stallcheck-compare: usage: stallcheck-compare [--title TEXT] -o OUT.svg "
                        "[LABEL=]REPORT.json... (see --help)\n");
        return 2;
    }

    timeline_view views[COMPARE_MAX_RUNS];
    size_t loaded = 0;
    int status = 0;
    for (size_t i = 0; i < count && status == 0; i++) {
        char label[96] = "";
        const char *path = inputs[i];
        const char *eq = strchr(path, '=');
        if (eq && !is_file(path)) {
            snprintf(label, sizeof label, "%.*s", (int)(eq - path), path);
            path = eq + 1;
        }
        char err[512] = "";
        int rc = timeline_view_from_json_file(path, label[0] ? label : NULL, &views[loaded], err,
                                              sizeof err);
        loaded++; /* freed below either way */
        if (rc != 0) {
            fprintf(stderr, "stallcheck-compare: %s\n", err);
            status = 2;
        }
    }
    if (status == 0) {
        char err[512] = "";
        if (timeline_svg_write_file(output, views, count, title, err, sizeof err) != 0) {
            fprintf(stderr, "stallcheck-compare: %s\n", err);
            status = 2;
        }
    }
    for (size_t i = 0; i < loaded; i++)
        timeline_view_free(&views[i]);
    return status;
}
