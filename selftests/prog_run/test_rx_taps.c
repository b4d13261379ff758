// SPDX-License-Identifier: GPL-2.0
/* Taps only, for real: ARP and ND on a backup reach its packet sockets but not the bond, in both layouts. */
#include <errno.h>
#include <poll.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_link.h>
#include <linux/if_packet.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "rx_filter.skel.h"
#include "bond.h"
#include "check.h"
#include "configs.h"
#include "mapio.h"
#include "packets.h"
#include "suites.h"

/*
 * Frames are written into a member's veth peer, so the member receives them
 * as from a wire:
 *
 *   xbt0p -> xbt0 (slot 0, active)  \
 *   xbt1p -> xbt1 (slot 1, backup)   >- accepted frames: redirect into xbt2p
 *
 * xbt2p stands in for the logical interface. A packet socket on xbt1 is a tap
 * on the member; one on xbt2p sees what the bond's stack would get.
 */
#define ACTIVE		0
#define BACKUP		1
#define WAIT_MS		1000	/* for a frame that must come */
#define QUIET_MS	100	/* after it, for one that must not */

enum layout {
	LAYOUT_XDP,	/* native XDP rx_filter, tc ingress rx_redirect */
	LAYOUT_TC,	/* tc ingress rx_filter_tc alone */
};

static const char *const layout_name[] = {
	[LAYOUT_XDP] = "native XDP rx_filter + rx_redirect",
	[LAYOUT_TC] = "tc rx_filter_tc",
};

struct taps_env {
	struct rx_filter_bpf *skel;
	const struct netns_env *ns;
	int member_tap;		/* on the backup member */
	int bond_tap;		/* on the stand-in for the logical interface */
	int sender;		/* writes into the peers */
};

static int tap_open(int ifindex)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL), .sll_ifindex = ifindex,
	};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL));

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -errno;
	}
	return fd;
}

/* Write f onto the wire of the member whose peer is ifindex. */
static int wire_send(int fd, int peer_ifindex, const struct frame *f)
{
	struct sockaddr_ll to = { .sll_family = AF_PACKET, .sll_ifindex = peer_ifindex };

	return sendto(fd, f->data, f->len, 0, (struct sockaddr *)&to, sizeof(to)) ==
	       (ssize_t)f->len ? 0 : -errno;
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/*
 * Read the tap for ms, or until it got want (if not NULL): a bit per frame of
 * frames[0..n) it got, or -errno. Other frames are skipped.
 */
static int tap_watch(int fd, const struct frame *const *frames, int n,
		     const struct frame *want, int ms)
{
	long long deadline = now_ms() + ms;
	unsigned char buf[2048];
	int got = 0, i;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct sockaddr_ll from;
		socklen_t len = sizeof(from);
		long long left = deadline - now_ms();
		ssize_t size;

		if (left <= 0)
			return got;
		if (poll(&pfd, 1, left) < 0)
			return -errno;
		size = recvfrom(fd, buf, sizeof(buf), 0, (struct sockaddr *)&from, &len);
		if (size < 0 && errno == EAGAIN)
			continue;
		if (size < 0)
			return -errno;
		if (from.sll_pkttype == PACKET_OUTGOING)
			continue;
		for (i = 0; i < n; i++) {
			if ((size_t)size != frames[i]->len || memcmp(buf, frames[i]->data, size))
				continue;
			got |= 1 << i;
			if (frames[i] == want)
				return got;
		}
	}
}

static int tc_hook(int ifindex, int prog_fd)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex, .attach_point = BPF_TC_INGRESS);
	LIBBPF_OPTS(bpf_tc_opts, opts, .handle = 1, .priority = 1, .prog_fd = prog_fd);
	int ret = bpf_tc_hook_create(&hook);

	if (ret && ret != -EEXIST)
		return ret;
	return bpf_tc_attach(&hook, &opts);
}

static void unhook(int ifindex)
{
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = ifindex,
		    .attach_point = BPF_TC_INGRESS | BPF_TC_EGRESS);

	bpf_tc_hook_destroy(&hook);
	bpf_xdp_detach(ifindex, XDP_FLAGS_DRV_MODE, NULL);
}

/* Both members get the layout's programs. */
static int attach_layout(struct taps_env *env, enum layout layout)
{
	int xdp = bpf_program__fd(env->skel->progs.rx_filter);
	int behind = bpf_program__fd(env->skel->progs.rx_redirect);
	int whole = bpf_program__fd(env->skel->progs.rx_filter_tc);
	int i, ret;

	for (i = 0; i <= BACKUP; i++) {
		int ifindex = env->ns->member[i];

		if (layout == LAYOUT_TC) {
			ret = tc_hook(ifindex, whole);
		} else {
			ret = bpf_xdp_attach(ifindex, xdp, XDP_FLAGS_DRV_MODE, NULL);
			if (!ret)
				ret = tc_hook(ifindex, behind);
		}
		if (ret)
			return ret;
	}
	return 0;
}

