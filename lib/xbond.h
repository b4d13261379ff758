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
#include "attach.h"
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

/* IF=N pairs: a number per member, by name; a later one for a member replaces it. */
struct xbond_member_numbers {
	unsigned int n;
	struct {
		char name[IF_NAMESIZE];
		unsigned int value;
	} v[XBOND_LIST_MAX];
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
	struct xbond_member_numbers weights;	/* --weight: members' bucket shares */
	struct xbond_member_numbers port_prios;	/* --lacp-port-prio */
	/* 802.3ad; -1: unchanged/default */
	int lacp_rate;			/* enum xbond_lacp_rate */
	int ad_select;			/* enum xbond_ad_select */
	int lacp_active;
	int min_links;
	int ad_actor_sys_prio;
	int ad_user_port_key;
	bool have_ad_actor_system;
	unsigned char ad_actor_system[6];
	bool have_arp_targets;
	unsigned int n_arp_targets;
	__be32 arp_targets[XBOND_MAX_ARP_TARGETS];
	bool detach;
};

/* Everything unchanged/default, for the bond called name. */
void xbond_request_init(struct xbond_request *req, const char *name);

/* "10.0.0.1,10.0.0.2" into req's ARP targets; what names the option in messages. */
int xbond_request_arp_targets(struct xbond_request *req, const char *list, const char *what);

/* Parse "a,b,c" into list. Returns 0 or -EINVAL with a message printed. */
int name_list_parse(struct name_list *list, const char *arg, const char *option);

/*
 * Open what there is of bond name in this netns, changing nothing: 0 if it
 * is live, or if it is not but still holds something: then h->liveness says
 * why (its interface gone or renamed, a pin removed, its pins gone), and the
 * records are what its pins and its member records still tell. -ENOENT if
 * nothing is there, -EPROTO for another ABI's pins, -ESTALE (h->liveness
 * XBOND_STALE) for a dead namespace's.
 */
int bond_inspect(const char *name, struct xbond_handle *h);

/*
 * The bond's programs: ids from its pins, else from its member records, and
 * with keep_fds their fds, by id where a pin was removed.
 */
void bond_progs(const struct xbond_handle *h, struct xbond_progs *progs, bool keep_fds);

/* The command that gives back what bond name, not live, still holds: for messages. */
void bond_free_command(const char *name, char *buf, size_t len);

/*
 * bond_inspect for a writer: a dead namespace's pins are removed (-ENOENT),
 * another ABI's refused with a message. A bond that is not live comes back
 * (0) for bond_detach to give back what it holds, or for bond_update to
 * clear it and make it anew.
 */
int bond_find(const char *name, struct xbond_handle *h);

/*
 * Create or change a bond, whole or not at all: a failure undoes every step
 * before it. XBOND_FAIL_STEP=STEP in the environment fails the step so named
 * (lib/ops.c) on purpose, for selftests/net/test_rollback.sh. bond_update on
 * a bond that is not live gives back what it holds, then creates it anew
 * from req, or fails with -ENOENT if req names no members.
 */
int bond_create(const struct xbond_request *req);
int bond_update(struct xbond_handle *h, const struct xbond_request *req);
/*
 * Stop the monitor, give back every member it can find (here, or in the
 * namespace it was moved to), remove the interface and the pins. A member
 * that is nowhere to be found is said in a line; one that could not be put
 * back too, and then -EIO.
 */
int bond_detach(struct xbond_handle *h);

/*
 * The monitor's own: the bond's interface was deleted, renamed or moved
 * away (why, for the log). As the kernel releases a deleted bond's slaves,
 * give back every member and remove what is left, as bond_detach.
 */
int bond_dissolve(struct xbond_handle *h, const char *why);
/*
 * The monitor's own: the member at slot was moved to the namespace this one
 * calls nsid (-1: unknown), as new_ifindex there. It leaves the records
 * (the caller publishes) and is given back there, as the kernel releases a
 * slave that leaves the namespace. 0, or as member_release.
 */
int bond_member_left(struct xbond_handle *h, unsigned int slot, int nsid, int new_ifindex);

/*
 * Our tx_select is attached; a member runs rx_filter_tc, or rx_filter and
 * rx_redirect. Else a message and -ENOENT.
 */
int xbond_check_tx(const char *dir, int bond_ifindex);
int xbond_check_member(const char *dir, int ifindex);

/* The option table, which fills a struct xbond_request. */
#include "options.h"

#endif /* XBOND_H */
