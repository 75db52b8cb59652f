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

	for (size_t i = 0; i < sizeof(rs->own) / sizeof(rs->own[0]) && rs->own[i]; i++)
		if (rs->own[i] == pid)
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

void ob_hostcpu_run(const struct ob_suite *s, const struct ob_test *t, const struct ob_runtime *rt,
		    const struct ob_bundle *b, const char *id, uint64_t deadline,
		    struct ob_lc_result *r)
{
	static struct ob_hprocs hp; /* large: not on the stack */
	uint64_t cg0 = 0, cg1 = 0, rt_ns = 0, all_ns = 0, wl0 = 0;
	bool have_cg;
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
	/* what the workload's process had spent before `start` (runc's and
	 * crun's init setting up the container) is in its own count too */
	for (size_t i = 0; i < hp.n; i++)
		wl0 += hp.p[i].workload ? hp.p[i].cpu_fine_ns : 0;
	if (ob_lc_wait(rt, b, id, pid, deadline, r) < 0)
		return;
	have_cg = have_cg && ob_cgroup_cpu(&hp.cg, &cg1) == 0;
	/* end of the measured span */
	for (size_t i = 0; i < hp.n; i++) {
		uint64_t now;

		if (!cpu_now(hp.p[i].pid, &now) || now < hp.p[i].cpu_ns)
			continue;
		all_ns += now - hp.p[i].cpu_ns;
		if (!hp.p[i].workload)
			rt_ns += now - hp.p[i].cpu_ns;
	}
	ob_lc_delete(rt, b, id, deadline, r);

	double wl_s = num(r->workload, "cpu_user_s") + num(r->workload, "cpu_system_s") -
		      (double)wl0 / 1e9;
	double host_s = (double)(have_cg ? cg1 - cg0 : all_ns) / 1e9;
	size_t nrt = ob_hprocs_count(&hp, false);

	/* with a cgroup, everything in it that is not the workload's processes
	 * is the runtime's, also processes born after `start` (runsc's stubs) */
	if (have_cg && nrt)
		rt_ns = cg1 - cg0 > all_ns - rt_ns ? cg1 - cg0 - (all_ns - rt_ns) : 0;
	json_t *x = json_object();

	json_object_set_new(x, "workload_cpu_s",
			    json_object_get(r->workload, "cpu_user_s") ? json_real(wl_s > 0 ? wl_s : 0)
								       : json_null());
	json_object_set_new(x, "host_cpu_s", json_real(host_s));
	json_object_set_new(x, "host_cpu_source", json_string(have_cg ? "cgroup" : "processes"));
	json_object_set_new(x, "runtime_cpu_s", json_real((double)rt_ns / 1e9));
	json_object_set_new(x, "runtime_processes", json_integer((json_int_t)nrt));
	json_object_set_new(x, "host_cpu_per_workload_cpu_s",
			    wl_s > 0 ? json_real(host_s / wl_s) : json_null());
	json_object_set_new(x, "runtime_cpu_per_workload_cpu_s",
			    wl_s > 0 ? json_real((double)rt_ns / 1e9 / wl_s) : json_null());
	r->extra = x;
}
