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

/* fd on point of ifindex at our spot; replace: over whatever sits there. */
static int tc_attach_fd(int fd, int ifindex, enum bpf_tc_attach_point point, bool replace,
			bool *had_clsact)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = point);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XBOND_TC_HANDLE,
		    .priority = XBOND_TC_PRIORITY, .prog_fd = fd,
		    .flags = replace ? BPF_TC_F_REPLACE : 0);
	int ret;

	ret = bpf_tc_hook_create(&hook);
	*had_clsact = ret == -EEXIST;
	if (ret && ret != -EEXIST)
		return ret;
	ret = bpf_tc_attach(&hook, &opts);
	if (ret && !*had_clsact) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
	return ret;
}

static int tc_attach(const char *dir, const char *prog, int ifindex,
		     enum bpf_tc_attach_point point, bool *had_clsact)
{
	int fd, ret;

	fd = pinned_prog_fd(dir, prog);
	if (fd < 0)
		return fd;
	ret = tc_attach_fd(fd, ifindex, point, false, had_clsact);
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
	int count = 0, ret = 0;
	unsigned int i;

	for (i = 0; i < sizeof(parents) / sizeof(parents[0]) && !ret; i++) {
		struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
		struct tcmsg *tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));

		nlh->nlmsg_type = RTM_GETTFILTER;
		nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
		tcm->tcm_family = AF_UNSPEC;
		tcm->tcm_ifindex = ifindex;
		tcm->tcm_parent = parents[i];
		ret = nl_request(nlh, count_filter, &count);
	}
	return ret ? ret : count;
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
	struct xbond_progs progs;

	xbond_progs_open(dir, &progs, false);
	xbond_detach_member_ids(ifindex, member_flags, &progs);
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

static const char *const prog_pins[XBOND_PROG_MAX] = {
	[XBOND_PROG_TX] = XBOND_PIN_TX_PROG,
	[XBOND_PROG_RX_XDP] = XBOND_PIN_RX_XDP_PROG,
	[XBOND_PROG_RX_REDIRECT] = XBOND_PIN_RX_TC_PROG,
	[XBOND_PROG_RX_FILTER_TC] = XBOND_PIN_RX_FILTER_TC_PROG,
};

const char *xbond_prog_pin(enum xbond_prog prog)
{
	return prog < XBOND_PROG_MAX ? prog_pins[prog] : "?";
}

void xbond_progs_init(struct xbond_progs *progs)
{
	unsigned int i;

	for (i = 0; i < XBOND_PROG_MAX; i++) {
		progs->id[i] = 0;
		progs->fd[i] = -1;
	}
}

int xbond_progs_open(const char *dir, struct xbond_progs *progs, bool keep_fds)
{
	unsigned int i;
	int fd, ret = 0;

	xbond_progs_init(progs);
	for (i = 0; i < XBOND_PROG_MAX; i++) {
		fd = pinned_prog_fd(dir, prog_pins[i]);
		if (fd < 0) {
			ret = fd;
			continue;
		}
		progs->id[i] = prog_id(fd);
		if (keep_fds)
			progs->fd[i] = fd;
		else
			close(fd);
	}
	return ret;
}

void xbond_progs_close(struct xbond_progs *progs)
{
	unsigned int i;

	for (i = 0; i < XBOND_PROG_MAX; i++) {
		if (progs->fd[i] >= 0)
			close(progs->fd[i]);
		progs->fd[i] = -1;
	}
}

int xbond_progs_repin(const char *dir, const struct xbond_progs *progs)
{
	char path[PATH_MAX];
	unsigned int i;
	int n = 0;

	for (i = 0; i < XBOND_PROG_MAX; i++) {
		if (progs->fd[i] < 0 || pin_path(path, sizeof(path), dir, prog_pins[i]) ||
		    !access(path, F_OK) || errno != ENOENT)
			continue;
		if (bpf_obj_pin(progs->fd[i], path))
			return -errno;
		n++;
	}
	return n;
}

/* Whether id is one of our receive programs that sit on tc ingress. */
static bool ours_on_tc(const struct xbond_progs *progs, __u32 id)
{
	return id && (id == progs->id[XBOND_PROG_RX_REDIRECT] ||
		      id == progs->id[XBOND_PROG_RX_FILTER_TC]);
}

bool xbond_member_carries(int ifindex, __u32 xdp_id, const struct xbond_progs *progs)
{
	return (xdp_id && xdp_id == progs->id[XBOND_PROG_RX_XDP]) ||
	       ours_on_tc(progs, tc_prog_at(ifindex, BPF_TC_INGRESS));
}

