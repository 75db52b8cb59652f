/* fileio-uring-none.c - the "io_uring" engine of a build without liburing
 * (configure found none for this architecture): every run of it is
 * "unsupported here" (exit 77), as where the kernel refuses io_uring. */
#include "fileio-engine.h"

static int uring_none_open(struct fileio_files *fs, struct ob_error *err)
{
	return ob_err(err, OB_EXIT_UNSUPPORTED, 0,
		      "io_uring is not available here (this build has no liburing)");
}

const struct fileio_engine fileio_uring_engine = {
	.name = "io_uring",
	.open = uring_none_open,
};
