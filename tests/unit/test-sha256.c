/* Unit tests of runner/oci/ob-sha256.c: FIPS 180-4 example vectors, every split of
 * the input across block boundaries, and ob_sha256_file. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "ob-sha256.h"

static void hash(const void *data, size_t len, char hex[OB_SHA256_HEX_LEN + 1])
{
	unsigned char d[OB_SHA256_LEN];
	struct ob_sha256 s;

	ob_sha256_init(&s);
	ob_sha256_update(&s, data, len);
	ob_sha256_final(&s, d);
	ob_sha256_hex(d, hex);
}

static void test_vectors(void **state)
{
	char hex[OB_SHA256_HEX_LEN + 1];
	const char *two = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	(void)state;
	hash("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	hash("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	hash(two, strlen(two), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_million_a_in_pieces(void **state)
{
	char *a = malloc(1000000);
	char hex[OB_SHA256_HEX_LEN + 1];
	unsigned char d[OB_SHA256_LEN];
	struct ob_sha256 s;
	size_t off = 0, step = 1;

	(void)state;
	assert_non_null(a);
	memset(a, 'a', 1000000);
	ob_sha256_init(&s);
	/* uneven pieces: partial blocks, whole blocks and mixtures */
	while (off < 1000000) {
		size_t n = step < 1000000 - off ? step : 1000000 - off;

		ob_sha256_update(&s, a + off, n);
		off += n;
		step = step * 7 % 1000 + 1;
	}
	ob_sha256_final(&s, d);
	ob_sha256_hex(d, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(a);
}

/* lengths around the padding boundary (55, 56, 63, 64, 65 bytes): split and
 * whole-buffer hashing agree */
static void test_padding_boundaries(void **state)
{
	unsigned char buf[200];
	char one[OB_SHA256_HEX_LEN + 1], split[OB_SHA256_HEX_LEN + 1];

	(void)state;
	for (size_t i = 0; i < sizeof(buf); i++)
		buf[i] = (unsigned char)(i * 31 + 7);
	for (size_t len = 50; len < 140; len++) {
		for (size_t cut = 0; cut <= len; cut += 13) {
			unsigned char d[OB_SHA256_LEN];
			struct ob_sha256 s;

			hash(buf, len, one);
			ob_sha256_init(&s);
			ob_sha256_update(&s, buf, cut);
			ob_sha256_update(&s, buf + cut, len - cut);
			ob_sha256_final(&s, d);
			ob_sha256_hex(d, split);
			assert_string_equal(one, split);
		}
	}
}

static void test_file(void **state)
{
	char path[] = "/tmp/ob-test-sha256.XXXXXX";
	char hex[OB_SHA256_HEX_LEN + 1];
	struct ob_error err;
	uint64_t size = 0;
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, "abc", 3), 3);
	close(fd);
	assert_int_equal(ob_sha256_file(path, hex, &size, &err), 0);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(size, 3);
	unlink(path);
	assert_int_equal(ob_sha256_file(path, hex, &size, &err), -1);
	assert_non_null(strstr(err.msg, path));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_million_a_in_pieces),
		cmocka_unit_test(test_padding_boundaries),
		cmocka_unit_test(test_file),
	};

	return cmocka_run_group_tests_name("sha256", tests, NULL, NULL);
}
