// SPDX-License-Identifier: GPL-2.0
/* Namespaces by fd, links moved between them by netlink, and one small state file per attachment. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <linux/magic.h>
#include <linux/nsfs.h>
#include "xbond.h"
#include "sandbox.h"


int netns_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	struct statfs sfs;

	if (fd < 0)
		return -errno;
	/* Only a network namespace: never block on a FIFO or poke a device. */
	if (fstatfs(fd, &sfs) || sfs.f_type != NSFS_MAGIC ||
	    ioctl(fd, NS_GET_NSTYPE) != CLONE_NEWNET) {
		close(fd);
		return -EINVAL;
	}
	return fd;
}

int netns_self(void)
{
	int fd = netns_open("/proc/self/ns/net");

	if (fd < 0)
		return cni_fail(CNI_ERR_INTERNAL, "cannot open our own namespace: %s",
				strerror(-fd));
	return fd;
}

int netns_pod(const struct cni_call *call)
{
	int fd = netns_open(call->netns);

	if (fd < 0)
		return cni_fail(CNI_ERR_ENV, "CNI_NETNS: %s is not a network namespace: %s",
				call->netns, strerror(-fd));
	return fd;
}

int netns_enter(int fd)
{
	if (setns(fd, CLONE_NEWNET))
		return cni_fail(CNI_ERR_INTERNAL, "cannot enter a network namespace: %s",
				strerror(errno));
	return 0;
}

int links_move(const struct cni_conf *conf, int to_fd)
{
	struct xbond_link link;
	unsigned int i;
	int ret, failed = 0;

	for (i = 0; i < conf->n_links; i++) {
		if (nl_link_get(conf->links[i].name, 0, &link))
			continue;
		ret = nl_link_set_netns(link.ifindex, to_fd);
		if (ret)
			failed = cni_fail(ret == -EEXIST ? CNI_ERR_CONFIG : CNI_ERR_INTERNAL,
					  "%s: cannot move it to the %s namespace: %s", link.name,
					  conf->links_in_container ? "host's" : "other",
					  ret == -EEXIST ? "a link of that name is there" :
					  strerror(-ret));
	}
	return failed;
}

__u32 links_up_mask(const struct cni_conf *conf)
{
	struct xbond_link link;
	__u32 mask = 0;
	unsigned int i;

	for (i = 0; i < conf->n_links; i++)
		if (!nl_link_get(conf->links[i].name, 0, &link) && link.flags & IFF_UP)
			mask |= 1U << i;
	return mask;
}

void links_set_up(const struct cni_conf *conf, __u32 mask)
{
	struct nl_link_change up = { .up = 1 };
	struct xbond_link link;
	unsigned int i;

	for (i = 0; i < conf->n_links; i++)
		if (mask & 1U << i && !nl_link_get(conf->links[i].name, 0, &link))
			nl_link_set(link.ifindex, &up);
}

/*
 * STATE_DIR/<container id>:<ifname>. Neither may hold ':' or '/', and a
 * container id cannot start with '.', which marks temporary files.
 */
static int state_path(const struct cni_call *call, const char *prefix, char *buf, size_t len,
		      bool create)
{
	char root[PATH_MAX];
	int n;

	n = xbond_run_root(root, sizeof(root), create);
	if (n)
		return n;
	n = snprintf(buf, len, "%s/cni", root);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (create && mkdir(buf, 0700) && errno != EEXIST)
		return -errno;
	n = snprintf(buf, len, "%s/cni/%s%s:%s", root, prefix, call->container_id,
		     call->ifname);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int state_save(const struct cni_call *call, const struct sandbox_state *st)
{
	char path[PATH_MAX], tmp[PATH_MAX];
	int ret = state_path(call, "", path, sizeof(path), true);
	FILE *f;

	if (!ret)
		ret = state_path(call, ".", tmp, sizeof(tmp), true);
	if (ret)
		return ret;
	f = fopen(tmp, "we");
	if (!f)
		return -errno;
	/* The monitor reads the first two (monitor/netns.c): a DEL to come keeps it. */
	fprintf(f, "%lu %llu %u\n", st->netns_ino, (unsigned long long)st->netns_cookie,
		st->links_up);
	if (fclose(f) || rename(tmp, path)) {
		unlink(tmp);
		return -errno;
	}
	return 0;
}

int state_load(const struct cni_call *call, struct sandbox_state *st)
{
	unsigned long long cookie;
	char path[PATH_MAX];
	FILE *f;
	int n;

	if (state_path(call, "", path, sizeof(path), false))
		return -ENAMETOOLONG;
	f = fopen(path, "re");
	if (!f)
		return -errno;
	n = fscanf(f, "%lu %llu %u", &st->netns_ino, &cookie, &st->links_up);
	fclose(f);
	st->netns_cookie = cookie;
	return n == 3 ? 0 : -EINVAL;
}

void state_remove(const struct cni_call *call)
{
	char path[PATH_MAX];

	if (!state_path(call, "", path, sizeof(path), false))
		unlink(path);
}
