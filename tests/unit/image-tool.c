/* image-tool - drive runner/oci/image.c from the end-to-end tests.
 *
 *   image-tool open LAYOUT [REF|- [ARCH|-]]           print the image as JSON
 *   image-tool unpack LAYOUT ROOTFS [REF|- [ARCH|-]]  extract into ROOTFS
 *   image-tool host-arch                              print the host's OCI arch
 *
 * Errors: one line on stderr, exit status from the error (1, 77 for a
 * platform the image does not have, 2 for usage).
 */
#include <jansson.h>
#include <stdio.h>
#include <string.h>

#include "image.h"

static json_t *strv_json(char **v)
{
	json_t *a = json_array();

	for (size_t i = 0; v[i]; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static const char *opt_arg(int argc, char **argv, int i)
{
	return i < argc && strcmp(argv[i], "-") != 0 ? argv[i] : NULL;
}

static void print_image(const struct ob_image *img)
{
	json_t *layers = json_array();
	json_t *j;

	for (size_t i = 0; i < img->nlayers; i++)
		json_array_append_new(layers, json_string(img->layers[i]));
	j = json_pack("{s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o}", "manifest_digest",
		      img->manifest_digest, "config_digest", img->config_digest, "os", img->os,
		      "arch", img->arch, "entrypoint", strv_json(img->entrypoint), "cmd",
		      strv_json(img->cmd), "env", strv_json(img->env), "layers", layers);
	if (img->variant != NULL)
		json_object_set_new(j, "variant", json_string(img->variant));
	json_dumpf(j, stdout, JSON_COMPACT);
	putchar('\n');
	json_decref(j);
}

int main(int argc, char **argv)
{
	struct ob_image img;
	struct ob_error err;
	int unpack = argc >= 4 && strcmp(argv[1], "unpack") == 0;
	int first = unpack ? 4 : 3;

	if (argc == 2 && strcmp(argv[1], "host-arch") == 0) {
		printf("%s%s%s\n", ob_image_host_arch(), ob_image_host_variant() ? "/" : "",
		       ob_image_host_variant() ? ob_image_host_variant() : "");
		return OB_EXIT_OK;
	}
	if (argc < 3 || argc > first + 2 || (!unpack && strcmp(argv[1], "open") != 0)) {
		fprintf(stderr, "usage: image-tool open LAYOUT [REF [ARCH]] | unpack LAYOUT ROOTFS [REF [ARCH]] | host-arch\n");
		return OB_EXIT_USAGE;
	}
	if (ob_image_open(argv[2], opt_arg(argc, argv, first), opt_arg(argc, argv, first + 1), &img,
			  &err) < 0 ||
	    (unpack && ob_image_unpack(&img, argv[3], &err) < 0)) {
		ob_err_print("image-tool", &err);
		ob_image_free(&img);
		return err.status;
	}
	if (!unpack)
		print_image(&img);
	ob_image_free(&img);
	return OB_EXIT_OK;
}
