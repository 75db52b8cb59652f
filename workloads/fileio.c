/* fileio.c - sysbench 1.0.20 "fileio": prepare, run and cleanup of a set
 * of test files (test_file.0 .. N-1 in --file-dir).
 *
 * This file owns the options, the file set, the request generator
 * (fileio-gen.c, one lock for all threads), the counters, --validate
 * (fileio-block.c) and the report; the engines (fileio-engine.h) only move
 * bytes.  With the sync and mmap engines the harness's loop times
 * execute() = one read, write or fsync (plus the fsync of --file-fsync-all);
 * io_uring runs its own loop (thread_run).
 *
 * --validate: prepare and every write fill each block with a header
 * (offset, file, CRC-32, write generation: run id and sequence) and random
 * payload; every read is checked.  With one thread the run also remembers
 * the generation of its last completed write to every block, so a read
 * that finds an older one has caught a write that never reached the file.
 * The fill of a write's buffer happens in next_event() and the check in
 * fileio_completed(), right after the event's span: neither is timed.
 * With several threads, concurrent writes and reads of one block can tear
 * it, as in sysbench, so the generation is not compared there.
 */
#include <sys/random.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fileio-block.h"
#include "fileio-engine.h"
#include "fileio-fstype.h"
#include "ob-cleanup.h"
#include "ob-clock.h"

/* ---- options -------------------------------------------------------------- */

static const char *const mode_names[] = {"none",  "seqwr", "seqrewr", "seqrd",
					 "rndrd", "rndwr", "rndrw",   NULL};
/* "async" (sysbench's libaio mode) is accepted as another name of io_uring. */
static const char *const io_mode_names[] = {"sync", "io_uring", "mmap", "async", NULL};
static const char *const extra_flag_names[] = {"sync", "dsync", "direct", NULL};
static const char *const fsync_mode_names[] = {"fsync", "fdatasync", NULL};

enum { FLAG_SYNC = 1u << 0, FLAG_DSYNC = 1u << 1, FLAG_DIRECT = 1u << 2 };

struct fileio_opts {
	long long num;
	uint64_t total_size;
	uint64_t block_size;
	int mode;
	int io_mode;
	unsigned extra_flags;
	long long fsync_freq;
	bool fsync_all;
	bool fsync_end;
	int fsync_mode;
	double rw_ratio;
	long long merged;
	long long depth;
	const char *dir;
	bool prepare;
};

static const struct ob_opt fileio_opts[] = {
	{"file-num", OB_OPT_INT, offsetof(struct fileio_opts, num), "128", 1, 1000000, NULL,
	 "number of files to create"},
	{"file-block-size", OB_OPT_SIZE, offsetof(struct fileio_opts, block_size), "16384", 1,
	 1 << 30, NULL, "block size to use in all IO operations"},
	{"file-total-size", OB_OPT_SIZE, offsetof(struct fileio_opts, total_size), "2G", 1, 0,
	 NULL, "total size of files to create"},
	{"file-test-mode", OB_OPT_CHOICE, offsetof(struct fileio_opts, mode), NULL, 0, 0,
	 mode_names, "test mode {seqwr, seqrewr, seqrd, rndrd, rndwr, rndrw} (required for run)"},
	{"file-io-mode", OB_OPT_CHOICE, offsetof(struct fileio_opts, io_mode), "sync", 0, 0,
	 io_mode_names, "file operations mode {sync, io_uring, mmap} (async = io_uring)"},
	{"file-io-depth", OB_OPT_INT, offsetof(struct fileio_opts, depth), "128", 1, 32768,
	 NULL, "io_uring: requests in flight per thread (sysbench's --file-async-backlog)"},
	{"file-extra-flags", OB_OPT_FLAGS, offsetof(struct fileio_opts, extra_flags), NULL, 0, 0,
	 extra_flag_names, "list of additional flags to use to open files {sync, dsync, direct}"},
	{"file-fsync-freq", OB_OPT_INT, offsetof(struct fileio_opts, fsync_freq), "100", 0, 0,
	 NULL, "do fsync() after this number of requests (0 - don't use fsync())"},
	{"file-fsync-all", OB_OPT_BOOL, offsetof(struct fileio_opts, fsync_all), "off", 0, 0,
	 NULL, "do fsync() after each write operation"},
	{"file-fsync-end", OB_OPT_BOOL, offsetof(struct fileio_opts, fsync_end), "on", 0, 0,
	 NULL, "do fsync() at the end of test"},
	{"file-fsync-mode", OB_OPT_CHOICE, offsetof(struct fileio_opts, fsync_mode), "fsync", 0,
	 0, fsync_mode_names, "which method to use for synchronization {fsync, fdatasync}"},
	{"file-merged-requests", OB_OPT_INT, offsetof(struct fileio_opts, merged), "0", 0,
	 1000000, NULL, "merge at most this number of IO requests if possible (0 - don't merge)"},
	{"file-rw-ratio", OB_OPT_DOUBLE, offsetof(struct fileio_opts, rw_ratio), "1.5", 0, 0,
	 NULL, "reads/writes ratio for combined test"},
	{"file-dir", OB_OPT_STRING, offsetof(struct fileio_opts, dir), ".", 0, 0, NULL,
	 "directory of the test files"},
	{"file-prepare", OB_OPT_BOOL, offsetof(struct fileio_opts, prepare), "off", 0, 0, NULL,
	 "run: create the file set first, untimed, like the prepare command (for a directory that"
	 " does not outlive the process, e.g. a container's own tmpfs)"},
	{NULL},
};

