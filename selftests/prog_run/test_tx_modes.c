// SPDX-License-Identifier: GPL-2.0
/* tx_select's other modes: active-backup, balance-rr, broadcast, 802.3ad, config slots, and drops. */
#include <stdio.h>
#include <string.h>
#include <bpf/bpf.h>
#include "check.h"
#include "configs.h"
#include "packets.h"
#include "ref_hash.h"
#include "suites.h"
#include "tx_run.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define TC_ACT_REDIRECT	7
#define ALL_DOWN	0xffffffffU
#define BUCKET(hash)	((hash) & (XBOND_BUCKETS - 1))

static bool install(struct tx_env *env, const struct cfg_spec *spec, struct xbond_config *cfg)
{
	cfg_build(spec, cfg);
	return expect_ok("install config", config_install(env->config_fd, env->slot_fd, cfg));
}

/* Every kind of frame leaves on the active member, whatever the hash would say. */
static void active_backup(struct tx_env *env)
{
	static const struct {
		const char *name;
		pkt_builder build;
	} frames[] = {
		{ "IPv4 TCP", pkt_ipv4_tcp },
		{ "IPv6 UDP", pkt_ipv6_udp },
		{ "ARP", pkt_arp },
		{ "garbage", pkt_garbage },
		{ "14-byte frame", pkt_eth_only },
	};
	struct cfg_spec spec = { .mode = XBOND_MODE_ACTIVEBACKUP, .n_members = 3, .primary = 2 };
	struct xbond_config cfg;
	struct tx_result res;
	struct frame f;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(frames); i++) {
		bool ok = false;

		/* The arg doubles as an ethertype: 0x1000+ is none the hash knows. */
		pkt_build(&f, frames[i].build, 0x1000 + i);
		if (!install(env, &spec, &cfg) ||
		    !expect_eq("config active", 2, cfg.active) ||
		    !expect_ok("BPF_PROG_RUN", tx_run(env, &f, &res)))
			goto out;
		ok = expect_tx_member(&res, 2, f.len);
out:
		test_report(ok, "active-backup: %s leaves on the active member", frames[i].name);
	}
}

/* A primary without carrier: xbond_build_config falls back, tx follows the config. */
static void active_backup_failover(struct tx_env *env)
{
	struct cfg_spec spec = { .mode = XBOND_MODE_ACTIVEBACKUP, .n_members = 3, .primary = 1,
				 .down_mask = 1U << 1 };
	struct xbond_config cfg;
	struct tx_result res;
	struct frame f;
	bool ok = false;

	pkt_build(&f, pkt_ipv4_tcp, 4000);
	if (!install(env, &spec, &cfg) || !expect_eq("config active", 0, cfg.active) ||
	    !expect_ok("BPF_PROG_RUN", tx_run(env, &f, &res)))
		goto out;
	ok = expect_tx_member(&res, 0, f.len);
out:
	test_report(ok, "active-backup: primary down, frames leave on the first usable member");
}

