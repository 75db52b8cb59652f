/* fileio-block.h - self-checking blocks for --validate.
 *
 * The file set is cut into chunks at multiples of the block size; a chunk
 * is min(block, file_size - start) bytes (shorter only at the end of a file
 * whose size is not a multiple of the block).  Every chunk written under
 * --validate (by prepare and by the write requests) starts with a header,
 * every field stored little-endian whatever the machine, so that a file
 * set prepared on one architecture validates on another:
 *
 *     offset 0  4 bytes  magic "OBF2" (format 2; "OBFI" was format 1)
 *            4  u32      CRC-32 (IEEE) of bytes 8 .. len-1
 *            8  u32      file number
 *           12  u32      chunk length
 *           16  u64      offset of the chunk in its file
 *           24  u64      run id of the process that wrote it
 *           32  u64      write sequence: the number of that write in its run
 *                        (1, 2, ...; prepare numbers its blocks the same way)
 *
 * followed by pseudo-random payload.  A read checks every chunk it covers;
 * a chunk shorter than the header carries no check.  Bytes past file_size
 * (the tail of prepare's last block) are zero.  The run id and sequence are
 * the write generation: a read that finds an older generation than the one
 * the run last wrote to the chunk has found a write that never happened.
 */
#ifndef OB_FILEIO_BLOCK_H
#define OB_FILEIO_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#define FIO_BLOCK_HDR 40u
#define FIO_BLOCK_MAGIC "OBF2"

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()); start with crc = 0. */
uint32_t fileio_crc32(uint32_t crc, const void *buf, size_t len);

struct fileio_layout {
	uint64_t block_size;
	uint64_t file_size;
};

/* A write generation: which process wrote a chunk, and its how-many-th write. */
struct fileio_wgen {
	uint64_t run_id;
	uint64_t seq;
};

/* What the running process expects to find: for every chunk of the set
 * (file * chunks_per_file + offset / block), the sequence of its last
 * completed write in this run (done) and of its last issued one (issued),
 * 0 where there is none.  A chunk must hold a write of this run between
 * the two (a write still in flight may or may not have landed), or, while
 * no write of this run to it has completed, one of an earlier run. */
struct fileio_expect {
	uint64_t run_id;
	const uint64_t *done;
	const uint64_t *issued;
	uint64_t chunks_per_file;
};

/* Fill buf, which will be written at (file, pos) with len bytes, as write
 * gen.  *seed is the caller's payload generator state (advanced). */
void fileio_block_fill(const struct fileio_layout *l, void *buf, uint64_t len, unsigned file,
		       uint64_t pos, const struct fileio_wgen *gen, uint64_t *seed);

/* Check buf, read from (file, pos) with len bytes; with want (may be NULL),
 * also each chunk's generation.  Returns 0, or -1 with *bad set to the
 * offset (in the file) of the first bad chunk, *why to a static
 * description and *found to the generation its header names (0s if none). */
int fileio_block_check(const struct fileio_layout *l, const void *buf, uint64_t len,
		       unsigned file, uint64_t pos, const struct fileio_expect *want,
		       uint64_t *bad, const char **why, struct fileio_wgen *found);

#endif
