/* cpu.c - sysbench 1.0.20 "cpu": trial-division prime counting.
 *
 * One event is one full pass over 3..max_prime-1, with sqrt() in double
 * precision and 64-bit unsigned remainders, exactly as sysbench does it.
 * Unlike sysbench, the prime count of every event is checked against the
 * count computed at start-up (2261 for 20000) and reported, so the loop
 * cannot be optimised away and a wrong result fails the test (exit 1).
 * Each event also yields the number of trial divisions it made (301 275 for
 * 20000), derived from the last divisor of every candidate; their sum over
 * all events is reported as trial_divisions, a figure only events that
 * really ran the loop add up to (events x 301 275).
 */
#include <errno.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

#include "workload.h"

struct cpu_opts {
	long long max_prime;
};

static const struct ob_opt cpu_opts[] = {
	{"cpu-max-prime", OB_OPT_INT, offsetof(struct cpu_opts, max_prime), "10000", 1,
	 4294967295.0, NULL, "upper limit for primes generator"},
	{NULL},
};

struct cpu_state {
	unsigned long long expected; /* primes per event, computed once untimed */
	unsigned long long divisions;  /* trial divisions of all events, after the run */
};

/* Per-thread sum of the trial divisions of its events (t->priv). */
struct cpu_thread {
	unsigned long long divisions;
};

/* The measured work: count primes below max_prime by trial division.
 * *divisions receives the number of remainders taken: a candidate whose
 * divisor loop stopped at l took l - 1 of them (d = 2..l) if l divides it,
 * l - 2 if the loop ran past sqrt (a prime); summing l costs one add per
 * candidate, nothing in the inner loop. */
static unsigned long long count_primes(unsigned long long max_prime,
				       unsigned long long *divisions)
{
	unsigned long long n = 0, sum_l = 0, candidates = 0;

	for (unsigned long long c = 3; c < max_prime; c++) {
		double t = sqrt((double)c);
		unsigned long long l;

		for (l = 2; (double)l <= t; l++)
			if (c % l == 0)
				break;
		if ((double)l > t)
			n++;
		sum_l += l;
		candidates++;
	}
	*divisions = sum_l - candidates - n;
	return n;
}

static struct cpu_state state;

static int cpu_init(struct ob_run *run, struct ob_error *err)
{
	const struct cpu_opts *o = run->opts;
	unsigned long long divisions;

	(void)err;
	state.expected = count_primes((unsigned long long)o->max_prime, &divisions);
	return 0;
}

static int cpu_thread_init(struct ob_thread *t, struct ob_error *err)
{
	t->priv = calloc(1, sizeof(struct cpu_thread));
	if (t->priv == NULL)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "thread %u state", t->id);
	return 0;
}

static void cpu_thread_fini(struct ob_thread *t)
{
	free(t->priv);
	t->priv = NULL;
}

static int cpu_next(struct ob_thread *t, struct ob_event *ev)
{
	(void)t;
	ev->op = 0;
	return OB_EV_READY;
}

static int cpu_execute(struct ob_thread *t, const struct ob_event *ev, struct ob_error *err)
{
	const struct cpu_opts *o = t->run->opts;
	struct cpu_thread *ct = t->priv;
	unsigned long long divisions;
	unsigned long long n = count_primes((unsigned long long)o->max_prime, &divisions);

	(void)ev;
	if (n != state.expected)
		return ob_err(err, OB_EXIT_FAIL, 0,
			      "thread %u counted %llu primes below %lld, expected %llu", t->id, n,
			      o->max_prime, state.expected);
	ct->divisions += divisions;
	return 0;
}

/* After the clock stopped: the threads' sums of per-event divisions. */
static int cpu_verify(struct ob_run *run, struct ob_error *err)
{
	(void)err;
	state.divisions = 0;
	for (unsigned i = 0; i < run->nthreads; i++)
		state.divisions += ((const struct cpu_thread *)run->threads[i].priv)->divisions;
	return 0;
}

static void cpu_header(const struct ob_run *run, FILE *f)
{
	const struct cpu_opts *o = run->opts;

	fprintf(f, "Prime numbers limit: %lld\n\n", o->max_prime);
}

static void cpu_text(const struct ob_run *run, FILE *f)
{
	fprintf(f, "CPU speed:\n    events per second: %8.2f\n\n",
		(double)run->total.count / ob_ns_to_s(run->elapsed_ns));
}

static void cpu_json(const struct ob_run *run, json_t *root)
{
	json_object_set_new(root, "events_per_s",
			    json_real((double)run->total.count / ob_ns_to_s(run->elapsed_ns)));
	json_object_set_new(root, "primes_per_event", json_integer((json_int_t)state.expected));
	json_object_set_new(root, "trial_divisions", json_integer((json_int_t)state.divisions));
}

const struct ob_workload ob_workload = {
	.name = "cpu",
	.summary = "CPU performance test: prime numbers by trial division (sysbench cpu)",
	.opts = cpu_opts,
	.opts_size = sizeof(struct cpu_opts),
	.init = cpu_init,
	.thread_init = cpu_thread_init,
	.next_event = cpu_next,
	.execute = cpu_execute,
	.verify = cpu_verify,
	.thread_fini = cpu_thread_fini,
	.print_header = cpu_header,
	.report_text = cpu_text,
	.report_json = cpu_json,
};
