/* fileio-mmap.c - the "mmap" engine (sysbench's mmap mode, 64-bit):
 * every file is mapped whole, shared and read-write, when the run opens
 * the set; a read or write is a memcpy from/to the mapping, and an fsync
 * event is msync(MS_SYNC | MS_INVALIDATE) over the whole mapping.  seqwr's
 * freshly created (empty) files are first grown to the file size with
 * ftruncate, as sysbench does. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "fileio-engine.h"

static void mmap_close(struct fileio_files *fs)
{
	unsigned char **maps = fs->priv;

	if (maps == NULL)
		return;
	for (unsigned i = 0; i < fs->num; i++)
		if (maps[i] != NULL)
			munmap(maps[i], fs->file_size);
	free(maps);
	fs->priv = NULL;
}

static int mmap_open(struct fileio_files *fs, struct ob_error *err)
{
	unsigned char **maps = calloc(fs->num, sizeof(*maps));

	if (maps == NULL)
		return ob_err(err, OB_EXIT_FAIL, ENOMEM, "allocating %u mappings", fs->num);
	fs->priv = maps;
	for (unsigned i = 0; i < fs->num; i++) {
		void *m;

		if (fs->grow && ftruncate(fs->fds[i], (off_t)fs->file_size) < 0)
			return ob_err(err, OB_EXIT_FAIL, errno, "ftruncate of '%s'", fs->paths[i]);
		m = mmap(NULL, fs->file_size, PROT_READ | PROT_WRITE, MAP_SHARED, fs->fds[i], 0);
		if (m == MAP_FAILED)
			return ob_err(err, OB_EXIT_FAIL, errno, "mmap of '%s'", fs->paths[i]);
		maps[i] = m;
	}
	return 0;
}

/* The measured work of one request. */
static int mmap_execute(struct fileio_files *fs, const struct ob_event *ev, void *buf,
			struct ob_error *err)
{
	unsigned char *m = ((unsigned char **)fs->priv)[ev->file] + ev->pos;

	(void)err;
	if (ev->op == FIO_OP_READ)
		memcpy(buf, m, ev->len);
	else
		memcpy(m, buf, ev->len);
	return 0;
}

static int mmap_fsync(struct fileio_files *fs, unsigned file, struct ob_error *err)
{
	unsigned char **maps = fs->priv;

	if (msync(maps[file], fs->file_size, MS_SYNC | MS_INVALIDATE) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "msync of '%s'", fs->paths[file]);
	return 0;
}

const struct fileio_engine fileio_mmap_engine = {
	.name = "mmap",
	.open = mmap_open,
	.execute = mmap_execute,
	.fsync = mmap_fsync,
	.close = mmap_close,
};
