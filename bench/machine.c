/* machine.c: bench-machine, figure 7: what every figure was measured on. Prints META lines:
 * CPU model and online cores, kernel (uname), the measured capacity of a fresh pipe (filled
 * without blocking; F_GETPIPE_SZ where Linux has it), PIPE_BUF, libcurl, and whether strace is
 * usable for the syscall counts. */
#include <curl/curl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>
#if defined(__APPLE__)
#include <sys/sysctl.h>
#endif

#include "bench_pipe.h"
#include "bench_rows.h"
#include "platform/platform.h"

static void cpu_model(char *out, size_t size)
{
    snprintf(out, size, "unknown");
#if defined(__linux__)
    FILE *f = fopen("/proc/cpuinfo", "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
        /* x86: "model name"; arm64: "Hardware" or "Model" (else the part number stays unknown) */
        if (!strncmp(line, "model name", 10) || !strncmp(line, "Hardware", 8) ||
            !strncmp(line, "Model", 5)) {
            const char *colon = strchr(line, ':');
            if (colon) {
                colon++;
                while (*colon == ' ' || *colon == '\t')
                    colon++;
                snprintf(out, size, "%.*s", (int)strcspn(colon, "\n"), colon);
                break;
            }
        }
    }
    if (f)
        fclose(f);
#elif defined(__APPLE__)
    size_t len = size;
    if (sysctlbyname("machdep.cpu.brand_string", out, &len, NULL, 0) != 0)
        snprintf(out, size, "unknown");
#endif
}

int main(int argc, char **argv)
{
    (void)argv;
    if (argc > 1) {
        fprintf(stderr, "usage: bench-machine\n");
        return 2;
    }
    char text[512];
    cpu_model(text, sizeof text);
    bench_meta("cpu", text);
    snprintf(text, sizeof text, "%ld", sysconf(_SC_NPROCESSORS_ONLN));
    bench_meta("cores", text);
    struct utsname u;
    if (uname(&u) == 0) {
        snprintf(text, sizeof text, "%s %s %s", u.sysname, u.release, u.machine);
        bench_meta("kernel", text);
    }
    long measured = bench_pipe_measure_capacity();
    bench_pipe p;
    long reported = -1;
    if (bench_pipe_open(&p) == 0) {
        reported = platform_pipe_capacity(p.read_fd);
        bench_pipe_close(&p);
    }
    if (reported > 0)
        snprintf(text, sizeof text, "%ld bytes measured (F_GETPIPE_SZ %ld)", measured, reported);
    else
        snprintf(text, sizeof text, "%ld bytes measured (F_GETPIPE_SZ n/a)", measured);
    bench_meta("pipe_capacity", text);
    snprintf(text, sizeof text, "%d", PIPE_BUF);
    bench_meta("pipe_buf", text);
    bench_meta("libcurl", curl_version_info(CURLVERSION_NOW)->version);
    return measured > 0 ? 0 : 1;
}
