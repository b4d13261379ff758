// SPDX-License-Identifier: GPL-2.0
/*
 * xbondload's option table and the one parser that turns (option, text) into
 * a request, for the command line, config files and the CNI network config.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/types.h>
#include "maps/xbond_abi.h"
#include "options.h"

#define F(field)	.offset = offsetof(struct xbond_options, field), \
			.size = sizeof(((struct xbond_options *)0)->field)
/* have is offset + 1 so that 0, the default, means none. */
#define HAVE(field)	.have = offsetof(struct xbond_options, field) + 1
#define UINT(field, lo, hi) \
	.kind = XBOND_OPT_UINT, F(field), .min = (lo), .max = (hi)
#define CHOICE(field, names) \
	.kind = XBOND_OPT_CHOICE, F(field), .choices = (names)
#define FLAG(field, value) \
	.kind = XBOND_OPT_FLAG, F(field), .flag_value = (value)

static xbond_option_parse_fn parse_mode, parse_hash, parse_failback, parse_fail_over_mac,
	parse_config;

/* Indexed by enum xdp_mode_choice. */
static const char *const xdp_mode_names[] = { "auto", "native", "generic", NULL };
_Static_assert(XDP_MODE_AUTO == 0 && XDP_MODE_NATIVE == 1 && XDP_MODE_GENERIC == 2,
	       "xdp_mode_names is indexed by enum xdp_mode_choice");

/*
 * One entry per option, in --help's order. A new option is one entry here
 * and, if the request has no field for it yet, a field at the end of
 * struct xbond_request.
 */
