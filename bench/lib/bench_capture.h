/* bench_capture.h: runs another program to completion and keeps its standard output, with a
 * deadline: past it the program (its whole process group) is killed; it is always reaped. */
#ifndef KIRO_BENCH_CAPTURE_H
#define KIRO_BENCH_CAPTURE_H

#include <stddef.h>

typedef struct bench_capture {
    char *output;  /* stdout, NUL-terminated, malloc'd (at most 1 MiB kept) */
    size_t len;
    int exited;    /* 1 when it exited by itself within the deadline */
    int status;    /* exit code, or 128 + signal */
} bench_capture;

/* argv[0] is a path. stderr is passed through to ours. Returns 0 when it ran. */
int bench_capture_run(char *const argv[], int timeout_ms, bench_capture *out);
void bench_capture_free(bench_capture *c);

#endif
