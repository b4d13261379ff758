// SPDX-License-Identifier: GPL-2.0
/* xbond_build in 802.3ad, called on records made here: buckets, collecting mask, min_links, carrier. */
#include <string.h>
#include "bond.h"
#include "check.h"
#include "configs.h"
#include "packets.h"
#include "suites.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define USABLE		(XBOND_MEMBER_ADMIN_UP | XBOND_MEMBER_CARRIER)
#define LACP_IN		(XBOND_MEMBER_COLLECTING | XBOND_MEMBER_DISTRIBUTING)

static const __u32 other_modes[] = {
	XBOND_MODE_ROUNDROBIN, XBOND_MODE_ACTIVEBACKUP, XBOND_MODE_XOR, XBOND_MODE_BROADCAST,
};

static const char *mode_name(__u32 mode)
{
	switch (mode) {
	case XBOND_MODE_ROUNDROBIN: return "balance-rr";
	case XBOND_MODE_ACTIVEBACKUP: return "active-backup";
	case XBOND_MODE_XOR: return "balance-xor";
	case XBOND_MODE_BROADCAST: return "broadcast";
	case XBOND_MODE_8023AD: return "802.3ad";
	default: return "?";
	}
}

/* A bond record as xbondload makes one: no homes yet. */
static void bond_init(struct xbond_bond *bond, __u32 mode, __u16 min_links)
{
	memset(bond, 0, sizeof(*bond));
	bond->abi_version = XBOND_ABI_VERSION;
	bond->mode = mode;
	bond->hash_policy = XBOND_HASH_LAYER34;
	bond->packets_per_member = 1;
	memcpy(bond->mac, pkt_mac_b, sizeof(bond->mac));
	bond->primary = 0;
	bond->active = XBOND_NO_MEMBER;
	bond->min_links = min_links;
	memset(bond->home, XBOND_NO_MEMBER, sizeof(bond->home));
}

/* Members 0..n-1 with flags[i]. */
static void members_init(struct xbond_member *members, const __u32 *flags, unsigned int n)
{
	unsigned int i;

	memset(members, 0, sizeof(*members) * XBOND_MAX_MEMBERS);
	for (i = 0; i < n; i++) {
		members[i].ifindex = CFG_FAKE_IFINDEX(i);
		members[i].flags = flags[i];
	}
}

static void build(const struct xbond_bond *bond, const struct xbond_member *members,
		  struct xbond_config *cfg, struct xbond_record_changes *changes)
{
	struct xbond_config live;

	memset(&live, 0, sizeof(live));
	xbond_build(bond, members, NULL, &live, 0, cfg, changes);
}

/* tx_members is exactly the slots in mask, in order, and the rest XBOND_NO_MEMBER. */
static bool tx_members_are(const struct xbond_config *cfg, __u32 mask)
{
	unsigned int i, n = 0;

	for (i = 0; i < XBOND_MAX_MEMBERS; i++) {
		if (!(mask & (1U << i)))
			continue;
		if (!expect_true(n < cfg->n_tx && cfg->tx_members[n] == i,
				 "tx_members[%u]: expected %u, got %u (n_tx %u)", n, i,
				 cfg->tx_members[n], cfg->n_tx))
			return false;
		n++;
	}
	if (!expect_eq("n_tx", n, cfg->n_tx))
		return false;
	for (; n < XBOND_MAX_MEMBERS; n++)
		if (!expect_eq("unused tx_members entry", XBOND_NO_MEMBER, cfg->tx_members[n]))
			return false;
	return true;
}

/* Every bucket names a member in mask; each of them has one (if want_all). */
static bool buckets_within(const struct xbond_config *cfg, __u32 mask, bool want_all)
{
	__u32 used = 0;
	unsigned int b;

	for (b = 0; b < XBOND_BUCKETS; b++) {
		__u8 m = cfg->buckets[b];

		if (!expect_true(m < XBOND_MAX_MEMBERS && (mask & (1U << m)),
				 "bucket %u on member %u, not one of mask 0x%x", b, m, mask))
			return false;
		used |= 1U << m;
	}
	return !want_all || expect_true(used == mask, "buckets use members 0x%x of 0x%x", used,
					mask);
}

