/* thinking_split.c: the <thinking> tag splitter; see thinking_split.h.
 *
 * Both tags contain '<' only as their first byte, so a carried partial tag that stops
 * matching can be emitted whole: no suffix of it can begin another tag. */
#include "render/thinking_split.h"

#include <string.h>

static const char open_tag[] = "<thinking>";
static const char close_tag[] = "</thinking>";
#define OPEN_TAG_LEN (sizeof open_tag - 1)
#define CLOSE_TAG_LEN (sizeof close_tag - 1)

void thinking_split_init(thinking_split *t)
{
    memset(t, 0, sizeof *t);
    t->state = THINKING_SPLIT_START;
}

static int is_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static int emit_if(thinking_emit_fn emit, void *user, int is_thinking, const char *s, size_t len)
{
    return len ? emit(user, is_thinking, s, len) : 0;
}

/* START: collects whitespace and a growing "<thinking>" prefix byte by byte. Sets *used to
 * the bytes consumed; the state changes once the outcome is known. */
static int feed_start(thinking_split *t, const char *s, size_t len, size_t *used,
                      thinking_emit_fn emit, void *user)
{
    size_t i = 0;
    for (; i < len; i++) {
        size_t spaces = t->carry_len;
        while (spaces > 0 && !is_space(t->carry[spaces - 1]))
            spaces--;
        size_t tag_pos = t->carry_len - spaces;   /* bytes of "<thinking>" matched so far */
        if (tag_pos == 0 && is_space(s[i]) && t->carry_len < THINKING_MAX_LEADING_SPACE) {
            t->carry[t->carry_len++] = s[i];
            continue;
        }
        if (s[i] == open_tag[tag_pos]) {
            t->carry[t->carry_len++] = s[i];
            if (tag_pos + 1 == OPEN_TAG_LEN) {
                t->carry_len = 0;
                t->state = THINKING_SPLIT_INSIDE;
                *used = i + 1;
                return 0;
            }
            continue;
        }
        /* Not a thinking block: everything carried is plain text. */
        t->state = THINKING_SPLIT_TEXT;
        int rc = emit_if(emit, user, 0, t->carry, t->carry_len);
        t->carry_len = 0;
        *used = i;
        return rc;
    }
    *used = len;
    return 0;
}

/* Length of the longest suffix of s[0..len) that is a proper prefix of close_tag. */
static size_t partial_close_suffix(const char *s, size_t len)
{
    size_t max = len < CLOSE_TAG_LEN - 1 ? len : CLOSE_TAG_LEN - 1;
    for (size_t k = max; k > 0; k--)
        if (memcmp(s + len - k, close_tag, k) == 0)
            return k;
    return 0;
}

static const char *find_close_tag(const char *s, size_t len)
{
    for (size_t i = 0; i + CLOSE_TAG_LEN <= len; i++)
        if (s[i] == '<' && memcmp(s + i, close_tag, CLOSE_TAG_LEN) == 0)
            return s + i;
    return NULL;
}

/* INSIDE: emits thinking up to </thinking>, carrying a possible partial closing tag. */
static int feed_inside(thinking_split *t, const char *s, size_t len, size_t *used,
                       thinking_emit_fn emit, void *user)
{
    if (t->carry_len > 0) {
        size_t need = CLOSE_TAG_LEN - t->carry_len;
        size_t have = len < need ? len : need;
        if (memcmp(s, close_tag + t->carry_len, have) == 0) {
            memcpy(t->carry + t->carry_len, s, have);
            t->carry_len += have;
            *used = have;
            if (t->carry_len == CLOSE_TAG_LEN) {
                t->carry_len = 0;
                t->state = THINKING_SPLIT_AFTER_CLOSE;
            }
            return 0;
        }
        int rc = emit(user, 1, t->carry, t->carry_len);
        t->carry_len = 0;
        *used = 0;
        return rc;
    }
    const char *tag = find_close_tag(s, len);
    if (tag) {
        *used = (size_t)(tag - s) + CLOSE_TAG_LEN;
        t->state = THINKING_SPLIT_AFTER_CLOSE;
        return emit_if(emit, user, 1, s, (size_t)(tag - s));
    }
    size_t keep = partial_close_suffix(s, len);
    memcpy(t->carry, s + len - keep, keep);
    t->carry_len = keep;
    *used = len;
    return emit_if(emit, user, 1, s, len - keep);
}

int thinking_split_feed(thinking_split *t, const char *s, size_t len, thinking_emit_fn emit,
                        void *user)
{
    while (len > 0) {
        size_t used = 0;
        int rc = 0;
        switch (t->state) {
        case THINKING_SPLIT_START:
            rc = feed_start(t, s, len, &used, emit, user);
            break;
        case THINKING_SPLIT_INSIDE:
            rc = feed_inside(t, s, len, &used, emit, user);
            break;
        case THINKING_SPLIT_AFTER_CLOSE:
            if (s[0] == '\n' && t->newlines_skipped < 2) {
                t->newlines_skipped++;
                used = 1;
            } else {
                t->state = THINKING_SPLIT_TEXT;
            }
            break;
        case THINKING_SPLIT_TEXT:
            rc = emit(user, 0, s, len);
            used = len;
            break;
        }
        if (rc != 0)
            return rc;
        s += used;
        len -= used;
    }
    return 0;
}

int thinking_split_flush(thinking_split *t, thinking_emit_fn emit, void *user)
{
    size_t n = t->carry_len;
    t->carry_len = 0;
    if (t->state == THINKING_SPLIT_INSIDE)
        return emit_if(emit, user, 1, t->carry, n);
    return emit_if(emit, user, 0, t->carry, n);
}
