/* SPDX-License-Identifier: GPL-2.0 */
/* The test suites main runs, one per file. */
#ifndef SUITES_H
#define SUITES_H

#include "netns.h"

void test_tx_hash(void);
void test_lacp_pdu(void);
void test_build(void);
void test_tx_modes(const struct netns_env *ns);
void test_rx(const struct netns_env *ns);
void test_rx_taps(const struct netns_env *ns);

#endif /* SUITES_H */
