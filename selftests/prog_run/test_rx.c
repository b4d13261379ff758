// SPDX-License-Identifier: GPL-2.0
/* The receive decision on member frames, through rx_filter (XDP) and rx_filter_tc, and rx_redirect. */
#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "rx_filter.skel.h"
#include "bond.h"
#include "check.h"
#include "configs.h"
#include "mapio.h"
#include "packets.h"
#include "suites.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define TC_ACT_OK	0
#define TC_ACT_SHOT	2
#define TC_ACT_REDIRECT	7
#define NOT_MEMBER	(-1)
#define NO_COUNTER	(-1)
#define ALL_COLLECTING	((1U << NETNS_VETHS) - 1)
#define BUT_SLOT_1	(ALL_COLLECTING & ~(1U << 1))	/* slot 1 out of the aggregate */

static const uint8_t mac_other[6] = { 0x02, 0x00, 0x00, 0x00, 0xcc, 0x3e };

struct rx_env {
	struct rx_filter_bpf *skel;
	int xdp_fd;
	int tc_fd;		/* rx_redirect, behind rx_filter */
	int tc_whole_fd;	/* rx_filter_tc */
	int config_fd;
	int slot_fd;
	int mstats_fd;
	int counters_fd;
};

/* The XDP metadata word rx_filter put before a frame, if any. */
enum rx_mark {
	UNMARKED,
	TAPS_ONLY,	/* XBOND_META_TAPS_ONLY */
	TO_MEMBER,	/* XBOND_META_TO_MEMBER */
	MARK_OTHER,	/* some other word, or of another size */
};

struct rx_case {
	const char *name;
	__u32 mode;
	__u64 grace_until;		/* config.backup_rx_until_ns */
	const uint8_t *bond_mac;	/* NULL: host B, where the samples go */
	int on;				/* member slot the frame arrives on, or NOT_MEMBER */
	pkt_builder build;
	unsigned int arg;
	__u32 verdict;			/* rx_filter's */
	enum rx_mark mark;		/* the XDP metadata it carries */
	int counter;			/* enum xbond_counter that rises by one */
	__u32 collecting;		/* bit per slot: members COLLECTING (and DISTRIBUTING) */
};

/*
 * Member 0 is the active one in every active-backup case. rx_filter_tc makes
 * the same decision: it redirects to the bond what rx_filter passes unmarked,
 * leaves on the member (TC_ACT_OK) what rx_filter marks to-member, and drops
 * the rest, taps-only frames included (taps saw them before tc).
 *
 * Slow protocols: a LACPDU or Marker PDU (0x8809 to 01:80:c2:00:00:02) stays
 * on the member in every mode, whatever the member's role, and counts as
 * received there; only that ethertype to that address is one.
 */
