/* ob-result.c - see ob-result.h */
#include "config.h"

#include "ob-result.h"
#include "ob-revision.h"

#include <stdio.h>
#include <sys/resource.h>

json_t *ob_result_new(const char *workload, const char *command, int status,
		      const struct ob_error *err, const struct ob_optset *sets, size_t nsets,
		      uint64_t wall_start_ns)
{
	json_t *root = json_object();
	json_t *params = json_object();

	json_object_set_new(root, "schema", json_string("ocibench-workload/1"));
	json_object_set_new(root, "workload", json_string(workload));
	json_object_set_new(root, "version", json_string(PACKAGE_VERSION));
	json_object_set_new(root, "build", json_pack("{s:s, s:s, s:s}", "arch", OB_HOST_ARCH,
						     "compiler", OB_CC_VERSION, "revision",
						     OB_SOURCE_REVISION));
	json_object_set_new(root, "command", json_string(command));
	json_object_set_new(root, "status",
			    json_string(status == OB_EXIT_OK ? "ok"
					: status == OB_EXIT_UNSUPPORTED ? "unsupported"
					: "failed"));
	if (status != OB_EXIT_OK)
		json_object_set_new(root, "error", json_string(err->msg));
	ob_opt_to_json(sets, nsets, params);
	json_object_set_new(root, "params", params);
	json_object_set_new(root, "started_wall_ns", json_integer((json_int_t)wall_start_ns));
	return root;
}

static double tv_s(struct timeval tv)
{
	return (double)tv.tv_sec + (double)tv.tv_usec / 1e6;
}

void ob_result_emit(json_t *root)
{
	struct rusage self, kids;

	/* the workload's own CPU time as its kernel counts it (under gVisor:
	 * the sentry's count), next to which the runner puts the host's */
	if (getrusage(RUSAGE_SELF, &self) == 0 && getrusage(RUSAGE_CHILDREN, &kids) == 0) {
		json_object_set_new(root, "cpu_user_s",
				    json_real(tv_s(self.ru_utime) + tv_s(kids.ru_utime)));
		json_object_set_new(root, "cpu_system_s",
				    json_real(tv_s(self.ru_stime) + tv_s(kids.ru_stime)));
	}
	json_dumpf(root, stdout, JSON_COMPACT | JSON_REAL_PRECISION(10));
	fputc('\n', stdout);
	fflush(stdout);
	json_decref(root);
}
