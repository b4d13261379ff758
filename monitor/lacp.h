/* SPDX-License-Identifier: GPL-2.0 */
/* 802.3ad: the LACP machines of IEEE 802.1AX, one port per member, run by the monitor's worker. */
#ifndef XBOND_MONITOR_LACP_H
#define XBOND_MONITOR_LACP_H

#include <stdbool.h>
#include <linux/types.h>
#include "maps/xbond_abi.h"
#include "lacp_pdu.h"

/* One member's LACP port: what xbondctl shows, and the machines' own timers. */
struct lacp_port {
	struct xbond_lacp_port pub;	/* mirrored into xbond_lacp at its slot */
	struct xbond_lacp_port written;	/* as last written there */
	__u32 ifindex;			/* the member this is; a new one starts afresh */
	struct lacp_info partner;	/* Partner_Oper: from its last LACPDU, or defaults */
	struct lacp_info sent;		/* our actor info as last sent */
	struct lacpdu rx;		/* the last LACPDU read, not yet run */
	bool rx_pending;
	struct lacpdu recorded;		/* the last LACPDU the machines ran: the same
					 * again only restarts the timeout */
	bool ntt;			/* need to transmit */
	__u64 current_while_at;		/* partner info expires; 0: not running */
	__u64 periodic_at;		/* next periodic LACPDU; 0: no periodic */
	__u64 wait_while_at;		/* WAITING: when the aggregate wait is over */
	__u64 tx_window_at;		/* start of the current second of sends */
	__u64 sent_at;			/* when the last LACPDU went out */
	unsigned int tx_in_window;	/* LACPDUs sent in it: at most 3 */
	__u32 agg_key[4];		/* the aggregator identity it selected last */
};

struct monitor;

/* LACPDUs and Marker PDUs waiting on the slow-protocol socket: read, count, answer markers. */
void lacp_read(struct monitor *mon, __u64 now_ns);

/*
 * Under the lock, with the records fresh and carrier evaluated: start or stop
 * the protocol as the bond's mode says, run every port's machines, send what
 * is due, and set the members' COLLECTING and DISTRIBUTING flags. Sets
 * *changed if a member's flags changed (publish). Returns the nanoseconds
 * until a timer falls due, 0 if none.
 */
__s64 lacp_run(struct monitor *mon, __u64 now_ns, bool *changed);

/* Close the socket and forget every port: the monitor is stopping. */
void lacp_stop(struct monitor *mon);

#endif /* XBOND_MONITOR_LACP_H */
