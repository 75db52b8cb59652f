/* memory.c - sysbench 1.0.20 "memory": store/load loops over one block.
 *
 * The buffer is exactly --memory-block-size bytes, page-aligned and zeroed
 * once: one shared by all threads (global scope) or one per thread (local
 * scope, allocated by the worker itself so first-touch/NUMA placement
 * applies).  One event is one pass over the buffer in 8-byte words:
 *   seq write  word i = W - i        (W = block / 8)
 *   seq read   load every word
 *   seq none   W iterations of a compiler barrier
 *   rnd *      W iterations on word floor(u * W), u from the thread's RNG;
 *              a write stores the iteration's byte offset (8 * i)
 * Each access is one plain 8-byte load or store through a volatile pointer
 * followed by a compiler barrier, as sysbench's ck_pr_load_64/ck_pr_store_64:
 * no vectorisation, no non-temporal stores, no fences.
 *
 * Like sysbench, --events is ignored: each thread does
 * floor(floor(total / block) / threads) events (0 total = no limit), and
 * --time still ends the run early.  Unlike sysbench, the work leaves
 * evidence (memory-pattern.h): a read run loads a known non-zero pattern
 * and reports the sum of its loads (read_checksum, events x n (n+1) / 2 in
 * seq mode), and a write run's stores depend on the event number, so the
 * final contents show that the last event ran.  After the run (untimed) the
 * buffer is checked (exit 1 on a mismatch) and --memory-dump writes it out
 * for a check from outside; --validate also checks the buffer after every
 * event (inside the timed event, so do not compare timings taken with it).
 */
#include <endian.h>
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include "memory-pattern.h"
#include "workload.h"

enum { SCOPE_GLOBAL, SCOPE_LOCAL };

static const char *const scope_names[] = {"global", "local", NULL};
static const char *const oper_names[] = {"write", "read", "none", NULL};
static const char *const access_names[] = {"seq", "rnd", NULL};

struct mem_opts {
	uint64_t block_size;
	uint64_t total_size;
	int scope;
	int oper;
	int access;
	bool hugetlb;
	const char *dump;
};

static const struct ob_opt mem_opts[] = {
	{"memory-block-size", OB_OPT_SIZE, offsetof(struct mem_opts, block_size), "1K", 8, 0,
	 NULL, "size of memory block for test (a power of two)"},
	{"memory-total-size", OB_OPT_SIZE, offsetof(struct mem_opts, total_size), "100G", 0, 0,
	 NULL, "total size of data to transfer (0 = no limit)"},
	{"memory-scope", OB_OPT_CHOICE, offsetof(struct mem_opts, scope), "global", 0, 0,
	 scope_names, "memory access scope {global,local}"},
	{"memory-hugetlb", OB_OPT_BOOL, offsetof(struct mem_opts, hugetlb), "off", 0, 0, NULL,
	 "allocate memory from HugeTLB pool (SysV SHM_HUGETLB)"},
	{"memory-oper", OB_OPT_CHOICE, offsetof(struct mem_opts, oper), "write", 0, 0,
	 oper_names, "type of memory operations {read, write, none}"},
	{"memory-access-mode", OB_OPT_CHOICE, offsetof(struct mem_opts, access), "seq", 0, 0,
	 access_names, "memory access mode {seq,rnd}"},
	{"memory-dump", OB_OPT_STRING, offsetof(struct mem_opts, dump), NULL, 0, 0, NULL,
	 "after the run, write the buffer (global, or thread 0's) to this new file as 8-byte little-endian words"},
	{NULL},
};

/* One buffer and how it was allocated. */
struct mem_buf {
	uint64_t *words;
	size_t nwords;
	bool shm;
};

/* Per-thread state (t->priv). */
struct mem_thread {
	struct mem_buf local;  /* local scope only */
	uint64_t *words;       /* the buffer this thread works on */
	uint64_t quota;        /* events left */
	uint64_t done;         /* events run: the next one is done + 1 */
	uint64_t checksum;     /* sum of every word loaded */
};

