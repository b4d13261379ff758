// SPDX-License-Identifier: GPL-2.0
/* Reading and publishing a bond's state through its pinned maps. */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <linux/membarrier.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "bond.h"
#include "links.h"
#include "log.h"
#include "nl.h"
#include "pins.h"

__u64 xbond_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

static int open_map(const struct xbond_handle *h, const char *name)
{
	char path[PATH_MAX + 32];

	snprintf(path, sizeof(path), "%s/%s", h->dir, name);
	return bpf_obj_get(path);
}

/* Nothing asked of the policy: what xbond_init and every publish leave. */
static void clear_active_input(struct xbond_active_input *in)
{
	memset(in, 0, sizeof(*in));
	in->requested = XBOND_NO_MEMBER;
}

void xbond_init(struct xbond_handle *h)
{
	memset(h, 0, sizeof(*h));
	h->config_fd = h->slot_fd = h->bond_fd = -1;
	h->members_fd = h->mstats_fd = h->counters_fd = h->arp_seen_fd = h->lacp_fd = -1;
	clear_active_input(&h->active_in);
}

/* Every pinned map, by its pin name, and where a handle keeps its fd. */
static const char *const map_names[] = {
	XBOND_MAP_CONFIG, XBOND_MAP_SLOT, XBOND_MAP_BOND, XBOND_MAP_MEMBERS,
	XBOND_MAP_MSTATS, XBOND_MAP_COUNTERS, XBOND_MAP_ARP_SEEN, XBOND_MAP_LACP,
};
#define N_MAPS	(sizeof(map_names) / sizeof(map_names[0]))

static void map_fds(struct xbond_handle *h, int *fds[N_MAPS])
{
	int *all[N_MAPS] = { &h->config_fd, &h->slot_fd, &h->bond_fd, &h->members_fd,
			     &h->mstats_fd, &h->counters_fd, &h->arp_seen_fd, &h->lacp_fd };

	memcpy(fds, all, sizeof(all));
}

/*
 * The records' value sizes are ours: another ABI's bigger record would
 * overrun ours on a read, before its version could be looked at.
 */
static bool records_fit(const struct xbond_handle *h)
{
	const struct { int fd; __u32 size; } maps[] = {
		{ h->config_fd, sizeof(struct xbond_config) },
		{ h->bond_fd, sizeof(struct xbond_bond) },
		{ h->members_fd, sizeof(struct xbond_member) },
		{ h->lacp_fd, sizeof(struct xbond_lacp_port) },
	};
	struct bpf_map_info info;
	__u32 len;
	unsigned int i;

	for (i = 0; i < sizeof(maps) / sizeof(maps[0]); i++) {
		memset(&info, 0, sizeof(info));
		len = sizeof(info);
		if (bpf_obj_get_info_by_fd(maps[i].fd, &info, &len) ||
		    info.value_size != maps[i].size)
			return false;
	}
	return true;
}

int xbond_open(struct xbond_handle *h, const char *dir)
{
	int *fds[N_MAPS];
	unsigned int i;

	xbond_init(h);
	map_fds(h, fds);
	snprintf(h->dir, sizeof(h->dir), "%s", dir);
	for (i = 0; i < N_MAPS; i++) {
		*fds[i] = open_map(h, map_names[i]);
		if (*fds[i] < 0)
			goto fail;
	}
	if (!records_fit(h)) {
		errno = EPROTO;
		goto fail;
	}
	if (!xbond_reload(h))
		return 0;
fail:
	i = errno;
	xbond_close(h);
	return -(int)i;
}

/* A map's value size, or 0. */
static __u32 value_size(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return fd < 0 || bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.value_size;
}

