// SPDX-License-Identifier: GPL-2.0
/* Reference transmit hash from bond_main.c's semantics, independent of bpf/xbond_parse.bpf.h. */
#include <stdbool.h>
#include <string.h>
#include <linux/types.h>
#include "maps/xbond_abi.h"
#include "ref_hash.h"

#define ETH_HDR_LEN	14
#define TAG_LEN		4
#define MAX_TAGS	2
#define IPV4_MIN_LEN	20
#define IPV6_LEN	40
#define ICMP_HDR_LEN	8

/* The slice of the kernel's struct flow_keys the bonding hash reads. */
struct ref_flow {
	uint32_t src;		/* raw loads: the driver never byte-swaps addresses */
	uint32_t dst;
	int l4_proto;		/* -1 until an unfragmented IP header names one */
	size_t l4_off;
	uint8_t icmp_type;
	uint8_t icmp_code;
	uint16_t icmp_id;	/* 0 means "this ICMP type carries no id" */
};

/* A 32-bit load in host order, as the kernel's flow keys copy it. */
static uint32_t raw32(const uint8_t *p)
{
	uint32_t v;

	memcpy(&v, p, sizeof(v));
	return v;
}

static unsigned int be16_at(const uint8_t *p)
{
	return (unsigned int)p[0] << 8 | p[1];
}

/* bond_flow_ip(): false if there is no whole IP header at off. */
static bool flow_ip(const uint8_t *pkt, size_t len, unsigned int ethertype, size_t off,
		    struct ref_flow *fl)
{
	const uint8_t *ip = pkt + off;

	if (ethertype == 0x0800) {
		if (len < off + IPV4_MIN_LEN)
			return false;
		fl->src = raw32(ip + 12);
		fl->dst = raw32(ip + 16);
		/* MF or a non-zero offset: L4 headers are not reliably here. */
		if (!(be16_at(ip + 6) & 0x3fff))
			fl->l4_proto = ip[9];
		fl->l4_off = off + (ip[0] & 0x0f) * 4u;
		return true;
	}
	if (ethertype == 0x86dd) {
		if (len < off + IPV6_LEN)
			return false;
		/* ipv6_addr_hash(): the four words folded by XOR. */
		fl->src = raw32(ip + 8) ^ raw32(ip + 12) ^ raw32(ip + 16) ^ raw32(ip + 20);
		fl->dst = raw32(ip + 24) ^ raw32(ip + 28) ^ raw32(ip + 32) ^ raw32(ip + 36);
		/* The driver does not walk extension headers. */
		fl->l4_proto = ip[6];
		fl->l4_off = off + IPV6_LEN;
		return true;
	}
	return false;
}

/* skb_flow_get_ports(): protocols known to start with a 32-bit flow word. */
static uint32_t l4_ports(const uint8_t *pkt, size_t len, int proto, size_t off)
{
	switch (proto) {
	case 6:		/* TCP */
	case 17:	/* UDP */
	case 136:	/* UDP-Lite */
	case 33:	/* DCCP */
	case 50:	/* ESP: the SPI */
	case 132:	/* SCTP */
		break;
	case 51:	/* AH: the SPI, after next header, length and reserved */
		off += 4;
		break;
	default:
		return 0;
	}
	if (len < off + 4)
		return 0;
	return raw32(pkt + off);
}

/* icmp_has_id(): one switch for ICMP and ICMPv6 types alike, as in the kernel. */
static bool icmp_has_id(uint8_t type)
{
	switch (type) {
	case 0:		/* echo reply */
	case 8:		/* echo request */
	case 13:	/* timestamp */
	case 14:	/* timestamp reply */
	case 128:	/* ICMPv6 echo request */
	case 129:	/* ICMPv6 echo reply */
		return true;
	}
	return false;
}

static bool icmp_is_err(int proto, uint8_t type)
{
	if (proto == 58)
		return type < 128;
	switch (type) {
	case 3:		/* destination unreachable */
	case 4:		/* source quench */
	case 5:		/* redirect */
	case 11:	/* time exceeded */
	case 12:	/* parameter problem */
		return true;
	}
	return false;
}

/* skb_flow_get_icmp_tci(): a truncated header leaves type, code and id at 0. */
static void icmp_fields(const uint8_t *pkt, size_t len, struct ref_flow *fl)
{
	const uint8_t *icmp = pkt + fl->l4_off;

	if (len < fl->l4_off + ICMP_HDR_LEN)
		return;
	fl->icmp_type = icmp[0];
	fl->icmp_code = icmp[1];
	if (icmp_has_id(icmp[0])) {
		fl->icmp_id = be16_at(icmp + 4);
		/* 0 would read as "no id": the kernel substitutes 1. */
		if (!fl->icmp_id)
			fl->icmp_id = 1;
	}
}

uint32_t ref_xmit_hash(const uint8_t *pkt, size_t len, unsigned int policy)
{
	struct ref_flow fl = { .l4_proto = -1 };
	unsigned int ethertype, tags;
	uint32_t eth_hash, hash;
	size_t off = ETH_HDR_LEN;

	if (len < ETH_HDR_LEN)
		return 0;
	ethertype = be16_at(pkt + 12);
	/* bond_eth_hash(): last bytes of both MACs and the outer ethertype. */
	eth_hash = pkt[5] ^ pkt[11] ^ ethertype;
	if (policy == XBOND_HASH_LAYER2)
		return eth_hash;

	for (tags = 0; tags < MAX_TAGS; tags++) {
		if (ethertype != 0x8100 && ethertype != 0x88a8)
			break;
		if (len < off + TAG_LEN)
			break;
		ethertype = be16_at(pkt + off + 2);
		off += TAG_LEN;
	}

	if (!flow_ip(pkt, len, ethertype, off, &fl))
		return eth_hash;
	if (fl.l4_proto == 1 || fl.l4_proto == 58) {
		icmp_fields(pkt, len, &fl);
		/* An error quotes the offending packet's header: hash as that flow. */
		if (icmp_is_err(fl.l4_proto, fl.icmp_type) &&
		    !flow_ip(pkt, len, ethertype, fl.l4_off + ICMP_HDR_LEN, &fl))
			return eth_hash;
	}

	if (policy == XBOND_HASH_LAYER23)
		hash = eth_hash;
	else if (fl.icmp_id)
		/* struct flow_dissector_key_icmp { u8 type, code; u16 id; } read as a u32. */
		hash = fl.icmp_type | (uint32_t)fl.icmp_code << 8 | (uint32_t)fl.icmp_id << 16;
	else
		hash = l4_ports(pkt, len, fl.l4_proto, fl.l4_off);

	hash ^= fl.dst ^ fl.src;
	hash ^= hash >> 16;
	hash ^= hash >> 8;
	/* bond_ip_hash() drops the lowest bit for layer3+4: ports tend to be even. */
	if (policy == XBOND_HASH_LAYER34)
		hash >>= 1;
	return hash;
}
