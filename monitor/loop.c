// SPDX-License-Identifier: GPL-2.0
/* The monitor's epoll loop over rtnetlink link events, a one-shot timer and termination signals. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include "log.h"
#include "monitor.h"
#include "pins.h"

#define MS		(1000LL * 1000)
#define LOCK_RETRY	(5 * MS)	/* xbondload holds the lock: try again soon */
#define IDLE_TICK	(1000 * MS)	/* no miimon: still notice a detached bond */

bool monitor_link_events = true;

static int arm(int tfd, __s64 ns)
{
	struct itimerspec its = {
		.it_value = { .tv_sec = ns / 1000000000, .tv_nsec = ns % 1000000000 },
	};

	if (ns <= 0)
		its.it_value.tv_nsec = 1;
	return timerfd_settime(tfd, 0, &its, NULL);
}

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

/* One look at the bond. Returns how long to sleep, or -ENOENT once it is gone. */
static __s64 tick(struct monitor *mon)
{
	struct xbond_handle *h = &mon->h;
	__s64 due, arp_due, interval;
	bool changed, arp_changed = false;
	struct stat st;
	__u64 now;
	int lock, ret;

	if (stat(h->dir, &st))
		return -ENOENT;
	lock = xbond_lock(0);
	if (lock < 0)
		return LOCK_RETRY;
	ret = xbond_reload(h);
	if (ret) {
		xbond_unlock(lock);
		return ret;
	}
	now = xbond_now_ns();
	/* xbondload may have moved the active member since our last look. */
	if (h->bond.active != mon->active)
		active_changed(mon, now);
	due = monitor_evaluate(mon, now, &changed);
	arp_due = arp_monitor(mon, now, &arp_changed);
	if (monitor_follow_bond(mon))
		changed = true;
	if (changed || arp_changed)
		xbond_publish(h);
	if (h->bond.active != mon->active)
		active_changed(mon, now);
	xbond_unlock(lock);

	interval = h->bond.miimon_ms ? h->bond.miimon_ms * MS : IDLE_TICK;
	if (due > 0 && due < interval)
		interval = due;
	return arp_due > 0 && arp_due < interval ? arp_due : interval;
}

static struct mnl_socket *open_link_events(void)
{
	struct mnl_socket *nl = mnl_socket_open(NETLINK_ROUTE);

	if (!nl)
		return NULL;
	if (mnl_socket_bind(nl, RTMGRP_LINK, MNL_SOCKET_AUTOPID) < 0 ||
	    fcntl(mnl_socket_get_fd(nl), F_SETFL, O_NONBLOCK)) {
		mnl_socket_close(nl);
		return NULL;
	}
	return nl;
}

static void drain(struct mnl_socket *nl)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];

	while (mnl_socket_recvfrom(nl, buf, sizeof(buf)) > 0)
		;
}

int monitor_run(struct monitor *mon)
{
	struct epoll_event ev = { .events = EPOLLIN }, events[4];
	struct mnl_socket *nl = NULL;
	int epfd, tfd, sfd, i, n, ret = 0;
	bool stop = false;
	sigset_t sigs;
	__s64 sleep_ns;

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigprocmask(SIG_BLOCK, &sigs, NULL);
	sfd = signalfd(-1, &sigs, SFD_CLOEXEC);
	tfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC);
	epfd = epoll_create1(EPOLL_CLOEXEC);
	if (monitor_link_events)
		nl = open_link_events();
	if (sfd < 0 || tfd < 0 || epfd < 0 || (monitor_link_events && !nl)) {
		pr_warn("cannot set up the event loop: %s\n", strerror(errno));
		return -errno;
	}
	ev.data.fd = sfd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, sfd, &ev);
	ev.data.fd = tfd;
	epoll_ctl(epfd, EPOLL_CTL_ADD, tfd, &ev);
	if (nl) {
		ev.data.fd = mnl_socket_get_fd(nl);
		epoll_ctl(epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);
	}
	if (mon->guard_fd >= 0) {
		ev.data.fd = mon->guard_fd;
		epoll_ctl(epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);
	}
	arm(tfd, 0);

	while (!stop) {
		bool due = false;

		n = epoll_wait(epfd, events, 4, -1);
		if (n < 0 && errno != EINTR) {
			ret = -errno;
			break;
		}
		for (i = 0; i < n; i++) {
			__u64 expirations;

			if (events[i].data.fd == sfd) {
				stop = true;
			} else if (events[i].data.fd == tfd) {
				if (read(tfd, &expirations, sizeof(expirations)) > 0)
					due = true;
			} else if (events[i].data.fd == mon->guard_fd) {
				mon->guard_fd = guard_lost(mon, mon->guard_fd);
				ev.data.fd = mon->guard_fd;
				if (mon->guard_fd >= 0)
					epoll_ctl(epfd, EPOLL_CTL_ADD, ev.data.fd, &ev);
			} else {
				drain(nl);
				due = true;
			}
		}
		if (stop || !due)
			continue;
		sleep_ns = tick(mon);
		if (sleep_ns == -ENOENT) {
			monitor_log(mon, "bond gone", "-", "pins removed");
			break;
		}
		arm(tfd, sleep_ns < 0 ? IDLE_TICK : sleep_ns);
	}
	if (nl)
		mnl_socket_close(nl);
	close(epfd);
	close(tfd);
	close(sfd);
	return ret;
}
