/* harness.c - main() shared by the sysbench-style workloads.
 *
 * Parses the common and the workload's options, starts --threads workers
 * that meet at a start barrier, runs the generic event loop (run_events
 * below; engines with their own loop, such as fileio's io_uring, time their
 * events themselves with the same ob_span helpers), merges statistics and
 * prints the text or JSON report.  Errors travel up to main(), which prints
 * them once.
 */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#ifdef OB_HAVE_LIBNUMA
#include <numa.h>
#endif

#include "ob-clock.h"
#include "ob-cpulist.h"
#include "ob-ready.h"
#include "ob-result.h"
#include "ob-revision.h"
#include "ob-span.h"
#include "workload.h"

static const char *const format_names[] = {"text", "json", NULL};

static const struct ob_opt common_opts[] = {
	{"threads", OB_OPT_INT, offsetof(struct ob_common, threads), "1", 1, 4096, NULL,
	 "number of worker threads"},
	{"time", OB_OPT_INT, offsetof(struct ob_common, time), "10", 0, 0, NULL,
	 "limit for total execution time in seconds (0 = no limit)"},
	{"events", OB_OPT_INT, offsetof(struct ob_common, events), "0", 0, 0, NULL,
	 "limit for total number of events (0 = no limit)"},
	{"percentile", OB_OPT_INT, offsetof(struct ob_common, percentile), "95", 0, 100, NULL,
	 "latency percentile to report, 0 disables it"},
	{"histogram", OB_OPT_BOOL, offsetof(struct ob_common, histogram), "off", 0, 0, NULL,
	 "print the latency histogram in the report"},
	{"rand-seed", OB_OPT_INT, offsetof(struct ob_common, rand_seed), "0", 0, 0, NULL,
	 "seed for the random number generators (0 = current time)"},
	{"validate", OB_OPT_BOOL, offsetof(struct ob_common, validate), "off", 0, 0, NULL,
	 "perform validation checks where possible"},
	{"format", OB_OPT_CHOICE, offsetof(struct ob_common, format), "text", 0, 0,
	 format_names, "report format: text or json (one object on stdout)"},
	{"cpu-affinity", OB_OPT_STRING, offsetof(struct ob_common, cpu_affinity), NULL, 0, 0,
	 NULL, "CPU list (e.g. 0-1,3); thread i runs on the i-th CPU of the list"},
	{"numa-node", OB_OPT_INT, offsetof(struct ob_common, numa_node), "-1", -1, 1023, NULL,
	 "run threads and allocate memory on this NUMA node (-1 = no placement)"},
	{NULL},
};

/* ---- placement ------------------------------------------------------------
 * --cpu-affinity pins thread i to the i-th CPU of the list (sched API, works
 * everywhere); --numa-node binds threads and memory to a node through
 * libnuma, and is unsupported (77) where NUMA is not available. */

struct placement {
	bool pin;
	cpu_set_t cpus;
};

static int placement_init(struct ob_run *run, struct placement *pl, struct ob_error *err)
{
	pl->pin = false;
	if (run->common.cpu_affinity != NULL) {
		if (ob_cpulist_parse(run->common.cpu_affinity, &pl->cpus, err) < 0)
			return -1;
		pl->pin = true;
	}
	if (run->common.numa_node < 0)
		return 0;
#ifndef OB_HAVE_LIBNUMA
	return ob_err(err, OB_EXIT_UNSUPPORTED, 0,
		      "--numa-node: NUMA placement is not supported here (this build has no libnuma)");
#else
	if (numa_available() < 0)
		return ob_err(err, OB_EXIT_UNSUPPORTED, 0,
			      "--numa-node: NUMA placement is not supported here (numa_available() failed)");
	if (run->common.numa_node > numa_max_node())
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "invalid value '%lld' for --numa-node: this host has nodes 0-%d",
			      run->common.numa_node, numa_max_node());
	if (numa_run_on_node((int)run->common.numa_node) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "numa_run_on_node(%lld)",
			      run->common.numa_node);
	numa_set_preferred((int)run->common.numa_node);
	return 0;
#endif
}

/* Pin the calling thread to the (id mod n)-th CPU of the list. */
static int placement_apply(const struct placement *pl, unsigned id, struct ob_error *err)
{
	cpu_set_t set;
	int cpu;

	if (!pl->pin)
		return 0;
	cpu = ob_cpulist_nth(&pl->cpus, id);
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	errno = pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	if (errno != 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "pinning thread %u to CPU %d", id, cpu);
	return 0;
}