static struct mem_state {
	struct mem_buf global; /* global scope only */
	size_t nwords;         /* W */
	uint64_t quota;        /* per thread; UINT64_MAX = no limit */
	uint64_t checksum;     /* all threads, for the report */
} state;

/* ---- the measured loops ------------------------------------------------- */

#define BARRIER() __asm__ __volatile__("" ::: "memory")

static inline void store_word(uint64_t *p, uint64_t v)
{
	*(volatile uint64_t *)p = v;
	BARRIER();
}

static inline uint64_t load_word(const uint64_t *p)
{
	uint64_t v = *(const volatile uint64_t *)p;

	BARRIER();
	return v;
}

static inline size_t rnd_index(struct ob_rand *rng, size_t n)
{
	return (size_t)(ob_rand_uniform(rng) * (double)n);
}

/* Debian's sysbench is built with -funroll-loops: its loops run 8 accesses
 * per branch.  Ours are unrolled the same way (one taken branch per word
 * would otherwise cap the store rate). */
#define UNROLL _Pragma("GCC unroll 8")

/* Event k stores k n - i into word i (the first: n, n-1, ..., 1).  Each
 * value is worked out from the word's address, as sysbench's loop does
 * (its (end - p) / 8: a subtract and a shift per store); a count kept in a
 * register would cost one instruction per store instead of three, and the
 * loop would run ~1.5x sysbench's speed on the same stores.  The end is
 * moved on by (k - 1) n words so that the values still name the event. */
static void seq_write(uint64_t *w, size_t n, uint64_t k)
{
	uint64_t *const end = w + n;
	const uintptr_t far = (uintptr_t)end + (uintptr_t)((k - 1) * n * sizeof(uint64_t));

	UNROLL
	for (uint64_t *p = w; p < end; p++)
		store_word(p, (uint64_t)((far - (uintptr_t)p) / sizeof(uint64_t)));
}

/* Four sums, so that the adds do not chain every load to the previous one
 * (n is a power of two: a multiple of 4 from 4 words on). */
static uint64_t seq_read(const uint64_t *w, size_t n)
{
	uint64_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
	size_t i = 0;

	_Pragma("GCC unroll 2")
	for (; i + 4 <= n; i += 4) {
		s0 += load_word(&w[i]);
		s1 += load_word(&w[i + 1]);
		s2 += load_word(&w[i + 2]);
		s3 += load_word(&w[i + 3]);
	}
	for (; i < n; i++)
		s0 += load_word(&w[i]);
	return s0 + s1 + s2 + s3;
}

static void seq_none(size_t n)
{
	UNROLL
	for (size_t i = 0; i < n; i++)
		BARRIER();
}

/* The rnd loops work on a copy of the generator, kept in registers.  Event
 * k's iteration i stores the running byte offset 8 ((k - 1) n + i). */
static void rnd_write(uint64_t *w, size_t n, uint64_t k, struct ob_rand *rng)
{
	struct ob_rand r = *rng;
	const uint64_t base = (k - 1) * n * sizeof(uint64_t);

	UNROLL
	for (size_t i = 0; i < n; i++)
		store_word(&w[rnd_index(&r, n)], base + i * sizeof(uint64_t));
	*rng = r;
}

static uint64_t rnd_read(const uint64_t *w, size_t n, struct ob_rand *rng)
{
	struct ob_rand r = *rng;
	uint64_t s = 0;

	UNROLL
	for (size_t i = 0; i < n; i++)
		s += load_word(&w[rnd_index(&r, n)]);
	*rng = r;
	return s;
}

static void rnd_none(size_t n, struct ob_rand *rng)
{
	struct ob_rand r = *rng;

	UNROLL
	for (size_t i = 0; i < n; i++) {
		size_t k = rnd_index(&r, n);

		__asm__ __volatile__("" : : "r"(k) : "memory"); /* k is computed, not used */
	}
	*rng = r;
}

/* ---- buffers and checks (untimed) ---------------------------------------- */

