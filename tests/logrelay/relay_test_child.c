/* relay_test_child.c: the command the logrelay process tests run under logrelay.
 *
 * It performs its arguments as a script of actions, in order, so each test states exactly what
 * the child does (no shell, no timing assumptions):
 *   out-lines START COUNT SIZE   numbered lines "%08d xxx...\n" of SIZE bytes to stdout
 *   err-lines START COUNT SIZE   the same to stderr
 *   out-line TEXT / err-line TEXT    TEXT and a newline
 *   out-text TEXT / err-text TEXT    TEXT without newline
 *   out-long N                   one line of N 'x' bytes and a newline to stdout
 *   notify FD                    writes "done\n" to FD (a pipe the test passed through logrelay)
 *   wait-stdin                   reads stdin until EOF (the test closes it to let the child go on)
 *   close-stdout                 closes fd 1 and keeps running
 *   on-signal SIG                on SIG: write "got signal SIG\n" to stdout and exit 0
 *   pause                        waits for signals forever (the test bounds it)
 *   exit N                       exits with N
 *   kill-self SIG                dies of SIG */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void write_all(int fd, const char *data, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, data, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            exit(100);
        data += n, len -= (size_t)n;
    }
}

static void write_numbered_lines(int fd, long start, long count, size_t size)
{
    static char block[1 << 16];
    size_t used = 0;
    if (size < 10 || size > sizeof block)
        exit(101);
    for (long i = start; i < start + count; i++) {
        if (used + size > sizeof block) {
            write_all(fd, block, used);
            used = 0;
        }
        char number[32];
        snprintf(number, sizeof number, "%08ld", i % 100000000); /* 8 digits */
        memcpy(block + used, number, 8);
        block[used + 8] = ' ';
        memset(block + used + 9, 'x', size - 10);
        block[used + size - 1] = '\n';
        used += size;
    }
    write_all(fd, block, used);
}

static void write_long_line(size_t n)
{
    static char block[1 << 16];
    memset(block, 'x', sizeof block);
    for (size_t done = 0; done < n;) {
        size_t chunk = n - done < sizeof block ? n - done : sizeof block;
        write_all(STDOUT_FILENO, block, chunk);
        done += chunk;
    }
    write_all(STDOUT_FILENO, "\n", 1);
}

static void on_signal(int sig)
{
    char text[32];
    int len = snprintf(text, sizeof text, "got signal %d\n", sig);
    write_all(STDOUT_FILENO, text, (size_t)len);
    _exit(0);
}

static const char *arg(char **argv, int argc, int i)
{
    if (i >= argc)
        exit(102); /* a malformed script is the test's bug: fail loudly */
    return argv[i];
}

int main(int argc, char **argv)
{
    for (int i = 1; i < argc; i++) {
        const char *action = argv[i];
        if (strcmp(action, "out-lines") == 0 || strcmp(action, "err-lines") == 0) {
            long start = atol(arg(argv, argc, i + 1)), count = atol(arg(argv, argc, i + 2));
            size_t size = (size_t)atol(arg(argv, argc, i + 3));
            write_numbered_lines(action[0] == 'o' ? 1 : 2, start, count, size);
            i += 3;
        } else if (strcmp(action, "out-line") == 0 || strcmp(action, "err-line") == 0 ||
                   strcmp(action, "out-text") == 0 || strcmp(action, "err-text") == 0) {
            const char *text = arg(argv, argc, ++i);
            int fd = action[0] == 'o' ? 1 : 2;
            write_all(fd, text, strlen(text));
            if (strstr(action, "-line"))
                write_all(fd, "\n", 1);
        } else if (strcmp(action, "out-long") == 0) {
            write_long_line((size_t)atol(arg(argv, argc, ++i)));
        } else if (strcmp(action, "notify") == 0) {
            write_all(atoi(arg(argv, argc, ++i)), "done\n", 5);
        } else if (strcmp(action, "wait-stdin") == 0) {
            char buf[256];
            while (read(STDIN_FILENO, buf, sizeof buf) > 0) {
            }
        } else if (strcmp(action, "close-stdout") == 0) {
            close(STDOUT_FILENO);
        } else if (strcmp(action, "on-signal") == 0) {
            signal(atoi(arg(argv, argc, ++i)), on_signal);
        } else if (strcmp(action, "pause") == 0) {
            for (;;)
                pause();
        } else if (strcmp(action, "exit") == 0) {
            return atoi(arg(argv, argc, ++i));
        } else if (strcmp(action, "kill-self") == 0) {
            int sig = atoi(arg(argv, argc, ++i));
            signal(sig, SIG_DFL);
            raise(sig);
        } else {
            fprintf(stderr, "relay_test_child: unknown action '%s'\n", action);
            return 103;
        }
    }
    return 0;
}
