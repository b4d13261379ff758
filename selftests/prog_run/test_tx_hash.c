// SPDX-License-Identifier: GPL-2.0
/* balance-xor: tx_select's member choice against the reference hash, per frame and policy. */
#include <string.h>
#include "check.h"
#include "configs.h"
#include "packets.h"
#include "ref_hash.h"
#include "suites.h"
#include "tx_run.h"

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))
#define BUCKET(hash)	((hash) & (XBOND_BUCKETS - 1))

struct hash_row {
	const char *name;
	pkt_builder build;
	unsigned int arg;
};

static const struct hash_row rows[] = {
	{ "IPv4 TCP",				pkt_ipv4_tcp,			34567 },
	{ "IPv4 UDP",				pkt_ipv4_udp,			5353 },
	{ "IPv6 TCP",				pkt_ipv6_tcp,			50123 },
	{ "IPv6 UDP",				pkt_ipv6_udp,			40001 },
	{ "802.1Q IPv4 TCP",			pkt_vlan_ipv4_tcp,		61000 },
	{ "QinQ 802.1ad+802.1Q IPv6 UDP",	pkt_qinq_ipv6_udp,		1234 },
	{ "three tags IPv4 TCP (one too many)",	pkt_three_tags_ipv4_tcp,	2345 },
	{ "IPv4 first fragment (MF, offset 0)",	pkt_ipv4_frag_first,		7777 },
	{ "IPv4 later fragment",		pkt_ipv4_frag_later,		7777 },
	{ "IPv6 fragment header",		pkt_ipv6_frag_udp,		7777 },
	{ "IPv4 with options (ihl 6) TCP",	pkt_ipv4_options_tcp,		33333 },
	{ "IPv4 AH",				pkt_ipv4_ah,			0x11223344 },
	{ "IPv4 ESP",				pkt_ipv4_esp,			0x55667788 },
	{ "IPv6 SCTP",				pkt_ipv6_sctp,			2905 },
	{ "IPv6 UDP-Lite",			pkt_ipv6_udplite,		5004 },
	{ "IPv4 DCCP",				pkt_ipv4_dccp,			5005 },
	{ "IPv4 GRE (no ports)",		pkt_ipv4_gre,			0 },
	{ "ICMP echo id 0x1234",		pkt_icmp_echo,			0x1234 },
	{ "ICMP echo id 0",			pkt_icmp_echo,			0 },
	{ "ICMP timestamp",			pkt_icmp_timestamp,		0xbeef },
	{ "ICMP dest unreachable quoting UDP",	pkt_icmp_unreach_udp,		41000 },
	{ "ICMP time exceeded quoting fragment", pkt_icmp_time_exceeded_frag,	0 },
	{ "ICMP error with truncated quote",	pkt_icmp_unreach_short_inner,	0 },
	{ "truncated ICMP header",		pkt_icmp_short,			0 },
	{ "ICMPv6 echo",			pkt_icmpv6_echo,		0x0bad },
	{ "ICMPv6 unreachable quoting TCP",	pkt_icmpv6_unreach_tcp,		44444 },
	{ "ICMPv6 type 0 with id, quoting UDP",	pkt_icmpv6_type0_udp,		0x0e0e },
	{ "truncated ICMPv6 header",		pkt_icmpv6_short,		0 },
	{ "ARP",				pkt_arp,			0 },
	{ "802.1Q ARP",				pkt_vlan_arp,			0 },
	{ "802.1Q, truncated IPv4 header (10 bytes)", pkt_vlan_ipv4_short,	0 },
	{ "802.1Q, truncated IPv6 header (39 bytes)", pkt_vlan_ipv6_short,	0 },
	{ "truncated TCP header (2 bytes)",	pkt_tcp_short,			45678 },
	{ "garbage, ethertype 0x1234",		pkt_garbage,			0x5eed },
	{ "14 bytes, ARP ethertype",		pkt_eth_only,			0x0806 },
	{ "14 bytes, 802.1Q tag cut off",	pkt_eth_only,			0x8100 },
};

