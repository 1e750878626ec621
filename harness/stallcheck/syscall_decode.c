/* syscall_decode.c: /proc syscall file parsing and per-architecture names; see syscall_decode.h. */
#include "syscall_decode.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct syscall_entry {
    long nr;
    const char *name;
    bool fd_first; /* the first argument is a file descriptor */
} syscall_entry;

/* The calls a server thread is typically found waiting in. */
static const syscall_entry x86_64_table[] = {
    { 0, "read", true },        { 1, "write", true },          { 7, "poll", false },
    { 17, "pread64", true },    { 18, "pwrite64", true },      { 19, "readv", true },
    { 20, "writev", true },     { 23, "select", false },       { 34, "pause", false },
    { 35, "nanosleep", false }, { 43, "accept", true },        { 45, "recvfrom", true },
    { 47, "recvmsg", true },    { 61, "wait4", false },        { 128, "rt_sigtimedwait", false },
    { 247, "waitid", false },
    { 202, "futex", false },    { 230, "clock_nanosleep", false }, { 232, "epoll_wait", true },
    { 270, "pselect6", false }, { 271, "ppoll", false },       { 281, "epoll_pwait", true },
    { 288, "accept4", true },   { 441, "epoll_pwait2", true },
};

static const syscall_entry aarch64_table[] = {
    { 22, "epoll_pwait", true }, { 63, "read", true },          { 95, "waitid", false },          { 64, "write", true },
    { 65, "readv", true },       { 66, "writev", true },        { 67, "pread64", true },
    { 68, "pwrite64", true },    { 72, "pselect6", false },     { 73, "ppoll", false },
    { 98, "futex", false },      { 101, "nanosleep", false },   { 115, "clock_nanosleep", false },
    { 137, "rt_sigtimedwait", false }, { 202, "accept", true }, { 207, "recvfrom", true },
    { 212, "recvmsg", true },    { 242, "accept4", true },      { 260, "wait4", false },
    { 441, "epoll_pwait2", true },
};

syscall_arch syscall_native_arch(void)
{
#if defined(__x86_64__)
    return SYSCALL_ARCH_X86_64;
#elif defined(__aarch64__)
    return SYSCALL_ARCH_AARCH64;
#else
    return SYSCALL_ARCH_OTHER;
#endif
}

const char *syscall_arch_name(syscall_arch arch)
{
    switch (arch) {
    case SYSCALL_ARCH_X86_64: return "x86_64";
    case SYSCALL_ARCH_AARCH64: return "aarch64";
    case SYSCALL_ARCH_OTHER: return "other";
    }
    return "other";
}

static const syscall_entry *lookup(syscall_arch arch, long nr)
{
    const syscall_entry *table = NULL;
    size_t count = 0;
    if (arch == SYSCALL_ARCH_X86_64) {
        table = x86_64_table;
        count = sizeof x86_64_table / sizeof x86_64_table[0];
    } else if (arch == SYSCALL_ARCH_AARCH64) {
        table = aarch64_table;
        count = sizeof aarch64_table / sizeof aarch64_table[0];
    }
    for (size_t i = 0; i < count; i++)
        if (table[i].nr == nr)
            return &table[i];
    return NULL;
}

const char *syscall_name(syscall_arch arch, long nr)
{
    const syscall_entry *e = lookup(arch, nr);
    return e ? e->name : NULL;
}

bool syscall_is_write(syscall_arch arch, long nr)
{
    const char *name = syscall_name(arch, nr);
    return name && (strcmp(name, "write") == 0 || strcmp(name, "writev") == 0);
}

bool syscall_is_futex(syscall_arch arch, long nr)
{
    const char *name = syscall_name(arch, nr);
    return name && strcmp(name, "futex") == 0;
}

int syscall_parse(const char *text, syscall_sample *out)
{
    memset(out, 0, sizeof *out);
    out->nr = -1;
    while (*text == ' ' || *text == '\t')
        text++;
    if (strncmp(text, "running", 7) == 0) {
        out->state = SYSCALL_STATE_RUNNING;
        return 0;
    }
    char *end = NULL;
    errno = 0;
    long nr = strtol(text, &end, 10);
    if (errno != 0 || end == text || (*end != ' ' && *end != '\n' && *end != '\0'))
        return -1;
    if (nr < 0) {
        out->state = SYSCALL_STATE_NONE;
        return 0;
    }
    out->state = SYSCALL_STATE_IN_SYSCALL;
    out->nr = nr;
    const char *p = end;
    for (int i = 0; i < 6; i++) {
        while (*p == ' ')
            p++;
        if (*p == '\0' || *p == '\n')
            return -1; /* fewer than six arguments: not the format we know */
        errno = 0;
        unsigned long long v = strtoull(p, &end, 0);
        if (errno != 0 || end == p)
            return -1;
        out->args[i] = v;
        p = end;
    }
    return 0;
}

static void render_futex(const syscall_sample *s, char *out, size_t out_size)
{
    unsigned long long op = s->args[1];
    const char *base;
    switch (op & 0x7f) {
    case 0: base = "FUTEX_WAIT"; break;
    case 1: base = "FUTEX_WAKE"; break;
    case 6: base = "FUTEX_LOCK_PI"; break;
    case 9: base = "FUTEX_WAIT_BITSET"; break;
    case 11: base = "FUTEX_WAIT_REQUEUE_PI"; break;
    default: base = NULL; break;
    }
    if (base)
        snprintf(out, out_size, "futex(0x%llx, %s%s)", s->args[0], base,
                 (op & 128) ? "_PRIVATE" : "");
    else
        snprintf(out, out_size, "futex(0x%llx, op=0x%llx)", s->args[0], op);
}

void syscall_render(syscall_arch arch, const syscall_sample *s, char *out, size_t out_size)
{
    switch (s->state) {
    case SYSCALL_STATE_UNREADABLE:
        snprintf(out, out_size, "no permission");
        return;
    case SYSCALL_STATE_RUNNING:
        snprintf(out, out_size, "running");
        return;
    case SYSCALL_STATE_NONE:
        snprintf(out, out_size, "not in a syscall");
        return;
    case SYSCALL_STATE_IN_SYSCALL:
        break;
    }
    const syscall_entry *e = lookup(arch, s->nr);
    if (!e) {
        snprintf(out, out_size, "syscall %ld(0x%llx, 0x%llx, 0x%llx)", s->nr, s->args[0],
                 s->args[1], s->args[2]);
        return;
    }
    if (strcmp(e->name, "write") == 0 || strcmp(e->name, "read") == 0)
        snprintf(out, out_size, "%s(fd=%lld, count=%llu)", e->name, (long long)s->args[0], s->args[2]);
    else if (strcmp(e->name, "writev") == 0 || strcmp(e->name, "readv") == 0)
        snprintf(out, out_size, "%s(fd=%lld, iovcnt=%llu)", e->name, (long long)s->args[0], s->args[2]);
    else if (strcmp(e->name, "futex") == 0)
        render_futex(s, out, out_size);
    else if (e->fd_first)
        snprintf(out, out_size, "%s(fd=%lld, ...)", e->name, (long long)s->args[0]);
    else
        snprintf(out, out_size, "%s(...)", e->name);
}
