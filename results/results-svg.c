/* results-svg.c - grouped bar charts as inline SVG (see results-svg.h). */
#include "results-svg.h"

#include <math.h>
#include <string.h>

/* The drawing box (viewBox units; the page scales it to its width). */
#define W 640.0
#define H 300.0
#define ML 66.0 /* room for the tick labels and the axis title */
#define MR 10.0
#define MT 46.0 /* legend and two lines of labels over the tallest bar */
#define MB 30.0 /* group names */
#define X0 ML
#define X1 (W - MR)
#define Y0 MT
#define Y1 (H - MB)

/* Colour-blind safe palette (Okabe-Ito, without the yellow). */
static const char *const palette[] = {
	"#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#000000",
};
#define NPAL (sizeof(palette) / sizeof(palette[0]))

void ob_xml_text(FILE *out, const char *s)
{
	if (s == NULL)
		return;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		switch (c) {
		case '&': fputs("&amp;", out); break;
		case '<': fputs("&lt;", out); break;
		case '>': fputs("&gt;", out); break;
		case '"': fputs("&quot;", out); break;
		case '\'': fputs("&#39;", out); break;
		default:
			if ((c < 0x20 && c != '\t' && c != '\n') || c == 0x7f)
				fputs("\xEF\xBF\xBD", out);
			else
				fputc(c, out);
		}
	}
}

static const struct ob_svg_bar *bar(const struct ob_svg_chart *c, size_t g, size_t s)
{
	return &c->bars[g * c->nseries + s];
}

static int has_err(const struct ob_svg_bar *b)
{
	return isfinite(b->err) && b->err > 0;
}

double ob_svg_span(const struct ob_svg_chart *c)
{
	double lo = INFINITY, hi = -INFINITY;
	size_t n = 0;
	int nonpos = 0;

	for (size_t g = 0; g < c->ngroups; g++)
		for (size_t s = 0; s < c->nseries; s++) {
			double m = bar(c, g, s)->mean;

			if (!isfinite(m))
				continue;
			n++;
			if (m <= 0) {
				nonpos = 1;
				continue;
			}
			lo = fmin(lo, m);
			hi = fmax(hi, m);
		}
	if (n < 2)
		return 1;
	if (nonpos)
		return isfinite(hi) ? INFINITY : 1;
	return hi / lo;
}

/* The value axis: [lo, hi], linear from zero or logarithmic. */
struct axis {
	int log;
	double lo, hi, step; /* step: linear tick distance */
};

static void axis_of(const struct ob_svg_chart *c, struct axis *a)
{
	double top = 0, bottom = INFINITY;

	for (size_t g = 0; g < c->ngroups; g++)
		for (size_t s = 0; s < c->nseries; s++) {
			const struct ob_svg_bar *b = bar(c, g, s);
			double up = b->mean + (has_err(b) ? b->err : 0);

			if (!isfinite(b->mean))
				continue;
			top = fmax(top, up);
			if (b->mean > 0)
				bottom = fmin(bottom, b->mean);
		}
	a->log = ob_svg_span(c) > OB_SVG_LOG_SPAN && isfinite(ob_svg_span(c));
	if (a->log) {
		a->lo = pow(10, floor(log10(bottom)));
		if (bottom / a->lo < 1.5)
			a->lo /= 10; /* the smallest bar stays visible */
		a->hi = pow(10, ceil(log10(top)));
		if (a->hi <= a->lo)
			a->hi = a->lo * 10;
		a->step = 0;
		return;
	}
	if (!(top > 0))
		top = 1;
	double raw = top / 5, mag = pow(10, floor(log10(raw))), norm = raw / mag;

	a->step = (norm <= 1 ? 1 : norm <= 2 ? 2 : norm <= 5 ? 5 : 10) * mag;
	a->lo = 0;
	a->hi = ceil(top / a->step - 1e-9) * a->step;
}

/* The y coordinate of value v (clamped to the axis). */
static double ypos(const struct axis *a, double v)
{
	double f;

	if (a->log)
		f = v <= a->lo ? 0 : (log10(v) - log10(a->lo)) / (log10(a->hi) - log10(a->lo));
	else
		f = (v - a->lo) / (a->hi - a->lo);
	if (f < 0)
		f = 0;
	if (f > 1)
		f = 1;
	return Y1 - f * (Y1 - Y0);
}

static void tick(FILE *out, const struct axis *a, double v)
{
	double y = ypos(a, v);

	fprintf(out, "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
		     "stroke=\"#ddd\"/>",
		X0, y, X1, y);
	fprintf(out, "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"end\">%.6g</text>\n",
		X0 - 4, y + 4, v);
}

static void ticks(FILE *out, const struct axis *a)
{
	if (a->log) {
		for (double v = a->lo; v <= a->hi * 1.0001; v *= 10)
			tick(out, a, v);
		return;
	}
	for (int i = 0; i * a->step <= a->hi * 1.0001; i++)
		tick(out, a, i * a->step);
}

static void legend(FILE *out, const struct ob_svg_chart *c)
{
	double x = X0;

	if (c->nseries < 2)
		return;
	for (size_t s = 0; s < c->nseries; s++) {
		fprintf(out, "<rect x=\"%.1f\" y=\"4\" width=\"10\" height=\"10\" fill=\"%s\"/>", x,
			palette[s % NPAL]);
		fprintf(out, "<text class=\"legend\" x=\"%.1f\" y=\"13\">", x + 14);
		ob_xml_text(out, c->series[s]);
		fputs("</text>\n", out);
		x += 24 + 7.0 * (double)strlen(c->series[s]);
	}
}

