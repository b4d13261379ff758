// SPDX-License-Identifier: GPL-2.0
/*
 * ADD: the links into the pod, the bond over them with its monitor, IPAM, the
 * addresses and routes, and the result. Any failure undoes every step before
 * it, the IPAM lease included, so the runtime's DEL finds nothing.
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>
#include "cni.h"
#include "ipam.h"
#include "xbond.h"
#include "sandbox.h"

/* The IPAM result (or an empty one) with our interface, in the config's version. */
static json_object *make_result(const struct cni_call *call, const struct cni_conf *conf,
				json_object *ipam, const struct xbond_link *bond)
{
	json_object *res = ipam ? json_object_get(ipam) : json_object_new_object();
	json_object *ifaces = json_object_new_array(), *iface = json_object_new_object();
	json_object *ips;
	bool v1 = !cni_version_older(conf->version, "1.0.0");
	char mac[18];
	size_t i;

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", bond->mac[0], bond->mac[1],
		 bond->mac[2], bond->mac[3], bond->mac[4], bond->mac[5]);
	json_object_object_add(iface, "name", json_object_new_string(bond->name));
	json_object_object_add(iface, "mac", json_object_new_string(mac));
	json_object_object_add(iface, "sandbox", json_object_new_string(call->netns));
	json_object_array_add(ifaces, iface);
	json_object_object_add(res, "cniVersion", json_object_new_string(conf->version));
	json_object_object_add(res, "interfaces", ifaces);

	/* Every address is the bond's; "version" went away in 1.0.0. */
	if (!json_object_object_get_ex(res, "ips", &ips) ||
	    !json_object_is_type(ips, json_type_array))
		return res;
	for (i = 0; i < json_object_array_length(ips); i++) {
		json_object *ip = json_object_array_get_idx(ips, i), *addr;

		json_object_object_add(ip, "interface", json_object_new_int(0));
		if (v1) {
			json_object_object_del(ip, "version");
		} else if (json_object_object_get_ex(ip, "address", &addr)) {
			json_object_object_add(ip, "version", json_object_new_string(
				strchr(json_object_get_string(addr), ':') ? "6" : "4"));
		}
	}
	return res;
}

/* The links must be where the config says, and only there, before anything changes. */
static int links_where(const struct cni_conf *conf, bool present, const char *where)
{
	struct xbond_link link;
	unsigned int i;

	for (i = 0; i < conf->n_links; i++) {
		bool here = !nl_link_get(conf->links[i].name, 0, &link);

		if (here == present)
			continue;
		return cni_fail(CNI_ERR_CONFIG, "links: %s %s the %s network namespace",
				conf->links[i].name, present ? "is not in" : "already exists in",
				where);
	}
	return 0;
}

/*
 * In the pod: check it is fit for us and say which namespace it is. An ADD
 * already done for this container and interface is refused, not redone.
 */
static int inspect_pod(const struct cni_call *call, const struct cni_conf *conf, int pod_fd,
		       struct sandbox_state *st)
{
	struct sandbox_state old;
	struct stat sb;

	if (fstat(pod_fd, &sb) || xbond_netns_cookie(&st->netns_cookie))
		return cni_fail(CNI_ERR_INTERNAL, "cannot identify the pod's namespace: %s",
				strerror(errno));
	st->netns_ino = sb.st_ino;
	if (!state_load(call, &old) && old.netns_ino == st->netns_ino &&
	    old.netns_cookie == st->netns_cookie)
		return cni_fail(CNI_ERR_INTERNAL, "%s: already set up for this container; "
				"DEL it first", call->ifname);
	return links_where(conf, conf->links_in_container, "container's");
}

/* In the pod: the bond over the links, up, with its monitor. */
static int make_bond(struct cni_conf *conf)
{
	int lock, ret;

	lock = xbond_lock(10 * 1000);
	if (lock == -EWOULDBLOCK)
		return cni_fail(CNI_ERR_TRY_AGAIN, "another xbond user holds the pod's lock");
	if (lock < 0)
		return cni_fail(CNI_ERR_INTERNAL, "cannot take the pod's lock: %s",
				strerror(-lock));
	xbond_log_forget();
	ret = bond_create(&conf->req);
	xbond_unlock(lock);
	return ret ? cni_fail_logged(CNI_ERR_INTERNAL, "cannot create the bond") : 0;
}