static bool buckets_none(const struct xbond_config *cfg)
{
	unsigned int b;

	for (b = 0; b < XBOND_BUCKETS; b++)
		if (!expect_true(cfg->buckets[b] == XBOND_NO_MEMBER, "bucket %u on member %u", b,
				 cfg->buckets[b]))
			return false;
	return true;
}

/*
 * Six members, one per way of being in or out of 802.3ad's tx: only usable
 * and distributing members take buckets; the collecting mask is usable and
 * collecting. A bucket whose home can take it stays home.
 */
static void eligibility(void)
{
	static const __u32 flags[] = {
		USABLE | LACP_IN,					/* 0: in */
		USABLE | XBOND_MEMBER_COLLECTING,			/* 1: collecting only */
		XBOND_MEMBER_ADMIN_UP | LACP_IN,			/* 2: no carrier */
		USABLE | LACP_IN | XBOND_MEMBER_ARP_DOWN,		/* 3: ARP monitor down */
		XBOND_MEMBER_CARRIER | LACP_IN,				/* 4: admin down */
		USABLE | XBOND_MEMBER_DISTRIBUTING,			/* 5: distributing only */
	};
	const __u32 tx = 1U << 0 | 1U << 5, collecting = 1U << 0 | 1U << 1;
	struct xbond_record_changes changes;
	struct xbond_member members[XBOND_MAX_MEMBERS];
	struct xbond_config cfg;
	struct xbond_bond bond;
	unsigned int b, i;
	bool ok = false;

	bond_init(&bond, XBOND_MODE_8023AD, 0);
	members_init(members, flags, ARRAY_SIZE(flags));
	build(&bond, members, &cfg, &changes);
	if (!tx_members_are(&cfg, tx) || !buckets_within(&cfg, tx, true) ||
	    !expect_eq("n_members", ARRAY_SIZE(flags), cfg.n_members))
		goto out;
	for (b = 0; b < XBOND_BUCKETS; b++) {
		__u8 home = changes.home[b];

		if (home < XBOND_MAX_MEMBERS && (tx & (1U << home)) &&
		    !expect_true(cfg.buckets[b] == home, "bucket %u: home %u, on %u", b, home,
				 cfg.buckets[b]))
			goto out;
	}
	ok = true;
out:
	test_report(ok, "build 802.3ad: only usable, distributing members get buckets");

	ok = expect_eq("collecting", collecting, cfg.collecting);
	test_report(ok, "build 802.3ad: collecting mask is the usable, collecting members");

	/* The LACP flags mean nothing to the other modes: tx is every usable member. */
	for (i = 0; i < ARRAY_SIZE(other_modes); i++) {
		bond_init(&bond, other_modes[i], 0);
		build(&bond, members, &cfg, &changes);
		test_report(tx_members_are(&cfg, 1U << 0 | 1U << 1 | 1U << 5),
			    "build %s: the LACP flags do not choose tx members",
			    mode_name(other_modes[i]));
	}
}

struct min_links_case {
	const char *name;
	unsigned int n;		/* members 0..n-1 */
	__u32 up;		/* bit per slot: usable */
	__u32 distributing;	/* bit per slot */
	__u16 min_links;
	__u32 tx;		/* expected tx members */
	bool carrier;
};

static const struct min_links_case min_links_cases[] = {
	{ "min_links 2, 1 of 2 distributing: nothing sends, no carrier (2 links up)",
	  2, 0x3, 0x1, 2, 0, false },
	{ "min_links 2, 2 of 2 distributing: both send, carrier on",
	  2, 0x3, 0x3, 2, 0x3, true },
	{ "min_links 2, 2 of 3 distributing: those send, carrier on",
	  3, 0x7, 0x5, 2, 0x5, true },
	{ "min_links 3, 2 of 2 up and distributing: nothing sends, no carrier",
	  2, 0x3, 0x3, 3, 0, false },
	{ "min_links 2, 2 distributing but one without carrier: nothing sends, no carrier",
	  3, 0x1, 0x3, 2, 0, false },
	{ "min_links 0, 2 up, none distributing: nothing sends, carrier on (converging)",
	  2, 0x3, 0, 0, 0, true },
	{ "min_links 0, none up: no carrier",
	  2, 0, 0x3, 0, 0, false },
	{ "min_links 1, 1 of 3 up and distributing: it sends, carrier on",
	  3, 0x2, 0x2, 1, 0x2, true },
	{ "min_links 0, 1 up and distributing: it sends, carrier on",
	  2, 0x2, 0x3, 0, 0x2, true },
};

