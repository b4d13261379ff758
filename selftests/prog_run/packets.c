// SPDX-License-Identifier: GPL-2.0
/* Sample frames: plausible traffic plus the malformed shapes a hash parser must survive. */
#include <string.h>
#include "packets.h"

const uint8_t pkt_mac_a[6] = { 0x02, 0x00, 0x00, 0x00, 0xaa, 0x1a };
const uint8_t pkt_mac_b[6] = { 0x02, 0x00, 0x00, 0x00, 0xbb, 0x2c };
static const uint8_t mac_bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };

#define V4_A	"10.1.0.1"
#define V4_B	"10.2.0.2"
#define V6_A	"2001:db8::1"
#define V6_B	"2001:db8:1::2"

void pkt_build(struct frame *f, pkt_builder build, unsigned int arg)
{
	memset(f, 0, sizeof(*f));
	build(f, arg);
}

void pkt_ipv4_tcp(struct frame *f, unsigned int sport)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x0800);
	frame_ipv4(f, V4_A, V4_B, 6, 0x4000, 5);	/* DF alone is no fragment */
	frame_tcp(f, sport, 80);
	frame_done(f);
}

void pkt_ipv4_udp(struct frame *f, unsigned int sport)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x0800);
	frame_ipv4(f, V4_A, V4_B, 17, 0, 5);
	frame_udp(f, sport, 53);
	frame_random(f, 24, sport);
	frame_done(f);
}

void pkt_ipv6_tcp(struct frame *f, unsigned int sport)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x86dd);
	frame_ipv6(f, V6_A, V6_B, 6);
	frame_tcp(f, sport, 443);
	frame_done(f);
}

void pkt_ipv6_udp(struct frame *f, unsigned int sport)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x86dd);
	frame_ipv6(f, V6_A, V6_B, 17);
	frame_udp(f, sport, 4789);
	frame_random(f, 16, sport);
	frame_done(f);
}

void pkt_vlan_ipv4_tcp(struct frame *f, unsigned int sport)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x8100);
	frame_vlan(f, 100, 0x0800);
	frame_ipv4(f, V4_A, V4_B, 6, 0, 5);
	frame_tcp(f, sport, 22);
	frame_done(f);
}

void pkt_qinq_ipv6_udp(struct frame *f, unsigned int sport)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x88a8);
	frame_vlan(f, 10, 0x8100);
	frame_vlan(f, 20, 0x86dd);
	frame_ipv6(f, V6_A, V6_B, 17);
	frame_udp(f, sport, 123);
	frame_done(f);
}

/* One tag more than the hash skips: it must fall back to the Ethernet hash. */
void pkt_three_tags_ipv4_tcp(struct frame *f, unsigned int sport)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x8100);
	frame_vlan(f, 1, 0x8100);
	frame_vlan(f, 2, 0x8100);
	frame_vlan(f, 3, 0x0800);
	frame_ipv4(f, V4_A, V4_B, 6, 0, 5);
	frame_tcp(f, sport, 80);
	frame_done(f);
}

void pkt_ipv4_frag_first(struct frame *f, unsigned int sport)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x0800);
	frame_ipv4(f, V4_A, V4_B, 17, 0x2000, 5);	/* MF, offset 0 */
	frame_udp(f, sport, 5001);
	frame_random(f, 32, sport);
	frame_done(f);
}

/* Payload bytes where ports would be: a hash reading them would differ. */
void pkt_ipv4_frag_later(struct frame *f, unsigned int sport)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x0800);
	frame_ipv4(f, V4_A, V4_B, 17, 185, 5);		/* offset 1480, last */
	frame_random(f, 40, sport);
	frame_done(f);
}

void pkt_ipv6_frag_udp(struct frame *f, unsigned int sport)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x86dd);
	frame_ipv6(f, V6_A, V6_B, 44);
	frame_ipv6_frag(f, 17, 0x0001, 0xdeadbeef);	/* M, offset 0 */
	frame_udp(f, sport, 5001);
	frame_done(f);
}

