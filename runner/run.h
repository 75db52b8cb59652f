/* run.h - ocibench [run] (the matrix) and ocibench bundle DIR. */
#ifndef OB_RUN_H
#define OB_RUN_H

#include "cli.h"
#include "ob-error.h"

int ob_cmd_run(struct cli *c, int argc, char **argv, struct ob_error *err);
int ob_cmd_bundle(struct cli *c, struct ob_error *err);

#endif
