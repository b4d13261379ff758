// SPDX-License-Identifier: GPL-2.0
/* xbondmon: watch a bond's members and rewrite its maps to fail over. Exit codes: 0 ok, 1 failure, 2 usage. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/resource.h>
#include "log.h"
#include "monitor.h"
#include "monitor_ctl.h"
#include "pins.h"

extern bool monitor_link_events;

static void usage(FILE *out)
{
	fprintf(out,
"Usage: xbondmon [--name NAME] [options]\n"
"Watches bond NAME's members and fails over by rewriting its maps. Settings\n"
"(miimon, delays, ARP targets, primary_reselect...) come from the bond's pins:\n"
"set them with xbondload.\n"
"\n"
"  -n, --name NAME        the bond (default xbond0)\n"
"      --netns NAME|PATH  act in this network namespace\n"
"  -j, --json             log events as JSON lines\n"
"      --no-link-events   poll only, ignore rtnetlink events (as a physical NIC's\n"
"                         delayed carrier-down events would look; for tests)\n"
"  -v, --verbose\n"
"  -h, --help\n");
}

void monitor_log(const struct monitor *mon, const char *event, const char *member,
		 const char *reason)
{
	struct timespec ts;
	struct tm tm;
	char when[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	if (mon->json)
		printf("{\"time\":\"%s.%03ldZ\",\"bond\":\"%s\",\"event\":\"%s\","
		       "\"member\":\"%s\",\"reason\":\"%s\"}\n",
		       when, ts.tv_nsec / 1000000, mon->name, event, member, reason);
	else
		printf("%s.%03ldZ %s: %s %s: %s\n", when, ts.tv_nsec / 1000000, mon->name,
		       event, member, reason);
	fflush(stdout);
}

void monitor_note_failover(struct monitor *mon, const char *reason)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	mon->h.bond.last_failover_ns = (__u64)ts.tv_sec * 1000000000ULL + ts.tv_nsec;
	snprintf(mon->h.bond.last_failover_reason, sizeof(mon->h.bond.last_failover_reason),
		 "%s", reason);
	xbond_write_bond(&mon->h);
}

#define XBOND_MONITOR_NICE	(-10)

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "netns", required_argument, NULL, 'N' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-link-events", no_argument, NULL, 'E' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct monitor mon = { .name = "xbond0" };
	const char *netns = NULL;
	char dir[PATH_MAX];
	pid_t holder = 0;
	int opt, pidfd, ret;

	xbond_prog_name = "xbondmon";
	while ((opt = getopt_long(argc, argv, "n:jvh", options, NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (!*optarg || strlen(optarg) >= XBOND_NAME_LEN) {
				pr_warn("--name: '%s' is not a valid interface name\n", optarg);
				return 2;
			}
			mon.name = optarg;
			break;
		case 'N':
			netns = optarg;
			break;
		case 'j':
			mon.json = true;
			break;
		case 'E':
			monitor_link_events = false;
			break;
		case 'v':
			xbond_log_level++;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		pr_warn("unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (netns && (ret = xbond_enter_netns(netns))) {
		pr_warn("--netns: cannot enter '%s': %s\n", netns, strerror(-ret));
		return 1;
	}
	ret = xbond_bond_dir(mon.name, dir, sizeof(dir));
	if (!ret)
		ret = xbond_open(&mon.h, dir);
	if (ret) {
		pr_warn("%s: no such bond (%s)\n", mon.name, strerror(-ret));
		return 1;
	}
	pidfd = xbond_pidfile_hold(mon.name, &holder);
	if (pidfd == -EEXIST) {
		pr_warn("%s: a monitor is already running (pid %d)\n", mon.name, holder);
		return 1;
	}
	if (pidfd < 0) {
		pr_warn("%s: cannot take the pid file: %s\n", mon.name, strerror(-pidfd));
		return 1;
	}
	/*
	 * Until we publish, frames go to a member with no carrier: a busy CPU
	 * must not delay our wakeup. Best effort, as the kernel's miimon work.
	 */
	setpriority(PRIO_PROCESS, 0, XBOND_MONITOR_NICE);
	mon.active = mon.h.bond.active;
	mon.active_since_ns = xbond_now_ns();
	monitor_log(&mon, "monitor started", "-", monitor_link_events ?
		    "link events and polling" : "polling only");
	ret = monitor_run(&mon);
	if (mon.arp_fd > 0)
		close(mon.arp_fd);
	xbond_close(&mon.h);
	close(pidfd);
	return ret ? 1 : 0;
}