/* Configs that leave tx_select nowhere to send: drop and count. */
static void drops(struct tx_env *env)
{
	static const struct {
		const char *name;
		struct cfg_spec spec;
	} cases[] = {
		{ "active-backup with no active member drops",
		  { .mode = XBOND_MODE_ACTIVEBACKUP, .n_members = 2, .down_mask = ALL_DOWN } },
		{ "balance-rr with no usable member (n_tx 0) drops",
		  { .mode = XBOND_MODE_ROUNDROBIN, .n_members = 2, .down_mask = ALL_DOWN } },
		{ "balance-xor with no usable member drops",
		  { .mode = XBOND_MODE_XOR, .hash_policy = XBOND_HASH_LAYER34, .n_members = 2,
		    .down_mask = ALL_DOWN } },
		{ "broadcast with no usable member drops",
		  { .mode = XBOND_MODE_BROADCAST, .n_members = 2, .down_mask = ALL_DOWN } },
		{ "unknown mode 9 drops",
		  { .mode = 9, .n_members = 2 } },
		{ "802.3ad with no member distributing (n_tx 0) drops",
		  { .mode = XBOND_MODE_8023AD, .hash_policy = XBOND_HASH_LAYER34, .n_members = 2,
		    .collecting = 0x3 } },
		{ "802.3ad with its one distributing member down drops",
		  { .mode = XBOND_MODE_8023AD, .hash_policy = XBOND_HASH_LAYER34, .n_members = 2,
		    .collecting = 0x1, .distributing = 0x1, .down_mask = 0x1 } },
		{ "802.3ad below min_links (1 of 2 distributing, min_links 2) drops",
		  { .mode = XBOND_MODE_8023AD, .hash_policy = XBOND_HASH_LAYER34, .n_members = 2,
		    .collecting = 0x3, .distributing = 0x1, .min_links = 2 } },
		{ "802.3ad below min_links (3 of 3 distributing, min_links 4) drops",
		  { .mode = XBOND_MODE_8023AD, .hash_policy = XBOND_HASH_LAYER2, .n_members = 3,
		    .collecting = 0x7, .distributing = 0x7, .min_links = 4 } },
	};
	struct xbond_config cfg;
	struct tx_result res;
	struct frame f;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		bool ok = false;

		pkt_build(&f, pkt_ipv4_udp, 2000 + i);
		if (!install(env, &cases[i].spec, &cfg) ||
		    !expect_ok("BPF_PROG_RUN", tx_run(env, &f, &res)))
			goto out;
		ok = expect_tx_drop(&res) &&
		     expect_eq("TX_NO_MEMBER in the counters of this frame", 1,
			       res.delta.cnt[XBOND_CNT_TX_NO_MEMBER]);
out:
		test_report(ok, "%s", cases[i].name);
	}
}

/*
 * The per-CPU rr counter starts from 0 on every CPU; main pinned us to one
 * CPU, so consecutive runs share one counter.
 */
static void round_robin(struct tx_env *env, const char *name, const struct cfg_spec *spec,
			const int *want, unsigned int n)
{
	struct xbond_config cfg;
	struct tx_result res;
	struct frame f;
	unsigned int i;
	bool ok = false;

	if (!install(env, spec, &cfg) || !expect_ok("reset rr counter", percpu_zero(env->rr_fd, 0)))
		goto out;
	for (i = 0; i < n; i++) {
		/* Same flow every time: only the counter may move it. */
		pkt_build(&f, pkt_ipv4_tcp, 5555);
		if (!expect_ok("BPF_PROG_RUN", tx_run(env, &f, &res)))
			goto out;
		if (!expect_true(res.member == want[i] && res.retval == TC_ACT_REDIRECT,
				 "run %u: expected member %d, got %d (retval %u)", i, want[i],
				 res.member, res.retval))
			goto out;
	}
	ok = true;
out:
	test_report(ok, "%s", name);
}

static void round_robins(struct tx_env *env)
{
	static const int alternate[] = { 0, 1, 0, 1, 0, 1 };
	static const int by_three[] = { 0, 0, 0, 1, 1, 1, 0, 0 };
	static const int skip_down[] = { 0, 2, 0, 2, 0 };
	struct cfg_spec two = { .mode = XBOND_MODE_ROUNDROBIN, .n_members = 2,
				.packets_per_member = 1 };
	struct cfg_spec two_by_three = { .mode = XBOND_MODE_ROUNDROBIN, .n_members = 2,
					 .packets_per_member = 3 };
	struct cfg_spec three_one_down = { .mode = XBOND_MODE_ROUNDROBIN, .n_members = 3,
					   .down_mask = 1U << 1 };

	round_robin(env, "balance-rr: 2 members alternate 0,1,0,1,0,1", &two, alternate,
		    ARRAY_SIZE(alternate));
	round_robin(env, "balance-rr: packets_per_member 3 goes 0,0,0,1,1,1,0,0", &two_by_three,
		    by_three, ARRAY_SIZE(by_three));
	round_robin(env, "balance-rr: a down member is skipped (0,2,0,2,0)", &three_one_down,
		    skip_down, ARRAY_SIZE(skip_down));
}

