/* rtstate.c - see rtstate.h */
#include "rtstate.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include <jansson.h>

#include "ob-cleanup.h"
#include "proc.h"

#define STATE_NS 10000000000ull

/* Kata 1.x keeps a sandbox's state in /run/vc/sbs/ID/persist.json (a
 * fixed path of its runtime), naming its hypervisor (QEMU), virtiofsd and
 * kata-proxy: daemons below no process of the container's. */
#define KATA_SBS "/run/vc/sbs"

static void kata_state(const char *id, struct ob_rtstate *rs, size_t n)
{
	static const char *const path[][2] = { { "HypervisorState", "Pid" },
					       { "HypervisorState", "VirtiofsdPid" },
					       { "AgentState", "ProxyPid" } };
	ob_cleanup_free char *file = NULL;
	json_error_t jerr;
	json_t *j;

	file = ob_xasprintf(KATA_SBS "/%s/persist.json", id);
	if (!(j = json_load_file(file, 0, &jerr)))
		return;
	for (size_t i = 0; i < sizeof(path) / sizeof(path[0]); i++) {
		json_int_t v = json_integer_value(json_object_get(json_object_get(j, path[i][0]),
								   path[i][1]));

		if (v > 0 && n < sizeof(rs->own) / sizeof(rs->own[0]))
			rs->own[n++] = (pid_t)v;
	}
	json_decref(j);
}

void ob_rtstate_get(const struct ob_runtime *rt, const char *id, struct ob_rtstate *rs)
{
	const char *const args[] = { id, NULL };
	ob_cleanup_free char **argv = ob_rt_argv(rt, "state", args);
	ob_cleanup_free char *text = NULL, *file = NULL;
	json_error_t jerr;
	json_int_t p;
	size_t n = 0;
	json_t *j;
	int st;

	memset(rs, 0, sizeof(*rs));
	if (ob_proc_capture(argv, STATE_NS, &st, &text, NULL) == 0 && WIFEXITED(st) &&
	    WEXITSTATUS(st) == 0 && (j = json_loads(strchr(text, '{') ? strchr(text, '{') : text,
						     JSON_DISABLE_EOF_CHECK, &jerr))) {
		p = json_integer_value(json_object_get(j, "pid"));
		rs->pid = p > 0 ? (pid_t)p : 0;
		json_decref(j);
	}
	/* runsc keeps ID_sandbox:ID.state naming its sandbox and gofer */
	if (asprintf(&file, "%s/%s_sandbox:%s.state", rt->root, id, id) < 0)
		abort();
	if ((j = json_load_file(file, 0, &jerr))) {
		json_int_t v[2] = { json_integer_value(json_object_get(j, "goferPid")),
				    json_integer_value(json_object_get(
					    json_object_get(j, "sandbox"), "pid")) };

		for (int i = 0; i < 2; i++)
			if (v[i] > 0)
				rs->own[n++] = (pid_t)v[i];
		json_decref(j);
	}
	if (rt->quirks & OB_RTQ_KATA_CONFIG)
		kata_state(id, rs, n);
}

bool ob_rtstate_owns(const struct ob_rtstate *rs, pid_t pid)
{
	if (!rs || pid <= 0)
		return false;
	if (rs->above == pid)
		return true;
	for (size_t i = 0; i < sizeof(rs->own) / sizeof(rs->own[0]) && rs->own[i]; i++)
		if (rs->own[i] == pid)
			return true;
	return false;
}