static const struct rx_case cases[] = {
	{ "xor: IPv4 TCP on a member passes",
	  XBOND_MODE_XOR, 0, NULL, 1, pkt_ipv4_tcp, 3000, XDP_PASS, UNMARKED, NO_COUNTER, 0 },
	{ "xor: garbage (ethertype 0x1234) on a member passes",
	  XBOND_MODE_XOR, 0, NULL, 2, pkt_garbage, 77, XDP_PASS, UNMARKED, NO_COUNTER, 0 },
	{ "xor: truncated IPv4 header on a member passes",
	  XBOND_MODE_XOR, 0, NULL, 2, pkt_ipv4_short, 0, XDP_PASS, UNMARKED, NO_COUNTER, 0 },
	{ "xor: Ethernet header only (14 bytes) on a member passes",
	  XBOND_MODE_XOR, 0, NULL, 0, pkt_eth_only, 0x0800, XDP_PASS, UNMARKED, NO_COUNTER, 0 },
	{ "xor: frame with the bond's source MAC is dropped",
	  XBOND_MODE_XOR, 0, pkt_mac_a, 1, pkt_ipv4_tcp, 3001, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_OWN_MAC, 0 },
	{ "xor: frame on a device that is no member passes",
	  XBOND_MODE_XOR, 0, NULL, NOT_MEMBER, pkt_ipv4_tcp, 3002, XDP_PASS, UNMARKED,
	  XBOND_CNT_RX_NOT_MEMBER, 0 },
	{ "active-backup: IPv4 TCP on the active member passes",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 0, pkt_ipv4_tcp, 3003, XDP_PASS, UNMARKED, NO_COUNTER, 0 },
	{ "active-backup: ARP on the active member passes unmarked",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 0, pkt_arp, 0, XDP_PASS, UNMARKED, NO_COUNTER, 0 },
	{ "active-backup: unicast IPv4 on a backup is dropped",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 1, pkt_ipv4_tcp, 3004, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_INACTIVE, 0 },
	{ "active-backup: unicast IPv6 on a backup is dropped",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 2, pkt_ipv6_udp, 3005, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_INACTIVE, 0 },
	{ "active-backup: garbage on a backup is dropped",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 1, pkt_garbage, 78, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_INACTIVE, 0 },
	{ "active-backup: ARP on a backup passes, marked taps-only",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 1, pkt_arp, 0, XDP_PASS, TAPS_ONLY, NO_COUNTER, 0 },
	{ "active-backup: 802.1Q ARP on a backup passes, marked taps-only",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 2, pkt_vlan_arp, 0, XDP_PASS, TAPS_ONLY, NO_COUNTER, 0 },
	{ "active-backup: neighbour solicitation on a backup passes, marked taps-only",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 1, pkt_icmpv6_type, 135, XDP_PASS, TAPS_ONLY,
	  NO_COUNTER, 0 },
	{ "active-backup: router solicitation (133) on a backup passes, marked taps-only",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 1, pkt_icmpv6_type, 133, XDP_PASS, TAPS_ONLY,
	  NO_COUNTER, 0 },
	{ "active-backup: ND redirect (137) on a backup passes, marked taps-only",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 1, pkt_icmpv6_type, 137, XDP_PASS, TAPS_ONLY,
	  NO_COUNTER, 0 },
	{ "active-backup: ICMPv6 type 138 on a backup is dropped",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 1, pkt_icmpv6_type, 138, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_INACTIVE, 0 },
	{ "active-backup: ICMPv6 echo on a backup is dropped",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 1, pkt_icmpv6_type, 128, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_INACTIVE, 0 },
	{ "active-backup: the bond's source MAC on the active member is dropped",
	  XBOND_MODE_ACTIVEBACKUP, 0, pkt_mac_a, 0, pkt_ipv4_tcp, 3006, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_OWN_MAC, 0 },
	{ "active-backup grace: unicast to the bond MAC on a backup passes",
	  XBOND_MODE_ACTIVEBACKUP, UINT64_MAX, NULL, 1, pkt_ipv4_tcp, 3007, XDP_PASS, UNMARKED,
	  XBOND_CNT_RX_BACKUP_GRACE, 0 },
	{ "active-backup grace: broadcast on a backup is still dropped",
	  XBOND_MODE_ACTIVEBACKUP, UINT64_MAX, NULL, 1, pkt_ipv4_udp_bcast, 3008, XDP_DROP,
	  UNMARKED, XBOND_CNT_RX_INACTIVE, 0 },
	{ "active-backup grace: unicast to another MAC on a backup is still dropped",
	  XBOND_MODE_ACTIVEBACKUP, UINT64_MAX, mac_other, 2, pkt_ipv4_tcp, 3009, XDP_DROP,
	  UNMARKED, XBOND_CNT_RX_INACTIVE, 0 },
	{ "active-backup grace over: unicast to the bond MAC on a backup is dropped",
	  XBOND_MODE_ACTIVEBACKUP, 1, NULL, 1, pkt_ipv4_tcp, 3010, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_INACTIVE, 0 },
	/* Slow protocols stay on the member, in every mode. */
	{ "balance-rr: LACPDU on a member stays on the member",
	  XBOND_MODE_ROUNDROBIN, 0, NULL, 1, pkt_slow, 1, XDP_PASS, TO_MEMBER, XBOND_CNT_RX_SLOW, 0 },
	{ "active-backup: LACPDU on the active member stays on the member",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 0, pkt_slow, 1, XDP_PASS, TO_MEMBER,
	  XBOND_CNT_RX_SLOW, 0 },
	{ "active-backup: LACPDU on a backup stays on the member",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 1, pkt_slow, 1, XDP_PASS, TO_MEMBER,
	  XBOND_CNT_RX_SLOW, 0 },
	{ "active-backup: Marker PDU on a backup stays on the member",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 2, pkt_slow, 2, XDP_PASS, TO_MEMBER,
	  XBOND_CNT_RX_SLOW, 0 },
	{ "active-backup grace: LACPDU on a backup stays on the member",
	  XBOND_MODE_ACTIVEBACKUP, UINT64_MAX, NULL, 1, pkt_slow, 1, XDP_PASS, TO_MEMBER,
	  XBOND_CNT_RX_SLOW, 0 },
	{ "xor: LACPDU on a member stays on the member",
	  XBOND_MODE_XOR, 0, NULL, 2, pkt_slow, 1, XDP_PASS, TO_MEMBER, XBOND_CNT_RX_SLOW, 0 },
	{ "xor: Marker PDU on a member stays on the member",
	  XBOND_MODE_XOR, 0, NULL, 0, pkt_slow, 2, XDP_PASS, TO_MEMBER, XBOND_CNT_RX_SLOW, 0 },
	{ "broadcast: LACPDU on a member stays on the member",
	  XBOND_MODE_BROADCAST, 0, NULL, 0, pkt_slow, 1, XDP_PASS, TO_MEMBER, XBOND_CNT_RX_SLOW, 0 },
	{ "802.3ad: LACPDU on a collecting member stays on the member",
	  XBOND_MODE_8023AD, 0, NULL, 0, pkt_slow, 1, XDP_PASS, TO_MEMBER, XBOND_CNT_RX_SLOW,
	  BUT_SLOT_1 },
	{ "802.3ad: LACPDU on a member not collecting stays on the member",
	  XBOND_MODE_8023AD, 0, NULL, 1, pkt_slow, 1, XDP_PASS, TO_MEMBER, XBOND_CNT_RX_SLOW,
	  BUT_SLOT_1 },
	{ "802.3ad: Marker PDU on a member not collecting stays on the member",
	  XBOND_MODE_8023AD, 0, NULL, 1, pkt_slow, 2, XDP_PASS, TO_MEMBER, XBOND_CNT_RX_SLOW,
	  BUT_SLOT_1 },
	{ "802.3ad: LACPDU with no member collecting stays on the member",
	  XBOND_MODE_8023AD, 0, NULL, 2, pkt_slow, 1, XDP_PASS, TO_MEMBER, XBOND_CNT_RX_SLOW, 0 },

	/* Only 0x8809 to 01:80:c2:00:00:02 is a slow protocol: the rest is ordinary traffic. */
	{ "xor: 0x8809 unicast to the bond is ordinary traffic",
	  XBOND_MODE_XOR, 0, NULL, 1, pkt_slow_misaddressed, PKT_SLOW_TO_HOST_B, XDP_PASS,
	  UNMARKED, NO_COUNTER, 0 },
	{ "xor: 0x8809 to 01:80:c2:00:00:03 is ordinary traffic",
	  XBOND_MODE_XOR, 0, NULL, 1, pkt_slow_misaddressed, PKT_SLOW_TO_LAST_BYTE, XDP_PASS,
	  UNMARKED, NO_COUNTER, 0 },
	{ "xor: 0x8809 to 03:80:c2:00:00:02 is ordinary traffic",
	  XBOND_MODE_XOR, 0, NULL, 1, pkt_slow_misaddressed, PKT_SLOW_TO_FIRST_BYTE, XDP_PASS,
	  UNMARKED, NO_COUNTER, 0 },
	{ "xor: 0x8809 broadcast is ordinary traffic",
	  XBOND_MODE_XOR, 0, NULL, 1, pkt_slow_misaddressed, PKT_SLOW_TO_BCAST, XDP_PASS,
	  UNMARKED, NO_COUNTER, 0 },
	{ "xor: LLDP (0x88cc) to 01:80:c2:00:00:02 is ordinary traffic",
	  XBOND_MODE_XOR, 0, NULL, 1, pkt_to_slow_dest, 0x88cc, XDP_PASS, UNMARKED, NO_COUNTER, 0 },
	{ "xor: IPv4 TCP to 01:80:c2:00:00:02 is ordinary traffic",
	  XBOND_MODE_XOR, 0, NULL, 1, pkt_to_slow_dest, 0x0800, XDP_PASS, UNMARKED, NO_COUNTER, 0 },
	{ "active-backup: 0x8809 unicast to the bond on a backup is dropped",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 1, pkt_slow_misaddressed, PKT_SLOW_TO_HOST_B,
	  XDP_DROP, UNMARKED, XBOND_CNT_RX_INACTIVE, 0 },
	{ "active-backup: 0x8808 to 01:80:c2:00:00:02 on a backup is dropped",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 1, pkt_to_slow_dest, 0x8808, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_INACTIVE, 0 },
	{ "802.3ad: 0x8809 unicast to the bond on a collecting member goes to the bond",
	  XBOND_MODE_8023AD, 0, NULL, 0, pkt_slow_misaddressed, PKT_SLOW_TO_HOST_B, XDP_PASS,
	  UNMARKED, NO_COUNTER, BUT_SLOT_1 },
	{ "802.3ad: 0x8809 to 01:80:c2:00:00:03 on a member not collecting is dropped",
	  XBOND_MODE_8023AD, 0, NULL, 1, pkt_slow_misaddressed, PKT_SLOW_TO_LAST_BYTE, XDP_DROP,
	  UNMARKED, XBOND_CNT_RX_NOT_COLLECTING, BUT_SLOT_1 },
	{ "802.3ad: IPv4 TCP to 01:80:c2:00:00:02 on a member not collecting is dropped",
	  XBOND_MODE_8023AD, 0, NULL, 1, pkt_to_slow_dest, 0x0800, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_NOT_COLLECTING, BUT_SLOT_1 },

	/* 802.3ad: what reaches the bond is what the collecting members receive. */
	{ "802.3ad: IPv4 TCP on a collecting member goes to the bond",
	  XBOND_MODE_8023AD, 0, NULL, 0, pkt_ipv4_tcp, 3200, XDP_PASS, UNMARKED, NO_COUNTER,
	  BUT_SLOT_1 },
	{ "802.3ad: IPv6 UDP on a collecting member (slot 2) goes to the bond",
	  XBOND_MODE_8023AD, 0, NULL, 2, pkt_ipv6_udp, 3201, XDP_PASS, UNMARKED, NO_COUNTER,
	  BUT_SLOT_1 },
	{ "802.3ad: IPv4 TCP on a member not collecting is dropped",
	  XBOND_MODE_8023AD, 0, NULL, 1, pkt_ipv4_tcp, 3202, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_NOT_COLLECTING, BUT_SLOT_1 },
	{ "802.3ad: ARP on a member not collecting is dropped (no taps-only)",
	  XBOND_MODE_8023AD, 0, NULL, 1, pkt_arp, 0, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_NOT_COLLECTING, BUT_SLOT_1 },
	{ "802.3ad: broadcast on a member not collecting is dropped",
	  XBOND_MODE_8023AD, 0, NULL, 1, pkt_ipv4_udp_bcast, 3203, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_NOT_COLLECTING, BUT_SLOT_1 },
	{ "802.3ad: garbage on a member not collecting is dropped",
	  XBOND_MODE_8023AD, 0, NULL, 1, pkt_garbage, 79, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_NOT_COLLECTING, BUT_SLOT_1 },
	{ "802.3ad: IPv4 TCP with no member collecting is dropped",
	  XBOND_MODE_8023AD, 0, NULL, 0, pkt_ipv4_tcp, 3204, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_NOT_COLLECTING, 0 },
	{ "802.3ad: slot 2's own bit decides: clear, dropped (mask 0x3)",
	  XBOND_MODE_8023AD, 0, NULL, 2, pkt_ipv4_tcp, 3205, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_NOT_COLLECTING, 0x3 },
	{ "802.3ad: slot 2's own bit decides: set, to the bond (mask 0x4)",
	  XBOND_MODE_8023AD, 0, NULL, 2, pkt_ipv4_tcp, 3206, XDP_PASS, UNMARKED, NO_COUNTER,
	  0x4 },
	{ "802.3ad: the bond's source MAC on a collecting member is dropped",
	  XBOND_MODE_8023AD, 0, pkt_mac_a, 0, pkt_ipv4_tcp, 3207, XDP_DROP, UNMARKED,
	  XBOND_CNT_RX_OWN_MAC, BUT_SLOT_1 },
	{ "802.3ad: frame on a device that is no member passes",
	  XBOND_MODE_8023AD, 0, NULL, NOT_MEMBER, pkt_ipv4_tcp, 3208, XDP_PASS, UNMARKED,
	  XBOND_CNT_RX_NOT_MEMBER, BUT_SLOT_1 },

	/* The collecting mask is 802.3ad's: other modes take frames from every member. */
	{ "xor: IPv4 TCP on a member not collecting goes to the bond",
	  XBOND_MODE_XOR, 0, NULL, 1, pkt_ipv4_tcp, 3209, XDP_PASS, UNMARKED, NO_COUNTER,
	  BUT_SLOT_1 },
	{ "xor: IPv4 TCP with no member collecting goes to the bond",
	  XBOND_MODE_XOR, 0, NULL, 2, pkt_ipv4_tcp, 3210, XDP_PASS, UNMARKED, NO_COUNTER, 0 },
	{ "balance-rr: IPv4 TCP on a member not collecting goes to the bond",
	  XBOND_MODE_ROUNDROBIN, 0, NULL, 1, pkt_ipv4_tcp, 3211, XDP_PASS, UNMARKED, NO_COUNTER,
	  BUT_SLOT_1 },
	{ "broadcast: IPv4 TCP on a member not collecting goes to the bond",
	  XBOND_MODE_BROADCAST, 0, NULL, 1, pkt_ipv4_tcp, 3212, XDP_PASS, UNMARKED, NO_COUNTER,
	  BUT_SLOT_1 },
	{ "active-backup: IPv4 TCP on the active member not collecting goes to the bond",
	  XBOND_MODE_ACTIVEBACKUP, 0, NULL, 0, pkt_ipv4_tcp, 3213, XDP_PASS, UNMARKED,
	  NO_COUNTER, ALL_COLLECTING & ~1U },
};