int xbond_open_partial(struct xbond_handle *h, const char *dir)
{
	struct xbond_bond bond;
	int *fds[N_MAPS];
	unsigned int i;
	__u32 key = 0;

	xbond_init(h);
	map_fds(h, fds);
	snprintf(h->dir, sizeof(h->dir), "%s", dir);
	for (i = 0; i < N_MAPS; i++)
		*fds[i] = open_map(h, map_names[i]);
	if (value_size(h->bond_fd) == sizeof(bond) &&
	    !bpf_map_lookup_elem(h->bond_fd, &key, &bond) &&
	    bond.abi_version == XBOND_ABI_VERSION)
		h->bond = bond;
	if (value_size(h->members_fd) != sizeof(struct xbond_member))
		return -ENOENT;
	for (key = 0; key < XBOND_MAX_MEMBERS; key++)
		if (bpf_map_lookup_elem(h->members_fd, &key, &h->members[key]))
			memset(&h->members[key], 0, sizeof(h->members[key]));
	return 0;
}

int xbond_repin_maps(const struct xbond_handle *h)
{
	char path[PATH_MAX + 32];
	int *fds[N_MAPS];
	unsigned int i;
	int n = 0;

	map_fds((struct xbond_handle *)h, fds);
	for (i = 0; i < N_MAPS; i++) {
		snprintf(path, sizeof(path), "%s/%s", h->dir, map_names[i]);
		if (*fds[i] < 0 || !access(path, F_OK) || errno != ENOENT)
			continue;
		if (bpf_obj_pin(*fds[i], path))
			return -errno;
		n++;
	}
	return n;
}

int xbond_reload(struct xbond_handle *h)
{
	__u32 key = 0;

	if (bpf_map_lookup_elem(h->bond_fd, &key, &h->bond))
		return -errno;
	for (key = 0; key < XBOND_MAX_MEMBERS; key++)
		if (bpf_map_lookup_elem(h->members_fd, &key, &h->members[key]))
			return -errno;
	return 0;
}

void xbond_close(struct xbond_handle *h)
{
	int *fds[N_MAPS];
	unsigned int i;

	map_fds(h, fds);
	for (i = 0; i < N_MAPS; i++) {
		if (*fds[i] >= 0)
			close(*fds[i]);
		*fds[i] = -1;
	}
}

/* Open name's pins, or dir's: 0, or a negative errno with *why. */
static int open_pins(const char *name_or_dir, struct xbond_handle *h,
		     enum xbond_liveness *why)
{
	char dir[PATH_MAX];
	struct stat st;
	int ret = 0;

	if (strchr(name_or_dir, '/'))
		snprintf(dir, sizeof(dir), "%s", name_or_dir);
	else
		ret = xbond_bond_dir(name_or_dir, dir, sizeof(dir), false);
	*why = XBOND_ABSENT;
	if (ret || stat(dir, &st))
		return ret ? ret : -ENOENT;
	ret = xbond_open(h, dir);
	*why = ret == -EPROTO ? XBOND_FOREIGN_ABI : XBOND_UNREADABLE;
	if (ret)
		return ret;
	*why = XBOND_FOREIGN_ABI;
	return h->bond.abi_version == XBOND_ABI_VERSION ? 0 : -EPROTO;
}

static int open_live(const char *name_or_dir, struct xbond_handle *h,
		     enum xbond_liveness *why)
{
	struct xbond_link link;
	__u64 cookie = 0;
	int ret;

	xbond_init(h);
	ret = open_pins(name_or_dir, h, why);
	if (ret) {
		xbond_close(h);
		return ret;
	}
	/* Pins outlive their netns; an inode number can come back for another. */
	*why = XBOND_STALE;
	if (xbond_netns_cookie(&cookie) || h->bond.netns_cookie != cookie)
		return -ESTALE;
	*why = XBOND_LOST_LINK;
	if (nl_link_get(NULL, h->bond.ifindex, &link) || strcmp(link.name, h->bond.name))
		return -ENODEV;
	*why = XBOND_LIVE;
	return 0;
}

int xbond_open_live(const char *name_or_dir, struct xbond_handle *h,
		    enum xbond_liveness *why)
{
	int ret = open_live(name_or_dir, h, why);

	h->liveness = *why;
	return ret;
}

