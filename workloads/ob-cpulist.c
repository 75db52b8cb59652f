/* ob-cpulist.c - see ob-cpulist.h */
#include "ob-cpulist.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>

static int bad(const char *text, struct ob_error *err)
{
	return ob_err(err, OB_EXIT_USAGE, 0,
		      "invalid value '%s' for --cpu-affinity: expected a CPU list such as 0-1,3",
		      text);
}

static int number(const char **p, long *out)
{
	char *end;

	if (!isdigit((unsigned char)**p))
		return -1;
	errno = 0;
	*out = strtol(*p, &end, 10);
	if (errno != 0 || *out >= CPU_SETSIZE)
		return -1;
	*p = end;
	return 0;
}

int ob_cpulist_parse(const char *text, cpu_set_t *set, struct ob_error *err)
{
	const char *p = text;
	cpu_set_t allowed;

	CPU_ZERO(set);
	if (sched_getaffinity(0, sizeof(allowed), &allowed) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "sched_getaffinity");
	for (;;) {
		long lo, hi;

		if (number(&p, &lo) < 0)
			return bad(text, err);
		hi = lo;
		if (*p == '-') {
			p++;
			if (number(&p, &hi) < 0 || hi < lo)
				return bad(text, err);
		}
		for (long c = lo; c <= hi; c++) {
			if (!CPU_ISSET(c, &allowed))
				return ob_err(err, OB_EXIT_USAGE, 0,
					      "invalid value '%s' for --cpu-affinity: CPU %ld is not available to this process",
					      text, c);
			CPU_SET(c, set);
		}
		if (*p == '\0')
			return 0;
		if (*p++ != ',')
			return bad(text, err);
	}
}

int ob_cpulist_nth(const cpu_set_t *set, unsigned n)
{
	int count = CPU_COUNT(set);

	if (count == 0)
		return -1;
	n %= (unsigned)count;
	for (int c = 0; c < CPU_SETSIZE; c++)
		if (CPU_ISSET(c, set) && n-- == 0)
			return c;
	return -1;
}
