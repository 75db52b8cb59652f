/* image.c - open an OCI image layout: pick a manifest by tag and platform,
 * verify every blob it reads, read the config.  (Unpacking: image-unpack.c,
 * which hashes each layer again from the bytes it unpacks.)
 *
 * The walk starts at index.json (not content-addressed, so not verified),
 * keeps the descriptors tagged with the wanted ref, follows nested indexes
 * and takes the first manifest whose platform (descriptor, then config) is
 * linux/<arch>.  Manifest, nested index and config blobs are hashed from the
 * very bytes that are parsed; layers are hashed as files.  Only sha256 digests
 * are accepted.  Docker schema 2 manifests and lists (as skopeo may write
 * them) are read like their OCI equivalents.
 */
#include "image.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ob-cleanup.h"
#include "ob-file.h"
#include "ob-sha256.h"

#define MT_OCI_INDEX "application/vnd.oci.image.index.v1+json"
#define MT_OCI_MANIFEST "application/vnd.oci.image.manifest.v1+json"
#define MT_DOCKER_LIST "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define REF_NAME "org.opencontainers.image.ref.name"
#define MAX_JSON_BLOB (4 << 20) /* the OCI distribution spec's manifest limit */
#define MAX_DEPTH 4             /* nested indexes followed */

/* A descriptor as read from an index or manifest (strings owned by the JSON). */
struct desc {
	const char *media_type, *digest, *ref;
	json_int_t size;
	const char *os, *arch, *variant; /* from "platform", NULL when absent */
};

/* The state of one search through the layout. */
struct walk {
	const char *layout, *ref, *want; /* want: "arch" or "arch/variant", as asked */
	char want_arch[32];
	const char *want_variant;   /* NULL: any (arm, arm64: the normal one) */
	int exact;        /* 0: an older arm variant the wanted one also runs */
	int want_is_host; /* no architecture was asked for */
	char seen[512];   /* platforms met that did not match, "linux/arm64, ..." */
	int tagged;       /* descriptors carrying the wanted ref */
	json_t *manifest; /* the chosen manifest and its config, once found */
	json_t *config;
	char *manifest_digest;
};

const char *ob_image_host_arch(void)
{
#if defined(__x86_64__)
	return "amd64";
#elif defined(__aarch64__)
	return "arm64";
#elif defined(__i386__)
	return "386";
#elif defined(__arm__)
	return "arm";
#elif defined(__riscv) && __riscv_xlen == 64
	return "riscv64";
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	return "ppc64le";
#elif defined(__s390x__)
	return "s390x";
#else
	return "unknown";
#endif
}

const char *ob_image_host_variant(void)
{
#if defined(__aarch64__)
	return "v8";
#elif defined(__arm__) && defined(__ARM_ARCH) && __ARM_ARCH >= 5 && __ARM_ARCH <= 8
	static const char *const v[] = {"v5", "v6", "v7", "v8"};

	return v[__ARM_ARCH - 5];
#else
	return NULL;
#endif
}

static int nomem(struct ob_error *err)
{
	return ob_err(err, OB_EXIT_FAIL, ENOMEM, "image");
}

/* LAYOUT/blobs/sha256/HEX for a "sha256:HEX" digest */
static char *blob_path(const char *layout, const char *digest, struct ob_error *err)
{
	const char *hex;
	char *path;

	if (strncmp(digest, "sha256:", 7) != 0) {
		ob_err(err, OB_EXIT_FAIL, 0, "unsupported digest '%.80s' (only sha256 is)", digest);
		return NULL;
	}
	hex = digest + 7;
	if (strlen(hex) != OB_SHA256_HEX_LEN || strspn(hex, "0123456789abcdef") != OB_SHA256_HEX_LEN) {
		ob_err(err, OB_EXIT_FAIL, 0, "malformed digest '%.80s'", digest);
		return NULL;
	}
	if (asprintf(&path, "%s/blobs/sha256/%s", layout, hex) < 0) {
		nomem(err);
		return NULL;
	}
	return path;
}

static int check_digest(const struct desc *d, const char *hex, uint64_t size, struct ob_error *err)
{
	if (strcmp(d->digest + 7, hex) != 0)
		return ob_err(err, OB_EXIT_FAIL, 0, "blob %s is corrupt: its content has digest sha256:%s",
			      d->digest, hex);
	if (d->size >= 0 && (uint64_t)d->size != size)
		return ob_err(err, OB_EXIT_FAIL, 0, "blob %s is corrupt: %llu bytes, descriptor says %lld",
			      d->digest, (unsigned long long)size, (long long)d->size);
	return 0;
}