const char *xbond_liveness_str(enum xbond_liveness why)
{
	switch (why) {
	case XBOND_LIVE:
		return "live";
	case XBOND_ABSENT:
		return "no such bond";
	case XBOND_UNREADABLE:
		return "its pins do not open as a bond";
	case XBOND_FOREIGN_ABI:
		return "made by an xbond of another ABI version";
	case XBOND_STALE:
		return "stale pins of a network namespace that is gone";
	case XBOND_LOST_LINK:
		return "its interface is gone";
	case XBOND_PINS_LOST:
		return "its pins are gone";
	}
	return "unknown";
}

int xbond_write_bond(struct xbond_handle *h)
{
	__u32 key = 0;

	return bpf_map_update_elem(h->bond_fd, &key, &h->bond, BPF_ANY) ? -errno : 0;
}

int xbond_write_member(struct xbond_handle *h, unsigned int slot)
{
	__u32 key = slot;

	return bpf_map_update_elem(h->members_fd, &key, &h->members[slot], BPF_ANY) ?
	       -errno : 0;
}

int xbond_member_slot(const struct xbond_handle *h, int ifindex)
{
	int i;

	for (i = 0; i < XBOND_MAX_MEMBERS; i++)
		if (ifindex && (int)h->members[i].ifindex == ifindex)
			return i;
	return -1;
}

int xbond_free_slot(const struct xbond_handle *h)
{
	int i;

	for (i = 0; i < XBOND_MAX_MEMBERS; i++)
		if (!h->members[i].ifindex)
			return i;
	return -1;
}

unsigned int xbond_member_count(const struct xbond_handle *h)
{
	unsigned int i, n = 0;

	for (i = 0; i < XBOND_MAX_MEMBERS; i++)
		n += !!h->members[i].ifindex;
	return n;
}

void xbond_note_requested_active(struct xbond_handle *h, unsigned int slot)
{
	h->active_in.requested = slot;
}

void xbond_note_new_primary(struct xbond_handle *h)
{
	h->active_in.new_primary = true;
}

void xbond_note_member_back(struct xbond_handle *h, unsigned int slot)
{
	unsigned int i;

	if (slot >= XBOND_MAX_MEMBERS)
		return;
	h->active_in.back |= 1U << slot;
	/* Speeds as they are now: the build that weighs them does no I/O. */
	for (i = 0; h->bond.primary_reselect == XBOND_RESELECT_BETTER &&
		    i < XBOND_MAX_MEMBERS; i++)
		if (h->members[i].ifindex)
			h->active_in.speed_mbps[i] = nl_link_speed(h->members[i].name);
}

static bool slot_usable(const struct xbond_member *members, unsigned int slot)
{
	return slot < XBOND_MAX_MEMBERS && xbond_member_usable(&members[slot]);
}

/* Whether the primary takes the active role now, as primary_reselect says. */
static bool primary_takes_over(const struct xbond_bond *bond,
			       const struct xbond_member *members,
			       const struct xbond_active_input *in)
{
	__u8 primary = bond->primary, active = bond->active;

	if (!slot_usable(members, primary) || primary == active)
		return false;
	/* As the kernel does: a new primary takes over unless told not to. */
	if (in->new_primary && bond->primary_reselect != XBOND_RESELECT_FAILURE)
		return true;
	if (!(in->back & (1U << primary)))
		return false;
	switch (bond->primary_reselect) {
	case XBOND_RESELECT_ALWAYS:
		return true;
	case XBOND_RESELECT_BETTER:
		/* Only a faster primary, as far as drivers tell. */
		return !slot_usable(members, active) ||
		       in->speed_mbps[primary] > in->speed_mbps[active];
	default:
		return false;	/* failure: only when the active fails, no failback */
	}
}

__u8 xbond_choose_active(const struct xbond_bond *bond, const struct xbond_member *members,
			 const struct xbond_active_input *in)
{
	struct xbond_active_input none;
	unsigned int i;

	if (!in) {
		clear_active_input(&none);
		in = &none;
	}
	if (slot_usable(members, in->requested))
		return in->requested;
	if (primary_takes_over(bond, members, in))
		return bond->primary;
	if (slot_usable(members, bond->active))
		return bond->active;
	if (slot_usable(members, bond->primary))
		return bond->primary;
	for (i = 0; i < XBOND_MAX_MEMBERS; i++)
		if (xbond_member_usable(&members[i]))
			return i;
	return XBOND_NO_MEMBER;
}