static void min_links_one(const struct min_links_case *c)
{
	struct xbond_record_changes changes;
	struct xbond_member members[XBOND_MAX_MEMBERS];
	__u32 flags[XBOND_MAX_MEMBERS] = { 0 };
	struct xbond_config cfg;
	struct xbond_bond bond;
	unsigned int i;
	bool ok;

	for (i = 0; i < c->n; i++)
		flags[i] = XBOND_MEMBER_ADMIN_UP | XBOND_MEMBER_COLLECTING |
			   (c->up & (1U << i) ? XBOND_MEMBER_CARRIER : 0) |
			   (c->distributing & (1U << i) ? XBOND_MEMBER_DISTRIBUTING : 0);
	bond_init(&bond, XBOND_MODE_8023AD, c->min_links);
	members_init(members, flags, c->n);
	build(&bond, members, &cfg, &changes);
	ok = tx_members_are(&cfg, c->tx) &&
	     (c->tx ? buckets_within(&cfg, c->tx, true) : buckets_none(&cfg)) &&
	     expect_eq("carrier", c->carrier, cfg.carrier) &&
	     expect_eq("collecting", c->up, cfg.collecting);
	test_report(ok, "build 802.3ad: %s", c->name);
}

static unsigned int popcount(__u32 x)
{
	return __builtin_popcount(x);
}

/*
 * Every way 3 members can be up and distributing, under min_links 0..4: tx
 * members are the up and distributing ones if there are min_links of them,
 * else none. Carrier: with min_links, while they send; without, while any
 * member is up, distributing yet or not.
 */
static void min_links_sweep(void)
{
	struct xbond_record_changes changes;
	struct xbond_member members[XBOND_MAX_MEMBERS];
	struct xbond_config cfg;
	struct xbond_bond bond;
	__u32 up, dist, flags[3];
	unsigned int min_links, i, runs = 0;
	bool ok = true;

	for (up = 0; up < 8 && ok; up++) {
		for (dist = 0; dist < 8 && ok; dist++) {
			for (min_links = 0; min_links <= 4 && ok; min_links++) {
				__u32 eligible = up & dist;
				__u32 tx = popcount(eligible) >= min_links ? eligible : 0;
				bool carrier = min_links ? !!tx : !!up;

				for (i = 0; i < 3; i++)
					flags[i] = XBOND_MEMBER_ADMIN_UP |
						   (up & (1U << i) ? XBOND_MEMBER_CARRIER : 0) |
						   (dist & (1U << i) ? LACP_IN : 0);
				bond_init(&bond, XBOND_MODE_8023AD, min_links);
				members_init(members, flags, 3);
				build(&bond, members, &cfg, &changes);
				ok = tx_members_are(&cfg, tx) &&
				     (tx ? buckets_within(&cfg, tx, true) : buckets_none(&cfg)) &&
				     expect_eq("carrier", carrier, cfg.carrier) &&
				     expect_eq("collecting", eligible, cfg.collecting);
				if (!ok)
					expect_true(false, "at up 0x%x, distributing 0x%x, min_links %u",
						    up, dist, min_links);
				runs++;
			}
		}
	}
	test_report(ok && runs == 8 * 8 * 5,
		    "build 802.3ad: 320 combinations of up, distributing and min_links 0..4");
}

/*
 * The other modes: carrier is n_tx > 0, and min_links is 802.3ad's alone
 * (as the kernel's bonding applies it).
 */
