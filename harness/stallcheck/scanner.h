/* scanner.h: the real launcher's line reader, as a pure state machine.
 *
 * The launcher read the proxy's output with Go's bufio.Scanner and a 64 KiB line limit. A token
 * must fit in the buffer: when the buffer is full and holds no newline, Scan() fails with
 * ErrTooLong and the launcher silently stopped reading for good. The harness reproduces exactly
 * that: it never reads more of an unfinished line than the room left under the limit, and stops
 * when an unfinished line reaches the limit. */
#ifndef STALLCHECK_SCANNER_H
#define STALLCHECK_SCANNER_H

#include <stdbool.h>
#include <stddef.h>

typedef struct line_scanner {
    size_t limit;          /* N of scanner:N: buffer size, newline included */
    size_t line_len;       /* bytes of the current, unfinished line */
    unsigned long long lines; /* complete lines seen */
    bool stopped;          /* hit a line longer than the limit: reads nothing more */
} line_scanner;

void scanner_init(line_scanner *s, size_t limit);
/* Bytes the scanner may read next (0 once stopped). */
size_t scanner_room(const line_scanner *s);
/* Feeds bytes just read (len <= scanner_room()). Returns true when the scanner has stopped. */
bool scanner_feed(line_scanner *s, const char *data, size_t len);

#endif
