// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: random and mutated frames through tx_select, rx_filter
 * (XDP) and rx_filter_tc under BPF_PROG_RUN, with the skeletons loaded on
 * unpinned maps and fixed configs built by the library, as
 * selftests/prog_run does. Needs root: it loads BPF and makes its own netns.
 *
 * tx_select must return TC_ACT_SHOT or TC_ACT_REDIRECT, and a frame it sends
 * must leave on usable members only (those in tx_members): one in
 * balance-rr and balance-xor, the active one in active-backup, every one in
 * broadcast. The receive programs must decide as the design says: our own
 * source MAC is dropped; on an active-backup backup only ARP and ND pass
 * (marked taps-only; tc drops them after the taps), and unicast to the
 * bond's MAC only in the grace window; everything else goes to the bond.
 * Only the member the frame came in on counts it.
 *
 * Input: byte 0 picks the config, byte 1 the device the frame arrives on
 * (a member slot, or a device that is no member), byte 2 bit 0 rx_filter_tc
 * instead of rx_filter; the rest is the frame.
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "rx_filter.skel.h"
#include "tx_select.skel.h"
#include "bond.h"
#include "configs.h"
#include "log.h"
#include "mapio.h"
#include "netns.h"
#include "packets.h"
#include "tx_run.h"

#define TC_ACT_SHOT	2
#define TC_ACT_REDIRECT	7
#define FRAME_MIN	14
#define FRAME_LIMIT	FRAME_MAX	/* struct frame holds no more */
#define ARRIVE_NOT_MEMBER	NETNS_VETHS

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* What an input broke, with enough to read the verdict by hand; abort keeps the input. */
#define INVARIANT(cond, ...) do {						\
	if (!(cond)) {								\
		fprintf(stderr, "invariant broken (config %u: %s): ", cfg_index,	\
			specs[cfg_index].name);					\
		fprintf(stderr, __VA_ARGS__);					\
		fputc('\n', stderr);						\
		abort();							\
	}									\
} while (0)

struct fuzz_spec {
	const char *name;
	__u32 mode, hash;
	__u32 down_mask;
	__u64 grace_until;
};

static const struct fuzz_spec specs[] = {
	{ "balance-rr", XBOND_MODE_ROUNDROBIN, XBOND_HASH_LAYER2, 0, 0 },
	{ "balance-rr, member 1 down", XBOND_MODE_ROUNDROBIN, XBOND_HASH_LAYER2, 0x2, 0 },
	{ "active-backup", XBOND_MODE_ACTIVEBACKUP, XBOND_HASH_LAYER2, 0, 0 },
	{ "active-backup in the grace window", XBOND_MODE_ACTIVEBACKUP, XBOND_HASH_LAYER2, 0,
	  UINT64_MAX },
	{ "active-backup, member 0 down", XBOND_MODE_ACTIVEBACKUP, XBOND_HASH_LAYER2, 0x1, 0 },
	{ "active-backup, member 0 down, grace", XBOND_MODE_ACTIVEBACKUP, XBOND_HASH_LAYER2, 0x1,
	  UINT64_MAX },
	{ "active-backup, all down", XBOND_MODE_ACTIVEBACKUP, XBOND_HASH_LAYER2, 0x7, 0 },
	{ "balance-xor layer3+4", XBOND_MODE_XOR, XBOND_HASH_LAYER34, 0, 0 },
	{ "balance-xor layer2, member 2 down", XBOND_MODE_XOR, XBOND_HASH_LAYER2, 0x4, 0 },
	{ "balance-xor layer2+3", XBOND_MODE_XOR, XBOND_HASH_LAYER23, 0, 0 },
	{ "balance-xor, all down", XBOND_MODE_XOR, XBOND_HASH_LAYER23, 0x7, 0 },
	{ "broadcast", XBOND_MODE_BROADCAST, XBOND_HASH_LAYER2, 0, 0 },
	{ "broadcast, member 0 down", XBOND_MODE_BROADCAST, XBOND_HASH_LAYER2, 0x1, 0 },
};
#define N_SPECS	(sizeof(specs) / sizeof(specs[0]))

static struct netns_env ns;
static struct tx_env tx;
static struct rx_filter_bpf *rx;
static int rx_xdp_fd, rx_tc_fd, rx_config_fd, rx_slot_fd, rx_mstats_fd, rx_counters_fd;
static struct xbond_config configs[N_SPECS];
static unsigned int cfg_index, installed = N_SPECS;