const struct xbond_option xbond_option_table[] = {
	{ "ifaces", 'i', .kind = XBOND_OPT_IFNAMES, F(req.ifaces), HAVE(req.have_ifaces),
	  .metavar = "IF[,IF...]", .help = "the members; on a live bond, the wanted member set" },
	{ "name", 'n', .kind = XBOND_OPT_IFNAME, F(req.name), .flags = XBOND_OPTF_WHICH,
	  .metavar = "NAME", .defval = "xbond0", .help = "the bond's logical interface" },
	{ "mode", 'm', .kind = XBOND_OPT_CHOICE, F(req.mode), .parse = parse_mode,
	  .values = xbond_mode_choices, .flags = XBOND_OPTF_BOND_CNI, .cni = "mode",
	  .metavar = "MODE", .defval = "active-backup", .help = "the bonding mode" },
	{ "hash", 'H', .kind = XBOND_OPT_CHOICE, F(req.hash), .parse = parse_hash,
	  .values = xbond_hash_choices, .flags = XBOND_OPTF_BOND_CNI, .cni = "xmitHashPolicy",
	  .metavar = "POLICY", .defval = "layer2",
	  .help = "what balance-xor hashes to pick a member: the kernel's xmit_hash_policy" },
	{ "xmit-hash-policy", 0, .kind = XBOND_OPT_CHOICE, F(req.hash), .parse = parse_hash,
	  .values = xbond_hash_choices, .metavar = "POLICY", .help = "the same as --hash" },
	{ "packets-per-member", 0, UINT(req.packets_per_member, 1, 65535), .cni = "packetsPerSlave",
	  .metavar = "N", .defval = "1",
	  .help = "in balance-rr, the packets sent through a member before the next" },
	{ "mac", 0, .kind = XBOND_OPT_MAC, F(req.mac), HAVE(req.have_mac), .metavar = "MAC",
	  .defval = "the first member's",
	  .help = "the bond's MAC address, which every member carries" },
	{ "mtu", 0, UINT(req.mtu, 68, 65535), .flags = XBOND_OPTF_BOND_CNI, .cni = "mtu",
	  .metavar = "N", .defval = "the members' least",
	  .help = "the MTU of the bond and its members" },
	{ "primary", 0, .kind = XBOND_OPT_STRING, F(req.primary), .cni = "primary",
	  .metavar = "IF", .help = "the preferred member in active-backup" },
	{ "active", 0, .kind = XBOND_OPT_STRING, F(req.active), .flags = XBOND_OPTF_CLI_ONLY,
	  .metavar = "IF", .help = "make IF the active member now, in active-backup" },
	{ "add", 0, .kind = XBOND_OPT_IFNAMES, F(req.add), .flags = XBOND_OPTF_CLI_ONLY,
	  .metavar = "IF[,IF...]", .help = "add members" },
	{ "del", 0, .kind = XBOND_OPT_IFNAMES, F(req.del), .flags = XBOND_OPTF_CLI_ONLY,
	  .metavar = "IF[,IF...]", .help = "remove members, restoring them" },
	{ "weight", 0, .kind = XBOND_OPT_PER_MEMBER, F(req.weights), .min = 1, .max = 255,
	  .flags = XBOND_OPTF_CNI_LINK, .cni = "weight", .metavar = "IF=N[,IF=N...]",
	  .defval = "1",
	  .help = "a member's share of the flows in balance-xor, against the others" },
	{ "miimon", 0, UINT(req.miimon_ms, 0, 600000), .flags = XBOND_OPTF_BOND_CNI,
	  .cni = "miimon", .metavar = "MS", .defval = "10",
	  .help = "how often the monitor polls carrier; 0: link events only" },
	{ "updelay", 0, UINT(req.updelay_ms, 0, 600000), .cni = "updelay", .metavar = "MS",
	  .defval = "0", .help = "carrier up this long before a member is used" },
	{ "downdelay", 0, UINT(req.downdelay_ms, 0, 600000), .cni = "downdelay", .metavar = "MS",
	  .defval = "0", .help = "carrier down this long before failing over" },
	{ "no-monitor", 0, FLAG(req.monitor, 0), .help = "run no xbondmon for this bond" },
	{ "monitor", 0, FLAG(req.monitor, 1), .cni = "monitor", .defval = "true",
	  .help = "run xbondmon for this bond" },
	{ "arp-ip-target", 0, .kind = XBOND_OPT_IPV4_LIST, F(req.arp_targets),
	  HAVE(req.have_arp_targets), .cni = "arpIpTarget", .metavar = "IP[,IP...]",
	  .help = "ARP monitoring's targets, up to 16, in every mode; '' for none" },
	{ "arp-interval", 0, UINT(req.arp_interval_ms, 0, 600000), .cni = "arpInterval",
	  .metavar = "MS", .defval = "0",
	  .help = "ARP probe interval; 0 turns ARP monitoring off" },
	{ "arp-validate", 0, CHOICE(req.arp_validate, xbond_arp_validate_names),
	  .cni = "arpValidate", .metavar = "WHO", .defval = "none",
	  .help = "which members must see a target's replies for them to count" },
	{ "arp-all-targets", 0, CHOICE(req.arp_all_targets, xbond_all_targets_names),
	  .cni = "arpAllTargets", .metavar = "WHICH", .defval = "any",
	  .help = "whether any target or all must answer" },
	{ "arp-missed-max", 0, UINT(req.arp_missed_max, 1, 255), .cni = "arpMissedMax",
	  .metavar = "N", .defval = "2",
	  .help = "ARP intervals without proof before a member is down" },
	{ "primary-reselect", 0, CHOICE(req.primary_reselect, xbond_reselect_names),
	  .cni = "primaryReselect", .metavar = "WHEN", .defval = "always",
	  .help = "when the primary takes over again: better compares ethtool speeds" },
	{ "failback", 0, CHOICE(req.primary_reselect, xbond_off_on_names),
	  .parse = parse_failback, .metavar = "WHETHER", .defval = "on",
	  .help = "whether the primary takes over on its return; "
		  "off is --primary-reselect failure" },
	{ "num-grat-arp", 0, UINT(req.num_grat_arp, 0, 255), .cni = "numGratArp", .metavar = "N",
	  .defval = "1", .help = "gratuitous ARPs and unsolicited NAs after a failover" },
	{ "lacp-rate", 0, CHOICE(req.lacp_rate, xbond_lacp_rate_names),
	  .flags = XBOND_OPTF_BOND_CNI, .cni = "lacpRate", .metavar = "RATE", .defval = "slow",
	  .help = "in 802.3ad, how often the partner is asked to send LACPDUs: "
		  "fast is every second, slow every 30" },
	{ "lacp-active", 0, CHOICE(req.lacp_active, xbond_off_on_names), .cni = "lacpActive",
	  .metavar = "WHETHER", .defval = "on",
	  .help = "in 802.3ad, whether to send LACPDUs unasked; off is passive" },
	{ "ad-select", 0, CHOICE(req.ad_select, xbond_ad_select_names), .cni = "adSelect",
	  .metavar = "POLICY", .defval = "stable",
	  .help = "in 802.3ad, which aggregator the bond uses when partners differ" },
	{ "min-links", 0, UINT(req.min_links, 0, XBOND_MAX_MEMBERS), .cni = "minLinks",
	  .metavar = "N", .defval = "0",
	  .help = "in 802.3ad, the bond has carrier only with N links in the aggregate" },
	{ "ad-actor-sys-prio", 0, UINT(req.ad_actor_sys_prio, 1, 65535), .cni = "adActorSysPrio",
	  .metavar = "N", .defval = "65535", .help = "in 802.3ad, the actor's system priority" },
	{ "ad-actor-system", 0, .kind = XBOND_OPT_MAC, F(req.ad_actor_system),
	  HAVE(req.have_ad_actor_system), .cni = "adActorSystem", .metavar = "MAC",
	  .defval = "the bond's MAC", .help = "in 802.3ad, the actor's system ID" },
	{ "ad-user-port-key", 0, UINT(req.ad_user_port_key, 0, 1023), .cni = "adUserPortKey",
	  .metavar = "N", .defval = "0",
	  .help = "in 802.3ad, the upper 10 bits of the members' key, above speed and duplex" },
	{ "lacp-port-prio", 0, .kind = XBOND_OPT_PER_MEMBER, F(req.port_prios), .min = 1,
	  .max = 65535, .flags = XBOND_OPTF_CNI_LINK, .cni = "lacpPortPrio",
	  .metavar = "IF=N[,IF=N...]", .defval = "255",
	  .help = "in 802.3ad, a member's port priority in its LACPDUs, for the partner" },
	{ "xdp-mode", 0, CHOICE(req.xdp_mode, xdp_mode_names), .cni = "xdpMode",
	  .metavar = "MODE", .defval = "auto",
	  .help = "where rx_filter runs: auto is tc ingress on veth and native XDP elsewhere, "
		  "generic is tc ingress" },
	{ "netns", 0, .kind = XBOND_OPT_STRING, F(netns), .flags = XBOND_OPTF_WHICH,
	  .metavar = "NAME|PATH", .help = "act in this network namespace" },
	{ "config", 0, .kind = XBOND_OPT_STRING, F(config), .parse = parse_config,
	  .flags = XBOND_OPTF_CLI_ONLY | XBOND_OPTF_WHICH, .metavar = "FILE",
	  .help = "apply FILE (xbond.conf(5)); options after it override it" },
	{ "wait", 'w', UINT(wait_s, 0, 3600), .flags = XBOND_OPTF_CLI_ONLY | XBOND_OPTF_WHICH,
	  .metavar = "SECONDS", .defval = "10", .help = "wait this long for another xbondload" },
	{ "detach", 'd', FLAG(req.detach, 1), .flags = XBOND_OPTF_CLI_ONLY | XBOND_OPTF_WHICH,
	  .help = "remove the bond, restoring its members" },
	{ "verbose", 'v', .kind = XBOND_OPT_COUNT, F(verbose),
	  .flags = XBOND_OPTF_CLI_ONLY | XBOND_OPTF_WHICH,
	  .help = "say more (twice: libbpf's debug messages too)" },
	{ "version", 'V', FLAG(version, 1), .flags = XBOND_OPTF_CLI_ONLY | XBOND_OPTF_WHICH,
	  .help = "print the version" },
	{ "help", 'h', FLAG(help, 1), .flags = XBOND_OPTF_CLI_ONLY | XBOND_OPTF_WHICH,
	  .help = "print this help" },
	{ "fail-over-mac", 0, .kind = XBOND_OPT_UINT, .min = 0, .max = 2,
	  .parse = parse_fail_over_mac, .flags = XBOND_OPTF_CNI_ONLY | XBOND_OPTF_BOND_CNI,
	  .cni = "failOverMac", .metavar = "N", .defval = "0",
	  .help = "only 0: every member carries the bond's MAC" },
	{ NULL },
};
_Static_assert(sizeof(xbond_option_table) / sizeof(xbond_option_table[0]) <= XBOND_OPTIONS_MAX,
	       "given_cli has a bit per entry");

