// SPDX-License-Identifier: GPL-2.0
/* Mode and hash policy names: kernel name, number and short name, from NULL-terminated tables. */
#include <ctype.h>
#include <string.h>
#include <linux/types.h>
#include "maps/xbond_abi.h"
#include "names.h"

struct xbond_name {
	const char *name;
	int value;
};

/* The kernel's name comes first for each value: it is what we print. */
static const struct xbond_name modes[] = {
	{ "balance-rr", XBOND_MODE_ROUNDROBIN },
	{ "active-backup", XBOND_MODE_ACTIVEBACKUP },
	{ "balance-xor", XBOND_MODE_XOR },
	{ "broadcast", XBOND_MODE_BROADCAST },
	{ "802.3ad", XBOND_MODE_8023AD },
	{ "balance-tlb", XBOND_MODE_TLB },
	{ "balance-alb", XBOND_MODE_ALB },
	{ "0", XBOND_MODE_ROUNDROBIN },
	{ "1", XBOND_MODE_ACTIVEBACKUP },
	{ "2", XBOND_MODE_XOR },
	{ "3", XBOND_MODE_BROADCAST },
	{ "4", XBOND_MODE_8023AD },
	{ "5", XBOND_MODE_TLB },
	{ "6", XBOND_MODE_ALB },
	{ "rr", XBOND_MODE_ROUNDROBIN },
	{ "ab", XBOND_MODE_ACTIVEBACKUP },
	{ "xor", XBOND_MODE_XOR },
	{ "tlb", XBOND_MODE_TLB },
	{ "alb", XBOND_MODE_ALB },
	{ NULL, 0 },
};

static const struct xbond_name hashes[] = {
	{ "layer2", XBOND_HASH_LAYER2 },
	{ "layer3+4", XBOND_HASH_LAYER34 },
	{ "layer2+3", XBOND_HASH_LAYER23 },
	{ "0", XBOND_HASH_LAYER2 },
	{ "1", XBOND_HASH_LAYER34 },
	{ "2", XBOND_HASH_LAYER23 },
	{ NULL, 0 },
};

static int parse(const struct xbond_name *table, const char *name)
{
	for (; table->name; table++)
		if (!strcmp(table->name, name))
			return table->value;
	return -1;
}

static const char *name_of(const struct xbond_name *table, unsigned int value)
{
	for (; table->name; table++)
		if (table->value == (int)value)
			return table->name;
	return "unknown";
}

int xbond_mode_parse(const char *name) { return parse(modes, name); }
int xbond_hash_parse(const char *name) { return parse(hashes, name); }
const char *xbond_mode_name(unsigned int mode) { return name_of(modes, mode); }
const char *xbond_hash_name(unsigned int hash) { return name_of(hashes, hash); }

bool xbond_mode_implemented(int mode)
{
	return mode >= XBOND_MODE_ROUNDROBIN && mode <= XBOND_MODE_8023AD;
}

/* As the kernel's dev_valid_name(): it becomes a path component too. */
bool xbond_ifname_valid(const char *name)
{
	size_t len = strlen(name);

	if (!len || len >= XBOND_NAME_LEN || !strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	for (; *name; name++)
		if (*name == '/' || *name == ':' || isspace((unsigned char)*name))
			return false;
	return true;
}

const char *xbond_mode_choices(void)
{
	return "balance-rr|0|rr, active-backup|1|ab, balance-xor|2|xor, broadcast|3";
}

const char *xbond_hash_choices(void)
{
	return "layer2, layer2+3, layer3+4";
}

const char *const xbond_arp_validate_names[] = { "none", "active", "backup", "all", NULL };
const char *const xbond_all_targets_names[] = { "any", "all", NULL };
const char *const xbond_reselect_names[] = { "always", "better", "failure", NULL };
const char *const xbond_off_on_names[] = { "off", "on", NULL };
const char *const xbond_lacp_rate_names[] = { "slow", "fast", NULL };
const char *const xbond_ad_select_names[] = { "stable", "bandwidth", "count", NULL };

/* The LACP machines' states, indexed by their enums, for xbond_choice_name. */
const char *const xbond_lacp_rx_names[] = {
	[XBOND_LACP_RX_DISABLED] = "disabled", [XBOND_LACP_RX_EXPIRED] = "expired",
	[XBOND_LACP_RX_DEFAULTED] = "defaulted", [XBOND_LACP_RX_CURRENT] = "current",
	[XBOND_LACP_RX_CURRENT + 1] = NULL,
};
const char *const xbond_lacp_mux_names[] = {
	[XBOND_LACP_MUX_DETACHED] = "detached", [XBOND_LACP_MUX_WAITING] = "waiting",
	[XBOND_LACP_MUX_ATTACHED] = "attached", [XBOND_LACP_MUX_COLLECTING] = "collecting",
	[XBOND_LACP_MUX_DISTRIBUTING] = "distributing",
	[XBOND_LACP_MUX_DISTRIBUTING + 1] = NULL,
};
const char *const xbond_lacp_selected_names[] = {
	[XBOND_LACP_UNSELECTED] = "unselected", [XBOND_LACP_SELECTED] = "selected",
	[XBOND_LACP_STANDBY] = "standby", [XBOND_LACP_STANDBY + 1] = NULL,
};

int xbond_choice_parse(const char *const *names, const char *name)
{
	int i;

	for (i = 0; names[i]; i++)
		if (!strcmp(names[i], name))
			return i;
	return -1;
}

const char *xbond_choice_name(const char *const *names, unsigned int value)
{
	unsigned int i;

	for (i = 0; names[i]; i++)
		if (i == value)
			return names[i];
	return "unknown";
}
