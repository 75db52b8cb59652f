/* ob-opt.c - see ob-opt.h */
#include "ob-opt.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FIELD(opt, base, type) ((type *)((char *)(base) + (opt)->off))

int ob_parse_size(const char *text, uint64_t *out)
{
	unsigned long long v;
	unsigned shift = 0;
	char *end;

	if (text == NULL || !isdigit((unsigned char)text[0]))
		return -1;
	errno = 0;
	v = strtoull(text, &end, 10);
	if (errno != 0)
		return -1;
	switch (toupper((unsigned char)*end)) {
	case '\0': break;
	case 'K': shift = 10; break;
	case 'M': shift = 20; break;
	case 'G': shift = 30; break;
	case 'T': shift = 40; break;
	default: return -1;
	}
	if (*end != '\0') {
		end++;
		/* accept "16KB"/"16KiB" spellings too */
		if (toupper((unsigned char)*end) == 'I')
			end++;
		if (toupper((unsigned char)*end) == 'B')
			end++;
		if (*end != '\0')
			return -1;
	}
	if (shift != 0 && v > (UINT64_MAX >> shift))
		return -1;
	*out = (uint64_t)v << shift;
	return 0;
}

static bool in_range(const struct ob_opt *opt, double v)
{
	if (v < opt->min)
		return false;
	if (opt->max > opt->min && v > opt->max)
		return false;
	return true;
}

static int range_error(const struct ob_opt *opt, const char *value, const char *what,
		       struct ob_error *err)
{
	if (opt->max > opt->min)
		return ob_err(err, OB_EXIT_USAGE, 0,
			      "invalid value '%s' for --%s: expected %s in [%.15g, %.15g]",
			      value, opt->name, what, opt->min, opt->max);
	return ob_err(err, OB_EXIT_USAGE, 0,
		      "invalid value '%s' for --%s: expected %s >= %.15g", value,
		      opt->name, what, opt->min);
}

static int find_choice(const char *const *choices, const char *s, size_t len)
{
	for (int i = 0; choices[i] != NULL; i++)
		if (strlen(choices[i]) == len && strncmp(choices[i], s, len) == 0)
			return i;
	return -1;
}

static int choice_error(const struct ob_opt *opt, const char *value, struct ob_error *err)
{
	char list[256] = "";
	size_t used = 0;

	for (int i = 0; opt->choices[i] != NULL && used < sizeof(list); i++)
		used += (size_t)snprintf(list + used, sizeof(list) - used, "%s%s",
					 i ? ", " : "", opt->choices[i]);
	return ob_err(err, OB_EXIT_USAGE, 0, "invalid value '%s' for --%s: expected one of %s",
		      value, opt->name, list);
}

/* Store one value; errors name the option and the value. */
static int set_value(const struct ob_opt *opt, void *base, const char *value,
		     struct ob_error *err)
{
	char *end;

