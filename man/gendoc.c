// SPDX-License-Identifier: GPL-2.0
/*
 * xbond-gendoc: the documentation that comes from xbondload's option table
 * (lib/options.c), so that --help, the man pages and the README cannot drift
 * apart.
 *
 *   xbond-gendoc man TEMPLATE     a man page: TEMPLATE with its @...@ lines filled
 *   xbond-gendoc readme README    README with its generated blocks rewritten
 *   xbond-gendoc options          each long option, one a line
 *   xbond-gendoc keys             each config file key, one a line
 *   xbond-gendoc cni              each CNI field, one a line
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "options.h"

/* Text into troff: hyphens as \-, backslashes escaped, no line starting a request. */
static void troff(FILE *out, const char *text)
{
	if (*text == '.' || *text == '\'')
		fputs("\\&", out);
	for (; *text; text++) {
		if (*text == '-')
			fputs("\\-", out);
		else if (*text == '\\')
			fputs("\\e", out);
		else
			fputc(*text, out);
	}
}

/* A help line as a man page's sentence: capitalised (the full stop is the caller's). */
static void sentence(FILE *out, const char *text)
{
	char first[2] = { (char)toupper((unsigned char)*text), '\0' };

	troff(out, first);
	troff(out, text + 1);
}

static bool in_file(const struct xbond_option *opt)
{
	return !(opt->flags & (XBOND_OPTF_CLI_ONLY | XBOND_OPTF_CNI_ONLY));
}

static bool takes_value(const struct xbond_option *opt)
{
	return opt->kind != XBOND_OPT_FLAG && opt->kind != XBOND_OPT_COUNT;
}

/* ".TP" and an option as the term: with dashes (and its short name) for the command line. */
static void term(FILE *out, const struct xbond_option *opt, bool cli)
{
	fputs(".TP\n", out);
	if (cli && opt->short_name)
		fprintf(out, "\\fB\\-%c\\fR, ", opt->short_name);
	fputs(cli ? "\\fB\\-\\-" : "\\fB", out);
	troff(out, opt->name);
	fputs("\\fR", out);
	if (takes_value(opt)) {
		fputs(" \\fI", out);
		troff(out, opt->metavar);
		fputs("\\fR", out);
	}
	fputs("\n", out);
}

/* xbondload(8)'s OPTIONS. */
static void man_options(FILE *out)
{
	const struct xbond_option *opt;
	char text[512];

	XBOND_FOR_EACH_OPTION(opt) {
		if (opt->flags & XBOND_OPTF_CNI_ONLY)
			continue;
		term(out, opt, true);
		sentence(out, xbond_option_describe(opt, text, sizeof(text)));
		fputs(".\n", out);
	}
}

/* xbond.conf(5)'s KEYS. */
static void man_keys(FILE *out)
{
	const struct xbond_option *opt;
	char text[512];

	XBOND_FOR_EACH_OPTION(opt) {
		if (!in_file(opt))
			continue;
		term(out, opt, false);
		sentence(out, xbond_option_describe(opt, text, sizeof(text)));
		if (!strcmp(opt->name, "name"))
			fputs("; in a file, the default is the file's name without\n.B .conf", out);
		fputs(".\n", out);
	}
}

/* xbond-cni(8)'s fields that come from the table. */
static void man_cni(FILE *out)
{
	const struct xbond_option *opt;
	char text[512];

	XBOND_FOR_EACH_OPTION(opt) {
		if (!opt->cni)
			continue;
		fputs(".TP\n\\fB", out);
		if (opt->flags & XBOND_OPTF_CNI_LINK)
			fputs("links[].", out);
		troff(out, opt->cni);
		fputs("\\fR", out);
		if (opt->kind == XBOND_OPT_FLAG)
			fputs(" \\fItrue\\fR|\\fIfalse\\fR", out);
		else if (opt->flags & XBOND_OPTF_CNI_LINK)
			fputs(" \\fIN\\fR", out);
		else if (opt->kind == XBOND_OPT_IPV4_LIST)
			fputs(" [\\fIIP\\fR, ...] or \\fIIP\\fR[,\\fIIP\\fR...]", out);
		else
			fprintf(out, " \\fI%s\\fR", opt->metavar);
		fputs("\n", out);
		sentence(out, xbond_option_describe(opt, text, sizeof(text)));
		fputs(".\n", out);
		if (opt->flags & XBOND_OPTF_BOND_CNI)
			fputs("A field of bond\\-cni's, with its meaning.\n", out);
		if (!(opt->flags & XBOND_OPTF_CNI_ONLY)) {
			fputs("As\n.BR xbondload (8)\n\\fB\\-\\-", out);
			troff(out, opt->name);
			fputs("\\fR.\n", out);
		}
	}
}

