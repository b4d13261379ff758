// SPDX-License-Identifier: GPL-2.0
/*
 * Write the seed corpus for fuzz_frames: real frames from selftests/prog_run's
 * builders (ARP, IPv4 TCP/UDP, IPv6, ND, VLAN and QinQ tags, fragments, ICMP),
 * each behind fuzz_frames' three selector bytes, over several configs and
 * arrival devices. Build and run by hand:
 *   cc -I. -Iselftests/prog_run fuzz/seed_frames.c selftests/prog_run/{packets,frames}.c \
 *      -o .output/seed_frames && .output/seed_frames fuzz/corpus/frames
 */
#include <stdio.h>
#include <string.h>
#include "packets.h"

struct seed {
	const char *name;
	pkt_builder build;
	unsigned int arg;
};

static const struct seed seeds[] = {
	{ "ipv4_tcp", pkt_ipv4_tcp, 3000 },
	{ "ipv4_udp", pkt_ipv4_udp, 4000 },
	{ "ipv6_tcp", pkt_ipv6_tcp, 3001 },
	{ "ipv6_udp", pkt_ipv6_udp, 4001 },
	{ "vlan_ipv4_tcp", pkt_vlan_ipv4_tcp, 3002 },
	{ "qinq_ipv6_udp", pkt_qinq_ipv6_udp, 4002 },
	{ "three_tags", pkt_three_tags_ipv4_tcp, 3003 },
	{ "ipv4_frag_first", pkt_ipv4_frag_first, 3004 },
	{ "ipv4_frag_later", pkt_ipv4_frag_later, 3005 },
	{ "ipv6_frag_udp", pkt_ipv6_frag_udp, 4003 },
	{ "ipv4_options", pkt_ipv4_options_tcp, 3006 },
	{ "icmp_echo", pkt_icmp_echo, 7 },
	{ "icmp_unreach", pkt_icmp_unreach_udp, 4004 },
	{ "icmpv6_echo", pkt_icmpv6_echo, 8 },
	{ "nd_ns", pkt_icmpv6_type, 135 },
	{ "nd_ra", pkt_icmpv6_type, 134 },
	{ "arp", pkt_arp, 0 },
	{ "vlan_arp", pkt_vlan_arp, 0 },
	{ "bcast_udp", pkt_ipv4_udp_bcast, 4005 },
	{ "garbage", pkt_garbage, 99 },
};

int main(int argc, char **argv)
{
	/* config, arrival device, program: a spread of fuzz_frames' selectors. */
	static const unsigned char sel[][3] = {
		{ 0, 0, 0 }, { 2, 1, 0 }, { 3, 2, 1 }, { 7, 0, 1 }, { 11, 1, 0 }, { 4, 3, 0 },
	};
	char path[4096];
	unsigned int i;

	if (argc != 2)
		return 2;
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		const unsigned char *s = sel[i % (sizeof(sel) / sizeof(sel[0]))];
		struct frame f;
		FILE *out;

		pkt_build(&f, seeds[i].build, seeds[i].arg);
		snprintf(path, sizeof(path), "%s/%s", argv[1], seeds[i].name);
		out = fopen(path, "w");
		if (!out || fwrite(s, 1, 3, out) != 3 || fwrite(f.data, 1, f.len, out) != f.len ||
		    fclose(out))
			return 1;
	}
	return 0;
}
