// SPDX-License-Identifier: GPL-2.0
/* Passing the bond's MTU, MAC and carrier on to its members and hidden peer, whole or not at all. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "links.h"
#include "log.h"
#include "nl.h"

static int set_mtu(int ifindex, unsigned int mtu)
{
	struct nl_link_change change = { .mtu = mtu, .up = -1 };

	return nl_link_set(ifindex, &change);
}

int xbond_apply_mtu(const struct xbond_handle *h, unsigned int mtu, unsigned int old_mtu)
{
	int ifindex[XBOND_MAX_MEMBERS + 2];
	const char *name[XBOND_MAX_MEMBERS + 2];
	unsigned int i, n = 0, done;
	int ret = 0;

	for (i = 0; i < XBOND_MAX_MEMBERS; i++) {
		if (!h->members[i].ifindex)
			continue;
		name[n] = h->members[i].name;
		ifindex[n++] = h->members[i].ifindex;
	}
	/* Members first: what the bond sends must fit on every one of them. */
	name[n] = "the hidden peer";
	ifindex[n++] = h->bond.peer_ifindex;
	name[n] = h->bond.name;
	ifindex[n++] = h->bond.ifindex;
	for (done = 0; done < n; done++) {
		ret = set_mtu(ifindex[done], mtu);
		if (ret) {
			pr_warn("%s: %s refuses MTU %u: %s\n", h->bond.name, name[done], mtu,
				strerror(-ret));
			break;
		}
	}
	if (!ret)
		return 0;
	for (i = 0; i < n; i++)
		set_mtu(ifindex[i], old_mtu);
	return ret;
}

/* Most drivers take a new MAC only while down; veth and many others while up. */
int xbond_set_link_mac(int ifindex, const unsigned char *mac)
{
	struct nl_link_change live = { .mac = mac, .up = -1 };
	struct nl_link_change down = { .up = 0 }, up = { .up = 1 };
	int ret = nl_link_set(ifindex, &live);

	if (ret != -EBUSY)
		return ret;
	ret = nl_link_set(ifindex, &down);
	if (!ret)
		ret = nl_link_set(ifindex, &live);
	nl_link_set(ifindex, &up);
	return ret;
}

int xbond_apply_mac(struct xbond_handle *h, const unsigned char *mac)
{
	unsigned char old[6];
	unsigned int i;
	int ret = 0;

	memcpy(old, h->bond.mac, 6);
	for (i = 0; !ret && i < XBOND_MAX_MEMBERS; i++) {
		if (!h->members[i].ifindex)
			continue;
		ret = xbond_set_link_mac(h->members[i].ifindex, mac);
		if (ret)
			pr_warn("%s: %s refuses the MAC: %s\n", h->bond.name, h->members[i].name,
				strerror(-ret));
	}
	if (!ret)
		ret = xbond_set_link_mac(h->bond.ifindex, mac);
	if (!ret) {
		memcpy(h->bond.mac, mac, 6);
		ret = xbond_write_bond(h);
	}
	if (!ret)
		return 0;
	for (i = 0; i < XBOND_MAX_MEMBERS; i++)
		if (h->members[i].ifindex)
			xbond_set_link_mac(h->members[i].ifindex, old);
	xbond_set_link_mac(h->bond.ifindex, old);
	memcpy(h->bond.mac, old, 6);
	return ret;
}

/*
 * The bond is one end of a veth pair: its carrier is on while the hidden peer
 * is up. So taking the peer down gives the bond NO-CARRIER, as a kernel bond
 * without a usable slave has.
 */
int xbond_set_carrier(const struct xbond_handle *h, bool on)
{
	struct nl_link_change change = { .up = on };

	return h->bond.peer_ifindex ? nl_link_set(h->bond.peer_ifindex, &change) : 0;
}
