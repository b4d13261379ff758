// SPDX-License-Identifier: GPL-2.0
/* Member receive path: filter, count, record ARP proof; in native XDP then tc, or all in tc ingress. */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "maps/xbond_abi.h"
#include "maps/xbond_maps.bpf.h"
#include "xbond_proto.bpf.h"
#include "xbond_parse.bpf.h"

/*
 * Two layouts, one decision (xbond_rx_decide):
 * - native XDP rx_filter, then tc ingress rx_redirect hands the frames it
 *   passed to the logical interface;
 * - tc ingress rx_filter_tc alone, where XDP would only be generic: generic
 *   XDP skips skbs that a tc program redirected into the device (a peer
 *   xbond's tx_select, a Cilium host), so it would miss whole links.
 */

/* Set at load: the logical interface every accepted frame goes to. */
const volatile __u32 bond_ifindex;


/*
 * The most of a frame the decision reads: the Ethernet header, two tags, then
 * an ARP header and body (28) or an IPv6 header and an ICMPv6 header (40 + 8).
 */
#define XBOND_RX_HDR_MAX	(14 + 8 + 40 + 8)

/* The IPv4-over-Ethernet body of an ARP frame. */
struct xbond_arp_body {
	__u8 sha[ETH_ALEN];
	__be32 sip;
	__u8 tha[ETH_ALEN];
	__be32 tip;
} __attribute__((packed));

/* A frame as both entry points hand it to the decision. */
struct xbond_rx_frame {
	struct ethhdr *eth;	/* the readable bytes: [eth, end) */
	void *end;
	__u32 len;		/* the whole frame, for rx_bytes */
	__u32 ifindex;		/* the member it arrived on */
	__u32 tag_offloaded;	/* tc: an outer VLAN tag was taken out of the bytes */
};

/* Where a frame goes; each entry point turns this into its own return code. */
enum xbond_rx_verdict {
	XBOND_RX_TO_BOND,	/* to the logical interface */
	XBOND_RX_TAPS_ONLY,	/* to packet sockets on the member, not the bond */
	XBOND_RX_TO_MEMBER,	/* left on the member: slow protocols, for the monitor */
	XBOND_RX_DROP,
};

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

/*
 * LACP and Marker frames belong to the member, as the kernel's bonding
 * consumes them per slave: the monitor reads them from a packet socket bound
 * to their ethertype, which the stack serves after tc ingress.
 */
