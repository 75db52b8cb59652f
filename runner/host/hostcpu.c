/* hostcpu.c - the host CPU of a container's processes while its workload
 * runs (cells.h: ob_hostcpu_run). */
#include "cells.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "ob-clock.h"
#include "proc.h"
#include "procs.h"
#include "rtstate.h"

#define SETTLE_NS 500000000ull

/* CPU time of a process now: /proc while it is there (also a zombie not
 * yet reaped), else what the runner got when it reaped it. */
static bool cpu_now(pid_t pid, uint64_t *ns)
{
	return ob_host_cpu(pid, ns) == 0 || ob_proc_reaped_cpu(pid, ns);
}

/* `start` can return before runc's or crun's init has executed the
 * workload: give the pid file's process a moment to become it (or to
 * exit), unless the runtime's state names it as its own (runsc's sandbox). */
static void settle(pid_t pid, const struct ob_rtstate *rs, const struct stat *wl)
{
	uint64_t until = ob_now_ns() + SETTLE_NS;
	char exe[64];
	struct stat st;

	if (ob_rtstate_owns(rs, pid))
		return;
	snprintf(exe, sizeof(exe), "/proc/%ld/exe", (long)pid);
	while (wl && stat(exe, &st) == 0 && !ob_hprocs_is_workload(&st, wl) &&
	       ob_now_ns() < until)
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
}

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

/* Add the processes of more that hp lacks: born since hp was taken, so
 * all their CPU so far is in the span (a baseline of 0).  alive[i]: hp's
 * process i is in more. */
static void add_new(struct ob_hprocs *hp, const struct ob_hprocs *more, bool *alive)
{
	for (size_t j = 0; j < more->n; j++) {
		size_t i = 0;

		while (i < hp->n && hp->p[i].pid != more->p[j].pid)
			i++;
		if (i == hp->n && hp->n == OB_HPROCS_MAX)
			continue;
		if (i == hp->n) {
			hp->p[hp->n] = more->p[j];
			hp->p[hp->n++].cpu_ns = 0;
		}
		/* what it runs now (runc's init has become the workload) */
		memcpy(hp->p[i].cmd, more->p[j].cmd, sizeof(hp->p[i].cmd));
		alive[i] = true;
	}
}

/* The processes the application's own instructions run in: under a
 * runtime whose sandbox runs it in host processes of its own (runsc's
 * stubs), every process of the container alive once it started that is
 * neither the workload's nor named by the runtime's state (sandbox,
 * gofer); none elsewhere. */
static bool app_proc(const struct ob_runtime *rt, const struct ob_rtstate *rs,
		     const struct ob_hproc *p, bool alive)
{
	return (rt->quirks & OB_RTQ_APP_STUBS) && alive && !p->workload && p->pid != rs->pid &&
	       !ob_rtstate_owns(rs, p->pid);
}

/* CPU of an application process since the start of the span: to the
 * nanosecond while it lives (it reaps no child), else from /proc or the
 * runner's reaping. */
static bool app_cpu(const struct ob_hproc *p, uint64_t *ns)
{
	uint64_t now;

	if (ob_host_cpu_fine(p->pid, &now) == 0 && now >= p->cpu_fine_ns && p->cpu_ns == 0) {
		*ns = now;
		return true;
	}
	if (!cpu_now(p->pid, &now) || now < p->cpu_ns)
		return false;
	*ns = now - p->cpu_ns;
	return true;
}

void ob_hostcpu_run(const struct ob_suite *s, const struct ob_test *t, const struct ob_runtime *rt,
		    const struct ob_bundle *b, const char *id, uint64_t deadline,
		    struct ob_lc_result *r)
{
	static struct ob_hprocs hp, born; /* large: not on the stack */
	static bool alive[OB_HPROCS_MAX];
	uint64_t cg0 = 0, cg1 = 0, rt_ns = 0, all_ns = 0, wl0 = 0, app_ns = 0;
	bool have_cg, app_known = true;
	size_t napp = 0;
	char bin[512], host[4096 + 512], wl[64];
	struct stat exe, *wlp = NULL;
	struct ob_rtstate rs;
	pid_t pid;