static int rx_env_open(struct rx_env *env, int bond_ifindex)
{
	int ret;

	env->skel = rx_filter_bpf__open();
	if (!env->skel)
		return -errno;
	env->skel->rodata->bond_ifindex = bond_ifindex;
	ret = xbond_unpin_maps(env->skel->obj);
	if (ret)
		goto fail;
	ret = rx_filter_bpf__load(env->skel);
	if (ret)
		goto fail;
	env->xdp_fd = bpf_program__fd(env->skel->progs.rx_filter);
	env->tc_fd = bpf_program__fd(env->skel->progs.rx_redirect);
	env->tc_whole_fd = bpf_program__fd(env->skel->progs.rx_filter_tc);
	env->config_fd = bpf_map__fd(env->skel->maps.xbond_config);
	env->slot_fd = bpf_map__fd(env->skel->maps.xbond_slot);
	env->mstats_fd = bpf_map__fd(env->skel->maps.xbond_mstats);
	env->counters_fd = bpf_map__fd(env->skel->maps.xbond_counters);
	return 0;
fail:
	rx_filter_bpf__destroy(env->skel);
	env->skel = NULL;
	return ret;
}

struct rx_result {
	__u32 verdict;
	enum rx_mark mark;
	struct stats_snap delta;
};

/* XDP test runs return metadata ahead of the frame, with ctx_out.data its length. */
static int rx_run_xdp(struct rx_env *env, int ifindex, const struct frame *f,
		      struct rx_result *res)
{
	struct xdp_md ctx_in = { .data_end = f->len, .ingress_ifindex = ifindex };
	struct xdp_md ctx_out = { 0 };
	uint8_t out[FRAME_MAX + 256];
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->data, .data_size_in = f->len,
		    .data_out = out, .data_size_out = sizeof(out),
		    .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in),
		    .ctx_out = &ctx_out, .ctx_size_out = sizeof(ctx_out), .repeat = 1);
	__u32 meta = 0;
	int ret;

	ret = run_counted(env->xdp_fd, &opts, env->mstats_fd, env->counters_fd, &res->delta);
	if (ret)
		return ret;
	res->verdict = opts.retval;
	if (!ctx_out.data) {
		res->mark = UNMARKED;
		return 0;
	}
	if (ctx_out.data == sizeof(meta))
		memcpy(&meta, out, sizeof(meta));
	res->mark = meta == XBOND_META_TAPS_ONLY ? TAPS_ONLY :
		    meta == XBOND_META_TO_MEMBER ? TO_MEMBER : MARK_OTHER;
	return 0;
}

