// SPDX-License-Identifier: GPL-2.0
/*
 * The worker's epoll loop. At idle it makes no system call at all where
 * link events arrive at once (veth, macvlan), and three per miimon tick
 * (the wait, and one link dump sent and received) where they may lag. The
 * bond's records are read only when a link differs from them, a delay or ARP
 * interval falls due, or a writer tells us it changed them (SIGHUP).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include "xbond.h"
#include "monitor.h"

#define LOCK_RETRY	(5 * MS)	/* xbondload holds the lock: try again soon */
#define REPIN_DELAY	(20 * MS)	/* a removed pin is pinned again after this */
#define DISSOLVE_LOCK_WAIT_MS	(10 * 1000)

bool monitor_link_events = true;
bool monitor_poll_all;

/* The active member changed (by us or by xbondload): tell the peers. */
static void active_changed(struct monitor *mon, __u64 now)
{
	const struct xbond_handle *h = &mon->h;
	__u8 active = h->bond.active;

	mon->active = active;
	mon->active_since_ns = now;
	if (h->bond.mode != XBOND_MODE_ACTIVEBACKUP)
		return;
	monitor_log(mon, "active member",
		    active < XBOND_MAX_MEMBERS ? h->members[active].name : "none",
		    active < XBOND_MAX_MEMBERS ? "reselected" : "no usable member");
	arp_notify_peers(mon, active);
}

/*
 * Read the records, compare them with the links as last seen, and publish
 * what changed, all under the bond's lock. Returns the nanoseconds until a
 * delay or ARP interval falls due (0: none), or a negative errno:
 * -EWOULDBLOCK while a writer holds the lock.
 */
static __s64 evaluate(struct monitor *mon, __u64 now)
{
	struct xbond_handle *h = &mon->h;
	bool changed, arp_changed = false, lacp_changed = false, left;
	__s64 due, arp_due, lacp_due;
	int lock, ret;

	lock = xbond_lock(0);
	if (lock < 0)
		return lock;
	ret = xbond_reload(h);
	if (ret) {
		xbond_unlock(lock);
		return ret;
	}
	mon->look = mon->reload = false;
	monitor_watch_members(mon, now);
	left = monitor_members_left(mon);
	/* xbondload may have moved the active member since our last look. */
	if (h->bond.active != mon->active)
		active_changed(mon, now);
	due = monitor_evaluate(mon, now, &changed);
	arp_due = arp_monitor(mon, now, &arp_changed);
	lacp_due = lacp_run(mon, now, &lacp_changed);
	if (mon->bond_link_fresh && monitor_follow_bond(mon))
		changed = true;
	mon->bond_link_fresh = false;
	monitor_repair(mon);
	if (changed || arp_changed || lacp_changed || left)
		xbond_publish(h);
	if (h->bond.active != mon->active)
		active_changed(mon, now);
	xbond_unlock(lock);
	mon->look = false;	/* new members were looked at above */
	return earliest(earliest(due, arp_due), lacp_due);
}

/* Where a link deleted from our namespace went, if it was moved: IFLA_NEW_NETNSID and IFLA_NEW_IFINDEX. */
struct link_move {
	bool moved;
	int nsid;
	int ifindex;
};

static int move_attr(const struct nlattr *attr, void *data)
{
	struct link_move *move = data;

	if (mnl_attr_get_payload_len(attr) != sizeof(__s32))
		return MNL_CB_OK;
	if (mnl_attr_get_type(attr) == IFLA_NEW_NETNSID) {
		move->moved = true;
		move->nsid = (__s32)mnl_attr_get_u32(attr);
	} else if (mnl_attr_get_type(attr) == IFLA_NEW_IFINDEX) {
		move->ifindex = (__s32)mnl_attr_get_u32(attr);
	}
	return MNL_CB_OK;
}

/* tc changes: a qdisc, chain or filter added or removed anywhere. */
static bool tc_event(__u16 type)
{
	return type == RTM_NEWQDISC || type == RTM_DELQDISC || type == RTM_NEWTFILTER ||
	       type == RTM_DELTFILTER || type == RTM_NEWCHAIN || type == RTM_DELCHAIN;
}

static void on_link_msg(const struct nlmsghdr *nlh, void *data)
{
	struct link_move move = { .nsid = -1 };
	struct xbond_link link;

	if (tc_event(nlh->nlmsg_type) && nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(struct tcmsg))) {
		const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);

		monitor_saw_tc(data, tcm->tcm_ifindex);
		return;
	}
	if ((nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK) ||
	    nl_link_parse(nlh, &link))
		return;
	if (nlh->nlmsg_type == RTM_DELLINK) {
		mnl_attr_parse(nlh, sizeof(struct ifinfomsg), move_attr, &move);
		if (move.moved)
			monitor_saw_move(data, link.ifindex, move.nsid, move.ifindex);
	}
	monitor_saw_link(data, &link, nlh->nlmsg_type == RTM_DELLINK);
}