/* The engines, by --file-io-mode name. */
static const struct {
	const char *name;
	const struct fileio_engine *engine;
} fileio_engines[] = {
	{"sync", &fileio_sync_engine},
	{"mmap", &fileio_mmap_engine},
	{"io_uring", &fileio_uring_engine},
	{"async", &fileio_uring_engine},
};

/* ---- state ------------------------------------------------------------------ */

static struct fileio {
	const struct fileio_opts *o;
	const struct fileio_engine *eng;
	struct fileio_files fs;
	struct fileio_layout layout;
	struct fileio_gen gen;
	pthread_mutex_t lock; /* the generator's */
	struct ob_run *run;
	bool validate;
	bool fsync_all, fsync_end;
	/* --validate write generations */
	uint64_t run_id;
	_Atomic uint64_t write_seq;  /* the last sequence handed out */
	uint64_t *expect;            /* one thread: last completed write per chunk */
	uint64_t *issued;            /* one thread: last issued write per chunk */
	uint64_t chunks_per_file;
	/* prepare / cleanup results */
	uint64_t prep_bytes, prep_ns;
	unsigned created, reused, removed;
	char fs_type[24]; /* of --file-dir, "" when statfs failed */
} state = {.lock = PTHREAD_MUTEX_INITIALIZER};

static int open_flags(unsigned extra)
{
	return ((extra & FLAG_SYNC) ? O_SYNC : 0) | ((extra & FLAG_DSYNC) ? O_DSYNC : 0) |
	       ((extra & FLAG_DIRECT) ? O_DIRECT : 0);
}

/* "16MiB", "160KiB", "1000B": the largest unit that divides exactly. */
static const char *size_str(uint64_t v, char *buf, size_t len)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	unsigned u = 0;

	while (u < 4 && v != 0 && v % 1024 == 0) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%llu%s", (unsigned long long)v, units[u]);
	return buf;
}

static int alloc_paths(struct fileio_files *fs, const char *dir, struct ob_error *err)
{
	bool here = strcmp(dir, ".") == 0;

	fs->paths = calloc(fs->num, sizeof(*fs->paths));
	fs->fds = malloc(fs->num * sizeof(*fs->fds));
	if (fs->paths == NULL || fs->fds == NULL)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "allocating %u file names", fs->num);
	for (unsigned i = 0; i < fs->num; i++) {
		fs->fds[i] = -1;
		if ((here ? asprintf(&fs->paths[i], "test_file.%u", i)
			  : asprintf(&fs->paths[i], "%s/test_file.%u", dir, i)) < 0) {
			fs->paths[i] = NULL;
			return ob_err(err, OB_EXIT_FAIL, ENOMEM, "allocating file names");
		}
	}
	return 0;
}

