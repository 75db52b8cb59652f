/* wrap.c - runtime wrappers that carry the host's remedies to engines.
 *
 * An engine starts a runtime by a path (dockerd --add-runtime, podman
 * --runtime, the containerd shim's runc).  On this kind of host, crun
 * refuses hybrid cgroups and runsc's sandbox network mistakes a new
 * network namespace for the root one (RUNTIMES.md); the bare OCI path
 * applies a remedy per command (proc.c).  The wrapper is a two-line
 * shell script that does the same for whatever the engine runs: a private
 * mount namespace without the cgroup2 mount, with an empty tmpfs over
 * /proc/sys/net, then the runtime with its column's global flags.  Only
 * the wrapped process and its children see the changed mounts.
 */
#include "engine.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "netcell.h"
#include "ob-cleanup.h"
#include "proc.h"
#include "ob-file.h"
#include "ob-fs.h"

/* s in single quotes for sh, appended to buf. */
static void quote(char **buf, const char *s)
{
	size_t len = strlen(*buf), extra = 3;

	for (const char *c = s; *c; c++)
		extra += *c == '\'' ? 4 : 1;
	*buf = realloc(*buf, len + extra + 1);
	if (!*buf)
		abort();
	char *o = *buf + len;

	*o++ = ' ';
	*o++ = '\'';
	for (const char *c = s; *c; c++) {
		if (*c == '\'') {
			memcpy(o, "'\\''", 4);
			o += 4;
		} else {
			*o++ = *c;
		}
	}
	*o++ = '\'';
	*o = '\0';
}

static void append(char **buf, const char *s)
{
	size_t len = strlen(*buf);

	*buf = realloc(*buf, len + strlen(s) + 1);
	if (!*buf)
		abort();
	strcpy(*buf + len, s);
}

static int write_script(const char *path, const char *text, struct ob_error *err)
{
	if (ob_write_file_atomic(path, text, strlen(text), err) < 0)
		return -1;
	if (chmod(path, 0755) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "chmod %s", path);
	return 0;
}

int ob_wrap_runtime(const char *dir, const struct ob_runtime *rt, bool shim, char **path,
		    struct ob_error *err)
{
	ob_cleanup_free char *unshare = ob_proc_which("unshare"), *mount = ob_proc_which("mount"),
			     *umount = ob_proc_which("umount"), *text = strdup("#!/bin/sh\nexec");
	ob_cleanup_free char *inner = strdup("");
	bool sandbox = (rt->quirks & OB_RTQ_NETSTACK) != 0;
	bool mask = sandbox && ob_net_sysctl_leaks();

	if (!text || !inner)
		abort();
	if ((rt->hide_mount || mask) && (!unshare || !mount || !umount))
		return ob_err(err, OB_EXIT_FAIL, 0,
			      "runtime %s needs unshare, mount and umount (util-linux) for its wrapper",
			      rt->name);
	if (rt->hide_mount) {
		append(&inner, umount);
		quote(&inner, rt->hide_mount);
		append(&inner, " && ");
	}
	if (mask) {
		append(&inner, mount);
		append(&inner, " -t tmpfs -o size=4k,mode=555 none " OB_NET_SYSCTL_DIR " && ");
	}
	if (!inner[0] && !rt->args[0] && !shim) {
		/* nothing to carry: the engine runs the runtime itself */
		*path = strdup(rt->path);
		if (!*path)
			abort();
		return 0;
	}
	if (inner[0]) {
		append(&text, " ");
		append(&text, unshare);
		append(&text, " -m --propagation private /bin/sh -c");
		append(&inner, "exec \"$0\" \"$@\"");
		quote(&text, inner);
	}
	quote(&text, rt->path);
	/* engines give a container a network namespace of its own: runsc's
	 * built-in --network=none becomes the sandbox network engines use */
	for (char **a = rt->args; *a; a++)
		quote(&text, sandbox && strcmp(*a, "--network=none") == 0 ? "--network=sandbox" : *a);
	append(&text, " \"$@\"\n");

	ob_cleanup_free char *wrapper = NULL;

	if (ob_mkdir_p(dir, 0755, err) < 0)
		return -1;
	if (asprintf(&wrapper, "%s/%s", dir, rt->name) < 0)
		abort();
	if (write_script(wrapper, text, err) < 0)
		return -1;
	if (!shim) {
		*path = wrapper;
		wrapper = NULL;
		return 0;
	}
	/* containerd: the runc v2 shim runs "runc" from its PATH; give it one
	 * where runc is the wrapper */
	ob_cleanup_free char *bindir = NULL, *runc = NULL, *shimbin = ob_proc_which("containerd-shim-runc-v2");
	ob_cleanup_free char *stext = strdup("#!/bin/sh\nPATH=");

	if (!shimbin)
		return ob_err(err, OB_EXIT_FAIL, 0, "containerd-shim-runc-v2 not found");
	if (asprintf(&bindir, "%s/%s.bin", dir, rt->name) < 0 ||
	    asprintf(&runc, "%s/runc", bindir) < 0 || asprintf(path, "%s/%s.shim", dir, rt->name) < 0)
		abort();
	if (ob_mkdir_p(bindir, 0755, err) < 0)
		return -1;
	unlink(runc);
	if (symlink(wrapper, runc) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "symlink %s", runc);
	quote(&stext, bindir);
	append(&stext, ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\nexport PATH\nexec");
	quote(&stext, shimbin);
	append(&stext, " \"$@\"\n");
	/* "PATH= 'dir'..." has a space after '=': drop it */
	char *sp = strstr(stext, "PATH= ");

	memmove(sp + 5, sp + 6, strlen(sp + 6) + 1);
	return write_script(*path, stext, err);
}

int ob_wrap_ctd_logger(const char *dir, char **path, struct ob_error *err)
{
	/* The logging binary protocol: the task's stdout on fd 3, its stderr
	 * on fd 4, ready once fd 5 is closed (by every holder: the copies
	 * too); arguments from the URI's query, KEY VALUE pairs in any order.
	 * SIGTERM comes with the task's delete, after its exit: ignored, so
	 * the copies run to the end of the output before the delete returns. */
	static const char text[] =
		"#!/bin/sh\n"
		"trap '' TERM\n"
		"while [ $# -ge 2 ]; do\n"
		"\tcase $1 in out) out=$2 ;; err) err=$2 ;; esac\n"
		"\tshift 2\n"
		"done\n"
		"cat <&3 >>\"$out\" 4<&- 5>&- &\n"
		"cat <&4 >>\"$err\" 3<&- 5>&- &\n"
		"exec 3<&- 4<&- 5>&-\n"
		"wait\n";

	if (asprintf(path, "%s/containerd-log", dir) < 0)
		abort();
	return write_script(*path, text, err);
}