/* tc test runs take the device from ctx.ifindex, which tc ingress reads as the member. */
static int rx_run_tc(struct rx_env *env, int ifindex, const struct frame *f,
		     struct rx_result *res)
{
	struct __sk_buff ctx_in = { .ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->data, .data_size_in = f->len,
		    .ctx_in = &ctx_in, .ctx_size_in = sizeof(ctx_in), .repeat = 1);
	int ret;

	ret = run_counted(env->tc_whole_fd, &opts, env->mstats_fd, env->counters_fd, &res->delta);
	if (ret)
		return ret;
	res->verdict = opts.retval;
	res->mark = UNMARKED;
	return 0;
}

/* Exactly the stats the case names moved, and nothing else. */
static bool stats_ok(const struct rx_case *c, const struct frame *f, const struct stats_snap *d)
{
	unsigned int i;

	for (i = 0; i < XBOND_CNT_MAX; i++)
		if (!expect_true(d->cnt[i] == ((int)i == c->counter),
				 "counter %u: expected +%d, got +%llu", i, (int)i == c->counter,
				 (unsigned long long)d->cnt[i]))
			return false;
	for (i = 0; i < XBOND_MAX_MEMBERS; i++) {
		bool here = (int)i == c->on;
		bool pass = c->verdict == XDP_PASS;

		if (!expect_true(d->m[i].rx_packets == (here && pass) &&
				 d->m[i].rx_bytes == (here && pass ? f->len : 0) &&
				 d->m[i].rx_dropped == (here && !pass) && !d->m[i].tx_packets,
				 "member %u: rx_packets +%llu, rx_bytes +%llu, rx_dropped +%llu", i,
				 (unsigned long long)d->m[i].rx_packets,
				 (unsigned long long)d->m[i].rx_bytes,
				 (unsigned long long)d->m[i].rx_dropped))
			return false;
	}
	return true;
}