/* ---- the event loop ----------------------------------------------------- */

bool ob_thread_continue(struct ob_thread *t)
{
	struct ob_run *run = t->run;

	if (atomic_load_explicit(&run->failed, memory_order_relaxed))
		return false;
	if (run->deadline_ns != 0 && ob_now_ns() >= run->deadline_ns)
		return false;
	if (run->event_limit != 0 &&
	    atomic_fetch_add_explicit(&run->issued, 1, memory_order_relaxed) >= run->event_limit)
		return false;
	return true;
}

/* The generic loop.  An event's span holds nothing but the workload's
 * execute(); generating the event (next_event) stays outside, as in
 * sysbench. */
static int run_events(struct ob_thread *t, struct ob_error *err)
{
	const struct ob_workload *wl = t->run->wl;
	struct ob_event ev;

	while (ob_thread_continue(t)) {
		struct ob_span span;
		uint64_t ns;
		int rc;

		if (wl->next_event(t, &ev) != OB_EV_READY)
			break;
		ob_span_begin(&span);
		rc = wl->execute(t, &ev, err);
		ns = ob_span_end(&span);
		if (rc < 0)
			return -1;
		ob_lat_add(&t->lat, ns);
		if (wl->completed != NULL && wl->completed(t, &ev, err) < 0)
			return -1;
	}
	return 0;
}

/* ---- workers -------------------------------------------------------------- */

struct start {
	pthread_barrier_t ready; /* all workers initialised */
	pthread_barrier_t go;    /* clock started */
	struct placement pl;
};

static struct start start_sync;

static void fail_thread(struct ob_thread *t)
{
	atomic_store(&t->run->failed, 1);
}

static void *worker(void *arg)
{
	struct ob_thread *t = arg;
	struct ob_run *run = t->run;
	const struct ob_workload *wl = run->wl;
	int rc = 0;

	if (placement_apply(&start_sync.pl, t->id, &t->err) < 0 ||
	    (wl->thread_init != NULL && wl->thread_init(t, &t->err) < 0))
		fail_thread(t);

	/* The clock starts when the last worker reaches the barrier. */
	if (pthread_barrier_wait(&start_sync.ready) == PTHREAD_BARRIER_SERIAL_THREAD) {
		/* the run's span: "total time", the divisor of every rate */
		ob_span_begin(&run->span);
		run->start_ns = run->span.begin_ns;
		run->deadline_ns = run->common.time > 0
					   ? run->start_ns + (uint64_t)run->common.time * 1000000000u
					   : 0;
	}
	pthread_barrier_wait(&start_sync.go);

	if (atomic_load(&run->failed))
		return NULL;
	rc = wl->thread_run != NULL ? wl->thread_run(t, &t->err) : OB_RUN_EVENTS;
	if (rc == OB_RUN_EVENTS)
		rc = run_events(t, &t->err);
	if (rc == 0 && wl->thread_done != NULL && !atomic_load(&run->failed))
		rc = wl->thread_done(t, &t->err);
	if (rc < 0)
		fail_thread(t);
	return NULL;
}