const char *const xbond_usage_forms[][2] = {
	{ "xbondload --ifaces IF[,IF...] [options]", "create a bond or set its members" },
	{ "xbondload [--name NAME] [options]", "change a bond live" },
	{ "xbondload [--name NAME] --detach", "remove a bond, restore members" },
	{ "xbondload --config FILE [options]", "the same from xbond.conf(5)" },
	{ NULL, NULL },
};

void xbond_options_init(struct xbond_options *o, const char *name)
{
	memset(o, 0, sizeof(*o));
	xbond_request_init(&o->req, name);
	o->wait_s = 10;
}

uint64_t xbond_option_bit(const struct xbond_option *opt)
{
	return 1ULL << (opt - xbond_option_table);
}

const struct xbond_option *xbond_option_find(const char *name)
{
	const struct xbond_option *opt;

	XBOND_FOR_EACH_OPTION(opt)
		if (!(opt->flags & XBOND_OPTF_CNI_ONLY) && !strcmp(opt->name, name))
			return opt;
	return NULL;
}

static void *field_of(struct xbond_options *o, const struct xbond_option *opt)
{
	return (char *)o + opt->offset;
}

/* Into a bool, an int or an unsigned int: the only sizes the table uses. */
static void store_int(struct xbond_options *o, const struct xbond_option *opt, long v)
{
	if (opt->size == sizeof(bool))
		*(bool *)field_of(o, opt) = v;
	else
		*(int *)field_of(o, opt) = v;
}

