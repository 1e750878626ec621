/* tp_check.c: the failure path of TP_CHECK; see tp_check.h. */
#include "tp_check.h"

#include <stdio.h>
#include <stdlib.h>

static void (*check_cleanup)(void);

void tp_check_set_cleanup(void (*cleanup)(void))
{
    check_cleanup = cleanup;
}

_Noreturn void tp_check_failed(const char *file, int line, const char *expression)
{
    fprintf(stderr, "%s:%d: CHECK failed: %s\n", file, line, expression);
    fflush(stderr);
    void (*cleanup)(void) = check_cleanup;
    check_cleanup = NULL; /* a check failing inside the cleanup must not loop */
    if (cleanup)
        cleanup();
    exit(1);
}
