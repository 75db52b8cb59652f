/* cgroup.c - see cgroup.h */
#include "cgroup.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define V1 "/sys/fs/cgroup/"
#define V2 "/sys/fs/cgroup/unified"

/* The path of pid's cgroup for a v1 controller (ctl "memory") or the
 * unified hierarchy (ctl ""): 0 or -1. */
static int path_of(pid_t pid, const char *ctl, char *out, size_t len)
{
	char file[64], line[1024];
	int found = -1;
	FILE *f;

	snprintf(file, sizeof(file), "/proc/%ld/cgroup", (long)pid);
	if (!(f = fopen(file, "re")))
		return -1;
	while (found < 0 && fgets(line, sizeof(line), f)) {
		char *ctls = strchr(line, ':'), *path = ctls ? strchr(ctls + 1, ':') : NULL;

		if (!path)
			continue;
		*path++ = '\0';
		ctls++;
		path[strcspn(path, "\n")] = '\0';
		if (*ctl == '\0' ? *ctls == '\0' : strcmp(ctls, ctl) == 0 ||
						    (strstr(ctls, ctl) && strchr(ctls, ','))) {
			snprintf(out, len, "%s", path);
			found = 0;
		}
	}
	fclose(f);
	return found;
}

/* The dir of ctl's cgroup of pid, "" unless it differs from the runner's. */
static void dir_of(pid_t pid, const char *ctl, const char *mount, char *out, size_t len)
{
	char theirs[1024], ours[1024];

	out[0] = '\0';
	/* the root is never a container's own (an exited process, a zombie
	 * not yet reaped, shows it): its processes are the whole host's */
	if (path_of(pid, ctl, theirs, sizeof(theirs)) < 0 || strcmp(theirs, "/") == 0 ||
	    path_of(getpid(), ctl, ours, sizeof(ours)) < 0 || strcmp(theirs, ours) == 0)
		return;
	snprintf(out, len, "%s%s", mount, theirs);
	if (access(out, R_OK) < 0)
		out[0] = '\0';
}

int ob_cgroup_of(pid_t pid, struct ob_cgroup *cg)
{
	memset(cg, 0, sizeof(*cg));
	if (access(V1 "memory", F_OK) == 0) {
		dir_of(pid, "memory", V1 "memory", cg->memory, sizeof(cg->memory));
		dir_of(pid, "cpuacct", V1 "cpuacct", cg->cpu, sizeof(cg->cpu));
	} else {
		/* pure v2: /sys/fs/cgroup is the unified hierarchy */
		dir_of(pid, "", "/sys/fs/cgroup", cg->memory, sizeof(cg->memory));
		memcpy(cg->cpu, cg->memory, sizeof(cg->cpu));
		cg->v2 = true;
	}
	return cg->memory[0] || cg->cpu[0] ? 0 : -1;
}

long ob_cgroup_pids(const struct ob_cgroup *cg, pid_t *pids, size_t max)
{
	char file[1100];
	long n = 0, pid;
	FILE *f;

	snprintf(file, sizeof(file), "%s/cgroup.procs", cg->memory[0] ? cg->memory : cg->cpu);
	if (!(f = fopen(file, "re")))
		return -1;
	while ((size_t)n < max && fscanf(f, "%ld", &pid) == 1)
		pids[n++] = (pid_t)pid;
	fclose(f);
	return n;
}

/* The first number in dir/name (after "key " when key is set). */
static int read_u64(const char *dir, const char *name, const char *key, uint64_t *out)
{
	char file[1100], line[256];
	int rc = -1;
	FILE *f;

	if (!dir[0])
		return -1;
	snprintf(file, sizeof(file), "%s/%s", dir, name);
	if (!(f = fopen(file, "re")))
		return -1;
	while (rc < 0 && fgets(line, sizeof(line), f)) {
		size_t kl = key ? strlen(key) : 0;

		if (key && (strncmp(line, key, kl) != 0 || line[kl] != ' '))
			continue;
		rc = sscanf(line + kl, "%" SCNu64, out) == 1 ? 0 : -1;
		if (!key)
			break;
	}
	fclose(f);
	return rc;
}

int ob_cgroup_memory(const struct ob_cgroup *cg, uint64_t *bytes)
{
	return cg->v2 ? read_u64(cg->memory, "memory.current", NULL, bytes)
		      : read_u64(cg->memory, "memory.usage_in_bytes", NULL, bytes);
}

int ob_cgroup_cpu(const struct ob_cgroup *cg, uint64_t *ns)
{
	uint64_t us;

	if (!cg->v2)
		return read_u64(cg->cpu, "cpuacct.usage", NULL, ns);
	if (read_u64(cg->cpu, "cpu.stat", "usage_usec", &us) < 0)
		return -1;
	*ns = us * 1000u;
	return 0;
}
