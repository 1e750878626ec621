/* tp_check.h: the tests' one assertion macro for programs that are not cmocka suites (process
 * tests that run one named case per ctest entry). A failed TP_CHECK prints file, line and the
 * expression, runs the program's cleanup (kill and reap its children), and exits 1, so a failure
 * never leaves a process behind. cmocka suites keep using cmocka's assert_* macros; the fault
 * matrix's FX_CHECK is not an assertion (it records, for the report, what the blocking build
 * did) and stays its own. */
#ifndef KIRO_TEST_TP_CHECK_H
#define KIRO_TEST_TP_CHECK_H

/* Called once before a failed check exits (NULL: nothing). */
void tp_check_set_cleanup(void (*cleanup)(void));

_Noreturn void tp_check_failed(const char *file, int line, const char *expression);

#define TP_CHECK(cond)                                                                             \
    do {                                                                                           \
        if (!(cond))                                                                               \
            tp_check_failed(__FILE__, __LINE__, #cond);                                            \
    } while (0)

#endif