	switch (opt->type) {
	case OB_OPT_INT: {
		long long v;

		errno = 0;
		v = strtoll(value, &end, 10);
		if (errno != 0 || end == value || *end != '\0' || !in_range(opt, (double)v))
			return range_error(opt, value, "an integer", err);
		*FIELD(opt, base, long long) = v;
		return 0;
	}
	case OB_OPT_SIZE: {
		uint64_t v;

		if (ob_parse_size(value, &v) < 0)
			return ob_err(err, OB_EXIT_USAGE, 0,
				      "invalid size '%s' for --%s: expected a number with an optional K, M, G or T suffix",
				      value, opt->name);
		if (!in_range(opt, (double)v))
			return range_error(opt, value, "a size", err);
		*FIELD(opt, base, uint64_t) = v;
		return 0;
	}
	case OB_OPT_DOUBLE: {
		double v;

		errno = 0;
		v = strtod(value, &end);
		if (errno != 0 || end == value || *end != '\0' || !isfinite(v) ||
		    !in_range(opt, v))
			return range_error(opt, value, "a number", err);
		*FIELD(opt, base, double) = v;
		return 0;
	}
	case OB_OPT_BOOL: {
		static const char *const yes[] = {"on", "yes", "true", "1", NULL};
		static const char *const no[] = {"off", "no", "false", "0", NULL};

		if (find_choice(yes, value, strlen(value)) >= 0)
			*FIELD(opt, base, bool) = true;
		else if (find_choice(no, value, strlen(value)) >= 0)
			*FIELD(opt, base, bool) = false;
		else
			return ob_err(err, OB_EXIT_USAGE, 0,
				      "invalid value '%s' for --%s: expected on or off", value,
				      opt->name);
		return 0;
	}
	case OB_OPT_STRING:
		*FIELD(opt, base, const char *) = value;
		return 0;
	case OB_OPT_CHOICE: {
		int i = find_choice(opt->choices, value, strlen(value));

		if (i < 0)
			return choice_error(opt, value, err);
		*FIELD(opt, base, int) = i;
		return 0;
	}
	case OB_OPT_FLAGS: {
		unsigned bits = 0;
		const char *p = value;

		while (*p != '\0') {
			size_t len = strcspn(p, ",");
			int i = find_choice(opt->choices, p, len);

			if (len > 0 && i < 0)
				return choice_error(opt, value, err);
			if (len > 0)
				bits |= 1u << i;
			p += len;
			if (*p == ',')
				p++;
		}
		*FIELD(opt, base, unsigned) = bits;
		return 0;
	}
	}
	return ob_err(err, OB_EXIT_FAIL, 0, "--%s: unknown option type", opt->name);
}

int ob_opt_defaults(const struct ob_optset *sets, size_t nsets, struct ob_error *err)
{
	for (size_t s = 0; s < nsets; s++)
		for (const struct ob_opt *o = sets[s].opts; o->name != NULL; o++) {
			if (o->def == NULL) {
				if (o->type == OB_OPT_STRING)
					*FIELD(o, sets[s].base, const char *) = NULL;
				continue;
			}
			if (set_value(o, sets[s].base, o->def, err) < 0) {
				err->status = OB_EXIT_FAIL;
				return ob_err_wrap(err, "built-in default");
			}
		}
	return 0;
}

static const struct ob_opt *lookup(const struct ob_optset *sets, size_t nsets,
				   const char *name, size_t len, void **base)
{
	for (size_t s = 0; s < nsets; s++)
		for (const struct ob_opt *o = sets[s].opts; o->name != NULL; o++)
			if (strlen(o->name) == len && strncmp(o->name, name, len) == 0) {
				*base = sets[s].base;
				return o;
			}
	return NULL;
}

int ob_opt_parse(const struct ob_optset *sets, size_t nsets, int argc, char **argv,
		 char **pos, int *npos, struct ob_error *err)
{
	*npos = 0;
	for (int i = 1; i < argc; i++) {
		const char *arg = argv[i];
		const char *name, *value, *eq;
		const struct ob_opt *opt;
		void *base;

		if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0)
			return OB_OPT_HELP;
		if (strncmp(arg, "--", 2) != 0 || arg[2] == '\0') {
			if (arg[0] == '-' && arg[1] != '\0')
				return ob_err(err, OB_EXIT_USAGE, 0, "unknown option '%s'", arg);
			pos[(*npos)++] = argv[i];
			continue;
		}
		name = arg + 2;
		eq = strchr(name, '=');
		opt = lookup(sets, nsets, name, eq ? (size_t)(eq - name) : strlen(name), &base);
		if (opt == NULL)
			return ob_err(err, OB_EXIT_USAGE, 0, "unknown option '%s'", arg);
		if (eq != NULL)
			value = eq + 1;
		else if (opt->type == OB_OPT_BOOL)
			value = "on";
		else if (i + 1 < argc)
			value = argv[++i];
		else
			return ob_err(err, OB_EXIT_USAGE, 0, "option --%s needs a value",
				      opt->name);
		if (set_value(opt, base, value, err) < 0)
			return -1;
	}
	return OB_OPT_OK;
}