static int run_threads(struct ob_run *run, struct ob_error *err)
{
	unsigned n = run->nthreads;
	pthread_t *tids = calloc(n, sizeof(*tids));
	unsigned started = 0;
	int ret = 0;

	run->threads = calloc(n, sizeof(*run->threads));
	if (tids == NULL || run->threads == NULL) {
		free(tids);
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "allocating %u threads", n);
	}
	errno = pthread_barrier_init(&start_sync.ready, NULL, n);
	if (errno == 0) {
		errno = pthread_barrier_init(&start_sync.go, NULL, n);
		if (errno != 0)
			pthread_barrier_destroy(&start_sync.ready);
	}
	if (errno != 0) {
		ret = ob_err(err, OB_EXIT_FAIL, errno, "initialising the start barrier of %u threads", n);
		free(tids);
		return ret;
	}
	for (unsigned i = 0; i < n; i++) {
		struct ob_thread *t = &run->threads[i];

		t->id = i;
		t->run = run;
		ob_lat_init(&t->lat);
		ob_rand_init(&t->rng); /* in order, from main: reproducible streams */
	}
	for (; started < n; started++) {
		errno = pthread_create(&tids[started], NULL, worker, &run->threads[started]);
		if (errno != 0)
			break;
	}
	if (started < n) {
		/* Workers already waiting at the barrier would never be released:
		 * this is fatal for the whole process, and reported as such. */
		ret = ob_err(err, OB_EXIT_FAIL, errno, "creating worker thread %u", started);
		ob_err_print("ocibench", err);
		exit(OB_EXIT_FAIL);
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	run->elapsed_ns = ob_span_end(&run->span);
	pthread_barrier_destroy(&start_sync.ready);
	pthread_barrier_destroy(&start_sync.go);
	free(tids);

	ob_lat_init(&run->total);
	for (unsigned i = 0; i < n; i++) {
		struct ob_thread *t = &run->threads[i];

		ob_lat_merge(&run->total, &t->lat);
		if (ret == 0 && t->err.msg[0] != '\0') {
			*err = t->err;
			ret = -1;
		}
	}
	if (ret == 0 && run->wl->verify != NULL)
		ret = run->wl->verify(run, err); /* untimed: the clock has stopped */
	return ret;
}

static void fini_threads(struct ob_run *run)
{
	if (run->threads == NULL)
		return;
	for (unsigned i = 0; i < run->nthreads; i++)
		if (run->wl->thread_fini != NULL)
			run->wl->thread_fini(&run->threads[i]);
	free(run->threads);
	run->threads = NULL;
}

/* ---- reports -------------------------------------------------------------- */

struct fairness {
	double events_avg, events_sd, time_avg, time_sd;
};

static struct fairness fairness(const struct ob_run *run)
{
	struct fairness f = {0};
	double n = run->nthreads;

	for (unsigned i = 0; i < run->nthreads; i++) {
		f.events_avg += (double)run->threads[i].lat.count / n;
		f.time_avg += ob_ns_to_s(run->threads[i].lat.sum_ns) / n;
	}
	for (unsigned i = 0; i < run->nthreads; i++) {
		double de = (double)run->threads[i].lat.count - f.events_avg;
		double dt = ob_ns_to_s(run->threads[i].lat.sum_ns) - f.time_avg;

		f.events_sd += de * de / n;
		f.time_sd += dt * dt / n;
	}
	f.events_sd = sqrt(f.events_sd);
	f.time_sd = sqrt(f.time_sd);
	return f;
}

static double lat_min_ms(const struct ob_lat *l)
{
	return l->count ? (double)l->min_ns / 1e6 : 0;
}

static double lat_avg_ms(const struct ob_lat *l)
{
	return l->count ? (double)l->sum_ns / 1e6 / (double)l->count : 0;
}

static void report_text(const struct ob_run *run, FILE *f)
{
	const struct ob_lat *l = &run->total;
	struct fairness fr = fairness(run);

	if (run->wl->report_text != NULL)
		run->wl->report_text(run, f);
	fprintf(f, "General statistics:\n");
	fprintf(f, "    total time:                          %.4fs\n", ob_ns_to_s(run->elapsed_ns));
	fprintf(f, "    total number of events:              %llu\n\n",
		(unsigned long long)l->count);
	fprintf(f, "Latency (ms):\n");
	fprintf(f, "         min: %39.2f\n", lat_min_ms(l));
	fprintf(f, "         avg: %39.2f\n", lat_avg_ms(l));
	fprintf(f, "         max: %39.2f\n", (double)l->max_ns / 1e6);
	if (run->common.percentile > 0)
		fprintf(f, "         %lldth percentile: %*.2f\n", run->common.percentile,
			run->common.percentile < 10 ? 28 : run->common.percentile < 100 ? 27 : 26,
			ob_lat_percentile(l, (double)run->common.percentile));
	else
		fprintf(f, "         percentile stats:               disabled\n");
	fprintf(f, "         sum: %39.2f\n\n", (double)l->sum_ns / 1e6);
	fprintf(f, "Threads fairness:\n");
	fprintf(f, "    events (avg/stddev):           %.4f/%3.2f\n", fr.events_avg, fr.events_sd);
	fprintf(f, "    execution time (avg/stddev):   %.4f/%3.2f\n\n", fr.time_avg, fr.time_sd);
	if (run->common.histogram)
		ob_lat_print_histogram(l, f);
}

