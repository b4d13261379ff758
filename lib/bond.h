/* SPDX-License-Identifier: GPL-2.0 */
/* A bond's pinned state, opened from its pin directory, and the one way to change what the data plane sees. */
#ifndef XBOND_BOND_H
#define XBOND_BOND_H

#include <limits.h>
#include <stdbool.h>
#include <linux/types.h>
#include "maps/xbond_abi.h"

/* Carrier poll interval of a new bond: a tenth of bonding's usual 100 ms. */
#define XBOND_DEFAULT_MIIMON_MS	10

/* How long backups take unicast after the active member changes. */
#define XBOND_BACKUP_GRACE_NS	(500ULL * 1000 * 1000)

/*
 * What the active-member policy is told besides the records. Callers set it
 * (xbond_note_*); the next xbond_publish applies it and clears it.
 */
struct xbond_active_input {
	__u8 requested;			/* --active: this slot, if usable; else XBOND_NO_MEMBER */
	bool new_primary;		/* the primary was just named */
	__u32 back;			/* bit per slot: usable again since the last publish */
	/* primary_reselect better: ethtool speeds as the members came back; 0: unknown */
	unsigned int speed_mbps[XBOND_MAX_MEMBERS];
};

/* Whether pins are a bond this network namespace may use, as xbond_open_live finds. */
enum xbond_liveness {
	XBOND_LIVE = 0,
	XBOND_ABSENT,		/* no pins of that name */
	XBOND_UNREADABLE,	/* pins that do not open as a bond's maps */
	XBOND_FOREIGN_ABI,	/* made by an xbond of another ABI version */
	XBOND_STALE,		/* another namespace's: a dead one whose inode number came back */
	XBOND_LOST_LINK,	/* ours, but its logical interface is gone or renamed */
	XBOND_PINS_LOST,	/* no pins, but member records name it: members still held */
};

struct xbond_handle {
	char dir[PATH_MAX];
	int config_fd;
	int slot_fd;
	int bond_fd;
	int members_fd;
	int mstats_fd;
	int counters_fd;
	int arp_seen_fd;
	int lacp_fd;
	struct xbond_bond bond;
	struct xbond_member members[XBOND_MAX_MEMBERS];
	struct xbond_active_input active_in;
	/*
	 * XBOND_LIVE, or why this is what is left of a bond that is not
	 * (bond_find): then the records are what the pins and the member
	 * records still tell, and no map need be open.
	 */
	enum xbond_liveness liveness;
};

/* An empty handle: no maps open, no records. xbond_close on it is a no-op. */
void xbond_init(struct xbond_handle *h);
/* Open the pinned maps under dir and read the bond and member records. */
int xbond_open(struct xbond_handle *h, const char *dir);
void xbond_close(struct xbond_handle *h);
/* Re-read the bond and member records through the open maps. */
int xbond_reload(struct xbond_handle *h);

/*
 * Open a bond and check that it is live: its ABI version, its netns cookie,
 * and its logical interface still there under its name. name_or_dir is a
 * bond name in this namespace, or a pin directory (anything with a '/').
 * Returns 0 if live, else a negative errno with *why. Nothing is removed. h
 * is always initialised: close it whatever this returns. With XBOND_STALE
 * and XBOND_LOST_LINK it stays open on the records of the bond that was,
 * for the caller to judge.
 */
int xbond_open_live(const char *name_or_dir, struct xbond_handle *h,
		    enum xbond_liveness *why);
/*
 * What can still be read of pins that do not open whole (one was removed):
 * each map that opens, and the bond and member records if theirs did.
 * Returns 0 if the member records were read.
 */
int xbond_open_partial(struct xbond_handle *h, const char *dir);
/* Pin again, from the fds held, the maps whose pins were removed from h->dir. How many, or -errno. */
int xbond_repin_maps(const struct xbond_handle *h);
/* Why, in words for a message after "NAME: ". */
const char *xbond_liveness_str(enum xbond_liveness why);

int xbond_write_bond(struct xbond_handle *h);
int xbond_write_member(struct xbond_handle *h, unsigned int slot);

