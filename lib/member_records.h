/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What xbond changed on each member and how to undo it, kept apart from the
 * bond's pins: one small file per member that outlives the bond's interface,
 * its pins and its monitor, and follows the member through renames.
 */
#ifndef XBOND_MEMBER_RECORDS_H
#define XBOND_MEMBER_RECORDS_H

#include <stdbool.h>
#include <linux/types.h>
#include "maps/xbond_abi.h"
#include "attach.h"

/*
 * /run/xbond/<netns inode>/members/<ifindex>, text "key value" lines, written
 * (atomically) before the member is changed and removed once it is given
 * back. Keyed by ifindex and namespace, never by name: a rename leaves it
 * valid, and ifindexes are numbered per namespace as the run directory is.
 * The netns cookie tells a dead namespace's records from ours when a new
 * namespace gets its inode number. /run, like the links it describes, does
 * not outlive a boot.
 */
struct xbond_member_record {
	char bond[XBOND_NAME_LEN];	/* the bond's name */
	__u32 bond_ifindex;		/* its logical interface */
	__u32 peer_ifindex;		/* and that one's hidden peer */
	__u64 netns_cookie;		/* SO_NETNS_COOKIE of the namespace it was made in */
	__u8 bond_mac[6];		/* the MAC the member was given */
	__u8 perm_mac[6];		/* the member's permanent MAC; zero if none (veth) */
	/*
	 * ifindex, the name at enslave time, orig_mac, orig_mtu,
	 * orig_disable_ipv6 (0xff: no IPv6), and in flags WAS_UP, HAD_CLSACT,
	 * RX_TC (tc ingress alone, else native XDP and tc).
	 */
	struct xbond_member m;
	bool rx_known;			/* false until the receive side is attached */
	__u32 prog_id[XBOND_PROG_MAX];	/* the bond's programs: any of them on the member is ours */
};

/* Write r (r->m.ifindex names the file). 0 or -errno. */
int xbond_record_write(const struct xbond_member_record *r);
/* The record of ifindex in this namespace: 0, -ENOENT, or -ESTALE (another namespace's: removed). */
int xbond_record_read(int ifindex, struct xbond_member_record *r);
void xbond_record_remove(int ifindex);

/*
 * Every record of this namespace (of bond, if not NULL), in ifindex order:
 * fn(record, data); a non-zero return stops the walk and is returned. A dead
 * namespace's records met on the way are removed.
 */
int xbond_records_each(const char *bond,
		       int (*fn)(const struct xbond_member_record *r, void *data), void *data);

#endif /* XBOND_MEMBER_RECORDS_H */
