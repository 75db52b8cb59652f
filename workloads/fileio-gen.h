/* fileio-gen.h - sysbench 1.0.20's fileio request generator.
 *
 * One generator is shared by all threads; the caller holds one lock around
 * fileio_gen_next() (sysbench's single mutex).  Pure logic, no I/O, so the
 * counting rules are unit-tested (tests/unit/test-fileio.c).
 *
 *  - sequential modes: one global cursor (file, pos) from (0, 0); a request
 *    is min(req_size, file_size - pos); next file at the end of a file,
 *    file 0 after the last one.
 *  - random modes: u in [0,1) from the calling thread's RNG, value =
 *    floor(u * num * file_size) rounded down to a block; file = value /
 *    file_size, pos = value % file_size; size min(block, file_size - pos).
 *    rndrw: a read when (reads_done+1)/(writes_done+1) < rw_ratio (completed
 *    operations, as sysbench counts them).
 *  - periodic fsync: R counts read/write requests; a write sets "dirty".
 *    When dirty and R % fsync_freq == 0, the generator returns fsync events
 *    for files 0..num-1 in turn (R unchanged), one per call, and clears
 *    dirty after the last file: a burst of num fsyncs after every fsync_freq
 *    requests.
 */
#ifndef OB_FILEIO_GEN_H
#define OB_FILEIO_GEN_H

#include <stdbool.h>
#include <stdint.h>

#include "ob-rand.h"
#include "workload.h"

/* --file-test-mode, in the order of the option's choices. */
enum fileio_mode {
	FIO_MODE_NONE,
	FIO_SEQWR,
	FIO_SEQREWR,
	FIO_SEQRD,
	FIO_RNDRD,
	FIO_RNDWR,
	FIO_RNDRW,
};

/* struct ob_event.op */
enum fileio_op { FIO_OP_READ, FIO_OP_WRITE, FIO_OP_FSYNC };

struct fileio_gen {
	/* parameters */
	int mode;
	unsigned num_files;
	uint64_t file_size;
	uint64_t block_size;
	uint64_t req_size;   /* sequential request: block x merged (or block) */
	uint64_t fsync_freq; /* 0: no periodic fsync */
	double rw_ratio;
	/* state */
	unsigned file;       /* sequential cursor */
	uint64_t pos;
	uint64_t requests;   /* R: read/write requests issued */
	bool dirty;
	unsigned fsync_file; /* round-robin cursor of a burst */
};

void fileio_gen_init(struct fileio_gen *g, int mode, unsigned num_files, uint64_t file_size,
		     uint64_t block_size, uint64_t merged, uint64_t fsync_freq, double rw_ratio);

static inline bool fileio_mode_is_seq(int mode)
{
	return mode == FIO_SEQWR || mode == FIO_SEQREWR || mode == FIO_SEQRD;
}

static inline bool fileio_mode_writes(int mode)
{
	return mode != FIO_SEQRD && mode != FIO_RNDRD && mode != FIO_MODE_NONE;
}

/* The next request.  reads_done / writes_done: operations completed so far
 * by all threads (only rndrw looks at them). */
void fileio_gen_next(struct fileio_gen *g, struct ob_rand *rng, uint64_t reads_done,
		     uint64_t writes_done, struct ob_event *ev);

#endif
