/* Unit tests of the fileio request generator (sysbench 1.0.20's counting
 * rules, WORKLOADS.md section 4) and of the --validate block format. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "fileio-block.h"
#include "fileio-gen.h"

#define KiB 1024u
#define MiB (1024u * 1024u)

struct counts {
	uint64_t reads, writes, fsyncs;
};

/* One thread, --events=n: what the harness loop and the generator do
 * (operations complete before the next request, as with the sync engine). */
static struct counts simulate(int mode, uint64_t n, uint64_t freq)
{
	struct fileio_gen g;
	struct ob_rand rng;
	struct counts c = {0};

	ob_rand_seed_all(42);
	ob_rand_init(&rng);
	fileio_gen_init(&g, mode, 4, 1 * MiB, 16 * KiB, 0, freq, 1.5);
	for (uint64_t i = 0; i < n; i++) {
		struct ob_event ev;

		fileio_gen_next(&g, &rng, c.reads, c.writes, &ev);
		if (ev.op == FIO_OP_READ)
			c.reads++;
		else if (ev.op == FIO_OP_WRITE)
			c.writes++;
		else
			c.fsyncs++;
	}
	return c;
}

static void test_counting_checks(void **state)
{
	struct counts c;

	(void)state;
	/* rndwr --events=1000: 964 writes, 36 periodic fsyncs (9 bursts of 4) */
	c = simulate(FIO_RNDWR, 1000, 100);
	assert_int_equal(c.writes, 964);
	assert_int_equal(c.fsyncs, 36);
	/* seqwr --events=300: 292 writes, 8 periodic fsyncs (+4 at the end) */
	c = simulate(FIO_SEQWR, 300, 100);
	assert_int_equal(c.writes, 292);
	assert_int_equal(c.fsyncs, 8);
	/* rndrw 1000: 578 reads, 386 writes, 36 periodic fsyncs */
	c = simulate(FIO_RNDRW, 1000, 100);
	assert_int_equal(c.reads, 578);
	assert_int_equal(c.writes, 386);
	assert_int_equal(c.fsyncs, 36);
	/* freq 0: no periodic fsync; read-only modes never fsync */
	c = simulate(FIO_RNDWR, 1000, 0);
	assert_int_equal(c.writes, 1000);
	assert_int_equal(c.fsyncs, 0);
	c = simulate(FIO_RNDRD, 1000, 100);
	assert_int_equal(c.reads, 1000);
	assert_int_equal(c.fsyncs, 0);
	c = simulate(FIO_SEQRD, 1000, 1);
	assert_int_equal(c.fsyncs, 0);
}

/* The fsync burst comes after request 100, covers every file once, in order. */
static void test_fsync_burst(void **state)
{
	struct fileio_gen g;
	struct ob_rand rng = {{1, 2}};
	struct ob_event ev;

	(void)state;
	fileio_gen_init(&g, FIO_SEQREWR, 4, 1 * MiB, 16 * KiB, 0, 100, 1.5);
	for (int i = 0; i < 100; i++) {
		fileio_gen_next(&g, &rng, 0, 0, &ev);
		assert_int_equal(ev.op, FIO_OP_WRITE);
	}
	for (unsigned f = 0; f < 4; f++) {
		fileio_gen_next(&g, &rng, 0, 0, &ev);
		assert_int_equal(ev.op, FIO_OP_FSYNC);
		assert_int_equal(ev.file, f);
	}
	fileio_gen_next(&g, &rng, 0, 0, &ev);
	assert_int_equal(ev.op, FIO_OP_WRITE);
	assert_int_equal(g.requests, 101);
}

/* One global cursor: files in turn, wrap to file 0; a short last request. */
static void test_seq_cursor(void **state)
{
	struct fileio_gen g;
	struct ob_rand rng = {{1, 2}};
	struct ob_event ev;

	(void)state;
	fileio_gen_init(&g, FIO_SEQRD, 3, 40 * KiB, 16 * KiB, 0, 100, 1.5);
	for (unsigned f = 0; f < 3; f++) {
		static const uint64_t pos[] = {0, 16 * KiB, 32 * KiB}, len[] = {16 * KiB, 16 * KiB, 8 * KiB};

		for (int i = 0; i < 3; i++) {
			fileio_gen_next(&g, &rng, 0, 0, &ev);
			assert_int_equal(ev.op, FIO_OP_READ);
			assert_int_equal(ev.file, f);
			assert_int_equal(ev.pos, pos[i]);
			assert_int_equal(ev.len, len[i]);
		}
	}
	fileio_gen_next(&g, &rng, 0, 0, &ev);
	assert_int_equal(ev.file, 0);
	assert_int_equal(ev.pos, 0);
	/* merged requests: block x merged per sequential request */
	fileio_gen_init(&g, FIO_SEQWR, 2, 1 * MiB, 16 * KiB, 4, 0, 1.5);
	fileio_gen_next(&g, &rng, 0, 0, &ev);
	fileio_gen_next(&g, &rng, 0, 0, &ev);
	assert_int_equal(ev.pos, 64 * KiB);
	assert_int_equal(ev.len, 64 * KiB);
}

