/* sample_parse.c: read `sample`'s call graph into thread evidence; see sample_parse.h. */
#include "sample_parse.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Longest line looked at (longer ones are cut: only the symbol's start matters) and the deepest
 * stack followed (sample itself stops at 512 frames). */
#define LINE_MAX_BYTES 2048
#define STACK_MAX 1024

typedef struct frame_rule {
    const char *symbol;
    thread_role role;
    const char *kind;
} frame_rule;

static const frame_rule frame_rules[] = {
    {"write", ROLE_LOG_WRITER, "write"},
    {"writev", ROLE_LOG_WRITER, "write"},
    {"__write_nocancel", ROLE_LOG_WRITER, "write"},
    {"__writev_nocancel", ROLE_LOG_WRITER, "write"},
    {"write$NOCANCEL", ROLE_LOG_WRITER, "write"},
    {"writev$NOCANCEL", ROLE_LOG_WRITER, "write"},
    {"__psynch_mutexwait", ROLE_LOCK_WAITER, "mutex wait"},
    {"__psynch_rw_rdlock", ROLE_LOCK_WAITER, "rwlock wait"},
    {"__psynch_rw_wrlock", ROLE_LOCK_WAITER, "rwlock wait"},
    {"__psynch_rw_longrdlock", ROLE_LOCK_WAITER, "rwlock wait"},
    {"__psynch_rw_yieldwrlock", ROLE_LOCK_WAITER, "rwlock wait"},
    {"__ulock_wait", ROLE_LOCK_WAITER, "unfair lock wait"},
    {"__ulock_wait2", ROLE_LOCK_WAITER, "unfair lock wait"},
    {"__psynch_cvwait", ROLE_IDLE, "condition wait"},
    {"__workq_kernreturn", ROLE_IDLE, "parked worker"},
    {"semaphore_wait_trap", ROLE_IDLE, "semaphore wait"},
    {"semaphore_timedwait_trap", ROLE_IDLE, "semaphore wait"},
    {"kevent", ROLE_OTHER, "kevent"},
    {"kevent64", ROLE_OTHER, "kevent"},
    {"kevent_id", ROLE_OTHER, "kevent"},
    {"kevent_qos", ROLE_OTHER, "kevent"},
    {"__select", ROLE_OTHER, "select"},
    {"__select_nocancel", ROLE_OTHER, "select"},
    {"__pselect", ROLE_OTHER, "select"},
    {"poll", ROLE_OTHER, "poll"},
    {"__poll_nocancel", ROLE_OTHER, "poll"},
    {"mach_msg_trap", ROLE_OTHER, "mach message"},
    {"mach_msg2_trap", ROLE_OTHER, "mach message"},
    {"__accept", ROLE_OTHER, "accept"},
    {"__accept_nocancel", ROLE_OTHER, "accept"},
    {"__recvfrom", ROLE_OTHER, "recv"},
    {"__recvfrom_nocancel", ROLE_OTHER, "recv"},
    {"__recvmsg", ROLE_OTHER, "recv"},
    {"read", ROLE_OTHER, "read"},
    {"__read_nocancel", ROLE_OTHER, "read"},
    {"__semwait_signal", ROLE_OTHER, "sleep"},
    {"__semwait_signal_nocancel", ROLE_OTHER, "sleep"},
    {"__sigwait", ROLE_OTHER, "sigwait"},
    {"__wait4", ROLE_OTHER, "wait"},
    {"__wait4_nocancel", ROLE_OTHER, "wait"},
    {"__connect", ROLE_OTHER, "connect"},
    {"__sendto", ROLE_OTHER, "send"},
    {"__sendmsg", ROLE_OTHER, "send"},
};

thread_role sample_classify_frame(const char *symbol, const char *image, const char **kind)
{
    const char *unused;
    if (!kind)
        kind = &unused;
    for (size_t i = 0; i < sizeof frame_rules / sizeof frame_rules[0]; i++) {
        if (strcmp(symbol, frame_rules[i].symbol) == 0) {
            *kind = frame_rules[i].kind;
            return frame_rules[i].role;
        }
    }
    bool in_kernel_library = image && strncmp(image, "libsystem_kernel", 16) == 0;
    size_t len = strlen(symbol);
    bool looks_like_trap = len > 5 && strcmp(symbol + len - 5, "_trap") == 0;
    if (in_kernel_library || looks_like_trap) {
        *kind = "kernel call";
        return ROLE_OTHER; /* blocked or busy in some other system call */
    }
    *kind = "running";
    return ROLE_RUNNING; /* the innermost frame is ordinary code: on a CPU when sampled */
}

/* One line of the report, as a bounded NUL-terminated copy. Returns the start of the next line
 * or NULL at the end. */
static const char *next_line(const char *p, char *line, size_t size)
{
    if (!*p)
        return NULL;
    const char *end = strchr(p, '\n');
    size_t len = end ? (size_t)(end - p) : strlen(p);
    size_t copy = len < size - 1 ? len : size - 1;
    memcpy(line, p, copy);
    line[copy] = '\0';
    if (copy > 0 && line[copy - 1] == '\r')
        line[copy - 1] = '\0';
    return end ? end + 1 : p + len;
}