/* An open(2) failure; O_DIRECT refused by the filesystem is "unsupported". */
static int open_error(const char *path, unsigned extra, bool prepared, struct ob_error *err)
{
	int e = errno;

	if (e == EINVAL && (extra & FLAG_DIRECT))
		return ob_err(err, OB_EXIT_UNSUPPORTED, e,
			      "the filesystem of '%s' does not support O_DIRECT (--file-extra-flags=direct)",
			      path);
	if (e == ENOENT && prepared)
		return ob_err(err, OB_EXIT_FAIL, 0,
			      "Cannot open file '%s': %s (did you forget to run the prepare step?)",
			      path, strerror(e));
	return ob_err(err, OB_EXIT_FAIL, e, "Cannot open file '%s'", path);
}

/* run: open every file read-write; seqwr unlinks and recreates them empty;
 * the other modes need files of at least file_size. */
static int open_set(struct fileio_files *fs, const struct fileio_opts *o, struct ob_error *err)
{
	int flags = O_RDWR | open_flags(o->extra_flags);
	char a[32], b[32];

	for (unsigned i = 0; i < fs->num; i++) {
		const char *p = fs->paths[i];
		struct stat st;

		if (fs->grow) {
			if (unlink(p) < 0 && errno != ENOENT)
				return ob_err(err, OB_EXIT_FAIL, errno, "unlink of '%s'", p);
			fs->fds[i] = open(p, flags | O_CREAT | O_TRUNC, 0600);
		} else {
			fs->fds[i] = open(p, flags);
		}
		if (fs->fds[i] < 0)
			return open_error(p, o->extra_flags, true, err);
		if (fs->grow)
			continue;
		if (fstat(fs->fds[i], &st) < 0)
			return ob_err(err, OB_EXIT_FAIL, errno, "fstat of '%s'", p);
		if ((uint64_t)st.st_size < fs->file_size)
			return ob_err(err, OB_EXIT_FAIL, 0,
				      "Size of file '%s' is %s, but at least %s is expected (did you run 'prepare' with different --file-total-size or --file-num values, or seqwr since?)",
				      p, size_str((uint64_t)st.st_size, a, sizeof(a)),
				      size_str(fs->file_size, b, sizeof(b)));
	}
	return 0;
}

static void close_set(struct fileio_files *fs)
{
	if (state.eng != NULL && state.eng->close != NULL)
		state.eng->close(fs);
	for (unsigned i = 0; fs->paths != NULL && i < fs->num; i++) {
		if (fs->fds[i] >= 0)
			close(fs->fds[i]);
		free(fs->paths[i]);
	}
	free(fs->paths);
	free(fs->fds);
	fs->paths = NULL;
	fs->fds = NULL;
}

static int prepare(struct ob_error *err);

/* --validate: this process's run id (random, never 0) and, for a one-thread
 * run, the table of the generation last written to every chunk. */
static int init_generations(bool table, struct ob_error *err)
{
	while (state.run_id == 0)
		if (getrandom(&state.run_id, sizeof(state.run_id), 0) != sizeof(state.run_id))
			state.run_id = ob_wall_ns() ^ ((uint64_t)getpid() << 32);
	if (!table)
		return 0;
	state.chunks_per_file = (state.fs.file_size + state.layout.block_size - 1) / state.layout.block_size;
	state.expect = calloc((size_t)(state.chunks_per_file * state.fs.num), sizeof(*state.expect));
	state.issued = calloc((size_t)(state.chunks_per_file * state.fs.num), sizeof(*state.issued));
	if (state.expect == NULL || state.issued == NULL)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "allocating the --validate table of %llu blocks",
			      (unsigned long long)(state.chunks_per_file * state.fs.num));
	return 0;
}