static int buf_alloc(struct mem_buf *b, size_t bytes, bool hugetlb, int oper,
		     struct ob_error *err)
{
	b->nwords = bytes / sizeof(uint64_t);
	b->shm = hugetlb;
	if (hugetlb) {
		/* The kernel rounds the segment up to whole huge pages. */
		int id = shmget(IPC_PRIVATE, bytes, SHM_HUGETLB | IPC_CREAT | 0600);
		void *p;

		if (id < 0)
			return ob_err(err, OB_EXIT_UNSUPPORTED, errno,
				      "--memory-hugetlb: no %zu-byte SysV huge page segment (reserve huge pages with sysctl vm.nr_hugepages)",
				      bytes);
		p = shmat(id, NULL, 0);
		shmctl(id, IPC_RMID, NULL); /* freed when detached */
		if (p == (void *)-1)
			return ob_err(err, OB_EXIT_UNSUPPORTED, errno,
				      "--memory-hugetlb: attaching the huge page segment");
		b->words = p;
	} else {
		long page = sysconf(_SC_PAGESIZE);
		void *p = NULL;

		errno = posix_memalign(&p, page > 0 ? (size_t)page : 4096, bytes);
		if (errno != 0)
			return ob_err(err, OB_EXIT_FAIL, errno, "allocating a %zu-byte buffer", bytes);
		b->words = p;
	}
	memset(b->words, 0, bytes);
	if (oper == MEM_OPER_READ)
		mem_pattern_fill_read(b->words, b->nwords);
	return 0;
}

static void buf_free(struct mem_buf *b)
{
	if (b->words == NULL)
		return;
	if (b->shm)
		shmdt(b->words);
	else
		free(b->words);
	b->words = NULL;
}

/* events / single: see mem_pattern_check(). */
static int check_buffer(const struct ob_run *run, const uint64_t *w, uint64_t events, bool single,
			const char *when, struct ob_error *err)
{
	const struct mem_opts *o = run->opts;
	size_t bad;

	if (mem_pattern_check(o->oper, o->access, w, state.nwords, events, single, &bad) == 0)
		return 0;
	return ob_err(err, OB_EXIT_FAIL, 0,
		      "%s: word %zu of the %s buffer holds %llu, not what %llu %s %s event(s) leave there",
		      when, bad, scope_names[o->scope], (unsigned long long)w[bad],
		      (unsigned long long)events, access_names[o->access], oper_names[o->oper]);
}

/* --memory-dump: the buffer as little-endian words, for outside checks. */
static int dump_buffer(const char *path, const uint64_t *w, size_t n, struct ob_error *err)
{
	FILE *f = fopen(path, "wbx");
	uint64_t chunk[512];
	int rc = 0;

	if (f == NULL)
		return ob_err(err, OB_EXIT_FAIL, errno, "--memory-dump: creating '%s'", path);
	for (size_t i = 0; i < n && rc == 0;) {
		size_t m = n - i < 512 ? n - i : 512;

		for (size_t j = 0; j < m; j++)
			chunk[j] = htole64(w[i + j]);
		if (fwrite(chunk, sizeof(uint64_t), m, f) != m)
			rc = ob_err(err, OB_EXIT_FAIL, errno, "--memory-dump: writing '%s'", path);
		i += m;
	}
	if (fclose(f) != 0 && rc == 0)
		rc = ob_err(err, OB_EXIT_FAIL, errno, "--memory-dump: writing '%s'", path);
	if (rc < 0)
		unlink(path);
	return rc;
}

/* ---- hooks ---------------------------------------------------------------- */

static int mem_check(const struct ob_run *run, struct ob_error *err)
{
	const struct mem_opts *o = run->opts;
	uint64_t b = o->block_size;

	if ((b & (b - 1)) != 0)
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "invalid value '%llu' for --memory-block-size: expected a power of two >= 8",
			      (unsigned long long)b);
	if (b > SIZE_MAX / 2)
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "invalid value '%llu' for --memory-block-size: too large",
			      (unsigned long long)b);
	if (o->total_size != 0 && o->total_size / b / (uint64_t)run->common.threads == 0)
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "invalid value '%llu' for --memory-total-size: less than one %llu-byte block per thread (%lld threads)",
			      (unsigned long long)o->total_size, (unsigned long long)b,
			      run->common.threads);
	if (o->total_size == 0 && run->common.time == 0)
		fprintf(stderr, "WARNING: Both event and time limits are disabled, running an endless test\n");
	return 0;
}

