// SPDX-License-Identifier: GPL-2.0
/* Per-packet cost of tx_select and the receive programs with BPF_PROG_RUN, each next to an empty program run alongside.
 *
 *   prog_cost [-j] [-n REPEAT]     -j: one JSON object a line
 */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "maps/xbond_abi.h"
#include "bond.h"
#include "nl.h"
#include "names.h"
#include "tx_select.skel.h"
#include "rx_filter.skel.h"
#include "empty.skel.h"

#define ROUNDS	5
#define TC_ACT_SHOT	2
#define TC_ACT_REDIRECT	7

static unsigned int repeat = 2000000;

/* A 64-byte IPv4 TCP frame from 02:..:01 to 02:..:02. */
static void make_frame(unsigned char *f, size_t len)
{
	static const unsigned char hdr[] = {
		2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x08, 0x00,		/* Ethernet */
		0x45, 0, 0, 50, 0, 0, 0x40, 0, 64, 6, 0, 0,		/* IPv4, TCP */
		10, 0, 0, 1, 10, 0, 0, 2,
		0x9c, 0x40, 0x01, 0xbb, 0, 0, 0, 1, 0, 0, 0, 0,		/* TCP 40000 -> 443 */
		0x50, 0x10, 0xff, 0xff, 0, 0, 0, 0,
	};

	memset(f, 0, len);
	memcpy(f, hdr, sizeof(hdr));
}

/* ns per run of one round of repeat runs, as the kernel times it: in whole ns,
 * but without the time the round was preempted, and without XDP's dispatcher
 * update around the round, which a clock in userspace would count. */
static double run_once(int prog_fd, void *frame, size_t len, const void *ctx, size_t ctx_size)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .repeat = repeat, .ctx_in = ctx, .ctx_size_in = ctx_size);

	if (bpf_prog_test_run_opts(prog_fd, &opts)) {
		fprintf(stderr, "prog_cost: BPF_PROG_RUN: %s\n", strerror(errno));
		exit(1);
	}
	return opts.duration;
}

/* One run first: the path measured must be the one the case names (a config
 * that drops where it should send would time the drop). */
static void check_path(int prog_fd, void *frame, size_t len, const void *ctx, size_t ctx_size,
		       __u32 want, const char *what)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = frame, .data_size_in = len,
		    .repeat = 1, .ctx_in = ctx, .ctx_size_in = ctx_size);

	if (bpf_prog_test_run_opts(prog_fd, &opts) || opts.retval != want) {
		fprintf(stderr, "prog_cost: %s: returned %u, not %u\n", what, opts.retval, want);
		exit(1);
	}
}

static int cmp_double(const void *a, const void *b)
{
	return (*(const double *)a > *(const double *)b) - (*(const double *)a < *(const double *)b);
}

/* Median ns per run of a program and of the empty one, in alternate rounds so
 * that both see the same frequency and the same neighbours. */
static void cost(int prog_fd, int empty_fd, void *frame, size_t len, const void *ctx,
		 size_t ctx_size, double *ns, double *floor_ns)
{
	double runs[ROUNDS], floors[ROUNDS];
	int i;

	for (i = 0; i < ROUNDS; i++) {
		floors[i] = run_once(empty_fd, frame, len, ctx, ctx_size);
		runs[i] = run_once(prog_fd, frame, len, ctx, ctx_size);
	}
	qsort(runs, ROUNDS, sizeof(double), cmp_double);
	qsort(floors, ROUNDS, sizeof(double), cmp_double);
	*ns = runs[ROUNDS / 2];
	*floor_ns = floors[ROUNDS / 2];
}

/* empty: "XDP" or "tc", the kind of program prog is and is measured against. */
static void report(int json, const char *prog, const char *mode, const char *variant,
		   const char *empty, double ns, double floor_ns)
{
	if (json)
		printf("{\"prog\":\"%s\",\"mode\":\"%s\",\"variant\":\"%s\",\"ns\":%.0f,"
		       "\"empty\":\"%s\",\"empty_ns\":%.0f,\"ratio\":%.3f}\n", prog, mode,
		       variant, ns, empty, floor_ns, ns / floor_ns);
	else
		printf("%-12s %-13s %-14s %4.0f ns  %.2fx the empty %-3s program (%.0f ns)\n",
		       prog, mode, variant, ns, ns / floor_ns, empty, floor_ns);
}

/*
 * Two usable members, configured as xbondload would: both config copies. In
 * 802.3ad, the members in lacp are collecting and distributing, as the
 * monitor's LACP mux leaves them once aggregated.
 */
