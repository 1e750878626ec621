/* relay_messages.c: bounded, non-blocking writes of logrelay's own messages; see the header. */
#include "relay_messages.h"

#include <poll.h>
#include <stdio.h>
#include <unistd.h>

#include "sink.h"
#include "util/clock.h"

void relay_message_write(const char *text, size_t len)
{
    struct sink err;
    sink_open(&err, STDERR_FILENO);
    int64_t deadline = clock_monotonic_ms() + RELAY_MESSAGE_WAIT_MS;
    while (len > 0 && !err.gone) {
        if (sink_wants_pollout(&err)) {
            int64_t left = deadline - clock_monotonic_ms();
            struct pollfd p = {.fd = err.fd, .events = POLLOUT};
            if (left <= 0 || poll(&p, 1, (int)left) <= 0)
                break;
            sink_note_pollout(&err);
        }
        struct iovec segment = {.iov_base = (void *)text, .iov_len = len};
        ssize_t n = sink_write(&err, &segment, 1);
        if (n > 0)
            text += n, len -= (size_t)n;
    }
    sink_close(&err);
}

void relay_message_error(const char *what, const char *detail)
{
    char line[1024];
    int len = snprintf(line, sizeof line, "logrelay: %s%s%s\n", what, detail ? ": " : "",
                       detail ? detail : "");
    if (len > 0)
        relay_message_write(line, (size_t)len < sizeof line ? (size_t)len : sizeof line - 1);
}
