/* image.h - read an OCI image layout and unpack it into a bundle rootfs. */
#ifndef OB_IMAGE_H
#define OB_IMAGE_H

#include <stddef.h>

#include "ob-error.h"

struct ob_image {
	char *layout;          /* OCI image layout directory */
	char *manifest_digest; /* "sha256:..." of the chosen manifest */
	char *config_digest;
	char *os, *arch;       /* OCI platform of the manifest, e.g. "linux", "amd64" */
	char *variant;         /* its variant ("v7", "v8") or NULL when the config has none */
	char **entrypoint;     /* NULL-terminated, from the image config */
	char **cmd;            /* NULL-terminated Cmd (appended to entrypoint by OCI rules) */
	char **env;            /* NULL-terminated "K=V" from the image config */
	char **layers;         /* blob file paths, base layer first */
	char **layer_digests;  /* "sha256:..." of each layer, checked again on every unpack */
	long long *layer_sizes;
	size_t nlayers;
};

/* Open layout (ref: the org.opencontainers.image.ref.name tag, NULL = the only
 * or first manifest) and pick the manifest for want_arch (OCI/GOARCH names
 * with an optional variant: "amd64", "arm64", "arm/v7"; NULL = the host's,
 * variant included).  An arm64 image without a variant is v8, an arm one v7;
 * an arm/vN platform takes an older arm variant when the index has not vN.  A layout without a matching platform
 * is refused with a message naming the platforms it has ("image DIR has
 * linux/arm64 only, host is amd64"; err->status OB_EXIT_UNSUPPORTED).  Digests
 * (sha256) and sizes of the manifest, config and layer blobs are verified;
 * a corrupt or missing blob fails with OB_EXIT_FAIL.  entrypoint, cmd and env
 * are never NULL (empty when the config has none).  On error img is zeroed. */
int ob_image_open(const char *layout, const char *ref, const char *want_arch,
		  struct ob_image *img, struct ob_error *err);

/* Extract every layer, in order, into rootfs (an existing empty directory),
 * keeping modes, mtimes and (when run as root) numeric owners.  Each layer
 * is hashed from the very bytes that are unpacked: a blob that no longer
 * matches its digest (changed since ob_image_open) fails, naming it.  Entries that
 * would land outside rootfs (absolute, "..", through a symlink) are refused,
 * and so are whiteouts (.wh.*), which ocibench's single-layer images never
 * have.  On error rootfs is left partly filled: the caller removes it. */
int ob_image_unpack(const struct ob_image *img, const char *rootfs, struct ob_error *err);

void ob_image_free(struct ob_image *img);

/* The OCI architecture name of the host ("amd64", "arm64", ...). */
const char *ob_image_host_arch(void);
/* Its variant ("v8" on arm64, "v7" on ARMv7, ...), NULL where none is used. */
const char *ob_image_host_variant(void);

#endif
