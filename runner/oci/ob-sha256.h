/* ob-sha256.h - SHA-256 (FIPS 180-4), for OCI blob digests and the
 * checksums of workload binaries.  Self-contained: no crypto library. */
#ifndef OB_SHA256_H
#define OB_SHA256_H

#include <stddef.h>
#include <stdint.h>

#include "ob-error.h"

#define OB_SHA256_LEN 32
#define OB_SHA256_HEX_LEN 64

struct ob_sha256 {
	uint32_t h[8];
	uint64_t bytes;         /* message length so far */
	unsigned char buf[64];  /* partial block */
	size_t nbuf;
};

void ob_sha256_init(struct ob_sha256 *s);
void ob_sha256_update(struct ob_sha256 *s, const void *data, size_t len);
void ob_sha256_final(struct ob_sha256 *s, unsigned char digest[OB_SHA256_LEN]);

/* Lower-case hex of a digest, NUL-terminated. */
void ob_sha256_hex(const unsigned char digest[OB_SHA256_LEN], char hex[OB_SHA256_HEX_LEN + 1]);

/* Hash a whole file: hex digest and, if size is not NULL, its length. */
int ob_sha256_file(const char *path, char hex[OB_SHA256_HEX_LEN + 1], uint64_t *size,
		   struct ob_error *err);

/* Hash the rest of an open file (name: for messages). */
int ob_sha256_fd(int fd, const char *name, char hex[OB_SHA256_HEX_LEN + 1], uint64_t *size,
		 struct ob_error *err);

#endif
