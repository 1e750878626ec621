/* thinking_split.h: separates "<thinking>...</thinking>" at the start of the upstream text from
 * the answer that follows it.
 *
 * With thinking enabled Kiro writes the model's reasoning inline, as text that starts (possibly
 * after whitespace) with <thinking> and ends with </thinking> and usually a blank line. Events
 * can split the tags at any byte, so the splitter keeps a small carry of bytes that may still
 * turn out to be (part of) a tag. Only a leading block is recognised: a tag later in the
 * answer is ordinary text (models quote tags in code and prose). */
#ifndef KIRO_RENDER_THINKING_SPLIT_H
#define KIRO_RENDER_THINKING_SPLIT_H

#include <stddef.h>

/* Leading whitespace kept while waiting for <thinking>; more than this means plain text. */
#define THINKING_MAX_LEADING_SPACE 64

typedef enum {
    THINKING_SPLIT_START,       /* nothing but whitespace (and maybe part of <thinking>) yet */
    THINKING_SPLIT_INSIDE,      /* inside the thinking block */
    THINKING_SPLIT_AFTER_CLOSE, /* right after </thinking>: dropping up to two newlines */
    THINKING_SPLIT_TEXT,        /* the answer: everything is text */
} thinking_split_state;

typedef struct thinking_split {
    thinking_split_state state;
    char carry[THINKING_MAX_LEADING_SPACE + 16];
    size_t carry_len;
    int newlines_skipped;
} thinking_split;

/* Receives each piece of output; is_thinking tells which side it belongs to. Non-zero aborts. */
typedef int (*thinking_emit_fn)(void *user, int is_thinking, const char *s, size_t len);

void thinking_split_init(thinking_split *t);
/* Splits the next piece of text; returns the first non-zero emit result, else 0. */
int thinking_split_feed(thinking_split *t, const char *s, size_t len, thinking_emit_fn emit,
                        void *user);
/* Emits whatever is carried (the text ended or other content follows); keeps the state. */
int thinking_split_flush(thinking_split *t, thinking_emit_fn emit, void *user);

#endif
