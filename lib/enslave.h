/* SPDX-License-Identifier: GPL-2.0 */
/* Making a link a member of a bond and giving it back as it was. */
#ifndef XBOND_ENSLAVE_H
#define XBOND_ENSLAVE_H

#include <stdbool.h>
#include "xbond.h"

struct enslave_opts {
	const unsigned char *mac;	/* the bond's MAC */
	unsigned int mtu;		/* 0: keep the member's */
	enum xdp_mode_choice xdp_mode;
};

/*
 * Check that link may join bond h (or a bond being created: h's records are
 * then empty). Prints a one-line reason and returns -EINVAL if not.
 */
int member_check(const struct xbond_handle *h, const struct xbond_link *link);

/*
 * Take the member's addresses away (IPv6 off), give it the bond's MAC and
 * MTU, attach the receive programs, bring it up, and record it at slot.
 * On failure every step is undone and nothing is recorded.
 */
int member_enslave(struct xbond_handle *h, const struct xbond_link *link,
		   unsigned int slot, const struct enslave_opts *opts);

/*
 * Detach the programs and put back what member_enslave changed, on the link
 * numbered m->ifindex if it is still the member, else wherever it was moved
 * to among the namespaces we can reach; then drop its record. Returns 0 if
 * all of it was put back; -ENODEV if the member is nowhere to be found
 * (deleted, or moved beyond recognition), -EIO if something could not be
 * put back (its record is kept, for another try); each said in one line.
 */
int member_release(const struct xbond_handle *h, const struct xbond_member *m);
/*
 * The same for a member seen moving to the namespace the current one calls
 * nsid, where it is now numbered new_ifindex (the RTM_DELLINK of the move).
 */
int member_release_moved(const struct xbond_handle *h, const struct xbond_member *m,
			 int nsid, int new_ifindex);

/*
 * Die here (_exit 137) if XBOND_KILL_STEP names step: crash injection for
 * selftests/net/test_killsafe.sh (lib/ops.c). Inert unless set.
 */
void xbond_kill_point(const char *step);

#endif /* XBOND_ENSLAVE_H */