static void configure(int config_fd, int slot_fd, unsigned int mode, unsigned int hash,
		      const int *ifindex, unsigned int lacp)
{
	struct xbond_member members[XBOND_MAX_MEMBERS] = {};
	struct xbond_config live = {}, cfg;
	struct xbond_bond bond = {
		.mode = mode, .hash_policy = hash, .packets_per_member = 1,
		.primary = XBOND_NO_MEMBER, .active = XBOND_NO_MEMBER,
		.mac = { 2, 0, 0, 0, 0, 9 },
	};
	__u32 key;
	int i;

	memset(bond.home, XBOND_NO_MEMBER, sizeof(bond.home));
	for (i = 0; i < 2; i++) {
		members[i].ifindex = ifindex[i];
		members[i].flags = XBOND_MEMBER_CARRIER | XBOND_MEMBER_ADMIN_UP;
		if (lacp & (1U << i))
			members[i].flags |= XBOND_MEMBER_COLLECTING | XBOND_MEMBER_DISTRIBUTING;
	}
	xbond_build_config(&bond, members, &live, 0, &cfg);
	for (key = 0; key < 2; key++)
		bpf_map_update_elem(config_fd, &key, &cfg, BPF_ANY);
	key = 0;
	bpf_map_update_elem(slot_fd, &key, &key, BPF_ANY);
}