void pkt_ipv4_options_tcp(struct frame *f, unsigned int sport)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x0800);
	frame_ipv4(f, V4_A, V4_B, 6, 0, 6);
	frame_tcp(f, sport, 8080);
	frame_done(f);
}

void pkt_ipv4_ah(struct frame *f, unsigned int spi)
{
	uint8_t ah[12] = { 6, 4, 0, 0, spi >> 24, spi >> 16, spi >> 8, spi, 0, 0, 0, 1 };

	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x0800);
	frame_ipv4(f, V4_A, V4_B, 51, 0, 5);
	frame_bytes(f, ah, sizeof(ah));
	frame_random(f, 12, spi);			/* ICV */
	frame_done(f);
}

void pkt_ipv4_esp(struct frame *f, unsigned int spi)
{
	uint8_t esp[8] = { spi >> 24, spi >> 16, spi >> 8, spi, 0, 0, 0, 7 };

	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x0800);
	frame_ipv4(f, V4_A, V4_B, 50, 0, 5);
	frame_bytes(f, esp, sizeof(esp));
	frame_random(f, 32, spi);
	frame_done(f);
}

void pkt_ipv6_sctp(struct frame *f, unsigned int sport)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x86dd);
	frame_ipv6(f, V6_A, V6_B, 132);
	frame_udp(f, sport, 38412);			/* the common header starts with ports */
	frame_random(f, 16, sport);
	frame_done(f);
}

void pkt_ipv6_udplite(struct frame *f, unsigned int sport)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x86dd);
	frame_ipv6(f, V6_A, V6_B, 136);
	frame_udp(f, sport, 5004);
	frame_random(f, 20, sport);
	frame_done(f);
}

void pkt_ipv4_dccp(struct frame *f, unsigned int sport)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x0800);
	frame_ipv4(f, V4_A, V4_B, 33, 0, 5);
	frame_udp(f, sport, 5005);			/* DCCP starts with ports too */
	frame_random(f, 8, sport);
	frame_done(f);
}

void pkt_ipv4_gre(struct frame *f, unsigned int unused)
{
	static const uint8_t gre[4] = { 0, 0, 0x08, 0x00 };

	(void)unused;
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x0800);
	frame_ipv4(f, V4_A, V4_B, 47, 0, 5);
	frame_bytes(f, gre, sizeof(gre));
	frame_ipv4(f, "192.168.0.1", "192.168.0.2", 17, 0, 5);
	frame_udp(f, 1000, 2000);
	frame_done(f);
}

void pkt_icmp_echo(struct frame *f, unsigned int id)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x0800);
	frame_ipv4(f, V4_A, V4_B, 1, 0, 5);
	frame_icmp(f, 8, 0, id, 7);
	frame_random(f, 56, id + 1);
	frame_done(f);
}

void pkt_icmp_timestamp(struct frame *f, unsigned int id)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x0800);
	frame_ipv4(f, V4_A, V4_B, 1, 0, 5);
	frame_icmp(f, 13, 0, id, 1);
	frame_random(f, 12, id + 1);
	frame_done(f);
}

/* A router tells A that B's UDP port is closed, quoting A's datagram. */
void pkt_icmp_unreach_udp(struct frame *f, unsigned int sport)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x0800);
	frame_ipv4(f, "10.9.9.9", V4_A, 1, 0, 5);
	frame_icmp(f, 3, 3, 0, 0);
	frame_ipv4(f, V4_A, V4_B, 17, 0, 5);
	frame_udp(f, sport, 53);
	frame_done(f);
}

/* The quoted header is a later fragment: addresses count, ports must not. */
void pkt_icmp_time_exceeded_frag(struct frame *f, unsigned int unused)
{
	(void)unused;
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x0800);
	frame_ipv4(f, "10.9.9.9", V4_A, 1, 0, 5);
	frame_icmp(f, 11, 1, 0, 0);
	frame_ipv4(f, V4_A, V4_B, 17, 0x0010, 5);
	frame_random(f, 8, 99);
	frame_done(f);
}

