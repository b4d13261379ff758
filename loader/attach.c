// SPDX-License-Identifier: GPL-2.0
/* Skeleton loading with a pin root, XDP and tc attachment, and their undoing. */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <net/if.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "maps/xbond_abi.h"
#include "tx_select.skel.h"
#include "rx_filter.skel.h"
#include "attach.h"
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

static void tc_detach(int ifindex, enum bpf_tc_attach_point point, bool had_clsact)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XBOND_TC_HANDLE,
		    .priority = XBOND_TC_PRIORITY);

	bpf_tc_detach(&hook, &opts);
	if (!had_clsact) {
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

static __u32 prog_id(int fd)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

int xbond_attach_member(const char *dir, int ifindex, bool force_generic,
			__u32 *member_flags)
{
	__u32 mode = force_generic ? XDP_FLAGS_SKB_MODE : XDP_FLAGS_DRV_MODE;
	char name[IF_NAMESIZE] = "?";
	bool had_clsact;
	int fd, ret;

	if_indextoname(ifindex, name);
	fd = pinned_prog_fd(dir, XBOND_PIN_RX_XDP_PROG);
	if (fd < 0)
		return fd;
	ret = bpf_xdp_attach(ifindex, fd, XDP_FLAGS_UPDATE_IF_NOEXIST | mode, NULL);
	if (ret && mode == XDP_FLAGS_DRV_MODE && ret != -EBUSY && ret != -EEXIST) {
		pr_info("%s: native XDP failed (%s), using generic XDP\n", name,
			strerror(-ret));
		mode = XDP_FLAGS_SKB_MODE;
		ret = bpf_xdp_attach(ifindex, fd, XDP_FLAGS_UPDATE_IF_NOEXIST | mode, NULL);
	}
	close(fd);
	if (ret) {
		pr_warn("%s: cannot attach rx_filter (XDP): %s\n", name, strerror(-ret));
		return ret;
	}
	if (mode == XDP_FLAGS_SKB_MODE)
		*member_flags |= XBOND_MEMBER_XDP_SKB;

	ret = tc_attach(dir, XBOND_PIN_RX_TC_PROG, ifindex, BPF_TC_INGRESS, &had_clsact);
	if (ret) {
		pr_warn("%s: cannot attach rx_redirect (tc ingress): %s\n", name,
			strerror(-ret));
		bpf_xdp_detach(ifindex, mode, NULL);
		return ret;
	}
	if (had_clsact)
		*member_flags |= XBOND_MEMBER_HAD_CLSACT;
	return 0;
}

void xbond_detach_member(const char *dir, int ifindex, __u32 member_flags)
{
	__u32 mode = member_flags & XBOND_MEMBER_XDP_SKB ? XDP_FLAGS_SKB_MODE :
							   XDP_FLAGS_DRV_MODE;
	__u32 attached = 0;
	int fd;

	tc_detach(ifindex, BPF_TC_INGRESS, member_flags & XBOND_MEMBER_HAD_CLSACT);

	/* Only take off the XDP program if it is still ours. */
	fd = pinned_prog_fd(dir, XBOND_PIN_RX_XDP_PROG);
	if (fd < 0)
		return;
	if (!bpf_xdp_query_id(ifindex, mode, &attached) && attached == prog_id(fd))
		bpf_xdp_detach(ifindex, mode, NULL);
	close(fd);
}

/* 0 if the program pinned as prog runs on ifindex at point (tc) or as XDP. */
static int check_one(const char *dir, const char *prog, int ifindex, int point)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XBOND_TC_HANDLE,
		    .priority = XBOND_TC_PRIORITY);
	char name[IF_NAMESIZE] = "?";
	__u32 want, attached = 0;
	int fd;

	fd = pinned_prog_fd(dir, prog);
	if (fd < 0)
		return fd;
	want = prog_id(fd);
	close(fd);
	if (point)
		attached = bpf_tc_query(&hook, &opts) ? 0 : opts.prog_id;
	else
		bpf_xdp_query_id(ifindex, 0, &attached);
	if (attached == want)
		return 0;
	if_indextoname(ifindex, name);
	pr_warn("%s: %s is not attached (found program id %u, want %u)\n", name, prog,
		attached, want);
	return -ENOENT;
}

int xbond_check_tx(const char *dir, int bond_ifindex)
{
	return check_one(dir, XBOND_PIN_TX_PROG, bond_ifindex, BPF_TC_EGRESS);
}

int xbond_check_member(const char *dir, int ifindex)
{
	return check_one(dir, XBOND_PIN_RX_XDP_PROG, ifindex, 0) ?:
	       check_one(dir, XBOND_PIN_RX_TC_PROG, ifindex, BPF_TC_INGRESS);
}
