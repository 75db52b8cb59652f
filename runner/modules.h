/* modules.h - the runner's view of the image and results modules.
 *
 * runner/libimage.a (image.h) and runner/libresults.a (results.h) are built
 * by their own fragments.  runner.am links them when those fragments define
 * them and compiles this glue with OB_HAVE_IMAGE_MODULE /
 * OB_HAVE_RESULTS_MODULE; without a module the calls below fail with a
 * message saying so, and nothing else in the runner changes.
 */
#ifndef OB_MODULES_H
#define OB_MODULES_H

#include <stdbool.h>
#include <stdio.h>

#include "ob-error.h"

struct ob_image;

bool ob_mod_have_image(void);

/* Open the image layout dir for the host architecture: *img is malloc'ed. */
int ob_mod_image_open(const char *layout, struct ob_image **img, struct ob_error *err);
int ob_mod_image_unpack(const struct ob_image *img, const char *rootfs, struct ob_error *err);
/* "sha256:..." of the manifest, or NULL. */
const char *ob_mod_image_digest(const struct ob_image *img);
/* NULL-terminated "K=V" list of the image config, or NULL. */
char *const *ob_mod_image_env(const struct ob_image *img);
void ob_mod_image_close(struct ob_image *img);

bool ob_mod_have_results(void);
int ob_mod_results_write(const char *dir, int incomplete, struct ob_error *err);
int ob_mod_results_print(const char *dir, FILE *out, struct ob_error *err);

#endif