static int parse_number(const char *value, long min, long max, const char *what, long *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(value, &end, 10);
	/* strtoul takes leading spaces and signs: a number is digits alone. */
	if (errno || !isdigit((unsigned char)value[0]) || *end || v < (unsigned long)min ||
	    v > (unsigned long)max) {
		pr_warn("%s: '%s' is not a number from %ld to %ld\n", what, value, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

/* The index of value in a NULL-terminated table; -EINVAL and a message if none. */
static int parse_choice(const char *const *names, const char *value, const char *what)
{
	char list[128] = "";
	int i = xbond_choice_parse(names, value);

	if (i >= 0)
		return i;
	for (i = 0; names[i]; i++)
		snprintf(list + strlen(list), sizeof(list) - strlen(list), " %s", names[i]);
	pr_warn("%s: '%s' is not one of%s\n", what, value, list);
	return -EINVAL;
}

static int parse_mode(const struct xbond_option *opt, const char *value,
		      struct xbond_options *o, const char *what)
{
	int mode = xbond_mode_parse(value);

	if (mode < 0) {
		pr_warn("%s: unknown mode '%s' (known: %s)\n", what, value, xbond_mode_choices());
		return -EINVAL;
	}
	if (!xbond_mode_implemented(mode)) {
		pr_warn("%s: %s is not implemented yet (known: %s)\n", what,
			xbond_mode_name(mode), xbond_mode_choices());
		return -EOPNOTSUPP;
	}
	store_int(o, opt, mode);
	return 0;
}

static int parse_hash(const struct xbond_option *opt, const char *value,
		      struct xbond_options *o, const char *what)
{
	int hash = xbond_hash_parse(value);

	if (hash < 0) {
		pr_warn("%s: unknown hash policy '%s' (known: %s)\n", what, value,
			xbond_hash_choices());
		return -EINVAL;
	}
	store_int(o, opt, hash);
	return 0;
}

/* Solaris IPMP's FAILBACK, as a primary_reselect policy. */
static int parse_failback(const struct xbond_option *opt, const char *value,
			  struct xbond_options *o, const char *what)
{
	int on = parse_choice(opt->choices, value, what);

	if (on < 0)
		return on;
	store_int(o, opt, on ? XBOND_RESELECT_ALWAYS : XBOND_RESELECT_FAILURE);
	return 0;
}

/* bond-cni's field: a valid setting, but every member carries the bond's MAC. */
static int parse_fail_over_mac(const struct xbond_option *opt, const char *value,
			       struct xbond_options *o, const char *what)
{
	long v;

	(void)o;
	if (parse_number(value, opt->min, opt->max, what, &v))
		return -EINVAL;
	if (v) {
		pr_warn("%s: %ld is not supported, only 0: every member carries the bond's MAC\n",
			what, v);
		return -EOPNOTSUPP;
	}
	return 0;
}

static int parse_config(const struct xbond_option *opt, const char *value,
			struct xbond_options *o, const char *what)
{
	(void)opt;
	(void)what;
	o->config = value;
	return xbond_options_read_file(o, value);
}

static int parse_mac(const char *value, unsigned char *mac, const char *what)
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(value, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5], &tail) != 6 || strlen(value) != 17) {
		pr_warn("%s: '%s' is not a MAC address like 02:00:00:00:00:01\n", what, value);
		return -EINVAL;
	}
	/* Refused whole: a rejected MAC must not be left in the request. */
	if (b[0] & 1 || !(b[0] | b[1] | b[2] | b[3] | b[4] | b[5])) {
		pr_warn("%s: '%s' is multicast or zero\n", what, value);
		return -EINVAL;
	}
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	return 0;
}