void ob_opt_format(const struct ob_opt *o, const void *base, char *buf, size_t len)
{
	void *b = (void *)base;

	switch (o->type) {
	case OB_OPT_INT:
		snprintf(buf, len, "%lld", *FIELD(o, b, long long));
		break;
	case OB_OPT_SIZE:
		snprintf(buf, len, "%llu", (unsigned long long)*FIELD(o, b, uint64_t));
		break;
	case OB_OPT_DOUBLE:
		snprintf(buf, len, "%g", *FIELD(o, b, double));
		break;
	case OB_OPT_BOOL:
		snprintf(buf, len, "%s", *FIELD(o, b, bool) ? "on" : "off");
		break;
	case OB_OPT_STRING: {
		const char *s = *FIELD(o, b, const char *);

		snprintf(buf, len, "%s", s ? s : "");
		break;
	}
	case OB_OPT_CHOICE:
		snprintf(buf, len, "%s", o->choices[*FIELD(o, b, int)]);
		break;
	case OB_OPT_FLAGS: {
		unsigned bits = *FIELD(o, b, unsigned);
		size_t used = 0;

		buf[0] = '\0';
		for (int i = 0; o->choices[i] != NULL && used < len; i++)
			if (bits & (1u << i))
				used += (size_t)snprintf(buf + used, len - used, "%s%s",
							 used ? "," : "", o->choices[i]);
		break;
	}
	}
}

#define HELP_WIDTH 80
/* Wider options or defaults (a long path) take a line of their own. */
#define NAME_MAX_WIDTH 18
#define DEF_MAX_WIDTH 20

static size_t fit(size_t width, size_t len, size_t cap)
{
	return len <= cap && len > width ? len : width;
}

static void pad_to(FILE *f, size_t have, size_t want)
{
	for (; have < want; have++)
		fputc(' ', f);
}

/* Text after column col, wrapped at spaces to HELP_WIDTH (a word longer
 * than the room left stays whole). */
static void help_wrapped(FILE *f, const char *s, size_t col)
{
	size_t room = HELP_WIDTH > col + 20 ? HELP_WIDTH - col : 20;

	while (strlen(s) > room) {
		const char *cut = s + room;

		while (cut > s && *cut != ' ')
			cut--;
		if (cut == s)
			cut = strchr(s + room, ' ');
		if (cut == NULL)
			break;
		fprintf(f, "%.*s\n%*s", (int)(cut - s), s, (int)col, "");
		s = cut + 1;
	}
	fprintf(f, "%s\n", s);
}

/* The default column of an option and the length of its help without a
 * closing "(default: X)" that gave it. */
static void shown_default(const struct ob_opt *o, char *buf, size_t size, size_t *help_len)
{
	const char *p = strstr(o->help, "(default");
	size_t len = strlen(o->help);

	*help_len = len;
	if (o->def != NULL && *o->def != '\0') {
		snprintf(buf, size, "%s", o->def);
		return;
	}
	if (p != NULL && o->help[len - 1] == ')' && strchr(p + 1, '(') == NULL) {
		const char *v = p + strlen("(default");

		v += strspn(v, ": ");
		snprintf(buf, size, "%.*s", (int)(o->help + len - 1 - v), v);
		while (p > o->help && p[-1] == ' ')
			p--;
		*help_len = (size_t)(p - o->help);
		return;
	}
	snprintf(buf, size, "%s", o->type == OB_OPT_BOOL ? "off" : "-");
}

/* One row: an option or default wider than its column pushes what follows
 * to the next line, under its own column. */