/* In the pod: IPAM's addresses and routes on the bond, and the result. */
static int configure(const struct cni_call *call, const struct cni_conf *conf,
		     json_object *ipam, json_object **result)
{
	struct xbond_link bond;

	if (nl_link_get(call->ifname, 0, &bond))
		return cni_fail(CNI_ERR_INTERNAL, "%s: vanished after it was made", call->ifname);
	if (ipam && ipam_apply(ipam, bond.ifindex))
		return -1;
	*result = make_result(call, conf, ipam, &bond);
	return 0;
}

/*
 * Take the bond down again (we are in the pod), whatever is left of it: an
 * IPAM or chained plugin may have deleted its interface, and bond_find
 * still finds the members it holds. Its monitor's files go too, as after DEL.
 */
static void remove_bond(const char *name)
{
	char dir[PATH_MAX];
	struct xbond_handle h;
	int lock = xbond_lock(10 * 1000);
	bool failed = false;

	if (!bond_find(name, &h) && bond_detach(&h))
		failed = true;	/* its log says why: keep it */
	/* A monitor that gave the members back by itself may still be on its way out. */
	xbond_monitor_stop(name);
	if (!failed)
		xbond_monitor_forget(name);
	if (!xbond_netns_dir(dir, sizeof(dir), false))
		rmdir(dir);	/* if no other bond was there */
	if (lock >= 0)
		xbond_unlock(lock);
}

/*
 * The state file is written before the first change, so that a DEL after an
 * ADD that died halfway still knows what to give back. IPAM runs in the
 * runtime's namespace once the interface exists (the dhcp plugin needs it);
 * everything else happens in the pod.
 */
int cni_add(const struct cni_call *call, struct cni_conf *conf)
{
	json_object *ipam = NULL, *result = NULL;
	struct sandbox_state st = {};
	bool saved = false, made = false, ipam_ran = false;
	int host_fd, pod_fd, ret;

	host_fd = netns_self();
	if (host_fd < 0)
		return -1;
	pod_fd = netns_pod(call);
	if (pod_fd < 0) {
		close(host_fd);
		return -1;
	}
	ret = netns_enter(pod_fd);
	if (!ret)
		ret = inspect_pod(call, conf, pod_fd, &st);
	if (netns_enter(host_fd) || ret)
		goto out;
	ret = -1;
	if (!conf->links_in_container) {
		if (links_where(conf, true, "host's"))
			goto out;
		st.links_up = links_up_mask(conf);
	}
	ret = state_save(call, &st);
	if (ret) {
		ret = cni_fail(CNI_ERR_IO, "cannot write the state file: %s", strerror(-ret));
		goto out;
	}
	ret = -1;
	saved = true;
	if (!conf->links_in_container && links_move(conf, pod_fd))
		goto undo;
	if (netns_enter(pod_fd))
		goto undo;
	made = !make_bond(conf);
	if (!made || netns_enter(host_fd))
		goto undo;
	ipam_ran = conf->ipam_type;
	if (ipam_ran && ipam_exec(call, conf, "ADD", &ipam))
		goto undo;
	if (netns_enter(pod_fd) || configure(call, conf, ipam, &result))
		goto undo;
	printf("%s\n", json_object_to_json_string_ext(result, JSON_C_TO_STRING_PRETTY |
						      JSON_C_TO_STRING_NOSLASHESCAPE));
	json_object_put(result);
	ret = 0;
	goto out;
undo:
	netns_enter(host_fd);
	/* Also when its result did not parse: a lease may have been taken. */
	if (ipam_ran)
		ipam_exec(call, conf, "DEL", NULL);
	if (!netns_enter(pod_fd)) {
		if (made)
			remove_bond(call->ifname);
		if (!conf->links_in_container)
			links_move(conf, host_fd);
	}
	netns_enter(host_fd);
	links_set_up(conf, st.links_up);
	if (saved)
		state_remove(call);
out:
	netns_enter(host_fd);
	json_object_put(ipam);
	close(pod_fd);
	close(host_fd);
	return ret;
}
