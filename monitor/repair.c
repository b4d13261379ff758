// SPDX-License-Identifier: GPL-2.0
/*
 * What was changed under the bond, put back: our programs taken off the bond
 * or a member (tc qdisc del, ip link set xdp off), a member's MAC or MTU set
 * by hand, a pin removed; and a member that left the namespace, given back
 * where it went. Only events ask for a look (a link's MTU, MAC or XDP program
 * changed, a tc change on one of our links, a pin removed): nothing is polled.
 * Decisions are made on what the kernel says now, under the lock, not on
 * the events, which may be behind a writer's changes.
 */
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

/* Someone changed what is ours: a warning, with what was put back. */
static void log_repaired(const struct monitor *mon, const char *member, const char *what)
{
	xbond_log_event(LOG_WARNING, mon->name, "repaired", member, "%s", what);
}

/* What cannot be put back: an error, said once until it changes. */
static void log_unrepaired(const struct monitor *mon, const char *member, char *last,
			   size_t len, const char *what)
{
	size_t n = strnlen(what, len - 1);

	if (!strncmp(last, what, len - 1))
		return;
	memcpy(last, what, n);
	last[n] = '\0';
	xbond_log_event(LOG_ERR, mon->name, "cannot repair", member, "%s", what);
}

bool monitor_members_left(struct monitor *mon)
{
	struct xbond_handle *h = &mon->h;
	bool left = false;
	unsigned int slot;
	char name[XBOND_NAME_LEN];

	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		struct member_watch *w = &mon->watch[slot];

		if (!w->moved || w->ifindex != h->members[slot].ifindex || !w->ifindex)
			continue;
		snprintf(name, sizeof(name), "%s", w->name[0] ? w->name : h->members[slot].name);
		xbond_log_event(LOG_WARNING, mon->name, "member left", name,
				"moved to another network namespace: out of the bond, given back there");
		bond_member_left(h, slot, w->moved_nsid, w->moved_ifindex);
		*w = (struct member_watch){ 0 };
		left = true;
	}
	return left;
}

/* A member's MAC and MTU are the bond's, as a kernel bond's slaves' are. */
static void repair_link(struct monitor *mon, unsigned int slot, unsigned int bond_mtu)
{
	const struct xbond_handle *h = &mon->h;
	struct member_watch *w = &mon->watch[slot];
	struct nl_link_change mtu = { .up = -1 };
	char what[96], mac[18];
	struct xbond_link link;

	if (nl_link_get(NULL, w->ifindex, &link))
		return;
	if (memcmp(link.mac, h->bond.mac, 6)) {
		mac_str(link.mac, mac, sizeof(mac));
		if (xbond_set_link_mac(link.ifindex, h->bond.mac)) {
			snprintf(what, sizeof(what), "MAC %s, not the bond's, and it refuses the bond's",
				 mac);
			log_unrepaired(mon, link.name, w->problem, sizeof(w->problem), what);
		} else {
			snprintf(what, sizeof(what), "MAC %s set back to the bond's", mac);
			log_repaired(mon, link.name, what);
		}
	}
	if (bond_mtu && link.mtu != bond_mtu) {
		mtu.mtu = bond_mtu;
		if (nl_link_set(link.ifindex, &mtu)) {
			snprintf(what, sizeof(what), "MTU %u, not the bond's %u, and it refuses %u",
				 link.mtu, bond_mtu, bond_mtu);
			log_unrepaired(mon, link.name, w->problem, sizeof(w->problem), what);
		} else {
			snprintf(what, sizeof(what), "MTU %u set back to the bond's %u", link.mtu,
				 bond_mtu);
			log_repaired(mon, link.name, what);
		}
	}
}

/* The member's programs where they must be, by the ids of the bond's own. */
static void repair_programs(struct monitor *mon, unsigned int slot)
{
	struct xbond_member *m = &mon->h.members[slot];
	struct member_watch *w = &mon->watch[slot];
	char what[128], line[160];
	int ret;

	ret = xbond_repair_member(m->ifindex, m->flags, &mon->progs, what, sizeof(what));
	if (ret > 0) {
		snprintf(line, sizeof(line), "%s: attached again", what);
		log_repaired(mon, w->name, line);
		w->problem[0] = '\0';
	} else if (ret < 0) {
		snprintf(line, sizeof(line), "%s", *what ? what : strerror(-ret));
		log_unrepaired(mon, w->name, w->problem, sizeof(w->problem), line);
	}
}

/* A member renamed: the records follow it, as a kernel bond's slave list does. */
static void note_rename(struct monitor *mon, unsigned int slot)
{
	struct xbond_member *m = &mon->h.members[slot];
	const struct member_watch *w = &mon->watch[slot];
	char what[64];

	if (!w->name[0] || !strcmp(w->name, m->name))
		return;
	snprintf(what, sizeof(what), "now %s", w->name);
	xbond_log_event(LOG_NOTICE, mon->name, "member renamed", m->name, "%s", what);
	snprintf(m->name, sizeof(m->name), "%s", w->name);
	xbond_write_member(&mon->h, slot);
}

/* Pins removed by hand, pinned again from what we hold. */
static void repin(struct monitor *mon)
{
	int maps = xbond_repin_maps(&mon->h), progs = xbond_progs_repin(mon->h.dir, &mon->progs);
	char what[96];

	mon->repin = false;
	if (maps < 0 || progs < 0) {
		snprintf(what, sizeof(what), "a removed pin: %s", strerror(maps < 0 ? -maps : -progs));
		log_unrepaired(mon, "-", mon->tx_problem, sizeof(mon->tx_problem), what);
	} else if (maps + progs) {
		snprintf(what, sizeof(what), "%d removed pins pinned again in %s", maps + progs,
			 mon->h.dir);
		log_repaired(mon, "-", what);
	}
}

void monitor_repair(struct monitor *mon)
{
	struct xbond_handle *h = &mon->h;
	char what[128], line[160];
	struct xbond_link bond;
	unsigned int slot, bond_mtu = 0;
	bool any = false;
	int ret;

	if (mon->repin)
		repin(mon);
	if (mon->check_bond) {
		mon->check_bond = false;
		ret = xbond_repair_tx(h->bond.ifindex, &mon->progs, what, sizeof(what));
		if (ret > 0) {
			snprintf(line, sizeof(line), "%s: attached again", what);
			log_repaired(mon, "-", line);
			mon->tx_problem[0] = '\0';
		} else if (ret < 0) {
			log_unrepaired(mon, "-", mon->tx_problem, sizeof(mon->tx_problem),
				       *what ? what : strerror(-ret));
		}
	}
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		struct member_watch *w = &mon->watch[slot];

		if (!h->members[slot].ifindex || w->ifindex != h->members[slot].ifindex || w->gone)
			continue;
		note_rename(mon, slot);
		if (!w->check)
			continue;
		w->check = false;
		/* The bond's MTU as it is now, read once for all. */
		if (!any && !nl_link_get(NULL, h->bond.ifindex, &bond))
			bond_mtu = bond.mtu;
		any = true;
		repair_programs(mon, slot);
		repair_link(mon, slot, bond_mtu);
	}
}