/* Our rx_filter off ifindex, in whichever XDP mode it sits; true if it is not (or no longer) there. */
static bool xdp_detach_id(int ifindex, const struct xbond_progs *progs)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, query);
	__u32 ours = progs->id[XBOND_PROG_RX_XDP];
	struct {
		__u32 id;
		__u32 mode;
	} modes[2];
	unsigned int i;
	int fd;

	if (!ours || bpf_xdp_query(ifindex, 0, &query))
		return true;
	modes[0].id = query.drv_prog_id;
	modes[0].mode = XDP_FLAGS_DRV_MODE;
	modes[1].id = query.skb_prog_id;
	modes[1].mode = XDP_FLAGS_SKB_MODE;
	for (i = 0; i < 2; i++) {
		LIBBPF_OPTS(bpf_xdp_attach_opts, opts);

		if (modes[i].id != ours)
			continue;
		fd = progs->fd[XBOND_PROG_RX_XDP] >= 0 ? dup(progs->fd[XBOND_PROG_RX_XDP]) :
		     bpf_prog_get_fd_by_id(ours);
		if (fd < 0)
			return false;
		/* The kernel compares the attached program with old_prog_fd. */
		opts.old_prog_fd = fd;
		bpf_xdp_detach(ifindex, modes[i].mode | XDP_FLAGS_REPLACE, &opts);
		close(fd);
	}
	memset(&query, 0, sizeof(query));
	query.sz = sizeof(query);
	return bpf_xdp_query(ifindex, 0, &query) ||
	       (query.drv_prog_id != ours && query.skb_prog_id != ours);
}

struct clsact_query {
	int ifindex;
	bool found;
};

static int kind_attr(const struct nlattr *attr, void *data)
{
	const char **kind = data;

	if (mnl_attr_get_type(attr) == TCA_KIND && !mnl_attr_validate(attr, MNL_TYPE_NUL_STRING))
		*kind = mnl_attr_get_str(attr);
	return MNL_CB_OK;
}

static int clsact_qdisc(const struct nlmsghdr *nlh, void *data)
{
	const struct tcmsg *tcm = mnl_nlmsg_get_payload(nlh);
	struct clsact_query *q = data;
	const char *kind = NULL;

	if (nlh->nlmsg_type != RTM_NEWQDISC || tcm->tcm_ifindex != q->ifindex)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*tcm), kind_attr, &kind);
	if (kind && !strcmp(kind, "clsact"))
		q->found = true;
	return MNL_CB_OK;
}

int xbond_has_clsact(int ifindex)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct clsact_query q = { .ifindex = ifindex };
	unsigned int seq = time(NULL);
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct tcmsg *tcm;
	int ret;

	nl = mnl_socket_open(NETLINK_ROUTE);
	if (!nl)
		return -errno;
	nlh = mnl_nlmsg_put_header(buf);
	tcm = mnl_nlmsg_put_extra_header(nlh, sizeof(*tcm));
	nlh->nlmsg_type = RTM_GETQDISC;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	nlh->nlmsg_seq = seq;
	tcm->tcm_family = AF_UNSPEC;
	tcm->tcm_ifindex = ifindex;
	ret = mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0 ||
	      mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0 ? -1 : 0;
	while (!ret) {
		ret = mnl_socket_recvfrom(nl, buf, sizeof(buf));
		if (ret <= 0) {
			ret = -1;
			break;
		}
		ret = mnl_cb_run(buf, ret, seq, mnl_socket_get_portid(nl), clsact_qdisc, &q);
		ret = ret < 0 ? -1 : ret == MNL_CB_STOP ? 1 : 0;
	}
	ret = ret < 0 ? -errno : 0;
	mnl_socket_close(nl);
	return ret ? ret : q.found;
}

int xbond_detach_member_ids(int ifindex, __u32 member_flags, const struct xbond_progs *progs)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = XBOND_TC_HANDLE,
		    .priority = XBOND_TC_PRIORITY);
	bool xdp_off;

	if (ours_on_tc(progs, tc_prog_at(ifindex, BPF_TC_INGRESS)))
		bpf_tc_detach(&hook, &opts);
	if (!(member_flags & XBOND_MEMBER_HAD_CLSACT) && clsact_filters(ifindex) == 0) {
		hook.attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS;
		bpf_tc_hook_destroy(&hook);
	}
	xdp_off = xdp_detach_id(ifindex, progs);
	return xdp_off && !ours_on_tc(progs, tc_prog_at(ifindex, BPF_TC_INGRESS)) ? 0 : -EBUSY;
}

