/* results-figures.c - which figures a raw.jsonl record holds, in the
 * report's row order: the study's Table 3 first, then the extra rows. */
#include "results-model.h"

#include <ctype.h>
#include <math.h>
#include <string.h>

#define MS 0.001 /* phases and first instruction are in ms, rows in s */
#define MIB (1.0 / 1024) /* PSS and cgroup memory are in KiB, rows in MiB */

const struct ob_figure_def ob_figure_defs[] = {
	/* test, variant, metric, unit, label, study, src, key, scale, mode */
	{"lifecycle", NULL, "create", "s", "create", "create", OB_SRC_PHASE, "create", MS, OB_MODE_ANY},
	{"lifecycle", NULL, "start", "s", "start", "start", OB_SRC_PHASE, "start", MS, OB_MODE_ANY},
	{"lifecycle", NULL, "delete", "s", "delete", "delete", OB_SRC_PHASE, "delete", MS, OB_MODE_ANY},
	{"cpu", NULL, "time", "s", "CPU", "cpu", OB_SRC_WORKLOAD, "total_time_s", 1, OB_MODE_ANY},
	{"memory", NULL, "time", "s", "memory", "memory", OB_SRC_WORKLOAD, "total_time_s", 1, OB_MODE_ANY},
	{"fileio", "seqrd", "time", "s", "SeqRead", "seqrd", OB_SRC_WORKLOAD, "total_time_s", 1, OB_MODE_ANY},
	{"fileio", "rndrd", "time", "s", "RndRead", "rndrd", OB_SRC_WORKLOAD, "total_time_s", 1, OB_MODE_ANY},
	{"fileio", "seqwr", "time", "s", "SeqWrite", "seqwr", OB_SRC_WORKLOAD, "total_time_s", 1, OB_MODE_ANY},
	{"fileio", "rndwr", "time", "s", "RndWrite", "rndwr", OB_SRC_WORKLOAD, "total_time_s", 1, OB_MODE_ANY},
	{"syscall", NULL, "score", "index", "syscall score", "syscall", OB_SRC_WORKLOAD, "index", 1, OB_MODE_ANY},
	{"net", NULL, "bandwidth", "Gbit/s", "network", "net", OB_SRC_WORKLOAD, "gbits_per_s", 1, OB_MODE_STREAM},
	/* extra rows */
	{"lifecycle", NULL, "first_instruction", "s", "start to first instruction", NULL, OB_SRC_FIRST, NULL, MS, OB_MODE_ANY},
	{"cpu", NULL, "events_per_s", "events/s", "CPU", NULL, OB_SRC_WORKLOAD, "events_per_s", 1, OB_MODE_ANY},
	{"memory", NULL, "mib_per_s", "MiB/s", "memory", NULL, OB_SRC_WORKLOAD, "mib_per_s", 1, OB_MODE_ANY},
	{"fileio", "seqrd", "mib_per_s", "MiB/s", "SeqRead", NULL, OB_SRC_WORKLOAD, "read_mib_per_s", 1, OB_MODE_ANY},
	{"fileio", "rndrd", "mib_per_s", "MiB/s", "RndRead", NULL, OB_SRC_WORKLOAD, "read_mib_per_s", 1, OB_MODE_ANY},
	{"fileio", "seqwr", "mib_per_s", "MiB/s", "SeqWrite", NULL, OB_SRC_WORKLOAD, "written_mib_per_s", 1, OB_MODE_ANY},
	{"fileio", "rndwr", "mib_per_s", "MiB/s", "RndWrite", NULL, OB_SRC_WORKLOAD, "written_mib_per_s", 1, OB_MODE_ANY},
	{"syscall", NULL, "lps", "lps", "syscall", NULL, OB_SRC_WORKLOAD, "lps", 1, OB_MODE_ANY},
	{"net", NULL, "transactions_per_s", "transactions/s", "network rr", NULL, OB_SRC_WORKLOAD, "transactions_per_s", 1, OB_MODE_RR},
	{"net", NULL, "latency_avg", "µs", "network rr latency", NULL, OB_SRC_WORKLOAD, "latency_us.avg", 1, OB_MODE_RR},
	/* what the runtime costs the host; "host CPU ratio" is host CPU per
	 * workload CPU second, "density delete" the time to stop and delete all */
	{"cpu", NULL, "host_cpu_per_workload_cpu", "s/s", "CPU host CPU ratio", NULL, OB_SRC_RECORD, "host_cpu_per_workload_cpu_s", 1, OB_MODE_ANY},
	{"syscall", NULL, "host_cpu_per_workload_cpu", "s/s", "syscall host CPU ratio", NULL, OB_SRC_RECORD, "host_cpu_per_workload_cpu_s", 1, OB_MODE_ANY},
	{"fileio", NULL, "host_cpu_per_workload_cpu", "s/s", "fileio host CPU ratio", NULL, OB_SRC_RECORD, "host_cpu_per_workload_cpu_s", 1, OB_MODE_ANY},
	{"cpu", NULL, "runtime_cpu", "s", "CPU runtime CPU", NULL, OB_SRC_RECORD, "runtime_cpu_s", 1, OB_MODE_ANY},
	{"syscall", NULL, "runtime_cpu", "s", "syscall runtime CPU", NULL, OB_SRC_RECORD, "runtime_cpu_s", 1, OB_MODE_ANY},
	{"fileio", NULL, "runtime_cpu", "s", "fileio runtime CPU", NULL, OB_SRC_RECORD, "runtime_cpu_s", 1, OB_MODE_ANY},
	{"footprint", NULL, "runtime_pss", "MiB", "footprint runtime PSS", NULL, OB_SRC_RECORD, "runtime_pss_kib", MIB, OB_MODE_ANY},
	{"footprint", NULL, "workload_pss", "MiB", "footprint workload PSS", NULL, OB_SRC_RECORD, "workload_pss_kib", MIB, OB_MODE_ANY},
	{"footprint", NULL, "pss_total", "MiB", "footprint total PSS", NULL, OB_SRC_RECORD, "pss_kib_total", MIB, OB_MODE_ANY},
	{"footprint", NULL, "cgroup_memory", "MiB", "footprint cgroup memory", NULL, OB_SRC_RECORD, "cgroup_memory_kib", MIB, OB_MODE_ANY},
	{"footprint", NULL, "ready", "s", "footprint start to ready", NULL, OB_SRC_RECORD, "ready_ms", MS, OB_MODE_ANY},
	{"density", NULL, "ready", "s", "density ready", NULL, OB_SRC_RECORD, "ready_s", 1, OB_MODE_ANY},
	{"density", NULL, "pss_total", "MiB", "density PSS", NULL, OB_SRC_RECORD, "pss_kib_total", MIB, OB_MODE_ANY},
	{"density", NULL, "pss_per_container", "MiB", "density PSS/container", NULL, OB_SRC_RECORD, "pss_kib_per_container", MIB, OB_MODE_ANY},
	{"density", NULL, "delete", "s", "density delete", NULL, OB_SRC_RECORD, "delete_s", 1, OB_MODE_ANY},
};
const size_t ob_figure_ndefs = sizeof(ob_figure_defs) / sizeof(ob_figure_defs[0]);