/* A well-mixed 32-bit value: the score in rendezvous hashing below. */
static __u32 mix32(__u32 x)
{
	x ^= x >> 16;
	x *= 0x7feb352dU;
	x ^= x >> 15;
	x *= 0x846ca68bU;
	x ^= x >> 16;
	return x;
}

static unsigned int weight_of(const struct xbond_member *m)
{
	return m->weight ? m->weight : 1;
}

/*
 * Give every bucket a home among the configured members, in proportion to
 * their weights to within one bucket. Only buckets that must move do: a
 * removed member's buckets go to the least loaded, and a new or heavier
 * member takes from the most loaded. Load is count / weight, compared
 * crosswise so that no division rounds.
 */
static void rebalance_homes(__u8 *home, const struct xbond_member *members)
{
	unsigned int count[XBOND_MAX_MEMBERS] = {}, w[XBOND_MAX_MEMBERS], b, i, n = 0;
	__u8 most, least;

	for (i = 0; i < XBOND_MAX_MEMBERS; i++) {
		n += !!members[i].ifindex;
		w[i] = weight_of(&members[i]);
	}
	if (!n) {
		memset(home, XBOND_NO_MEMBER, XBOND_BUCKETS);
		return;
	}
	for (b = 0; b < XBOND_BUCKETS; b++) {
		if (home[b] < XBOND_MAX_MEMBERS && members[home[b]].ifindex)
			count[home[b]]++;
		else
			home[b] = XBOND_NO_MEMBER;
	}
	for (;;) {
		most = least = XBOND_NO_MEMBER;
		for (i = 0; i < XBOND_MAX_MEMBERS; i++) {
			if (!members[i].ifindex)
				continue;
			if (least == XBOND_NO_MEMBER || count[i] * w[least] < count[least] * w[i])
				least = i;
			if (most == XBOND_NO_MEMBER || count[i] * w[most] > count[most] * w[i])
				most = i;
		}
		/* Orphans first, in bucket order; then even out, last bucket first. */
		for (b = 0; b < XBOND_BUCKETS && home[b] != XBOND_NO_MEMBER; b++)
			;
		if (b == XBOND_BUCKETS) {
			/* Stop unless the move lowers the highest load. */
			if ((count[least] + 1) * w[most] >= count[most] * w[least])
				return;
			for (b = XBOND_BUCKETS; home[--b] != most;)
				;
			count[most]--;
		}
		home[b] = least;
		count[least]++;
	}
}

/*
 * Whether tx may use a member: usable, and in 802.3ad also distributing as
 * its LACP mux says.
 */
static bool tx_eligible(const struct xbond_bond *bond, const struct xbond_member *m)
{
	return xbond_member_usable(m) &&
	       (bond->mode != XBOND_MODE_8023AD || (m->flags & XBOND_MEMBER_DISTRIBUTING));
}

/*
 * A bucket whose home member can take it stays there. Otherwise it goes, by
 * rendezvous hashing, to the usable member with the highest score for
 * (bucket, slot). Scores do not depend on who else is usable, so a failure
 * moves only the failed member's buckets and its recovery moves exactly
 * those back, however many members are down.
 */