static void on_dumped_link(const struct xbond_link *link, void *data)
{
	struct monitor *mon = data;
	unsigned int slot;

	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++)
		if (mon->watch[slot].ifindex == (__u32)link->ifindex)
			mon->watch[slot].dumped = true;
	monitor_saw_link(mon, link, false);
}

/* Every link, polled: also the only way to learn of one deleted under lost events. */
static void poll_links(struct monitor *mon)
{
	unsigned int slot;

	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++)
		mon->watch[slot].dumped = false;
	if (nl_link_dump(mon->nl, on_dumped_link, mon))
		return;
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		struct member_watch *w = &mon->watch[slot];
		struct xbond_link gone = { .ifindex = w->ifindex };

		if (w->ifindex && !w->dumped && !w->gone)
			monitor_saw_link(mon, &gone, true);
	}
}

/*
 * The carrier poll: an ethtool request per polled member, since admin state
 * and deletions come in events at once. Without events, a whole link dump.
 */
static void poll(struct monitor *mon)
{
	if (!monitor_link_events || !monitor_poll_carrier(mon))
		poll_links(mon);
}

/* Link events since the last read. Lost ones (ENOBUFS) are made up by a poll. */
static void read_events(struct monitor *mon, struct mnl_socket *events)
{
	char buf[NL_DUMP_BUFFER_SIZE];

	unsigned int slot;
	int n;

	while ((n = nl_recv_kernel(events, buf, sizeof(buf))) > 0)
		nl_walk(buf, n, on_link_msg, mon);
	if (n != -ENOBUFS)
		return;
	poll_links(mon);
	/* tc events were lost too: look at every program. */
	mon->check_bond = mon->look = true;
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++)
		mon->watch[slot].check = true;
}

static struct mnl_socket *open_netlink(unsigned int groups)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, groups, MNL_SOCKET_AUTOPID) < 0 ||
	    (groups && fcntl(mnl_socket_get_fd(nl), F_SETFL, O_NONBLOCK))) {
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

static bool any_polled(const struct monitor *mon)
{
	unsigned int slot;

	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++)
		if (mon->watch[slot].ifindex && mon->watch[slot].polled)
			return true;
	return false;
}

/* epoll_wait's timeout in ms, rounded up, until the earliest of two deadlines (0: none). */
static int timeout_ms(__u64 now, __u64 a, __u64 b)
{
	__u64 next = earliest(a, b);

	if (!next)
		return -1;
	return next <= now ? 0 : (int)((next - now + MS - 1) / MS);
}

/*
 * Pins removed: one of them (a pin removed by hand) is pinned again a moment
 * later, so that a whole directory's removal is not raced; the directory
 * itself removed or moved means the bond is gone.
 */
static void read_pin_events(struct monitor *mon, int ifd, __u64 now)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	const struct inotify_event *ev;
	ssize_t len;
	char *p;

	while ((len = read(ifd, buf, sizeof(buf))) > 0) {
		for (p = buf; p < buf + len; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & (IN_DELETE_SELF | IN_MOVE_SELF | IN_IGNORED)) {
				snprintf(mon->bond_lost, sizeof(mon->bond_lost),
					 "its pins were removed");
				return;
			}
			if (ev->mask & (IN_DELETE | IN_MOVED_FROM) && !mon->repin_at)
				mon->repin_at = now + REPIN_DELAY;
		}
	}
}

/*
 * The bond's interface was deleted, renamed or moved away, or its pins
 * removed: give its members back as --detach would, under the lock if we
 * can have it. A writer holding it longer is waited out, not forever: the
 * members matter more.
 */
static void dissolve(struct monitor *mon)
{
	int lock = xbond_lock(DISSOLVE_LOCK_WAIT_MS);

	xbond_reload(&mon->h);
	bond_dissolve(&mon->h, mon->bond_lost);
	xbond_unlock(lock);
}

static int add_fd(int epfd, int fd)
{
	struct epoll_event ev = { .events = EPOLLIN, .data.fd = fd };

	return fd < 0 ? 0 : epoll_ctl(epfd, EPOLL_CTL_ADD, fd, &ev);
}

