/* hostcpu.c - the host CPU of a container's processes while its workload
 * runs (hostcpu.h; the bare runtime's cell: cells.h ob_hostcpu_run). */
#include "hostcpu.h"
#include "cells.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ob-clock.h"
#include "proc.h"

#define SETTLE_NS 500000000ull

/* Whether p is in the cgroup cg (or one below it). */
static bool in_cgroup(pid_t pid, const struct ob_cgroup *cg)
{
	struct ob_cgroup pc;
	size_t n = strlen(cg->cpu);

	return ob_cgroup_of(pid, &pc) == 0 && strncmp(pc.cpu, cg->cpu, n) == 0 &&
	       (pc.cpu[n] == '\0' || pc.cpu[n] == '/');
}

int ob_hostcpu_begin(struct ob_hostcpu *h, const struct ob_runtime *rt, pid_t pid,
		     const struct ob_rtstate *rs, const struct stat *wl)
{
	char exe[64];
	struct stat st;

	memset(h, 0, sizeof(*h));
	h->rt = rt;
	h->rs = *rs;
	h->pid = pid;
	if (wl) {
		h->exe = *wl;
		h->wl = &h->exe;
	}
	snprintf(exe, sizeof(exe), "/proc/%ld/exe", (long)pid);
	/* (a zombie has no executable: its CPU is all spent) */
	if (stat(exe, &st) < 0 || ob_hprocs_find(pid, &h->rs, h->wl, &h->hp) < 0) {
		h->hp.n = 0;
		return -1;
	}
	for (size_t i = 0; i < h->hp.n; i++) {
		struct ob_hproc *p = &h->hp.p[i];

		h->outside[i] = h->hp.have_cg && !in_cgroup(p->pid, &h->hp.cg);
		/* the process the container hangs from reaps the container's
		 * processes, which count on their own: its own CPU alone */
		if (p->pid == rs->above && ob_host_cpu_self(p->pid, &p->cpu_ns) < 0)
			p->cpu_ns = 0;
	}
	/* measured span: from here to the workload's exit */
	h->have_cg = h->hp.have_cg && ob_cgroup_cpu(&h->hp.cg, &h->cg0) == 0;
	h->cg1 = h->cg0;
	/* one that ended while it was read was read in part */
	return stat(exe, &st) == 0 ? 0 : -1;
}

/* `start` can return before runc's or crun's init has executed the
 * workload: give the container's process a moment to become it (or to
 * exit), unless the runtime's state names it as its own (runsc's sandbox). */
static void settle(const struct ob_hostcpu *h)
{
	uint64_t until = ob_now_ns() + SETTLE_NS;
	char exe[64];
	struct stat st;

	if (ob_rtstate_owns(&h->rs, h->pid))
		return;
	snprintf(exe, sizeof(exe), "/proc/%ld/exe", (long)h->pid);
	while (h->wl && stat(exe, &st) == 0 && !ob_hprocs_is_workload(&st, h->wl) &&
	       ob_now_ns() < until)
		nanosleep(&(struct timespec){ .tv_nsec = 1000000 }, NULL);
}

void ob_hostcpu_started(struct ob_hostcpu *h)
{
	static struct ob_hprocs born; /* large: not on the stack */
	struct ob_hprocs *hp = &h->hp;

	settle(h);
	ob_hprocs_classify(hp, &h->rs, h->wl); /* runc's init is the workload now */
	/* what `start` made (runsc's stubs that run the application): born
	 * since the span began, so all their CPU so far is in it */
	if (ob_hprocs_find(h->pid, &h->rs, h->wl, &born) == 0)
		for (size_t j = 0; j < born.n; j++) {
			size_t i = 0;

			while (i < hp->n && hp->p[i].pid != born.p[j].pid)
				i++;
			if (i == hp->n && hp->n == OB_HPROCS_MAX)
				continue;
			if (i == hp->n) {
				hp->p[hp->n] = born.p[j];
				hp->p[hp->n].cpu_ns = 0;
				h->outside[hp->n++] = hp->have_cg && !in_cgroup(born.p[j].pid, &hp->cg);
			}
			/* what it runs now (runc's init has become the workload) */
			memcpy(hp->p[i].cmd, born.p[j].cmd, sizeof(hp->p[i].cmd));
			h->alive[i] = true;
		}
	/* what the workload's process had spent before (runc's and crun's
	 * init setting up the container) is in its own count too */
	for (size_t i = 0; i < hp->n; i++)
		h->wl0 += hp->p[i].workload ? hp->p[i].cpu_fine_ns : 0;
}

