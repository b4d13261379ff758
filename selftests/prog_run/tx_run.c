// SPDX-License-Identifier: GPL-2.0
/* tx_select under BPF_PROG_RUN: the chosen member is read back from the per-member tx counters. */
#include <errno.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tx_select.skel.h"
#include "bond.h"
#include "check.h"
#include "tx_run.h"

#define TC_ACT_SHOT	2
#define TC_ACT_REDIRECT	7

int tx_env_open(struct tx_env *env)
{
	int ret;

	env->skel = tx_select_bpf__open();
	if (!env->skel)
		return -errno;
	ret = xbond_unpin_maps(env->skel->obj);
	if (ret)
		goto fail;
	ret = tx_select_bpf__load(env->skel);
	if (ret)
		goto fail;
	env->prog_fd = bpf_program__fd(env->skel->progs.tx_select);
	env->config_fd = bpf_map__fd(env->skel->maps.xbond_config);
	env->slot_fd = bpf_map__fd(env->skel->maps.xbond_slot);
	env->mstats_fd = bpf_map__fd(env->skel->maps.xbond_mstats);
	env->counters_fd = bpf_map__fd(env->skel->maps.xbond_counters);
	env->rr_fd = bpf_map__fd(env->skel->maps.xbond_rr);
	return 0;
fail:
	tx_select_bpf__destroy(env->skel);
	env->skel = NULL;
	return ret;
}

void tx_env_close(struct tx_env *env)
{
	tx_select_bpf__destroy(env->skel);
	env->skel = NULL;
}

int tx_run(struct tx_env *env, const struct frame *f, struct tx_result *res)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->data, .data_size_in = f->len,
		    .repeat = 1);
	unsigned int i;
	int ret;

	ret = run_counted(env->prog_fd, &opts, env->mstats_fd, env->counters_fd, &res->delta);
	if (ret)
		return ret;
	res->retval = opts.retval;
	res->member = TX_NONE;
	for (i = 0; i < XBOND_MAX_MEMBERS; i++) {
		__u64 n = res->delta.m[i].tx_packets;

		if (!n)
			continue;
		res->member = n == 1 && res->member == TX_NONE ? (int)i : TX_MANY;
	}
	return 0;
}

bool expect_tx_member(const struct tx_result *res, int member, unsigned int len)
{
	return expect_true(member >= 0 && member < XBOND_MAX_MEMBERS,
			   "expected member %d is no member slot", member) &&
	       expect_eq("retval", TC_ACT_REDIRECT, res->retval) &&
	       expect_true(res->member == member, "member: expected %d, got %d%s", member,
			   res->member, res->member == TX_NONE ? " (none)" :
			   res->member == TX_MANY ? " (several)" : "") &&
	       expect_eq("tx_bytes", len, res->delta.m[member].tx_bytes) &&
	       expect_eq("no-member drops", 0, res->delta.cnt[XBOND_CNT_TX_NO_MEMBER]);
}

bool expect_tx_drop(const struct tx_result *res)
{
	return expect_eq("retval", TC_ACT_SHOT, res->retval) &&
	       expect_true(res->member == TX_NONE, "member: expected none, got %d",
			   res->member) &&
	       expect_eq("no-member drops", 1, res->delta.cnt[XBOND_CNT_TX_NO_MEMBER]);
}