static void add_latency_json(const struct ob_run *run, json_t *root)
{
	const struct ob_lat *l = &run->total;
	struct fairness fr = fairness(run);
	json_t *lat = json_object();
	json_t *fair = json_object();

	json_object_set_new(lat, "min", json_real(lat_min_ms(l)));
	json_object_set_new(lat, "avg", json_real(lat_avg_ms(l)));
	json_object_set_new(lat, "max", json_real((double)l->max_ns / 1e6));
	json_object_set_new(lat, "sum", json_real((double)l->sum_ns / 1e6));
	json_object_set_new(lat, "percentile", json_integer(run->common.percentile));
	if (run->common.percentile > 0) {
		char key[32];

		snprintf(key, sizeof(key), "p%lld", run->common.percentile);
		json_object_set_new(lat, key,
				    json_real(ob_lat_percentile(l, (double)run->common.percentile)));
	}
	json_object_set_new(root, "latency_ms", lat);
	json_object_set_new(fair, "events_avg", json_real(fr.events_avg));
	json_object_set_new(fair, "events_stddev", json_real(fr.events_sd));
	json_object_set_new(fair, "execution_time_avg", json_real(fr.time_avg));
	json_object_set_new(fair, "execution_time_stddev", json_real(fr.time_sd));
	json_object_set_new(root, "threads_fairness", fair);
}

/* One JSON object on stdout, also when the test failed (then with "error"). */
static void report_json(const struct ob_run *run, const struct ob_optset *sets, size_t nsets,
			const struct ob_error *err, int status)
{
	json_t *root = ob_result_new(run->wl->name, run->command, status, err, sets, nsets,
				     run->wall_start_ns);

	if (strcmp(run->command, "run") == 0 && run->threads != NULL) {
		json_object_set_new(root, "total_time_s", json_real(ob_ns_to_s(run->elapsed_ns)));
		json_object_set_new(root, "events", json_integer((json_int_t)run->total.count));
		add_latency_json(run, root);
	}
	if (run->wl->report_json != NULL && (status == OB_EXIT_OK || run->threads != NULL))
		run->wl->report_json(run, root);
	ob_result_emit(root);
}

/* ---- main ----------------------------------------------------------------- */

static void usage(const struct ob_workload *wl, const struct ob_optset *sets, size_t nsets)
{
	printf("Usage: ocibench-%s [OPTIONS]", wl->name);
	if (wl->commands != NULL) {
		printf(" COMMAND\nCommands:");
		for (const char *const *c = wl->commands; *c != NULL; c++)
			printf(" %s", *c);
	}
	printf("\n%s\n\nGeneral options:\n", wl->summary);
	ob_opt_help(stdout, sets, 1);
	printf("\nTest options:\n");
	ob_opt_help(stdout, sets + 1, nsets - 1);
	printf("\nExit status: 0 ok, 1 test failed, 2 bad usage, 77 unsupported here.\n");
}

static int pick_command(struct ob_run *run, char **pos, int npos, struct ob_error *err)
{
	const struct ob_workload *wl = run->wl;

	if (npos > 1)
		return ob_err(err, OB_EXIT_USAGE, 0, "unexpected argument '%s'", pos[1]);
	run->command = npos == 1 ? pos[0] : "run";
	if (wl->commands == NULL) {
		if (strcmp(run->command, "run") != 0)
			return ob_err(err, OB_EXIT_USAGE, 0, "unknown command '%s' (expected run)",
				      run->command);
		return 0;
	}
	if (npos == 0)
		return ob_err(err, OB_EXIT_USAGE, 0, "missing command (one of prepare, run, cleanup)");
	for (const char *const *c = wl->commands; *c != NULL; c++)
		if (strcmp(*c, run->command) == 0)
			return 0;
	return ob_err(err, OB_EXIT_USAGE, 0, "unknown command '%s'", run->command);
}

static int check_common(struct ob_run *run, struct ob_error *err)
{
	if (run->common.histogram && run->common.percentile == 0)
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "--histogram=on needs a percentile: --percentile must not be 0");
	if (run->wl->flags & OB_WL_IGNORES_EVENTS)
		run->common.events = 0;
	else if (run->common.time == 0 && run->common.events == 0 && strcmp(run->command, "run") == 0)
		fprintf(stderr, "WARNING: Both event and time limits are disabled, running an endless test\n");
	run->nthreads = (unsigned)run->common.threads;
	run->event_limit = (uint64_t)run->common.events;
	return 0;
}