/* Whether p is below the container's process in the process tree (as hp
 * saw it). */
static bool below(const struct ob_hostcpu *h, const struct ob_hproc *p)
{
	for (int depth = 0; depth < OB_HPROCS_MAX && p->ppid > 0; depth++) {
		const struct ob_hproc *up = NULL;

		if (p->ppid == h->pid)
			return true;
		for (size_t i = 0; i < h->hp.n && !up; i++)
			if (h->hp.p[i].pid == p->ppid)
				up = &h->hp.p[i];
		if (!up)
			return false;
		p = up;
	}
	return false;
}

/* The processes the application's own instructions run in: under a
 * runtime whose sandbox runs it in host processes of its own (runsc's
 * stubs), every process below the container's process alive once it
 * started that is neither the workload's nor named by the runtime's state
 * (sandbox, gofer); none elsewhere. */
static bool app_proc(const struct ob_hostcpu *h, size_t i)
{
	const struct ob_hproc *p = &h->hp.p[i];

	return (h->rt->quirks & OB_RTQ_APP_STUBS) && h->alive[i] && !p->workload &&
	       p->pid != h->rs.pid && !ob_rtstate_owns(&h->rs, p->pid) && below(h, p);
}

/* CPU of process i over the span now. */
static bool cpu_over(const struct ob_hostcpu *h, size_t i, bool app, uint64_t *ns)
{
	const struct ob_hproc *p = &h->hp.p[i];
	uint64_t now;

	/* an application process to the nanosecond while it lives (it reaps
	 * no child) */
	if (app && ob_host_cpu_fine(p->pid, &now) == 0 && now >= p->cpu_fine_ns && p->cpu_ns == 0) {
		*ns = now;
		return true;
	}
	/* the process the container hangs from: its own CPU alone, to the
	 * nanosecond from its threads (a span of a few ticks is common here) */
	if (p->pid == h->rs.above && ob_host_cpu_fine(p->pid, &now) == 0 && now >= p->cpu_fine_ns) {
		*ns = now - p->cpu_fine_ns;
		return true;
	}
	if (p->pid == h->rs.above ? ob_host_cpu_self(p->pid, &now) < 0
				  : ob_host_cpu(p->pid, &now) < 0 && !ob_proc_reaped_cpu(p->pid, &now))
		return false;
	if (now < p->cpu_ns)
		return false;
	*ns = now - p->cpu_ns;
	return true;
}

void ob_hostcpu_sample(struct ob_hostcpu *h, bool final)
{
	uint64_t ns;

	for (size_t i = 0; i < h->hp.n; i++)
		if (cpu_over(h, i, app_proc(h, i), &ns)) {
			h->d[i] = ns;
			h->known[i] = true;
			h->sampled[i] = !final;
		}
	if (h->have_cg && ob_cgroup_cpu(&h->hp.cg, &ns) == 0 && ns >= h->cg0) {
		h->cg1 = ns;
		h->cg_sampled = !final;
	}
}

