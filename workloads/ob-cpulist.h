/* ob-cpulist.h - parse CPU lists such as "0-3,6" (the kernel's cpulist
 * format) into a cpu_set_t, checked against the CPUs this process may use. */
#ifndef OB_CPULIST_H
#define OB_CPULIST_H

#include <sched.h>

#include "ob-error.h"

/* Returns 0, or -1 (OB_EXIT_USAGE) naming the bad text or unusable CPU. */
int ob_cpulist_parse(const char *text, cpu_set_t *set, struct ob_error *err);

/* The n-th (0-based, modulo the count) CPU of set; -1 if set is empty. */
int ob_cpulist_nth(const cpu_set_t *set, unsigned n);

#endif
