/* SPDX-License-Identifier: GPL-2.0 */
/* Header parsing and the transmit hash, with the kernel bonding driver's semantics (bond_xmit_hash()). */
#ifndef XBOND_PARSE_BPF_H
#define XBOND_PARSE_BPF_H

/*
 * Every helper takes a cursor into [pos, end), bounds-checks before each read
 * and advances pos past what it parsed.
 */
struct xbond_cursor {
	void *pos;
	void *end;
};

/* Skip 802.1Q/802.1ad tags; return the inner ethertype (network order). */
static __always_inline __be16 xbond_skip_vlans(struct xbond_cursor *c, __be16 proto)
{
	int i;

#pragma unroll
	for (i = 0; i < XBOND_VLAN_MAX_DEPTH; i++) {
		struct vlan_hdr *vh = c->pos;

		if (proto != bpf_htons(ETH_P_8021Q) &&
		    proto != bpf_htons(ETH_P_8021AD))
			break;
		if ((void *)(vh + 1) > c->end)
			break;
		proto = vh->h_vlan_encapsulated_proto;
		c->pos = vh + 1;
	}
	return proto;
}

/* What the bonding driver's flow dissection keeps (struct flow_keys, trimmed). */
struct xbond_flow {
	__u32 saddr;	/* IPv4 address, or the XOR of an IPv6 address' words */
	__u32 daddr;
	__u32 icmp;	/* type | code << 8 | echo id << 16; 0 if no id */
	int ip_proto;	/* -1: none (not IP, or a fragment) */
};

static __always_inline __u32 xbond_fold_in6(const struct in6_addr *a)
{
	return a->in6_u.u6_addr32[0] ^ a->in6_u.u6_addr32[1] ^
	       a->in6_u.u6_addr32[2] ^ a->in6_u.u6_addr32[3];
}

/*
 * bond_flow_ip(): take the addresses of the IP header at the cursor and step
 * over it. Like the kernel, a fragment leaves ip_proto alone and IPv6
 * extension headers are not walked.
 */
static __always_inline bool xbond_flow_ip(struct xbond_cursor *c, __be16 proto,
					  struct xbond_flow *fk)
{
	if (proto == bpf_htons(ETH_P_IP)) {
		struct iphdr *iph = c->pos;

		if ((void *)(iph + 1) > c->end)
			return false;
		fk->saddr = iph->saddr;
		fk->daddr = iph->daddr;
		if (!(iph->frag_off & bpf_htons(IP_MF | IP_OFFSET)))
			fk->ip_proto = iph->protocol;
		c->pos += iph->ihl * 4;
		return true;
	}
	if (proto == bpf_htons(ETH_P_IPV6)) {
		struct ipv6hdr *ip6 = c->pos;

		if ((void *)(ip6 + 1) > c->end)
			return false;
		fk->saddr = xbond_fold_in6(&ip6->saddr);
		fk->daddr = xbond_fold_in6(&ip6->daddr);
		fk->ip_proto = ip6->nexthdr;
		c->pos = ip6 + 1;
		return true;
	}
	return false;
}

static __always_inline bool xbond_icmp_has_id(__u8 type)
{
	return type == ICMP_ECHO || type == ICMP_ECHOREPLY ||
	       type == ICMP_TIMESTAMP || type == ICMP_TIMESTAMPREPLY ||
	       type == ICMPV6_ECHO_REQUEST || type == ICMPV6_ECHO_REPLY;
}

static __always_inline bool xbond_icmp_is_err(int ip_proto, __u8 type)
{
	if (ip_proto == IPPROTO_ICMPV6)
		return !(type & ICMPV6_INFOMSG_MASK);
	return type == ICMP_DEST_UNREACH || type == ICMP_SOURCE_QUENCH ||
	       type == ICMP_REDIRECT || type == ICMP_TIME_EXCEEDED ||
	       type == ICMP_PARAMETERPROB;
}

/* skb_flow_get_ports(): the 4 port bytes as loaded raw, or 0. */
static __always_inline __u32 xbond_ports(struct xbond_cursor *c, int ip_proto)
{
	void *ports = c->pos;

	switch (ip_proto) {
	case IPPROTO_TCP:
	case IPPROTO_UDP:
	case IPPROTO_UDPLITE:
	case IPPROTO_DCCP:
	case IPPROTO_ESP:
	case IPPROTO_SCTP:
		break;
	case IPPROTO_AH:
		ports += 4;	/* the SPI */
		break;
	default:
		return 0;
	}
	if (ports + sizeof(__u32) > c->end)
		return 0;
	return *(__u32 *)ports;
}

/*
 * bond_xmit_hash() for layer2, layer2+3 and layer3+4, over the frame at
 * [data, end). Tagged frames are hashed on what the tags carry, as the kernel
 * sees frames from VLAN devices on a bond (tag offloaded, IP header next).
 */
static __always_inline __u32 xbond_hash(void *data, void *end, __u32 policy)
{
	struct xbond_cursor c = { .pos = data, .end = end };
	struct xbond_flow fk = { .ip_proto = -1 };
	struct ethhdr *eth = data;
	__u32 eth_hash, hash;
	__be16 proto;

	if ((void *)(eth + 1) > end)
		return 0;
	eth_hash = eth->h_dest[5] ^ eth->h_source[5] ^ bpf_ntohs(eth->h_proto);
	if (policy == XBOND_HASH_LAYER2)
		return eth_hash;

	c.pos = eth + 1;
	proto = xbond_skip_vlans(&c, eth->h_proto);
	if (!xbond_flow_ip(&c, proto, &fk))
		return eth_hash;

	/* ICMP errors hash as the flow they report on (bond_flow_dissect()). */
	if (fk.ip_proto == IPPROTO_ICMP || fk.ip_proto == IPPROTO_ICMPV6) {
		struct icmphdr *ih = c.pos;
		__u8 type = 0;

		if ((void *)(ih + 1) <= end) {
			type = ih->type;
			if (xbond_icmp_has_id(type)) {
				__u16 id = bpf_ntohs(ih->un.echo.id);

				fk.icmp = type | ih->code << 8 | (id ? id : 1) << 16;
			}
		}
		if (xbond_icmp_is_err(fk.ip_proto, type)) {
			c.pos += sizeof(struct icmphdr);
			if (!xbond_flow_ip(&c, proto, &fk))
				return eth_hash;
		}
	}

	if (policy == XBOND_HASH_LAYER23)
		hash = eth_hash;
	else if (fk.icmp)
		hash = fk.icmp;
	else
		hash = xbond_ports(&c, fk.ip_proto);

	hash ^= fk.daddr ^ fk.saddr;
	hash ^= hash >> 16;
	hash ^= hash >> 8;
	/* The kernel drops the lowest bit for layer3+4: ports tend to be even. */
	if (policy == XBOND_HASH_LAYER34)
		hash >>= 1;
	return hash;
}

#endif /* XBOND_PARSE_BPF_H */