int main(int argc, char **argv)
{
	static const struct { unsigned int mode, hash; } tx_cases[] = {
		{ XBOND_MODE_ACTIVEBACKUP, XBOND_HASH_LAYER2 },
		{ XBOND_MODE_ROUNDROBIN, XBOND_HASH_LAYER2 },
		{ XBOND_MODE_XOR, XBOND_HASH_LAYER2 },
		{ XBOND_MODE_XOR, XBOND_HASH_LAYER23 },
		{ XBOND_MODE_XOR, XBOND_HASH_LAYER34 },
		{ XBOND_MODE_BROADCAST, XBOND_HASH_LAYER2 },
		{ XBOND_MODE_8023AD, XBOND_HASH_LAYER34 },
	};
	unsigned char frame[64];
	struct tx_select_bpf *tx;
	struct rx_filter_bpf *rx;
	struct empty_bpf *empty;
	struct xbond_link link;
	/*
	 * on: the member the frame arrives on. lacp: in 802.3ad, the members
	 * collecting; member 1 out of it is the drop of a member not collecting.
	 */
	static const struct {
		unsigned int mode;
		int on;
		unsigned int lacp;
		const char *variant;
		int pass;	/* to the bond; else dropped */
	} rx_cases[] = {
		{ XBOND_MODE_ROUNDROBIN, 0, 0, "", 1 },
		{ XBOND_MODE_ACTIVEBACKUP, 0, 0, "", 1 },
		{ XBOND_MODE_ACTIVEBACKUP, 1, 0, "backup", 0 },
		{ XBOND_MODE_XOR, 0, 0, "", 1 },
		{ XBOND_MODE_BROADCAST, 0, 0, "", 1 },
		{ XBOND_MODE_8023AD, 0, 0x1, "", 1 },
		{ XBOND_MODE_8023AD, 1, 0x1, "not collecting", 0 },
	};
	struct xdp_md xdp_ctx = {};
	struct __sk_buff skb_ctx = {};
	int ifindex[2], json = 0, opt;
	double floor_ns, ns;
	unsigned int i;

	while ((opt = getopt(argc, argv, "jn:")) != -1) {
		if (opt == 'j')
			json = 1;
		else if (opt == 'n' && atoi(optarg) > 0)
			repeat = atoi(optarg);
		else {
			fprintf(stderr, "usage: prog_cost [-j] [-n REPEAT]\n");
			return 2;
		}
	}

	/* A namespace of our own, with two veth ends for ifindexes to use. */
	if (unshare(CLONE_NEWNET) ||
	    nl_veth_create("bench0", "bench1", (unsigned char[]){ 2, 0, 0, 0, 0, 9 }, 1500) ||
	    nl_link_get("bench0", 0, &link)) {
		fprintf(stderr, "prog_cost: cannot set up a namespace: %s\n", strerror(errno));
		return 1;
	}
	ifindex[0] = link.ifindex;
	nl_link_get("bench1", 0, &link);
	ifindex[1] = link.ifindex;
	nl_link_set(ifindex[0], &(struct nl_link_change){ .up = 1 });
	nl_link_set(ifindex[1], &(struct nl_link_change){ .up = 1 });

	tx = tx_select_bpf__open();
	rx = rx_filter_bpf__open();
	empty = empty_bpf__open_and_load();
	if (!tx || !rx || !empty)
		return 1;
	if (xbond_unpin_maps(tx->obj) || xbond_unpin_maps(rx->obj) ||
	    tx_select_bpf__load(tx) || rx_filter_bpf__load(rx))
		return 1;

	make_frame(frame, sizeof(frame));
	for (i = 0; i < sizeof(tx_cases) / sizeof(tx_cases[0]); i++) {
		configure(bpf_map__fd(tx->maps.xbond_config), bpf_map__fd(tx->maps.xbond_slot),
			  tx_cases[i].mode, tx_cases[i].hash, ifindex, 0x3);
		check_path(bpf_program__fd(tx->progs.tx_select), frame, sizeof(frame), NULL, 0,
			   TC_ACT_REDIRECT, xbond_mode_name(tx_cases[i].mode));
		cost(bpf_program__fd(tx->progs.tx_select), bpf_program__fd(empty->progs.empty_tc),
		     frame, sizeof(frame), NULL, 0, &ns, &floor_ns);
		report(json, "tx_select", xbond_mode_name(tx_cases[i].mode),
		       tx_cases[i].mode == XBOND_MODE_XOR || tx_cases[i].mode == XBOND_MODE_8023AD ?
		       xbond_hash_name(tx_cases[i].hash) : "",
		       "tc", ns, floor_ns);
	}

	/*
	 * rx: a frame on member 0, the active one where there is one; then on
	 * member 1, a backup, or in 802.3ad a member not collecting. rx_filter
	 * (native XDP) and rx_filter_tc (all of the receive path in tc ingress)
	 * make the same decision; tc test runs take the member from ctx.ifindex.
	 * XDP test runs take ctx.data_end as the frame's linear part (the rest
	 * goes to fragments): 0 would time rx_filter on an empty frame.
	 */
	xdp_ctx.data_end = sizeof(frame);
	for (i = 0; i < sizeof(rx_cases) / sizeof(rx_cases[0]); i++) {
		xdp_ctx.ingress_ifindex = ifindex[rx_cases[i].on];
		skb_ctx.ifindex = ifindex[rx_cases[i].on];
		configure(bpf_map__fd(rx->maps.xbond_config), bpf_map__fd(rx->maps.xbond_slot),
			  rx_cases[i].mode, XBOND_HASH_LAYER2, ifindex, rx_cases[i].lacp);
		check_path(bpf_program__fd(rx->progs.rx_filter), frame, sizeof(frame), &xdp_ctx,
			   sizeof(xdp_ctx), rx_cases[i].pass ? XDP_PASS : XDP_DROP,
			   xbond_mode_name(rx_cases[i].mode));
		check_path(bpf_program__fd(rx->progs.rx_filter_tc), frame, sizeof(frame), &skb_ctx,
			   sizeof(skb_ctx), rx_cases[i].pass ? TC_ACT_REDIRECT : TC_ACT_SHOT,
			   xbond_mode_name(rx_cases[i].mode));
		cost(bpf_program__fd(rx->progs.rx_filter), bpf_program__fd(empty->progs.empty_xdp),
		     frame, sizeof(frame), &xdp_ctx, sizeof(xdp_ctx), &ns, &floor_ns);
		report(json, "rx_filter", xbond_mode_name(rx_cases[i].mode), rx_cases[i].variant,
		       "XDP", ns, floor_ns);
		cost(bpf_program__fd(rx->progs.rx_filter_tc), bpf_program__fd(empty->progs.empty_tc),
		     frame, sizeof(frame), &skb_ctx, sizeof(skb_ctx), &ns, &floor_ns);
		report(json, "rx_filter_tc", xbond_mode_name(rx_cases[i].mode),
		       rx_cases[i].variant, "tc", ns, floor_ns);
	}
	/* The hand-over behind native XDP: an unmarked frame, to the bond. */
	cost(bpf_program__fd(rx->progs.rx_redirect), bpf_program__fd(empty->progs.empty_tc),
	     frame, sizeof(frame), NULL, 0, &ns, &floor_ns);
	report(json, "rx_redirect", "", "", "tc", ns, floor_ns);
	tx_select_bpf__destroy(tx);
	rx_filter_bpf__destroy(rx);
	empty_bpf__destroy(empty);
	return 0;
}
