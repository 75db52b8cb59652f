/* modules.c - see modules.h */
#include "modules.h"

#include <stdlib.h>

#ifdef OB_HAVE_IMAGE_MODULE
#include "image.h"

bool ob_mod_have_image(void)
{
	return true;
}

int ob_mod_image_open(const char *layout, struct ob_image **img, struct ob_error *err)
{
	*img = calloc(1, sizeof(**img));
	if (!*img)
		abort();
	if (ob_image_open(layout, NULL, NULL, *img, err) < 0) {
		free(*img);
		*img = NULL;
		return ob_err_wrap(err, "image %s", layout);
	}
	return 0;
}

int ob_mod_image_unpack(const struct ob_image *img, const char *rootfs, struct ob_error *err)
{
	return ob_image_unpack(img, rootfs, err);
}

const char *ob_mod_image_digest(const struct ob_image *img)
{
	return img ? img->manifest_digest : NULL;
}

char *const *ob_mod_image_env(const struct ob_image *img)
{
	return img ? img->env : NULL;
}

void ob_mod_image_close(struct ob_image *img)
{
	if (img) {
		ob_image_free(img);
		free(img);
	}
}
#else
bool ob_mod_have_image(void)
{
	return false;
}

int ob_mod_image_open(const char *layout, struct ob_image **img, struct ob_error *err)
{
	*img = NULL;
	return ob_err(err, OB_EXIT_UNSUPPORTED, 0,
		      "cannot open image %s: this ocibench was built without the image module "
		      "(runner/libimage.a); use --rootfs-from DIR",
		      layout);
}

int ob_mod_image_unpack(const struct ob_image *img, const char *rootfs, struct ob_error *err)
{
	return ob_err(err, OB_EXIT_UNSUPPORTED, 0, "no image module to unpack into %s", rootfs);
}

const char *ob_mod_image_digest(const struct ob_image *img)
{
	return NULL;
}

char *const *ob_mod_image_env(const struct ob_image *img)
{
	return NULL;
}

void ob_mod_image_close(struct ob_image *img)
{
}
#endif

#ifdef OB_HAVE_RESULTS_MODULE
#include "results.h"

bool ob_mod_have_results(void)
{
	return true;
}

int ob_mod_results_write(const char *dir, int incomplete, struct ob_error *err)
{
	return ob_results_write_reports(dir, incomplete, err);
}

int ob_mod_results_print(const char *dir, FILE *out, struct ob_error *err)
{
	return ob_results_print_table(dir, out, err);
}
#else
bool ob_mod_have_results(void)
{
	return false;
}

int ob_mod_results_write(const char *dir, int incomplete, struct ob_error *err)
{
	return ob_err(err, OB_EXIT_UNSUPPORTED, 0,
		      "summary.csv and report.md not written for %s: this ocibench was built "
		      "without the results module (runner/libresults.a)",
		      dir);
}

int ob_mod_results_print(const char *dir, FILE *out, struct ob_error *err)
{
	return ob_err(err, OB_EXIT_UNSUPPORTED, 0,
		      "no table for %s: built without the results module (runner/libresults.a)", dir);
}
#endif
