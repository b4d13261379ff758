/* SPDX-License-Identifier: GPL-2.0 */
/*
 * xbondload's options, each declared once in one table: its names, what it
 * takes, where it lands, its CNI field, its default and its help. The command
 * line, config files (xbond.conf(5)), the CNI plugin's network config, --help,
 * the README and the man pages all come from that table.
 */
#ifndef XBOND_OPTIONS_H
#define XBOND_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "xbond.h"

/* What the options set: the bond request, and how the tool goes about it. */
struct xbond_options {
	struct xbond_request req;
	const char *netns;		/* NULL: the namespace we run in */
	const char *config;		/* --config FILE, as given */
	unsigned int wait_s;		/* how long to wait for another xbondload */
	unsigned int verbose;
	bool help;
	bool version;
	uint64_t given_cli;		/* bit i: table entry i was on the command line */
};

enum xbond_option_kind {
	XBOND_OPT_UINT,		/* a whole number in [min, max], into an int or unsigned int */
	XBOND_OPT_CHOICE,	/* a name from choices, stored as its index */
	XBOND_OPT_FLAG,		/* no value: stores flag_value ("false" from JSON: its opposite) */
	XBOND_OPT_COUNT,	/* no value: counts (-v -v) */
	XBOND_OPT_STRING,	/* kept as given */
	XBOND_OPT_IFNAME,	/* an interface name, into a char[IF_NAMESIZE] */
	XBOND_OPT_IFNAMES,	/* IF[,IF...] into a struct name_list */
	XBOND_OPT_MAC,		/* unicast, non-zero, into unsigned char[6] */
	XBOND_OPT_IPV4_LIST,	/* A[,A...]: ARP targets, none twice, not 0.0.0.0 or broadcast */
	XBOND_OPT_PER_MEMBER,	/* IF=N[,IF=N...] into a struct xbond_member_numbers */
};

/* Where an option may be given, and what it is. */
enum {
	XBOND_OPTF_CLI_ONLY = 1 << 0,	/* an action or a tool setting: not in a config file */
	XBOND_OPTF_WHICH = 1 << 1,	/* says which bond or how to act; changes nothing */
	XBOND_OPTF_CNI_ONLY = 1 << 2,	/* only a CNI field: no option, not in --help */
	XBOND_OPTF_CNI_LINK = 1 << 3,	/* the CNI field is in each "links" object */
	XBOND_OPTF_BOND_CNI = 1 << 4,	/* the CNI field is bond-cni's, with its meaning */
};

struct xbond_option;
typedef int xbond_option_parse_fn(const struct xbond_option *opt, const char *value,
				  struct xbond_options *o, const char *what);

struct xbond_option {
	const char *name;		/* the long option and the config file's key */
	char short_name;		/* 0: none */
	enum xbond_option_kind kind;
	unsigned int flags;		/* XBOND_OPTF_* */
	size_t offset, size;		/* the field set, in struct xbond_options */
	size_t have;			/* 1 + offset of a bool set too (have_mac...); 0: none */
	long min, max;			/* XBOND_OPT_UINT, and the numbers in WEIGHTS */
	const char *const *choices;	/* XBOND_OPT_CHOICE: NULL-terminated, value = index */
	const char *(*values)(void);	/* what is accepted, for help, where choices cannot say */
	int flag_value;			/* XBOND_OPT_FLAG */
	xbond_option_parse_fn *parse;	/* instead of the kind's parser */
	const char *metavar;		/* the value in help: MS, IF=N[,IF=N...] */
	const char *defval;		/* the default as help shows it; NULL: none */
	const char *cni;		/* the CNI network config's field; NULL: none */
	const char *help;		/* one line, no full stop */
};

/* The table, ending with an entry whose name is NULL. */
extern const struct xbond_option xbond_option_table[];

#define XBOND_FOR_EACH_OPTION(opt) \
	for ((opt) = xbond_option_table; (opt)->name; (opt)++)

/* Everything unchanged/default, for the bond called name. */
void xbond_options_init(struct xbond_options *o, const char *name);

/* The entry of a long name, as in a config file; NULL if none. */
const struct xbond_option *xbond_option_find(const char *name);

/*
 * Set opt from value (NULL for a flag given alone). what names the option in
 * the one-line message, such as "--miimon", "bond0.conf:3: --miimon" or
 * "miimon". Returns 0, -EINVAL, or -EOPNOTSUPP for a valid value xbond does
 * not implement yet (802.3ad); the message is logged with pr_warn.
 */
int xbond_option_set(struct xbond_options *o, const struct xbond_option *opt,
		     const char *value, const char *what);

/*
 * Apply a config file (xbond.conf(5)): one "KEY VALUE" per line, KEY a long
 * option without dashes. The bond's name defaults to the file's name without
 * ".conf". Messages start with "FILE:LINE: ". -EINVAL for bad content, or the
 * error of reading the file.
 */
int xbond_options_read_file(struct xbond_options *o, const char *path);

/* The first change option given on the command line with --detach; NULL if none. */
const struct xbond_option *xbond_options_detach_conflict(const struct xbond_options *o);

/* getopt_long's tables for the options; longopts has room for every entry plus one. */
#define XBOND_OPTIONS_MAX	64
void xbond_options_getopt(struct option *longopts, char *shortopts, size_t len);
/* The entry of what getopt_long returned; NULL for '?' and anything else. */
const struct xbond_option *xbond_option_of_getopt(int c);

/* The option's accepted values, for help ("none, active, backup, all"); NULL: see metavar. */
const char *xbond_option_values(const struct xbond_option *opt, char *buf, size_t len);
/* "-m, --mode MODE", or "    --mtu N", for help. */
const char *xbond_option_synopsis(const struct xbond_option *opt, char *buf, size_t len);
/* The help line with its values, range and default: what --help prints. */
const char *xbond_option_describe(const struct xbond_option *opt, char *buf, size_t len);

/* Bit of opt in given_cli. */
uint64_t xbond_option_bit(const struct xbond_option *opt);

/* xbondload's forms, each a command and what it does; NULL-terminated. */
extern const char *const xbond_usage_forms[][2];
/* xbondload's --help, from the table. */
void xbond_options_usage(FILE *out);

/*
 * getopt_long's complaint as one line, for a tool that set opterr = 0 and
 * starts its short options with ':' (c is what getopt_long returned).
 */
void xbond_getopt_error(int c, char *const *argv);

/* Free the strings the parser copied into o (its string-valued fields). */
void xbond_options_free_strings(struct xbond_options *o);

#endif /* XBOND_OPTIONS_H */
