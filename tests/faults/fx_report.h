/* fx_report.h: the results table. Each case writes one row file (case, async result, blocking
 * result, time) into <build>/report/faults.d/; a final ctest fixture assembles them, in case
 * order, into <build>/report/faults.md, which the lead quotes in REPORT.md. */
#ifndef FX_REPORT_H
#define FX_REPORT_H

/* Writes the row of one case (replacing an earlier one). Returns 0. */
int fx_report_write_row(const char *case_name, const char *async_result,
                        const char *blocking_result, long long elapsed_ms);
/* Removes the rows of an earlier run (the fixture's setup). */
int fx_report_reset(void);
/* Writes faults.md from the rows; cases without a row are listed as not run. */
int fx_report_assemble(void);

#endif
