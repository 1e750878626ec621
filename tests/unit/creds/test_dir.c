/* test_dir.c: scratch directories and file helpers for the creds tests; see test_dir.h. */
#include "test_dir.h"

#include <dirent.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int test_dir_make(char *out, size_t size)
{
    const char *base = getenv("TMPDIR");
    if (!base || !*base)
        base = "/tmp";
    if ((size_t)snprintf(out, size, "%s/kiro-creds-test.XXXXXX", base) >= size)
        return -1;
    return mkdtemp(out) ? 0 : -1;
}

static int remove_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (type == FTW_DP || type == FTW_D || type == FTW_DNR)
        rmdir(path);
    else
        unlink(path);
    return 0; /* keep going: remove as much as possible */
}

static int make_writable(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
    (void)ftw;
    if (type == FTW_D || type == FTW_DNR)
        chmod(path, (st->st_mode & 07777) | S_IRWXU);
    return 0;
}

void test_dir_remove(const char *dir)
{
    if (!dir || !*dir)
        return;
    chmod(dir, S_IRWXU);
    nftw(dir, make_writable, 16, FTW_PHYS);
    nftw(dir, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

char *test_dir_join(const char *dir, const char *name, char *out, size_t size)
{
    snprintf(out, size, "%s/%s", dir, name);
    return out;
}

int test_write_text(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    size_t len = strlen(text);
    int ok = fwrite(text, 1, len, f) == len;
    ok = fclose(f) == 0 && ok;
    return ok ? 0 : -1;
}

char *test_read_text(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 4096, len = 0;
    char *data = malloc(cap);
    while (data) {
        if (len + 1 == cap) {
            char *bigger = realloc(data, cap * 2);
            if (!bigger) {
                free(data);
                data = NULL;
                break;
            }
            data = bigger;
            cap *= 2;
        }
        size_t n = fread(data + len, 1, cap - 1 - len, f);
        if (n == 0)
            break;
        len += n;
    }
    fclose(f);
    if (data)
        data[len] = '\0';
    return data;
}

int test_dir_count_matching(const char *dir, const char *needle)
{
    DIR *d = opendir(dir);
    if (!d)
        return -1;
    int count = 0;
    struct dirent *entry;
    while ((entry = readdir(d)) != NULL) {
        if (strstr(entry->d_name, needle))
            count++;
    }
    closedir(d);
    return count;
}