/* The case's config is live and its frame built; ifindex is where it arrives. */
static bool rx_case_prepare(struct rx_env *env, const struct netns_env *ns,
			    const struct rx_case *c, struct frame *f, int *ifindex)
{
	struct cfg_spec spec = { .mode = c->mode, .hash_policy = XBOND_HASH_LAYER34,
				 .n_members = NETNS_VETHS, .ifindex = ns->member,
				 .backup_rx_until_ns = c->grace_until,
				 .collecting = c->collecting, .distributing = c->collecting };
	struct xbond_config cfg;

	cfg_build(&spec, &cfg);
	if (c->bond_mac)
		memcpy(cfg.bond_mac, c->bond_mac, sizeof(cfg.bond_mac));
	pkt_build(f, c->build, c->arg);
	*ifindex = c->on == NOT_MEMBER ? ns->peer[0] : ns->member[c->on];
	return expect_ok("install config", config_install(env->config_fd, env->slot_fd, &cfg)) &&
	       expect_eq("config active", 0, cfg.active) &&
	       expect_eq("config collecting mask", c->collecting, cfg.collecting);
}

static const char *const mark_name[] = {
	[UNMARKED] = "none", [TAPS_ONLY] = "taps-only", [TO_MEMBER] = "to-member",
	[MARK_OTHER] = "another word",
};

