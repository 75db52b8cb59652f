/* ob-fault.c - see ob-fault.h */
#include "ob-fault.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void ob_test_stop_point(const char *point)
{
	static int stopped;
	const char *want = getenv("OB_TEST_STOP_AT");

	if (stopped || want == NULL || strcmp(want, point) != 0)
		return;
	stopped = 1;
	fprintf(stderr, "ocibench: OB_TEST_STOP_AT: stopped at %s (pid %ld)\n", point,
		(long)getpid());
	fflush(stderr);
	raise(SIGSTOP);
}
