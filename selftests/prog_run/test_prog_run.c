// SPDX-License-Identifier: GPL-2.0
/* BPF_PROG_RUN unit tests of xbond's programs: set up, run every suite, exit 1 on any failure. */
#define _GNU_SOURCE
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include "check.h"
#include "netns.h"
#include "suites.h"

/* balance-rr keeps a per-CPU counter: runs must all land on one CPU. */
static int pin_to_this_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	if (cpu < 0)
		return -errno;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	return sched_setaffinity(0, sizeof(set), &set) ? -errno : 0;
}

int main(void)
{
	struct netns_env ns;
	bool ok;

	ok = expect_ok("pin to one CPU", pin_to_this_cpu()) &&
	     expect_ok("netns and veths", netns_setup(&ns));
	if (!ok) {
		test_report(false, "setup: private netns with veths, pinned to one CPU");
		return 1;
	}
	test_tx_hash();
	test_lacp_pdu();
	test_build();
	test_tx_modes(&ns);
	test_rx(&ns);
	test_rx_taps(&ns);
	return test_failures() ? 1 : 0;
}