/*
 * "10.0.0.1,10.0.0.2"; "" is none. As the kernel's bonding: not 0.0.0.0, not
 * the broadcast address, none twice.
 */
static int parse_arp_targets(const char *value, struct xbond_request *req, const char *what)
{
	const char *p = value;
	char addr[INET_ADDRSTRLEN];
	unsigned int i;
	__be32 ip;

	req->n_arp_targets = 0;
	if (!*value)
		return 0;
	for (;;) {
		size_t len = strcspn(p, ",");

		snprintf(addr, sizeof(addr), "%.*s", (int)len, p);
		if (len >= sizeof(addr) || inet_pton(AF_INET, addr, &ip) != 1) {
			pr_warn("%s: '%.*s' is not an IPv4 address\n", what, (int)len, p);
			return -EINVAL;
		}
		if (ip == htonl(INADDR_ANY) || ip == htonl(INADDR_BROADCAST)) {
			pr_warn("%s: %s cannot be an ARP target\n", what, addr);
			return -EINVAL;
		}
		for (i = 0; i < req->n_arp_targets; i++)
			if (req->arp_targets[i] == ip) {
				pr_warn("%s: %s is listed twice\n", what, addr);
				return -EINVAL;
			}
		if (req->n_arp_targets == XBOND_MAX_ARP_TARGETS) {
			pr_warn("%s: at most %d targets\n", what, XBOND_MAX_ARP_TARGETS);
			return -EINVAL;
		}
		req->arp_targets[req->n_arp_targets++] = ip;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

/* "h0=3,h1=1", read whole however long: a later number for a member replaces its earlier one. */
static int parse_per_member(const struct xbond_option *opt, const char *value,
			    struct xbond_member_numbers *list, const char *what)
{
	const char *p = value;
	char number[32];
	unsigned int i;
	long w;

	for (;;) {
		size_t len = strcspn(p, ","), name_len = strcspn(p, "="), num_len;

		if (name_len >= len || !name_len || name_len >= IF_NAMESIZE) {
			pr_warn("%s: '%.*s' is not IF=N\n", what, (int)len, p);
			return -EINVAL;
		}
		num_len = len - name_len - 1;
		if (num_len >= sizeof(number)) {
			pr_warn("%s: '%.*s' is not a number from %ld to %ld\n", what, (int)num_len,
				p + name_len + 1, opt->min, opt->max);
			return -EINVAL;
		}
		memcpy(number, p + name_len + 1, num_len);
		number[num_len] = '\0';
		if (parse_number(number, opt->min, opt->max, what, &w))
			return -EINVAL;
		for (i = 0; i < list->n; i++)
			if (!strncmp(list->v[i].name, p, name_len) && !list->v[i].name[name_len])
				break;
		if (i == XBOND_LIST_MAX) {
			pr_warn("%s: too many members (at most %d)\n", what, XBOND_MAX_MEMBERS);
			return -EINVAL;
		}
		snprintf(list->v[i].name, IF_NAMESIZE, "%.*s", (int)name_len, p);
		list->v[i].value = w;
		if (i == list->n)
			list->n++;
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

static bool takes_value(const struct xbond_option *opt)
{
	return opt->kind != XBOND_OPT_FLAG && opt->kind != XBOND_OPT_COUNT;
}

int xbond_option_set(struct xbond_options *o, const struct xbond_option *opt,
		     const char *value, const char *what)
{
	long v;
	int ret;

	if (takes_value(opt) && !value) {
		pr_warn("%s: needs a value (%s)\n", what, opt->metavar);
		return -EINVAL;
	}
	if (opt->parse) {
		ret = opt->parse(opt, value, o, what);
		goto out;
	}
	ret = 0;
	switch (opt->kind) {
	case XBOND_OPT_UINT:
		ret = parse_number(value, opt->min, opt->max, what, &v);
		if (!ret)
			store_int(o, opt, v);
		break;
	case XBOND_OPT_CHOICE:
		ret = parse_choice(opt->choices, value, what);
		if (ret >= 0) {
			store_int(o, opt, ret);
			ret = 0;
		}
		break;
	case XBOND_OPT_FLAG:
		/* true and false come from JSON; on the command line a flag stands alone. */
		if (value && strcmp(value, "true") && strcmp(value, "false")) {
			pr_warn("%s: takes no value ('%s')\n", what, value);
			return -EINVAL;
		}
		store_int(o, opt, value && !strcmp(value, "false") ? !opt->flag_value :
			  opt->flag_value);
		break;
	case XBOND_OPT_COUNT:
		(*(unsigned int *)field_of(o, opt))++;
		break;
	case XBOND_OPT_STRING:
		/* Kept for the tool's life: a config file's line buffer is not. */
		*(const char **)field_of(o, opt) = strdup(value);
		if (!*(const char **)field_of(o, opt))
			ret = -ENOMEM;
		break;
	case XBOND_OPT_IFNAME:
		if (!xbond_ifname_valid(value)) {
			pr_warn("%s: '%s' is not a valid interface name (1 to %d characters, "
				"not . or .., no '/', ':' or space)\n", what, value,
				IF_NAMESIZE - 1);
			return -EINVAL;
		}
		snprintf(field_of(o, opt), opt->size, "%s", value);
		break;
	case XBOND_OPT_IFNAMES:
		ret = name_list_parse(field_of(o, opt), value, what);
		break;
	case XBOND_OPT_MAC:
		ret = parse_mac(value, field_of(o, opt), what);
		break;
	case XBOND_OPT_IPV4_LIST:
		ret = parse_arp_targets(value, &o->req, what);
		break;
	case XBOND_OPT_PER_MEMBER:
		ret = parse_per_member(opt, value, field_of(o, opt), what);
		break;
	}
out:
	if (!ret && opt->have)
		*(bool *)((char *)o + opt->have - 1) = true;
	return ret;
}

/* A '#' that starts a word starts a comment. */
static void strip_comment(char *line)
{
	char *p;

	for (p = line; *p; p++)
		if (*p == '#' && (p == line || isspace((unsigned char)p[-1]))) {
			*p = '\0';
			return;
		}
}

static char *trim(char *s)
{
	char *end;

	s += strspn(s, " \t\r\n");
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

/* The bond's name by default: the file's name less ".conf", if that is a valid one. */
static void name_from_path(struct xbond_options *o, const char *path, char *base, size_t len)
{
	const char *slash = strrchr(path, '/');
	size_t n;

	snprintf(base, len, "%s", slash ? slash + 1 : path);
	n = strlen(base);
	if (n > 5 && !strcmp(base + n - 5, ".conf"))
		base[n - 5] = '\0';
	if (xbond_ifname_valid(base))
		snprintf(o->req.name, sizeof(o->req.name), "%s", base);
}

int xbond_options_read_file(struct xbond_options *o, const char *path)
{
	unsigned int set_on[XBOND_OPTIONS_MAX] = {}, line_no = 0;
	const struct xbond_option *opt;
	char *line = NULL, *key, *value, *end, what[PATH_MAX + 64], base[PATH_MAX];
	bool named = false;
	size_t cap = 0;
	FILE *f;
	int ret = 0;

	f = fopen(path, "re");
	if (!f) {
		ret = -errno;
		pr_warn("%s: cannot read: %s\n", path, strerror(errno));
		return ret;
	}
	name_from_path(o, path, base, sizeof(base));
	while (getline(&line, &cap, f) > 0) {
		line_no++;
		strip_comment(line);
		key = trim(line);
		if (!*key)
			continue;
		end = key + strcspn(key, " \t");
		value = *end ? end + strspn(end, " \t") : end;
		*end = '\0';
		opt = xbond_option_find(key);
		if (!opt) {
			pr_warn("%s:%u: unknown key '%s'\n", path, line_no, key);
			ret = -EINVAL;
			break;
		}
		snprintf(what, sizeof(what), "%s:%u: --%s", path, line_no, key);
		if (opt->flags & XBOND_OPTF_CLI_ONLY) {
			pr_warn("%s: is for the command line, not a config file\n", what);
			ret = -EINVAL;
			break;
		}
		if (set_on[opt - xbond_option_table]) {
			pr_warn("%s: already set on line %u\n", what,
				set_on[opt - xbond_option_table]);
			ret = -EINVAL;
			break;
		}
		if (value[strcspn(value, " \t")]) {
			pr_warn("%s: '%s': one value, without spaces\n", what, value);
			ret = -EINVAL;
			break;
		}
		ret = xbond_option_set(o, opt, *value ? value : NULL, what);
		if (ret)
			break;
		set_on[opt - xbond_option_table] = line_no;
		named |= !strcmp(opt->name, "name");
	}
	if (!ret && ferror(f)) {
		ret = -EIO;
		pr_warn("%s: cannot read: %s\n", path, strerror(EIO));
	}
	if (!ret && !named && !xbond_ifname_valid(base)) {
		pr_warn("%s: no 'name' line, and '%s' is not a bond name\n", path, base);
		ret = -EINVAL;
	}
	free(line);
	fclose(f);
	return ret;
}

const struct xbond_option *xbond_options_detach_conflict(const struct xbond_options *o)
{
	const struct xbond_option *opt;

	if (!o->req.detach)
		return NULL;
	XBOND_FOR_EACH_OPTION(opt)
		if ((o->given_cli & xbond_option_bit(opt)) && !(opt->flags & XBOND_OPTF_WHICH))
			return opt;
	return NULL;
}

/* getopt_long's value for an entry: its short name, or 256 + its index. */
static int getopt_val(const struct xbond_option *opt)
{
	return opt->short_name ? opt->short_name : 256 + (int)(opt - xbond_option_table);
}

void xbond_options_getopt(struct option *longopts, char *shortopts, size_t len)
{
	const struct xbond_option *opt;
	size_t n = 0, used = 0;

	/* ':' first: a missing value is told apart from an unknown option. */
	shortopts[used++] = ':';
	XBOND_FOR_EACH_OPTION(opt) {
		if (opt->flags & XBOND_OPTF_CNI_ONLY)
			continue;
		longopts[n++] = (struct option){ opt->name, takes_value(opt) ? required_argument :
						 no_argument, NULL, getopt_val(opt) };
		if (opt->short_name && used + 3 < len) {
			shortopts[used++] = opt->short_name;
			if (takes_value(opt))
				shortopts[used++] = ':';
		}
	}
	longopts[n] = (struct option){ NULL, 0, NULL, 0 };
	shortopts[used] = '\0';
}

void xbond_options_free_strings(struct xbond_options *o)
{
	const struct xbond_option *opt;
	const char **field;

	XBOND_FOR_EACH_OPTION(opt) {
		/* A custom parser keeps its own pointer (--config: argv's). */
		if (opt->kind != XBOND_OPT_STRING || opt->parse)
			continue;
		field = field_of(o, opt);
		free((void *)*field);
		*field = NULL;
	}
}

void xbond_getopt_error(int c, char *const *argv)
{
	const char *arg = argv[optind - 1];

	if (c == ':')
		pr_warn("%s needs a value (see --help)\n", arg);
	else if (optopt)
		pr_warn("unknown option '-%c' (see --help)\n", optopt);
	else
		pr_warn("unknown option '%s' (see --help)\n", arg);
}

const struct xbond_option *xbond_option_of_getopt(int c)
{
	const struct xbond_option *opt;

	XBOND_FOR_EACH_OPTION(opt)
		if (!(opt->flags & XBOND_OPTF_CNI_ONLY) && getopt_val(opt) == c)
			return opt;
	return NULL;
}

const char *xbond_option_values(const struct xbond_option *opt, char *buf, size_t len)
{
	unsigned int i;

	if (opt->values)
		return opt->values();
	if (!opt->choices)
		return NULL;
	buf[0] = '\0';
	for (i = 0; opt->choices[i]; i++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", i ? ", " : "",
			 opt->choices[i]);
	return buf;
}

const char *xbond_option_synopsis(const struct xbond_option *opt, char *buf, size_t len)
{
	char head[8] = "    ";

	if (opt->short_name)
		snprintf(head, sizeof(head), "-%c, ", opt->short_name);
	snprintf(buf, len, "%s--%s%s%s", head, opt->name, takes_value(opt) ? " " : "",
		 takes_value(opt) ? opt->metavar : "");
	return buf;
}

/* "help (values or range; default D)" */
const char *xbond_option_describe(const struct xbond_option *opt, char *buf, size_t len)
{
	char values[256], range[64] = "";
	const char *v = xbond_option_values(opt, values, sizeof(values));

	if (opt->kind == XBOND_OPT_UINT || opt->kind == XBOND_OPT_PER_MEMBER)
		snprintf(range, sizeof(range), "%s%ld to %ld",
			 opt->kind == XBOND_OPT_PER_MEMBER ? "N: " : "", opt->min, opt->max);
	if (!v)
		v = range;
	snprintf(buf, len, "%s", opt->help);
	if (*v || opt->defval)
		snprintf(buf + strlen(buf), len - strlen(buf), " (%s%s%s%s)", v,
			 *v && opt->defval ? "; " : "", opt->defval ? "default " : "",
			 opt->defval ?: "");
	return buf;
}

#define HELP_COLUMN	29
#define HELP_WIDTH	80

/* text from column HELP_COLUMN, wrapped at words to HELP_WIDTH. */
static void print_wrapped(FILE *out, const char *text, int column)
{
	while (*text) {
		int room = HELP_WIDTH - 1 - HELP_COLUMN, n = strlen(text);

		if (n > room) {
			for (n = room; n > 0 && text[n] != ' '; n--)
				;
			if (!n)
				n = strcspn(text, " ");
		}
		fprintf(out, "%*s%.*s\n", HELP_COLUMN - column, "", n, text);
		column = 0;
		text += n;
		text += strspn(text, " ");
	}
}

void xbond_options_usage(FILE *out)
{
	const struct xbond_option *opt;
	char synopsis[64], text[512];
	unsigned int i;
	int column, width = 0;

	for (i = 0; xbond_usage_forms[i][0]; i++)
		if ((int)strlen(xbond_usage_forms[i][0]) > width)
			width = strlen(xbond_usage_forms[i][0]);
	for (i = 0; xbond_usage_forms[i][0]; i++)
		fprintf(out, "%s %-*s  %s\n", i ? "      " : "Usage:", width,
			xbond_usage_forms[i][0], xbond_usage_forms[i][1]);
	fprintf(out, "\n");
	XBOND_FOR_EACH_OPTION(opt) {
		if (opt->flags & XBOND_OPTF_CNI_ONLY)
			continue;
		column = fprintf(out, "  %s", xbond_option_synopsis(opt, synopsis,
								    sizeof(synopsis)));
		if (column >= HELP_COLUMN - 1) {
			fprintf(out, "\n");
			column = 0;
		}
		print_wrapped(out, xbond_option_describe(opt, text, sizeof(text)), column);
	}
}
