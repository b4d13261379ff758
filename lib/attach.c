// SPDX-License-Identifier: GPL-2.0
/* Skeleton loading with a pin root, XDP and tc attachment, and their undoing. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <net/if.h>
#include <libmnl/libmnl.h>
#include <linux/if_link.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "maps/xbond_abi.h"
#include "tx_select.skel.h"
#include "rx_filter.skel.h"
#include "attach.h"
#include "xbond.h"
#include "log.h"

/* Where our tc filters sit: a fixed spot, so detach removes only ours. */
#define XBOND_TC_HANDLE		0xb04d
#define XBOND_TC_PRIORITY	0xb04d

static int pin_path(char *buf, size_t len, const char *dir, const char *name)
{
	int n = snprintf(buf, len, "%s/%s", dir, name);

	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static int pinned_prog_fd(const char *dir, const char *name)
{
	char path[PATH_MAX];
	int fd;

	if (pin_path(path, sizeof(path), dir, name))
		return -ENAMETOOLONG;
	fd = bpf_obj_get(path);
	return fd < 0 ? -errno : fd;
}

static int pin_prog(struct bpf_program *prog, const char *dir, const char *name)
{
	char path[PATH_MAX];
	int ret = pin_path(path, sizeof(path), dir, name);

	return ret ? ret : bpf_program__pin(prog, path);
}

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* The id of the program pinned as name, or 0. */
static __u32 pinned_prog_id(const char *dir, const char *name)
{
	int fd = pinned_prog_fd(dir, name);
	__u32 id;

	if (fd < 0)
		return 0;
	id = prog_id(fd);
	close(fd);
	return id;
}

int xbond_load_objects(const char *dir, int bond_ifindex)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = dir);
	struct tx_select_bpf *tx = NULL;
	struct rx_filter_bpf *rx = NULL;
	int ret;

	tx = tx_select_bpf__open_opts(&opts);
	if (!tx)
		return -errno;
	ret = tx_select_bpf__load(tx);
	if (ret)
		goto out;
	ret = pin_prog(tx->progs.tx_select, dir, XBOND_PIN_TX_PROG);
	if (ret)
		goto out;

	rx = rx_filter_bpf__open_opts(&opts);
	if (!rx) {
		ret = -errno;
		goto out;
	}
	rx->rodata->bond_ifindex = bond_ifindex;
	ret = rx_filter_bpf__load(rx);
	if (ret)
		goto out;
	ret = pin_prog(rx->progs.rx_filter, dir, XBOND_PIN_RX_XDP_PROG);
	if (!ret)
		ret = pin_prog(rx->progs.rx_redirect, dir, XBOND_PIN_RX_TC_PROG);
	if (!ret)
		ret = pin_prog(rx->progs.rx_filter_tc, dir, XBOND_PIN_RX_FILTER_TC_PROG);
out:
	if (ret)
		pr_warn("cannot load the BPF programs: %s\n", strerror(-ret));
	rx_filter_bpf__destroy(rx);
	tx_select_bpf__destroy(tx);
	return ret;
}

static int tc_attach(const char *dir, const char *prog, int ifindex,
		     enum bpf_tc_attach_point point, bool *had_clsact)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XBOND_TC_HANDLE,
		    .priority = XBOND_TC_PRIORITY);
	int fd, ret;

	fd = pinned_prog_fd(dir, prog);
	if (fd < 0)
		return fd;
	ret = bpf_tc_hook_create(&hook);
	*had_clsact = ret == -EEXIST;
	if (ret && ret != -EEXIST)
		goto out;
	opts.prog_fd = fd;
	ret = bpf_tc_attach(&hook, &opts);
	if (ret && !*had_clsact) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
out:
	close(fd);
	return ret;
}