void pkt_icmp_unreach_short_inner(struct frame *f, unsigned int unused)
{
	(void)unused;
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x0800);
	frame_ipv4(f, "10.9.9.9", V4_A, 1, 0, 5);
	frame_icmp(f, 3, 1, 0, 0);
	frame_ipv4(f, V4_A, V4_B, 6, 0, 5);
	frame_done(f);
	frame_truncate(f, f->len - 8);
}

void pkt_icmp_short(struct frame *f, unsigned int unused)
{
	(void)unused;
	pkt_icmp_echo(f, 0x4242);
	frame_truncate(f, 14 + 20 + 4);
}

void pkt_icmpv6_echo(struct frame *f, unsigned int id)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x86dd);
	frame_ipv6(f, V6_A, V6_B, 58);
	frame_icmp(f, 128, 0, id, 3);
	frame_random(f, 32, id + 1);
	frame_done(f);
}

void pkt_icmpv6_unreach_tcp(struct frame *f, unsigned int sport)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x86dd);
	frame_ipv6(f, "2001:db8:ffff::1", V6_A, 58);
	frame_icmp(f, 1, 4, 0, 0);
	frame_ipv6(f, V6_A, V6_B, 6);
	frame_tcp(f, sport, 443);
	frame_done(f);
}

/* Type 0 for lack of a header is an ICMPv6 error with no quote: Ethernet hash. */
void pkt_icmpv6_short(struct frame *f, unsigned int unused)
{
	(void)unused;
	pkt_icmpv6_echo(f, 0x4242);
	frame_truncate(f, 14 + 40 + 4);
}

/* ICMPv6 type 0 both has an id (as ICMP echo reply) and is an error (< 128): both rules apply. */
void pkt_icmpv6_type0_udp(struct frame *f, unsigned int id)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x86dd);
	frame_ipv6(f, "2001:db8:ffff::1", V6_A, 58);
	frame_icmp(f, 0, 0, id, 0);
	frame_ipv6(f, V6_A, V6_B, 17);
	frame_udp(f, 33434, 53);
	frame_done(f);
}

/* Any ICMPv6 type (neighbour discovery for the rx filter), with a target. */
void pkt_icmpv6_type(struct frame *f, unsigned int type)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x86dd);
	frame_ipv6(f, "fe80::1", "fe80::2", 58);
	frame_icmp(f, type, 0, 0, 0);
	frame_bytes(f, (const uint8_t[16]){ 0xfe, 0x80, [15] = 2 }, 16);
	frame_done(f);
}

void pkt_arp(struct frame *f, unsigned int unused)
{
	(void)unused;
	frame_eth(f, mac_bcast, pkt_mac_a, 0x0806);
	frame_arp(f, pkt_mac_a, V4_A, "10.1.0.2");
	frame_done(f);
}

void pkt_vlan_arp(struct frame *f, unsigned int unused)
{
	(void)unused;
	frame_eth(f, mac_bcast, pkt_mac_a, 0x8100);
	frame_vlan(f, 100, 0x0806);
	frame_arp(f, pkt_mac_a, V4_A, "10.1.0.2");
	frame_done(f);
}

void pkt_ipv4_short(struct frame *f, unsigned int unused)
{
	(void)unused;
	pkt_ipv4_tcp(f, 40000);
	frame_truncate(f, 14 + 10);
}

void pkt_vlan_ipv4_short(struct frame *f, unsigned int unused)
{
	(void)unused;
	pkt_vlan_ipv4_tcp(f, 40000);
	frame_truncate(f, 14 + 4 + 10);
}

void pkt_vlan_ipv6_short(struct frame *f, unsigned int unused)
{
	(void)unused;
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x8100);
	frame_vlan(f, 100, 0x86dd);
	frame_ipv6(f, V6_A, V6_B, 6);
	frame_tcp(f, 40000, 80);
	frame_done(f);
	frame_truncate(f, 14 + 4 + 39);
}

