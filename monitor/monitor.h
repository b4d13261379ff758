/* SPDX-License-Identifier: GPL-2.0 */
/* xbondmon's worker: link events, a carrier poll only where events lag, and the bond's records read only when they change. */
#ifndef XBOND_MONITOR_H
#define XBOND_MONITOR_H

#include <stdbool.h>
#include <sys/types.h>
#include <linux/types.h>
#include "xbond.h"
#include "lacp.h"

/* What the monitor remembers per member slot between evaluations. */
struct member_watch {
	__u32 ifindex;		/* the member this is about; a new one resets it */
	__u32 seen;		/* XBOND_MEMBER_CARRIER|ADMIN_UP as the link last showed */
	bool gone;		/* the link was deleted */
	bool polled;		/* its carrier events may lag: poll it every miimon */
	bool dumped;		/* the last poll listed it */
	char name[16];		/* its name now, for the carrier ioctl */
	bool pending;		/* the link's state differs from the member's */
	__u64 since_ns;		/* since when */
	__u64 watched_ns;	/* since when this member is watched at all */
	/* What else the link showed, for repairs (monitor/repair.c): */
	bool shown;		/* the fields below were filled by an event or a read */
	unsigned int mtu;
	unsigned char mac[6];
	__u32 xdp_prog_id;
	bool check;		/* look whether our programs, MAC and MTU are as they must be */
	char problem[128];	/* what could not be repaired, as last logged */
	bool moved;		/* it left for another namespace: */
	int moved_nsid;		/* which this one calls so (-1: unknown) */
	int moved_ifindex;	/* where it is numbered so */
};

/* Nanoseconds per millisecond: settings are in ms, clocks in ns. */
#define MS	(1000ULL * 1000)

/* The earlier of two deadlines or delays, 0 standing for none. */
static inline __u64 earliest(__u64 a, __u64 b)
{
	return !a ? b : !b ? a : a < b ? a : b;
}

struct mnl_socket;
struct xbond_link;

/* False with --no-link-events: every member is polled, as if events lagged. */
extern bool monitor_link_events;
/* --poll-carrier: poll every member's carrier, as a physical NIC's. */
extern bool monitor_poll_all;

/* Arguments a monitor process passes on when it restarts its partner. */
#define MONITOR_MAX_ARGS	16

struct monitor {
	struct xbond_handle h;
	struct member_watch watch[XBOND_MAX_MEMBERS];
	const char *name;
	bool json;		/* log events as JSON lines */
	int arp_fd;		/* AF_PACKET socket for probes and peer notification */
	__u64 next_probe_ns;	/* when the next ARP probes go out */
	__u64 arp_on_since_ns;	/* when ARP monitoring was last turned on; 0: off */
	unsigned int probe_turn;	/* active-backup with no active: whose turn to probe */
	__u8 active;		/* the active member as last seen */
	__u64 active_since_ns;	/* since when it is */
	char **exec_argv;	/* how we were run, without --worker */
	int pidfile_fd;		/* our locked pid file */
	int guard_fd;		/* worker: pidfd of the guard, or -1 */
	__u64 last_restart_ns;	/* when we last restarted the guard */
	unsigned int bond_mtu;	/* the bond's MTU as last passed on; 0: not yet seen */
	struct mnl_socket *nl;	/* requests: link dumps, kept open */
	int ioctl_fd;		/* the carrier poll's ethtool requests */
	bool look;		/* a link may differ from the records: evaluate */
	bool reload;		/* a writer changed the records (SIGHUP) */
	bool bond_link_fresh;	/* bond_link is newer than the last evaluation */
	struct xbond_link_state {
		int ifindex;
		unsigned int mtu;
		unsigned char mac[6];
	} bond_link;		/* the bond's own link, as last seen */
	__u64 next_poll_ns;	/* when polled members are looked at next */
	struct xbond_progs progs;	/* the bond's programs, held to attach them again */
	bool check_bond;	/* look whether tx_select is still on the bond */
	char tx_problem[128];	/* what could not be repaired there, as last logged */
	bool repin;		/* a pin was removed: pin it again */
	__u64 repin_at;		/* when (a whole directory's removal must not be raced) */
	char bond_lost[96];	/* why the bond is gone (deleted, renamed, moved); "" */
	struct {
		dev_t dev;	/* nsfs device and inode: */
		ino_t ino;	/* our network namespace, 0: unknown */
		__u64 cookie;	/* and its cookie, never reused */
	} netns;
	__u64 netns_check_at;	/* when to look again at who holds it; 0: on a mount change */
	bool netns_awaiting_del;	/* only we hold it, for a CNI DEL to come (logged) */
	int epfd;		/* the loop's epoll set, -1 before it runs */
	int lacp_fd;		/* 802.3ad: the slow-protocol packet socket, -1: closed */
	__u16 lacp_active_agg;	/* 802.3ad: the aggregator in use, 0: none */
	__u16 lacp_active_ports;	/* and its ports with a live partner, as logged */
	bool lacp_adopted;	/* 802.3ad: the last monitor's state was looked at */
	struct lacp_port lacp[XBOND_MAX_MEMBERS];
};