/* The id of the program in our filter spot at ifindex's hook point, or 0. */
static __u32 tc_prog_at(int ifindex, enum bpf_tc_attach_point point)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XBOND_TC_HANDLE,
		    .priority = XBOND_TC_PRIORITY);

	return bpf_tc_query(&hook, &opts) ? 0 : opts.prog_id;
}

static int count_filter(const struct nlmsghdr *nlh, void *data)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);

	/* A dump gives each priority's classifier head (handle 0), then its filters. */
	if (nlh->nlmsg_type == RTM_NEWTFILTER && tcm->tcm_handle)
		(*(int *)data)++;
	return MNL_CB_OK;
}

/* How many tc filters sit at ifindex's clsact ingress and egress, or -errno. */
static int clsact_filters(int ifindex)
{
	static const __u32 parents[] = {
		TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_INGRESS),
		TC_H_MAKE(TC_H_CLSACT, TC_H_MIN_EGRESS),
	};
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	int count = 0, ret = 0;
	unsigned int i;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		ret = -errno;
		goto out;
	}
	for (i = 0; i < sizeof(parents) / sizeof(parents[0]) && !ret; i++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
		unsigned int seq = time(NULL) + i;

		nlh->nlmsg_type = RTM_GETTFILTER;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		nlh->nlmsg_seq = seq;
		tcm->tcm_family = AF_UNSPEC;
		tcm->tcm_ifindex = ifindex;
		tcm->tcm_parent = parents[i];
		if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
			ret = -errno;
			break;
		}
		do {
			ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
			if (ret <= 0)
				break;
			ret = mnl_cb_run(buf, ret, seq, mnl_socket_get_portid(nl), count_filter,
					 &count);
		} while (ret > MNL_CB_STOP);
		ret = ret < 0 ? -errno : 0;
	}
out:
	mnl_socket_close(nl);
	return ret ? ret : count;
}

/*
 * Take prog off our filter spot at point, if it is still what sits there,
 * then the clsact qdisc if we made it and no one else's filter is on it.
 */
static void tc_detach(const char *dir, const char *prog, int ifindex,
		      enum bpf_tc_attach_point point, bool had_clsact)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XBOND_TC_HANDLE,
		    .priority = XBOND_TC_PRIORITY);
	__u32 ours = pinned_prog_id(dir, prog);

	if (ours && tc_prog_at(ifindex, point) == ours)
		bpf_tc_detach(&hook, &opts);
	if (!had_clsact && clsact_filters(ifindex) == 0) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
}

int xbond_attach_tx(const char *dir, int bond_ifindex)
{
	bool had_clsact;
	int ret = tc_attach(dir, XBOND_PIN_TX_PROG, bond_ifindex, BPF_TC_EGRESS, &had_clsact);

	if (ret)
		pr_warn("cannot attach tx_select to the logical interface: %s\n",
			strerror(-ret));
	return ret;
}

/* Take rx_filter off ifindex in XDP mode (XDP_FLAGS_*), only if it is ours. */
static void xdp_detach(const char *dir, int ifindex, __u32 mode)
{
	int fd = pinned_prog_fd(dir, XBOND_PIN_RX_XDP_PROG);
	LIBBPF_OPTS(bpf_xdp_attach_opts, opts, .old_prog_fd = fd);

	if (fd < 0)
		return;
	/* The kernel compares the attached program with old_prog_fd. */
	bpf_xdp_detach(ifindex, mode | XDP_FLAGS_REPLACE, &opts);
	close(fd);
}

/* rx_filter as native XDP: 0 or -errno from the kernel; fd errors as -ENOENT. */
static int attach_native(const char *dir, int ifindex)
{
	int fd = pinned_prog_fd(dir, XBOND_PIN_RX_XDP_PROG), ret;

	if (fd < 0)
		return fd;
	ret = bpf_xdp_attach(ifindex, fd, XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_DRV_MODE,
			     NULL);
	close(fd);
	return ret;
}

