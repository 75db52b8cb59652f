/* fileio-block.c - see fileio-block.h */
#include "fileio-block.h"

#include <pthread.h>
#include <string.h>

/* Slicing-by-8 tables, built once. */
static uint32_t crc_table[8][256];
static pthread_once_t crc_once = PTHREAD_ONCE_INIT;

static void crc_init(void)
{
	for (uint32_t i = 0; i < 256; i++) {
		uint32_t c = i;

		for (int k = 0; k < 8; k++)
			c = (c & 1) ? 0xedb88320u ^ (c >> 1) : c >> 1;
		crc_table[0][i] = c;
	}
	for (uint32_t i = 0; i < 256; i++)
		for (int t = 1; t < 8; t++)
			crc_table[t][i] = (crc_table[t - 1][i] >> 8) ^
					  crc_table[0][crc_table[t - 1][i] & 0xff];
}

static uint64_t get_le(const unsigned char *p, int bytes)
{
	uint64_t v = 0;

	for (int i = 0; i < bytes; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}

uint32_t fileio_crc32(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	pthread_once(&crc_once, crc_init);
	crc = ~crc;
	while (len >= 8) {
		uint32_t lo, hi;

		/* slicing-by-8 takes the bytes in little-endian order: loaded
		 * as such, the result is the same CRC on a big-endian machine */
		lo = (uint32_t)get_le(p, 4);
		hi = (uint32_t)get_le(p + 4, 4);
		lo ^= crc;
		crc = crc_table[7][lo & 0xff] ^ crc_table[6][(lo >> 8) & 0xff] ^
		      crc_table[5][(lo >> 16) & 0xff] ^ crc_table[4][lo >> 24] ^
		      crc_table[3][hi & 0xff] ^ crc_table[2][(hi >> 8) & 0xff] ^
		      crc_table[1][(hi >> 16) & 0xff] ^ crc_table[0][hi >> 24];
		p += 8;
		len -= 8;
	}
	while (len-- > 0)
		crc = crc_table[0][(crc ^ *p++) & 0xff] ^ (crc >> 8);
	return ~crc;
}

/* splitmix64: a cheap payload generator. */
static uint64_t mix_next(uint64_t *s)
{
	uint64_t z = (*s += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Header fields: little-endian byte by byte, on every machine. */
static void put_le(unsigned char *p, uint64_t v, int bytes)
{
	for (int i = 0; i < bytes; i++)
		p[i] = (unsigned char)(v >> (8 * i));
}


/* Length of the chunk starting at c, within a request ending at end. */
static uint64_t chunk_len(const struct fileio_layout *l, uint64_t c, uint64_t end)
{
	uint64_t n = l->block_size - c % l->block_size;

	return n < end - c ? n : end - c;
}

/* Bytes of a chunk of n bytes at c that carry data (below file_size). */
static uint64_t chunk_valid(const struct fileio_layout *l, uint64_t c, uint64_t n)
{
	if (c >= l->file_size)
		return 0;
	return n < l->file_size - c ? n : l->file_size - c;
}

void fileio_block_fill(const struct fileio_layout *l, void *buf, uint64_t len, unsigned file,
		       uint64_t pos, const struct fileio_wgen *gen, uint64_t *seed)
{
	unsigned char *b = buf;

	for (uint64_t c = pos; c < pos + len;) {
		uint64_t n = chunk_len(l, c, pos + len);
		uint64_t valid = chunk_valid(l, c, n);
		unsigned char *p = b + (c - pos);

		memset(p + valid, 0, n - valid);
		if (valid >= FIO_BLOCK_HDR) {
			for (uint64_t i = FIO_BLOCK_HDR; i < valid; i += 8) {
				uint64_t r = mix_next(seed);

				memcpy(p + i, &r, valid - i < 8 ? valid - i : 8);
			}
			memcpy(p, FIO_BLOCK_MAGIC, 4);
			put_le(p + 8, file, 4);
			put_le(p + 12, valid, 4);
			put_le(p + 16, c, 8);
			put_le(p + 24, gen->run_id, 8);
			put_le(p + 32, gen->seq, 8);
			put_le(p + 4, fileio_crc32(0, p + 8, valid - 8), 4);
		} else {
			memset(p, 0, valid);
		}
		c += n;
	}
}

/* One chunk of valid >= FIO_BLOCK_HDR bytes at c: NULL if good. */
static const char *check_chunk(const struct fileio_layout *l, const unsigned char *p,
			       uint64_t valid, unsigned file, uint64_t c,
			       const struct fileio_expect *want, struct fileio_wgen *found)
{
	uint64_t k, done, issued;

	if (memcmp(p, FIO_BLOCK_MAGIC, 4) != 0) {
		/* format 1 stored its magic "OBFI" as a native integer */
		if (memcmp(p, "OBFI", 4) == 0 || memcmp(p, "IFBO", 4) == 0)
			return "block header of format 1 (an older ocibench-fileio): run prepare --validate again";
		return "no block header (was the file prepared with --validate?)";
	}
	if (get_le(p + 4, 4) != fileio_crc32(0, p + 8, valid - 8))
		return "checksum mismatch";
	found->run_id = get_le(p + 24, 8);
	found->seq = get_le(p + 32, 8);
	if (get_le(p + 8, 4) != file || get_le(p + 16, 8) != c || get_le(p + 12, 4) != valid)
		return "block belongs elsewhere (header names another file, offset or length)";
	if (want == NULL)
		return NULL;
	k = file * want->chunks_per_file + c / l->block_size;
	done = want->done[k];
	issued = want->issued[k];
	if (found->run_id != want->run_id)
		return done == 0 ? NULL
				 : "stale block: it does not hold this run's last write to it (a write that never reached the file)";
	if (found->seq > issued || found->seq == 0)
		return "block names a write of this run that was never made to it";
	if (found->seq < done)
		return "stale block: it does not hold this run's last write to it (a write that never reached the file)";
	return NULL;
}

int fileio_block_check(const struct fileio_layout *l, const void *buf, uint64_t len,
		       unsigned file, uint64_t pos, const struct fileio_expect *want,
		       uint64_t *bad, const char **why, struct fileio_wgen *found)
{
	const unsigned char *b = buf;

	for (uint64_t c = pos; c < pos + len;) {
		uint64_t n = chunk_len(l, c, pos + len);
		uint64_t valid = chunk_valid(l, c, n);

		*bad = c;
		*found = (struct fileio_wgen){0, 0};
		if (valid >= FIO_BLOCK_HDR) {
			*why = check_chunk(l, b + (c - pos), valid, file, c, want, found);
			if (*why != NULL)
				return -1;
		}
		c += n;
	}
	return 0;
}
