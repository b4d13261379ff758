// SPDX-License-Identifier: GPL-2.0
/* tx_select's other modes: active-backup, balance-rr, broadcast, config slots, and drops. */
#include <stdio.h>
#include <bpf/bpf.h>
#include "check.h"
#include "configs.h"
#include "packets.h"
#include "suites.h"
#include "tx_run.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define TC_ACT_REDIRECT	7
#define ALL_DOWN	0xffffffffU

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
		ok = expect_tx_drop(&res);
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
	drops(&env);
	tx_env_close(&env);
}
