// SPDX-License-Identifier: GPL-2.0
/* Member receive path: XDP counts and filters frames, then tc ingress hands the survivors to the logical interface. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "maps/xbond_abi.h"
#include "maps/xbond_maps.bpf.h"
#include "xbond_proto.bpf.h"
#include "xbond_parse.bpf.h"

/* Set at load: the logical interface every accepted frame goes to. */
const volatile __u32 bond_ifindex;

/*
 * XDP metadata mark on frames that packet sockets on the member may see but
 * the bond's stack must not: ARP and ND on an inactive member, which the
 * kernel driver delivers only to handlers bound to that member.
 */
#define XBOND_META_TAPS_ONLY	0x7862746fU

/* The IPv4-over-Ethernet body of an ARP frame. */
struct xbond_arp_body {
	__u8 sha[ETH_ALEN];
	__be32 sip;
	__u8 tha[ETH_ALEN];
	__be32 tip;
} __attribute__((packed));

/*
 * Record which targets an ARP frame on member slot proves reachable. When the
 * member must prove itself (arp_validate), only ARP from a target, or a
 * request for one (our own probe, flooded back by the switch), counts.
 */
static __always_inline void record_arp(const struct xbond_config *cfg, __u32 slot,
				       struct ethhdr *eth, void *end)
{
	struct arphdr *arp = (void *)(eth + 1);
	struct xbond_arp_body *body = (void *)(arp + 1);
	bool active, must_prove;
	__u64 now;
	__u32 t;

	if ((void *)(body + 1) > end || arp->ar_hrd != bpf_htons(ARPHRD_ETHER) ||
	    arp->ar_pro != bpf_htons(ETH_P_IP) || arp->ar_hln != ETH_ALEN || arp->ar_pln != 4)
		return;
	active = cfg->mode != XBOND_MODE_ACTIVEBACKUP || slot == cfg->active;
	must_prove = cfg->arp_validate == XBOND_ARP_VALIDATE_ALL ||
		     (cfg->arp_validate == XBOND_ARP_VALIDATE_ACTIVE && active) ||
		     (cfg->arp_validate == XBOND_ARP_VALIDATE_BACKUP && !active);
	now = bpf_ktime_get_ns();
	for (t = 0; t < XBOND_MAX_ARP_TARGETS && t < cfg->n_arp_targets; t++) {
		__be32 target = cfg->arp_targets[t];
		__u32 key = slot * XBOND_MAX_ARP_TARGETS + t;
		__u64 *seen;

		if (must_prove && body->sip != target &&
		    !(arp->ar_op == bpf_htons(ARPOP_REQUEST) && body->tip == target))
			continue;
		seen = bpf_map_lookup_elem(&xbond_arp_seen, &key);
		if (seen)
			*seen = now;
	}
}

static __always_inline __u32 member_slot(const struct xbond_config *cfg, __u32 ifindex)
{
	__u32 i;

	for (i = 0; i < XBOND_MAX_MEMBERS && i < cfg->n_members; i++)
		if (cfg->member_ifindex[i] == ifindex)
			return i;
	return XBOND_NO_MEMBER;
}

static __always_inline bool mac_equal(const __u8 *a, const __u8 *b)
{
	return *(__u32 *)a == *(__u32 *)b && *(__u16 *)(a + 4) == *(__u16 *)(b + 4);
}

/* ARP, or IPv6 neighbour discovery (router solicitation .. redirect). */
static __always_inline bool is_arp_or_nd(struct xbond_cursor *c, __be16 proto)
{
	struct ipv6hdr *ip6 = c->pos;
	struct icmp6hdr *icmp6;

	if (proto == bpf_htons(ETH_P_ARP))
		return true;
	if (proto != bpf_htons(ETH_P_IPV6) || (void *)(ip6 + 1) > c->end)
		return false;
	icmp6 = (void *)(ip6 + 1);
	if (ip6->nexthdr != IPPROTO_ICMPV6 || (void *)(icmp6 + 1) > c->end)
		return false;
	return icmp6->icmp6_type >= NDISC_ROUTER_SOLICITATION &&
	       icmp6->icmp6_type <= NDISC_REDIRECT;
}

static __always_inline int mark_taps_only(struct xdp_md *ctx)
{
	__u32 *meta;
	void *data;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
		return XDP_DROP;
	meta = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if ((void *)(meta + 1) > data)
		return XDP_DROP;
	*meta = XBOND_META_TAPS_ONLY;
	return XDP_PASS;
}

/*
 * A frame on an inactive (active-backup) member. ARP and ND go to taps only.
 * Unicast to the bond is taken for a short while after the active member
 * changed: those frames were already on their way when the peer or switch
 * still knew the old port.
 */
static __always_inline int rx_on_backup(struct xdp_md *ctx, const struct xbond_config *cfg,
					struct ethhdr *eth, void *end)
{
	struct xbond_cursor c = { .pos = eth + 1, .end = end };
	__be16 proto = xbond_skip_vlans(&c, eth->h_proto);

	if (is_arp_or_nd(&c, proto))
		return mark_taps_only(ctx);
	if (mac_equal(eth->h_dest, cfg->bond_mac) &&
	    bpf_ktime_get_ns() < cfg->backup_rx_until_ns) {
		xbond_count(XBOND_CNT_RX_BACKUP_GRACE);
		return XDP_PASS;
	}
	xbond_count(XBOND_CNT_RX_INACTIVE);
	return XDP_DROP;
}

SEC("xdp")
int rx_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct xbond_config *cfg = xbond_live_config();
	struct xbond_member_stats *stats;
	struct ethhdr *eth = data;
	__u32 slot;
	int verdict = XDP_PASS;

	if (!cfg || (void *)(eth + 1) > end)
		return XDP_PASS;
	slot = member_slot(cfg, ctx->ingress_ifindex);
	if (slot >= XBOND_MAX_MEMBERS) {
		xbond_count(XBOND_CNT_RX_NOT_MEMBER);
		return XDP_PASS;
	}

	if (cfg->n_arp_targets && eth->h_proto == bpf_htons(ETH_P_ARP))
		record_arp(cfg, slot, eth, end);

	if (mac_equal(eth->h_source, cfg->bond_mac)) {
		/* Our own frame, looped back by a switch with no LAG. */
		xbond_count(XBOND_CNT_RX_OWN_MAC);
		verdict = XDP_DROP;
	} else if (cfg->mode == XBOND_MODE_ACTIVEBACKUP && slot != cfg->active) {
		verdict = rx_on_backup(ctx, cfg, eth, end);
	}

	stats = xbond_member_stats(slot);
	if (stats) {
		if (verdict == XDP_DROP) {
			stats->rx_dropped++;
		} else {
			stats->rx_packets++;
			stats->rx_bytes += end - data;
		}
	}
	return verdict;
}

SEC("tc")
int rx_redirect(struct __sk_buff *skb)
{
	void *meta = (void *)(long)skb->data_meta;
	void *data = (void *)(long)skb->data;

	if (meta + sizeof(__u32) <= data && *(__u32 *)meta == XBOND_META_TAPS_ONLY)
		return TC_ACT_SHOT;
	return bpf_redirect(bond_ifindex, BPF_F_INGRESS);
}

char LICENSE[] SEC("license") = "GPL";
