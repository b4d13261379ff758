// SPDX-License-Identifier: GPL-2.0
/* Entering a fresh network namespace and creating veth pairs in it through lib/nl. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include "nl.h"
#include "netns.h"

static int veth_up(const char *name, int *ifindex)
{
	struct nl_link_change up = { .up = 1 };
	struct xbond_link link;
	int ret;

	ret = nl_link_get(name, 0, &link);
	if (ret)
		return ret;
	*ifindex = link.ifindex;
	return nl_link_set(link.ifindex, &up);
}

int netns_setup(struct netns_env *env)
{
	unsigned char mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x5e, 0x00 };
	char name[IF_NAMESIZE], peer[IF_NAMESIZE];
	int i, ret;

	/* Test interfaces and broadcast copies must not touch the host's network. */
	if (unshare(CLONE_NEWNET))
		return -errno;
	for (i = 0; i < NETNS_VETHS; i++) {
		snprintf(name, sizeof(name), "xbt%d", i);
		snprintf(peer, sizeof(peer), "xbt%dp", i);
		mac[5] = i;
		ret = nl_veth_create(name, peer, mac, 1500);
		if (ret)
			return ret;
		ret = veth_up(name, &env->member[i]);
		if (ret)
			return ret;
		/* A down peer makes veth drop what the member sends. */
		ret = veth_up(peer, &env->peer[i]);
		if (ret)
			return ret;
	}
	return 0;
}
