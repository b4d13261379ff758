// SPDX-License-Identifier: GPL-2.0
/* Appending protocol headers to a frame buffer; misuse aborts, since a bad frame is a bad test. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "frames.h"

static uint8_t *grow(struct frame *f, size_t n)
{
	uint8_t *p;

	if (f->len + n > FRAME_MAX) {
		fprintf(stderr, "frames: frame longer than %d bytes\n", FRAME_MAX);
		abort();
	}
	p = f->data + f->len;
	memset(p, 0, n);
	f->len += n;
	return p;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static void parse_addr(int family, const char *text, void *out)
{
	if (inet_pton(family, text, out) != 1) {
		fprintf(stderr, "frames: bad address %s\n", text);
		abort();
	}
}

static void note_ip(struct frame *f, size_t off, uint8_t version)
{
	if (f->n_ip < 2) {
		f->ip_off[f->n_ip] = off;
		f->ip_version[f->n_ip] = version;
		f->n_ip++;
	}
}

void frame_eth(struct frame *f, const uint8_t *dst, const uint8_t *src, uint16_t proto)
{
	uint8_t *p = grow(f, 14);

	memcpy(p, dst, 6);
	memcpy(p + 6, src, 6);
	put16(p + 12, proto);
}

void frame_vlan(struct frame *f, uint16_t tci, uint16_t proto)
{
	uint8_t *p = grow(f, 4);

	put16(p, tci);
	put16(p + 2, proto);
}

void frame_ipv4(struct frame *f, const char *saddr, const char *daddr, uint8_t proto,
		uint16_t frag, uint8_t ihl)
{
	size_t off = f->len;
	uint8_t *p = grow(f, ihl * 4u);

	p[0] = 0x40 | (ihl & 0x0f);
	put16(p + 4, 0x1c46);		/* identification */
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	parse_addr(AF_INET, saddr, p + 12);
	parse_addr(AF_INET, daddr, p + 16);
	if (ihl > 5)
		memset(p + 20, 1, (ihl - 5) * 4u);	/* IPOPT_NOOP */
	note_ip(f, off, 4);
}

void frame_ipv6(struct frame *f, const char *saddr, const char *daddr, uint8_t nexthdr)
{
	size_t off = f->len;
	uint8_t *p = grow(f, 40);

	put32(p, 0x60000000);
	p[6] = nexthdr;
	p[7] = 64;
	parse_addr(AF_INET6, saddr, p + 8);
	parse_addr(AF_INET6, daddr, p + 24);
	note_ip(f, off, 6);
}

void frame_ipv6_frag(struct frame *f, uint8_t nexthdr, uint16_t offset_flags, uint32_t id)
{
	uint8_t *p = grow(f, 8);

	p[0] = nexthdr;
	put16(p + 2, offset_flags);
	put32(p + 4, id);
}

void frame_tcp(struct frame *f, uint16_t sport, uint16_t dport)
{
	uint8_t *p = grow(f, 20);

	put16(p, sport);
	put16(p + 2, dport);
	put32(p + 4, 0x01020304);	/* sequence */
	p[12] = 5 << 4;			/* data offset */
	p[13] = 0x10;			/* ACK */
	put16(p + 14, 65535);
}

void frame_udp(struct frame *f, uint16_t sport, uint16_t dport)
{
	uint8_t *p = grow(f, 8);

	put16(p, sport);
	put16(p + 2, dport);
}

void frame_icmp(struct frame *f, uint8_t type, uint8_t code, uint16_t id, uint16_t seq)
{
	uint8_t *p = grow(f, 8);

	p[0] = type;
	p[1] = code;
	put16(p + 4, id);
	put16(p + 6, seq);
}

void frame_arp(struct frame *f, const uint8_t *sha, const char *spa, const char *tpa)
{
	uint8_t *p = grow(f, 28);

	put16(p, 1);			/* Ethernet */
	put16(p + 2, 0x0800);
	p[4] = 6;
	p[5] = 4;
	put16(p + 6, 1);		/* request */
	memcpy(p + 8, sha, 6);
	parse_addr(AF_INET, spa, p + 14);
	parse_addr(AF_INET, tpa, p + 24);
}

void frame_bytes(struct frame *f, const void *bytes, size_t n)
{
	memcpy(grow(f, n), bytes, n);
}

void frame_random(struct frame *f, size_t n, uint32_t seed)
{
	uint8_t *p = grow(f, n);
	uint32_t x = seed ? seed : 1;
	size_t i;

	for (i = 0; i < n; i++) {
		/* xorshift32: deterministic, so a failure reproduces. */
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		p[i] = x;
	}
}

static uint16_t ip_checksum(const uint8_t *p, size_t n)
{
	uint32_t sum = 0;
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += p[i] << 8 | p[i + 1];
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

void frame_done(struct frame *f)
{
	unsigned int i;

	for (i = 0; i < f->n_ip; i++) {
		uint8_t *p = f->data + f->ip_off[i];
		size_t rest = f->len - f->ip_off[i];

		if (f->ip_version[i] == 6) {
			put16(p + 4, rest - 40);
			continue;
		}
		put16(p + 2, rest);
		put16(p + 10, 0);
		put16(p + 10, ip_checksum(p, (p[0] & 0x0f) * 4u));
	}
}

void frame_truncate(struct frame *f, size_t len)
{
	if (len > f->len) {
		fprintf(stderr, "frames: cannot truncate %zu bytes to %zu\n", f->len, len);
		abort();
	}
	f->len = len;
}
