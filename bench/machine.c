/* machine.c: bench-machine, figure 7: what every figure was measured on. Prints META lines:
 * CPU model and online cores, kernel (uname), the measured capacity of a fresh pipe (filled
 * without blocking; F_GETPIPE_SZ where Linux has it), PIPE_BUF, libcurl, and whether strace is
 * usable for the syscall counts. One figure too: what a thread hand-off costs here (a byte
 * bounced between two threads over a socketpair, half a round trip), the unit in which the
 * proxy's extra hops are paid (REPORT.md section 4). */
#include <curl/curl.h>
#include <limits.h>
#include <pthread.h>
#include <sys/socket.h>
#include <time.h>
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
#include "bench_stats.h"
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

enum { HANDOFF_TRIPS = 20000, HANDOFF_WARMUP = 500 };

static void *echo_main(void *arg)
{
    int fd = *(int *)arg;
    char byte;
    while (read(fd, &byte, 1) == 1)
        if (write(fd, &byte, 1) != 1)
            break;
    return NULL;
}

static double now_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

/* One thread hand-off: half a round trip of a byte to an echoing thread and back (each way the
 * other thread is woken from a blocking read, as a relay or a connection thread is). */
static void thread_handoff(void)
{
    int sv[2];
    pthread_t echo;
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) != 0)
        return;
    if (pthread_create(&echo, NULL, echo_main, &sv[1]) != 0) {
        close(sv[0]);
        close(sv[1]);
        return;
    }
    bench_samples s = {0};
    char byte = 'x';
    int ok = 1;
    for (int i = 0; i < HANDOFF_WARMUP + HANDOFF_TRIPS && ok; i++) {
        double t0 = now_us();
        ok = write(sv[0], &byte, 1) == 1 && read(sv[0], &byte, 1) == 1;
        if (i >= HANDOFF_WARMUP)
            bench_samples_add(&s, (now_us() - t0) / 2);
    }
    shutdown(sv[0], SHUT_WR);
    pthread_join(echo, NULL);
    close(sv[0]);
    close(sv[1]);
    if (ok)
        bench_row("machine.handoff", "7 machine",
                  "one thread hand-off (socketpair, half a round "
                  "trip between two threads)",
                  BENCH_INFO, "(the unit of a hop)", "p50 %.1f us, p99 %.1f us over %d round trips",
                  bench_percentile(&s, 50), bench_percentile(&s, 99), HANDOFF_TRIPS);
    bench_num("machine.handoff_p50_us", bench_percentile(&s, 50));
    bench_samples_free(&s);
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
    thread_handoff();
    return measured > 0 ? 0 : 1;
}
