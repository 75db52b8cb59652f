/* ob-getopt.c - see ob-getopt.h */
#include "ob-getopt.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "ob-cleanup.h"

enum { HELP_ID = 0x10000, LONG_BASE = 0x10001 };

static size_t count_opts(const struct ob_optset *sets, size_t nsets)
{
	size_t n = 0;

	for (size_t s = 0; s < nsets; s++)
		for (const struct ob_opt *o = sets[s].opts; o->name != NULL; o++)
			n++;
	return n;
}

static const struct ob_opt *nth_opt(const struct ob_optset *sets, size_t nsets, size_t i)
{
	for (size_t s = 0; s < nsets; s++)
		for (const struct ob_opt *o = sets[s].opts; o->name != NULL; o++)
			if (i-- == 0)
				return o;
	return NULL;
}

static const struct ob_opt *find_opt(const struct ob_optset *sets, size_t nsets, const char *name)
{
	for (size_t s = 0; s < nsets; s++)
		for (const struct ob_opt *o = sets[s].opts; o->name != NULL; o++)
			if (strcmp(o->name, name) == 0)
				return o;
	return NULL;
}

/* Hand one option to ob-opt's parser as "--name value" (or "--name"). */
static int apply(const struct ob_optset *sets, size_t nsets, const char *name,
		 const char *value, struct ob_error *err)
{
	char flag[128];
	char *sub[3] = {"", flag, (char *)value};
	char *pos[3];
	int npos;

	snprintf(flag, sizeof(flag), "--%s", name);
	return ob_opt_parse(sets, nsets, value != NULL ? 3 : 2, sub, pos, &npos, err) < 0 ? -1 : 0;
}

static int short_error(int c, const char *arg, struct ob_error *err)
{
	if (c != 0)
		return ob_err(err, OB_EXIT_USAGE, 0, "unknown option '-%c'", c);
	return ob_err(err, OB_EXIT_USAGE, 0, "unknown option '%s'", arg);
}

int ob_getopt_parse(const struct ob_optset *sets, size_t nsets, const struct ob_short *shorts,
		    int argc, char **argv, char **pos, int *npos, struct ob_error *err)
{
	size_t n = count_opts(sets, nsets), nshort = 0;
	ob_cleanup_free struct option *longs = calloc(n + 2, sizeof(*longs));
	ob_cleanup_free char *spec = NULL;
	size_t used = 0;
	int c;

	for (const struct ob_short *s = shorts; s != NULL && s->flag != 0; s++)
		nshort++;
	spec = malloc(3 * nshort + 4);
	if (longs == NULL || spec == NULL)
		return ob_err(err, OB_EXIT_FAIL, 0, "out of memory");
	spec[used++] = ':'; /* report a missing argument as ':' */
	for (const struct ob_short *s = shorts; s != NULL && s->flag != 0; s++) {
		const struct ob_opt *o = find_opt(sets, nsets, s->name);

		if (o == NULL)
			return ob_err(err, OB_EXIT_FAIL, 0, "-%c names no option --%s", s->flag, s->name);
		spec[used++] = s->flag;
		if (s->value == NULL && o->type != OB_OPT_BOOL)
			spec[used++] = ':';
	}
	spec[used++] = 'h';
	spec[used] = '\0';
	for (size_t i = 0; i < n; i++) {
		const struct ob_opt *o = nth_opt(sets, nsets, i);

		longs[i].name = o->name;
		longs[i].has_arg = o->type == OB_OPT_BOOL ? optional_argument : required_argument;
		longs[i].val = LONG_BASE + (int)i;
	}
	longs[n].name = "help";
	longs[n].val = HELP_ID;

	*npos = 0;
	opterr = 0;
	optind = 0; /* re-initialise getopt */
	while ((c = getopt_long(argc, argv, spec, longs, NULL)) != -1) {
		const struct ob_short *s;

		if (c == 'h' || c == HELP_ID)
			return OB_OPT_HELP;
		if (c >= LONG_BASE) {
			if (apply(sets, nsets, longs[c - LONG_BASE].name, optarg, err) < 0)
				return -1;
			continue;
		}
		if (c == ':') {
			if (optopt != 0)
				return ob_err(err, OB_EXIT_USAGE, 0, "option -%c needs a value", optopt);
			return ob_err(err, OB_EXIT_USAGE, 0, "option %s needs a value", argv[optind - 1]);
		}
		if (c == '?')
			return short_error(optopt, argv[optind - 1], err);
		for (s = shorts; s->flag != c; s++)
			;
		if (apply(sets, nsets, s->name, s->value != NULL ? s->value : optarg, err) < 0)
			return -1;
	}
	while (optind < argc)
		pos[(*npos)++] = argv[optind++];
	return OB_OPT_OK;
}
