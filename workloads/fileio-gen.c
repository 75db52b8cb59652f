/* fileio-gen.c - see fileio-gen.h */
#include "fileio-gen.h"

void fileio_gen_init(struct fileio_gen *g, int mode, unsigned num_files, uint64_t file_size,
		     uint64_t block_size, uint64_t merged, uint64_t fsync_freq, double rw_ratio)
{
	*g = (struct fileio_gen){
		.mode = mode,
		.num_files = num_files,
		.file_size = file_size,
		.block_size = block_size,
		.req_size = merged > 0 ? block_size * merged : block_size,
		.fsync_freq = fsync_freq,
		.rw_ratio = rw_ratio,
	};
}

static int pick_op(const struct fileio_gen *g, uint64_t reads_done, uint64_t writes_done)
{
	switch (g->mode) {
	case FIO_SEQRD:
	case FIO_RNDRD:
		return FIO_OP_READ;
	case FIO_RNDRW:
		return (double)(reads_done + 1) / (double)(writes_done + 1) < g->rw_ratio
			       ? FIO_OP_READ
			       : FIO_OP_WRITE;
	default:
		return FIO_OP_WRITE;
	}
}

static uint64_t min_u64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

void fileio_gen_next(struct fileio_gen *g, struct ob_rand *rng, uint64_t reads_done,
		     uint64_t writes_done, struct ob_event *ev)
{
	int op = pick_op(g, reads_done, writes_done);

	/* A burst of fsync events, one per file, in place of I/O requests. */
	if (g->fsync_freq != 0 && g->dirty && g->requests % g->fsync_freq == 0) {
		*ev = (struct ob_event){.op = FIO_OP_FSYNC, .file = g->fsync_file};
		if (++g->fsync_file == g->num_files) {
			g->fsync_file = 0;
			g->dirty = false;
		}
		return;
	}
	g->requests++;
	if (op == FIO_OP_WRITE)
		g->dirty = true;
	ev->op = op;
	if (fileio_mode_is_seq(g->mode)) {
		if (g->file == g->num_files) {
			g->file = 0;
			g->pos = 0;
		}
		ev->file = g->file;
		ev->pos = g->pos;
		ev->len = min_u64(g->req_size, g->file_size - g->pos);
		g->pos += ev->len;
		if (g->pos >= g->file_size) {
			g->file++;
			g->pos = 0;
		}
	} else {
		uint64_t total = g->file_size * g->num_files;
		uint64_t v = (uint64_t)(ob_rand_uniform(rng) * (double)total);

		if (v >= total) /* u < 1, but guard against rounding */
			v = total - 1;
		v -= v % g->block_size;
		ev->file = (unsigned)(v / g->file_size);
		ev->pos = v % g->file_size;
		ev->len = min_u64(g->block_size, g->file_size - ev->pos);
	}
}