int monitor_run(struct monitor *mon)
{
	struct mnl_socket *events = NULL;
	struct epoll_event got[4];
	struct xbond_link bond;
	int epfd, sfd, ifd, mfd, i, n, ret = 0;
	__u64 now, due_at = 0, retry_at = 0;
	bool stop = false;
	sigset_t sigs;
	__s64 due;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGHUP);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	mon->epfd = epfd;
	/* A pin removed under us is pinned again; the whole directory, the bond is gone. */
	ifd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (ifd >= 0 && inotify_add_watch(ifd, mon->h.dir, IN_DELETE_SELF | IN_MOVE_SELF |
					  IN_DELETE | IN_MOVED_FROM) < 0) {
		close(ifd);
		ifd = -1;
	}
	mon->nl = open_netlink(0);
	mon->ioctl_fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (monitor_link_events)
		events = open_netlink(RTMGRP_LINK | RTMGRP_TC);
	if (sfd < 0 || epfd < 0 || !mon->nl || mon->ioctl_fd < 0 ||
	    (monitor_link_events && !events)) {
		pr_warn("cannot set up the event loop: %s\n", strerror(errno));
		return -errno;
	}
	/* A query for a filter that is not there is no warning of ours. */
	xbond_log_libbpf();
	/* Held, to attach them again and pin them again. */
	bond_progs(&mon->h, &mon->progs, true);
	/* A new monitor looks once at everything a repair may need. */
	mon->check_bond = mon->repin = true;
	/* Where the bond's MTU and MAC start from, before any event about them. */
	if (!nl_link_get(NULL, mon->h.bond.ifindex, &bond)) {
		monitor_saw_link(mon, &bond, false);
		mon->bond_mtu = bond.mtu;
	}
	add_fd(epfd, sfd);
	add_fd(epfd, ifd);
	/* The namespace deleted (a mount gone) or its last other process gone: let go. */
	mfd = netns_watch_start(mon);
	if (mfd >= 0)
		epoll_ctl(epfd, EPOLL_CTL_ADD, mfd,
			  &(struct epoll_event){ .events = EPOLLPRI, .data.fd = mfd });
	netns_watch_check(mon, xbond_now_ns());
	add_fd(epfd, mon->guard_fd);
	if (events)
		add_fd(epfd, mnl_socket_get_fd(events));
	mon->look = true;

	while (!stop && !*mon->bond_lost) {
		now = xbond_now_ns();
		if (mon->netns_check_at && now >= mon->netns_check_at) {
			netns_watch_check(mon, now);
			if (*mon->bond_lost)
				break;
		}
		if (mon->repin_at && now >= mon->repin_at) {
			mon->repin = mon->look = true;
			mon->repin_at = 0;
		}
		if (any_polled(mon) && mon->h.bond.miimon_ms && now >= mon->next_poll_ns) {
			poll(mon);
			mon->next_poll_ns = now + mon->h.bond.miimon_ms * MS;
		}
		if (((mon->look || mon->reload) && now >= retry_at) || (due_at && now >= due_at)) {
			due = evaluate(mon, now);
			if (due == -EWOULDBLOCK) {
				/* A writer holds the lock: try again soon. */
				retry_at = now + LOCK_RETRY;
				mon->look = true;
				due_at = 0;
			} else if (due < 0) {
				ret = due;
				break;
			} else {
				due_at = due > 0 ? now + due : 0;
				continue;
			}
		}
		n = epoll_wait(epfd, got, 4, timeout_ms(now, earliest(earliest(due_at ? due_at :
			       retry_at > now ? retry_at : 0, mon->repin_at), mon->netns_check_at),
			       any_polled(mon) && mon->h.bond.miimon_ms ? mon->next_poll_ns : 0));
		if (n < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		for (i = 0; i < n; i++) {
			struct signalfd_siginfo si;

			if (got[i].data.fd == sfd) {
				if (read(sfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo == SIGHUP)
					mon->reload = true;
				else
					stop = true;
			} else if (got[i].data.fd == mfd) {
				netns_watch_check(mon, now);
			} else if (got[i].data.fd == mon->lacp_fd) {
				lacp_read(mon, now);
			} else if (got[i].data.fd == ifd) {
				read_pin_events(mon, ifd, now);
			} else if (got[i].data.fd == mon->guard_fd) {
				epoll_ctl(epfd, EPOLL_CTL_DEL, mon->guard_fd, NULL);
				mon->guard_fd = guard_lost(mon, mon->guard_fd);
				add_fd(epfd, mon->guard_fd);
			} else {
				read_events(mon, events);
			}
		}
	}
	/* Gone under us, as a kernel bond deleted: its members are given back. */
	if (*mon->bond_lost && !ret)
		dissolve(mon);
	lacp_stop(mon);
	xbond_progs_close(&mon->progs);
	if (events)
		mnl_socket_close(events);
	mnl_socket_close(mon->nl);
	close(mon->ioctl_fd);
	if (ifd >= 0)
		close(ifd);
	if (mfd >= 0)
		close(mfd);
	close(epfd);
	close(sfd);
	return ret;
}