/* Append ", what" to buf. */
static void add_what(char *buf, size_t len, const char *what, __u32 found)
{
	size_t n = strlen(buf);

	if (n + 2 >= len)
		return;
	if (found)
		snprintf(buf + n, len - n, "%s%s (program %u in its place)", n ? ", " : "", what,
			 found);
	else
		snprintf(buf + n, len - n, "%s%s", n ? ", " : "", what);
}

bool xbond_tx_attached(int bond_ifindex, const struct xbond_progs *progs)
{
	return progs->id[XBOND_PROG_TX] &&
	       tc_prog_at(bond_ifindex, BPF_TC_EGRESS) == progs->id[XBOND_PROG_TX];
}

bool xbond_member_attached(int ifindex, __u32 member_flags, const struct xbond_progs *progs)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, query);
	__u32 tc = tc_prog_at(ifindex, BPF_TC_INGRESS);

	if (member_flags & XBOND_MEMBER_RX_TC)
		return progs->id[XBOND_PROG_RX_FILTER_TC] && tc == progs->id[XBOND_PROG_RX_FILTER_TC];
	return progs->id[XBOND_PROG_RX_REDIRECT] && tc == progs->id[XBOND_PROG_RX_REDIRECT] &&
	       !bpf_xdp_query(ifindex, 0, &query) && progs->id[XBOND_PROG_RX_XDP] &&
	       query.drv_prog_id == progs->id[XBOND_PROG_RX_XDP];
}

/* prog at our tc spot of ifindex's point, over whatever is there. */
static int tc_put_back(const struct xbond_progs *progs, enum xbond_prog prog, int ifindex,
		       enum bpf_tc_attach_point point, char *what, size_t len)
{
	__u32 found = tc_prog_at(ifindex, point);
	bool had_clsact;
	char gone[64];

	if (progs->id[prog] && found == progs->id[prog])
		return 0;
	snprintf(gone, sizeof(gone), "%s gone from tc %s", prog_pins[prog],
		 point == BPF_TC_EGRESS ? "egress" : "ingress");
	add_what(what, len, gone, found);
	if (progs->fd[prog] < 0)
		return -ENOENT;
	return tc_attach_fd(progs->fd[prog], ifindex, point, true, &had_clsact) ?: 1;
}

int xbond_repair_tx(int bond_ifindex, const struct xbond_progs *progs, char *what,
		    size_t what_len)
{
	*what = '\0';
	return tc_put_back(progs, XBOND_PROG_TX, bond_ifindex, BPF_TC_EGRESS, what, what_len);
}

int xbond_repair_member(int ifindex, __u32 member_flags, const struct xbond_progs *progs,
			char *what, size_t what_len)
{
	LIBBPF_OPTS(bpf_xdp_query_opts, query);
	__u32 ours = progs->id[XBOND_PROG_RX_XDP];
	int ret = 0, tc;

	*what = '\0';
	if (member_flags & XBOND_MEMBER_RX_TC)
		return tc_put_back(progs, XBOND_PROG_RX_FILTER_TC, ifindex, BPF_TC_INGRESS, what,
				   what_len);
	if (bpf_xdp_query(ifindex, 0, &query))
		return -errno;
	if (!ours || query.drv_prog_id != ours) {
		if (query.drv_prog_id || query.skb_prog_id) {
			/* Someone's own XDP program: theirs to take off, not ours. */
			add_what(what, what_len, "rx_filter (XDP) replaced, left as it is",
				 query.drv_prog_id ?: query.skb_prog_id);
			ret = -EBUSY;
		} else {
			add_what(what, what_len, "rx_filter gone from XDP", 0);
			ret = progs->fd[XBOND_PROG_RX_XDP] < 0 ? -ENOENT :
			      bpf_xdp_attach(ifindex, progs->fd[XBOND_PROG_RX_XDP],
					     XDP_FLAGS_UPDATE_IF_NOEXIST | XDP_FLAGS_DRV_MODE,
					     NULL) ?: 1;
		}
	}
	tc = tc_put_back(progs, XBOND_PROG_RX_REDIRECT, ifindex, BPF_TC_INGRESS, what, what_len);
	return ret < 0 ? ret : tc < 0 ? tc : ret | tc;
}