static int fileio_init(struct ob_run *run, struct ob_error *err)
{
	const struct fileio_opts *o = run->opts;
	uint64_t file_size = o->total_size / (uint64_t)o->num;
	uint64_t req = o->merged > 0 ? o->block_size * (uint64_t)o->merged : o->block_size;
	bool is_run = strcmp(run->command, "run") == 0;

	state.o = o;
	state.run = run;
	state.validate = run->common.validate;
	if (file_size == 0)
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "invalid value %llu for --file-total-size: less than one byte per file (--file-num=%lld)",
			      (unsigned long long)o->total_size, o->num);
	if (state.validate && o->block_size < 2 * FIO_BLOCK_HDR)
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "invalid value %llu for --file-block-size: --validate needs blocks of at least %u bytes",
			      (unsigned long long)o->block_size, 2 * FIO_BLOCK_HDR);
	if (is_run && o->mode == FIO_MODE_NONE)
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "missing --file-test-mode (one of seqwr, seqrewr, seqrd, rndrd, rndwr, rndrw)");
	for (size_t i = 0; i < sizeof(fileio_engines) / sizeof(fileio_engines[0]); i++)
		if (strcmp(fileio_engines[i].name, io_mode_names[o->io_mode]) == 0)
			state.eng = fileio_engines[i].engine;
	state.layout = (struct fileio_layout){.block_size = o->block_size, .file_size = file_size};
	state.fs = (struct fileio_files){
		.num = (unsigned)o->num,
		.file_size = file_size,
		.req_size = req,
		.depth = (unsigned)o->depth,
		.fdatasync = o->fsync_mode == 1,
		.grow = o->mode == FIO_SEQWR,
	};
	/* sysbench: --file-fsync-all turns periodic and end fsyncs off. */
	state.fsync_all = o->fsync_all;
	state.fsync_end = o->fsync_end && !o->fsync_all && fileio_mode_writes(o->mode);
	state.fs.fsync_all = o->fsync_all;
	fileio_gen_init(&state.gen, o->mode, state.fs.num, file_size, o->block_size, (uint64_t)o->merged,
			o->fsync_all ? 0 : (uint64_t)o->fsync_freq, o->rw_ratio);
	if (state.validate && init_generations(is_run && run->nthreads == 1, err) < 0)
		return -1;
	if (alloc_paths(&state.fs, o->dir, err) < 0)
		return -1;
	/* a container engine gives the workload a fresh root filesystem: the
	 * step that makes the files makes their directory too */
	if ((is_run ? o->prepare : strcmp(run->command, "prepare") == 0) &&
	    mkdir(o->dir, 0755) < 0 && errno != EEXIST)
		return ob_err(err, OB_EXIT_FAIL, errno, "creating --file-dir '%s'", o->dir);
	if (fileio_fs_type(o->dir, state.fs_type, sizeof(state.fs_type)) == NULL)
		state.fs_type[0] = '\0';
	if (!is_run)
		return 0;
	/* --file-prepare: the prepare command's work, before any clock starts */
	if (o->prepare && prepare(err) < 0)
		return -1;
	if (open_set(&state.fs, o, err) < 0)
		return -1;
	return state.eng->open != NULL ? state.eng->open(&state.fs, err) : 0;
}

static void fileio_fini(struct ob_run *run)
{
	(void)run;
	close_set(&state.fs);
	free(state.expect);
	free(state.issued);
	state.expect = state.issued = NULL;
}

/* ---- prepare and cleanup ------------------------------------------------- */

static bool text_out(void)
{
	return state.run->common.format == OB_FORMAT_TEXT;
}

/* Append whole blocks to one file until it holds file_size bytes. */
static int prepare_file(unsigned i, void *buf, uint64_t *seed, struct ob_error *err)
{
	const struct fileio_opts *o = state.o;
	const char *p = state.fs.paths[i];
	int fd ob_cleanup_close = open(p, O_CREAT | O_WRONLY | open_flags(o->extra_flags), 0600);
	off_t size;

	if (fd < 0)
		return open_error(p, o->extra_flags, false, err);
	size = lseek(fd, 0, SEEK_END);
	if (size < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "lseek of '%s'", p);
	if ((uint64_t)size >= state.fs.file_size) {
		state.reused++;
		if (text_out())
			printf("Reusing existing file %s\n", p);
		return 0;
	}
	state.created++;
	if (text_out())
		printf("Creating file %s\n", p);
	for (uint64_t pos = (uint64_t)size; pos < state.fs.file_size; pos += o->block_size) {
		ssize_t n;

		struct fileio_wgen gen = {state.run_id, 0};

		if (state.validate) {
			gen.seq = ++state.write_seq;
			fileio_block_fill(&state.layout, buf, o->block_size, i, pos, &gen, seed);
		}
		n = pwrite(fd, buf, o->block_size, (off_t)pos);
		if (n != (ssize_t)o->block_size) {
			struct ob_event ev = {.op = FIO_OP_WRITE, .file = i, .pos = pos,
					      .len = o->block_size};

			return fileio_io_error(&state.fs, &ev, n < 0 ? -errno : n, err);
		}
		if (state.expect != NULL) /* --file-prepare: the run reads these */
			state.expect[i * state.chunks_per_file + pos / o->block_size] =
				state.issued[i * state.chunks_per_file + pos / o->block_size] = gen.seq;
		state.prep_bytes += o->block_size;
	}
	if (fsync(fd) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "fsync of '%s'", p);
	if (close(ob_steal_fd(&fd)) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "close of '%s'", p);
	return 0;
}