static void print_preamble(const struct ob_run *run)
{
	printf("ocibench-%s %s (sysbench 1.0.20 compatible)\n\n", run->wl->name, PACKAGE_VERSION);
	printf("Running the test with following options:\n");
	printf("Number of threads: %u\n", run->nthreads);
	if (run->common.rand_seed != 0)
		printf("Initializing random number generator from seed (%lld).\n", run->common.rand_seed);
	else
		printf("Initializing random number generator from current time\n");
	printf("\n\n");
	if (run->wl->print_header != NULL)
		run->wl->print_header(run, stdout);
}

/* Placement, the workload's init, then its command or the threads.  *inited
 * tells the caller whether fini must run. */
static int execute(struct ob_run *run, bool *inited, struct ob_error *err)
{
	if (placement_init(run, &start_sync.pl, err) < 0)
		return -1;
	*inited = true;
	if (run->wl->init != NULL && run->wl->init(run, err) < 0)
		return -1;
	if (strcmp(run->command, "run") != 0)
		return run->wl->command(run, err);
	if (run->common.format == OB_FORMAT_TEXT) {
		printf("Initializing worker threads...\n\nThreads started!\n\n");
		fflush(stdout);
	}
	return run_threads(run, err);
}

int main(int argc, char **argv)
{
	struct ob_run run = {.wall_start_ns = ob_wall_ns()}; /* first act */
	const struct ob_workload *wl = &ob_workload;
	struct ob_error err = {0};
	void *opts = calloc(1, wl->opts_size ? wl->opts_size : 1);
	struct ob_optset sets[2] = {{common_opts, &run.common}, {wl->opts, opts}};
	size_t nsets = wl->opts ? 2 : 1;
	char **pos = calloc((size_t)argc + 1, sizeof(*pos));
	bool inited = false;
	int npos = 0, rc, status = OB_EXIT_OK;

	ob_ready_signal(); /* the runner times our start on its own clock */
	if (opts == NULL || pos == NULL) {
		fprintf(stderr, "ocibench-%s: out of memory\n", wl->name);
		return OB_EXIT_FAIL;
	}
	if (argc == 2 && strcmp(argv[1], OB_ARG_EXIT_NOW) == 0)
		goto out; /* exec target of ocibench-syscall --mode=exec */
	run.wl = wl;
	run.opts = opts;
	run.command = "run";
	if (argc > 1 && strcmp(argv[1], "--version") == 0) {
		printf("ocibench-%s %s (source %s)\n", wl->name, PACKAGE_VERSION, OB_SOURCE_REVISION);
		goto out;
	}
	if (ob_opt_defaults(sets, nsets, &err) < 0) {
		status = err.status;
		ob_err_print(argv[0], &err);
		goto out;
	}
	rc = ob_opt_parse(sets, nsets, argc, argv, pos, &npos, &err);
	if (rc == OB_OPT_HELP) {
		usage(wl, sets, nsets);
		goto out;
	}
	if (rc < 0 || pick_command(&run, pos, npos, &err) < 0 || check_common(&run, &err) < 0 ||
	    (wl->check != NULL && wl->check(&run, &err) < 0)) {
		/* usage errors: one line, nothing on stdout */
		fprintf(stderr, "ocibench-%s: %s\n", wl->name, err.msg);
		status = err.status;
		goto out;
	}

	ob_rand_seed_all(run.common.rand_seed);
	if (run.common.format == OB_FORMAT_TEXT)
		print_preamble(&run);
	fflush(stdout);
	status = execute(&run, &inited, &err) < 0 ? err.status : OB_EXIT_OK;

	if (status != OB_EXIT_OK)
		ob_err_print(argv[0], &err);
	if (run.common.format == OB_FORMAT_JSON)
		report_json(&run, sets, nsets, &err, status);
	else if (status == OB_EXIT_OK && run.threads != NULL)
		report_text(&run, stdout);
	fini_threads(&run);
	if (inited && wl->fini != NULL)
		wl->fini(&run);
out:
	free(pos);
	free(opts);
	if (fflush(stdout) != 0 && status == OB_EXIT_OK)
		status = OB_EXIT_FAIL;
	return status;
}