static int mem_init(struct ob_run *run, struct ob_error *err)
{
	const struct mem_opts *o = run->opts;

	state.nwords = (size_t)(o->block_size / sizeof(uint64_t));
	state.quota = o->total_size != 0
			      ? o->total_size / o->block_size / (uint64_t)run->common.threads
			      : UINT64_MAX;
	if (o->scope == SCOPE_GLOBAL)
		return buf_alloc(&state.global, (size_t)o->block_size, o->hugetlb, o->oper, err);
	return 0;
}

static int mem_thread_init(struct ob_thread *t, struct ob_error *err)
{
	const struct mem_opts *o = t->run->opts;
	struct mem_thread *mt = calloc(1, sizeof(*mt));

	if (mt == NULL)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "thread %u state", t->id);
	t->priv = mt;
	mt->quota = state.quota;
	if (o->scope == SCOPE_GLOBAL) {
		mt->words = state.global.words;
		return 0;
	}
	if (buf_alloc(&mt->local, (size_t)o->block_size, o->hugetlb, o->oper, err) < 0)
		return ob_err_wrap(err, "thread %u", t->id);
	mt->words = mt->local.words;
	return 0;
}

static int mem_next(struct ob_thread *t, struct ob_event *ev)
{
	struct mem_thread *mt = t->priv;

	if (mt->quota == 0)
		return OB_EV_NONE;
	if (mt->quota != UINT64_MAX)
		mt->quota--;
	ev->op = 0;
	return OB_EV_READY;
}

static int mem_execute(struct ob_thread *t, const struct ob_event *ev, struct ob_error *err)
{
	const struct mem_opts *o = t->run->opts;
	struct mem_thread *mt = t->priv;
	uint64_t *w = mt->words;
	size_t n = state.nwords;
	uint64_t k = ++mt->done;

	(void)ev;
	if (o->access == MEM_ACCESS_SEQ) {
		switch (o->oper) {
		case MEM_OPER_WRITE: seq_write(w, n, k); break;
		case MEM_OPER_READ: mt->checksum += seq_read(w, n); break;
		default: seq_none(n); break;
		}
	} else {
		switch (o->oper) {
		case MEM_OPER_WRITE: rnd_write(w, n, k, &t->rng); break;
		case MEM_OPER_READ: mt->checksum += rnd_read(w, n, &t->rng); break;
		default: rnd_none(n, &t->rng); break;
		}
	}
	if (t->run->common.validate) {
		bool single = o->scope == SCOPE_LOCAL || t->run->nthreads == 1;

		/* other writers of a global buffer may be further on */
		return check_buffer(t->run, w, single ? k : UINT64_MAX, single, "--validate", err);
	}
	return 0;
}

/* After the clock stopped (untimed): the loads summed to what the read
 * pattern gives, every buffer holds what its events leave, and
 * --memory-dump writes it out. */
static int mem_verify(struct ob_run *run, struct ob_error *err)
{
	const struct mem_opts *o = run->opts;
	uint64_t most = 0;
	const uint64_t *dumped = state.global.words;

	state.checksum = 0;
	for (unsigned i = 0; i < run->nthreads; i++) {
		const struct mem_thread *mt = run->threads[i].priv;
		uint64_t want = mt->done * mem_pattern_read_sum(state.nwords);

		state.checksum += mt->checksum;
		if (mt->done > most)
			most = mt->done;
		if (o->oper == MEM_OPER_READ && o->access == MEM_ACCESS_SEQ && mt->checksum != want)
			return ob_err(err, OB_EXIT_FAIL, 0,
				      "thread %u: the loads of %llu events sum to %llu, expected %llu", i,
				      (unsigned long long)mt->done, (unsigned long long)mt->checksum,
				      (unsigned long long)want);
		if (o->scope == SCOPE_LOCAL &&
		    check_buffer(run, mt->words, mt->done, true, "readback", err) < 0)
			return ob_err_wrap(err, "thread %u", i);
	}
	if (o->scope == SCOPE_LOCAL)
		dumped = ((const struct mem_thread *)run->threads[0].priv)->words;
	if (o->dump != NULL && dump_buffer(o->dump, dumped, state.nwords, err) < 0)
		return -1;
	if (o->scope == SCOPE_GLOBAL)
		return check_buffer(run, state.global.words, most, run->nthreads == 1, "readback",
				    err);
	return 0;
}