/* Verify a blob file (a layer); *path gets its file name. */
static int verify_blob_file(const char *layout, const struct desc *d, char **path, struct ob_error *err)
{
	char hex[OB_SHA256_HEX_LEN + 1];
	uint64_t size;

	*path = blob_path(layout, d->digest, err);
	if (*path == NULL)
		return -1;
	if (ob_sha256_file(*path, hex, &size, err) < 0 || check_digest(d, hex, size, err) < 0) {
		free(*path);
		*path = NULL;
		return -1;
	}
	return 0;
}

/* Read, verify and parse a JSON blob (manifest, index, config). */
static json_t *read_json_blob(const char *layout, const struct desc *d, struct ob_error *err)
{
	ob_cleanup_free char *path = blob_path(layout, d->digest, err);
	ob_cleanup_free char *data = NULL;
	char hex[OB_SHA256_HEX_LEN + 1];
	unsigned char sum[OB_SHA256_LEN];
	struct ob_sha256 s;
	json_error_t jerr;
	size_t len;
	json_t *j;

	if (path == NULL)
		return NULL;
	if (d->size > MAX_JSON_BLOB) {
		ob_err(err, OB_EXIT_FAIL, 0, "blob %s: %lld bytes is too large for JSON", d->digest,
		       (long long)d->size);
		return NULL;
	}
	if (ob_read_file(path, &data, &len, err) < 0)
		return NULL;
	ob_sha256_init(&s);
	ob_sha256_update(&s, data, len);
	ob_sha256_final(&s, sum);
	ob_sha256_hex(sum, hex);
	if (check_digest(d, hex, len, err) < 0)
		return NULL;
	j = json_loadb(data, len, 0, &jerr);
	if (j == NULL || !json_is_object(j)) {
		ob_err(err, OB_EXIT_FAIL, 0, "blob %s: not a JSON object: %s", d->digest,
		       j ? "wrong type" : jerr.text);
		json_decref(j);
	}
	return j;
}

