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

struct xbond_handle {
	char dir[PATH_MAX];
	int config_fd;
	int slot_fd;
	int bond_fd;
	int members_fd;
	int mstats_fd;
	int counters_fd;
	int arp_seen_fd;
	struct xbond_bond bond;
	struct xbond_member members[XBOND_MAX_MEMBERS];
};

/* An empty handle: no maps open, no records. xbond_close on it is a no-op. */
void xbond_init(struct xbond_handle *h);
/* Open the pinned maps under dir and read the bond and member records. */
int xbond_open(struct xbond_handle *h, const char *dir);
void xbond_close(struct xbond_handle *h);
/* Re-read the bond and member records through the open maps. */
int xbond_reload(struct xbond_handle *h);

int xbond_write_bond(struct xbond_handle *h);
int xbond_write_member(struct xbond_handle *h, unsigned int slot);

/* Slot of the member with this ifindex, or -1. A free slot, or -1 if full. */
int xbond_member_slot(const struct xbond_handle *h, int ifindex);
int xbond_free_slot(const struct xbond_handle *h);
unsigned int xbond_member_count(const struct xbond_handle *h);

static inline bool xbond_member_usable(const struct xbond_member *m)
{
	return m->ifindex && (m->flags & XBOND_MEMBER_CARRIER) &&
	       (m->flags & XBOND_MEMBER_ADMIN_UP) && !(m->flags & XBOND_MEMBER_ARP_DOWN);
}

/*
 * Compute the config the data plane should see from the bond and member
 * records. live is the config now in force: it keeps the active member sticky
 * and decides whether backups get a grace period. Pure: no I/O.
 */
void xbond_build_config(struct xbond_bond *bond, const struct xbond_member *members,
			const struct xbond_config *live, __u64 now_ns,
			struct xbond_config *next);

/*
 * Build the config and make it live: write the standby copy, flip the slot,
 * then wait out an RCU grace period so no packet still reads the old copy
 * when the next publish overwrites it. The bond's carrier goes off when the
 * last usable member goes, and on with the first. Returns 1 if the config
 * changed, 0 if it was already live, or a negative errno.
 */
int xbond_publish(struct xbond_handle *h);

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
