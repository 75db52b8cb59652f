/* fake-workload.c - a stand-in for a workload binary in the runner's
 * outcome tests (tests/e2e/runner-outcomes.sh): copied into a rootfs as
 * /bin/ocibench-cpu, it does what /fake-outcome in that rootfs says:
 *   exit1    a message on stderr, exit 1 (a failed test)
 *   exit77   a message on stderr, exit 77 (unsupported here)
 *   nojson   exit 0 with nothing on stdout
 *   badjson  exit 0 with a truncated JSON object on stdout
 *   array    exit 0 with JSON that is not an object
 */
#include <stdio.h>
#include <string.h>

int main(void)
{
	char what[32] = "";
	FILE *f = fopen("/fake-outcome", "r");

	if (f == NULL || fgets(what, sizeof(what), f) == NULL) {
		fputs("fake-workload: cannot read /fake-outcome\n", stderr);
		return 3;
	}
	fclose(f);
	what[strcspn(what, "\n")] = '\0';
	if (strcmp(what, "exit1") == 0) {
		fputs("fake-workload: the test failed on purpose\n", stderr);
		return 1;
	}
	if (strcmp(what, "exit77") == 0) {
		fputs("fake-workload: not supported here\n", stderr);
		return 77;
	}
	if (strcmp(what, "badjson") == 0)
		fputs("{\"schema\":\"ocibench-workload/1\",\"workload\":\"cpu\",\"status\":", stdout);
	else if (strcmp(what, "array") == 0)
		puts("[1, 2, 3]");
	else if (strcmp(what, "nojson") != 0)
		return 3;
	return 0;
}
