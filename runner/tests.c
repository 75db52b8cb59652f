/* tests.c - the tests and the profiles (data). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "host/cells.h"
#include "netcell.h"
#include "ob-opt.h"
#include "suite.h"

static void add(struct ob_args *a, const char *fmt, ...)
{
	va_list ap;

	if (a->n >= 31)
		return;
	va_start(ap, fmt);
	vsnprintf(a->s[a->n], sizeof(a->s[a->n]), fmt, ap);
	va_end(ap);
	a->v[a->n] = a->s[a->n];
	a->n++;
}

/* A container whose process exits at once: one event of a tiny prime search. */
static void lifecycle_args(const struct ob_profile *p, const char *v, const char *cmd,
			   struct ob_args *a)
{
	add(a, "--cpu-max-prime=3");
	add(a, "--events=1");
	add(a, "--time=0");
	add(a, "--format=json");
}

static void cpu_args(const struct ob_profile *p, const char *v, const char *cmd, struct ob_args *a)
{
	add(a, "--cpu-max-prime=%lld", p->cpu_max_prime);
	add(a, "--events=%lld", p->cpu_events);
	add(a, "--time=%lld", p->cpu_time);
	add(a, "--format=json");
}

static void memory_args(const struct ob_profile *p, const char *v, const char *cmd,
			struct ob_args *a)
{
	add(a, "--memory-block-size=%s", p->mem_block);
	add(a, "--memory-total-size=%s", p->mem_total);
	add(a, "--time=0");
	add(a, "--format=json");
}

#define FILEIO_DIR "/ocibench-fileio"
/* sysbench's --file-fsync-freq default, passed explicitly where the event
 * count depends on it */
#define FILEIO_FSYNC_FREQ 100

/* sysbench 0.4's amount of work in mode v, as ocibench-fileio's arguments
 * (it counts events as sysbench 1.0 does: an fsync is an event too).
 * Sequential: one pass over the set, requests = files x blocks per file,
 * no periodic fsync (the end fsync stays).  Random: p->file_events reads
 * or writes; a writing mode adds a burst of one fsync per file after
 * every FILEIO_FSYNC_FREQ writes but not after the last one, as 0.4 stops
 * before it: 10000 writes + 99 x 128 fsyncs = 22672 events. */
static void fileio_v04_args(const struct ob_profile *p, const char *v, struct ob_args *a)
{
	uint64_t total = 0, block = 0;
	long long req = p->file_events;

	if (ob_parse_size(p->file_total, &total) < 0 || ob_parse_size(p->file_block, &block) < 0 ||
	    block == 0 || p->file_num <= 0)
		total = block = 1; /* the workload names the bad value */
	if (strncmp(v, "seq", 3) == 0) {
		uint64_t fsize = total / (uint64_t)p->file_num;

		add(a, "--file-fsync-freq=0");
		add(a, "--events=%llu",
		    (unsigned long long)p->file_num * ((fsize + block - 1) / block));
		return;
	}
	add(a, "--file-fsync-freq=%d", FILEIO_FSYNC_FREQ);
	if (strcmp(v, "rndrd") != 0 && req > 0)
		req += (req - 1) / FILEIO_FSYNC_FREQ * p->file_num;
	add(a, "--events=%lld", req);
}

static void fileio_args(const struct ob_profile *p, const char *v, const char *cmd,
			struct ob_args *a)
{
	bool prep = strcmp(cmd, "prepare") == 0;

	add(a, "%s", prep ? "prepare" : "run");
	add(a, "--file-dir=%s", FILEIO_DIR);
	add(a, "--file-num=%lld", p->file_num);
	add(a, "--file-total-size=%s", p->file_total);
	add(a, "--file-block-size=%s", p->file_block);
	if (!prep) {
		add(a, "--file-test-mode=%s", v);
		if (p->file_v04)
			fileio_v04_args(p, v, a);
		else
			add(a, "--events=%lld", p->file_events);
		add(a, "--time=%lld", p->file_time);
	}
	/* the files are made in the run's own container, before its clock */
	if (strcmp(cmd, "prepare-run") == 0)
		add(a, "--file-prepare=on");
	add(a, "--format=json");
}

static void syscall_args(const struct ob_profile *p, const char *v, const char *cmd,
			 struct ob_args *a)
{
	add(a, "--time=%lld", p->syscall_time);
	add(a, "--mode=mix");
	add(a, "--format=json");
}

/* "server": a one-off server that says when it listens (text, no interval
 * reports: netcell.c waits for the line); "run": the client, whose JSON is
 * the result (netcell.c puts "-c SERVER" first). */
static void net_args(const struct ob_profile *p, const char *v, const char *cmd, struct ob_args *a)
{
	if (strcmp(cmd, "server") == 0) {
		add(a, "-s");
		add(a, "-1");
		add(a, "-p");
		add(a, "%d", OB_NET_PORT);
		add(a, "-i");
		add(a, "0");
		return;
	}
	add(a, "-p");
	add(a, "%d", OB_NET_PORT);
	add(a, "-t");
	add(a, "%lld", p->net_time);
	add(a, "--mode=%s", v);
	add(a, "-J");
}