static void fill_buckets(const struct xbond_bond *bond, const __u8 *homes,
			 const struct xbond_member *members, struct xbond_config *cfg)
{
	unsigned int b, i;

	/* None to send on (min_links): every bucket drops. */
	if (!cfg->n_tx) {
		memset(cfg->buckets, XBOND_NO_MEMBER, sizeof(cfg->buckets));
		return;
	}
	for (b = 0; b < XBOND_BUCKETS; b++) {
		__u8 home = homes[b], best = XBOND_NO_MEMBER;
		__u32 best_score = 0;

		if (home < XBOND_MAX_MEMBERS && tx_eligible(bond, &members[home])) {
			cfg->buckets[b] = home;
			continue;
		}
		for (i = 0; i < cfg->n_tx; i++) {
			__u8 slot = cfg->tx_members[i];
			__u32 score = mix32(b * 0x9e3779b9U + (slot + 1) * 0x85ebca6bU);

			if (best == XBOND_NO_MEMBER || score > best_score) {
				best = slot;
				best_score = score;
			}
		}
		cfg->buckets[b] = best;
	}
}

void xbond_build(const struct xbond_bond *bond, const struct xbond_member *members,
		 const struct xbond_active_input *in, const struct xbond_config *live,
		 __u64 now_ns, struct xbond_config *next, struct xbond_record_changes *changes)
{
	unsigned int i, up = 0;

	memset(next, 0, sizeof(*next));
	next->mode = bond->mode;
	next->hash_policy = bond->hash_policy;
	next->packets_per_member = bond->packets_per_member ? bond->packets_per_member : 1;
	memcpy(next->bond_mac, bond->mac, sizeof(next->bond_mac));
	if (bond->arp_interval_ms && bond->n_arp_targets <= XBOND_MAX_ARP_TARGETS) {
		next->arp_validate = bond->arp_validate;
		next->n_arp_targets = bond->n_arp_targets;
		memcpy(next->arp_targets, bond->arp_targets, sizeof(next->arp_targets));
	}
	memset(next->tx_members, XBOND_NO_MEMBER, sizeof(next->tx_members));

	for (i = 0; i < XBOND_MAX_MEMBERS; i++) {
		bool usable = xbond_member_usable(&members[i]);

		next->member_ifindex[i] = members[i].ifindex;
		if (members[i].ifindex)
			next->n_members = i + 1;
		up += usable;
		if (tx_eligible(bond, &members[i]))
			next->tx_members[next->n_tx++] = i;
		if (usable && (members[i].flags & XBOND_MEMBER_COLLECTING))
			next->collecting |= 1U << i;
	}
	next->carrier = next->n_tx > 0;
	if (bond->mode == XBOND_MODE_8023AD) {
		/*
		 * Carrier while a link is up, whether or not LACP has put it
		 * in the aggregate yet, so that a live switch or a partner's
		 * renegotiation does not take the bond down (and its
		 * neighbours with it). With min_links, carrier only while
		 * that many send, as the kernel counts its aggregator's ports:
		 * with fewer, the bond sends nothing.
		 */
		if (next->n_tx < bond->min_links) {
			memset(next->tx_members, XBOND_NO_MEMBER, sizeof(next->tx_members));
			next->n_tx = 0;
		}
		next->carrier = bond->min_links ? next->n_tx > 0 : up > 0;
	}
	changes->active = xbond_choose_active(bond, members, in);
	next->active = changes->active;
	memcpy(changes->home, bond->home, sizeof(changes->home));
	rebalance_homes(changes->home, members);
	fill_buckets(bond, changes->home, members, next);

	next->backup_rx_until_ns = live->backup_rx_until_ns;
	if (next->mode == XBOND_MODE_ACTIVEBACKUP &&
	    (live->mode != XBOND_MODE_ACTIVEBACKUP || live->active != next->active))
		next->backup_rx_until_ns = now_ns + XBOND_BACKUP_GRACE_NS;
}

void xbond_build_config(const struct xbond_bond *bond, const struct xbond_member *members,
			const struct xbond_config *live, __u64 now_ns,
			struct xbond_config *next)
{
	struct xbond_record_changes changes;

	xbond_build(bond, members, NULL, live, now_ns, next, &changes);
}

/* Wait until no BPF program still runs on what it read before now. */
static void wait_rcu_grace_period(void)
{
	/* MEMBARRIER_CMD_GLOBAL is synchronize_rcu(), which also covers the
	 * bh- and preempt-disabled sections XDP and tc programs run in. */
	if (syscall(__NR_membarrier, MEMBARRIER_CMD_GLOBAL, 0, 0) == 0)
		return;
	/* nohz_full kernels refuse it; a program runs for microseconds. */
	nanosleep(&(struct timespec){ .tv_nsec = 20 * 1000 * 1000 }, NULL);
}