static __always_inline bool is_slow_protocol(const struct ethhdr *eth)
{
	static const __u8 slow_dest[ETH_ALEN] = XBOND_SLOW_DEST;

	return eth->h_proto == bpf_htons(XBOND_ETH_P_SLOW) &&
	       mac_equal(eth->h_dest, slow_dest);
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

/*
 * A frame on an inactive (active-backup) member. ARP and ND go to taps only.
 * Unicast to the bond is taken for a short while after the active member
 * changed: those frames were already on their way when the peer or switch
 * still knew the old port.
 */
static __always_inline enum xbond_rx_verdict rx_on_backup(const struct xbond_config *cfg,
							  const struct xbond_rx_frame *f)
{
	struct xbond_cursor c = { .pos = f->eth + 1, .end = f->end };
	__be16 proto = xbond_skip_vlans(&c, f->eth->h_proto);

	if (is_arp_or_nd(&c, proto))
		return XBOND_RX_TAPS_ONLY;
	if (mac_equal(f->eth->h_dest, cfg->bond_mac) &&
	    bpf_ktime_get_ns() < cfg->backup_rx_until_ns) {
		xbond_count(XBOND_CNT_RX_BACKUP_GRACE);
		return XBOND_RX_TO_BOND;
	}
	xbond_count(XBOND_CNT_RX_INACTIVE);
	return XBOND_RX_DROP;
}

/* A frame taps see counts as received; only a frame nobody sees is dropped. */
static __always_inline void count_rx(__u32 slot, enum xbond_rx_verdict verdict, __u32 len)
{
	struct xbond_member_stats *stats = xbond_member_stats(slot);

	if (!stats)
		return;
	if (verdict == XBOND_RX_DROP) {
		stats->rx_dropped++;
	} else {
		stats->rx_packets++;
		stats->rx_bytes += len;
	}
}

/* The whole receive decision: record ARP proof, filter, count. */
static __always_inline enum xbond_rx_verdict xbond_rx_decide(const struct xbond_rx_frame *f)
{
	struct xbond_config *cfg = xbond_live_config();
	struct ethhdr *eth = f->eth;
	enum xbond_rx_verdict verdict = XBOND_RX_TO_BOND;
	__u32 slot;

	if (!cfg || (void *)(eth + 1) > f->end)
		return XBOND_RX_TO_BOND;
	slot = member_slot(cfg, f->ifindex);
	if (slot >= XBOND_MAX_MEMBERS) {
		xbond_count(XBOND_CNT_RX_NOT_MEMBER);
		return XBOND_RX_TO_BOND;
	}

	/* ARP targets behind a VLAN tag are not supported yet. */
	if (cfg->n_arp_targets && eth->h_proto == bpf_htons(ETH_P_ARP) && !f->tag_offloaded)
		record_arp(cfg, slot, eth, f->end);

	if (is_slow_protocol(eth)) {
		xbond_count(XBOND_CNT_RX_SLOW);
		verdict = XBOND_RX_TO_MEMBER;
	} else if (mac_equal(eth->h_source, cfg->bond_mac)) {
		/* Our own frame, looped back by a switch with no LAG. */
		xbond_count(XBOND_CNT_RX_OWN_MAC);
		verdict = XBOND_RX_DROP;
	} else if (cfg->mode == XBOND_MODE_ACTIVEBACKUP && slot != cfg->active) {
		verdict = rx_on_backup(cfg, f);
	} else if (cfg->mode == XBOND_MODE_8023AD && !(cfg->collecting & (1U << slot))) {
		/* Not in the aggregate: what the partner still sends here is stale. */
		xbond_count(XBOND_CNT_RX_NOT_COLLECTING);
		verdict = XBOND_RX_DROP;
	}
	count_rx(slot, verdict, f->len);
	return verdict;
}

/* Put word before the frame for rx_redirect to read. */
static __always_inline int mark_frame(struct xdp_md *ctx, __u32 word)
{
	__u32 *meta;
	void *data;

	if (bpf_xdp_adjust_meta(ctx, -(int)sizeof(*meta)))
		return XDP_DROP;
	meta = (void *)(long)ctx->data_meta;
	data = (void *)(long)ctx->data;
	if ((void *)(meta + 1) > data)
		return XDP_DROP;
	*meta = word;
	return XDP_PASS;
}

/* Native XDP; the frames it passes go on to rx_redirect on tc ingress. */
SEC("xdp")
int rx_filter(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct xbond_rx_frame f = {
		.eth = data, .end = end, .len = end - data, .ifindex = ctx->ingress_ifindex,
	};

	switch (xbond_rx_decide(&f)) {
	case XBOND_RX_DROP:
		return XDP_DROP;
	case XBOND_RX_TAPS_ONLY:
		return mark_frame(ctx, XBOND_META_TAPS_ONLY);
	case XBOND_RX_TO_MEMBER:
		return mark_frame(ctx, XBOND_META_TO_MEMBER);
	default:
		return XDP_PASS;
	}
}

/* tc ingress behind rx_filter: taps have seen the frame; the bond gets the unmarked. */
SEC("tc")
int rx_redirect(struct __sk_buff *skb)
{
	void *meta = (void *)(long)skb->data_meta;
	void *data = (void *)(long)skb->data;

	if (meta + sizeof(__u32) <= data) {
		if (*(__u32 *)meta == XBOND_META_TAPS_ONLY)
			return TC_ACT_SHOT;
		if (*(__u32 *)meta == XBOND_META_TO_MEMBER)
			return TC_ACT_OK;
	}
	return bpf_redirect(bond_ifindex, BPF_F_INGRESS);
}

/*
 * ARP and ND are judged on bytes past the Ethernet header: make those linear
 * if the skb holds them in fragments. An IPv4 frame is judged on its
 * Ethernet header alone, which tc ingress always has linear.
 */
static __always_inline void pull_headers(struct __sk_buff *skb)
{
	__u32 linear = skb->data_end - skb->data;
	__u32 want = skb->len < XBOND_RX_HDR_MAX ? skb->len : XBOND_RX_HDR_MAX;

	if (linear < want && skb->protocol != bpf_htons(ETH_P_IP))
		bpf_skb_pull_data(skb, want);
}

/*
 * The whole receive path in tc ingress, where the member has no native XDP.
 * Packet sockets (ptype_all) ran before tc ingress and have seen the frame,
 * so taps-only frames simply stop here.
 */
SEC("tc")
int rx_filter_tc(struct __sk_buff *skb)
{
	struct xbond_rx_frame f;

	pull_headers(skb);
	/* Keep clang from sharing ctx offsets across the pull: the verifier refuses that. */
	barrier_var(skb);
	f = (struct xbond_rx_frame){
		.eth = (void *)(long)skb->data, .end = (void *)(long)skb->data_end,
		.len = skb->len, .ifindex = skb->ifindex, .tag_offloaded = skb->vlan_present,
	};
	switch (xbond_rx_decide(&f)) {
	case XBOND_RX_TO_BOND:
		return bpf_redirect(bond_ifindex, BPF_F_INGRESS);
	case XBOND_RX_TO_MEMBER:
		return TC_ACT_OK;
	default:
		return TC_ACT_SHOT;
	}
}

char LICENSE[] SEC("license") = "GPL";
