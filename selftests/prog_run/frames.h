/* SPDX-License-Identifier: GPL-2.0 */
/* Building Ethernet frames header by header, for feeding to BPF_PROG_RUN. */
#ifndef FRAMES_H
#define FRAMES_H

#include <stddef.h>
#include <stdint.h>

#define FRAME_MAX	512

struct frame {
	uint8_t data[FRAME_MAX];
	size_t len;
	/* IP headers appended so far, so frame_done() can fill in lengths. */
	size_t ip_off[2];
	uint8_t ip_version[2];
	unsigned int n_ip;
};

/*
 * Each append writes its header at the end of the frame in network order.
 * Addresses are text ("10.0.0.1", "2001:db8::1"): tables stay readable.
 */
void frame_eth(struct frame *f, const uint8_t *dst, const uint8_t *src, uint16_t proto);
void frame_vlan(struct frame *f, uint16_t tci, uint16_t proto);
/* frag is the whole flags+offset field; ihl in 32-bit words, options NOPs. */
void frame_ipv4(struct frame *f, const char *saddr, const char *daddr, uint8_t proto,
		uint16_t frag, uint8_t ihl);
void frame_ipv6(struct frame *f, const char *saddr, const char *daddr, uint8_t nexthdr);
void frame_ipv6_frag(struct frame *f, uint8_t nexthdr, uint16_t offset_flags, uint32_t id);
void frame_tcp(struct frame *f, uint16_t sport, uint16_t dport);
void frame_udp(struct frame *f, uint16_t sport, uint16_t dport);
/* Any 8-byte ICMP or ICMPv6 header; rest is the id/sequence word. */
void frame_icmp(struct frame *f, uint8_t type, uint8_t code, uint16_t id, uint16_t seq);
/* An Ethernet/IPv4 ARP request. */
void frame_arp(struct frame *f, const uint8_t *sha, const char *spa, const char *tpa);
void frame_bytes(struct frame *f, const void *bytes, size_t n);
/* n bytes from a fixed-seed generator: the same "garbage" on every run. */
void frame_random(struct frame *f, size_t n, uint32_t seed);

/* Fill in IP total/payload lengths and the IPv4 checksum. Call last. */
void frame_done(struct frame *f);
/* Cut the frame to len bytes (after frame_done, to keep lengths plausible). */
void frame_truncate(struct frame *f, size_t len);

#endif /* FRAMES_H */