/* Random requests: block-aligned, inside the set, all files reached. */
static void test_random(void **state)
{
	struct fileio_gen g;
	struct ob_rand rng;
	struct ob_event ev;
	unsigned seen[4] = {0};

	(void)state;
	ob_rand_seed_all(7);
	ob_rand_init(&rng);
	fileio_gen_init(&g, FIO_RNDRD, 4, 1 * MiB, 16 * KiB, 8, 100, 1.5);
	for (int i = 0; i < 4000; i++) {
		fileio_gen_next(&g, &rng, 0, 0, &ev);
		assert_true(ev.file < 4);
		assert_int_equal(ev.pos % (16 * KiB), 0);
		assert_true(ev.pos < 1 * MiB);
		assert_int_equal(ev.len, 16 * KiB); /* merging is for sequential modes */
		seen[ev.file]++;
	}
	for (int f = 0; f < 4; f++)
		assert_true(seen[f] > 800);
}

static void test_crc32(void **state)
{
	static const char s[] = "123456789";

	(void)state;
	assert_int_equal(fileio_crc32(0, s, 9), 0xcbf43926u);
	assert_int_equal(fileio_crc32(fileio_crc32(0, s, 4), s + 4, 5), 0xcbf43926u);
	assert_int_equal(fileio_crc32(0, s, 0), 0);
}

static void test_blocks(void **state)
{
	const struct fileio_layout l = {.block_size = 4 * KiB, .file_size = 40 * KiB};
	const struct fileio_wgen gen = {.run_id = 0x1122334455667788ull, .seq = 7};
	unsigned char *buf = malloc(16 * KiB);
	uint64_t seed = 1, bad = 0;
	const char *why = NULL;
	struct fileio_wgen found;

	(void)state;
	/* a 3-block write checks as a whole and block by block */
	fileio_block_fill(&l, buf, 12 * KiB, 2, 8 * KiB, &gen, &seed);
	assert_int_equal(fileio_block_check(&l, buf, 12 * KiB, 2, 8 * KiB, NULL, &bad, &why, &found), 0);
	assert_int_equal(fileio_block_check(&l, buf + 4 * KiB, 4 * KiB, 2, 12 * KiB, NULL, &bad, &why, &found), 0);
	/* the header is little-endian on every machine, with the format in the magic */
	assert_memory_equal(buf, "OBF2", 4);
	assert_int_equal(buf[8], 2);
	assert_int_equal(buf[17], 0x20); /* offset 8 KiB = 0x2000 */
	assert_int_equal(buf[24], 0x88);
	assert_int_equal(buf[31], 0x11);
	assert_int_equal(buf[32], 7);
	/* the same bytes at another offset or file do not */
	assert_int_equal(fileio_block_check(&l, buf, 4 * KiB, 2, 0, NULL, &bad, &why, &found), -1);
	assert_int_equal(fileio_block_check(&l, buf, 4 * KiB, 3, 8 * KiB, NULL, &bad, &why, &found), -1);
	/* one flipped payload byte is found, with the block's offset */
	buf[4 * KiB + 1000] ^= 1;
	assert_int_equal(fileio_block_check(&l, buf, 12 * KiB, 2, 8 * KiB, NULL, &bad, &why, &found), -1);
	assert_int_equal(bad, 12 * KiB);
	assert_string_equal(why, "checksum mismatch");
	/* zeros (a file prepared without --validate) have no header */
	memset(buf, 0, 4 * KiB);
	assert_int_equal(fileio_block_check(&l, buf, 4 * KiB, 0, 0, NULL, &bad, &why, &found), -1);
	/* format 1 (native-order magic "OBFI") is refused with its own reason */
	memcpy(buf, "OBFI", 4);
	assert_int_equal(fileio_block_check(&l, buf, 4 * KiB, 0, 0, NULL, &bad, &why, &found), -1);
	assert_non_null(strstr(why, "format 1"));
	free(buf);
}