static const char *str_or_null(json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* fileio's "seqwr" also matches a derived variant like "seqwr-bind". */
static int variant_matches(const char *want, const char *have)
{
	size_t len;

	if (want == NULL)
		return 1;
	if (have == NULL)
		return 0;
	len = strlen(want);
	return strncmp(want, have, len) == 0 &&
	       (have[len] == '\0' || !isalnum((unsigned char)have[len]));
}

int ob_figure_variant_plain(const struct ob_figure_def *def, const char *variant)
{
	if (variant == NULL || (def->variant != NULL && strcmp(def->variant, variant) == 0))
		return 1;
	return strcmp(def->test, "net") == 0 &&
	       (strcmp(variant, "stream") == 0 || strcmp(variant, "rr") == 0);
}

/* A net record is rr when its variant or the client's params say so. */
static enum ob_fig_mode net_mode(json_t *rec)
{
	const char *v = str_or_null(rec, "variant");
	json_t *wl = json_object_get(rec, "workload");
	const char *mode = str_or_null(json_object_get(wl, "params"), "mode");

	if ((v != NULL && strcmp(v, "rr") == 0) || (mode != NULL && strcmp(mode, "rr") == 0) ||
	    json_object_get(wl, "transactions_per_s") != NULL)
		return OB_MODE_RR;
	return OB_MODE_STREAM;
}

static int applies(const struct ob_figure_def *d, json_t *rec, const char *test,
		   enum ob_fig_mode mode)
{
	return strcmp(d->test, test) == 0 && variant_matches(d->variant, str_or_null(rec, "variant")) &&
	       (d->mode == OB_MODE_ANY || d->mode == mode);
}

/* obj.key or obj.key.subkey as a finite number. */
static int number_at(json_t *obj, const char *path, double *out)
{
	const char *dot = strchr(path, '.');
	json_t *v;

	if (dot != NULL) {
		char head[64];
		size_t len = (size_t)(dot - path);

		if (len >= sizeof(head))
			return 0;
		memcpy(head, path, len);
		head[len] = '\0';
		return number_at(json_object_get(obj, head), dot + 1, out);
	}
	v = json_object_get(obj, path);
	if (!json_is_number(v) || !isfinite(json_number_value(v)))
		return 0;
	*out = json_number_value(v);
	return 1;
}

static int value_of(const struct ob_figure_def *d, json_t *rec, double *out)
{
	int found = 0;

	switch (d->src) {
	case OB_SRC_PHASE:
		found = number_at(json_object_get(rec, "phases_ms"), d->key, out);
		break;
	case OB_SRC_FIRST:
		found = number_at(rec, "first_instruction_ms", out);
		break;
	case OB_SRC_WORKLOAD:
		found = number_at(json_object_get(rec, "workload"), d->key, out);
		break;
	case OB_SRC_RECORD:
		found = number_at(rec, d->key, out);
		break;
	}
	if (found)
		*out *= d->scale;
	return found;
}

static size_t walk(json_t *rec, int values, ob_figure_fn fn, void *arg)
{
	const char *test = str_or_null(rec, "test");
	enum ob_fig_mode mode;
	size_t n = 0;

	if (test == NULL)
		return 0;
	mode = strcmp(test, "net") == 0 ? net_mode(rec) : OB_MODE_ANY;
	for (size_t i = 0; i < ob_figure_ndefs; i++) {
		const struct ob_figure_def *d = &ob_figure_defs[i];
		double v = NAN;

		if (!applies(d, rec, test, mode))
			continue;
		/* host-side figures are rows only where records carry them
		 * (results of older runs do not) */
		if (d->src == OB_SRC_RECORD && !json_object_get(rec, d->key))
			continue;
		if (values && !value_of(d, rec, &v))
			continue;
		fn(d, v, arg);
		n++;
	}
	return n;
}

size_t ob_figures_extract(json_t *rec, ob_figure_fn fn, void *arg)
{
	const char *status = str_or_null(rec, "status");

	if (status == NULL || strcmp(status, "ok") != 0)
		return 0;
	return walk(rec, 1, fn, arg);
}

size_t ob_figures_rows(json_t *rec, ob_figure_fn fn, void *arg)
{
	return walk(rec, 0, fn, arg);
}