static void one_bar(FILE *out, const struct ob_svg_chart *c, const struct axis *a, size_t g,
		    size_t s, double x, double bw)
{
	const struct ob_svg_bar *b = bar(c, g, s);
	const char *fill = palette[(c->nseries > 1 ? s : g) % NPAL];
	double cx = x + bw / 2, y, top;

	fputs("<g class=\"bar\">", out);
	if (!isfinite(b->mean)) {
		fprintf(out, "<text class=\"note\" transform=\"translate(%.1f,%.1f) rotate(-90)\">", cx + 4,
			Y1 - 6);
		ob_xml_text(out, b->note ? b->note : "no value");
		fputs("</text></g>\n", out);
		return;
	}
	y = ypos(a, b->mean);
	fprintf(out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"><title>",
		x, y, bw, Y1 - y, fill);
	ob_xml_text(out, c->groups[g]);
	if (c->nseries > 1) {
		fputs(", ", out);
		ob_xml_text(out, c->series[s]);
	}
	fputs(": ", out);
	ob_xml_text(out, b->label);
	fputs("</title></rect>", out);
	top = y;
	if (has_err(b)) {
		double ylo = ypos(a, b->mean - b->err), yhi = ypos(a, b->mean + b->err);
		double cap = bw / 4 > 6 ? 6 : bw / 4;

		fprintf(out, "<path class=\"err\" d=\"M%.1f %.1fV%.1fM%.1f %.1fH%.1fM%.1f %.1fH%.1f\" "
			     "stroke=\"#222\" fill=\"none\"/>",
			cx, ylo, yhi, cx - cap, yhi, cx + cap, cx - cap, ylo, cx + cap);
		top = fmin(top, yhi);
	}
	if (b->sub != NULL) {
		fprintf(out, "<text class=\"sub\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", cx,
			top - 3);
		ob_xml_text(out, b->sub);
		fputs("</text>", out);
		top -= 12;
	}
	if (b->label != NULL) {
		fprintf(out, "<text class=\"val\" x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\">", cx,
			top - 3);
		ob_xml_text(out, b->label);
		fputs("</text>", out);
	}
	fputs("</g>\n", out);
}

/* About how wide a text is at font size 11 (viewBox units). */
static double text_width(const char *s)
{
	double w = 0;

	for (; *s; s++)
		w += ((unsigned char)*s & 0xC0) != 0x80 ? 6.2 : 0;
	return w;
}

void ob_svg_bar_chart(FILE *out, const struct ob_svg_chart *c)
{
	struct axis a;
	double gw = (X1 - X0) / (double)(c->ngroups ? c->ngroups : 1), bw, widest = 0, below = 0;
	int slant;

	axis_of(c, &a);
	/* group names that would run into each other are slanted, and the
	 * drawing grows downwards to hold them */
	for (size_t g = 0; g < c->ngroups; g++)
		widest = fmax(widest, text_width(c->groups[g]));
	slant = widest > gw - 6;
	if (slant)
		below = fmin(widest * 0.5, 120);
	bw = gw * 0.8 / (double)(c->nseries ? c->nseries : 1);
	if (bw > 56)
		bw = 56;
	fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"chart\" id=\"");
	ob_xml_text(out, c->id);
	fprintf(out, "\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-labelledby=\"", W, H + below);
	ob_xml_text(out, c->id);
	fprintf(out, "-t\" data-scale=\"%s\" font-family=\"sans-serif\" font-size=\"11\">\n<title id=\"",
		a.log ? "log" : "linear");
	ob_xml_text(out, c->id);
	fputs("-t\">", out);
	ob_xml_text(out, c->title);
	fputs("</title>\n", out);
	legend(out, c);
	ticks(out, &a);
	fprintf(out, "<text class=\"unit\" transform=\"translate(14,%.1f) rotate(-90)\" "
		     "text-anchor=\"middle\">",
		(Y0 + Y1) / 2);
	ob_xml_text(out, c->unit);
	fputs(a.log ? " (log scale)" : "", out);
	fputs("</text>\n", out);
	for (size_t g = 0; g < c->ngroups; g++) {
		double x = X0 + (double)g * gw + (gw - bw * (double)c->nseries) / 2;

		for (size_t s = 0; s < c->nseries; s++)
			one_bar(out, c, &a, g, s, x + (double)s * bw, bw);
		if (slant)
			fprintf(out, "<text class=\"group\" text-anchor=\"end\" "
				     "transform=\"translate(%.1f,%.1f) rotate(-30)\">",
				X0 + ((double)g + 0.5) * gw + 4, Y1 + 12);
		else
			fprintf(out, "<text class=\"group\" x=\"%.1f\" y=\"%.1f\" "
				     "text-anchor=\"middle\">",
				X0 + ((double)g + 0.5) * gw, Y1 + 16);
		ob_xml_text(out, c->groups[g]);
		fputs("</text>\n", out);
	}
	fprintf(out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#444\"/>\n", X0, Y1,
		X1, Y1);
	fputs("</svg>\n", out);
}
