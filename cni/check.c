// SPDX-License-Identifier: GPL-2.0
/*
 * CHECK: the bond in the pod is what the config asks for: the interface is up,
 * our programs are the ones attached, the members, mode, hash policy and MTU
 * match, the monitor runs, and prevResult's addresses are on the interface.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include "maps/xbond_abi.h"
#include "xbond.h"
#include "cni.h"
#include "ipam.h"
#include "sandbox.h"

static unsigned int weight_wanted(const struct cni_conf *conf, const char *name)
{
	unsigned int i;

	for (i = 0; i < conf->req.weights.n; i++)
		if (!strcmp(conf->req.weights.v[i].name, name))
			return conf->req.weights.v[i].value;
	return 1;
}

static int check_members(const struct xbond_handle *h, const struct cni_conf *conf)
{
	struct xbond_link link;
	unsigned int i, found = 0;
	int slot;

	for (i = 0; i < conf->n_links; i++) {
		if (nl_link_get(conf->links[i].name, 0, &link))
			return cni_fail(CNI_ERR_INTERNAL, "%s: not in the pod", conf->links[i].name);
		slot = xbond_member_slot(h, link.ifindex);
		if (slot < 0)
			return cni_fail(CNI_ERR_INTERNAL, "%s: not a member of %s", link.name,
					h->bond.name);
		if (xbond_check_member(h->dir, link.ifindex))
			return cni_fail_logged(CNI_ERR_INTERNAL, "member programs");
		if (conf->req.mtu && link.mtu != conf->req.mtu)
			return cni_fail(CNI_ERR_INTERNAL, "%s: MTU %u, the config says %u",
					link.name, link.mtu, conf->req.mtu);
		if ((h->members[slot].weight ?: 1) != weight_wanted(conf, link.name))
			return cni_fail(CNI_ERR_INTERNAL, "%s: weight %u, the config says %u",
					link.name, h->members[slot].weight ?: 1,
					weight_wanted(conf, link.name));
		found++;
	}
	if (xbond_member_count(h) != found)
		return cni_fail(CNI_ERR_INTERNAL, "%s: has %u members, the config lists %u",
				h->bond.name, xbond_member_count(h), found);
	return 0;
}

static int check_bond(const struct xbond_handle *h, const struct cni_conf *conf)
{
	int mode = conf->req.mode >= 0 ? conf->req.mode : XBOND_MODE_ACTIVEBACKUP;
	int hash = conf->req.hash >= 0 ? conf->req.hash : XBOND_HASH_LAYER2;
	struct xbond_link link;

	if (nl_link_get(NULL, h->bond.ifindex, &link) || strcmp(link.name, h->bond.name))
		return cni_fail(CNI_ERR_INTERNAL, "%s: the interface is gone", h->bond.name);
	if (!(link.flags & IFF_UP))
		return cni_fail(CNI_ERR_INTERNAL, "%s: is down", link.name);
	if (conf->req.mtu && link.mtu != conf->req.mtu)
		return cni_fail(CNI_ERR_INTERNAL, "%s: MTU %u, the config says %u", link.name,
				link.mtu, conf->req.mtu);
	if ((int)h->bond.mode != mode)
		return cni_fail(CNI_ERR_INTERNAL, "%s: mode %s, the config says %s", link.name,
				xbond_mode_name(h->bond.mode), xbond_mode_name(mode));
	if ((int)h->bond.hash_policy != hash)
		return cni_fail(CNI_ERR_INTERNAL, "%s: hash policy %s, the config says %s",
				link.name, xbond_hash_name(h->bond.hash_policy),
				xbond_hash_name(hash));
	if (xbond_check_tx(h->dir, h->bond.ifindex))
		return cni_fail_logged(CNI_ERR_INTERNAL, "bond program");
	if (conf->monitor && !xbond_monitor_pid(h->bond.name))
		return cni_fail(CNI_ERR_INTERNAL, "%s: its monitor xbondmon is not running",
				link.name);
	return check_members(h, conf);
}

static int check_in_pod(const struct cni_call *call, const struct cni_conf *conf)
{
	struct xbond_handle h;
	int ret;

	if (bond_find(call->ifname, &h))
		return cni_fail(CNI_ERR_INTERNAL, "%s: no xbond bond of that name in the pod",
				call->ifname);
	ret = check_bond(&h, conf);
	if (!ret)
		ret = ipam_check(conf->prev_result, h.bond.ifindex);
	xbond_close(&h);
	return ret;
}

int cni_check(const struct cni_call *call, struct cni_conf *conf)
{
	int host_fd, pod_fd, ret;

	if (cni_version_older(conf->version, "0.4.0"))
		return cni_fail(CNI_ERR_VERSION, "CHECK needs cniVersion 0.4.0 or later, not %s",
				conf->version);
	if (!conf->prev_result)
		return cni_fail(CNI_ERR_CONFIG, "prevResult: CHECK needs the result of ADD");
	if (conf->ipam_type && ipam_exec(call, conf, "CHECK", NULL))
		return -1;
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
		ret = check_in_pod(call, conf);
	netns_enter(host_fd);
	close(pod_fd);
	close(host_fd);
	return ret;
}
