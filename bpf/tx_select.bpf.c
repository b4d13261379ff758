// SPDX-License-Identifier: GPL-2.0
/* tc egress on the logical interface: pick the member(s) a frame leaves on, and redirect it there. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "maps/xbond_abi.h"
#include "maps/xbond_maps.bpf.h"
#include "xbond_proto.bpf.h"
#include "xbond_parse.bpf.h"

/* Headers the hash may read: Ethernet, two tags, IPv6, ICMP, inner IPv6, ports. */
#define XBOND_HASH_HDR_MAX	(14 + 8 + 40 + 8 + 40 + 8)

/* Key 0: per-CPU balance-rr packet counter (per CPU, like the kernel's). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} xbond_rr SEC(".maps");

static __always_inline void count_tx(__u32 member, __u32 bytes)
{
	struct xbond_member_stats *stats = xbond_member_stats(member);

	if (stats) {
		stats->tx_packets++;
		stats->tx_bytes += bytes;
	}
}

static __always_inline __u32 pick_rr(const struct xbond_config *cfg)
{
	__u32 zero = 0, *counter, ppm, turn;

	counter = bpf_map_lookup_elem(&xbond_rr, &zero);
	if (!counter || !cfg->n_tx)
		return XBOND_NO_MEMBER;
	ppm = cfg->packets_per_member ? cfg->packets_per_member : 1;
	turn = (*counter)++ / ppm % cfg->n_tx;
	if (turn >= XBOND_MAX_MEMBERS)
		return XBOND_NO_MEMBER;
	return cfg->tx_members[turn];
}

static __always_inline __u32 pick_xor(struct __sk_buff *skb, const struct xbond_config *cfg)
{
	void *data = (void *)(long)skb->data;
	void *end = (void *)(long)skb->data_end;

	/* Headers are linear on the stack's own output; pull only if not. */
	if (data + XBOND_HASH_HDR_MAX > end && skb->len > end - data) {
		bpf_skb_pull_data(skb, XBOND_HASH_HDR_MAX);
		data = (void *)(long)skb->data;
		end = (void *)(long)skb->data_end;
	}
	return cfg->buckets[xbond_hash(data, end, cfg->hash_policy) & (XBOND_BUCKETS - 1)];
}

/* A copy to every usable member but the last, which takes the original. */
static __always_inline int send_broadcast(struct __sk_buff *skb, const struct xbond_config *cfg)
{
	__u32 i, last = XBOND_NO_MEMBER;

	for (i = 0; i < XBOND_MAX_MEMBERS && i < cfg->n_tx; i++) {
		__u32 member = cfg->tx_members[i];

		if (member >= XBOND_MAX_MEMBERS)
			continue;
		if (last != XBOND_NO_MEMBER) {
			if (bpf_clone_redirect(skb, cfg->member_ifindex[last], 0))
				xbond_count(XBOND_CNT_TX_CLONE_FAIL);
			else
				count_tx(last, skb->len);
		}
		last = member;
	}
	if (last == XBOND_NO_MEMBER) {
		xbond_count(XBOND_CNT_TX_NO_MEMBER);
		return TC_ACT_SHOT;
	}
	count_tx(last, skb->len);
	return bpf_redirect(cfg->member_ifindex[last], 0);
}

SEC("tc")
int tx_select(struct __sk_buff *skb)
{
	struct xbond_config *cfg = xbond_live_config();
	__u32 member;

	if (!cfg)
		return TC_ACT_SHOT;

	switch (cfg->mode) {
	case XBOND_MODE_ACTIVEBACKUP:
		member = cfg->active;
		break;
	case XBOND_MODE_ROUNDROBIN:
		member = pick_rr(cfg);
		break;
	case XBOND_MODE_XOR:
	case XBOND_MODE_8023AD:	/* buckets over the distributing members */
		member = pick_xor(skb, cfg);
		break;
	case XBOND_MODE_BROADCAST:
		return send_broadcast(skb, cfg);
	default:
		member = XBOND_NO_MEMBER;
	}

	if (member >= XBOND_MAX_MEMBERS) {
		xbond_count(XBOND_CNT_TX_NO_MEMBER);
		return TC_ACT_SHOT;
	}
	count_tx(member, skb->len);
	return bpf_redirect(cfg->member_ifindex[member], 0);
}

char LICENSE[] SEC("license") = "GPL";