int ob_hostcpu_watch(struct ob_hostcpu *h, pid_t pid, uint64_t deadline, uint64_t *end_ns)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0), rc = -1;

	if (h)
		h->sampling = true;
	if (fd < 0 && errno != ESRCH)
		return -1;
	for (;;) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		int n = fd < 0 ? 1 : poll(&p, 1, (int)(OB_HOSTCPU_SAMPLE_NS / 1000000));

		if (n > 0) { /* exited (or already gone) */
			*end_ns = ob_now_ns();
			if (h)
				ob_hostcpu_sample(h, true);
			rc = OB_WAIT_DONE;
			break;
		}
		if (n < 0 && errno != EINTR)
			break;
		if (h)
			ob_hostcpu_sample(h, false);
		if (ob_proc_poll_stop()) {
			rc = OB_WAIT_STOPPED;
			break;
		}
		if (ob_now_ns() >= deadline) {
			rc = OB_WAIT_TIMEOUT;
			break;
		}
	}
	if (fd >= 0)
		close(fd);
	return rc;
}

static double num(json_t *o, const char *key)
{
	return json_number_value(json_object_get(o, key));
}

void ob_hostcpu_record(struct ob_hostcpu *h, struct ob_lc_result *r)
{
	const struct ob_hprocs *hp = &h->hp;
	uint64_t rt_ns = 0, all_ns = 0, app_ns = 0, wl_ns = 0, out_ns = 0, out_rt_ns = 0;
	bool app_known = true, wl_sampled = false, wl_unread = false;
	size_t napp = 0, nrt;
	json_t *procs = json_array();

	for (size_t i = 0; i < hp->n; i++) {
		const struct ob_hproc *p = &hp->p[i];
		bool app = app_proc(h, i);

		napp += app;
		json_array_append_new(
			procs, json_pack("{s:i,s:s,s:s,s:o,s:b,s:o}", "pid", (int)p->pid, "argv0", p->cmd,
					 "role", p->workload ? "workload" : app ? "application" : "runtime",
					 "cpu_s", h->known[i] ? json_real((double)h->d[i] / 1e9) : json_null(),
					 "in_cgroup", hp->have_cg && !h->outside[i],
					 "cpu_read", !h->known[i] ? json_null()
						     : json_string(h->sampled[i] ? "sample" : "end")));
		if (!h->known[i]) {
			app_known = app_known && !app;
			wl_unread = wl_unread || p->workload;
			continue;
		}
		all_ns += h->d[i];
		if (h->outside[i]) {
			out_ns += h->d[i];
			out_rt_ns += p->workload || app ? 0 : h->d[i];
			continue;
		}
		app_ns += app ? h->d[i] : 0;
		wl_ns += p->workload ? h->d[i] : 0;
		wl_sampled = wl_sampled || (p->workload && h->sampled[i]);
		if (!p->workload && !app)
			rt_ns += h->d[i];
	}

	/* the workload's own count (getrusage inside the container): the host
	 * kernel's, except inside runsc's sandbox, whose count is the
	 * sentry's (clock ticks while the task may run, not CPU the host
	 * gave it); there the host's count of the processes the application
	 * ran in stands for it */
	const struct ob_runtime *rt = h->rt;
	bool own_count = json_object_get(r->workload, "cpu_user_s") != NULL;
	double reported = num(r->workload, "cpu_user_s") + num(r->workload, "cpu_system_s");
	double wl_s = reported - (double)h->wl0 / 1e9;
	bool stubs = (rt->quirks & OB_RTQ_APP_STUBS) != 0;
	/* in a VM's guest the count is the guest kernel's, on the guest's
	 * clock (under QEMU's software CPU a cpu run here reported 1.06 s in 0.27 s): not
	 * CPU time the host gave, and the host sees only the VM's processes,
	 * so there is no workload CPU to divide by */
	bool guest = (rt->quirks & OB_RTQ_GUEST) != 0;
	uint64_t cg_ns = h->cg1 - h->cg0;
	/* the cgroup's CPU, and what the processes outside it spent (an
	 * engine's shim or conmon) */
	double host_s = (double)(h->have_cg ? cg_ns + out_ns : all_ns) / 1e9;

	nrt = ob_hprocs_count(hp, false) - napp;
	if (stubs)
		wl_s = napp && app_known ? (double)app_ns / 1e9 : 0;
	else if (guest)
		wl_s = 0;
	/* a workload process last read by a sample, or gone before any: its
	 * own count is exact */
	if ((wl_sampled || wl_unread) && own_count && !stubs)
		wl_ns = wl_s > 0 ? (uint64_t)(wl_s * 1e9) : 0;
	/* with a cgroup, everything in it that is not the workload's processes
	 * (or the application's) is the runtime's, also processes born after
	 * `start` that were not seen */
	if (h->have_cg && nrt)
		rt_ns = (cg_ns > wl_ns + app_ns ? cg_ns - wl_ns - app_ns : 0) + out_rt_ns;
	else
		rt_ns += out_rt_ns;
	json_t *x = json_object();

	json_object_set_new(x, "workload_cpu_s",
			    (stubs ? napp && app_known : own_count && !guest)
				    ? json_real(wl_s > 0 ? wl_s : 0)
				    : json_null());
	json_object_set_new(x, "workload_cpu_source",
			    json_string(stubs   ? "host: the processes the application ran in"
					: guest ? "none: the guest kernel's count, on the guest's clock"
						: "workload: its own getrusage"));
	json_object_set_new(x, "workload_cpu_reported_s",
			    own_count ? json_real(reported) : json_null());
	json_object_set_new(x, "host_cpu_s", json_real(host_s));
	json_object_set_new(x, "host_cpu_source", json_string(h->have_cg ? "cgroup" : "processes"));
	json_object_set_new(x, "host_cpu_outside_cgroup_s",
			    h->have_cg ? json_real((double)out_ns / 1e9) : json_null());
	json_object_set_new(x, "host_cpu_sample_ms",
			    h->sampling ? json_integer(OB_HOSTCPU_SAMPLE_NS / 1000000) : json_null());
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

void ob_hostcpu_run(const struct ob_suite *s, const struct ob_test *t, const struct ob_runtime *rt,
		    const struct ob_bundle *b, const char *id, uint64_t deadline,
		    struct ob_lc_result *r)
{
	struct ob_hostcpu *h = calloc(1, sizeof(*h)); /* large: not on the stack */
	char bin[512], host[4096 + 512], wl[64];
	struct stat exe, *wlp = NULL;
	struct ob_rtstate rs;
	pid_t pid;

	if (!h)
		abort();
	snprintf(wl, sizeof(wl), "ocibench-%s", t->workload);
	/* not found, or in a VM's guest (no host process is the workload's):
	 * wlp stays NULL (no process is taken for the workload by its binary) */
	if (!(rt->quirks & OB_RTQ_GUEST) &&
	    ob_bundle_find_bin(b, s->image_env, wl, bin, sizeof(bin), NULL) == 0) {
		snprintf(host, sizeof(host), "%s%s", b->rootfs, bin);
		if (stat(host, &exe) == 0)
			wlp = &exe;
	}
	if (ob_lc_create(rt, b, id, deadline, r, &pid) < 0)
		goto out;
	/* the created container's processes (runc's init waiting to exec the
	 * workload, runsc's sandbox and gofer) and their CPU so far */
	ob_rtstate_get(rt, id, &rs);
	ob_hostcpu_begin(h, rt, pid, &rs, wlp);
	if (ob_lc_start(rt, b, id, deadline, r) < 0)
		goto out;
	ob_hostcpu_started(h);
	if (ob_lc_wait(rt, b, id, pid, deadline, r) < 0)
		goto out;
	ob_hostcpu_sample(h, true);
	/* end of the measured span */
	ob_lc_delete(rt, b, id, deadline, r);
	ob_hostcpu_record(h, r);
out:
	free(h);
}
