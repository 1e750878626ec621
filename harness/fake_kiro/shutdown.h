/* shutdown.h: the stop signal every wait in fake-kiro listens to, and the bounded wait itself.
 *
 * fake-kiro deliberately holds requests open (--hang, --delay-ms, --slow-ms). Each of those waits
 * must end as soon as the client disconnects or fake-kiro is told to stop, or SIGTERM would hang
 * behind a hung request. The stop signal is a pipe that becomes readable once and stays readable,
 * so any number of threads can poll() it next to their client socket; writing to it is
 * async-signal-safe, so the SIGTERM handler can trigger it directly. */
#ifndef FAKE_KIRO_SHUTDOWN_H
#define FAKE_KIRO_SHUTDOWN_H

typedef struct fk_shutdown {
    int read_fd;
    int write_fd;
} fk_shutdown;

typedef enum fk_wait_result {
    FK_WAIT_ELAPSED,     /* the full time passed */
    FK_WAIT_CLIENT_GONE, /* the client closed or reset its connection */
    FK_WAIT_SHUTDOWN     /* fake-kiro is stopping */
} fk_wait_result;

/* Longest single poll() inside a wait: bounds how stale any check can be. */
#define FK_WAIT_SLICE_MS 250

int fk_shutdown_init(fk_shutdown *s);
void fk_shutdown_destroy(fk_shutdown *s);
/* Async-signal-safe; idempotent. */
void fk_shutdown_request(const fk_shutdown *s);
int fk_shutdown_requested(const fk_shutdown *s);
/* Waits up to ms (>= 0) for the stop signal; returns 1 when it came. */
int fk_shutdown_wait(const fk_shutdown *s, int ms);

/* Waits ms milliseconds (ms < 0: with no time limit) while watching the client socket
 * (client_fd < 0: none) and the stop signal. */
fk_wait_result fk_wait(const fk_shutdown *s, int client_fd, long ms);

#endif
