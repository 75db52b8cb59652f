/* workload.h - the one interface between a workload and the shared harness.
 *
 * Each workload file (cpu.c, memory.c, ...) defines
 *     const struct ob_workload ob_workload = { ... };
 * and is linked with harness.o, which owns main(): options, threads, the
 * timed event loop, latency statistics and the text/JSON report.  The
 * model is sysbench 1.0.20's: every worker repeatedly asks next_event()
 * for work (untimed) and runs execute() between two clock reads (timed).
 */
#ifndef OB_WORKLOAD_H
#define OB_WORKLOAD_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ob-error.h"
#include "ob-hist.h"
#include "ob-opt.h"
#include "ob-rand.h"
#include "ob-span.h"

/* One unit of work, produced by next_event() and consumed by execute().
 * The meaning of the fields is the workload's. */
struct ob_event {
	int op;
	unsigned file;
	uint64_t pos;
	uint64_t len;
	uint64_t seq; /* e.g. fileio's write sequence */
};

enum { OB_EV_READY = 0, OB_EV_NONE = 1 };

/* thread_run(): "run the generic event loop for this thread". */
enum { OB_RUN_EVENTS = 1 };

enum { OB_FORMAT_TEXT = 0, OB_FORMAT_JSON = 1 };

/* Options every workload takes (sysbench's general options). */
struct ob_common {
	long long threads;
	long long time;       /* seconds, 0 = no limit */
	long long events;     /* 0 = no limit */
	long long percentile; /* 0 disables percentile and histogram */
	bool histogram;
	long long rand_seed;  /* 0 = time(NULL) */
	int format;           /* OB_FORMAT_* */
	const char *cpu_affinity; /* CPU list, thread i on the i-th CPU (mod) */
	long long numa_node;  /* -1 = no NUMA placement */
	bool validate;        /* workload-specific self-checks */
};

struct ob_run;

/* One worker thread.  Owned by the harness; priv is the workload's. */
struct ob_thread {
	unsigned id;
	struct ob_run *run;
	struct ob_rand rng;
	struct ob_lat lat;
	void *priv;
	struct ob_error err;
};

/* The state of one invocation.  opts points to the workload's options
 * struct. */
struct ob_run {
	const struct ob_workload *wl;
	struct ob_common common;
	void *opts;
	const char *command;   /* "run" or one of wl->commands */
	uint64_t wall_start_ns; /* CLOCK_REALTIME taken as main()'s first act */
	struct ob_span span;   /* the run: clock start (all workers at the barrier) to report */
	uint64_t start_ns;     /* span.begin_ns */
	uint64_t deadline_ns;  /* 0 = none */
	uint64_t event_limit;  /* 0 = none */
	atomic_uint_fast64_t issued;
	atomic_int failed;
	unsigned nthreads;
	struct ob_thread *threads;
	uint64_t elapsed_ns;   /* total time, clock start to report */
	struct ob_lat total;   /* merged latencies */
};

enum {
	OB_WL_IGNORES_EVENTS = 1u << 0, /* --events is forced to 0 (sysbench memory) */
};

struct ob_workload {
	const char *name;    /* "cpu": binary ocibench-cpu, JSON "workload" */
	const char *summary; /* one line for --help */
	const struct ob_opt *opts;
	size_t opts_size;
	const char *const *commands; /* NULL: only "run"; else NULL-terminated list */
	unsigned flags;

	/* Optional: checks the options that a table cannot express (e.g. a
	 * power of two) before anything is printed; a bad value is reported
	 * like a parser error (OB_EXIT_USAGE, one line, empty stdout). */
	int (*check)(const struct ob_run *run, struct ob_error *err);
	/* Untimed set-up after option parsing; validates options. */
	int (*init)(struct ob_run *run, struct ob_error *err);
	/* A command other than "run" (prepare, cleanup). */
	int (*command)(struct ob_run *run, struct ob_error *err);
	/* Per-thread set-up, in the worker, before the start barrier. */
	int (*thread_init)(struct ob_thread *t, struct ob_error *err);
	/* Next unit of work (untimed): OB_EV_READY or OB_EV_NONE to stop. */
	int (*next_event)(struct ob_thread *t, struct ob_event *ev);
	/* The measured work of one event: 0, or -1 with err set. */
	int (*execute)(struct ob_thread *t, const struct ob_event *ev, struct ob_error *err);
	/* Optional: right after an executed event's span, untimed: its
	 * bookkeeping and checks (fileio's counters, --validate). */
	int (*completed)(struct ob_thread *t, const struct ob_event *ev, struct ob_error *err);
	/* Optional: replaces the generic loop (asynchronous engines).  It must
	 * call ob_thread_continue() before each event and ob_lat_add() for
	 * each completed one.  Returning OB_RUN_EVENTS asks for the generic
	 * loop instead (an engine chosen at run time, e.g. fileio's). */
	int (*thread_run)(struct ob_thread *t, struct ob_error *err);
	/* After the loop, still inside the timed span (fileio's end fsyncs). */
	int (*thread_done)(struct ob_thread *t, struct ob_error *err);
	/* Optional: after the clock has stopped and before the report, untimed:
	 * proves the work was done (e.g. memory readback); -1 fails the run. */
	int (*verify)(struct ob_run *run, struct ob_error *err);
	/* Per-thread tear-down, untimed. */
	void (*thread_fini)(struct ob_thread *t);
	/* sysbench's preamble lines for this test (text format only). */
	void (*print_header)(const struct ob_run *run, FILE *f);
	/* The test's block before "General statistics" (text format). */
	void (*report_text)(const struct ob_run *run, FILE *f);
	/* The test's figures added to the JSON document. */
	void (*report_json)(const struct ob_run *run, json_t *root);
	void (*fini)(struct ob_run *run);
};

extern const struct ob_workload ob_workload;

/* When argv[1] is exactly this (and nothing follows), a workload binary
 * exits 0 at once: ocibench-syscall --mode=exec runs itself with it, so it
 * needs no /bin/true in a minimal container. */
#define OB_ARG_EXIT_NOW "--exit-now"


/* Limits and failure check for one more event: true to go on.  With an
 * event limit it takes one event from the global budget. */
bool ob_thread_continue(struct ob_thread *t);

/* Seconds as a double. */
static inline double ob_ns_to_s(uint64_t ns)
{
	return (double)ns / 1e9;
}

#endif
