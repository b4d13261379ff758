/* SPDX-License-Identifier: GPL-2.0 */
/* xbondmon's event loop: rtnetlink link events and a carrier poll timer, in one epoll. */
#ifndef XBOND_MONITOR_H
#define XBOND_MONITOR_H

#include <stdbool.h>
#include <linux/types.h>
#include "bond.h"

/* What the monitor remembers per member slot between evaluations. */
struct member_watch {
	__u32 ifindex;		/* the member this is about; a new one resets it */
	bool pending;		/* the link's state differs from the member's */
	__u64 since_ns;		/* since when */
};

struct monitor {
	struct xbond_handle h;
	struct member_watch watch[XBOND_MAX_MEMBERS];
	const char *name;
	bool json;		/* log events as JSON lines */
};

/* Run until the bond is gone (returns 0) or a signal or error stops it. */
int monitor_run(struct monitor *mon);

/*
 * Look at every member's link once and commit the changes whose up/down
 * delays have run out. Returns the nanoseconds until a pending change falls
 * due (0 if none), or a negative errno. Sets *changed if a member changed.
 */
__s64 monitor_evaluate(struct monitor *mon, __u64 now_ns, bool *changed);

/* One line per state change: a timestamp, the bond, and what and why. */
void monitor_log(const struct monitor *mon, const char *event, const char *member,
		 const char *reason);

#endif /* XBOND_MONITOR_H */