static void die(const char *what, int err)
{
	fprintf(stderr, "fuzz_frames: %s: %s (needs root)\n", what, strerror(err < 0 ? -err : err));
	exit(1);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	unsigned int i;
	int ret;

	(void)argc;
	(void)argv;
	xbond_log_level = XBOND_LOG_WARN;
	ret = netns_setup(&ns);
	if (ret)
		die("netns and veths", ret);
	ret = tx_env_open(&tx);
	if (ret)
		die("load tx_select", ret);
	rx = rx_filter_bpf__open();
	if (!rx)
		die("open rx_filter", errno);
	rx->rodata->bond_ifindex = ns.peer[2];
	ret = xbond_unpin_maps(rx->obj);
	if (!ret)
		ret = rx_filter_bpf__load(rx);
	if (ret)
		die("load rx_filter", ret);
	rx_xdp_fd = bpf_program__fd(rx->progs.rx_filter);
	rx_tc_fd = bpf_program__fd(rx->progs.rx_filter_tc);
	rx_config_fd = bpf_map__fd(rx->maps.xbond_config);
	rx_slot_fd = bpf_map__fd(rx->maps.xbond_slot);
	rx_mstats_fd = bpf_map__fd(rx->maps.xbond_mstats);
	rx_counters_fd = bpf_map__fd(rx->maps.xbond_counters);
	for (i = 0; i < N_SPECS; i++) {
		struct cfg_spec spec = { .mode = specs[i].mode, .hash_policy = specs[i].hash,
					 .packets_per_member = 1, .n_members = NETNS_VETHS,
					 .down_mask = specs[i].down_mask, .ifindex = ns.member,
					 .backup_rx_until_ns = specs[i].grace_until };

		cfg_build(&spec, &configs[i]);
	}
	return 0;
}

static bool in_tx_members(const struct xbond_config *cfg, unsigned int slot)
{
	unsigned int i;

	for (i = 0; i < cfg->n_tx && i < XBOND_MAX_MEMBERS; i++)
		if (cfg->tx_members[i] == slot)
			return true;
	return false;
}

static void check_tx(const struct xbond_config *cfg, const uint8_t *frame, size_t len)
{
	struct frame f = { .len = len };
	struct tx_result res;
	unsigned int i, moved = 0;
	int ret;

	memcpy(f.data, frame, len);
	ret = tx_run(&tx, &f, &res);
	/* tc runs refuse an IP ethertype without the IP header: not ours to judge. */
	if (ret == -EINVAL)
		return;
	INVARIANT(!ret, "tx BPF_PROG_RUN: %s", strerror(-ret));
	INVARIANT(res.retval == TC_ACT_SHOT || res.retval == TC_ACT_REDIRECT,
		  "tx_select returned %u", res.retval);
	for (i = 0; i < XBOND_MAX_MEMBERS; i++) {
		if (!res.delta.m[i].tx_packets)
			continue;
		moved++;
		INVARIANT(in_tx_members(cfg, i), "tx went out on member %u, not in tx_members", i);
		INVARIANT(res.delta.m[i].tx_packets == 1, "member %u sent %llu copies", i,
			  (unsigned long long)res.delta.m[i].tx_packets);
	}
	if (!cfg->n_tx)
		INVARIANT(res.retval == TC_ACT_SHOT, "no usable member, yet tx_select redirected");
	if (res.retval == TC_ACT_SHOT && cfg->mode != XBOND_MODE_BROADCAST)
		INVARIANT(!moved, "dropped, yet %u members counted it", moved);
	if (res.retval != TC_ACT_REDIRECT)
		return;
	switch (cfg->mode) {
	case XBOND_MODE_BROADCAST:
		INVARIANT(moved + res.delta.cnt[XBOND_CNT_TX_CLONE_FAIL] == cfg->n_tx,
			  "broadcast reached %u of %u members", moved, cfg->n_tx);
		break;
	case XBOND_MODE_ACTIVEBACKUP:
		INVARIANT(moved == 1 && res.member == cfg->active,
			  "active-backup sent on %d, the active is %u", res.member, cfg->active);
		break;
	default:
		INVARIANT(moved == 1, "sent on %u members", moved);
	}
}

/* ARP, or ICMPv6 neighbour discovery (133..137), behind up to two VLAN tags. */
static bool is_arp_or_nd(const uint8_t *p, size_t len)
{
	size_t off = 12;
	uint16_t proto;
	int tags;

	proto = p[off] << 8 | p[off + 1];
	off += 2;
	for (tags = 0; tags < 2 && (proto == 0x8100 || proto == 0x88a8) && off + 4 <= len; tags++) {
		proto = p[off + 2] << 8 | p[off + 3];
		off += 4;
	}
	if (proto == 0x0806)
		return true;
	if (proto != 0x86dd || off + 40 + 8 > len || p[off + 6] != 58)
		return false;
	return p[off + 40] >= 133 && p[off + 40] <= 137;
}

enum expect { TO_BOND, TAPS_ONLY, DROP };

