/* procs.c - see procs.h */
#include "procs.h"
#include "cells.h"

#include <dirent.h>
#include <stdbool.h>
#include <signal.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* pid, ppid and comm of one /proc/PID/stat, with utime + stime. */
struct pstat {
	pid_t pid, ppid;
	char comm[32];
	uint64_t ticks, self_ticks;
};

static int read_stat(pid_t pid, struct pstat *ps)
{
	char file[64], buf[1024], *open, *close;
	unsigned long long ut, st, cut, cst;
	long ppid;
	ssize_t n;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%ld/stat", (long)pid);
	if (!(f = fopen(file, "re")))
		return -1;
	n = (ssize_t)fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	/* comm may hold spaces and parentheses: it ends at the last ')' */
	if (!(open = strchr(buf, '(')) || !(close = strrchr(buf, ')')))
		return -1;
	snprintf(ps->comm, sizeof(ps->comm), "%.*s", (int)(close - open - 1), open + 1);
	/* fields 3.. : state ppid pgrp session tty tpgid flags minflt cminflt
	 * majflt cmajflt utime stime cutime cstime */
	if (sscanf(close + 2, "%*c %ld %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu",
		   &ppid, &ut, &st, &cut, &cst) != 5)
		return -1;
	ps->pid = pid;
	ps->ppid = (pid_t)ppid;
	/* with the children it has reaped: what wait4() gives when it is reaped */
	ps->ticks = ut + st + cut + cst;
	ps->self_ticks = ut + st;
	return 0;
}

static int cpu(pid_t pid, bool self, uint64_t *ns)
{
	static long hz;
	struct pstat ps;

	if (!hz)
		hz = sysconf(_SC_CLK_TCK);
	if (read_stat(pid, &ps) < 0)
		return -1;
	*ns = (self ? ps.self_ticks : ps.ticks) * (1000000000u / (uint64_t)hz);
	return 0;
}

int ob_host_cpu(pid_t pid, uint64_t *ns)
{
	return cpu(pid, false, ns);
}

int ob_host_cpu_self(pid_t pid, uint64_t *ns)
{
	return cpu(pid, true, ns);
}

int ob_host_cpu_fine(pid_t pid, uint64_t *ns)
{
	char dir[64], file[384];
	unsigned long long t;
	struct dirent *e;
	int found = -1;
	DIR *d;
	FILE *f;

	snprintf(dir, sizeof(dir), "/proc/%ld/task", (long)pid);
	if (!(d = opendir(dir)))
		return -1;
	*ns = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(file, sizeof(file), "%s/%s/schedstat", dir, e->d_name);
		if (!(f = fopen(file, "re")))
			continue;
		if (fscanf(f, "%llu", &t) == 1) {
			*ns += t;
			found = 0;
		}
		fclose(f);
	}
	closedir(d);
	return found;
}

int ob_host_pss(pid_t pid, uint64_t *kib)
{
	char file[64], line[256];
	int rc = -1;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%ld/smaps_rollup", (long)pid);
	if (!(f = fopen(file, "re")))
		return -1;
	while (rc < 0 && fgets(line, sizeof(line), f))
		if (strncmp(line, "Pss:", 4) == 0 && sscanf(line + 4, "%" SCNu64, kib) == 1)
			rc = 0;
	fclose(f);
	return rc;
}

uint64_t ob_host_mem_available(void)
{
	char line[256];
	uint64_t kib = 0;
	FILE *f = fopen("/proc/meminfo", "re");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "MemAvailable: %" SCNu64, &kib) == 1)
			break;
	fclose(f);
	return kib * 1024u;
}

/* Every process on the host: pid and ppid (threads are not listed). */
static size_t snapshot(struct pstat **out)
{
	size_t n = 0, cap = 1024;
	struct pstat *v = malloc(cap * sizeof(*v));
	struct dirent *e;
	DIR *d = opendir("/proc");

	if (!v)
		abort();
	while (d && (e = readdir(d))) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		if (n == cap && !(v = realloc(v, (cap *= 2) * sizeof(*v))))
			abort();
		if (read_stat((pid_t)strtol(e->d_name, NULL, 10), &v[n]) == 0)
			n++;
	}
	if (d)
		closedir(d);
	*out = v;
	return n;
}

static struct ob_hproc *add(struct ob_hprocs *hp, pid_t pid, unsigned how)
{
	for (size_t i = 0; i < hp->n; i++)
		if (hp->p[i].pid == pid) {
			hp->p[i].found |= how;
			return NULL;
		}
	if (hp->n == OB_HPROCS_MAX || pid <= 0)
		return NULL;
	hp->p[hp->n] = (struct ob_hproc){ .pid = pid, .found = how };
	return &hp->p[hp->n++];
}

static void argv0(pid_t pid, char *out, size_t len)
{
	char file[64];
	size_t n = 0;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%ld/cmdline", (long)pid);
	if ((f = fopen(file, "re"))) {
		n = fread(out, 1, len - 1, f);
		fclose(f);
	}
	out[n] = '\0';
}

pid_t ob_host_top(pid_t pid, pid_t stop)
{
	struct pstat ps;
	pid_t top = 0;

	/* bounded: a loop in a racing /proc cannot hang it */
	for (int depth = 0; depth < 64 && read_stat(pid, &ps) == 0; depth++) {
		if (ps.ppid <= 1 || ps.ppid == getpid() || ps.ppid == stop)
			return top;
		top = pid = ps.ppid;
	}
	return top;
}

