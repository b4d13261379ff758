/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What xbond changed on each member and how to undo it, kept apart from the
 * bond's pins: one small file per member that outlives the bond's interface,
 * its pins and its monitor, and follows the member through renames.
 */
#ifndef XBOND_MEMBER_RECORDS_H
#define XBOND_MEMBER_RECORDS_H

#include <limits.h>
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

/*
 * A bond's journal: /run/xbond/<netns inode>/bonds/<bond>, written before a
 * create changes anything and rewritten after each of its steps, so that a
 * create killed at any point can be undone by the next xbond command: what
 * it made (the veth pair by name and ifindex, the pin directory) is here,
 * and each member it touched has its member record. The creator holds an
 * flock on the file while it works: a journal that says "creating" and
 * whose lock is free was left by a create that died. Once the bond is
 * whole it says "made" and when, and it goes with the bond.
 */
enum xbond_journal_state {
	XBOND_JOURNAL_CREATING = 0,
	XBOND_JOURNAL_MADE,
};

struct xbond_journal {
	char bond[XBOND_NAME_LEN];
	enum xbond_journal_state state;
	char step[32];			/* the last step done; "" before the first */
	char peer[XBOND_NAME_LEN];	/* the hidden peer's name */
	__u32 bond_ifindex;		/* 0 until the veth pair is made */
	__u32 peer_ifindex;
	__u64 netns_cookie;
	__u64 made_ns;			/* CLOCK_BOOTTIME when it was made whole */
	char pin_dir[PATH_MAX];
};

/*
 * Start bond j->bond's journal: made, locked and written. Returns the fd
 * (keep it open while creating), -EBUSY if another live command holds it.
 */
int xbond_journal_begin(const struct xbond_journal *j);
/* Rewrite the journal held at fd. 0 or -errno. */
int xbond_journal_write(int fd, const struct xbond_journal *j);
/*
 * Open and lock bond's journal, if its writer is gone: the fd, to close once
 * done with it; -ENOENT if there is none (or it was another namespace's:
 * removed), -EBUSY if a live command holds it.
 */
int xbond_journal_open(const char *bond, struct xbond_journal *j);
void xbond_journal_remove(const char *bond);

#endif /* XBOND_MEMBER_RECORDS_H */
