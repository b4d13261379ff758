// SPDX-License-Identifier: GPL-2.0
/* xbondctl: show a bond's state from its pins, as /proc/net/bonding does. Exit codes: 0 ok, 1 failure, 2 usage. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include "xbond.h"
#include "status.h"

static void usage(FILE *out)
{
	fprintf(out,
"Usage: xbondctl [options] status [NAME]\n"
"Shows bond NAME (default xbond0): mode, hash policy, active member, monitor\n"
"settings, the last failover, and per member its link, failures, MAC, speed\n"
"and counters. Reads the pins: works while xbondmon is down.\n"
"\n"
"  -j, --json             JSON, with the same words as keys\n"
"  -p, --pretty           indented JSON\n"
"      --netns NAME|PATH  look in this network namespace\n"
"  -V, --version\n"
"  -h, --help\n");
}

int main(int argc, char **argv)
{
	static const struct option options[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "pretty", no_argument, NULL, 'p' },
		{ "netns", required_argument, NULL, 'N' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	struct status_opts opts = { .name = "xbond0" };
	const char *netns = NULL;
	int opt, ret;

	xbond_prog_name = "xbondctl";
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":jpVh", options, NULL)) != -1) {
		switch (opt) {
		case 'j':
			opts.json = true;
			break;
		case 'p':
			opts.json = opts.pretty = true;
			break;
		case 'N':
			netns = optarg;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("xbondctl %s\n", XBOND_VERSION);
			return 0;
		default:
			xbond_getopt_error(opt, argv);
			return 2;
		}
	}
	if (optind >= argc || strcmp(argv[optind], "status")) {
		pr_warn("%s: unknown command; the one there is: status (see --help)\n",
			optind < argc ? argv[optind] : "(none)");
		return 2;
	}
	if (optind + 1 < argc)
		opts.name = argv[optind + 1];
	if (!xbond_ifname_valid(opts.name)) {
		status_error(&opts, "'%s' is not a valid interface name", opts.name);
		return 2;
	}
	if (optind + 2 < argc) {
		pr_warn("unexpected argument '%s'\n", argv[optind + 2]);
		return 2;
	}
	ret = xbond_join_host_mntns();
	if (ret) {
		status_error(&opts, "cannot join the host's mount namespace: %s", strerror(-ret));
		return 1;
	}
	if (netns && (ret = xbond_enter_netns(netns))) {
		status_error(&opts, "--netns: cannot enter '%s': %s", netns, strerror(-ret));
		return 1;
	}
	return status_show(&opts) ? 1 : 0;
}
