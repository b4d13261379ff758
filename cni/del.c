// SPDX-License-Identifier: GPL-2.0
/*
 * DEL: take the bond down, give the links back to the host, release the IPAM
 * lease. Whatever is already gone (the namespace, the interface, the pins, an
 * ADD that never happened) is not an error, so DEL can be repeated.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "maps/xbond_abi.h"
#include "cni.h"
#include "ipam.h"
#include "xbond.h"
#include "sandbox.h"

/*
 * The runtime may have dropped the namespace's path before DEL. A running
 * monitor still holds the namespace (and our links in it): enter it through
 * the monitor, if it is the namespace ADD recorded.
 */
static int netns_by_monitor(const struct sandbox_state *st, const char *ifname)
{
	pid_t pid = xbond_monitor_pid_in(st->netns_ino, ifname);
	char path[64];
	struct stat sb;
	int fd;

	if (!pid)
		return -ENOENT;
	snprintf(path, sizeof(path), "/proc/%d/ns/net", pid);
	fd = netns_open(path);
	if (fd < 0)
		return fd;
	if (fstat(fd, &sb) || sb.st_ino != st->netns_ino) {
		close(fd);
		return -ENOENT;
	}
	return fd;
}

/* The namespace is gone for good: only its pins remain, if the bond was ours. */
static void drop_stale_pins(const struct sandbox_state *st, const char *ifname)
{
	char ns_dir[PATH_MAX], dir[PATH_MAX + IF_NAMESIZE];
	enum xbond_liveness why;
	struct xbond_handle h;
	bool ours;

	if (xbond_netns_dir_of(st->netns_ino, ns_dir, sizeof(ns_dir)))
		return;
	snprintf(dir, sizeof(dir), "%s/%s", ns_dir, ifname);
	/* Not of this namespace, and of the one ADD recorded, not a new one's. */
	xbond_open_live(dir, &h, &why);
	ours = why == XBOND_STALE && h.bond.netns_cookie == st->netns_cookie;
	xbond_close(&h);
	if (!ours)
		return;
	xbond_remove_dir(dir);
	rmdir(ns_dir);		/* if no other bond was there */
}

/*
 * In the pod: the bond goes, and the links go home if ADD recorded moving
 * them into this very namespace (st). Reached through the monitor (by_monitor),
 * the namespace must be the recorded one for anything to be done.
 */
static int release_in_pod(const struct cni_call *call, const struct cni_conf *conf,
			  const struct sandbox_state *st, bool by_monitor, int host_fd,
			  bool *gave_back)
{
	char dir[PATH_MAX];
	struct xbond_handle h;
	__u64 cookie = 0;
	bool ours;
	int lock, ret = 0;

	ours = st && !xbond_netns_cookie(&cookie) && cookie == st->netns_cookie;
	if (by_monitor && !ours)
		return 0;
	lock = xbond_lock(10 * 1000);
	if (lock == -EWOULDBLOCK)
		return cni_fail(CNI_ERR_TRY_AGAIN, "another xbond user holds the pod's lock");
	xbond_log_forget();
	if (!bond_find(call->ifname, &h) && bond_detach(&h))
		ret = cni_fail_logged(CNI_ERR_INTERNAL, "cannot remove the bond");
	/* The pod is going: its monitor's files and empty pin directory go too. */
	if (!ret)
		xbond_monitor_forget(call->ifname);
	if (!xbond_netns_dir(dir, sizeof(dir), false))
		rmdir(dir);
	if (lock >= 0)
		xbond_unlock(lock);
	*gave_back = ours && !conf->links_in_container;
	if (*gave_back && links_move(conf, host_fd))
		ret = -1;
	return ret;
}

int cni_del(const struct cni_call *call, struct cni_conf *conf)
{
	struct sandbox_state st;
	bool have_state = !state_load(call, &st), by_monitor = false, gave_back = false;
	int host_fd, pod_fd = -ENOENT, ret = 0;

	host_fd = netns_self();
	if (host_fd < 0)
		return -1;
	if (call->netns && *call->netns)
		pod_fd = netns_open(call->netns);
	if (pod_fd < 0 && have_state) {
		pod_fd = netns_by_monitor(&st, call->ifname);
		by_monitor = pod_fd >= 0;
		if (!by_monitor)
			drop_stale_pins(&st, call->ifname);
	}
	if (pod_fd >= 0) {
		ret = netns_enter(pod_fd);
		if (!ret)
			ret = release_in_pod(call, conf, have_state ? &st : NULL, by_monitor,
					     host_fd, &gave_back);
		if (netns_enter(host_fd))
			ret = -1;
		close(pod_fd);
	}
	close(host_fd);
	if (gave_back)
		links_set_up(conf, st.links_up);
	/*
	 * Without our state, no ADD got as far as changing anything: an IPAM
	 * plugin that cannot take this config must not fail DEL.
	 */
	if (conf->ipam_type && ipam_exec(call, conf, "DEL", NULL)) {
		if (have_state)
			ret = -1;
		else if (!ret)
			cni_fail_clear();
	}
	if (!ret)
		state_remove(call);
	return ret;
}