static bool rx_case_ok(struct rx_env *env, const struct netns_env *ns, const struct rx_case *c)
{
	struct rx_result res;
	struct frame f;
	int ifindex;

	return rx_case_prepare(env, ns, c, &f, &ifindex) &&
	       expect_ok("BPF_PROG_RUN", rx_run_xdp(env, ifindex, &f, &res)) &&
	       expect_eq("verdict", c->verdict, res.verdict) &&
	       expect_true(res.mark == c->mark, "XDP metadata: expected %s, got %s",
			   mark_name[c->mark], mark_name[res.mark]) &&
	       stats_ok(c, &f, &res.delta);
}

/* tc test runs refuse an IPv4 or IPv6 ethertype with less than the IP header (EINVAL). */
static bool tc_can_run(const struct rx_case *c)
{
	return c->build != pkt_ipv4_short &&
	       !(c->build == pkt_eth_only && (c->arg == 0x0800 || c->arg == 0x86dd));
}

static const char *tc_outcome(const struct rx_case *c)
{
	if (c->verdict != XDP_PASS)
		return "dropped";
	if (c->mark == TO_MEMBER)
		return "stays on the member";
	return c->mark == TAPS_ONLY ? "taps saw it, then dropped" : "to the bond";
}

static bool rx_tc_case_ok(struct rx_env *env, const struct netns_env *ns,
			  const struct rx_case *c)
{
	__u32 want = c->verdict != XDP_PASS ? TC_ACT_SHOT :
		     c->mark == UNMARKED ? TC_ACT_REDIRECT :
		     c->mark == TO_MEMBER ? TC_ACT_OK : TC_ACT_SHOT;
	struct rx_result res;
	struct frame f;
	int ifindex;

	return rx_case_prepare(env, ns, c, &f, &ifindex) &&
	       expect_ok("BPF_PROG_RUN", rx_run_tc(env, ifindex, &f, &res)) &&
	       expect_eq("verdict", want, res.verdict) &&
	       stats_ok(c, &f, &res.delta);
}