static int prepare(struct ob_error *err)
{
	void *buf = NULL;
	uint64_t seed = (uint64_t)ob_wall_ns();
	struct ob_span span;
	int rc = 0;

	if (posix_memalign(&buf, 4096, state.o->block_size) != 0)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "allocating a %llu-byte block",
			      (unsigned long long)state.o->block_size);
	memset(buf, 0, state.o->block_size);
	ob_span_begin(&span); /* prepare's figures: creating, filling and syncing the files */
	for (unsigned i = 0; i < state.fs.num && rc == 0; i++)
		rc = prepare_file(i, buf, &seed, err);
	state.prep_ns = ob_span_end(&span);
	free(buf);
	if (rc == 0 && text_out())
		printf("%llu bytes written in %.2f seconds (%.2f MiB/sec).\n",
		       (unsigned long long)state.prep_bytes, ob_ns_to_s(state.prep_ns),
		       (double)state.prep_bytes / 1048576.0 / ob_ns_to_s(state.prep_ns ? state.prep_ns : 1));
	return rc;
}

/* Unlink test_file.0 .. N-1, ignoring errors (sysbench). */
static void cleanup(void)
{
	for (unsigned i = 0; i < state.fs.num; i++)
		if (unlink(state.fs.paths[i]) == 0)
			state.removed++;
}

static int fileio_command(struct ob_run *run, struct ob_error *err)
{
	if (strcmp(run->command, "prepare") == 0)
		return prepare(err);
	cleanup();
	return 0;
}

/* ---- the run ----------------------------------------------------------------- */

static int fileio_thread_init(struct ob_thread *t, struct ob_error *err)
{
	struct fileio_thread *ft = calloc(1, sizeof(*ft));

	if (ft == NULL)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "allocating thread state");
	t->priv = ft;
	ft->seed = (uint64_t)ob_wall_ns() ^ ((uint64_t)t->id << 48);
	if (state.eng->execute != NULL) {
		if (posix_memalign(&ft->buf, 4096, state.fs.req_size) != 0) {
			ft->buf = NULL;
			return ob_err(err, OB_EXIT_FAIL, ENOMEM, "allocating a %llu-byte buffer",
				      (unsigned long long)state.fs.req_size);
		}
		memset(ft->buf, 0, state.fs.req_size);
	}
	return state.eng->thread_init != NULL ? state.eng->thread_init(t, &state.fs, err) : 0;
}

static void fileio_thread_fini(struct ob_thread *t)
{
	struct fileio_thread *ft = t->priv;

	if (ft == NULL)
		return;
	if (state.eng->thread_fini != NULL)
		state.eng->thread_fini(t, &state.fs);
	free(ft->buf);
	free(ft);
	t->priv = NULL;
}