static int man(const char *template)
{
	FILE *in = fopen(template, "r");
	char *line = NULL, *at;
	size_t cap = 0;

	if (!in) {
		perror(template);
		return 1;
	}
	while (getline(&line, &cap, in) > 0) {
		if (!strcmp(line, ".\\\" @OPTIONS@\n"))
			man_options(stdout);
		else if (!strcmp(line, ".\\\" @CONF_KEYS@\n"))
			man_keys(stdout);
		else if (!strcmp(line, ".\\\" @CNI_FIELDS@\n"))
			man_cni(stdout);
		else if ((at = strstr(line, "@VERSION@")))
			printf("%.*s%s%s", (int)(at - line), line, XBOND_VERSION,
			       at + strlen("@VERSION@"));
		else
			fputs(line, stdout);
	}
	free(line);
	fclose(in);
	return 0;
}

/* Markdown: | in a table cell is \|. */
static void md_cell(FILE *out, const char *text)
{
	for (; *text; text++) {
		if (*text == '|')
			fputc('\\', out);
		fputc(*text, out);
	}
}

/* Words to out, wrapped at 80 columns, continuation lines indented by indent. */
static void wrap(FILE *out, const char *text, int indent)
{
	int column = 0;

	while (*text) {
		int n = strcspn(text, " ");

		if (column && column + 1 + n > 80) {
			fprintf(out, "\n%*s", indent, "");
			column = indent;
		} else if (column) {
			fputc(' ', out);
			column++;
		}
		fprintf(out, "%.*s", n, text);
		column += n;
		text += n;
		text += strspn(text, " ");
	}
	fputc('\n', out);
}

static void readme_options(FILE *out)
{
	const struct xbond_option *opt;
	char values[256], text[1024];
	unsigned int i;

	fputs("```\n", out);
	for (i = 0; xbond_usage_forms[i][0]; i++)
		fprintf(out, "%-40s # %s\n", xbond_usage_forms[i][0], xbond_usage_forms[i][1]);
	fputs("```\n\n", out);
	fputs("| option | value | default | CNI field | what it does |\n", out);
	fputs("|---|---|---|---|---|\n", out);
	XBOND_FOR_EACH_OPTION(opt) {
		const char *v = xbond_option_values(opt, values, sizeof(values));

		if (opt->flags & XBOND_OPTF_CNI_ONLY)
			continue;
		fputs("| ", out);
		if (opt->short_name)
			fprintf(out, "`-%c`, ", opt->short_name);
		fprintf(out, "`--%s` | ", opt->name);
		if (takes_value(opt)) {
			fputs("`", out);
			md_cell(out, opt->metavar);
			fputs("`", out);
		}
		if (v) {
			fputs(": ", out);
			md_cell(out, v);
		} else if (opt->kind == XBOND_OPT_UINT) {
			fprintf(out, " %ld to %ld", opt->min, opt->max);
		} else if (opt->kind == XBOND_OPT_PER_MEMBER) {
			fprintf(out, ", N %ld to %ld", opt->min, opt->max);
		}
		fputs(" | ", out);
		if (opt->defval)
			md_cell(out, opt->defval);
		fputs(" | ", out);
		if (opt->cni)
			fprintf(out, "`%s%s`", opt->flags & XBOND_OPTF_CNI_LINK ? "links[]." : "",
				opt->cni);
		fputs(" | ", out);
		md_cell(out, opt->help);
		fputs(" |\n", out);
	}
	snprintf(text, sizeof(text), "\nA config file (`--config`, xbond.conf(5)) takes each "
		 "option as a line `KEY VALUE`, KEY its long name, except");
	XBOND_FOR_EACH_OPTION(opt)
		if (!in_file(opt) && !(opt->flags & XBOND_OPTF_CNI_ONLY))
			snprintf(text + strlen(text), sizeof(text) - strlen(text), " `--%s`,",
				 opt->name);
	text[strlen(text) - 1] = '.';
	wrap(out, text, 0);
}