static const struct {
	__u32 policy;
	const char *name;
} policies[] = {
	{ XBOND_HASH_LAYER2,	"layer2" },
	{ XBOND_HASH_LAYER23,	"layer2+3" },
	{ XBOND_HASH_LAYER34,	"layer3+4" },
};

/* One frame under cfg: it must leave on the member the reference hash's bucket names. */
static bool xor_frame_ok(struct tx_env *env, const struct xbond_config *cfg,
			 const struct frame *f)
{
	__u32 bucket = BUCKET(ref_xmit_hash(f->data, f->len, cfg->hash_policy));
	struct tx_result res;

	if (!expect_ok("install config", config_install(env->config_fd, env->slot_fd, cfg)))
		return false;
	if (!expect_ok("BPF_PROG_RUN", tx_run(env, f, &res)))
		return false;
	if (res.member != cfg->buckets[bucket])
		return expect_true(false, "member: expected %d (bucket %u), got %d",
				   cfg->buckets[bucket], bucket, res.member);
	return expect_tx_member(&res, cfg->buckets[bucket], f->len);
}

/* Every row under every policy, with members as spec has them. */
static void xor_table(struct tx_env *env, const char *label, struct cfg_spec spec)
{
	struct xbond_config cfg;
	struct frame f;
	unsigned int p, r;

	for (p = 0; p < ARRAY_SIZE(policies); p++) {
		spec.hash_policy = policies[p].policy;
		cfg_build(&spec, &cfg);
		for (r = 0; r < ARRAY_SIZE(rows); r++) {
			pkt_build(&f, rows[r].build, rows[r].arg);
			test_report(xor_frame_ok(env, &cfg, &f), "xor %s %s: %s", label,
				    policies[p].name, rows[r].name);
		}
	}
}

/*
 * A config with 32 members can show 5 bits of the bucket per run: members
 * b & 31 in one, b >> 5 in another give all 8 bits, so any wrong hash bit
 * shows up, where 3 members only tell buckets apart modulo 3.
 */
static void bucket_probe_config(struct xbond_config *cfg, __u32 policy, bool high)
{
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->mode = XBOND_MODE_XOR;
	cfg->hash_policy = policy;
	cfg->packets_per_member = 1;
	cfg->n_members = XBOND_MAX_MEMBERS;
	cfg->n_tx = XBOND_MAX_MEMBERS;
	cfg->active = XBOND_NO_MEMBER;
	for (i = 0; i < XBOND_MAX_MEMBERS; i++) {
		cfg->member_ifindex[i] = CFG_FAKE_IFINDEX(i);
		cfg->tx_members[i] = i;
	}
	for (i = 0; i < XBOND_BUCKETS; i++)
		cfg->buckets[i] = high ? i >> 5 : i & 31;
}

static bool bucket_ok(struct tx_env *env, __u32 policy, const struct frame *f)
{
	__u32 want = BUCKET(ref_xmit_hash(f->data, f->len, policy));
	struct xbond_config cfg;
	struct tx_result res;
	int half, got = 0;

	for (half = 0; half < 2; half++) {
		bucket_probe_config(&cfg, policy, half);
		if (!expect_ok("install config",
			       config_install(env->config_fd, env->slot_fd, &cfg)) ||
		    !expect_ok("BPF_PROG_RUN", tx_run(env, f, &res)))
			return false;
		if (!expect_true(res.member >= 0, "no single member took the frame (%d)",
				 res.member))
			return false;
		got |= half ? res.member << 5 : res.member;
	}
	return expect_eq("bucket", want, got);
}

static void bucket_table(struct tx_env *env)
{
	struct frame f;
	unsigned int p, r;

	for (p = 0; p < ARRAY_SIZE(policies); p++) {
		for (r = 0; r < ARRAY_SIZE(rows); r++) {
			pkt_build(&f, rows[r].build, rows[r].arg);
			test_report(bucket_ok(env, policies[p].policy, &f), "xor bucket %s: %s",
				    policies[p].name, rows[r].name);
		}
	}
}