static uint64_t load(_Atomic uint64_t *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* Owner-only increment: a plain load and store, no locked instruction. */
static void bump(_Atomic uint64_t *c)
{
	atomic_store_explicit(c, load(c) + 1, memory_order_relaxed);
}

/* An issued or a completed write: its generation in the table, for every
 * chunk it covers. */
static void record_write(uint64_t *table, const struct ob_event *ev)
{
	uint64_t first = ev->pos / state.layout.block_size;
	uint64_t last = (ev->pos + ev->len - 1) / state.layout.block_size;

	for (uint64_t c = first; table != NULL && c <= last; c++)
		table[ev->file * state.chunks_per_file + c] = ev->seq;
}

void fileio_next(struct ob_thread *t, struct ob_event *ev, void *buf)
{
	uint64_t reads = 0, writes = 0;

	pthread_mutex_lock(&state.lock);
	if (state.gen.mode == FIO_RNDRW)
		for (unsigned i = 0; i < state.run->nthreads; i++) {
			struct fileio_thread *o = state.run->threads[i].priv;

			reads += load(&o->reads);
			writes += load(&o->writes);
		}
	fileio_gen_next(&state.gen, &t->rng, reads, writes, ev);
	pthread_mutex_unlock(&state.lock);
	ev->seq = 0;
	if (state.validate && ev->op == FIO_OP_WRITE) {
		struct fileio_wgen gen = {state.run_id, atomic_fetch_add(&state.write_seq, 1) + 1};

		ev->seq = gen.seq;
		record_write(state.issued, ev);
		fileio_block_fill(&state.layout, buf, ev->len, ev->file, ev->pos, &gen,
				  &((struct fileio_thread *)t->priv)->seed);
	}
}

static void count(struct fileio_thread *ft, const struct ob_event *ev)
{
	if (ev->op == FIO_OP_FSYNC) {
		ft->fsyncs++;
		return;
	}
	if (ev->op == FIO_OP_READ) {
		bump(&ft->reads);
		ft->bytes_read += ev->len;
	} else {
		bump(&ft->writes);
		ft->bytes_written += ev->len;
		if (state.fsync_all)
			ft->fsyncs++; /* the write's own fsync */
	}
}


static int verify(const struct ob_event *ev, const void *buf, struct ob_error *err)
{
	const struct fileio_expect want = {state.run_id, state.expect, state.issued, state.chunks_per_file};
	struct fileio_wgen found;
	uint64_t bad;
	const char *why;

	if (fileio_block_check(&state.layout, buf, ev->len, ev->file, ev->pos,
			       state.expect != NULL ? &want : NULL, &bad, &why, &found) == 0)
		return 0;
	if (found.run_id != 0 && state.expect != NULL)
		return ob_err(err, OB_EXIT_FAIL, 0,
			      "validation failed: file '%s' offset %llu: %s (it holds write %llu of run %016llx; this run %016llx last wrote write %llu there)",
			      state.fs.paths[ev->file], (unsigned long long)bad, why,
			      (unsigned long long)found.seq, (unsigned long long)found.run_id,
			      (unsigned long long)state.run_id,
			      (unsigned long long)state.expect[ev->file * state.chunks_per_file +
							   bad / state.layout.block_size]);
	return ob_err(err, OB_EXIT_FAIL, 0, "validation failed: file '%s' offset %llu: %s",
		      state.fs.paths[ev->file], (unsigned long long)bad, why);
}

int fileio_fsync(unsigned file, struct ob_error *err)
{
	return state.eng->fsync(&state.fs, file, err);
}

int fileio_completed(struct ob_thread *t, const struct ob_event *ev, const void *buf,
		     struct ob_error *err)
{
	count(t->priv, ev);
	if (ev->op == FIO_OP_WRITE && state.validate)
		record_write(state.expect, ev);
	if (ev->op == FIO_OP_READ && state.validate)
		return verify(ev, buf, err);
	return 0;
}

static int fileio_next_event(struct ob_thread *t, struct ob_event *ev)
{
	fileio_next(t, ev, ((struct fileio_thread *)t->priv)->buf);
	return OB_EV_READY;
}

/* The measured work of one event (sync and mmap engines): one read, write
 * or fsync, and under --file-fsync-all a write's fsync (sysbench times it
 * as part of the write). */
static int fileio_execute(struct ob_thread *t, const struct ob_event *ev, struct ob_error *err)
{
	struct fileio_thread *ft = t->priv;

	if (ev->op == FIO_OP_FSYNC)
		return fileio_fsync(ev->file, err);
	if (state.eng->execute(&state.fs, ev, ft->buf, err) < 0)
		return -1;
	if (ev->op == FIO_OP_WRITE && state.fsync_all)
		return fileio_fsync(ev->file, err);
	return 0;
}

static int fileio_event_done(struct ob_thread *t, const struct ob_event *ev,
			     struct ob_error *err)
{
	return fileio_completed(t, ev, ((struct fileio_thread *)t->priv)->buf, err);
}

/* io_uring drives its own loop; sync and mmap use the harness's. */
static int fileio_thread_run(struct ob_thread *t, struct ob_error *err)
{
	return state.eng->thread_run != NULL ? state.eng->thread_run(t, &state.fs, err) : OB_RUN_EVENTS;
}

/* After the loop: the end fsyncs, counted but not events (sysbench). */
static int fileio_thread_done(struct ob_thread *t, struct ob_error *err)
{
	if (!state.fsync_end)
		return 0;
	for (unsigned i = 0; i < state.fs.num; i++) {
		if (fileio_fsync(i, err) < 0)
			return -1;
		((struct fileio_thread *)t->priv)->fsyncs++;
	}
	return 0;
}

/* ---- report ------------------------------------------------------------------ */

struct totals {
	uint64_t reads, writes, fsyncs, bytes_read, bytes_written;
};

static struct totals totals(const struct ob_run *run)
{
	struct totals s = {0};

	for (unsigned i = 0; run->threads != NULL && i < run->nthreads; i++) {
		struct fileio_thread *ft = run->threads[i].priv;

		if (ft == NULL)
			continue;
		s.reads += load(&ft->reads);
		s.writes += load(&ft->writes);
		s.fsyncs += ft->fsyncs;
		s.bytes_read += ft->bytes_read;
		s.bytes_written += ft->bytes_written;
	}
	return s;
}

static const char *flags_str(unsigned extra, char *buf, size_t len)
{
	size_t used = 0;

	buf[0] = '\0';
	for (int i = 0; extra_flag_names[i] != NULL; i++)
		if (extra & (1u << i))
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? " " : "",
						 extra_flag_names[i]);
	return used ? buf : "(none)";
}

