/* SPDX-License-Identifier: GPL-2.0 */
/* Loading xbond's BPF objects into a bond's pin directory, and attaching their programs to links. */
#ifndef XBOND_ATTACH_H
#define XBOND_ATTACH_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

/*
 * Load tx_select and rx_filter with their maps pinned by name under dir, and
 * pin the programs (tx_select, rx_filter, rx_redirect, rx_filter_tc) there
 * too, so later runs attach the very same programs.
 */
int xbond_load_objects(const char *dir, int bond_ifindex);

/* tx_select on the logical interface's tc egress. */
int xbond_attach_tx(const char *dir, int bond_ifindex);

/*
 * A member's receive side. With try_native: rx_filter as native XDP and
 * rx_redirect on tc ingress. Without, or where native XDP fails: rx_filter_tc
 * alone on tc ingress, never generic XDP, which skips skbs a tc program
 * redirected into the member. Sets XBOND_MEMBER_RX_TC and
 * XBOND_MEMBER_HAD_CLSACT in *member_flags. Undoes itself on failure.
 */
int xbond_attach_member(const char *dir, int ifindex, bool try_native,
			__u32 *member_flags);
/*
 * Take off what member_flags say was attached, where it is still our program,
 * and a clsact qdisc we made once no filter is left on it. Best effort: a
 * member that is gone has nothing left to detach.
 */
void xbond_detach_member(const char *dir, int ifindex, __u32 member_flags);

/* A bond's programs by role: what its pins hold, and what a member record keeps. */
enum xbond_prog {
	XBOND_PROG_TX = 0,		/* tx_select: the bond's tc egress */
	XBOND_PROG_RX_XDP,		/* rx_filter: a member's native XDP */
	XBOND_PROG_RX_REDIRECT,		/* rx_redirect: tc ingress behind rx_filter */
	XBOND_PROG_RX_FILTER_TC,	/* rx_filter_tc: tc ingress, the whole rx path */
	XBOND_PROG_MAX,
};

/*
 * Program ids are never reused while the program lives, and an attached
 * program lives: so an id tells ours apart from anyone's, even with the pins
 * gone. fds are held only by those who re-attach (the monitor).
 */
struct xbond_progs {
	__u32 id[XBOND_PROG_MAX];	/* 0: unknown */
	int fd[XBOND_PROG_MAX];		/* -1: not held */
};

/* The pin name of a program role (tx_select, rx_filter...). */
const char *xbond_prog_pin(enum xbond_prog prog);
/* Nothing known, nothing held. */
void xbond_progs_init(struct xbond_progs *progs);
/* The ids of the programs pinned in dir, and with keep_fds their fds. 0 if all four were found. */
int xbond_progs_open(const char *dir, struct xbond_progs *progs, bool keep_fds);
void xbond_progs_close(struct xbond_progs *progs);
/* Pin again those of dir's program pins that are missing, from the fds held. How many, or -errno. */
int xbond_progs_repin(const char *dir, const struct xbond_progs *progs);

/*
 * xbond_detach_member by ids: our programs (any of the rx roles known in
 * progs) off ifindex's XDP and our tc spot, then the clsact qdisc unless
 * member_flags say it was there before us and no one else's filter is on it.
 * Returns 0, or -errno if one of ours is still attached afterwards.
 */
int xbond_detach_member_ids(int ifindex, __u32 member_flags, const struct xbond_progs *progs);
/* Whether ifindex has a clsact qdisc now: 1, 0, or -errno (before anything is attached). */
int xbond_has_clsact(int ifindex);
/* Whether one of ours sits on ifindex: as native XDP (xdp_id, as a link shows it) or at our tc spot. */
bool xbond_member_carries(int ifindex, __u32 xdp_id, const struct xbond_progs *progs);

/* Whether our programs are where they must be, as xbond_repair_* would find them; changes nothing. */
bool xbond_tx_attached(int bond_ifindex, const struct xbond_progs *progs);
bool xbond_member_attached(int ifindex, __u32 member_flags, const struct xbond_progs *progs);

/*
 * Put back what is missing of the bond's own programs, with the fds held:
 * tx_select on the bond's tc egress, a member's receive programs as its
 * member_flags say (tc alone, or native XDP and tc). Returns 0 if all was in
 * place, 1 if something was re-attached, or -errno; what (what_len bytes)
 * says in words what was missing or what is in the way.
 */
int xbond_repair_tx(int bond_ifindex, const struct xbond_progs *progs, char *what,
		    size_t what_len);
int xbond_repair_member(int ifindex, __u32 member_flags, const struct xbond_progs *progs,
			char *what, size_t what_len);

#endif /* XBOND_ATTACH_H */
