/* ob-getopt.h - short flags (getopt_long) on top of an ob-opt table.
 *
 * Tools that mimic a program with short flags (iperf3's -c HOST -t 10 -P 2)
 * keep their options as an ob-opt table and add a table of short aliases.
 * Every value still goes through ob-opt's parser (same ranges, same
 * one-line messages, same help and params JSON); long options also accept
 * unique prefixes, as getopt_long does.
 */
#ifndef OB_GETOPT_H
#define OB_GETOPT_H

#include "ob-opt.h"

struct ob_short {
	char flag;         /* the letter; 0 ends a table */
	const char *name;  /* the long option it stands for */
	const char *value; /* fixed value (-J = --format json); NULL: the option's own argument */
};

/* Like ob_opt_parse(), with the short flags of `shorts` (may be NULL).
 * Returns OB_OPT_OK, OB_OPT_HELP for -h/--help, or -1 with OB_EXIT_USAGE. */
int ob_getopt_parse(const struct ob_optset *sets, size_t nsets, const struct ob_short *shorts,
		    int argc, char **argv, char **pos, int *npos, struct ob_error *err);

#endif
