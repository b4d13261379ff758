/* SPDX-License-Identifier: GPL-2.0 */
/* Loading tx_select and running one frame through it, reporting which member it went out on. */
#ifndef TX_RUN_H
#define TX_RUN_H

#include <stdbool.h>
#include "frames.h"
#include "mapio.h"

struct tx_select_bpf;

struct tx_env {
	struct tx_select_bpf *skel;
	int prog_fd;
	int config_fd;
	int slot_fd;
	int mstats_fd;
	int counters_fd;
	int rr_fd;
};

/* Open and load tx_select with its maps unpinned: tests share nothing with a live bond. */
int tx_env_open(struct tx_env *env);
void tx_env_close(struct tx_env *env);

#define TX_NONE		(-1)	/* no member's tx_packets moved */
#define TX_MANY		(-2)	/* more than one moved, or one by more than 1 */

struct tx_result {
	__u32 retval;
	int member;		/* the one slot whose tx_packets rose by one */
	struct stats_snap delta;
};

int tx_run(struct tx_env *env, const struct frame *f, struct tx_result *res);

/* The assertions every "went out on member N" test makes. */
bool expect_tx_member(const struct tx_result *res, int member, unsigned int len);
bool expect_tx_drop(const struct tx_result *res);

#endif /* TX_RUN_H */