static void help_row(FILE *f, const char *opt, const char *def, const char *help, size_t wname,
		     size_t wdef)
{
	fprintf(f, "  %s", opt);
	if (strlen(opt) > wname)
		fprintf(f, "\n  %*s", (int)wname, "");
	else
		pad_to(f, strlen(opt), wname);
	fprintf(f, "  %s", def);
	if (strlen(def) > wdef)
		fprintf(f, "\n  %*s  %*s", (int)wname, "", (int)wdef, "");
	else
		pad_to(f, strlen(def), wdef);
	fputs("  ", f);
	help_wrapped(f, help, wname + wdef + 6);
}

void ob_opt_help_rows(FILE *f, const struct ob_optset *sets, size_t nsets,
		      const struct ob_opt_row *rows, size_t nrows)
{
	size_t wname = strlen("option"), wdef = strlen("default");

	/* the widest that fit their caps: the others take a line of their own */
	for (size_t i = 0; i < nrows; i++) {
		wname = fit(wname, strlen(rows[i].option), NAME_MAX_WIDTH);
		wdef = fit(wdef, strlen(rows[i].def ? rows[i].def : "-"), DEF_MAX_WIDTH);
	}
	for (size_t s = 0; s < nsets; s++)
		for (const struct ob_opt *o = sets[s].opts; o->name != NULL; o++) {
			char def[128];
			size_t hl;

			shown_default(o, def, sizeof(def), &hl);
			wname = fit(wname, strlen(o->name) + 2, NAME_MAX_WIDTH);
			wdef = fit(wdef, strlen(def), DEF_MAX_WIDTH);
		}
	help_row(f, "option", "default", "meaning", wname, wdef);
	for (size_t i = 0; i < nrows; i++)
		help_row(f, rows[i].option, rows[i].def ? rows[i].def : "-", rows[i].help, wname, wdef);
	for (size_t s = 0; s < nsets; s++)
		for (const struct ob_opt *o = sets[s].opts; o->name != NULL; o++) {
			char name[128], def[128], help[512];
			size_t hl;

			shown_default(o, def, sizeof(def), &hl);
			snprintf(name, sizeof(name), "--%s", o->name);
			snprintf(help, sizeof(help), "%.*s", (int)hl, o->help);
			help_row(f, name, def, help, wname, wdef);
		}
}

void ob_opt_help(FILE *f, const struct ob_optset *sets, size_t nsets)
{
	ob_opt_help_rows(f, sets, nsets, NULL, 0);
}

void ob_opt_to_json(const struct ob_optset *sets, size_t nsets, json_t *obj)
{
	for (size_t s = 0; s < nsets; s++)
		for (const struct ob_opt *o = sets[s].opts; o->name != NULL; o++) {
			void *b = sets[s].base;
			char key[96];
			json_t *v = NULL;

			snprintf(key, sizeof(key), "%s", o->name);
			for (char *p = key; *p; p++)
				if (*p == '-')
					*p = '_';
			switch (o->type) {
			case OB_OPT_INT:
				v = json_integer(*FIELD(o, b, long long));
				break;
			case OB_OPT_SIZE:
				v = json_integer((json_int_t)*FIELD(o, b, uint64_t));
				break;
			case OB_OPT_DOUBLE:
				v = json_real(*FIELD(o, b, double));
				break;
			case OB_OPT_BOOL:
				v = json_boolean(*FIELD(o, b, bool));
				break;
			case OB_OPT_STRING: {
				const char *str = *FIELD(o, b, const char *);

				v = str ? json_string(str) : json_null();
				break;
			}
			case OB_OPT_CHOICE:
				v = json_string(o->choices[*FIELD(o, b, int)]);
				break;
			case OB_OPT_FLAGS: {
				unsigned bits = *FIELD(o, b, unsigned);

				v = json_array();
				for (int i = 0; o->choices[i] != NULL; i++)
					if (bits & (1u << i))
						json_array_append_new(v, json_string(o->choices[i]));
				break;
			}
			}
			json_object_set_new(obj, key, v);
		}
}