/* An idle container (footprint, density): it reports when stopped. */
static void idle_args(const struct ob_profile *p, const char *v, const char *cmd,
		      struct ob_args *a)
{
	add(a, "--format=json");
}

static const char *const net_modes[] = { "stream", "rr", NULL };
/* seqwr last: it recreates the files, which the others read or rewrite
 * (profile.file_prepare_once) */
static const char *const fileio_modes[] = { "seqrd", "rndrd", "rndwr", "seqwr", NULL };

const struct ob_test ob_tests[] = {
	{ .name = "lifecycle", .workload = "cpu", .args = lifecycle_args },
	{ .name = "cpu", .workload = "cpu", .args = cpu_args, .lifecycle = ob_hostcpu_run },
	{ .name = "memory", .workload = "memory", .args = memory_args },
	/* files in the container's own writable filesystem (the bundle rootfs),
	 * or a --mount variant there, created by an untimed `prepare` container
	 * of the same bundle (mount tmpfs: by the run container, see suite.c) */
	{ .name = "fileio", .workload = "fileio", .variants = fileio_modes, .args = fileio_args,
	  .prepare = true, .workdir = FILEIO_DIR, .lifecycle = ob_hostcpu_run },
	{ .name = "syscall", .workload = "syscall", .args = syscall_args,
	  .lifecycle = ob_hostcpu_run },
	/* two containers on a private network made for the cell (netcell.h) */
	{ .name = "net", .workload = "net", .variants = net_modes, .args = net_args,
	  .cell = ob_net_cell },
	/* what the runtime costs the host: one idle container (host/cells.h) */
	{ .name = "footprint", .workload = "idle", .args = idle_args, .cell = ob_footprint_cell },
	/* N idle containers; the variants ("n8") come from --density */
	{ .name = "density", .workload = "idle", .args = idle_args, .cell = ob_density_cell,
	  .opt_in = true },
};
const size_t ob_ntests = sizeof(ob_tests) / sizeof(ob_tests[0]);

const struct ob_profile ob_profiles[] = {
	/* small: the whole matrix on three runtimes in a few minutes; fixed
	 * amounts of work like the paper profile, so the seconds rows mean
	 * something */
	{ .name = "quick", .repeat = 3, .cpu_max_prime = 20000, .cpu_events = 200, .cpu_time = 0,
	  .mem_block = "1M", .mem_total = "2G", .file_num = 16, .file_total = "16M",
	  .file_block = "16K", .file_events = 10000, .file_time = 0, .syscall_time = 2,
	  .net_time = 2 },
	/* the study's parameters (STUDY.md); the fixed amounts of work are
	 * those of sysbench 0.4's defaults the study's figures imply (10000
	 * requests, no time limit; a sequential fileio mode is one pass) */
	{ .name = "paper", .repeat = 10, .cpu_max_prime = 20000, .cpu_events = 10000, .cpu_time = 0,
	  .mem_block = "1M", .mem_total = "100G", .file_num = 128, .file_total = "2G",
	  .file_block = "16K", .file_events = 10000, .file_time = 0, .file_v04 = true,
	  .file_prepare_once = true, .syscall_time = 10, .net_time = 10 },
	/* tiny: for the test suite */
	{ .name = "smoke", .repeat = 1, .cpu_max_prime = 2000, .cpu_events = 20, .cpu_time = 0,
	  .mem_block = "1M", .mem_total = "64M", .file_num = 4, .file_total = "1M",
	  .file_block = "16K", .file_events = 200, .file_time = 0, .syscall_time = 1,
	  .net_time = 1 },
	/* tiny with the paper profile's fileio rules: for the test suite */
	{ .name = "paper-smoke", .repeat = 1, .cpu_max_prime = 2000, .cpu_events = 20,
	  .cpu_time = 0, .mem_block = "1M", .mem_total = "64M", .file_num = 4, .file_total = "1M",
	  .file_block = "16K", .file_events = 200, .file_time = 0, .file_v04 = true,
	  .file_prepare_once = true, .syscall_time = 1, .net_time = 1 },
};
const size_t ob_nprofiles = sizeof(ob_profiles) / sizeof(ob_profiles[0]);
_Static_assert(sizeof(ob_profiles) / sizeof(ob_profiles[0]) <= 16, "main.c's MAX_PROFILES");

const struct ob_test *ob_test_find(const char *name)
{
	for (size_t i = 0; i < ob_ntests; i++)
		if (strcmp(ob_tests[i].name, name) == 0)
			return &ob_tests[i];
	return NULL;
}

const struct ob_profile *ob_profile_find(const char *name)
{
	for (size_t i = 0; i < ob_nprofiles; i++)
		if (strcmp(ob_profiles[i].name, name) == 0)
			return &ob_profiles[i];
	return NULL;
}
