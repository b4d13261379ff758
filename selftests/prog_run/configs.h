/* SPDX-License-Identifier: GPL-2.0 */
/* Data plane configs for the tests, built from bond and member records as xbondload does. */
#ifndef CONFIGS_H
#define CONFIGS_H

#include <linux/types.h>
#include "maps/xbond_abi.h"

/* Member ifindexes when a test does not need real devices. */
#define CFG_FAKE_IFINDEX(slot)	(1000 + (slot))

struct cfg_spec {
	__u32 mode;			/* enum xbond_mode */
	__u32 hash_policy;		/* enum xbond_hash */
	__u32 packets_per_member;
	unsigned int n_members;		/* slots 0..n_members-1 are members */
	__u32 down_mask;		/* bit per slot: member without carrier */
	__u8 primary;			/* member slot; 0 unless set */
	const int *ifindex;		/* per slot; NULL for CFG_FAKE_IFINDEX */
	__u64 backup_rx_until_ns;	/* replaces whatever the build chose */
	/* 802.3ad, as the monitor's LACP mux would set them (other modes ignore them): */
	__u32 collecting;		/* bit per slot: XBOND_MEMBER_COLLECTING */
	__u32 distributing;		/* bit per slot: XBOND_MEMBER_DISTRIBUTING */
	__u16 min_links;
};

/* The bond record and XBOND_MAX_MEMBERS member records spec describes. */
void cfg_records(const struct cfg_spec *spec, struct xbond_bond *bond,
		 struct xbond_member *members);

/* xbond_build_config() over records made from spec. */
void cfg_build(const struct cfg_spec *spec, struct xbond_config *cfg);

#endif /* CONFIGS_H */