static void trim_right(char *s)
{
    size_t len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        s[--len] = '\0';
}

static void copy_text(char *dst, size_t size, const char *src, size_t len)
{
    if (len >= size)
        len = size - 1;
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static bool starts_with(const char *s, const char *prefix)
{
    return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* "Process:         kiro-proxy-blocking [81234]" */
static void parse_process_line(const char *line, sample_report_info *info)
{
    const char *p = line + strlen("Process:");
    while (*p == ' ' || *p == '\t')
        p++;
    const char *bracket = strrchr(p, '[');
    size_t len = bracket ? (size_t)(bracket - p) : strlen(p);
    while (len > 0 && p[len - 1] == ' ')
        len--;
    copy_text(info->process, sizeof info->process, p, len);
    if (bracket)
        info->pid = atoi(bracket + 1);
}

/* "    845 Thread_8052660: log-drain" -> count, the text after "Thread_". NULL when not a
 * header. */
static const char *thread_header(const char *line, unsigned long *count)
{
    const char *p = line;
    while (*p == ' ')
        p++;
    if (!isdigit((unsigned char)*p))
        return NULL;
    char *end = NULL;
    *count = strtoul(p, &end, 10);
    if (!end || !starts_with(end, " Thread_"))
        return NULL;
    return end + strlen(" Thread_");
}

/* tid and name from the text after "Thread_": "8052660: log-drain",
 * "8052651   DispatchQueue_1: com.apple.main-thread  (serial)", "8052670". */
static void parse_thread_identity(const char *text, thread_evidence *t)
{
    char *end = NULL;
    unsigned long long id =
        starts_with(text, "0x") ? strtoull(text + 2, &end, 16) : strtoull(text, &end, 10);
    t->tid = (int)(id & 0x7fffffffULL); /* Mach thread ids are 64-bit: cut to fit */
    const char *p = end ? end : text;
    const char *queue = strstr(p, "DispatchQueue_");
    if (*p == ':') { /* a pthread name, up to a dispatch queue or the end */
        p++;
        while (*p == ' ')
            p++;
        const char *stop = strstr(p, "   DispatchQueue_");
        copy_text(t->name, sizeof t->name, p, stop ? (size_t)(stop - p) : strlen(p));
        trim_right(t->name);
    }
    if (!t->name[0] && queue) { /* the queue's label names the thread */
        const char *label = strchr(queue, ':');
        if (label) {
            label++;
            while (*label == ' ')
                label++;
            const char *stop = strstr(label, "  (");
            copy_text(t->name, sizeof t->name, label,
                      stop ? (size_t)(stop - label) : strlen(label));
            trim_right(t->name);
        }
    }
    if (!t->name[0])
        snprintf(t->name, sizeof t->name, "Thread_%llu", id);
}

/* A frame line: "    +   ! : 800 write  (in libsystem_kernel.dylib) + 10  [0x7ff8]".
 * Fills depth (column of the count), count, symbol and image. Returns false when the line is not
 * a frame. */
static bool parse_frame(const char *line, size_t *depth, unsigned long *count, char *symbol,
                        size_t symbol_size, char *image, size_t image_size)
{
    const char *p = line;
    while (*p == ' ')
        p++;
    if (*p != '+')
        return false;
    while (*p && strchr(" +!:|", *p))
        p++;
    if (!isdigit((unsigned char)*p))
        return false;
    *depth = (size_t)(p - line);
    char *end = NULL;
    *count = strtoul(p, &end, 10);
    p = end;
    while (*p == ' ')
        p++;
    const char *in = strstr(p, "  (in ");
    size_t len = in ? (size_t)(in - p) : strlen(p);
    copy_text(symbol, symbol_size, p, len);
    trim_right(symbol);
    image[0] = '\0';
    if (in) {
        const char *name = in + strlen("  (in ");
        const char *close = strchr(name, ')');
        copy_text(image, image_size, name, close ? (size_t)(close - name) : strlen(name));
    }
    return symbol[0] != '\0';
}

typedef struct stack_entry {
    size_t depth;
    unsigned long count;
    unsigned long children;
    thread_role role;
    char symbol[64];
} stack_entry;

/* The thread being read: its open frames and how many samples each role had on top. */
typedef struct thread_reading {
    thread_evidence *t;
    stack_entry stack[STACK_MAX];
    size_t depth;
    unsigned long on_top[ROLE_COUNT];
    unsigned long best_top[ROLE_COUNT]; /* the largest single frame's share, per role */
    char best_symbol[ROLE_COUNT][64];   /* ... and that frame */
} thread_reading;

/* A frame leaves the stack: the samples in which nothing was called from it were spent in it. */
static void close_frame(thread_reading *tr)
{
    stack_entry *e = &tr->stack[--tr->depth];
    if (e->count <= e->children)
        return;
    unsigned long self = e->count - e->children;
    tr->on_top[e->role] += self;
    if (self > tr->best_top[e->role]) {
        tr->best_top[e->role] = self;
        copy_text(tr->best_symbol[e->role], sizeof tr->best_symbol[e->role], e->symbol,
                  strlen(e->symbol));
    }
}

static void add_frame(thread_reading *tr, size_t depth, unsigned long count, const char *symbol,
                      const char *image)
{
    while (tr->depth > 0 && tr->stack[tr->depth - 1].depth >= depth)
        close_frame(tr);
    if (tr->depth > 0)
        tr->stack[tr->depth - 1].children += count;
    if (tr->depth == STACK_MAX)
        return; /* deeper than sample prints: its samples stay with its caller */
    stack_entry *e = &tr->stack[tr->depth++];
    e->depth = depth;
    e->count = count;
    e->children = 0;
    e->role = sample_classify_frame(symbol, image, NULL);
    copy_text(e->symbol, sizeof e->symbol, symbol, strlen(symbol));
}

/* Every frame is closed; the role most samples had on top names the thread. */
static void finish_thread(thread_reading *tr)
{
    while (tr->depth > 0)
        close_frame(tr);
    thread_evidence *t = tr->t;
    int counts[ROLE_COUNT];
    unsigned long total = 0;
    for (int r = 0; r < ROLE_COUNT; r++) {
        counts[r] = tr->on_top[r] > 0x7fffffffUL ? 0x7fffffff : (int)tr->on_top[r];
        total += tr->on_top[r];
    }
    thread_role role = thread_role_merge(counts);
    t->role = role;
    const char *symbol = tr->best_symbol[role];
    if (role == ROLE_UNKNOWN || !symbol[0]) {
        snprintf(t->syscall, sizeof t->syscall, "unknown (sample: no frames)");
        return;
    }
    copy_text(t->wchan, sizeof t->wchan, symbol, strlen(symbol));
    if (role == ROLE_RUNNING)
        snprintf(t->syscall, sizeof t->syscall, "running in %s (sample: %lu of %lu on top)", symbol,
                 tr->on_top[role], total);
    else
        snprintf(t->syscall, sizeof t->syscall, "%s (sample: %lu of %lu on top)", symbol,
                 tr->on_top[role], total);
    if (role == ROLE_LOG_WRITER)
        t->on_log_pipe = true; /* inferred: `sample` does not show the fd */
}

static thread_evidence *new_thread(evidence *out, size_t *alloc, int pid, unsigned long count)
{
    if (out->count == *alloc) {
        size_t grown_alloc = *alloc ? *alloc * 2 : 16;
        thread_evidence *grown = realloc(out->threads, grown_alloc * sizeof *grown);
        if (!grown)
            return NULL;
        out->threads = grown;
        *alloc = grown_alloc;
    }
    thread_evidence *t = &out->threads[out->count++];
    memset(t, 0, sizeof *t);
    t->pid = pid;
    t->syscall_nr = -1;
    t->fd = -1;
    t->samples = count > 0x7fffffffUL ? 0x7fffffff : (int)count;
    snprintf(t->state, sizeof t->state, "?");
    return t;
}

long sample_parse_report(const char *text, int pid, evidence *out, sample_report_info *info)
{
    sample_report_info local;
    if (!info)
        info = &local;
    memset(info, 0, sizeof *info);
    thread_reading *tr = calloc(1, sizeof *tr);
    if (!tr)
        return -1;
    size_t alloc = out->count; /* the array may be exactly full: grow on the first thread */
    long added = 0;
    bool in_graph = false, failed = false;
    char line[LINE_MAX_BYTES], symbol[256], image[128];
    for (const char *p = text; p && !failed;) {
        p = next_line(p, line, sizeof line);
        if (!p)
            break;
        if (!in_graph) {
            if (starts_with(line, "Process:"))
                parse_process_line(line, info);
            else if (starts_with(line, "Call graph:"))
                in_graph = info->call_graph_seen = true;
            continue;
        }
        if (strstr(line, "Total number in stack") || strstr(line, "Sort by top of stack") ||
            starts_with(line, "Binary Images:"))
            break;
        unsigned long count = 0;
        const char *identity = thread_header(line, &count);
        if (identity) {
            if (tr->t)
                finish_thread(tr);
            memset(tr, 0, sizeof *tr);
            info->threads++;
            if (info->threads > SAMPLE_MAX_THREADS) {
                info->truncated = true;
                continue;
            }
            tr->t = new_thread(out, &alloc, pid, count);
            if (!tr->t) {
                failed = true;
                break;
            }
            parse_thread_identity(identity, tr->t);
            added++;
            continue;
        }
        size_t depth = 0;
        if (tr->t && parse_frame(line, &depth, &count, symbol, sizeof symbol, image, sizeof image))
            add_frame(tr, depth, count, symbol, image);
    }
    if (tr->t)
        finish_thread(tr);
    free(tr);
    return failed ? -1 : added;
}
