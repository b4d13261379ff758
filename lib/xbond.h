/* SPDX-License-Identifier: GPL-2.0 */
/*
 * libxbond's public header, the one the front ends (xbondload, xbondmon,
 * xbondctl, the CNI plugin) include: a bond's lifecycle (what was asked, and
 * find, create, update, detach) and the public parts it is built on.
 */
#ifndef XBOND_H
#define XBOND_H

#include <stdbool.h>
#include <net/if.h>
#include "bond.h"
#include "links.h"
#include "log.h"
#include "monitor_ctl.h"
#include "names.h"
#include "nl.h"
#include "pins.h"

/* Where a member receives: native XDP, or tc ingress where XDP would be generic. */
enum xdp_mode_choice {
	XDP_MODE_AUTO = 0,	/* tc on veth; native elsewhere, falling back to tc */
	XDP_MODE_NATIVE,	/* native, falling back to tc */
	XDP_MODE_GENERIC,	/* tc ingress: rx_filter_tc does what generic XDP would */
};

/* Lists may name more than XBOND_MAX_MEMBERS, so that we can say so. */
#define XBOND_LIST_MAX	(2 * XBOND_MAX_MEMBERS)

struct name_list {
	unsigned int n;
	char names[XBOND_LIST_MAX][IF_NAMESIZE];
};

struct xbond_request {
	char name[IF_NAMESIZE];
	bool have_ifaces;
	struct name_list ifaces;
	struct name_list add;
	struct name_list del;
	int mode;			/* enum xbond_mode, -1: unchanged/default */
	int hash;			/* enum xbond_hash, -1: unchanged/default */
	unsigned int packets_per_member; /* 0: unchanged/default */
	bool have_mac;
	unsigned char mac[6];
	const char *primary;
	const char *active;
	unsigned int mtu;		/* 0: from the members */
	int xdp_mode;			/* enum xdp_mode_choice */
	int miimon_ms;			/* -1: unchanged/default */
	int updelay_ms;			/* -1: unchanged/default */
	int downdelay_ms;		/* -1: unchanged/default */
	int monitor;			/* 1 run xbondmon, 0 don't, -1 unchanged/default */
	/* ARP monitoring and failover policy; -1: unchanged/default */
	int arp_interval_ms;
	int arp_missed_max;
	int arp_validate;		/* enum xbond_arp_validate */
	int arp_all_targets;
	int primary_reselect;		/* enum xbond_primary_reselect */
	int num_grat_arp;
	unsigned int n_weights;		/* --weight IF=N: members' bucket shares */
	struct {
		char name[IF_NAMESIZE];
		unsigned char weight;
	} weights[XBOND_LIST_MAX];
	bool have_arp_targets;
	unsigned int n_arp_targets;
	__be32 arp_targets[XBOND_MAX_ARP_TARGETS];
	bool detach;
};

/* Everything unchanged/default, for the bond called name. */
void xbond_request_init(struct xbond_request *req, const char *name);

/* "10.0.0.1,10.0.0.2" into req's ARP targets; what names the option in messages. */
int xbond_request_arp_targets(struct xbond_request *req, const char *list, const char *what);
/* Add a member's weight (1 to 255) to req. */
int xbond_request_weight(struct xbond_request *req, const char *name, unsigned int weight);

/* Parse "a,b,c" into list. Returns 0 or -EINVAL with a message printed. */
int name_list_parse(struct name_list *list, const char *arg, const char *option);

/*
 * Open bond name in this netns if xbond_open_live finds it live. -ENOENT if
 * there is none: pins that are not live are removed (stale, lost their
 * interface, unreadable), but not another ABI's (-EPROTO).
 */
int bond_find(const char *name, struct xbond_handle *h);

/*
 * Create or change a bond, whole or not at all: a failure undoes every step
 * before it. XBOND_FAIL_STEP=STEP in the environment fails the step so named
 * (lib/ops.c) on purpose, for selftests/net/test_rollback.sh.
 */
int bond_create(const struct xbond_request *req);
int bond_update(struct xbond_handle *h, const struct xbond_request *req);
int bond_detach(struct xbond_handle *h);

/*
 * Our tx_select is attached; a member runs rx_filter_tc, or rx_filter and
 * rx_redirect. Else a message and -ENOENT.
 */
int xbond_check_tx(const char *dir, int bond_ifindex);
int xbond_check_member(const char *dir, int ifindex);

#endif /* XBOND_H */