static void other_modes_carrier(void)
{
	static const __u32 ups[] = { 0, 0x1, 0x4, 0x7 };
	struct xbond_record_changes changes;
	struct xbond_member members[XBOND_MAX_MEMBERS];
	struct xbond_config cfg;
	struct xbond_bond bond;
	__u32 flags[3];
	unsigned int m, u, i;

	for (m = 0; m < ARRAY_SIZE(other_modes); m++) {
		bool ok = true;

		for (u = 0; u < ARRAY_SIZE(ups) && ok; u++) {
			for (i = 0; i < 3; i++)
				flags[i] = XBOND_MEMBER_ADMIN_UP |
					   (ups[u] & (1U << i) ? XBOND_MEMBER_CARRIER : 0);
			bond_init(&bond, other_modes[m], 3);
			members_init(members, flags, 3);
			build(&bond, members, &cfg, &changes);
			ok = tx_members_are(&cfg, ups[u]) &&
			     expect_eq("carrier", cfg.n_tx > 0, cfg.carrier);
		}
		test_report(ok, "build %s: carrier is n_tx > 0, min_links 3 ignored",
			    mode_name(other_modes[m]));
	}
}

/*
 * A member leaving distribution (still up) gives away its own buckets and no
 * others, as balance-xor does for a failed member, to the same members; back
 * in distribution, it takes exactly those back.
 */
static void leave_distribution(void)
{
	__u32 flags[4] = { USABLE | LACP_IN, USABLE | LACP_IN, USABLE | LACP_IN, USABLE | LACP_IN };
	struct xbond_record_changes changes, changes_out, changes_back;
	struct xbond_member members[XBOND_MAX_MEMBERS];
	struct xbond_config before, out, back, xor_down;
	unsigned int b, moved[4] = { 0 }, own = 0;
	struct xbond_bond bond;
	bool ok = false;

	bond_init(&bond, XBOND_MODE_8023AD, 0);
	members_init(members, flags, 4);
	build(&bond, members, &before, &changes);
	memcpy(bond.home, changes.home, sizeof(bond.home));

	members[1].flags &= ~XBOND_MEMBER_DISTRIBUTING;
	build(&bond, members, &out, &changes_out);
	if (!tx_members_are(&before, 0xf) || !tx_members_are(&out, 0xd) ||
	    !expect_true(!memcmp(changes_out.home, bond.home, sizeof(bond.home)),
			 "leaving distribution changed the buckets' homes"))
		goto out;
	for (b = 0; b < XBOND_BUCKETS; b++) {
		if (before.buckets[b] != 1) {
			if (!expect_true(out.buckets[b] == before.buckets[b],
					 "bucket %u moved from %u to %u", b, before.buckets[b],
					 out.buckets[b]))
				goto out;
			continue;
		}
		own++;
		if (!expect_true(out.buckets[b] < 4 && out.buckets[b] != 1,
				 "bucket %u of member 1 went to %u", b, out.buckets[b]))
			goto out;
		moved[out.buckets[b]]++;
	}
	if (!expect_true(own > 0, "member 1 had no bucket") ||
	    !expect_true(!!moved[0] + !!moved[2] + !!moved[3] >= 2,
			 "member 1's %u buckets went to one member: %u, %u, %u", own, moved[0],
			 moved[2], moved[3]))
		goto out;

	/* balance-xor with member 1 failed: the same buckets, bucket for bucket. */
	bond.mode = XBOND_MODE_XOR;
	members[1].flags = XBOND_MEMBER_ADMIN_UP | LACP_IN;
	build(&bond, members, &xor_down, &changes);
	if (!expect_true(!memcmp(xor_down.buckets, out.buckets, sizeof(out.buckets)),
			 "balance-xor moves a failed member's buckets elsewhere"))
		goto out;

	bond.mode = XBOND_MODE_8023AD;
	members[1].flags = USABLE | LACP_IN;
	build(&bond, members, &back, &changes_back);
	if (!expect_true(!memcmp(back.buckets, before.buckets, sizeof(back.buckets)),
			 "back in distribution, the buckets are not what they were"))
		goto out;
	ok = true;
out:
	test_report(ok, "build 802.3ad: a member leaving distribution moves only its own buckets, "
		    "as balance-xor for a failed member, and takes them back on return");
}

void test_build(void)
{
	unsigned int i;

	eligibility();
	for (i = 0; i < ARRAY_SIZE(min_links_cases); i++)
		min_links_one(&min_links_cases[i]);
	min_links_sweep();
	other_modes_carrier();
	leave_distribution();
}
