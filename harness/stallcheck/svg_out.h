/* svg_out.h: the small pieces every SVG (or HTML) writer needs: text escaped for XML, a rough
 * text width for layout without fonts, and byte sizes in words.
 *
 * The picture is laid out before any font is known (the viewer picks its sans-serif), so text
 * widths are estimates that err on the wide side: a label may end up with more room than it
 * needs, never overlap its neighbour by much. */
#ifndef STALLCHECK_SVG_OUT_H
#define STALLCHECK_SVG_OUT_H

#include <stddef.h>
#include <stdio.h>

/* Writes text with &, <, >, " and ' escaped, control characters (other than tab) replaced by
 * '?', and invalid UTF-8 bytes by '?', so the output is always well-formed XML. At most max
 * bytes of text are taken (0: all); a cut is marked with "...". */
void svg_put_text(FILE *out, const char *text, size_t max);
/* Estimated width in pixels of text at font size px in a sans-serif font. */
double svg_text_width(const char *text, double px);
/* 65536 -> "64 KiB", 1536 -> "1.5 KiB", 900 -> "900 B". */
void svg_format_bytes(long bytes, char *out, size_t size);
/* 1840 -> "1.84 s", 12 -> "12 ms". */
void svg_format_duration(long ms, char *out, size_t size);

#endif