/* Slot of the member with this ifindex, or -1. A free slot, or -1 if full. */
int xbond_member_slot(const struct xbond_handle *h, int ifindex);
int xbond_free_slot(const struct xbond_handle *h);
unsigned int xbond_member_count(const struct xbond_handle *h);

static inline bool xbond_mac_is_zero(const __u8 *mac)
{
	return !(mac[0] | mac[1] | mac[2] | mac[3] | mac[4] | mac[5]);
}

/* 802.3ad: the actor's system ID, ad_actor_system or, while that is all zero, the bond's MAC. */
static inline const __u8 *xbond_actor_system(const struct xbond_bond *bond)
{
	return xbond_mac_is_zero(bond->ad_actor_system) ? bond->mac : bond->ad_actor_system;
}

static inline bool xbond_member_usable(const struct xbond_member *m)
{
	return m->ifindex && (m->flags & XBOND_MEMBER_CARRIER) &&
	       (m->flags & XBOND_MEMBER_ADMIN_UP) && !(m->flags & XBOND_MEMBER_ARP_DOWN);
}

/* An operator asked for slot as the active member (--active). */
void xbond_note_requested_active(struct xbond_handle *h, unsigned int slot);
/* The primary was just named: it takes over unless primary_reselect is failure. */
void xbond_note_new_primary(struct xbond_handle *h);
/* Member slot is usable again: the primary may take back over, as primary_reselect says. */
void xbond_note_member_back(struct xbond_handle *h, unsigned int slot);

/*
 * The one active-member policy: an explicit request, then a primary taking
 * (back) over as primary_reselect says (failback off is reselect failure),
 * then the active member while usable (sticky), then the primary, then the
 * first usable member. Mode-agnostic: it names a member, whoever uses it.
 * in may be NULL. Returns a slot or XBOND_NO_MEMBER.
 */
__u8 xbond_choose_active(const struct xbond_bond *bond, const struct xbond_member *members,
			 const struct xbond_active_input *in);

/* What a config build changes in the bond record; the caller writes it. */
struct xbond_record_changes {
	__u8 active;
	__u8 home[XBOND_BUCKETS];
};

/*
 * Compute the config the data plane should see from the bond and member
 * records and the policy's input (NULL: none). live is the config now in
 * force: it decides whether backups get a grace period. Pure: no I/O, and
 * what the records must remember (the active member, the buckets' homes)
 * comes back in changes.
 */
void xbond_build(const struct xbond_bond *bond, const struct xbond_member *members,
		 const struct xbond_active_input *in, const struct xbond_config *live,
		 __u64 now_ns, struct xbond_config *next, struct xbond_record_changes *changes);

/* xbond_build with no policy input, for harnesses that only want the config. */
void xbond_build_config(const struct xbond_bond *bond, const struct xbond_member *members,
			const struct xbond_config *live, __u64 now_ns,
			struct xbond_config *next);

/*
 * Build the config, write what the build changed in the bond record (the
 * policy's input is then spent), and make the config live: write the standby
 * copy, flip the slot, then wait out an RCU grace period so no packet still
 * reads the old copy when the next publish overwrites it. The bond's carrier
 * goes off when the last usable member goes, and on with the first. Returns
 * 1 if the config changed, 0 if it was already live, or a negative errno.
 */
int xbond_publish(struct xbond_handle *h);

/*
 * Make cfg live as it is, with no build: how a failed change puts back the
 * config it found. Returns as xbond_publish.
 */
int xbond_publish_config(const struct xbond_handle *h, const struct xbond_config *cfg);

int xbond_read_live_config(const struct xbond_handle *h, struct xbond_config *cfg);

/* Per-member stats and event counters summed over CPUs. */
int xbond_read_member_stats(const struct xbond_handle *h, unsigned int slot,
			    struct xbond_member_stats *sum);
int xbond_read_counter(const struct xbond_handle *h, unsigned int counter, __u64 *sum);

__u64 xbond_now_ns(void);

struct bpf_object;
/*
 * Before load: give the object maps of its own instead of pinning them by
 * name, for test and benchmark harnesses that must not touch a live bond.
 */
int xbond_unpin_maps(struct bpf_object *obj);

#endif /* XBOND_BOND_H */