/* rx_redirect: without the taps-only mark, everything goes to the bond. */
static void redirect(struct rx_env *env)
{
	struct frame f;
	LIBBPF_OPTS(bpf_test_run_opts, opts, .repeat = 1);
	bool ok;

	pkt_build(&f, pkt_ipv4_tcp, 3100);
	opts.data_in = f.data;
	opts.data_size_in = f.len;
	ok = expect_ok("BPF_PROG_RUN", bpf_prog_test_run_opts(env->tc_fd, &opts)) &&
	     expect_eq("retval", TC_ACT_REDIRECT, opts.retval);
	test_report(ok, "rx_redirect: an unmarked frame is redirected to the bond");
}

void test_rx(const struct netns_env *ns)
{
	struct rx_env env;
	unsigned int i;

	/* The bond itself is not needed: no test run follows the redirect. */
	if (!expect_ok("load rx_filter", rx_env_open(&env, ns->peer[2]))) {
		test_report(false, "rx_filter loads");
		return;
	}
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		test_report(rx_case_ok(&env, ns, &cases[i]), "rx %s", cases[i].name);
	for (i = 0; i < ARRAY_SIZE(cases); i++)
		if (tc_can_run(&cases[i]))
			test_report(rx_tc_case_ok(&env, ns, &cases[i]), "rx tc (%s) %s",
				    tc_outcome(&cases[i]), cases[i].name);
	redirect(&env);
	rx_filter_bpf__destroy(env.skel);
}
