/* log_gap.c: announcing dropped lines with one gap line at the gap; see log_gap.h. */
#include "log/log_gap.h"

void log_gap_note_drop(log_session *s)
{
    /* The caller's count is stored; make it visible before looking at the flag. */
    atomic_thread_fence(memory_order_seq_cst);
    if (!atomic_load_explicit(&s->drops_pending, memory_order_seq_cst))
        atomic_store_explicit(&s->drops_pending, 1, memory_order_seq_cst);
}

int log_gap_begin(log_session *s, const char *timestamp, log_gap *gap)
{
    gap->len = 0;
    if (atomic_flag_test_and_set_explicit(&s->announcing, memory_order_acquire))
        return 0;
    atomic_store_explicit(&s->drops_pending, 0, memory_order_seq_cst);
    log_caller_sums sums;
    log_callers_sum(&sums);
    gap->lines_total = sums.value[CALLER_LINES_OVERFLOW];
    gap->bytes_total = sums.value[CALLER_BYTES_OVERFLOW];
    uint64_t lines = gap->lines_total - s->announced_lines;
    uint64_t bytes = gap->bytes_total - s->announced_bytes;
    if (lines > 0)
        gap->len = log_format_gap_line(gap->text, sizeof gap->text, timestamp, lines, bytes);
    return 1;
}

void log_gap_end(log_session *s, const log_gap *gap, int placed)
{
    if (placed) {
        s->announced_lines = gap->lines_total;
        s->announced_bytes = gap->bytes_total;
    } else if (gap->len > 0) {
        atomic_store_explicit(&s->drops_pending, 1, memory_order_seq_cst);
    }
    atomic_flag_clear_explicit(&s->announcing, memory_order_release);
}
