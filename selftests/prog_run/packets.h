/* SPDX-License-Identifier: GPL-2.0 */
/* The sample frames test tables are made of: one builder each, taking one varying parameter. */
#ifndef PACKETS_H
#define PACKETS_H

#include "frames.h"

/* Every sample goes from host A to host B; rx tests make B the bond's MAC. */
extern const uint8_t pkt_mac_a[6];
extern const uint8_t pkt_mac_b[6];

typedef void (*pkt_builder)(struct frame *f, unsigned int arg);

/* Start f empty and build one sample into it. */
void pkt_build(struct frame *f, pkt_builder build, unsigned int arg);

/*
 * arg: the source port, the ICMP echo id, the ICMPv6 type or the ethertype,
 * as each builder names it.
 *
 * tc test runs refuse IPv4/IPv6 ethertypes with less than an IP header, so
 * the tx tables truncate behind an 802.1Q tag (the hash skips it and meets
 * the same short header); XDP test runs take pkt_ipv4_short as it is.
 */
void pkt_ipv4_tcp(struct frame *f, unsigned int sport);
void pkt_ipv4_udp(struct frame *f, unsigned int sport);
void pkt_ipv6_tcp(struct frame *f, unsigned int sport);
void pkt_ipv6_udp(struct frame *f, unsigned int sport);
void pkt_vlan_ipv4_tcp(struct frame *f, unsigned int sport);
void pkt_qinq_ipv6_udp(struct frame *f, unsigned int sport);
void pkt_three_tags_ipv4_tcp(struct frame *f, unsigned int sport);
void pkt_ipv4_frag_first(struct frame *f, unsigned int sport);
void pkt_ipv4_frag_later(struct frame *f, unsigned int sport);
void pkt_ipv6_frag_udp(struct frame *f, unsigned int sport);
void pkt_ipv4_options_tcp(struct frame *f, unsigned int sport);
void pkt_ipv4_ah(struct frame *f, unsigned int spi);
void pkt_ipv4_esp(struct frame *f, unsigned int spi);
void pkt_ipv6_sctp(struct frame *f, unsigned int sport);
void pkt_ipv6_udplite(struct frame *f, unsigned int sport);
void pkt_ipv4_dccp(struct frame *f, unsigned int sport);
void pkt_ipv4_gre(struct frame *f, unsigned int unused);
void pkt_icmp_echo(struct frame *f, unsigned int id);
void pkt_icmp_timestamp(struct frame *f, unsigned int id);
void pkt_icmp_unreach_udp(struct frame *f, unsigned int sport);
void pkt_icmp_time_exceeded_frag(struct frame *f, unsigned int unused);
void pkt_icmp_unreach_short_inner(struct frame *f, unsigned int unused);
void pkt_icmp_short(struct frame *f, unsigned int unused);
void pkt_icmpv6_echo(struct frame *f, unsigned int id);
void pkt_icmpv6_unreach_tcp(struct frame *f, unsigned int sport);
void pkt_icmpv6_short(struct frame *f, unsigned int unused);
void pkt_icmpv6_type0_udp(struct frame *f, unsigned int id);
void pkt_icmpv6_type(struct frame *f, unsigned int type);
void pkt_arp(struct frame *f, unsigned int unused);
void pkt_vlan_arp(struct frame *f, unsigned int unused);
void pkt_ipv4_short(struct frame *f, unsigned int unused);
void pkt_vlan_ipv4_short(struct frame *f, unsigned int unused);
void pkt_vlan_ipv6_short(struct frame *f, unsigned int unused);
void pkt_tcp_short(struct frame *f, unsigned int sport);
void pkt_garbage(struct frame *f, unsigned int seed);
void pkt_eth_only(struct frame *f, unsigned int ethertype);
void pkt_ipv4_udp_bcast(struct frame *f, unsigned int sport);

/*
 * Slow protocols (IEEE 802.3 annex 57A), from host A. pkt_slow: a whole
 * 124-byte frame of subtype 1 (LACPDU) or 2 (Marker) to 01:80:c2:00:00:02.
 * pkt_slow_misaddressed: the same LACPDU, ethertype 0x8809, to another
 * destination, PKT_SLOW_TO_*. pkt_to_slow_dest: a frame of another ethertype
 * to 01:80:c2:00:00:02 (0x0800: a whole IPv4 TCP frame).
 */
enum {
	PKT_SLOW_TO_HOST_B,	/* unicast to host B, the bond in rx tests */
	PKT_SLOW_TO_LAST_BYTE,	/* 01:80:c2:00:00:03: only the last byte differs */
	PKT_SLOW_TO_FIRST_BYTE,	/* 03:80:c2:00:00:02: only the first byte differs */
	PKT_SLOW_TO_BCAST,
};
void pkt_slow(struct frame *f, unsigned int subtype);
void pkt_slow_misaddressed(struct frame *f, unsigned int to);
void pkt_to_slow_dest(struct frame *f, unsigned int ethertype);

#endif /* PACKETS_H */