/* Broadcast clones really transmit: the members are veths in our namespace. */
static void broadcast(struct tx_env *env, const struct netns_env *ns, __u32 down_mask,
		      const char *name)
{
	struct cfg_spec spec = { .mode = XBOND_MODE_BROADCAST, .n_members = NETNS_VETHS,
				 .down_mask = down_mask, .ifindex = ns->member };
	struct xbond_config cfg;
	struct tx_result res;
	struct frame f;
	unsigned int run, m;
	bool ok = false;

	if (!install(env, &spec, &cfg))
		goto out;
	for (run = 0; run < 3; run++) {
		pkt_build(&f, pkt_ipv4_udp, 6000 + run);
		if (!expect_ok("BPF_PROG_RUN", tx_run(env, &f, &res)) ||
		    !expect_eq("retval", TC_ACT_REDIRECT, res.retval) ||
		    !expect_eq("clone failures", 0, res.delta.cnt[XBOND_CNT_TX_CLONE_FAIL]))
			goto out;
		for (m = 0; m < XBOND_MAX_MEMBERS; m++) {
			__u64 want = m < NETNS_VETHS && !(down_mask & (1U << m));

			if (!expect_true(res.delta.m[m].tx_packets == want,
					 "run %u, member %u: expected %llu packets, got %llu", run,
					 m, (unsigned long long)want,
					 (unsigned long long)res.delta.m[m].tx_packets) ||
			    !expect_eq("tx_bytes", want * f.len, res.delta.m[m].tx_bytes))
				goto out;
		}
	}
	ok = true;
out:
	test_report(ok, "broadcast: %s", name);
}

/* Writers fill the standby copy and flip xbond_slot: tx_select must follow the slot. */
static void config_slots(struct tx_env *env)
{
	struct cfg_spec spec = { .mode = XBOND_MODE_ACTIVEBACKUP, .n_members = 3 };
	struct xbond_config cfg0, cfg1;
	__u32 key, zero = 0, slot;
	struct tx_result res;
	struct frame f;
	bool ok = false;

	pkt_build(&f, pkt_ipv4_tcp, 7000);
	if (!install(env, &spec, &cfg0))
		goto out;
	spec.primary = 2;
	cfg_build(&spec, &cfg1);
	key = 1;
	slot = 1;
	if (!expect_ok("write config 1", bpf_map_update_elem(env->config_fd, &key, &cfg1, 0)) ||
	    !expect_ok("flip slot", bpf_map_update_elem(env->slot_fd, &zero, &slot, 0)) ||
	    !expect_ok("BPF_PROG_RUN", tx_run(env, &f, &res)) ||
	    !expect_tx_member(&res, 2, f.len))
		goto out;
	slot = 0;
	if (!expect_ok("flip slot back", bpf_map_update_elem(env->slot_fd, &zero, &slot, 0)) ||
	    !expect_ok("BPF_PROG_RUN", tx_run(env, &f, &res)) ||
	    !expect_tx_member(&res, 0, f.len))
		goto out;
	ok = true;
out:
	test_report(ok, "config: tx_select reads the copy xbond_slot names");
}

