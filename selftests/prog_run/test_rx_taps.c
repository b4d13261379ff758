// SPDX-License-Identifier: GPL-2.0
/* For real, in both layouts: ARP and ND on a backup reach its taps, not the bond; LACPDUs stay on the member. */
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
 *
 * Slow protocols go further: a LACPDU must reach the member's own stack, past
 * tc ingress, where the monitor's packet socket bound to ethertype 0x8809
 * gets it. Sockets bound to one ethertype are served after tc ingress (taps
 * bound to ETH_P_ALL before it), so only such a socket tells a frame left on
 * the member (rx_redirect or rx_filter_tc: TC_ACT_OK) from one dropped there.
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
	int slow_sock[BACKUP + 1];	/* bound to 0x8809 on each member, as the monitor's */
	int bond_tap;		/* on the stand-in for the logical interface */
	int sender;		/* writes into the peers */
};

/* A packet socket on ifindex for one ethertype, or ETH_P_ALL. */
static int sock_open(int ifindex, int ethertype)
{
	struct sockaddr_ll sll = {
		.sll_family = AF_PACKET, .sll_protocol = htons(ethertype), .sll_ifindex = ifindex,
	};
	int fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ethertype));

	if (fd < 0)
		return -errno;
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		close(fd);
		return -errno;
	}
	return fd;
}