static void detach_layout(struct taps_env *env)
{
	int i;

	for (i = 0; i <= BACKUP; i++)
		unhook(env->ns->member[i]);
}

/* An ARP request with a target address of its own, to tell it from others. */
static void arp_probe(struct frame *f, unsigned int n)
{
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	char target[INET_ADDRSTRLEN];

	snprintf(target, sizeof(target), "192.0.2.%u", n);
	memset(f, 0, sizeof(*f));
	frame_eth(f, bcast, pkt_mac_a, ETH_P_ARP);
	frame_arp(f, pkt_mac_a, "198.51.100.1", target);
	frame_done(f);
}

/*
 * probe arrives on the backup, then control on the active member. The
 * member's tap must get probe; the bond must get control (so the path works)
 * but not probe, before control or after it.
 */
static bool taps_only_ok(struct taps_env *env, const struct frame *probe,
			 const struct frame *control)
{
	const struct frame *const frames[] = { probe, control };
	int member, bond, late;

	if (!expect_ok("send on the backup", wire_send(env->sender, env->ns->peer[BACKUP], probe)) ||
	    !expect_ok("send on the active", wire_send(env->sender, env->ns->peer[ACTIVE], control)))
		return false;
	member = tap_watch(env->member_tap, frames, 1, probe, WAIT_MS);
	bond = tap_watch(env->bond_tap, frames, 2, control, WAIT_MS);
	late = tap_watch(env->bond_tap, frames, 1, NULL, QUIET_MS);
	if (!expect_true(member >= 0 && bond >= 0 && late >= 0, "reading the packet sockets: %s",
			 strerror(-(member < 0 ? member : bond < 0 ? bond : late))))
		return false;
	return expect_true(member & 1, "a packet socket on the backup did not get the frame") &&
	       expect_true(bond & 2, "the bond did not get the control frame from the active") &&
	       expect_true(!(bond & 1) && !late, "the bond got the frame from the backup");
}

static void run_layout(struct taps_env *env, enum layout layout, unsigned int *n)
{
	struct frame probe, control;
	int ret = attach_layout(env, layout);

	if (!expect_ok("attach to the members", ret)) {
		test_report(false, "rx taps (%s): attached", layout_name[layout]);
		detach_layout(env);
		return;
	}
	arp_probe(&probe, (*n)++);
	arp_probe(&control, (*n)++);
	test_report(taps_only_ok(env, &probe, &control),
		    "rx taps (%s): ARP on a backup reaches its packet sockets, not the bond",
		    layout_name[layout]);

	pkt_build(&probe, pkt_icmpv6_type, 135);
	arp_probe(&control, (*n)++);
	test_report(taps_only_ok(env, &probe, &control),
		    "rx taps (%s): ND on a backup reaches its packet sockets, not the bond",
		    layout_name[layout]);
	detach_layout(env);
}

static int taps_env_open(struct taps_env *env, const struct netns_env *ns)
{
	struct cfg_spec spec = { .mode = XBOND_MODE_ACTIVEBACKUP, .n_members = NETNS_VETHS,
				 .ifindex = ns->member };
	struct xbond_config cfg;
	int ret;

	memset(env, 0, sizeof(*env));
	env->ns = ns;
	env->member_tap = env->bond_tap = env->sender = -1;
	env->skel = rx_filter_bpf__open();
	if (!env->skel)
		return -errno;
	env->skel->rodata->bond_ifindex = ns->peer[2];
	ret = xbond_unpin_maps(env->skel->obj);
	if (!ret)
		ret = rx_filter_bpf__load(env->skel);
	if (ret)
		return ret;
	cfg_build(&spec, &cfg);
	if (cfg.active != ACTIVE)
		return -EINVAL;
	ret = config_install(bpf_map__fd(env->skel->maps.xbond_config),
			     bpf_map__fd(env->skel->maps.xbond_slot), &cfg);
	if (ret)
		return ret;
	env->member_tap = tap_open(ns->member[BACKUP]);
	env->bond_tap = tap_open(ns->peer[2]);
	env->sender = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (env->member_tap < 0)
		return env->member_tap;
	if (env->bond_tap < 0)
		return env->bond_tap;
	return env->sender < 0 ? -errno : 0;
}

static void taps_env_close(struct taps_env *env)
{
	if (env->member_tap >= 0)
		close(env->member_tap);
	if (env->bond_tap >= 0)
		close(env->bond_tap);
	if (env->sender >= 0)
		close(env->sender);
	rx_filter_bpf__destroy(env->skel);
}

void test_rx_taps(const struct netns_env *ns)
{
	struct taps_env env;
	unsigned int n = 1;

	if (!expect_ok("set up", taps_env_open(&env, ns))) {
		test_report(false, "rx taps: rx_filter loaded, config and packet sockets");
		taps_env_close(&env);
		return;
	}
	run_layout(&env, LAYOUT_XDP, &n);
	run_layout(&env, LAYOUT_TC, &n);
	taps_env_close(&env);
}