/* Frames for the 802.3ad hash checks: one of each kind the hash tells apart. */
static const struct {
	const char *name;
	pkt_builder build;
	unsigned int arg;
} lacp_frames[] = {
	{ "IPv4 TCP",			pkt_ipv4_tcp,		34567 },
	{ "IPv4 UDP",			pkt_ipv4_udp,		5353 },
	{ "IPv6 TCP",			pkt_ipv6_tcp,		50123 },
	{ "IPv6 UDP",			pkt_ipv6_udp,		40001 },
	{ "802.1Q IPv4 TCP",		pkt_vlan_ipv4_tcp,	61000 },
	{ "QinQ IPv6 UDP",		pkt_qinq_ipv6_udp,	1234 },
	{ "IPv4 later fragment",	pkt_ipv4_frag_later,	7777 },
	{ "IPv6 fragment header",	pkt_ipv6_frag_udp,	7777 },
	{ "ICMP echo",			pkt_icmp_echo,		0x1234 },
	{ "ICMPv6 unreachable quoting TCP", pkt_icmpv6_unreach_tcp, 44444 },
	{ "ARP",			pkt_arp,		0 },
	{ "garbage",			pkt_garbage,		0x5eed },
};

static const struct {
	__u32 policy;
	const char *name;
} lacp_policies[] = {
	{ XBOND_HASH_LAYER2,	"layer2" },
	{ XBOND_HASH_LAYER23,	"layer2+3" },
	{ XBOND_HASH_LAYER34,	"layer3+4" },
};

/*
 * 32 members, bucket b on member b & 31 (low) or b >> 5 (high): two runs read
 * all 8 bits of the bucket a frame hashed to.
 */
static void bucket_probe_config(struct xbond_config *cfg, __u32 mode, __u32 policy, bool high)
{
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = mode;
	cfg->hash_policy = policy;
	cfg->packets_per_member = 1;
	cfg->n_members = XBOND_MAX_MEMBERS;
	cfg->n_tx = XBOND_MAX_MEMBERS;
	cfg->active = XBOND_NO_MEMBER;
	cfg->collecting = 0xffffffffU;
	for (i = 0; i < XBOND_MAX_MEMBERS; i++) {
		cfg->member_ifindex[i] = CFG_FAKE_IFINDEX(i);
		cfg->tx_members[i] = i;
	}
	for (i = 0; i < XBOND_BUCKETS; i++)
		cfg->buckets[i] = high ? i >> 5 : i & 31;
}

/* The bucket tx_select chose for f under mode and policy, or -1. */
static int bucket_of(struct tx_env *env, __u32 mode, __u32 policy, const struct frame *f)
{
	struct xbond_config cfg;
	struct tx_result res;
	int half, got = 0;

	for (half = 0; half < 2; half++) {
		bucket_probe_config(&cfg, mode, policy, half);
		if (!expect_ok("install config",
			       config_install(env->config_fd, env->slot_fd, &cfg)) ||
		    !expect_ok("BPF_PROG_RUN", tx_run(env, f, &res)) ||
		    !expect_true(res.member >= 0, "no single member took the frame (%d)",
				 res.member) ||
		    !expect_eq("retval", TC_ACT_REDIRECT, res.retval))
			return -1;
		got |= half ? res.member << 5 : res.member;
	}
	return got;
}

/* 802.3ad picks the bucket the reference hash names, the one balance-xor picks. */
static void lacp_buckets(struct tx_env *env)
{
	struct frame f;
	unsigned int p, r;

	for (p = 0; p < ARRAY_SIZE(lacp_policies); p++) {
		for (r = 0; r < ARRAY_SIZE(lacp_frames); r++) {
			__u32 policy = lacp_policies[p].policy, want;
			int lacp, xor;
			bool ok;

			pkt_build(&f, lacp_frames[r].build, lacp_frames[r].arg);
			want = BUCKET(ref_xmit_hash(f.data, f.len, policy));
			lacp = bucket_of(env, XBOND_MODE_8023AD, policy, &f);
			xor = bucket_of(env, XBOND_MODE_XOR, policy, &f);
			ok = lacp >= 0 && xor >= 0 &&
			     expect_eq("802.3ad bucket against the reference", want, lacp) &&
			     expect_eq("802.3ad bucket against balance-xor's", xor, lacp);
			test_report(ok, "802.3ad bucket %s: %s as the reference and balance-xor",
				    lacp_policies[p].name, lacp_frames[r].name);
		}
	}
}