static void fileio_header(const struct ob_run *run, FILE *f)
{
	static const char *const mode_text[] = {
		[FIO_SEQWR] = "sequential write (creation)", [FIO_SEQREWR] = "sequential rewrite",
		[FIO_SEQRD] = "sequential read",             [FIO_RNDRD] = "random read",
		[FIO_RNDWR] = "random write",                [FIO_RNDRW] = "random r/w",
	};
	const struct fileio_opts *o = run->opts;
	uint64_t file_size = o->total_size / (uint64_t)o->num;
	char a[32], b[32], c[64];

	if (strcmp(run->command, "cleanup") == 0) {
		fprintf(f, "Removing test files...\n");
		return;
	}
	if (strcmp(run->command, "prepare") == 0) {
		fprintf(f, "%lld files, %s each, %s total\nCreating files for the test...\n",
			o->num, size_str(file_size, a, sizeof(a)),
			size_str(file_size * (uint64_t)o->num, b, sizeof(b)));
		fprintf(f, "Extra file open flags: %s\n", flags_str(o->extra_flags, c, sizeof(c)));
		return;
	}
	fprintf(f, "Extra file open flags: %s\n", flags_str(o->extra_flags, c, sizeof(c)));
	fprintf(f, "%lld files, %s each\n", o->num, size_str(file_size, a, sizeof(a)));
	fprintf(f, "%s total file size\n", size_str(file_size * (uint64_t)o->num, a, sizeof(a)));
	fprintf(f, "Block size %s\n", size_str(o->block_size, a, sizeof(a)));
	if (!fileio_mode_is_seq(o->mode)) {
		fprintf(f, "Number of IO requests: %lld\n", run->common.events);
		fprintf(f, "Read/Write ratio for combined random IO test: %.2f\n", o->rw_ratio);
	}
	if (o->fsync_all)
		fprintf(f, "Calling fsync() after each write operation.\n");
	else if (o->fsync_freq > 0)
		fprintf(f, "Periodic FSYNC enabled, calling fsync() each %lld requests.\n",
			o->fsync_freq);
	else
		fprintf(f, "Periodic FSYNC disabled.\n");
	fprintf(f, "Calling fsync() at the end of test, %s.\n",
		o->fsync_end && !o->fsync_all ? "Enabled" : "Disabled");
	if (o->io_mode == 0)
		fprintf(f, "Using synchronous I/O mode\n");
	else if (o->io_mode == 2)
		fprintf(f, "Using mmap() I/O mode\n");
	else
		fprintf(f, "Using io_uring I/O mode (queue depth %lld)\n", o->depth);
	if (o->mode != FIO_MODE_NONE)
		fprintf(f, "Doing %s test\n", mode_text[o->mode]);
}