static int tap_open(int ifindex)
{
	return sock_open(ifindex, ETH_P_ALL);
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

static int install(struct taps_env *env, __u32 mode, __u32 collecting)
{
	struct cfg_spec spec = { .mode = mode, .hash_policy = XBOND_HASH_LAYER34,
				 .n_members = NETNS_VETHS, .ifindex = env->ns->member,
				 .collecting = collecting, .distributing = collecting };
	struct xbond_config cfg;

	cfg_build(&spec, &cfg);
	if (cfg.active != ACTIVE || cfg.collecting != collecting)
		return -EINVAL;
	return config_install(bpf_map__fd(env->skel->maps.xbond_config),
			      bpf_map__fd(env->skel->maps.xbond_slot), &cfg);
}

/* A LACPDU (Marker PDU for subtype 2) with an actor port of its own, to tell it from others. */
static void slow_probe(struct frame *f, unsigned int subtype, unsigned int n)
{
	/* LACPDU: the actor's port number; Marker: the requester's transaction id. */
	unsigned int off = subtype == 2 ? 28 : 30;

	pkt_build(f, pkt_slow, subtype);
	f->data[off] = n >> 8;
	f->data[off + 1] = n;
}

/*
 * probe arrives on member slot on, then control (an ARP request the bond
 * takes) on the active member. A socket bound to 0x8809 on the member must get
 * probe; the bond must get control but not probe, before control or after.
 */
static bool slow_to_member_ok(struct taps_env *env, int on, const struct frame *probe,
			      const struct frame *control)
{
	const struct frame *const frames[] = { probe, control };
	int member, bond, late;

	if (!expect_ok("send on the member", wire_send(env->sender, env->ns->peer[on], probe)) ||
	    !expect_ok("send on the active", wire_send(env->sender, env->ns->peer[ACTIVE], control)))
		return false;
	member = tap_watch(env->slow_sock[on], frames, 1, probe, WAIT_MS);
	bond = tap_watch(env->bond_tap, frames, 2, control, WAIT_MS);
	late = tap_watch(env->bond_tap, frames, 1, NULL, QUIET_MS);
	if (!expect_true(member >= 0 && bond >= 0 && late >= 0, "reading the packet sockets: %s",
			 strerror(-(member < 0 ? member : bond < 0 ? bond : late))))
		return false;
	return expect_true(member & 1, "the member's 0x8809 socket did not get the frame") &&
	       expect_true(bond & 2, "the bond did not get the control frame from the active") &&
	       expect_true(!(bond & 1) && !late, "the bond got the slow-protocol frame");
}

/*
 * The other way round: f (0x8809, but not to the slow-protocols address)
 * arrives on the active member, a collecting one. The bond must get it, and
 * the member's 0x8809 socket must not, as it would if f stayed on the member.
 */
static bool ordinary_to_bond_ok(struct taps_env *env, const struct frame *f)
{
	const struct frame *const frames[] = { f };
	int bond, member;

	if (!expect_ok("send on the active", wire_send(env->sender, env->ns->peer[ACTIVE], f)))
		return false;
	bond = tap_watch(env->bond_tap, frames, 1, f, WAIT_MS);
	member = tap_watch(env->slow_sock[ACTIVE], frames, 1, NULL, QUIET_MS);
	if (!expect_true(member >= 0 && bond >= 0, "reading the packet sockets: %s",
			 strerror(-(member < 0 ? member : bond))))
		return false;
	return expect_true(bond & 1, "the bond did not get the frame") &&
	       expect_true(!member, "the member's 0x8809 socket got the frame");
}

static void run_slow(struct taps_env *env, enum layout layout, unsigned int *n)
{
	struct frame probe, control;

	/* Active-backup, as taps_env_open left it: a backup's LACPDU is no taps-only frame. */
	slow_probe(&probe, 1, (*n)++);
	arp_probe(&control, (*n)++);
	test_report(slow_to_member_ok(env, BACKUP, &probe, &control),
		    "rx slow (%s): active-backup: LACPDU on a backup reaches its 0x8809 socket, "
		    "not the bond", layout_name[layout]);

	/* 802.3ad, the active member alone collecting. */
	if (!expect_ok("install 802.3ad", install(env, XBOND_MODE_8023AD, 1U << ACTIVE))) {
		test_report(false, "rx slow (%s): 802.3ad config", layout_name[layout]);
		goto out;
	}
	slow_probe(&probe, 1, (*n)++);
	arp_probe(&control, (*n)++);
	test_report(slow_to_member_ok(env, ACTIVE, &probe, &control),
		    "rx slow (%s): 802.3ad: LACPDU on a collecting member reaches its 0x8809 "
		    "socket, not the bond", layout_name[layout]);
	slow_probe(&probe, 1, (*n)++);
	arp_probe(&control, (*n)++);
	test_report(slow_to_member_ok(env, BACKUP, &probe, &control),
		    "rx slow (%s): 802.3ad: LACPDU on a member not collecting reaches its 0x8809 "
		    "socket, not the bond", layout_name[layout]);
	slow_probe(&probe, 2, (*n)++);
	arp_probe(&control, (*n)++);
	test_report(slow_to_member_ok(env, BACKUP, &probe, &control),
		    "rx slow (%s): 802.3ad: Marker PDU on a member not collecting reaches its "
		    "0x8809 socket, not the bond", layout_name[layout]);
	pkt_build(&probe, pkt_slow_misaddressed, PKT_SLOW_TO_HOST_B);
	probe.data[31] = (*n)++;
	test_report(ordinary_to_bond_ok(env, &probe),
		    "rx slow (%s): 802.3ad: 0x8809 unicast to the bond reaches the bond, not the "
		    "member's 0x8809 socket", layout_name[layout]);
out:
	if (!expect_ok("reinstall active-backup", install(env, XBOND_MODE_ACTIVEBACKUP, 0)))
		test_report(false, "rx slow (%s): active-backup config back", layout_name[layout]);
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
	run_slow(env, layout, n);
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
	env->slow_sock[ACTIVE] = env->slow_sock[BACKUP] = -1;
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
	env->slow_sock[ACTIVE] = sock_open(ns->member[ACTIVE], XBOND_ETH_P_SLOW);
	env->slow_sock[BACKUP] = sock_open(ns->member[BACKUP], XBOND_ETH_P_SLOW);
	env->bond_tap = tap_open(ns->peer[2]);
	env->sender = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, 0);
	if (env->member_tap < 0)
		return env->member_tap;
	if (env->slow_sock[ACTIVE] < 0)
		return env->slow_sock[ACTIVE];
	if (env->slow_sock[BACKUP] < 0)
		return env->slow_sock[BACKUP];
	if (env->bond_tap < 0)
		return env->bond_tap;
	return env->sender < 0 ? -errno : 0;
}

static void taps_env_close(struct taps_env *env)
{
	if (env->member_tap >= 0)
		close(env->member_tap);
	if (env->slow_sock[ACTIVE] >= 0)
		close(env->slow_sock[ACTIVE]);
	if (env->slow_sock[BACKUP] >= 0)
		close(env->slow_sock[BACKUP]);
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
