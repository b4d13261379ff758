// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer harness: rtnetlink datagrams as the monitor reads them from its
 * event socket, through the same walk (nl_walk) and parser (nl_link_parse).
 * Whatever a datagram holds, it must parse or be refused, never read past
 * its end. (libmnl's own walk does: it takes a length past 2 GiB for a
 * negative one. This harness found that.)
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include "nl.h"

static void on_msg(const struct nlmsghdr *nlh, void *data)
{
	struct xbond_link link;

	(void)data;
	if ((nlh->nlmsg_type == RTM_NEWLINK || nlh->nlmsg_type == RTM_DELLINK) &&
	    !nl_link_parse(nlh, &link)) {
		/* What the monitor uses must be sane whatever came in. */
		if (strnlen(link.name, sizeof(link.name)) >= sizeof(link.name) ||
		    strnlen(link.kind, sizeof(link.kind)) >= sizeof(link.kind))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A socket read gives an aligned buffer. */
	static uint64_t buf[65536 / sizeof(uint64_t)];

	if (size > sizeof(buf))
		return 0;
	memcpy(buf, data, size);
	nl_walk(buf, size, on_msg, NULL);
	return 0;
}
