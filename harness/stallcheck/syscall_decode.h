/* syscall_decode.h: reads Linux's /proc/PID/task/TID/syscall and says what a thread waits in.
 *
 * The file holds "running", "-1 SP PC" (blocked outside a system call) or "NR ARG1..ARG6 SP PC".
 * The syscall number and its first argument (the fd for write/writev) are the most stable
 * evidence there is: wchan symbols are renamed across kernels, syscall numbers are ABI.
 * Numbers differ per architecture; x86-64 and aarch64 are decoded, others shown raw. The
 * architecture is a parameter so that both tables can be tested on any machine. */
#ifndef STALLCHECK_SYSCALL_DECODE_H
#define STALLCHECK_SYSCALL_DECODE_H

#include <stdbool.h>
#include <stddef.h>

typedef enum syscall_arch {
    SYSCALL_ARCH_X86_64,
    SYSCALL_ARCH_AARCH64,
    SYSCALL_ARCH_OTHER
} syscall_arch;

typedef enum syscall_state {
    SYSCALL_STATE_UNREADABLE, /* no permission (ptrace access mode) or the file vanished */
    SYSCALL_STATE_RUNNING,    /* on a CPU right now */
    SYSCALL_STATE_NONE,       /* blocked, but not inside a system call (-1) */
    SYSCALL_STATE_IN_SYSCALL  /* nr and args are valid */
} syscall_state;

typedef struct syscall_sample {
    syscall_state state;
    long nr;
    unsigned long long args[6];
} syscall_sample;

/* The architecture this binary was built for. */
syscall_arch syscall_native_arch(void);
const char *syscall_arch_name(syscall_arch arch);
/* Parses the text of a syscall file. Returns 0, or -1 when it is not in any known form. */
int syscall_parse(const char *text, syscall_sample *out);
/* Name of a syscall number, or NULL when the table does not know it. */
const char *syscall_name(syscall_arch arch, long nr);
bool syscall_is_write(syscall_arch arch, long nr);   /* write or writev */
bool syscall_is_futex(syscall_arch arch, long nr);
/* "write(fd=2, count=262144)", "futex(0x7f00..., FUTEX_WAIT_PRIVATE)", "running",
 * "no permission", "not in a syscall", "syscall 435(0x1, ...)". */
void syscall_render(syscall_arch arch, const syscall_sample *s, char *out, size_t out_size);

#endif