/*
 * A config as xbond_build makes it for 3 usable members of which slot 1 is
 * not distributing: 256 flows each leave on the member their reference
 * bucket names, never on slot 1, and both others carry some.
 */
static void lacp_distributing(struct tx_env *env, pkt_builder build, const char *what)
{
	__u32 policy = XBOND_HASH_LAYER34;
	struct cfg_spec spec = { .mode = XBOND_MODE_8023AD, .hash_policy = policy,
				 .n_members = 3, .collecting = 0x7, .distributing = 0x5 };
	unsigned int port, count[3] = { 0 };
	struct xbond_config cfg;
	struct tx_result res;
	struct frame f;
	bool ok = false;

	if (!install(env, &spec, &cfg) || !expect_eq("n_tx", 2, cfg.n_tx))
		goto out;
	for (port = 1024; port < 1024 + 256; port++) {
		__u32 bucket;

		pkt_build(&f, build, port);
		bucket = BUCKET(ref_xmit_hash(f.data, f.len, policy));
		if (!expect_ok("BPF_PROG_RUN", tx_run(env, &f, &res)) ||
		    !expect_true(res.member == cfg.buckets[bucket],
				 "source port %u: expected member %u (bucket %u), got %d", port,
				 cfg.buckets[bucket], bucket, res.member) ||
		    !expect_tx_member(&res, res.member, f.len))
			goto out;
		count[res.member]++;
	}
	ok = expect_eq("flows on the member not distributing", 0, count[1]) &&
	     expect_true(count[0] && count[2], "member 0 got %u, member 2 got %u", count[0],
			 count[2]);
out:
	test_report(ok, "802.3ad layer3+4: 256 %s flows by the reference hash, none on the member "
		    "not distributing", what);
}

/* min_links met exactly: the bond sends. */
static void lacp_min_links_met(struct tx_env *env)
{
	struct cfg_spec spec = { .mode = XBOND_MODE_8023AD, .hash_policy = XBOND_HASH_LAYER34,
				 .n_members = 3, .collecting = 0x7, .distributing = 0x6,
				 .min_links = 2 };
	struct xbond_config cfg;
	struct tx_result res;
	struct frame f;
	__u32 bucket;
	bool ok = false;

	pkt_build(&f, pkt_ipv4_udp, 2100);
	bucket = BUCKET(ref_xmit_hash(f.data, f.len, spec.hash_policy));
	if (!install(env, &spec, &cfg) || !expect_eq("n_tx", 2, cfg.n_tx) ||
	    !expect_ok("BPF_PROG_RUN", tx_run(env, &f, &res)) ||
	    !expect_true(cfg.buckets[bucket] == 1 || cfg.buckets[bucket] == 2,
			 "bucket %u on member %u", bucket, cfg.buckets[bucket]))
		goto out;
	ok = expect_tx_member(&res, cfg.buckets[bucket], f.len);
out:
	test_report(ok, "802.3ad at min_links (2 of 3 distributing, min_links 2) sends");
}

void test_tx_modes(const struct netns_env *ns)
{
	struct tx_env env;

	if (!expect_ok("load tx_select", tx_env_open(&env))) {
		test_report(false, "tx_select loads");
		return;
	}
	active_backup(&env);
	active_backup_failover(&env);
	round_robins(&env);
	broadcast(&env, ns, 0, "3 usable members each send one copy per frame");
	broadcast(&env, ns, 1U << 1, "a down member gets no copy");
	broadcast(&env, ns, 1U << 0 | 1U << 1, "one usable member gets the frame itself");
	config_slots(&env);
	lacp_buckets(&env);
	lacp_distributing(&env, pkt_ipv4_tcp, "IPv4 TCP");
	lacp_distributing(&env, pkt_ipv6_udp, "IPv6 UDP");
	lacp_min_links_met(&env);
	drops(&env);
	tx_env_close(&env);
}