static const char *opt_string(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Parse a descriptor; media type, digest and size are required. */
static int parse_desc(json_t *j, struct desc *d, struct ob_error *err)
{
	json_t *size = json_object_get(j, "size");
	json_t *platform = json_object_get(j, "platform");

	memset(d, 0, sizeof(*d));
	d->media_type = opt_string(j, "mediaType");
	d->digest = opt_string(j, "digest");
	d->ref = opt_string(json_object_get(j, "annotations"), REF_NAME);
	if (d->media_type == NULL || d->digest == NULL || !json_is_integer(size) ||
	    json_integer_value(size) < 0)
		return ob_err(err, OB_EXIT_FAIL, 0,
			      "descriptor without a valid mediaType, digest and size");
	d->size = json_integer_value(size);
	d->os = opt_string(platform, "os");
	d->arch = opt_string(platform, "architecture");
	d->variant = opt_string(platform, "variant");
	return 0;
}

/* NULL-terminated copy of a JSON array of strings (null or absent: empty). */
static char **string_array(json_t *arr, const char *what, struct ob_error *err)
{
	size_t n = json_is_array(arr) ? json_array_size(arr) : 0;
	char **v;

	if (arr != NULL && !json_is_null(arr) && !json_is_array(arr)) {
		ob_err(err, OB_EXIT_FAIL, 0, "image config: %s is not an array", what);
		return NULL;
	}
	v = calloc(n + 1, sizeof(*v));
	if (v == NULL) {
		nomem(err);
		return NULL;
	}
	for (size_t i = 0; i < n; i++) {
		const char *s = json_string_value(json_array_get(arr, i));

		if (s == NULL || (v[i] = strdup(s)) == NULL) {
			for (size_t k = 0; k < i; k++)
				free(v[k]);
			free(v);
			if (s == NULL)
				ob_err(err, OB_EXIT_FAIL, 0, "image config: %s[%zu] is not a string", what, i);
			else
				nomem(err);
			return NULL;
		}
	}
	return v;
}

static void free_strv(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

static void note_platform(struct walk *w, const char *os, const char *arch, const char *variant)
{
	size_t len = strlen(w->seen);
	char p[128];

	snprintf(p, sizeof(p), "%s/%s%s%s", os ? os : "?", arch ? arch : "?", variant ? "/" : "",
		 variant ? variant : "");
	for (const char *s = w->seen; (s = strstr(s, p)) != NULL; s += strlen(p))
		if ((s == w->seen || s[-1] == ' ') && (s[strlen(p)] == ',' || s[strlen(p)] == '\0'))
			return; /* already listed */
	snprintf(w->seen + len, sizeof(w->seen) - len, "%s%s", len ? ", " : "", p);
}

/* Variants as the OCI image index spec and containerd read them: an arm64
 * image without one is v8, an arm one v7; an arm CPU of variant vN also
 * runs the older variants (the inexact pass). */
static const char *norm_variant(const char *arch, const char *variant)
{
	if (variant != NULL)
		return variant;
	if (strcmp(arch, "arm64") == 0)
		return "v8";
	if (strcmp(arch, "arm") == 0)
		return "v7";
	return NULL;
}

static int platform_matches(const struct walk *w, const char *os, const char *arch,
			    const char *variant)
{
	const char *have, *want;

	if (!os || !arch || strcmp(os, "linux") != 0 || strcmp(arch, w->want_arch) != 0)
		return 0;
	have = norm_variant(arch, variant);
	want = norm_variant(arch, w->want_variant);
	if (have == NULL || want == NULL)
		return 1;
	if (strcmp(have, want) == 0)
		return 1;
	/* "v6" < "v7": one digit after the v in every arm variant */
	return !w->exact && strcmp(arch, "arm") == 0 && strlen(have) == 2 && strlen(want) == 2 &&
	       have[0] == 'v' && want[0] == 'v' && have[1] < want[1];
}

/* A manifest descriptor: read it and its config; keep them if the platform
 * matches.  Returns 1 when chosen, 0 when not, -1 on error. */
static int try_manifest(struct walk *w, const struct desc *d, struct ob_error *err)
{
	json_t *manifest, *config;
	struct desc cd;
	const char *os, *arch, *variant;

	if (d->os && d->arch && !platform_matches(w, d->os, d->arch, d->variant)) {
		note_platform(w, d->os, d->arch, d->variant);
		return 0;
	}
	manifest = read_json_blob(w->layout, d, err);
	if (manifest == NULL)
		return ob_err_wrap(err, "manifest %s", d->digest);
	if (parse_desc(json_object_get(manifest, "config"), &cd, err) < 0 ||
	    (config = read_json_blob(w->layout, &cd, err)) == NULL) {
		json_decref(manifest);
		return ob_err_wrap(err, "config of manifest %s", d->digest);
	}
	os = opt_string(config, "os");
	arch = opt_string(config, "architecture");
	variant = opt_string(config, "variant");
	if (variant == NULL && d->os && d->arch && d->variant) /* the config may leave it out */
		variant = d->variant;
	if (!platform_matches(w, os, arch, variant)) {
		json_decref(manifest);
		json_decref(config);
		if (d->os && d->arch) /* the index said this platform matches */
			return ob_err(err, OB_EXIT_FAIL, 0,
				      "manifest %s: index says %s/%s, config says %s/%s", d->digest,
				      d->os, d->arch, os ? os : "?", arch ? arch : "?");
		note_platform(w, os, arch, variant);
		return 0;
	}
	w->manifest = manifest;
	w->config = config;
	w->manifest_digest = strdup(d->digest);
	return w->manifest_digest ? 1 : nomem(err);
}

/* Walk an index's manifests (depth 0: index.json, filtered by ref). */
static int walk_index(struct walk *w, json_t *index, int depth, struct ob_error *err)
{
	json_t *list = json_object_get(index, "manifests");
	json_t *item;
	size_t i;

	if (!json_is_array(list))
		return ob_err(err, OB_EXIT_FAIL, 0, "index without a manifests array");
	json_array_foreach(list, i, item) {
		struct desc d;
		int r = 0;

		if (parse_desc(item, &d, err) < 0)
			return ob_err_wrap(err, "manifests[%zu]", i);
		if (depth == 0 && w->ref && (d.ref == NULL || strcmp(d.ref, w->ref) != 0))
			continue;
		if (depth == 0)
			w->tagged++;
		if (strcmp(d.media_type, MT_OCI_MANIFEST) == 0 ||
		    strcmp(d.media_type, MT_DOCKER_MANIFEST) == 0) {
			r = try_manifest(w, &d, err);
		} else if (strcmp(d.media_type, MT_OCI_INDEX) == 0 ||
			   strcmp(d.media_type, MT_DOCKER_LIST) == 0) {
			json_t *nested;

			if (depth + 1 >= MAX_DEPTH)
				return ob_err(err, OB_EXIT_FAIL, 0, "indexes nested too deep at %s", d.digest);
			nested = read_json_blob(w->layout, &d, err);
			if (nested == NULL)
				return ob_err_wrap(err, "index %s", d.digest);
			r = walk_index(w, nested, depth + 1, err);
			json_decref(nested);
		} /* anything else (artifacts, signatures) is not an image */
		if (r != 0)
			return r;
	}
	return 0;
}

/* Layer blobs of the chosen manifest, verified. */
static int read_layers(struct walk *w, struct ob_image *img, struct ob_error *err)
{
	json_t *layers = json_object_get(w->manifest, "layers");
	json_t *diff_ids = json_object_get(json_object_get(w->config, "rootfs"), "diff_ids");
	json_t *item;
	size_t i;

	if (!json_is_array(layers))
		return ob_err(err, OB_EXIT_FAIL, 0, "manifest %s has no layers array", img->manifest_digest);
	if (json_is_array(diff_ids) && json_array_size(diff_ids) != json_array_size(layers))
		return ob_err(err, OB_EXIT_FAIL, 0, "manifest %s has %zu layers, its config %zu diff_ids",
			      img->manifest_digest, json_array_size(layers), json_array_size(diff_ids));
	img->layers = calloc(json_array_size(layers) + 1, sizeof(*img->layers));
	img->layer_digests = calloc(json_array_size(layers) + 1, sizeof(*img->layer_digests));
	img->layer_sizes = calloc(json_array_size(layers) + 1, sizeof(*img->layer_sizes));
	if (img->layers == NULL || img->layer_digests == NULL || img->layer_sizes == NULL)
		return nomem(err);
	json_array_foreach(layers, i, item) {
		struct desc d;

		if (parse_desc(item, &d, err) < 0)
			return ob_err_wrap(err, "layers[%zu]", i);
		if (strstr(d.media_type, "tar") == NULL)
			return ob_err(err, OB_EXIT_FAIL, 0, "layer %s: unsupported media type %s",
				      d.digest, d.media_type);
		if (verify_blob_file(w->layout, &d, &img->layers[i], err) < 0)
			return ob_err_wrap(err, "layer %zu", i);
		if ((img->layer_digests[i] = strdup(d.digest)) == NULL)
			return nomem(err);
		img->layer_sizes[i] = d.size;
		img->nlayers++;
	}
	return 0;
}

/* Fill img from the chosen manifest and config. */
static int fill_image(struct walk *w, struct ob_image *img, struct ob_error *err)
{
	json_t *cfg = json_object_get(w->config, "config");
	struct desc cd;

	img->manifest_digest = w->manifest_digest;
	w->manifest_digest = NULL;
	if (parse_desc(json_object_get(w->manifest, "config"), &cd, err) < 0)
		return -1;
	img->config_digest = strdup(cd.digest);
	img->os = strdup(opt_string(w->config, "os"));
	img->arch = strdup(opt_string(w->config, "architecture"));
	if (!img->config_digest || !img->os || !img->arch)
		return nomem(err);
	if (opt_string(w->config, "variant") != NULL &&
	    (img->variant = strdup(opt_string(w->config, "variant"))) == NULL)
		return nomem(err);
	if (cfg != NULL && !json_is_object(cfg) && !json_is_null(cfg))
		return ob_err(err, OB_EXIT_FAIL, 0, "image config: config is not an object");
	if ((img->entrypoint = string_array(json_object_get(cfg, "Entrypoint"), "Entrypoint", err)) == NULL ||
	    (img->cmd = string_array(json_object_get(cfg, "Cmd"), "Cmd", err)) == NULL ||
	    (img->env = string_array(json_object_get(cfg, "Env"), "Env", err)) == NULL)
		return -1;
	return read_layers(w, img, err);
}

static int check_layout_file(const char *layout, struct ob_error *err)
{
	ob_cleanup_free char *path = NULL;
	ob_cleanup_free char *data = NULL;
	const char *version;
	json_error_t jerr;
	size_t len;
	json_t *j;
	int ok;

	if (asprintf(&path, "%s/oci-layout", layout) < 0)
		return nomem(err);
	if (ob_read_file(path, &data, &len, err) < 0)
		return ob_err_wrap(err, "%s is not an OCI image layout", layout);
	j = json_loadb(data, len, 0, &jerr);
	version = opt_string(j, "imageLayoutVersion");
	ok = version && strncmp(version, "1.", 2) == 0;
	if (!ok)
		ob_err(err, OB_EXIT_FAIL, 0, "%s: unsupported or missing imageLayoutVersion", path);
	json_decref(j);
	return ok ? 0 : -1;
}

static int open_layout(struct walk *w, struct ob_image *img, struct ob_error *err)
{
	ob_cleanup_free char *path = NULL;
	ob_cleanup_free char *data = NULL;
	json_error_t jerr;
	json_t *index;
	size_t len;
	int r;

	if (check_layout_file(w->layout, err) < 0)
		return -1;
	if (asprintf(&path, "%s/index.json", w->layout) < 0)
		return nomem(err);
	if (ob_read_file(path, &data, &len, err) < 0)
		return ob_err_wrap(err, "%s is not an OCI image layout", w->layout);
	index = json_loadb(data, len, 0, &jerr);
	if (index == NULL)
		return ob_err(err, OB_EXIT_FAIL, 0, "%s: %s (line %d)", path, jerr.text, jerr.line);
	r = walk_index(w, index, 0, err);
	if (r == 0 && w->manifest == NULL && strcmp(w->want_arch, "arm") == 0) {
		w->exact = 0; /* no image of the very variant: an older one */
		w->tagged = 0;
		r = walk_index(w, index, 0, err);
	}
	json_decref(index);
	if (r < 0)
		return ob_err_wrap(err, "%s", w->layout);
	if (w->manifest == NULL) {
		if (w->ref && w->tagged == 0)
			return ob_err(err, OB_EXIT_FAIL, 0, "image %s has no manifest tagged '%s'",
				      w->layout, w->ref);
		if (w->seen[0] == '\0')
			return ob_err(err, OB_EXIT_FAIL, 0, "image %s has no image manifest", w->layout);
		return ob_err(err, OB_EXIT_UNSUPPORTED, 0, "image %s has %s only, %s %s", w->layout,
			      w->seen, w->want_is_host ? "host is" : "wanted", w->want);
	}
	if (fill_image(w, img, err) < 0)
		return ob_err_wrap(err, "%s", w->layout);
	return 0;
}

int ob_image_open(const char *layout, const char *ref, const char *want_arch,
		  struct ob_image *img, struct ob_error *err)
{
	ob_cleanup_free char *host = NULL;
	struct walk w = {
		.layout = layout,
		.ref = ref,
		.want = want_arch,
		.exact = 1,
		.want_is_host = want_arch == NULL,
	};
	const char *slash;
	int r;

	memset(img, 0, sizeof(*img));
	if (w.want_is_host) {
		if (asprintf(&host, "%s%s%s", ob_image_host_arch(), ob_image_host_variant() ? "/" : "",
			     ob_image_host_variant() ? ob_image_host_variant() : "") < 0)
			return nomem(err);
		w.want = host;
	}
	/* "arch" or "arch/variant" */
	slash = strchr(w.want, '/');
	if ((slash ? (size_t)(slash - w.want) : strlen(w.want)) >= sizeof(w.want_arch) ||
	    (slash && (slash[1] == '\0' || strchr(slash + 1, '/'))))
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "invalid platform '%s' (expected ARCH or ARCH/VARIANT, e.g. arm/v7)", w.want);
	snprintf(w.want_arch, sizeof(w.want_arch), "%.*s",
		 (int)(slash ? (size_t)(slash - w.want) : strlen(w.want)), w.want);
	w.want_variant = slash ? slash + 1 : NULL;
	img->layout = strdup(layout);
	r = img->layout ? open_layout(&w, img, err) : nomem(err);
	json_decref(w.manifest);
	json_decref(w.config);
	free(w.manifest_digest);
	if (r < 0)
		ob_image_free(img);
	return r;
}

void ob_image_free(struct ob_image *img)
{
	free(img->layout);
	free(img->manifest_digest);
	free(img->config_digest);
	free(img->os);
	free(img->arch);
	free(img->variant);
	free_strv(img->entrypoint);
	free_strv(img->cmd);
	free_strv(img->env);
	free_strv(img->layers);
	free_strv(img->layer_digests);
	free(img->layer_sizes);
	memset(img, 0, sizeof(*img));
}
