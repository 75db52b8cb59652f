/* ob-opt.h - options are data.
 *
 * A program describes its options as a const table of struct ob_opt, each
 * naming a field of its options struct by offset.  One parser fills the
 * defaults, parses "--name=value" / "--name value", checks ranges and
 * choices, prints help, and turns the effective values into JSON.
 *
 * Field types by option type:
 *   OB_OPT_INT     long long     decimal integer in [min, max]
 *   OB_OPT_SIZE    uint64_t      integer + optional K/M/G/T suffix (powers of 1024)
 *   OB_OPT_DOUBLE  double        decimal number in [min, max]
 *   OB_OPT_BOOL    bool          on/off, yes/no, true/false, 1/0; bare "--name" = on
 *   OB_OPT_STRING  const char *  any text (NULL default allowed)
 *   OB_OPT_CHOICE  int           index into choices[]
 *   OB_OPT_FLAGS   unsigned      comma list of choices[] names, bit i = choices[i]
 */
#ifndef OB_OPT_H
#define OB_OPT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "ob-error.h"

enum ob_opt_type {
	OB_OPT_INT,
	OB_OPT_SIZE,
	OB_OPT_DOUBLE,
	OB_OPT_BOOL,
	OB_OPT_STRING,
	OB_OPT_CHOICE,
	OB_OPT_FLAGS,
};

struct ob_opt {
	const char *name;            /* without the leading "--"; NULL ends a table */
	enum ob_opt_type type;
	size_t off;                  /* offsetof() the field in the options struct */
	const char *def;             /* default, parsed like user input; NULL = none */
	double min, max;             /* INT/SIZE/DOUBLE range; max <= min means no upper bound */
	const char *const *choices;  /* CHOICE/FLAGS: NULL-terminated names */
	const char *help;            /* with def NULL, a closing "(default: X)" or
	                              * "(default X)" is shown as the default X */
};

/* A help row for an option parsed outside the tables. */
struct ob_opt_row {
	const char *option; /* "--runtime=NAME=PATH[,ARG...]" */
	const char *def;    /* NULL shows "-" */
	const char *help;
};

/* One table and the struct it fills. */
struct ob_optset {
	const struct ob_opt *opts;
	void *base;
};

/* Result of ob_opt_parse() besides errors. */
enum { OB_OPT_OK = 0, OB_OPT_HELP = 1 };

/* Fill every field with its default.  Returns 0 or -1 (a bad default is a
 * programming error reported as OB_EXIT_FAIL). */
int ob_opt_defaults(const struct ob_optset *sets, size_t nsets, struct ob_error *err);

/* Parse argv[1..argc-1].  Arguments that do not start with "--" are stored,
 * in order, in pos[0..*npos-1] (pos has room for argc entries).  Returns
 * OB_OPT_OK, OB_OPT_HELP for --help/-h, or -1 with err->status OB_EXIT_USAGE
 * and a one-line message naming the bad option or value. */
int ob_opt_parse(const struct ob_optset *sets, size_t nsets, int argc, char **argv,
		 char **pos, int *npos, struct ob_error *err);

/* Parse a size such as "16K" or "100G" (suffixes K/M/G/T, case-insensitive,
 * powers of 1024).  Returns 0 or -1 on a malformed or overflowing value. */
int ob_parse_size(const char *text, uint64_t *out);

/* The options as three aligned columns: "--name", the default, the help
 * (wrapped under its own column when a line would pass 80 characters). */
void ob_opt_help(FILE *f, const struct ob_optset *sets, size_t nsets);
/* The same, with extra rows first. */
void ob_opt_help_rows(FILE *f, const struct ob_optset *sets, size_t nsets,
		      const struct ob_opt_row *rows, size_t nrows);

/* Add every option's effective value to obj, keyed by option name with '-'
 * turned into '_'.  Sizes are numbers of bytes, choices their names, flags
 * an array of names. */
void ob_opt_to_json(const struct ob_optset *sets, size_t nsets, json_t *obj);

/* Text of the effective value of one option (for text reports). */
void ob_opt_format(const struct ob_opt *opt, const void *base, char *buf, size_t len);

#endif
