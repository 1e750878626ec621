/* port_file.h: publishing the bound port for whoever started fake-kiro.
 *
 * With --listen ...:0 only fake-kiro knows its port. Tests and the stall harness poll for the
 * port file, so it must never be seen half written: it is written to a temporary name in the
 * same directory and renamed into place. */
#ifndef FAKE_KIRO_PORT_FILE_H
#define FAKE_KIRO_PORT_FILE_H

/* Writes "<port>\n" to path atomically. Returns 0, or -1 (errno set). */
int fk_port_file_write(const char *path, unsigned port);

#endif