int xbond_attach_member(const char *dir, int ifindex, bool try_native, __u32 *member_flags)
{
	char name[IF_NAMESIZE] = "?";
	bool native = false, had_clsact;
	const char *tc_prog;
	int ret;

	if_indextoname(ifindex, name);
	if (try_native) {
		ret = attach_native(dir, ifindex);
		native = !ret;
		if (ret == -EBUSY || ret == -EEXIST || ret == -ENOENT) {
			pr_warn("%s: cannot attach rx_filter (XDP): %s\n", name, strerror(-ret));
			return ret;
		}
		/* Not generic XDP: it would miss skbs redirected into the member. */
		if (ret)
			pr_info("%s: native XDP failed (%s), receiving in tc ingress\n", name,
				strerror(-ret));
	}
	tc_prog = native ? XBOND_PIN_RX_TC_PROG : XBOND_PIN_RX_FILTER_TC_PROG;
	ret = tc_attach(dir, tc_prog, ifindex, BPF_TC_INGRESS, &had_clsact);
	if (ret) {
		pr_warn("%s: cannot attach %s (tc ingress): %s\n", name, tc_prog,
			strerror(-ret));
		if (native)
			xdp_detach(dir, ifindex, XDP_FLAGS_DRV_MODE);
		return ret;
	}
	if (had_clsact)
		*member_flags |= XBOND_MEMBER_HAD_CLSACT;
	if (!native)
		*member_flags |= XBOND_MEMBER_RX_TC;
	return 0;
}

void xbond_detach_member(const char *dir, int ifindex, __u32 member_flags)
{
	bool had_clsact = member_flags & XBOND_MEMBER_HAD_CLSACT;

	if (member_flags & XBOND_MEMBER_RX_TC) {
		tc_detach(dir, XBOND_PIN_RX_FILTER_TC_PROG, ifindex, BPF_TC_INGRESS, had_clsact);
		return;
	}
	tc_detach(dir, XBOND_PIN_RX_TC_PROG, ifindex, BPF_TC_INGRESS, had_clsact);
	xdp_detach(dir, ifindex, member_flags & XBOND_MEMBER_XDP_SKB ? XDP_FLAGS_SKB_MODE :
								       XDP_FLAGS_DRV_MODE);
}

static int not_attached(int ifindex, const char *what, __u32 found, __u32 want)
{
	char name[IF_NAMESIZE] = "?";

	if_indextoname(ifindex, name);
	pr_warn("%s: %s is not attached (found program id %u, want %u)\n", name, what,
		found, want);
	return -ENOENT;
}

int xbond_check_tx(const char *dir, int bond_ifindex)
{
	__u32 want = pinned_prog_id(dir, XBOND_PIN_TX_PROG);
	__u32 found = tc_prog_at(bond_ifindex, BPF_TC_EGRESS);

	return want && found == want ? 0 :
	       not_attached(bond_ifindex, XBOND_PIN_TX_PROG, found, want);
}

int xbond_check_member(const char *dir, int ifindex)
{
	__u32 found = tc_prog_at(ifindex, BPF_TC_INGRESS), xdp = 0;
	__u32 whole = pinned_prog_id(dir, XBOND_PIN_RX_FILTER_TC_PROG);
	__u32 behind_xdp = pinned_prog_id(dir, XBOND_PIN_RX_TC_PROG);
	__u32 want_xdp = pinned_prog_id(dir, XBOND_PIN_RX_XDP_PROG);

	if (whole && found == whole)
		return 0;
	if (!behind_xdp || found != behind_xdp)
		return not_attached(ifindex, XBOND_PIN_RX_FILTER_TC_PROG " or "
				    XBOND_PIN_RX_TC_PROG " (tc ingress)", found, whole);
	bpf_xdp_query_id(ifindex, 0, &xdp);
	return want_xdp && xdp == want_xdp ? 0 :
	       not_attached(ifindex, XBOND_PIN_RX_XDP_PROG " (XDP)", xdp, want_xdp);
}