/* Half a port word: too little to read ports from, enough for addresses. */
void pkt_tcp_short(struct frame *f, unsigned int sport)
{
	pkt_ipv4_tcp(f, sport);
	frame_truncate(f, 14 + 20 + 2);
}

void pkt_garbage(struct frame *f, unsigned int seed)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, 0x1234);
	frame_random(f, 64, seed);
}

void pkt_eth_only(struct frame *f, unsigned int ethertype)
{
	frame_eth(f, pkt_mac_b, pkt_mac_a, ethertype);
}

void pkt_ipv4_udp_bcast(struct frame *f, unsigned int sport)
{
	frame_eth(f, mac_bcast, pkt_mac_a, 0x0800);
	frame_ipv4(f, V4_A, "10.1.255.255", 17, 0, 5);
	frame_udp(f, sport, 137);
	frame_done(f);
}

static const uint8_t mac_slow[6] = { 0x01, 0x80, 0xc2, 0x00, 0x00, 0x02 };

/* A LACPDU's or Marker PDU's body after the ethertype, padded to 110 bytes. */
static void slow_body(struct frame *f, unsigned int subtype)
{
	static const uint8_t lacp[] = {
		0x01, 0x01,				/* LACP, version 1 */
		0x01, 0x14,				/* actor: prio, system, key, prio, port, state */
		0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0xaa, 0x1a,
		0x00, 0x11, 0x00, 0xff, 0x00, 0x01, 0x3d, 0x00, 0x00, 0x00,
		0x02, 0x14,				/* partner */
		0x80, 0x00, 0x02, 0x00, 0x00, 0x00, 0xbb, 0x2c,
		0x00, 0x11, 0x00, 0xff, 0x00, 0x02, 0x3d, 0x00, 0x00, 0x00,
		0x03, 0x10, 0x00, 0x00,			/* collector, max delay 0 */
	};
	static const uint8_t marker[] = {
		0x02, 0x01,				/* Marker, version 1 */
		0x01, 0x10,				/* Marker Information */
		0x00, 0x01, 0x02, 0x00, 0x00, 0x00, 0xaa, 0x1a,
		0x00, 0x00, 0x00, 0x2a, 0x00, 0x00,	/* transaction 42, pad */
	};
	static const uint8_t zeros[110];
	size_t start = f->len;

	if (subtype == 2)
		frame_bytes(f, marker, sizeof(marker));
	else
		frame_bytes(f, lacp, sizeof(lacp));
	f->data[start] = subtype;
	/* Terminator, reserved: zeros up to the 110 bytes of a LACPDU. */
	frame_bytes(f, zeros, start + sizeof(zeros) - f->len);
}

void pkt_slow(struct frame *f, unsigned int subtype)
{
	frame_eth(f, mac_slow, pkt_mac_a, 0x8809);
	slow_body(f, subtype);
}

void pkt_slow_misaddressed(struct frame *f, unsigned int to)
{
	uint8_t dest[6];

	memcpy(dest, mac_slow, sizeof(dest));
	switch (to) {
	case PKT_SLOW_TO_HOST_B:
		memcpy(dest, pkt_mac_b, sizeof(dest));
		break;
	case PKT_SLOW_TO_LAST_BYTE:
		dest[5] = 0x03;
		break;
	case PKT_SLOW_TO_FIRST_BYTE:
		dest[0] = 0x03;
		break;
	default:
		memcpy(dest, mac_bcast, sizeof(dest));
		break;
	}
	frame_eth(f, dest, pkt_mac_a, 0x8809);
	slow_body(f, 1);
}

void pkt_to_slow_dest(struct frame *f, unsigned int ethertype)
{
	frame_eth(f, mac_slow, pkt_mac_a, ethertype);
	if (ethertype == 0x0800) {
		frame_ipv4(f, V4_A, V4_B, 6, 0x4000, 5);
		frame_tcp(f, 40001, 80);
		frame_done(f);
		return;
	}
	slow_body(f, 1);
}
