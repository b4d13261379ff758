// SPDX-License-Identifier: GPL-2.0
/*
 * Write the seed corpus for fuzz_lacpdu: valid LACPDUs and Marker PDUs from
 * lib/lacp_pdu.c's builders, and a few one-byte breakages of them. Build and
 * run by hand:
 *   cc -I. -Ilib fuzz/seed_lacpdu.c lib/lacp_pdu.c -o .output/seed_lacpdu && \
 *      .output/seed_lacpdu fuzz/corpus/lacpdu
 */
#include <stdio.h>
#include <string.h>
#include "lacp_pdu.h"

/* A base frame, cut to len (0: whole), with one byte set (off 0: none). */
struct seed {
	const char *name;
	bool marker;
	size_t len;
	unsigned int off;
	__u8 val;
};

static const struct seed seeds[] = {
	{ "lacpdu", false, 0, 0, 0 },
	{ "lacpdu_through_terminator", false, 74, 0, 0 },
	{ "lacpdu_version2", false, 0, 15, 2 },
	{ "lacpdu_version0", false, 0, 15, 0 },
	{ "lacpdu_truncated", false, 60, 0, 0 },
	{ "lacpdu_bad_actor_len", false, 0, 17, 19 },
	{ "lacpdu_no_terminator", false, 0, 72, 5 },
	{ "subtype3", false, 0, 14, 3 },
	{ "wrong_ethertype", false, 0, 13, 0x08 },
	{ "marker_information", true, 0, 0, 0 },
	{ "marker_response", true, 0, 16, 2 },
	{ "marker_bad_tlv", true, 0, 17, 18 },
};

int main(int argc, char **argv)
{
	static const __u8 mac[6] = { 0x02, 0x00, 0x00, 0x00, 0x00, 0x01 };
	const __u8 flags = XBOND_LACP_ACTIVITY | XBOND_LACP_AGGREGATION | XBOND_LACP_SYNC;
	const struct lacpdu lacp = {
		.actor = { 65535, { 0x02, 0, 0, 0, 0, 0x99 }, 99, 255, 1, flags },
		.partner = { 32768, { 0x02, 0, 0, 0, 0, 0x01 }, 17, 255, 2, flags },
	};
	const struct marker_pdu marker = { false, 1, { 0x02, 0, 0, 0, 0, 0x99 }, 7 };
	__u8 frame[LACP_FRAME_LEN];
	char path[4096];
	unsigned int i;

	if (argc != 2)
		return 2;
	for (i = 0; i < sizeof(seeds) / sizeof(seeds[0]); i++) {
		const struct seed *s = &seeds[i];
		size_t len = s->marker ? marker_pdu_build(frame, sizeof(frame), mac, &marker) :
					 lacpdu_build(frame, sizeof(frame), mac, &lacp);
		FILE *out;

		if (s->len)
			len = s->len;
		if (s->off)
			frame[s->off] = s->val;
		snprintf(path, sizeof(path), "%s/%s", argv[1], s->name);
		out = fopen(path, "w");
		if (!out || fwrite(frame, 1, len, out) != len || fclose(out))
			return 1;
	}
	return 0;
}
