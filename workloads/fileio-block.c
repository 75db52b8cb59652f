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

uint32_t fileio_crc32(uint32_t crc, const void *buf, size_t len)
{
	const unsigned char *p = buf;

	pthread_once(&crc_once, crc_init);
	crc = ~crc;
	while (len >= 8) {
		uint32_t lo, hi;

		memcpy(&lo, p, 4);
		memcpy(&hi, p + 4, 4);
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
		       uint64_t pos, uint64_t *seed)
{
	unsigned char *b = buf;

	for (uint64_t c = pos; c < pos + len;) {
		uint64_t n = chunk_len(l, c, pos + len);
		uint64_t valid = chunk_valid(l, c, n);
		unsigned char *p = b + (c - pos);

		memset(p + valid, 0, n - valid);
		if (valid >= FIO_BLOCK_HDR) {
			uint32_t magic = FIO_BLOCK_MAGIC, f = file, vl = (uint32_t)valid, crc;

			for (uint64_t i = FIO_BLOCK_HDR; i < valid; i += 8) {
				uint64_t r = mix_next(seed);

				memcpy(p + i, &r, valid - i < 8 ? valid - i : 8);
			}
			memcpy(p, &magic, 4);
			memcpy(p + 8, &f, 4);
			memcpy(p + 12, &vl, 4);
			memcpy(p + 16, &c, 8);
			crc = fileio_crc32(0, p + 8, valid - 8);
			memcpy(p + 4, &crc, 4);
		} else {
			memset(p, 0, valid);
		}
		c += n;
	}
}

int fileio_block_check(const struct fileio_layout *l, const void *buf, uint64_t len,
		       unsigned file, uint64_t pos, uint64_t *bad, const char **why)
{
	const unsigned char *b = buf;

	for (uint64_t c = pos; c < pos + len;) {
		uint64_t n = chunk_len(l, c, pos + len);
		uint64_t valid = chunk_valid(l, c, n);
		const unsigned char *p = b + (c - pos);
		uint32_t magic, crc, f, vl;
		uint64_t off;

		*bad = c;
		if (valid >= FIO_BLOCK_HDR) {
			memcpy(&magic, p, 4);
			memcpy(&crc, p + 4, 4);
			memcpy(&f, p + 8, 4);
			memcpy(&vl, p + 12, 4);
			memcpy(&off, p + 16, 8);
			if (magic != FIO_BLOCK_MAGIC) {
				*why = "no block header (was the file prepared with --validate?)";
				return -1;
			}
			if (crc != fileio_crc32(0, p + 8, valid - 8)) {
				*why = "checksum mismatch";
				return -1;
			}
			if (f != file || off != c || vl != valid) {
				*why = "block belongs elsewhere (header names another file, offset or length)";
				return -1;
			}
		}
		c += n;
	}
	return 0;
}