static void fileio_text(const struct ob_run *run, FILE *f)
{
	struct totals s = totals(run);
	double el = ob_ns_to_s(run->elapsed_ns);

	fprintf(f, "\nFile operations:\n");
	fprintf(f, "    reads/s:                      %.2f\n", (double)s.reads / el);
	fprintf(f, "    writes/s:                     %.2f\n", (double)s.writes / el);
	fprintf(f, "    fsyncs/s:                     %.2f\n\n", (double)s.fsyncs / el);
	fprintf(f, "Throughput:\n");
	fprintf(f, "    read, MiB/s:                  %.2f\n", (double)s.bytes_read / 1048576.0 / el);
	fprintf(f, "    written, MiB/s:               %.2f\n\n",
		(double)s.bytes_written / 1048576.0 / el);
}

static void set_int(json_t *root, const char *key, uint64_t v)
{
	json_object_set_new(root, key, json_integer((json_int_t)v));
}

static void set_real(json_t *root, const char *key, double v)
{
	json_object_set_new(root, key, json_real(v));
}

static void fileio_json(const struct ob_run *run, json_t *root)
{
	json_object_set_new(root, "fs_type", state.fs_type[0] ? json_string(state.fs_type) : json_null());
	if (state.validate && state.run_id != 0) { /* the write generation in the block headers */
		char id[17];

		snprintf(id, sizeof(id), "%016llx", (unsigned long long)state.run_id);
		json_object_set_new(root, "run_id", json_string(id));
	}
	if (strcmp(run->command, "prepare") == 0) {
		double el = ob_ns_to_s(state.prep_ns ? state.prep_ns : 1);

		set_real(root, "total_time_s", ob_ns_to_s(state.prep_ns));
		set_int(root, "bytes_written", state.prep_bytes);
		set_real(root, "written_mib_per_s", (double)state.prep_bytes / 1048576.0 / el);
		set_int(root, "files_created", state.created);
		set_int(root, "files_reused", state.reused);
	} else if (strcmp(run->command, "cleanup") == 0) {
		set_int(root, "files_removed", state.removed);
	} else {
		struct totals s = totals(run);
		double el = ob_ns_to_s(run->elapsed_ns ? run->elapsed_ns : 1);

		set_real(root, "reads_per_s", (double)s.reads / el);
		set_real(root, "writes_per_s", (double)s.writes / el);
		set_real(root, "fsyncs_per_s", (double)s.fsyncs / el);
		set_real(root, "read_mib_per_s", (double)s.bytes_read / 1048576.0 / el);
		set_real(root, "written_mib_per_s", (double)s.bytes_written / 1048576.0 / el);
		set_int(root, "reads", s.reads);
		set_int(root, "writes", s.writes);
		set_int(root, "fsyncs", s.fsyncs);
		set_int(root, "bytes_read", s.bytes_read);
		set_int(root, "bytes_written", s.bytes_written);
		if (state.o->prepare) /* not part of the figures above */
			set_real(root, "prepare_time_s", ob_ns_to_s(state.prep_ns));
	}
}

static const char *const fileio_commands[] = {"prepare", "run", "cleanup", NULL};

const struct ob_workload ob_workload = {
	.name = "fileio",
	.summary = "File I/O test: prepare, run and cleanup a set of test files (sysbench fileio)",
	.opts = fileio_opts,
	.opts_size = sizeof(struct fileio_opts),
	.commands = fileio_commands,
	.init = fileio_init,
	.command = fileio_command,
	.thread_init = fileio_thread_init,
	.next_event = fileio_next_event,
	.execute = fileio_execute,
	.completed = fileio_event_done,
	.thread_run = fileio_thread_run,
	.thread_done = fileio_thread_done,
	.thread_fini = fileio_thread_fini,
	.print_header = fileio_header,
	.report_text = fileio_text,
	.report_json = fileio_json,
	.fini = fileio_fini,
};
