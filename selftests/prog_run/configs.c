// SPDX-License-Identifier: GPL-2.0
/* Turning a short test spec into a real config through lib/bond.c, as production builds it. */
#include <string.h>
#include "bond.h"
#include "configs.h"
#include "packets.h"

void cfg_records(const struct cfg_spec *spec, struct xbond_bond *bond,
		 struct xbond_member *members)
{
	unsigned int i;

	memset(members, 0, sizeof(*members) * XBOND_MAX_MEMBERS);
	memset(bond, 0, sizeof(*bond));
	bond->abi_version = XBOND_ABI_VERSION;
	bond->mode = spec->mode;
	bond->hash_policy = spec->hash_policy;
	bond->packets_per_member = spec->packets_per_member;
	memcpy(bond->mac, pkt_mac_b, sizeof(bond->mac));
	bond->primary = spec->primary;
	bond->active = XBOND_NO_MEMBER;
	bond->min_links = spec->min_links;
	/* As xbondload creates a bond: no homes yet, so they are dealt out in slot order. */
	memset(bond->home, XBOND_NO_MEMBER, sizeof(bond->home));
	for (i = 0; i < spec->n_members && i < XBOND_MAX_MEMBERS; i++) {
		members[i].ifindex = spec->ifindex ? (__u32)spec->ifindex[i] : CFG_FAKE_IFINDEX(i);
		members[i].flags = XBOND_MEMBER_ADMIN_UP;
		if (!(spec->down_mask & (1U << i)))
			members[i].flags |= XBOND_MEMBER_CARRIER;
		if (spec->collecting & (1U << i))
			members[i].flags |= XBOND_MEMBER_COLLECTING;
		if (spec->distributing & (1U << i))
			members[i].flags |= XBOND_MEMBER_DISTRIBUTING;
	}
}

void cfg_build(const struct cfg_spec *spec, struct xbond_config *cfg)
{
	struct xbond_member members[XBOND_MAX_MEMBERS];
	struct xbond_config live;
	struct xbond_bond bond;

	memset(&live, 0, sizeof(live));
	cfg_records(spec, &bond, members);
	xbond_build_config(&bond, members, &live, 0, cfg);
	cfg->backup_rx_until_ns = spec->backup_rx_until_ns;
}