/* lib/bond.c: only the down member's buckets move, and only to usable members. */
static void down_member_buckets(void)
{
	struct cfg_spec spec = { .mode = XBOND_MODE_XOR, .n_members = 3, .down_mask = 1U << 1 };
	struct xbond_config cfg;
	unsigned int b, moved[3] = { 0 };
	bool ok = false;

	cfg_build(&spec, &cfg);
	for (b = 0; b < XBOND_BUCKETS; b++) {
		if (b % 3 != 1) {
			if (!expect_eq("bucket of a usable home", b % 3, cfg.buckets[b]))
				goto out;
			continue;
		}
		if (!expect_true(cfg.buckets[b] == 0 || cfg.buckets[b] == 2,
				 "bucket %u: expected member 0 or 2, got %u", b, cfg.buckets[b]))
			goto out;
		moved[cfg.buckets[b]]++;
	}
	/* Both survivors share the load, so the xor rows below see both kinds. */
	if (!expect_true(moved[0] && moved[2], "moved buckets: %u to 0, %u to 2", moved[0],
			 moved[2]))
		goto out;
	ok = true;
out:
	test_report(ok, "xbond_build_config: a down member's buckets go to usable members");
}

/*
 * 256 source ports of one address pair: layer3+4 must use both of 2 members,
 * layer2 and layer2+3 must keep them together, and every frame must go where
 * the reference says.
 */
static void spread(struct tx_env *env, __u32 policy, const char *policy_name, pkt_builder build,
		   const char *what, bool want_spread)
{
	struct cfg_spec spec = { .mode = XBOND_MODE_XOR, .hash_policy = policy, .n_members = 2 };
	struct xbond_config cfg;
	unsigned int port, count[2] = { 0 };
	struct tx_result res;
	struct frame f;
	bool ok = false;

	cfg_build(&spec, &cfg);
	if (!expect_ok("install config", config_install(env->config_fd, env->slot_fd, &cfg)))
		goto out;
	for (port = 1024; port < 1024 + 256; port++) {
		__u32 bucket;

		pkt_build(&f, build, port);
		bucket = BUCKET(ref_xmit_hash(f.data, f.len, policy));
		if (!expect_ok("BPF_PROG_RUN", tx_run(env, &f, &res)))
			goto out;
		if (!expect_true(res.member == cfg.buckets[bucket],
				 "source port %u: expected member %u, got %d", port,
				 cfg.buckets[bucket], res.member))
			goto out;
		count[res.member]++;
	}
	if (want_spread)
		ok = expect_true(count[0] && count[1], "member 0 got %u, member 1 got %u",
				 count[0], count[1]);
	else
		ok = expect_true(!count[0] || !count[1],
				 "one flow pair split: member 0 got %u, member 1 got %u",
				 count[0], count[1]);
out:
	test_report(ok, "xor %s: 256 %s source ports %s", policy_name, what,
		    want_spread ? "use both members" : "stay on one member");
}

void test_tx_hash(void)
{
	struct cfg_spec three = { .mode = XBOND_MODE_XOR, .n_members = 3 };
	struct cfg_spec one_down = { .mode = XBOND_MODE_XOR, .n_members = 3,
				     .down_mask = 1U << 1 };
	struct tx_env env;

	if (!expect_ok("load tx_select", tx_env_open(&env))) {
		test_report(false, "tx_select loads");
		return;
	}
	xor_table(&env, "3 members", three);
	down_member_buckets();
	xor_table(&env, "slot 1 down", one_down);
	bucket_table(&env);
	spread(&env, XBOND_HASH_LAYER34, "layer3+4", pkt_ipv4_tcp, "IPv4 TCP", true);
	spread(&env, XBOND_HASH_LAYER34, "layer3+4", pkt_ipv6_udp, "IPv6 UDP", true);
	spread(&env, XBOND_HASH_LAYER23, "layer2+3", pkt_ipv4_tcp, "IPv4 TCP", false);
	spread(&env, XBOND_HASH_LAYER2, "layer2", pkt_ipv6_udp, "IPv6 UDP", false);
	tx_env_close(&env);
}
