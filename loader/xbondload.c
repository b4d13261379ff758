// SPDX-License-Identifier: GPL-2.0
/* xbondload: create, change or detach an xbond bond. Exit codes: 0 ok, 1 failure, 2 usage. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include "maps/xbond_abi.h"
#include "xbond.h"
#include "options.h"

#define EXIT_USAGE 2

static void usage(FILE *out)
{
	xbond_options_usage(out);
}

/*
 * The table's options through getopt_long. A config file is applied where
 * --config stands: options before it are overridden by it, options after it
 * override it. -EINVAL or -EOPNOTSUPP for bad usage, else what failed.
 */
static int parse_args(int argc, char **argv, struct xbond_options *o)
{
	struct option longopts[XBOND_OPTIONS_MAX + 1];
	const struct xbond_option *opt;
	char shortopts[2 * XBOND_OPTIONS_MAX + 1], what[64];
	int c, ret;

	xbond_options_init(o, "xbond0");
	xbond_options_getopt(longopts, shortopts, sizeof(shortopts));
	opterr = 0;
	while ((c = getopt_long(argc, argv, shortopts, longopts, NULL)) != -1) {
		opt = xbond_option_of_getopt(c);
		if (!opt) {
			xbond_getopt_error(c, argv);
			return -EINVAL;
		}
		snprintf(what, sizeof(what), "--%s", opt->name);
		ret = xbond_option_set(o, opt, optarg, what);
		if (ret)
			return ret;
		o->given_cli |= xbond_option_bit(opt);
		if (o->help) {
			usage(stdout);
			exit(0);
		}
		if (o->version) {
			printf("xbondload %s\n", XBOND_VERSION);
			exit(0);
		}
	}
	if (optind < argc) {
		pr_warn("unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	opt = xbond_options_detach_conflict(o);
	if (opt) {
		pr_warn("--detach takes no other change: --%s\n", opt->name);
		return -EINVAL;
	}
	xbond_log_level += o->verbose;
	if (xbond_log_level > XBOND_LOG_DEBUG)
		xbond_log_level = XBOND_LOG_DEBUG;
	return 0;
}

/* CAP_NET_ADMIN for links and tc, CAP_BPF or CAP_SYS_ADMIN for BPF. */
static int check_privileges(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};
	__u64 eff;

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	eff = (__u64)data[1].effective << 32 | data[0].effective;
	if (!(eff & (1ULL << CAP_NET_ADMIN)) ||
	    !(eff & (1ULL << CAP_SYS_ADMIN | 1ULL << CAP_BPF))) {
		pr_warn("needs CAP_NET_ADMIN and CAP_BPF (or CAP_SYS_ADMIN): run as root\n");
		return -EPERM;
	}
	return 0;
}

int main(int argc, char **argv)
{
	static struct xbond_options opts;
	const struct xbond_request *req = &opts.req;
	struct xbond_handle h;
	int lock, ret;

	xbond_prog_name = "xbondload";
	xbond_log_libbpf();
	ret = parse_args(argc, argv, &opts);
	if (ret)
		return ret == -EINVAL || ret == -EOPNOTSUPP ? EXIT_USAGE : EXIT_FAILURE;
	if (check_privileges())
		return EXIT_FAILURE;
	ret = xbond_join_host_mntns();
	if (ret) {
		pr_warn("cannot join the host's mount namespace: %s\n", strerror(-ret));
		return EXIT_FAILURE;
	}
	if (opts.netns) {
		ret = xbond_enter_netns(opts.netns);
		if (ret) {
			pr_warn("--netns: cannot enter '%s': %s\n", opts.netns, strerror(-ret));
			return EXIT_FAILURE;
		}
	}

	lock = xbond_lock(opts.wait_s * 1000);
	if (lock < 0) {
		if (lock == -EWOULDBLOCK)
			pr_warn("%s: another xbondload is busy in this namespace; gave up after %us\n",
				req->name, opts.wait_s);
		else if (lock != -ENOENT && lock != -EPERM)	/* those said why */
			pr_warn("cannot take the lock: %s\n", strerror(-lock));
		return EXIT_FAILURE;
	}

	ret = bond_find(req->name, &h);
	if (ret == -ENOENT) {
		if (req->detach) {
			pr_warn("%s: no such bond\n", req->name);
		} else if (!req->have_ifaces) {
			pr_warn("%s: no such bond; create it with --ifaces\n", req->name);
		} else {
			ret = bond_create(req);
		}
	} else if (!ret) {
		ret = req->detach ? bond_detach(&h) : bond_update(&h, req);
		xbond_close(&h);
	} else {
		pr_warn("%s: cannot open the bond: %s\n", req->name, strerror(-ret));
	}
	xbond_unlock(lock);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}
