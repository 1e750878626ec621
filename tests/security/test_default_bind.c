/* test_default_bind.c: started without --listen, the proxy listens on 127.0.0.1:13000 only.
 *
 * fake-kiro and the credentials come from the shared stack; a second proxy is started with no
 * --listen at all, configured only through KIRO_* environment variables. The listening socket
 * must be bound to 127.0.0.1 (checked in /proc/net/tcp on Linux) and a connection to each
 * non-loopback address of this machine (getifaddrs) on port 13000 must fail. Skips when port
 * 13000 is taken, and the address probe when the machine has no non-loopback address. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "raw_http.h"
#include "sec_util.h"
#include "stack.h"

#define DEFAULT_PORT 13000

static test_stack stack;

static int group_setup(void **state)
{
    (void)state;
    stack_options o = {.proxy = "kiro-proxy-async"};
    return stack_start(&stack, &o);
}

static int group_teardown(void **state)
{
    (void)state;
    return stack_stop(&stack);
}

/* 1 when nothing listens on port 13000 on any address right now. */
static int default_port_free(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return 0;
    struct sockaddr_in sa;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(DEFAULT_PORT);
    sa.sin_addr.s_addr = htonl(INADDR_ANY);
    int ok = bind(fd, (struct sockaddr *)&sa, sizeof sa) == 0;
    close(fd);
    return ok;
}

/* A listener on every address (port chosen by the kernel), to tell an address that cannot be
 * reached at all from one the proxy does not listen on. Returns the fd; *port receives it. */
static int control_listener(int family, int *port)
{
    int fd = socket(family, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    ss.ss_family = (sa_family_t)family;
    socklen_t len = family == AF_INET ? sizeof(struct sockaddr_in) : sizeof(struct sockaddr_in6);
    if (bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 4) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
        close(fd);
        return -1;
    }
    *port = ntohs(family == AF_INET ? ((struct sockaddr_in *)&ss)->sin_port
                                    : ((struct sockaddr_in6 *)&ss)->sin6_port);
    return fd;
}

/* Local address of the socket listening on port (from /proc/net/tcp), as "HHHHHHHH" hex, or
 * "" when not found; -1 when the file is not there (not Linux). */
static int listening_address(int port, char *hex, size_t hex_size)
{
    hex[0] = '\0';
    FILE *f = fopen("/proc/net/tcp", "r");
    if (!f)
        return -1;
    char line[512];
    while (fgets(line, sizeof line, f)) {
        char local[64];
        unsigned st;
        if (sscanf(line, " %*d: %63s %*s %x", local, &st) != 2 || st != 0x0A) /* LISTEN */
            continue;
        char *colon = strchr(local, ':');
        if (colon && (int)strtol(colon + 1, NULL, 16) == port) {
            *colon = '\0';
            snprintf(hex, hex_size, "%.8s", local);
            break;
        }
    }
    fclose(f);
    return 0;
}

static void test_default_bind_is_loopback(void **state)
{
    (void)state;
    if (!default_port_free()) {
        printf("  SKIP: port %d is in use on this machine; the default bind cannot be tested\n",
               DEFAULT_PORT);
        skip();
    }
    char users[300], log[300];
    snprintf(users, sizeof users, "%s/default-users.json", stack.dir);
    snprintf(log, sizeof log, "%s/default-proxy.log", stack.dir);
    setenv("KIRO_CREDENTIALS", stack.credentials_path, 1);
    setenv("KIRO_USER_CREDENTIALS", users, 1);
    setenv("KIRO_API_KEY", STACK_API_KEY, 1);
    setenv("KIRO_UPSTREAM_URL", stack.fake_url, 1);
    setenv("KIRO_AUTH_URL", stack.fake_url, 1);
    unsetenv("KIRO_LISTEN");
    unsetenv("KIRO_CONFIG");
    pid_t pid = sec_spawn_proxy("kiro-proxy-async", NULL, log);
    const char *vars[] = {"KIRO_CREDENTIALS", "KIRO_USER_CREDENTIALS", "KIRO_API_KEY",
                          "KIRO_UPSTREAM_URL", "KIRO_AUTH_URL"};
    for (size_t i = 0; i < sizeof vars / sizeof vars[0]; i++)
        unsetenv(vars[i]);
    assert_true(pid > 0);
    if (sec_wait_health(pid, DEFAULT_PORT, 20000) != 0) {
        sec_stop(pid, 5000);
        char *text = sec_read_file(log, NULL);
        int taken = text && strstr(text, "cannot listen");
        free(text);
        if (taken) {
            printf("  SKIP: port %d was taken meanwhile; the default bind cannot be tested\n",
                   DEFAULT_PORT);
            skip();
        }
        fail_msg("the proxy started without --listen did not answer on 127.0.0.1:%d (log: %s)",
                 DEFAULT_PORT, log);
    }

    char hex[64];
    int have_proc = listening_address(DEFAULT_PORT, hex, sizeof hex) == 0;
    if (have_proc)
        printf("  /proc/net/tcp: port %d listens on %s (0100007F = 127.0.0.1)\n", DEFAULT_PORT,
               hex);

    struct ifaddrs *ifs = NULL;
    int probed = 0, reachable = 0;
    char where[INET6_ADDRSTRLEN] = "";
    if (getifaddrs(&ifs) == 0) {
        for (struct ifaddrs *i = ifs; i; i = i->ifa_next) {
            if (!i->ifa_addr || !(i->ifa_flags & IFF_UP) || (i->ifa_flags & IFF_LOOPBACK))
                continue;
            char addr[INET6_ADDRSTRLEN];
            if (i->ifa_addr->sa_family == AF_INET)
                inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr, addr,
                          sizeof addr);
            else if (i->ifa_addr->sa_family == AF_INET6 &&
                     !IN6_IS_ADDR_LINKLOCAL(&((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr))
                inet_ntop(AF_INET6, &((struct sockaddr_in6 *)i->ifa_addr)->sin6_addr, addr,
                          sizeof addr);
            else
                continue;
            int control_port = 0;
            int control = control_listener(i->ifa_addr->sa_family, &control_port);
            int control_fd = control >= 0 ? rh_connect(addr, control_port, 3000) : -1;
            if (control >= 0)
                close(control);
            if (control_fd < 0) {
                printf("  %s is not reachable even for a listener on every address: not used\n",
                       addr);
                continue;
            }
            close(control_fd);
            int fd = rh_connect(addr, DEFAULT_PORT, 3000);
            probed++;
            printf("  connect to [%s]:%d: %s\n", addr, DEFAULT_PORT,
                   fd >= 0 ? "ACCEPTED" : "refused");
            if (fd >= 0) {
                reachable++;
                snprintf(where, sizeof where, "%s", addr);
                close(fd);
            }
        }
        freeifaddrs(ifs);
    }
    int code = sec_stop(pid, 5000);
    (void)code;
    if (have_proc)
        assert_string_equal(hex, "0100007F");
    if (reachable)
        fail_msg("the proxy started without --listen accepted a connection on %s:%d", where,
                 DEFAULT_PORT);
    if (!probed)
        printf("  no non-loopback address on this machine: only the bound address was checked\n");
    if (!probed && !have_proc)
        skip();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_default_bind_is_loopback),
    };
    return cmocka_run_group_tests_name("default_bind", tests, group_setup, group_teardown);
}
