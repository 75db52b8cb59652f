/* fileio-block.h - self-checking blocks for --validate.
 *
 * The file set is cut into chunks at multiples of the block size; a chunk
 * is min(block, file_size - start) bytes (shorter only at the end of a file
 * whose size is not a multiple of the block).  Every chunk written under
 * --validate (by prepare and by the write requests) starts with a header
 *
 *     offset 0  u32 magic "OBFI"
 *            4  u32 CRC-32 (IEEE) of bytes 8 .. len-1
 *            8  u32 file number
 *           12  u32 chunk length
 *           16  u64 offset of the chunk in its file
 *
 * followed by pseudo-random payload (all little-endian, native order on
 * the supported targets).  A read checks every chunk it covers; a chunk
 * shorter than the header carries no check.  Bytes past file_size (the tail
 * of prepare's last block) are zero.
 */
#ifndef OB_FILEIO_BLOCK_H
#define OB_FILEIO_BLOCK_H

#include <stddef.h>
#include <stdint.h>

#define FIO_BLOCK_HDR 24u
#define FIO_BLOCK_MAGIC 0x4946424fu /* "OBFI" */

/* CRC-32 (IEEE 802.3, reflected, as zlib's crc32()); start with crc = 0. */
uint32_t fileio_crc32(uint32_t crc, const void *buf, size_t len);

struct fileio_layout {
	uint64_t block_size;
	uint64_t file_size;
};

/* Fill buf, which will be written at (file, pos) with len bytes.  *seed is
 * the caller's payload generator state (any value; it is advanced). */
void fileio_block_fill(const struct fileio_layout *l, void *buf, uint64_t len, unsigned file,
		       uint64_t pos, uint64_t *seed);

/* Check buf, read from (file, pos) with len bytes.  Returns 0, or -1 with
 * *bad set to the offset (in the file) of the first bad chunk and *why to a
 * static description. */
int fileio_block_check(const struct fileio_layout *l, const void *buf, uint64_t len,
		       unsigned file, uint64_t pos, uint64_t *bad, const char **why);

#endif
