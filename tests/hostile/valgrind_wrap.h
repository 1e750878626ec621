/* valgrind_wrap.h: runs a proxy build under valgrind memcheck inside the unchanged test stack.
 * A private bin directory gets fake-kiro (a symlink to the real one) and, under the proxy's
 * name, a two-line script that execs valgrind on the real binary; KIRO_BIN_DIR points the stack
 * at that directory. After the proxy exited, the valgrind log says whether any invalid access,
 * use of uninitialised memory or definite leak happened. */
#ifndef KIRO_HOSTILE_VALGRIND_WRAP_H
#define KIRO_HOSTILE_VALGRIND_WRAP_H

typedef struct vg_wrap {
    char dir[128];
} vg_wrap;

/* Prepares the directory and sets KIRO_BIN_DIR. Returns 0 or -1. */
int vg_wrap_setup(vg_wrap *w, const char *valgrind, const char *proxy_name);
/* Errors valgrind reported (definite leaks included) over every log in the directory; prints
 * the logs when there are any. -1 when no log holds an ERROR SUMMARY (valgrind did not finish). */
int vg_wrap_errors(const vg_wrap *w);
void vg_wrap_cleanup(vg_wrap *w);

#endif
