// SPDX-License-Identifier: GPL-2.0
/* Carrier monitoring: a member is usable while its link is up and has carrier, after updelay/downdelay; links as events and polls show them. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "maps/xbond_abi.h"
#include "xbond.h"
#include "monitor.h"


#define LINK_FLAGS	(XBOND_MEMBER_CARRIER | XBOND_MEMBER_ADMIN_UP)

static __u32 link_flags(unsigned int iff)
{
	return (iff & IFF_UP ? XBOND_MEMBER_ADMIN_UP : 0) |
	       (iff & IFF_LOWER_UP ? XBOND_MEMBER_CARRIER : 0);
}

/* The member's CARRIER and ADMIN_UP flags as its link last showed them, and why. */
static __u32 link_state(const struct member_watch *w, const char **why)
{
	*why = w->gone ? "link gone" : !(w->seen & XBOND_MEMBER_ADMIN_UP) ? "admin down" :
	       !(w->seen & XBOND_MEMBER_CARRIER) ? "no carrier" : "carrier up";
	return w->gone ? 0 : w->seen;
}

void monitor_watch_members(struct monitor *mon, __u64 now_ns)
{
	struct xbond_link link;
	unsigned int slot;

	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		struct member_watch *w = &mon->watch[slot];
		__u32 ifindex = mon->h.members[slot].ifindex;

		if (w->ifindex == ifindex)
			continue;
		*w = (struct member_watch){ .ifindex = ifindex, .watched_ns = now_ns };
		if (!ifindex)
			continue;
		if (nl_link_get(NULL, ifindex, &link)) {
			w->gone = true;
			continue;
		}
		w->seen = link_flags(link.flags);
		snprintf(w->name, sizeof(w->name), "%s", link.name);
		/* A new member, or a new monitor: are our programs, MAC and MTU in place? */
		w->shown = true;
		w->mtu = link.mtu;
		memcpy(w->mac, link.mac, 6);
		w->xdp_prog_id = link.xdp_prog_id;
		w->check = true;
		/*
		 * A stacked device (veth, macvlan...) has its carrier events sent
		 * at once; a physical NIC's wait in linkwatch for up to a second.
		 */
		w->polled = !monitor_link_events || monitor_poll_all || !link.link ||
			    link.link == link.ifindex;
		mon->look = true;
	}
}

void monitor_saw_link(struct monitor *mon, const struct xbond_link *link, bool deleted)
{
	unsigned int slot;

	if (link->ifindex == (int)mon->h.bond.ifindex && deleted) {
		if (!*mon->bond_lost)
			snprintf(mon->bond_lost, sizeof(mon->bond_lost),
				 "its interface %s was deleted", mon->h.bond.name);
		return;
	}
	if (link->ifindex == (int)mon->h.bond.ifindex && *link->name &&
	    strcmp(link->name, mon->h.bond.name)) {
		/* Its pins are found by its name: renamed, it is lost to every tool. */
		if (!*mon->bond_lost)
			snprintf(mon->bond_lost, sizeof(mon->bond_lost),
				 "its interface %s was renamed %s", mon->h.bond.name, link->name);
		return;
	}
	if (link->ifindex == (int)mon->h.bond.ifindex) {
		if (link->mtu != mon->bond_link.mtu || memcmp(link->mac, mon->bond_link.mac, 6))
			mon->look = mon->bond_link_fresh = true;
		mon->bond_link.ifindex = link->ifindex;
		mon->bond_link.mtu = link->mtu;
		memcpy(mon->bond_link.mac, link->mac, 6);
		return;
	}
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		struct member_watch *w = &mon->watch[slot];

		if (!link->ifindex || w->ifindex != (__u32)link->ifindex)
			continue;
		if (deleted != w->gone || (!deleted && link_flags(link->flags) != w->seen))
			mon->look = true;
		w->gone = deleted;
		w->seen = deleted ? 0 : link_flags(link->flags);
		if (!deleted && *link->name) {
			if (strcmp(w->name, link->name))
				mon->look = true;	/* renamed: noted in the records */
			snprintf(w->name, sizeof(w->name), "%s", link->name);
		}
		if (deleted)
			continue;
		/* Someone set its MTU or MAC, or took our XDP program off: a look. */
		if (w->shown && (link->mtu != w->mtu || memcmp(link->mac, w->mac, 6) ||
				 link->xdp_prog_id != w->xdp_prog_id))
			w->check = mon->look = true;
		w->shown = true;
		w->mtu = link->mtu;
		memcpy(w->mac, link->mac, 6);
		w->xdp_prog_id = link->xdp_prog_id;
	}
}

