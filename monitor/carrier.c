// SPDX-License-Identifier: GPL-2.0
/* Carrier monitoring: a member is usable while its link is up and has carrier, after updelay/downdelay. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include "maps/xbond_abi.h"
#include "log.h"
#include "monitor.h"
#include "nl.h"

#define MS	(1000ULL * 1000)

/* The member's CARRIER and ADMIN_UP flags as the link has them now, and why. */
static __u32 link_state(__u32 ifindex, const char **why)
{
	struct xbond_link link;
	__u32 state = 0;
	int ret = nl_link_get(NULL, ifindex, &link);

	if (ret) {
		*why = ret == -ENODEV ? "link gone" : "link unreadable";
		return 0;
	}
	if (link.flags & IFF_UP)
		state |= XBOND_MEMBER_ADMIN_UP;
	if (link.flags & IFF_LOWER_UP)
		state |= XBOND_MEMBER_CARRIER;
	*why = !(state & XBOND_MEMBER_ADMIN_UP) ? "admin down" :
	       !(state & XBOND_MEMBER_CARRIER) ? "no carrier" : "carrier up";
	return state;
}

#define LINK_FLAGS	(XBOND_MEMBER_CARRIER | XBOND_MEMBER_ADMIN_UP)

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
	struct xbond_bond *bond = &mon->h.bond;

	const struct xbond_member *m = mon->h.members;
	bool better;

	if (slot != bond->primary || !xbond_member_usable(&m[slot]))
		return;
	/* better: only a faster primary takes over, as far as drivers tell. */
	better = bond->active >= XBOND_MAX_MEMBERS || !xbond_member_usable(&m[bond->active]) ||
		 nl_link_speed(m[slot].name) > nl_link_speed(m[bond->active].name);
	if (bond->primary_reselect == XBOND_RESELECT_ALWAYS ||
	    (bond->primary_reselect == XBOND_RESELECT_BETTER && better))
		bond->active = slot;
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

		if (w->ifindex != m->ifindex)
			*w = (struct member_watch){ .ifindex = m->ifindex, .watched_ns = now_ns };
		if (!m->ifindex)
			continue;
		state = link_state(m->ifindex, &why);
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
