// SPDX-License-Identifier: GPL-2.0
/* The invariants fuzz_options and fuzz_cni_conf check on a parsed request, from the option table. */
#include <string.h>
#include <arpa/inet.h>
#include "maps/xbond_abi.h"
#include "names.h"
#include "options_check.h"

FILE *real_stderr;
static struct xbond_options pristine;

void quiet_stderr(void)
{
	FILE *null = fopen("/dev/null", "w");

	real_stderr = stderr;
	if (null)
		stderr = null;
}

void options_check_init(const char *name)
{
	if (!real_stderr)
		real_stderr = stderr;
	xbond_options_init(&pristine, name);
}

static void *field_of(struct xbond_options *o, const struct xbond_option *opt)
{
	return (char *)o + opt->offset;
}

long option_int(struct xbond_options *o, const struct xbond_option *opt)
{
	if (opt->size == sizeof(bool))
		return *(bool *)field_of(o, opt);
	return *(int *)field_of(o, opt);
}

static bool unchanged(struct xbond_options *o, const struct xbond_option *opt)
{
	return !memcmp(field_of(o, opt), (char *)&pristine + opt->offset, opt->size);
}

static unsigned int n_choices(const char *const *names)
{
	unsigned int n = 0;

	while (names && names[n])
		n++;
	return n;
}

static void names_sane(const struct name_list *l, const char *what)
{
	unsigned int i;

	INVARIANT(l->n <= XBOND_LIST_MAX, "%s: %u names", what, l->n);
	for (i = 0; i < l->n; i++) {
		size_t len = strnlen(l->names[i], IF_NAMESIZE);

		/* A ',' cannot come from a list on the command line, but may from CNI's links. */
		INVARIANT(len > 0 && len < IF_NAMESIZE, "%s[%u]: length %zu", what, i, len);
	}
}

static void choice_sane(struct xbond_options *o, const struct xbond_option *opt)
{
	long v = option_int(o, opt);

	if (!strcmp(opt->name, "mode"))
		INVARIANT(xbond_mode_implemented(v), "--mode: %ld", v);
	else if (opt->values == xbond_hash_choices)
		INVARIANT(strcmp(xbond_hash_name(v), "unknown"), "--%s: %ld", opt->name, v);
	else if (!strcmp(opt->name, "failback"))
		/* failback lands in primary_reselect, as one of its values. */
		INVARIANT(v >= 0 && v < (long)n_choices(xbond_reselect_names),
			  "--failback: %ld", v);
	else
		INVARIANT(v >= 0 && v < (long)n_choices(opt->choices), "--%s: %ld is no choice",
			  opt->name, v);
}

void options_sane(struct xbond_options *o)
{
	const struct xbond_request *req = &o->req;
	const struct xbond_option *opt;
	unsigned int i, j;
	long v;

	XBOND_FOR_EACH_OPTION(opt) {
		if (!opt->size || unchanged(o, opt))
			continue;
		switch (opt->kind) {
		case XBOND_OPT_UINT:
			v = option_int(o, opt);
			INVARIANT(v >= opt->min && v <= opt->max, "--%s: %ld outside %ld..%ld",
				  opt->name, v, opt->min, opt->max);
			break;
		case XBOND_OPT_CHOICE:
			choice_sane(o, opt);
			break;
		case XBOND_OPT_FLAG:
			v = option_int(o, opt);
			INVARIANT(v == 0 || v == 1, "--%s: %ld", opt->name, v);
			break;
		case XBOND_OPT_IFNAME:
			INVARIANT(memchr(field_of(o, opt), 0, opt->size) &&
				  xbond_ifname_valid(field_of(o, opt)), "--%s: invalid name",
				  opt->name);
			break;
		case XBOND_OPT_IFNAMES:
			names_sane(field_of(o, opt), opt->name);
			break;
		default:
			break;
		}
	}
	if (req->have_mac)
		INVARIANT(!(req->mac[0] & 1) && (req->mac[0] | req->mac[1] | req->mac[2] |
						 req->mac[3] | req->mac[4] | req->mac[5]),
			  "--mac: multicast or zero");
	INVARIANT(req->n_arp_targets <= XBOND_MAX_ARP_TARGETS, "%u ARP targets",
		  req->n_arp_targets);
	for (i = 0; i < req->n_arp_targets; i++) {
		INVARIANT(req->arp_targets[i] != htonl(INADDR_ANY) &&
			  req->arp_targets[i] != htonl(INADDR_BROADCAST),
			  "ARP target %u is 0.0.0.0 or broadcast", i);
		for (j = 0; j < i; j++)
			INVARIANT(req->arp_targets[i] != req->arp_targets[j],
				  "ARP targets %u and %u are the same", j, i);
	}
	INVARIANT(req->weights.n <= XBOND_LIST_MAX, "%u weights", req->weights.n);
	for (i = 0; i < req->weights.n; i++) {
		size_t len = strnlen(req->weights.v[i].name, IF_NAMESIZE);

		INVARIANT(req->weights.v[i].value >= 1, "weight %u is 0", i);
		INVARIANT(len > 0 && len < IF_NAMESIZE, "weight %u: name length %zu", i, len);
		for (j = 0; j < i; j++)
			INVARIANT(strcmp(req->weights.v[i].name, req->weights.v[j].name),
				  "weights %u and %u name the same member", j, i);
	}
}