/* ", `field`" for each CNI field of bond-cni's (theirs) or of ours. */
static void cni_list(char *buf, size_t len, bool theirs)
{
	const struct xbond_option *opt;

	XBOND_FOR_EACH_OPTION(opt) {
		if (!opt->cni || !(opt->flags & XBOND_OPTF_BOND_CNI) != !theirs)
			continue;
		snprintf(buf + strlen(buf), len - strlen(buf), ", `%s%s`",
			 opt->flags & XBOND_OPTF_CNI_LINK ? "links[]." : "", opt->cni);
		if (opt->flags & XBOND_OPTF_CNI_ONLY)
			snprintf(buf + strlen(buf), len - strlen(buf), " (%s)", opt->help);
		else if (opt->kind == XBOND_OPT_IPV4_LIST)
			snprintf(buf + strlen(buf), len - strlen(buf),
				 " (a list, or the kernel's comma string)");
		else if (opt->kind == XBOND_OPT_FLAG && opt->defval)
			snprintf(buf + strlen(buf), len - strlen(buf), " (default %s)",
				 opt->defval);
	}
}

static void readme_cni(FILE *out)
{
	char theirs[1024] = "", ours[1024] = "", text[2560];

	cni_list(theirs, sizeof(theirs), true);
	cni_list(ours, sizeof(ours), false);
	snprintf(text, sizeof(text), "- **Fields.** From bond-cni, with its meaning: `links` "
		 "(objects with `name`), `linksInContainer`, `ipam`%s. Ours: %s. Each means what "
		 "its xbondload option means (the xbondload table above gives values, ranges "
		 "and defaults), and the same parser checks it; numbers may be written as strings, "
		 "as bond-cni does. Unknown fields, `capabilities`, `runtimeConfig` and "
		 "`CNI_ARGS` are ignored. A bond needs at least 2 links.", theirs, ours + 2);
	wrap(out, text, 2);
}

static const struct {
	const char *name;
	void (*emit)(FILE *out);
} blocks[] = {
	{ "xbondload-options", readme_options },
	{ "cni-fields", readme_cni },
};

/*
 * README with each "<!-- BEGIN generated NAME: ... -->" to "<!-- END generated
 * NAME -->" block rewritten.
 */
static int readme(const char *path)
{
	FILE *in = fopen(path, "r");
	char *line = NULL, end[128];
	const char *skip_to = NULL;
	size_t cap = 0, i;

	if (!in) {
		perror(path);
		return 1;
	}
	while (getline(&line, &cap, in) > 0) {
		if (skip_to) {
			if (strncmp(line, skip_to, strlen(skip_to)))
				continue;
			skip_to = NULL;
		}
		fputs(line, stdout);
		for (i = 0; i < sizeof(blocks) / sizeof(blocks[0]); i++) {
			char begin[128];

			snprintf(begin, sizeof(begin), "<!-- BEGIN generated %s:", blocks[i].name);
			if (strncmp(line, begin, strlen(begin)))
				continue;
			blocks[i].emit(stdout);
			snprintf(end, sizeof(end), "<!-- END generated %s ", blocks[i].name);
			skip_to = end;
		}
	}
	free(line);
	fclose(in);
	if (skip_to) {
		fprintf(stderr, "%s: no line starting '%s'\n", path, skip_to);
		return 1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	const struct xbond_option *opt;

	if (argc == 3 && !strcmp(argv[1], "man"))
		return man(argv[2]);
	if (argc == 3 && !strcmp(argv[1], "readme"))
		return readme(argv[2]);
	if (argc == 2 && (!strcmp(argv[1], "options") || !strcmp(argv[1], "keys") ||
			  !strcmp(argv[1], "cni"))) {
		XBOND_FOR_EACH_OPTION(opt) {
			if (!strcmp(argv[1], "options") && !(opt->flags & XBOND_OPTF_CNI_ONLY))
				printf("%s\n", opt->name);
			else if (!strcmp(argv[1], "keys") && in_file(opt))
				printf("%s\n", opt->name);
			else if (!strcmp(argv[1], "cni") && opt->cni)
				printf("%s%s\n", opt->flags & XBOND_OPTF_CNI_LINK ? "links[]." : "",
				       opt->cni);
		}
		return 0;
	}
	fprintf(stderr, "usage: xbond-gendoc man TEMPLATE | readme README | options | keys "
		"| cni\n");
	return 2;
}