/* Write cfg to the standby copy, flip to it, and wait until no packet reads the old one. */
static int flip_to(const struct xbond_handle *h, const struct xbond_config *live, __u32 slot,
		   const struct xbond_config *cfg)
{
	__u32 zero = 0, standby = !slot;

	if (bpf_map_update_elem(h->config_fd, &standby, cfg, BPF_ANY))
		return -errno;
	if (bpf_map_update_elem(h->slot_fd, &zero, &standby, BPF_ANY))
		return -errno;
	wait_rcu_grace_period();
	if (cfg->carrier != live->carrier)
		xbond_set_carrier(h, cfg->carrier);
	return 1;
}

static int read_live(const struct xbond_handle *h, struct xbond_config *live, __u32 *slot)
{
	__u32 zero = 0;

	if (bpf_map_lookup_elem(h->slot_fd, &zero, slot))
		return -errno;
	return bpf_map_lookup_elem(h->config_fd, slot, live) ? -errno : 0;
}

int xbond_read_live_config(const struct xbond_handle *h, struct xbond_config *cfg)
{
	__u32 slot;

	return read_live(h, cfg, &slot);
}

int xbond_publish(struct xbond_handle *h)
{
	struct xbond_record_changes changes;
	struct xbond_config live, next;
	__u32 slot;
	int ret;

	ret = read_live(h, &live, &slot);
	if (ret)
		return ret;
	xbond_build(&h->bond, h->members, &h->active_in, &live, xbond_now_ns(), &next,
		    &changes);
	h->bond.active = changes.active;
	memcpy(h->bond.home, changes.home, sizeof(h->bond.home));
	ret = xbond_write_bond(h);
	if (ret)
		return ret;
	clear_active_input(&h->active_in);
	if (!memcmp(&live, &next, sizeof(next)))
		return 0;
	return flip_to(h, &live, slot, &next);
}

int xbond_publish_config(const struct xbond_handle *h, const struct xbond_config *cfg)
{
	struct xbond_config live;
	__u32 slot;
	int ret;

	ret = read_live(h, &live, &slot);
	if (ret)
		return ret;
	if (!memcmp(&live, cfg, sizeof(live)))
		return 0;
	return flip_to(h, &live, slot, cfg);
}

int xbond_unpin_maps(struct bpf_object *obj)
{
	struct bpf_map *map;
	int ret;

	bpf_object__for_each_map(map, obj) {
		ret = bpf_map__set_pin_path(map, NULL);
		if (ret)
			return ret;
	}
	return 0;
}

/* Sum n u64 counters at key of a per-CPU map over every CPU into sum[0..n). */
static int sum_percpu(int fd, __u32 key, __u64 *sum, unsigned int n)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, ret = 0;
	unsigned int i;
	__u64 *values;

	if (ncpu < 0)
		return ncpu;
	values = calloc((size_t)ncpu * n, sizeof(*values));
	if (!values)
		return -ENOMEM;
	memset(sum, 0, n * sizeof(*sum));
	if (bpf_map_lookup_elem(fd, &key, values))
		ret = -errno;
	for (cpu = 0; !ret && cpu < ncpu; cpu++)
		for (i = 0; i < n; i++)
			sum[i] += values[cpu * n + i];
	free(values);
	return ret;
}

int xbond_read_member_stats(const struct xbond_handle *h, unsigned int slot,
			    struct xbond_member_stats *sum)
{
	/* Every field is a __u64 counter: sum them as an array. */
	return sum_percpu(h->mstats_fd, slot, (__u64 *)sum, sizeof(*sum) / sizeof(__u64));
}

int xbond_read_counter(const struct xbond_handle *h, unsigned int counter, __u64 *sum)
{
	return sum_percpu(h->counters_fd, counter, sum, 1);
}
