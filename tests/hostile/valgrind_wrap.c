/* valgrind_wrap.c: the proxy under valgrind through a wrapper bin directory; see
 * valgrind_wrap.h. */
#include "valgrind_wrap.h"

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "proc.h"

int vg_wrap_setup(vg_wrap *w, const char *valgrind, const char *proxy_name)
{
    char real_proxy[512], real_fake[512], path[512];
    tp_bin_path(proxy_name, real_proxy, sizeof real_proxy);
    tp_bin_path("fake-kiro", real_fake, sizeof real_fake);
    if (tp_temp_dir(w->dir, sizeof w->dir) != 0)
        return -1;
    snprintf(path, sizeof path, "%s/fake-kiro", w->dir);
    if (symlink(real_fake, path) != 0)
        return -1;
    char script[2048];
    snprintf(script, sizeof script,
             "#!/bin/sh\nexec '%s' --leak-check=full --show-leak-kinds=definite "
             "--errors-for-leak-kinds=definite --num-callers=30 --log-file='%s/valgrind.%%p.log' "
             "'%s' \"$@\"\n",
             valgrind, w->dir, real_proxy);
    if (tp_write_file(w->dir, proxy_name, script, path, sizeof path) != 0 ||
        chmod(path, 0700) != 0)
        return -1;
    return setenv("KIRO_BIN_DIR", w->dir, 1);
}

/* Errors in one log (from its ERROR SUMMARY line), -1 without one; prints it when > 0. */
static int log_errors(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[1024];
    int errors = -1;
    while (fgets(line, sizeof line, f)) {
        const char *at = strstr(line, "ERROR SUMMARY: ");
        if (at)
            errors = atoi(at + 15);
    }
    if (errors != 0) {
        rewind(f);
        printf("---- %s ----\n", path);
        while (fgets(line, sizeof line, f))
            fputs(line, stdout);
    }
    fclose(f);
    return errors;
}

int vg_wrap_errors(const vg_wrap *w)
{
    DIR *d = opendir(w->dir);
    if (!d)
        return -1;
    int total = -1;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (strncmp(e->d_name, "valgrind.", 9) != 0)
            continue;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", w->dir, e->d_name);
        int n = log_errors(path);
        if (n < 0) {
            total = -1;
            break;
        }
        total = (total < 0 ? 0 : total) + n;
    }
    closedir(d);
    return total;
}

void vg_wrap_cleanup(vg_wrap *w)
{
    if (w->dir[0])
        tp_remove_dir(w->dir);
    w->dir[0] = '\0';
}