static void mem_thread_fini(struct ob_thread *t)
{
	struct mem_thread *mt = t->priv;

	if (mt == NULL)
		return;
	buf_free(&mt->local);
	free(mt);
	t->priv = NULL;
}

static void mem_fini(struct ob_run *run)
{
	(void)run;
	buf_free(&state.global);
}

/* ---- reports -------------------------------------------------------------- */

static void mem_header(const struct ob_run *run, FILE *f)
{
	const struct mem_opts *o = run->opts;

	fprintf(f, "Running memory speed test with the following options:\n");
	fprintf(f, "  block size: %lluKiB\n", (unsigned long long)(o->block_size / 1024));
	fprintf(f, "  total size: %lluMiB\n", (unsigned long long)(o->total_size >> 20));
	fprintf(f, "  operation: %s\n", oper_names[o->oper]);
	fprintf(f, "  scope: %s\n\n", scope_names[o->scope]);
}

static double mib_transferred(const struct ob_run *run)
{
	const struct mem_opts *o = run->opts;

	if (o->oper == MEM_OPER_NONE)
		return 0;
	return (double)run->total.count * (double)o->block_size / (1024.0 * 1024.0);
}

static void mem_text(const struct ob_run *run, FILE *f)
{
	const struct mem_opts *o = run->opts;
	double s = ob_ns_to_s(run->elapsed_ns);

	fprintf(f, "Total operations: %llu (%8.2f per second)\n\n",
		(unsigned long long)run->total.count, (double)run->total.count / s);
	if (o->oper != MEM_OPER_NONE)
		fprintf(f, "%4.2f MiB transferred (%4.2f MiB/sec)\n\n", mib_transferred(run),
			mib_transferred(run) / s);
}

static void mem_json(const struct ob_run *run, json_t *root)
{
	const struct mem_opts *o = run->opts;
	double s = ob_ns_to_s(run->elapsed_ns);

	json_object_set_new(root, "operations", json_integer((json_int_t)run->total.count));
	json_object_set_new(root, "operations_per_s", json_real((double)run->total.count / s));
	json_object_set_new(root, "mib_transferred", json_real(mib_transferred(run)));
	json_object_set_new(root, "mib_per_s", json_real(mib_transferred(run) / s));
	json_object_set_new(root, "events_per_thread",
			    json_integer(state.quota == UINT64_MAX ? 0 : (json_int_t)state.quota));
	/* modulo 2^63: a JSON integer is signed */
	if (o->oper == MEM_OPER_READ)
		json_object_set_new(root, "read_checksum",
				    json_integer((json_int_t)(state.checksum & INT64_MAX)));
}

const struct ob_workload ob_workload = {
	.name = "memory",
	.summary = "Memory functions speed test: loads/stores over one block (sysbench memory)",
	.opts = mem_opts,
	.opts_size = sizeof(struct mem_opts),
	.flags = OB_WL_IGNORES_EVENTS,
	.check = mem_check,
	.init = mem_init,
	.thread_init = mem_thread_init,
	.next_event = mem_next,
	.execute = mem_execute,
	.verify = mem_verify,
	.thread_fini = mem_thread_fini,
	.print_header = mem_header,
	.report_text = mem_text,
	.report_json = mem_json,
	.fini = mem_fini,
};
