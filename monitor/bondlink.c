// SPDX-License-Identifier: GPL-2.0
/* The bond's own link: an MTU or MAC set on it with ip link reaches the members, or is put back. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "xbond.h"
#include "monitor.h"

static void mac_str(const unsigned char *mac, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

bool monitor_follow_bond(struct monitor *mon)
{
	const struct xbond_link_state *link = &mon->bond_link;
	struct xbond_handle *h = &mon->h;
	char what[64];

	if (link->ifindex != (int)h->bond.ifindex || !link->mtu)
		return false;
	if (mon->bond_mtu && link->mtu != mon->bond_mtu) {
		snprintf(what, sizeof(what), "MTU %u, was %u", link->mtu, mon->bond_mtu);
		if (xbond_apply_mtu(h, link->mtu, mon->bond_mtu)) {
			monitor_log(mon, "refused", "-", what);
		} else {
			monitor_log(mon, "bond changed", "-", what);
			mon->bond_mtu = link->mtu;
		}
	}
	mon->bond_mtu = mon->bond_mtu ? mon->bond_mtu : link->mtu;
	if (!memcmp(link->mac, h->bond.mac, 6))
		return false;
	mac_str(link->mac, what, sizeof(what));
	if (xbond_apply_mac(h, link->mac)) {
		monitor_log(mon, "refused", "-", "a MAC a member does not take");
		return false;
	}
	monitor_log(mon, "bond changed", "-", what);
	return true;
}
