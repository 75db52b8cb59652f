/* footprint.c - the footprint and density cells (cells.h). */
#include "cells.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "fleet.h"
#include "ob-clock.h"
#include "procs.h"

#define KIB 1024.0

size_t ob_density_n(const char *variant)
{
	char *end;
	unsigned long n;

	if (!variant || variant[0] != 'n')
		return 0;
	n = strtoul(variant + 1, &end, 10);
	return *end == '\0' ? (size_t)n : 0;
}

/* What one ready container costs the host now. */
struct cost {
	struct ob_hprocs hp;
	uint64_t cg_bytes;
	bool have_cg;
};

static void measure(const struct ob_fleet *f, size_t i, struct cost *c)
{
	if (ob_fleet_find(f, i, &c->hp) < 0)
		c->hp.n = 0;
	ob_hprocs_keep_mapped(&c->hp);
	c->have_cg = c->hp.have_cg && ob_cgroup_memory(&c->hp.cg, &c->cg_bytes) == 0;
}

/* The fleet's outcome into r: status, error, stderr tail. */
static void outcome(struct ob_fleet *f, struct ob_lc_result *r)
{
	r->status = f->status;
	r->err = f->err;
	r->stderr_tail = f->stderr_tail;
	f->stderr_tail = NULL;
}

/* After down: every workload reported, was stopped by the fleet's signal,
 * exited 0. */
static int check_reports(struct ob_fleet *f, struct ob_lc_result *r)
{
	for (size_t i = 0; i < f->n; i++) {
		json_t *rep = ob_fleet_report(f, i);
		const char *st = json_string_value(json_object_get(rep, "status"));
		const char *sig = json_string_value(json_object_get(rep, "signal"));
		int ok = f->c[i].exit_status == 0 && st && strcmp(st, "ok") == 0 && sig &&
			 strncmp(sig, "SIG", 3) == 0 && strcmp(sig + 3, ob_fleet_stop_signal(f)) == 0;

		json_decref(rep);
		if (!ok) {
			r->status = OB_LC_FAILED;
			ob_err(&r->err, OB_EXIT_FAIL, 0,
			       "workload of %s: exit %d, %s report after SIG%s", f->c[i].id,
			       f->c[i].exit_status, rep ? "an unexpected" : "no",
			       ob_fleet_stop_signal(f));
			r->stderr_tail = ob_lc_tail(f->c[i].b.errlog);
			return -1;
		}
	}
	return 0;
}

static json_t *kib_or_null(bool have, uint64_t bytes)
{
	return have ? json_integer((json_int_t)(bytes / 1024u)) : json_null();
}

/* A duration, null when not measured (an engine's attached start). */
static json_t *ms_or_null(double ms)
{
	return isnan(ms) ? json_null() : json_real(ms);
}

void ob_footprint_cell(const struct ob_suite *s, const struct ob_runtime *rt,
		       const struct ob_test *t, const char *variant, size_t seq,
		       struct ob_lc_result *r)
{
	ob_footprint_run(s, rt, NULL, t, variant, seq, r);
}

void ob_density_cell(const struct ob_suite *s, const struct ob_runtime *rt, const struct ob_test *t,
		     const char *variant, size_t seq, struct ob_lc_result *r)
{
	ob_density_run(s, rt, NULL, t, variant, seq, r);
}

void ob_footprint_run(const struct ob_suite *s, const struct ob_runtime *rt,
		      const struct ob_fleet_driver *drv, const struct ob_test *t,
		      const char *variant, size_t seq, struct ob_lc_result *r)
{
	struct ob_fleet f = { .rt = rt, .drv = drv, .concurrency = 1,
			      .deadline = ob_now_ns() + s->timeout_ns };
	struct cost c;

	memset(r, 0, sizeof(*r));
	r->exit_status = -1;
	if (ob_fleet_prepare(&f, s, t, variant, seq, 1) < 0 || ob_fleet_up(&f) < 0) {
		outcome(&f, r);
		goto out;
	}
	measure(&f, 0, &c);

	uint64_t rt_pss = ob_hprocs_pss(&c.hp, false), wl_pss = ob_hprocs_pss(&c.hp, true);
	size_t nrt = ob_hprocs_count(&c.hp, false), nwl = ob_hprocs_count(&c.hp, true);
	const struct ob_idle *ic = &f.c[0];

	/* no host process of the workload's own: it runs inside the runtime's
	 * (runsc's sentry), whose PSS holds it */
	r->extra = json_pack("{s:I,s:o,s:I,s:o,s:I,s:I,s:o,s:f}", "runtime_pss_kib",
			     (json_int_t)rt_pss, "workload_pss_kib",
			     nwl ? json_integer((json_int_t)wl_pss) : json_null(), "pss_kib_total",
			     (json_int_t)(rt_pss + wl_pss), "cgroup_memory_kib",
			     kib_or_null(c.have_cg, c.cg_bytes), "runtime_processes", (json_int_t)nrt,
			     "workload_processes", (json_int_t)nwl, "processes",
			     ob_hprocs_json(&c.hp), "ready_ms",
			     (double)(ic->ready_ns - ic->start_ns) / 1e6);
	r->have[OB_PH_CREATE] = true;
	r->have[OB_PH_START] = !isnan(ic->start_ms);
	r->phase_ms[OB_PH_CREATE] = ic->create_ms;
	r->phase_ms[OB_PH_START] = ic->start_ms;
	r->start_issued_ns = ic->start_ns; /* both on the runner's clock */
	r->create_attempts = ic->create_attempts;
	r->ready_ns = ic->ready_ns;
	if (ob_fleet_down(&f) < 0) {
		outcome(&f, r);
		goto out;
	}
	r->exit_status = f.c[0].exit_status;
	r->workload = ob_fleet_report(&f, 0);
	r->status = OB_LC_OK;
	check_reports(&f, r);
out:
	ob_fleet_free(&f);
}

