/* sha256.h - ob_sha256_file() for the manifest's workload hashes.
 * lib/ob-sha256.h (from the image module's branch) provides it; until that
 * is in the tree, fsutil.c defines the same function with nettle. */
#ifndef OB_RUNNER_SHA256_H
#define OB_RUNNER_SHA256_H

#if __has_include("ob-sha256.h")
#include "ob-sha256.h"
#else
#include <stdint.h>

#include "ob-error.h"

#define OB_RUNNER_OWN_SHA256 1
int ob_sha256_file(const char *path, char hex[65], uint64_t *size, struct ob_error *err);
#endif

#endif
