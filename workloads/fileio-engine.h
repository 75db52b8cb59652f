/* fileio-engine.h - the I/O engines of ocibench-fileio (fio's model).
 *
 * One file per engine, each defining one const struct fileio_engine;
 * fileio.c finds them by name in an explicit table (fileio_engines[]).
 * fileio.c owns the file set (opened, size-checked), the request generator,
 * the counters and --validate; an engine only moves bytes.
 *
 *  sync      pread/pwrite, fsync/fdatasync (fileio-sync.c)
 *  mmap      memcpy to/from MAP_SHARED mappings, msync(MS_SYNC|MS_INVALIDATE)
 *            as fsync (fileio-mmap.c)
 *  io_uring  liburing, --file-io-depth requests in flight per thread; drives
 *            its own loop through thread_run (fileio-uring.c)
 */
#ifndef OB_FILEIO_ENGINE_H
#define OB_FILEIO_ENGINE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "fileio-gen.h"
#include "workload.h"

/* The open file set of a run, owned by fileio.c. */
struct fileio_files {
	unsigned num;
	uint64_t file_size;
	uint64_t req_size;   /* largest request: buffers are this big */
	unsigned depth;      /* --file-io-depth (io_uring) */
	bool fdatasync;      /* --file-fsync-mode=fdatasync */
	bool fsync_all;      /* --file-fsync-all: each write's event ends with its fsync */
	bool grow;           /* seqwr: the files were just created empty */
	int *fds;            /* read-write, --file-extra-flags applied */
	char **paths;        /* for messages */
	void *priv;          /* the engine's (mmap: the mappings) */
};

/* Per-thread state, owned by fileio.c (ob_thread.priv). */
struct fileio_thread {
	/* completed operations: written by the owner only, read by the rndrw
	 * generator of any thread (relaxed atomics: plain loads and stores) */
	_Atomic uint64_t reads, writes;
	uint64_t fsyncs, bytes_read, bytes_written;
	void *buf;           /* page-aligned, req_size bytes (sync engines) */
	uint64_t seed;       /* --validate payload generator */
	void *priv;          /* the engine's */
};

struct fileio_engine {
	const char *name;
	/* After the files are open: set up fs->priv.  Optional. */
	int (*open)(struct fileio_files *fs, struct ob_error *err);
	/* Per-thread set-up (ft->priv), untimed.  Optional. */
	int (*thread_init)(struct ob_thread *t, struct fileio_files *fs, struct ob_error *err);
	/* One synchronous read or write of ev->len bytes at (ev->file,
	 * ev->pos) into/from buf: the measured work.  NULL with thread_run. */
	int (*execute)(struct fileio_files *fs, const struct ob_event *ev, void *buf,
		       struct ob_error *err);
	/* fsync (or fdatasync) one file. */
	int (*fsync)(struct fileio_files *fs, unsigned file, struct ob_error *err);
	/* Asynchronous engines: the whole event loop of a thread. */
	int (*thread_run)(struct ob_thread *t, struct fileio_files *fs, struct ob_error *err);
	void (*thread_fini)(struct ob_thread *t, struct fileio_files *fs);
	void (*close)(struct fileio_files *fs);
};

extern const struct fileio_engine fileio_sync_engine;
extern const struct fileio_engine fileio_mmap_engine;
extern const struct fileio_engine fileio_uring_engine;

/* Shared by the engines (fileio-sync.c): fsync or fdatasync of fs->fds[file]. */
int fileio_fd_fsync(struct fileio_files *fs, unsigned file, struct ob_error *err);
/* A short or failed transfer: ret is the byte count or -errno. */
int fileio_io_error(struct fileio_files *fs, const struct ob_event *ev, long long ret,
		    struct ob_error *err);

/* ---- services of fileio.c for engines with their own loop ---------------- */

/* The next request (untimed): generator under the shared lock; for a
 * --validate write, buf is filled with checked blocks of the next write
 * generation (ev->seq). */
void fileio_next(struct ob_thread *t, struct ob_event *ev, void *buf);
/* The fsync of one file, synchronous: the measured work of an fsync event
 * (and of a write's end under --file-fsync-all).  The caller times it. */
int fileio_fsync(unsigned file, struct ob_error *err);
/* An event (read, write, fsync) completed: count it, record a write's
 * generation and check a --validate read.  Untimed: call it after the
 * span has ended. */
int fileio_completed(struct ob_thread *t, const struct ob_event *ev, const void *buf,
		     struct ob_error *err);

#endif