/*
 * Start watching the members in the records: a member new to its slot gets
 * its link read once, and is polled if its carrier events may lag (a
 * physical NIC's, which the kernel's linkwatch delays by up to a second).
 */
void monitor_watch_members(struct monitor *mon, __u64 now_ns);
/* A link as an event or a dump shows it: note what changed for a member or the bond. */
void monitor_saw_link(struct monitor *mon, const struct xbond_link *link, bool deleted);
/* The link at ifindex left for the namespace this one calls nsid (-1: unknown), as new_ifindex. */
void monitor_saw_move(struct monitor *mon, int ifindex, int nsid, int new_ifindex);
/* A tc qdisc, chain or filter of ifindex changed: our programs there need a look. */
void monitor_saw_tc(struct monitor *mon, int ifindex);

/*
 * Under the lock, with the records fresh: members that left the namespace
 * leave the records and are given back where they went, as the kernel
 * releases a slave that leaves. True if any did (publish).
 */
bool monitor_members_left(struct monitor *mon);
/*
 * Under the lock, with the records fresh and the bond's own MTU and MAC
 * followed: a removed pin is pinned again, our programs are put back where
 * they were taken off, a member's MAC and MTU set back to the bond's, and a
 * renamed member's name noted. Each repair is logged, and what cannot be
 * repaired, once.
 */
void monitor_repair(struct monitor *mon);

/*
 * The carrier of every polled member, by one ethtool request each. False if
 * a driver could not say: then a link dump must.
 */
bool monitor_poll_carrier(struct monitor *mon);

/*
 * The bond's link as last seen: pass an MTU or MAC someone set on it to the
 * members, or put the bond's back if a member refuses. True if the config
 * must be published.
 */
bool monitor_follow_bond(struct monitor *mon);

/* Guard: start or adopt the worker and restart it whenever it dies; until stopped. */
int guard_run(struct monitor *mon);
/* Worker: a pidfd on the guard, starting one if none runs. */
int guard_watch(struct monitor *mon);
/* Worker: the guard at pidfd exited; restart it unless it stopped cleanly. New pidfd or -errno. */
int guard_lost(struct monitor *mon, int pidfd);

/*
 * Our network namespace: an fd on mountinfo to poll for EPOLLPRI (any mount
 * change), or -1 if it cannot be watched.
 */
int netns_watch_start(struct monitor *mon);
/*
 * Look at who holds our namespace: once nothing but the monitors does (no
 * mount, no other process, no CNI DEL to come), set bond_lost so that the
 * members are given back and we exit. Else maybe a recheck (netns_check_at).
 */
void netns_watch_check(struct monitor *mon, __u64 now_ns);

/* Run until the bond is gone (returns 0) or a signal or error stops it. */
int monitor_run(struct monitor *mon);

/*
 * Compare every member's link, as last seen, with its record, and commit the
 * changes whose up/down delays have run out. Returns the nanoseconds until a
 * pending change falls due (0 if none). Sets *changed if a member changed.
 */
__s64 monitor_evaluate(struct monitor *mon, __u64 now_ns, bool *changed);

/*
 * ARP monitoring: send the probes that are due, then mark members whose path
 * to the targets is dead (or alive again). Sets *changed if a member changed.
 * Returns the nanoseconds until the next probes are due, 0 if ARP is off.
 */
__s64 arp_monitor(struct monitor *mon, __u64 now_ns, bool *changed);

/* Gratuitous ARPs and unsolicited NAs for the bond's addresses, out of member slot. */
void arp_notify_peers(struct monitor *mon, unsigned int slot);

/* A member became usable again: let the primary take over if policy says so. */
void monitor_member_back(struct monitor *mon, unsigned int slot);

/* Note a failover in the bond record, for xbondctl status. */
void monitor_note_failover(struct monitor *mon, const char *reason);

/* One line per state change: a timestamp, the bond, and what and why. */
void monitor_log(const struct monitor *mon, const char *event, const char *member,
		 const char *reason);

#endif /* XBOND_MONITOR_H */
