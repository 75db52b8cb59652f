/* manifest.c - see manifest.h */
#include "config.h"

#include "ob-revision.h"
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "ob-cleanup.h"
#include "ob-file.h"

static json_t *cpu_model(void)
{
	/* x86: "model name"; arm64: no model name, so the implementer/part */
	static const char *const keys[] = { "model name", "Model", "Hardware", "CPU part", NULL };
	FILE *f = fopen("/proc/cpuinfo", "re");
	char line[512], best[512] = "";
	int rank = 99;

	if (!f)
		return json_null();
	while (fgets(line, sizeof(line), f)) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		for (int k = 0; keys[k] && k < rank; k++) {
			if (strncmp(line, keys[k], strlen(keys[k])) != 0)
				continue;
			char *v = colon + 1;

			v += strspn(v, " \t");
			v[strcspn(v, "\n")] = '\0';
			snprintf(best, sizeof(best), "%s", v);
			rank = k;
		}
	}
	fclose(f);
	return best[0] ? json_string(best) : json_null();
}

json_t *ob_manifest_host(void)
{
	struct utsname u;
	json_t *h = json_object();
	char kernel[600];

	uname(&u);
	snprintf(kernel, sizeof(kernel), "%s %s %s", u.sysname, u.release, u.version);
	json_object_set_new(h, "cpu_model", cpu_model());
	json_object_set_new(h, "cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));
	json_object_set_new(h, "kernel", json_string(kernel));
	json_object_set_new(h, "arch", json_string(u.machine));
	json_object_set_new(h, "hostname", json_string(u.nodename));
	return h;
}

json_t *ob_manifest_build(void)
{
	return json_pack("{s:s, s:s, s:b, s:s}", "arch", OB_HOST_ARCH, "compiler", OB_CC_VERSION,
			 "cross_compiled", OB_CROSS_COMPILED, "revision", OB_SOURCE_REVISION);
}

int ob_manifest_write(const char *dir, json_t *m, struct ob_error *err)
{
	ob_cleanup_free char *path = NULL, *text = json_dumps(m, JSON_INDENT(2));

	path = ob_xasprintf("%s/manifest.json", dir);
	if (!text)
		return ob_err(err, OB_EXIT_FAIL, 0, "manifest.json: cannot encode");
	size_t len = strlen(text);

	text[len] = '\n'; /* json_dumps leaves room for the NUL: swap it for a newline */
	return ob_write_file_atomic(path, text, len + 1, err);
}