	snprintf(wl, sizeof(wl), "ocibench-%s", t->workload);
	/* not found: wlp stays NULL (no process is taken for the workload by its binary) */
	if (ob_bundle_find_bin(b, s->image_env, wl, bin, sizeof(bin), NULL) == 0) {
		snprintf(host, sizeof(host), "%s%s", b->rootfs, bin);
		if (stat(host, &exe) == 0)
			wlp = &exe;
	}
	if (ob_lc_create(rt, b, id, deadline, r, &pid) < 0)
		return;
	/* the created container's processes (runc's init waiting to exec the
	 * workload, runsc's sandbox and gofer) and their CPU so far */
	ob_rtstate_get(rt, id, &rs);
	if (ob_hprocs_find(pid, &rs, wlp, &hp) < 0)
		hp.n = 0;
	/* measured span: from here (just before `start`) to the workload's exit */
	have_cg = hp.have_cg && ob_cgroup_cpu(&hp.cg, &cg0) == 0;
	if (ob_lc_start(rt, b, id, deadline, r) < 0)
		return;
	settle(pid, &rs, wlp);
	ob_hprocs_classify(&hp, &rs, wlp); /* runc's init is the workload now */
	/* what `start` made: runsc's stub that runs the application */
	memset(alive, 0, sizeof(alive));
	if (ob_hprocs_find(pid, &rs, wlp, &born) == 0)
		add_new(&hp, &born, alive);
	/* what the workload's process had spent before `start` (runc's and
	 * crun's init setting up the container) is in its own count too */
	for (size_t i = 0; i < hp.n; i++)
		wl0 += hp.p[i].workload ? hp.p[i].cpu_fine_ns : 0;
	if (ob_lc_wait(rt, b, id, pid, deadline, r) < 0)
		return;
	have_cg = have_cg && ob_cgroup_cpu(&hp.cg, &cg1) == 0;
	/* end of the measured span */
	json_t *procs = json_array();

	for (size_t i = 0; i < hp.n; i++) {
		bool app = app_proc(rt, &rs, &hp.p[i], alive[i]);
		bool known;
		uint64_t d, now;

		napp += app;
		if (app)
			known = app_cpu(&hp.p[i], &d);
		else if ((known = cpu_now(hp.p[i].pid, &now) && now >= hp.p[i].cpu_ns))
			d = now - hp.p[i].cpu_ns;
		json_array_append_new(procs, json_pack("{s:i,s:s,s:s,s:o}", "pid", (int)hp.p[i].pid,
						       "argv0", hp.p[i].cmd, "role",
						       hp.p[i].workload ? "workload"
						       : app	 ? "application"
								 : "runtime",
						       "cpu_s", known ? json_real((double)d / 1e9) : json_null()));
		if (!known) {
			app_known = app_known && !app;
			continue;
		}
		all_ns += d;
		app_ns += app ? d : 0;
		if (!hp.p[i].workload)
			rt_ns += d;
	}
	ob_lc_delete(rt, b, id, deadline, r);

	/* the workload's own count (getrusage inside the container): the host
	 * kernel's, except inside runsc's sandbox, whose count is the
	 * sentry's (clock ticks while the task may run, not CPU the host
	 * gave it); there the host's count of the processes the application
	 * ran in stands for it */
	bool own_count = json_object_get(r->workload, "cpu_user_s") != NULL;
	double reported = num(r->workload, "cpu_user_s") + num(r->workload, "cpu_system_s");
	double wl_s = reported - (double)wl0 / 1e9;
	bool stubs = (rt->quirks & OB_RTQ_APP_STUBS) != 0;
	double host_s = (double)(have_cg ? cg1 - cg0 : all_ns) / 1e9;
	size_t nrt = ob_hprocs_count(&hp, false) - napp;

	if (stubs)
		wl_s = napp && app_known ? (double)app_ns / 1e9 : 0;
	/* with a cgroup, everything in it that is not the workload's processes
	 * (or the application's) is the runtime's, also processes born after
	 * `start` that were not seen */
	if (have_cg && nrt) {
		uint64_t wl_ns = all_ns - rt_ns + app_ns;

		rt_ns = cg1 - cg0 > wl_ns ? cg1 - cg0 - wl_ns : 0;
	} else {
		rt_ns -= app_ns;
	}
	json_t *x = json_object();

	json_object_set_new(x, "workload_cpu_s",
			    (stubs ? napp && app_known : own_count) ? json_real(wl_s > 0 ? wl_s : 0)
								    : json_null());
	json_object_set_new(x, "workload_cpu_source",
			    json_string(stubs ? "host: the processes the application ran in"
					      : "workload: its own getrusage"));
	json_object_set_new(x, "workload_cpu_reported_s",
			    own_count ? json_real(reported) : json_null());
	json_object_set_new(x, "host_cpu_s", json_real(host_s));
	json_object_set_new(x, "host_cpu_source", json_string(have_cg ? "cgroup" : "processes"));
	json_object_set_new(x, "runtime_cpu_s", json_real((double)rt_ns / 1e9));
	json_object_set_new(x, "runtime_processes", json_integer((json_int_t)nrt));
	json_object_set_new(x, "application_processes", json_integer((json_int_t)napp));
	json_object_set_new(x, "processes", procs);
	json_object_set_new(x, "host_cpu_per_workload_cpu_s",
			    wl_s > 0 ? json_real(host_s / wl_s) : json_null());
	json_object_set_new(x, "runtime_cpu_per_workload_cpu_s",
			    wl_s > 0 ? json_real((double)rt_ns / 1e9 / wl_s) : json_null());
	r->extra = x;
}
