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

/* Whether the link is up with carrier now, and why not if not. */
static bool link_up(__u32 ifindex, const char **why)
{
	struct xbond_link link;
	int ret = nl_link_get(NULL, ifindex, &link);

	if (ret) {
		*why = ret == -ENODEV ? "link gone" : "link unreadable";
		return false;
	}
	if (!(link.flags & IFF_UP)) {
		*why = "admin down";
		return false;
	}
	if (!(link.flags & IFF_LOWER_UP)) {
		*why = "no carrier";
		return false;
	}
	*why = "carrier up";
	return true;
}

static void commit(struct monitor *mon, unsigned int slot, bool up, const char *why,
		   __u64 now_ns)
{
	struct xbond_member *m = &mon->h.members[slot];
	__u32 state = XBOND_MEMBER_CARRIER | XBOND_MEMBER_ADMIN_UP;

	struct xbond_bond *bond = &mon->h.bond;
	bool was_usable = xbond_member_usable(m);

	m->flags = up ? m->flags | state : m->flags & ~state;
	if (was_usable && !xbond_member_usable(m))
		m->link_failures++;
	m->last_change_ns = now_ns;
	xbond_write_member(&mon->h, slot);
	monitor_log(mon, up ? "member up" : "member down", m->name, why);
	if (!up && slot == bond->active)
		monitor_note_failover(mon, why);
	/* primary_reselect always: the primary takes over as soon as it is back. */
	if (up && slot == bond->primary && bond->primary_reselect == XBOND_RESELECT_ALWAYS)
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
		bool up, delay_over;
		__u64 delay;

		if (w->ifindex != m->ifindex)
			*w = (struct member_watch){ .ifindex = m->ifindex, .watched_ns = now_ns };
		if (!m->ifindex)
			continue;
		up = link_up(m->ifindex, &why);
		if (up == xbond_member_usable(m)) {
			w->pending = false;
			continue;
		}
		if (!w->pending) {
			w->pending = true;
			w->since_ns = now_ns;
		}
		delay = (up ? bond->updelay_ms : bond->downdelay_ms) * MS;
		delay_over = now_ns - w->since_ns >= delay;
		if (delay_over) {
			commit(mon, slot, up, why, now_ns);
			w->pending = false;
			*changed = true;
		} else if (!next_due || (__s64)(w->since_ns + delay - now_ns) < next_due) {
			next_due = w->since_ns + delay - now_ns;
		}
	}
	return next_due;
}