void monitor_saw_move(struct monitor *mon, int ifindex, int nsid, int new_ifindex)
{
	unsigned int slot;

	if (ifindex == (int)mon->h.bond.ifindex || ifindex == (int)mon->h.bond.peer_ifindex) {
		if (!*mon->bond_lost)
			snprintf(mon->bond_lost, sizeof(mon->bond_lost),
				 "%s %s was moved to another network namespace",
				 ifindex == (int)mon->h.bond.ifindex ? "its interface" :
				 "the hidden peer of its interface", mon->h.bond.name);
		return;
	}
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		struct member_watch *w = &mon->watch[slot];

		if (!ifindex || w->ifindex != (__u32)ifindex)
			continue;
		w->moved = true;
		w->moved_nsid = nsid;
		w->moved_ifindex = new_ifindex;
		mon->look = true;
	}
}

void monitor_saw_tc(struct monitor *mon, int ifindex)
{
	unsigned int slot;

	if (ifindex && ifindex == (int)mon->h.bond.ifindex)
		mon->check_bond = mon->look = true;
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++)
		if (ifindex && mon->watch[slot].ifindex == (__u32)ifindex)
			mon->watch[slot].check = mon->look = true;
}

bool monitor_poll_carrier(struct monitor *mon)
{
	bool all_told = true;
	unsigned int slot;
	__u32 seen;
	int carrier;

	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		struct member_watch *w = &mon->watch[slot];

		if (!w->ifindex || !w->polled || w->gone)
			continue;
		carrier = nl_link_carrier(mon->ioctl_fd, w->name);
		if (carrier < 0) {
			all_told = false;
			continue;
		}
		/* Admin state comes in events at once: only carrier can lag. */
		seen = (w->seen & ~XBOND_MEMBER_CARRIER) | (carrier ? XBOND_MEMBER_CARRIER : 0);
		if (seen != w->seen)
			mon->look = true;
		w->seen = seen;
	}
	return all_told;
}

static void commit(struct monitor *mon, unsigned int slot, __u32 state, const char *why,
		   __u64 now_ns)
{
	struct xbond_member *m = &mon->h.members[slot];
	bool was_usable = xbond_member_usable(m), up = state == LINK_FLAGS;

	m->flags = (m->flags & ~LINK_FLAGS) | state;
	/* A member whose link was never up has not failed: it was never there. */
	if (was_usable && !xbond_member_usable(m) && (m->flags & XBOND_MEMBER_SEEN_UP))
		m->link_failures++;
	if (up)
		m->flags |= XBOND_MEMBER_SEEN_UP;
	m->last_change_ns = now_ns;
	xbond_write_member(&mon->h, slot);
	monitor_log(mon, up ? "member up" : "member down", m->name, why);
	if (!up && slot == mon->h.bond.active)
		monitor_note_failover(mon, why);
	if (up)
		monitor_member_back(mon, slot);
}

void monitor_member_back(struct monitor *mon, unsigned int slot)
{
	/* The policy weighs it when the config is next built (xbond_choose_active). */
	xbond_note_member_back(&mon->h, slot);
}

__s64 monitor_evaluate(struct monitor *mon, __u64 now_ns, bool *changed)
{
	const struct xbond_bond *bond = &mon->h.bond;
	__s64 next_due = 0;
	unsigned int slot;

	*changed = false;
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		struct xbond_member *m = &mon->h.members[slot];
		struct member_watch *w = &mon->watch[slot];
		const char *why;
		bool delay_over;
		__u32 state;
		__u64 delay;

		if (!m->ifindex || w->ifindex != m->ifindex)
			continue;
		state = link_state(w, &why);
		if (state == (m->flags & LINK_FLAGS)) {
			w->pending = false;
			if (state == LINK_FLAGS && !(m->flags & XBOND_MEMBER_SEEN_UP)) {
				m->flags |= XBOND_MEMBER_SEEN_UP;
				xbond_write_member(&mon->h, slot);
			}
			continue;
		}
		if (!w->pending) {
			w->pending = true;
			w->since_ns = now_ns;
		}
		delay = (state == LINK_FLAGS ? bond->updelay_ms : bond->downdelay_ms) * MS;
		delay_over = now_ns - w->since_ns >= delay;
		if (delay_over) {
			commit(mon, slot, state, why, now_ns);
			w->pending = false;
			*changed = true;
		} else if (!next_due || (__s64)(w->since_ns + delay - now_ns) < next_due) {
			next_due = w->since_ns + delay - now_ns;
		}
	}
	return next_due;
}
