/* ob-fs.c - see ob-fs.h */
#include "ob-fs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ob-cleanup.h"

int ob_mkdir_p(const char *path, unsigned mode, struct ob_error *err)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len >= sizeof(buf))
		return ob_err(err, OB_EXIT_FAIL, ENAMETOOLONG, "mkdir %s", path);
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;

		*p = '\0';
		if (mkdir(buf, mode) < 0 && errno != EEXIST)
			return ob_err(err, OB_EXIT_FAIL, errno, "mkdir %s", buf);
		*p = c;
		if (!c)
			return 0;
	}
}

static int copy_file(int sfd, int dfd, const char *name, mode_t mode)
{
	ob_cleanup_close int in = openat(sfd, name, O_RDONLY | O_CLOEXEC);
	ob_cleanup_close int out = -1;
	char buf[65536];
	ssize_t n;

	if (in < 0)
		return -1;
	out = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode & 07777);
	if (out < 0)
		return -1;
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(out, buf, (size_t)n) != n)
			return -1;
	return n < 0 ? -1 : fchmod(out, mode & 07777);
}

static int copy_at(int sfd, int dfd, const char *src, struct ob_error *err)
{
	DIR *d = fdopendir(dup(sfd));
	struct dirent *e;
	int rc = 0;

	if (!d)
		return ob_err(err, OB_EXIT_FAIL, errno, "reading %s", src);
	while (rc == 0 && (e = readdir(d))) {
		struct stat st;

		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		if (fstatat(sfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			rc = ob_err(err, OB_EXIT_FAIL, errno, "stat %s/%s", src, e->d_name);
		} else if (S_ISDIR(st.st_mode)) {
			ob_cleanup_close int s2 = -1, d2 = -1;

			if (mkdirat(dfd, e->d_name, st.st_mode & 07777) < 0 && errno != EEXIST)
				rc = ob_err(err, OB_EXIT_FAIL, errno, "mkdir %s", e->d_name);
			else if ((s2 = openat(sfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
				 (d2 = openat(dfd, e->d_name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
				rc = ob_err(err, OB_EXIT_FAIL, errno, "opening %s/%s", src, e->d_name);
			else
				rc = copy_at(s2, d2, e->d_name, err);
		} else if (S_ISLNK(st.st_mode)) {
			char target[4096];
			ssize_t n = readlinkat(sfd, e->d_name, target, sizeof(target) - 1);

			if (n < 0)
				rc = ob_err(err, OB_EXIT_FAIL, errno, "readlink %s", e->d_name);
			else if (target[n] = '\0', symlinkat(target, dfd, e->d_name) < 0)
				rc = ob_err(err, OB_EXIT_FAIL, errno, "symlink %s", e->d_name);
		} else if (S_ISREG(st.st_mode)) {
			if (copy_file(sfd, dfd, e->d_name, st.st_mode) < 0)
				rc = ob_err(err, OB_EXIT_FAIL, errno, "copying %s/%s", src, e->d_name);
		}
	}
	closedir(d);
	return rc;
}

int ob_copy_tree(const char *src, const char *dst, struct ob_error *err)
{
	ob_cleanup_close int s = open(src, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	ob_cleanup_close int d = open(dst, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (s < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "opening %s", src);
	if (d < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "opening %s", dst);
	return copy_at(s, d, src, err);
}

static bool below(const char *mnt, const char *path, size_t plen)
{
	return strncmp(mnt, path, plen) == 0 && (mnt[plen] == '/' || mnt[plen] == '\0');
}

/* Mount points at or below path, deepest (longest) first. */
static size_t list_mounts(const char *path, char ***out)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	size_t plen = strlen(path), n = 0;
	char line[8192], mnt[4096];
	char **v = NULL;

	*out = NULL;
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*s %*s %*s %*s %4095s", mnt) != 1 || !below(mnt, path, plen))
			continue;
		char **nv = realloc(v, (n + 1) * sizeof(*v));

		if (!nv)
			break;
		v = nv;
		v[n++] = strdup(mnt);
	}
	fclose(f);
	for (size_t i = 0; i < n; i++) /* longest first */
		for (size_t j = i + 1; j < n; j++)
			if (v[j] && v[i] && strlen(v[j]) > strlen(v[i])) {
				char *t = v[i];

				v[i] = v[j];
				v[j] = t;
			}
	*out = v;
	return n;
}

int ob_mounts_below(const char *path)
{
	char **v;
	size_t n = list_mounts(path, &v);

	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
	return (int)n;
}

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if (flag == FTW_DP)
		return rmdir(p) < 0 && errno != ENOENT ? -1 : 0;
	return unlink(p) < 0 && errno != ENOENT ? -1 : 0;
}

int ob_remove_tree(const char *path, struct ob_error *err)
{
	char **v;
	size_t n = list_mounts(path, &v);
	struct stat st;

	for (size_t i = 0; i < n; i++) {
		if (v[i])
			umount2(v[i], MNT_DETACH);
		free(v[i]);
	}
	free(v);
	if (lstat(path, &st) < 0 && errno == ENOENT)
		return 0;
	if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT) < 0)
		return ob_err(err, OB_EXIT_FAIL, errno, "removing %s", path);
	return 0;
}