static struct stat emulator;
static bool have_emulator;

void ob_host_set_emulator(const char *path)
{
	have_emulator = path && stat(path, &emulator) == 0;
}

bool ob_hprocs_is_workload(const struct stat *st, const struct stat *wl)
{
	return (st->st_dev == wl->st_dev && st->st_ino == wl->st_ino) ||
	       (have_emulator && st->st_dev == emulator.st_dev && st->st_ino == emulator.st_ino);
}

void ob_hprocs_classify(struct ob_hprocs *hp, const struct ob_rtstate *rs, const struct stat *wl)
{
	for (size_t i = 0; i < hp->n; i++) {
		struct ob_hproc *p = &hp->p[i];
		char exe[64];
		struct stat st;

		snprintf(exe, sizeof(exe), "/proc/%ld/exe", (long)p->pid);
		if (ob_rtstate_owns(rs, p->pid) || !wl)
			p->workload = false;
		else if (stat(exe, &st) == 0)
			p->workload = ob_hprocs_is_workload(&st, wl);
		else if (p->found & OB_FOUND_PID)
			p->workload = true;
	}
}

int ob_hprocs_find(pid_t pid, const struct ob_rtstate *rs, const struct stat *wl,
		   struct ob_hprocs *hp)
{
	pid_t cgp[OB_HPROCS_MAX];
	struct pstat *all;
	size_t nall;
	bool grew;

	memset(hp, 0, sizeof(*hp));
	if (kill(pid, 0) < 0 && read_stat(pid, &(struct pstat){ 0 }) < 0)
		return -1;
	add(hp, pid, OB_FOUND_PID);
	if (rs) {
		add(hp, rs->pid, OB_FOUND_STATE);
		for (size_t i = 0; i < sizeof(rs->own) / sizeof(rs->own[0]) && rs->own[i]; i++)
			add(hp, rs->own[i], OB_FOUND_STATE);
		if (rs->above)
			add(hp, rs->above, OB_FOUND_TREE);
	}
	hp->have_cg = ob_cgroup_of(pid, &hp->cg) == 0;
	if (hp->have_cg) {
		long n = ob_cgroup_pids(&hp->cg, cgp, OB_HPROCS_MAX);

		for (long i = 0; i < n; i++)
			add(hp, cgp[i], OB_FOUND_CGROUP);
	}
	/* and every descendant of those (a shim's children, stubs that left
	 * the cgroup), until nothing new turns up */
	nall = snapshot(&all);
	do {
		grew = false;
		for (size_t i = 0; i < nall; i++)
			for (size_t j = 0; j < hp->n; j++)
				if (all[i].ppid == hp->p[j].pid && add(hp, all[i].pid, OB_FOUND_TREE)) {
					grew = true;
					break;
				}
	} while (grew);
	for (size_t j = 0; j < hp->n; j++) {
		struct ob_hproc *p = &hp->p[j];

		for (size_t i = 0; i < nall; i++)
			if (all[i].pid == p->pid) {
				snprintf(p->comm, sizeof(p->comm), "%s", all[i].comm);
				p->ppid = all[i].ppid;
			}
		argv0(p->pid, p->cmd, sizeof(p->cmd));
		p->mapped = ob_host_pss(p->pid, &p->pss_kib) == 0;
		if (!p->mapped)
			p->pss_kib = 0;
		if (ob_host_cpu(p->pid, &p->cpu_ns) < 0)
			p->cpu_ns = 0;
		if (ob_host_cpu_fine(p->pid, &p->cpu_fine_ns) < 0)
			p->cpu_fine_ns = p->cpu_ns;
	}
	free(all);
	ob_hprocs_classify(hp, rs, wl);
	return 0;
}

uint64_t ob_hprocs_pss(const struct ob_hprocs *hp, bool workload)
{
	uint64_t sum = 0;

	for (size_t i = 0; i < hp->n; i++)
		if (hp->p[i].workload == workload)
			sum += hp->p[i].pss_kib;
	return sum;
}

size_t ob_hprocs_count(const struct ob_hprocs *hp, bool workload)
{
	size_t n = 0;

	for (size_t i = 0; i < hp->n; i++)
		n += hp->p[i].workload == workload;
	return n;
}

json_t *ob_hprocs_json(const struct ob_hprocs *hp)
{
	static const char *const how[] = { "pid_file", "runtime_state", "cgroup", "process_tree" };
	json_t *a = json_array();

	for (size_t i = 0; i < hp->n; i++) {
		const struct ob_hproc *p = &hp->p[i];
		json_t *found = json_array();

		for (unsigned b = 0; b < 4; b++)
			if (p->found & (1u << b))
				json_array_append_new(found, json_string(how[b]));
		json_array_append_new(a, json_pack("{s:i,s:s,s:s,s:s,s:o,s:I}", "pid", (int)p->pid,
						   "comm", p->comm, "argv0", p->cmd, "role",
						   p->workload ? "workload" : "runtime",
						   "found_by", found, "pss_kib", (json_int_t)p->pss_kib));
	}
	return a;
}

void ob_hprocs_keep_mapped(struct ob_hprocs *hp)
{
	size_t k = 0;

	for (size_t i = 0; i < hp->n; i++)
		if (hp->p[i].mapped)
			hp->p[k++] = hp->p[i];
	hp->n = k;
}