/* The receive decision, written out from the design rather than the BPF code. */
static enum expect rx_expect(const struct xbond_config *cfg, int slot, const uint8_t *p,
			     size_t len)
{
	bool grace = cfg->backup_rx_until_ns == UINT64_MAX;

	if (slot == ARRIVE_NOT_MEMBER)
		return TO_BOND;
	if (!memcmp(p + 6, cfg->bond_mac, 6))
		return DROP;
	if (cfg->mode != XBOND_MODE_ACTIVEBACKUP || slot == cfg->active)
		return TO_BOND;
	if (is_arp_or_nd(p, len))
		return TAPS_ONLY;
	if (!memcmp(p, cfg->bond_mac, 6) && grace)
		return TO_BOND;
	return DROP;
}

static const char *expect_name(enum expect e)
{
	return e == TO_BOND ? "to the bond" : e == TAPS_ONLY ? "taps only" : "drop";
}

static void check_rx(const struct xbond_config *cfg, int slot, bool tc, const uint8_t *p,
		     size_t len)
{
	int ifindex = slot == ARRIVE_NOT_MEMBER ? ns.peer[0] : ns.member[slot];
	enum expect decision = rx_expect(cfg, slot, p, len), want = decision, got;
	uint8_t out[FRAME_LIMIT + 256];
	struct xdp_md xctx_in = { .data_end = len, .ingress_ifindex = ifindex }, xctx_out = {};
	struct __sk_buff sctx_in = { .ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = p, .data_size_in = len, .repeat = 1);
	struct stats_snap delta;
	unsigned int i;
	__u32 meta = 0;
	int ret;

	if (tc) {
		opts.ctx_in = &sctx_in;
		opts.ctx_size_in = sizeof(sctx_in);
	} else {
		opts.data_out = out;
		opts.data_size_out = sizeof(out);
		opts.ctx_in = &xctx_in;
		opts.ctx_size_in = sizeof(xctx_in);
		opts.ctx_out = &xctx_out;
		opts.ctx_size_out = sizeof(xctx_out);
	}
	ret = run_counted(tc ? rx_tc_fd : rx_xdp_fd, &opts, rx_mstats_fd, rx_counters_fd, &delta);
	if (ret == -EINVAL)
		return;
	INVARIANT(!ret, "rx BPF_PROG_RUN: %s", strerror(-ret));
	if (tc) {
		INVARIANT(opts.retval == TC_ACT_SHOT || opts.retval == TC_ACT_REDIRECT,
			  "rx_filter_tc returned %u", opts.retval);
		got = opts.retval == TC_ACT_REDIRECT ? TO_BOND : DROP;
		if (want == TAPS_ONLY)
			want = DROP;	/* the taps saw it before tc ingress */
	} else {
		INVARIANT(opts.retval == XDP_PASS || opts.retval == XDP_DROP,
			  "rx_filter returned %u", opts.retval);
		if (xctx_out.data == sizeof(meta))
			memcpy(&meta, out, sizeof(meta));
		got = opts.retval == XDP_DROP ? DROP :
		      meta == XBOND_META_TAPS_ONLY ? TAPS_ONLY : TO_BOND;
	}
	INVARIANT(got == want, "%s on %s %d: got %s, want %s", tc ? "rx_filter_tc" : "rx_filter",
		  slot == ARRIVE_NOT_MEMBER ? "non-member" : "member", slot, expect_name(got),
		  expect_name(want));
	for (i = 0; i < XBOND_MAX_MEMBERS; i++) {
		/* What taps saw counts as received, even where tc drops it after them. */
		bool here = slot != ARRIVE_NOT_MEMBER && (int)i == slot, dropped = decision == DROP;

		INVARIANT(delta.m[i].rx_packets == (here && !dropped) &&
			  delta.m[i].rx_dropped == (here && dropped) && !delta.m[i].tx_packets,
			  "member %u's counters: rx +%llu, dropped +%llu", i,
			  (unsigned long long)delta.m[i].rx_packets,
			  (unsigned long long)delta.m[i].rx_dropped);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *frame = data + 3;
	size_t len = size - 3;
	int slot, ret;

	if (size < 3 + FRAME_MIN || len > FRAME_LIMIT)
		return 0;
	cfg_index = data[0] % N_SPECS;
	slot = data[1] % (NETNS_VETHS + 1);
	if (installed != cfg_index) {
		ret = config_install(tx.config_fd, tx.slot_fd, &configs[cfg_index]);
		if (!ret)
			ret = config_install(rx_config_fd, rx_slot_fd, &configs[cfg_index]);
		INVARIANT(!ret, "install config: %s", strerror(-ret));
		installed = cfg_index;
	}
	check_tx(&configs[cfg_index], frame, len);
	check_rx(&configs[cfg_index], slot, data[2] & 1, frame, len);
	return 0;
}
