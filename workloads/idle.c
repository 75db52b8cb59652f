/* idle.c - ocibench-idle: a container process that does nothing until it
 * is told to stop, for measuring what a runtime costs the host (the
 * runner's footprint and density tests).
 *
 * Once started, and once its --memory bytes are touched (a resident set
 * the runner's PSS figures must show), it writes one newline to stdout: the
 * ready byte.  The runner gives the container a pipe as stdout and stamps
 * the byte's arrival on the host's own clock, which also holds for
 * runtimes whose guest clock is not the host's (a VM); a newline keeps
 * stdout a valid JSON document.  Then it waits for SIGTERM/SIGINT (or
 * --time seconds), prints its report and exits 0.
 */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "ob-clock.h"
#include "ob-span.h"
#include "ob-opt.h"
#include "ob-result.h"
#include "ob-revision.h"

struct idle_opts {
	double time;
	uint64_t memory;
	int format;
};

static const char *const format_names[] = {"text", "json", NULL};

#define O(f) offsetof(struct idle_opts, f)
static const struct ob_opt idle_opts_table[] = {
	{"time", OB_OPT_DOUBLE, O(time), "0", 0, 31536000, NULL,
	 "seconds to stay idle (0 = until SIGTERM or SIGINT)"},
	{"memory", OB_OPT_SIZE, O(memory), "0", 0, 0, NULL,
	 "bytes to allocate and touch once ready (K/M/G suffixes), kept until the end"},
	{"format", OB_OPT_CHOICE, O(format), "text", 0, 0, format_names, "report format: text or json"},
	{NULL},
};
#undef O

static void usage(const struct ob_optset *set)
{
	printf("Usage: ocibench-idle [OPTIONS]\n"
	       "Writes a newline (ready), then idles until SIGTERM/SIGINT or --time.\n\nOptions:\n");
	ob_opt_help(stdout, set, 1);
	printf("  --help  --version\n\nExit status: 0 ok, 1 failed, 2 bad usage.\n");
}

/* Touch every page of a private anonymous mapping so it is resident. */
static void *touch(uint64_t bytes, struct ob_error *err)
{
	long page = sysconf(_SC_PAGESIZE);
	unsigned char *p;

	if (bytes == 0)
		return NULL;
	p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED) {
		ob_err(err, OB_EXIT_FAIL, errno, "mapping %llu bytes", (unsigned long long)bytes);
		return NULL;
	}
	for (uint64_t off = 0; off < bytes; off += (uint64_t)page)
		p[off] = (unsigned char)(off / (uint64_t)page | 1);
	return p;
}

/* Wait for SIGTERM/SIGINT, or until secs have passed (secs > 0); returns
 * the signal or 0. */
static int idle(const sigset_t *set, double secs)
{
	struct timespec ts = { (time_t)secs, (long)((secs - (double)(time_t)secs) * 1e9) };

	for (;;) {
		int sig = secs > 0 ? sigtimedwait(set, NULL, &ts) : sigwaitinfo(set, NULL);

		if (sig > 0)
			return sig;
		if (errno == EAGAIN)
			return 0;
		/* EINTR (a stop/continue): wait again; the deadline is loose by design */
	}
}

int main(int argc, char **argv)
{
	uint64_t wall_start_ns = ob_wall_ns(); /* first act */
	struct idle_opts opts;
	struct ob_optset oset = {idle_opts_table, &opts};
	struct ob_error err = {0};
	char *pos[argc + 1];
	int npos = 0, rc, sig;
	sigset_t set;

	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("ocibench-idle %s (source %s)\n", PACKAGE_VERSION, OB_SOURCE_REVISION);
		return OB_EXIT_OK;
	}
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	/* blocked before the ready byte: a stop that follows it at once is kept */
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (ob_opt_defaults(&oset, 1, &err) < 0) {
		ob_err_print("ocibench-idle", &err);
		return err.status;
	}
	rc = ob_opt_parse(&oset, 1, argc, argv, pos, &npos, &err);
	if (rc == OB_OPT_HELP) {
		usage(&oset);
		return OB_EXIT_OK;
	}
	if (rc == 0 && npos > 0)
		rc = ob_err(&err, OB_EXIT_USAGE, 0, "unexpected argument '%s'", pos[0]);
	if (rc < 0) {
		ob_err_print("ocibench-idle", &err);
		return err.status;
	}
	/* ready means idle with its memory resident: touch, then the byte */
	void *mem = touch(opts.memory, &err);
	int status = opts.memory && !mem ? err.status : OB_EXIT_OK;

	if (status == OB_EXIT_OK && write(STDOUT_FILENO, "\n", 1) != 1) {
		ob_err(&err, OB_EXIT_FAIL, errno, "writing the ready byte");
		status = OB_EXIT_FAIL;
	}

	struct ob_span span;

	ob_span_begin(&span);
	sig = status == OB_EXIT_OK ? idle(&set, opts.time) : 0;

	double idle_s = (double)ob_span_end(&span) / 1e9;

	if (status != OB_EXIT_OK)
		ob_err_print("ocibench-idle", &err);
	if (opts.format == 1) {
		json_t *doc = ob_result_new("idle", "run", status, &err, &oset, 1, wall_start_ns);

		json_object_set_new(doc, "idle_s", json_real(idle_s));
		json_object_set_new(doc, "signal", sig ? json_string(sig == SIGTERM ? "SIGTERM" : "SIGINT")
						       : json_null());
		json_object_set_new(doc, "memory_touched_bytes",
				    json_integer(mem ? (json_int_t)opts.memory : 0));
		ob_result_emit(doc);
	} else if (status == OB_EXIT_OK) {
		printf("idle %.3f s, %s, %llu bytes touched\n", idle_s,
		       sig == SIGTERM ? "SIGTERM" : sig == SIGINT ? "SIGINT" : "time up",
		       (unsigned long long)(mem ? opts.memory : 0));
	}
	if (fflush(stdout) != 0 && status == OB_EXIT_OK)
		status = OB_EXIT_FAIL;
	return status;
}