void ob_density_run(const struct ob_suite *s, const struct ob_runtime *rt,
		    const struct ob_fleet_driver *drv, const struct ob_test *t, const char *variant,
		    size_t seq, struct ob_lc_result *r)
{
	size_t n = ob_density_n(variant);
	struct ob_fleet f = { .rt = rt, .drv = drv,
			      .concurrency = s->concurrency ? s->concurrency : 1,
			      .deadline = ob_now_ns() + s->timeout_ns };
	uint64_t pss = 0, rt_pss = 0, wl_pss = 0, cg = 0;
	bool all_cg = true;
	json_t *per = json_array();

	memset(r, 0, sizeof(*r));
	r->exit_status = -1;
	f.budget = s->density_budget ? s->density_budget
				     : (uint64_t)((double)ob_host_mem_available() * s->density_budget_pct / 100);
	if (n == 0 || ob_fleet_prepare(&f, s, t, variant, seq, n) < 0 || ob_fleet_up(&f) < 0) {
		if (n == 0)
			ob_err(&f.err, OB_EXIT_FAIL, 0, "density: bad variant '%s'", variant);
		outcome(&f, r);
		if (n == 0)
			r->status = OB_LC_FAILED;
		r->extra = json_pack("{s:I,s:I,s:I}", "n", (json_int_t)n, "n_ready",
				     (json_int_t)f.reached, "concurrency", (json_int_t)f.concurrency);
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		struct cost c;

		measure(&f, i, &c);
		rt_pss += ob_hprocs_pss(&c.hp, false);
		wl_pss += ob_hprocs_pss(&c.hp, true);
		all_cg = all_cg && c.have_cg;
		cg += c.have_cg ? c.cg_bytes : 0;
		json_array_append_new(per, json_pack("{s:s,s:f,s:o,s:f,s:I,s:I,s:i}", "id", f.c[i].id,
						     "create_ms", f.c[i].create_ms, "start_ms",
						     ms_or_null(f.c[i].start_ms), "ready_ms",
						     (double)(f.c[i].ready_ns - f.c[i].start_ns) / 1e6,
						     "pss_kib", (json_int_t)(ob_hprocs_pss(&c.hp, false) +
									     ob_hprocs_pss(&c.hp, true)),
						     "processes", (json_int_t)c.hp.n,
						     "create_attempts", f.c[i].create_attempts));
	}
	pss = rt_pss + wl_pss;
	for (size_t i = 0; i < n; i++) /* a Kata create tried again shows in the run's */
		r->create_attempts = f.c[i].create_attempts > r->create_attempts ? f.c[i].create_attempts
										 : r->create_attempts;

	double ready_s = (double)(f.t_all_ready - f.t_first_create) / 1e9;

	if (ob_fleet_down(&f) < 0) {
		outcome(&f, r);
		goto out;
	}
	r->status = OB_LC_OK;
	r->exit_status = 0;
	if (check_reports(&f, r) < 0)
		goto out;

	/* the first-instruction stamps (CLOCK_REALTIME inside each container):
	 * the last one, from the moment the first create was issued */
	double first_s = 0;

	for (size_t i = 0; i < n; i++) {
		json_t *rep = ob_fleet_report(&f, i);
		json_int_t w = json_integer_value(json_object_get(rep, "started_wall_ns"));

		if ((double)w - (double)f.wall_first_create > first_s * 1e9)
			first_s = ((double)w - (double)f.wall_first_create) / 1e9;
		json_decref(rep);
	}
	r->extra = json_pack("{s:I,s:I,s:I,s:f,s:f,s:I,s:f,s:I,s:I,s:o,s:f,s:o}", "n", (json_int_t)n,
			     "n_ready", (json_int_t)n, "concurrency", (json_int_t)f.concurrency,
			     "ready_s", ready_s, "first_instruction_s", first_s, "pss_kib_total",
			     (json_int_t)pss, "pss_kib_per_container", (double)pss / (double)n,
			     "runtime_pss_kib_total", (json_int_t)rt_pss, "workload_pss_kib_total",
			     (json_int_t)wl_pss, "cgroup_memory_kib_total", kib_or_null(all_cg, cg),
			     "delete_s", (double)(f.t_all_gone - f.t_first_stop) / 1e9, "containers",
			     per);
	per = NULL;
	json_object_set_new(r->extra, "memory_budget_kib", json_integer((json_int_t)(f.budget / 1024)));
out:
	json_decref(per);
	ob_fleet_free(&f);
}