/* The write generation: a read must find the run's last write to a block. */
static void test_generations(void **state)
{
	const struct fileio_layout l = {.block_size = 4 * KiB, .file_size = 16 * KiB};
	uint64_t table[2 * 4] = {0}, issued[2 * 4] = {0}; /* 2 files x 4 chunks */
	const struct fileio_expect want = {.run_id = 42, .done = table, .issued = issued,
					   .chunks_per_file = 4};
	const struct fileio_wgen old = {.run_id = 41, .seq = 3}, w5 = {.run_id = 42, .seq = 5},
				 w9 = {.run_id = 42, .seq = 9};
	unsigned char buf[4 * KiB];
	uint64_t seed = 3, bad;
	const char *why;
	struct fileio_wgen found;

	(void)state;
	/* prepared by another run, not written by this one: fine */
	fileio_block_fill(&l, buf, 4 * KiB, 1, 8 * KiB, &old, &seed);
	assert_int_equal(fileio_block_check(&l, buf, 4 * KiB, 1, 8 * KiB, &want, &bad, &why, &found), 0);
	/* write 5 issued there, still in flight: the old block may still be there */
	issued[1 * 4 + 2] = 5;
	assert_int_equal(fileio_block_check(&l, buf, 4 * KiB, 1, 8 * KiB, &want, &bad, &why, &found), 0);
	/* write 5 completed: the old block is a write that never landed */
	table[1 * 4 + 2] = 5;
	assert_int_equal(fileio_block_check(&l, buf, 4 * KiB, 1, 8 * KiB, &want, &bad, &why, &found), -1);
	assert_non_null(strstr(why, "stale"));
	assert_int_equal(found.run_id, 41);
	assert_int_equal(found.seq, 3);
	fileio_block_fill(&l, buf, 4 * KiB, 1, 8 * KiB, &w5, &seed);
	assert_int_equal(fileio_block_check(&l, buf, 4 * KiB, 1, 8 * KiB, &want, &bad, &why, &found), 0);
	/* write 9 issued: write 5's bytes are fine until it completes */
	issued[1 * 4 + 2] = 9;
	assert_int_equal(fileio_block_check(&l, buf, 4 * KiB, 1, 8 * KiB, &want, &bad, &why, &found), 0);
	table[1 * 4 + 2] = 9;
	assert_int_equal(fileio_block_check(&l, buf, 4 * KiB, 1, 8 * KiB, &want, &bad, &why, &found), -1);
	fileio_block_fill(&l, buf, 4 * KiB, 1, 8 * KiB, &w9, &seed);
	assert_int_equal(fileio_block_check(&l, buf, 4 * KiB, 1, 8 * KiB, &want, &bad, &why, &found), 0);
	/* a block naming this run where it wrote nothing */
	fileio_block_fill(&l, buf, 4 * KiB, 0, 0, &w9, &seed);
	assert_int_equal(fileio_block_check(&l, buf, 4 * KiB, 0, 0, &want, &bad, &why, &found), -1);
}

/* A file size that is not a multiple of the block: the last chunk is short,
 * and prepare's full last block is zero past the end of the file. */
static void test_short_tail(void **state)
{
	const struct fileio_layout l = {.block_size = 4 * KiB, .file_size = 10 * KiB};
	const struct fileio_wgen gen = {.run_id = 1, .seq = 1};
	unsigned char buf[4 * KiB];
	uint64_t seed = 9, bad;
	const char *why;
	struct fileio_wgen found;

	(void)state;
	fileio_block_fill(&l, buf, 4 * KiB, 0, 8 * KiB, &gen, &seed); /* prepare's block */
	assert_int_equal(buf[2 * KiB], 0);
	assert_int_equal(fileio_block_check(&l, buf, 2 * KiB, 0, 8 * KiB, NULL, &bad, &why, &found), 0);
	fileio_block_fill(&l, buf, 2 * KiB, 0, 8 * KiB, &gen, &seed); /* a run's write */
	assert_int_equal(fileio_block_check(&l, buf, 2 * KiB, 0, 8 * KiB, NULL, &bad, &why, &found), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_counting_checks),
		cmocka_unit_test(test_fsync_burst),
		cmocka_unit_test(test_seq_cursor),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_crc32),
		cmocka_unit_test(test_blocks),
		cmocka_unit_test(test_generations),
		cmocka_unit_test(test_short_tail),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
