/* version.h: stallcheck's version, printed by --version and written into every JSON report so
 * that a stored report can be matched with the harness that produced it. */
#ifndef STALLCHECK_VERSION_H
#define STALLCHECK_VERSION_H

#define STALLCHECK_VERSION "1.0.0"

#endif
