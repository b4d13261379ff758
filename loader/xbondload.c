// SPDX-License-Identifier: GPL-2.0
/* xbondload: create, change or detach an xbond bond. Exit codes: 0 ok, 1 failure, 2 usage. */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <sys/syscall.h>
#include <linux/capability.h>
#include "maps/xbond_abi.h"
#include "xbond.h"

#define EXIT_USAGE 2

static void usage(FILE *out)
{
	fprintf(out,
"Usage: xbondload --ifaces IF[,IF...] [options]   create a bond (or set its members)\n"
"       xbondload [--name NAME] [options]          change a bond live\n"
"       xbondload [--name NAME] --detach           remove a bond, restore its members\n"
"\n"
"  -i, --ifaces LIST          members, comma-separated\n"
"  -n, --name NAME            the logical interface (default xbond0)\n"
"  -m, --mode MODE            balance-rr|0|rr, active-backup|1|ab (default),\n"
"                             balance-xor|2|xor, broadcast|3\n"
"  -H, --hash POLICY          xmit_hash_policy: layer2 (default), layer2+3, layer3+4\n"
"      --xmit-hash-policy P   the same\n"
"      --packets-per-member N balance-rr: packets sent before moving on (default 1)\n"
"      --mac MAC              the bond's MAC (default: the first member's)\n"
"      --mtu N                the bond's and members' MTU (default: the members' least)\n"
"      --primary IF           active-backup: the preferred member\n"
"      --active IF            active-backup: make IF the active member now\n"
"      --add LIST             add members\n"
"      --weight IF=N[,IF=N]   a member's share of the flows in balance-xor,\n"
"                             1 to 255 against the others (default 1)\n"
"      --del LIST             remove members, restoring them\n"
"      --miimon MS            carrier poll interval of the monitor (default 10;\n"
"                             0: link events only)\n"
"      --updelay MS           carrier up this long before a member is used\n"
"      --downdelay MS         carrier down this long before failing over\n"
"      --no-monitor           run no xbondmon for this bond (--monitor: do again)\n"
"      --arp-ip-target IP[,IP] ARP monitoring targets (up to 16), in every mode\n"
"      --arp-interval MS      probe interval; 0 turns ARP monitoring off\n"
"      --arp-validate V       none (default), active, backup, all: who must\n"
"                             see replies from a target to count as alive\n"
"      --arp-all-targets T    any (default) or all targets must answer\n"
"      --arp-missed-max N     intervals without proof before down (default 2)\n"
"      --primary-reselect R   always (default), better, failure\n"
"      --failback on|off      off: the primary does not take over on return\n"
"      --num-grat-arp N       gratuitous ARPs after a failover (default 1)\n"
"      --xdp-mode MODE        where rx_filter runs: auto (default: tc ingress on\n"
"                             veth, native XDP elsewhere), native, generic (tc)\n"
"      --netns NAME|PATH      act in this network namespace\n"
"  -w, --wait SECONDS         wait this long for another xbondload (default 10)\n"
"  -d, --detach               remove the bond\n"
"  -v, --verbose              say more (twice: libbpf's debug too)\n"
"  -V, --version\n"
"  -h, --help\n");
}

enum {
	OPT_MAC = 256,
	OPT_MTU,
	OPT_PRIMARY,
	OPT_ACTIVE,
	OPT_ADD,
	OPT_DEL,
	OPT_PPM,
	OPT_XDP_MODE,
	OPT_NETNS,
	OPT_MIIMON,
	OPT_UPDELAY,
	OPT_DOWNDELAY,
	OPT_NO_MONITOR,
	OPT_MONITOR,
	OPT_ARP_TARGET,
	OPT_ARP_INTERVAL,
	OPT_ARP_VALIDATE,
	OPT_ARP_ALL_TARGETS,
	OPT_ARP_MISSED_MAX,
	OPT_PRIMARY_RESELECT,
	OPT_FAILBACK,
	OPT_NUM_GRAT_ARP,
	OPT_WEIGHT,
};

static const struct option long_options[] = {
	{ "ifaces", required_argument, NULL, 'i' },
	{ "name", required_argument, NULL, 'n' },
	{ "mode", required_argument, NULL, 'm' },
	{ "hash", required_argument, NULL, 'H' },
	{ "xmit-hash-policy", required_argument, NULL, 'H' },
	{ "packets-per-member", required_argument, NULL, OPT_PPM },
	{ "mac", required_argument, NULL, OPT_MAC },
	{ "mtu", required_argument, NULL, OPT_MTU },
	{ "primary", required_argument, NULL, OPT_PRIMARY },
	{ "active", required_argument, NULL, OPT_ACTIVE },
	{ "add", required_argument, NULL, OPT_ADD },
	{ "del", required_argument, NULL, OPT_DEL },
	{ "xdp-mode", required_argument, NULL, OPT_XDP_MODE },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "miimon", required_argument, NULL, OPT_MIIMON },
	{ "updelay", required_argument, NULL, OPT_UPDELAY },
	{ "downdelay", required_argument, NULL, OPT_DOWNDELAY },
	{ "no-monitor", no_argument, NULL, OPT_NO_MONITOR },
	{ "monitor", no_argument, NULL, OPT_MONITOR },
	{ "arp-ip-target", required_argument, NULL, OPT_ARP_TARGET },
	{ "arp-interval", required_argument, NULL, OPT_ARP_INTERVAL },
	{ "arp-validate", required_argument, NULL, OPT_ARP_VALIDATE },
	{ "arp-all-targets", required_argument, NULL, OPT_ARP_ALL_TARGETS },
	{ "arp-missed-max", required_argument, NULL, OPT_ARP_MISSED_MAX },
	{ "primary-reselect", required_argument, NULL, OPT_PRIMARY_RESELECT },
	{ "failback", required_argument, NULL, OPT_FAILBACK },
	{ "num-grat-arp", required_argument, NULL, OPT_NUM_GRAT_ARP },
	{ "weight", required_argument, NULL, OPT_WEIGHT },
	{ "wait", required_argument, NULL, 'w' },
	{ "detach", no_argument, NULL, 'd' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{ "version", no_argument, NULL, 'V' },
	{ NULL, 0, NULL, 0 },
};

static int parse_uint(const char *arg, const char *option, unsigned long min,
		      unsigned long max, unsigned int *out)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || !*arg || *end || v < min || v > max || arg[0] == '-') {
		pr_warn("%s: '%s' is not a number from %lu to %lu\n", option, arg, min, max);
		return -EINVAL;
	}
	*out = v;
	return 0;
}

static int parse_mac(const char *arg, unsigned char *mac)
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(arg, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
		   &b[5], &tail) != 6 || strlen(arg) != 17) {
		pr_warn("--mac: '%s' is not a MAC address like 02:00:00:00:00:01\n", arg);
		return -EINVAL;
	}
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	if (mac[0] & 1 || !(b[0] | b[1] | b[2] | b[3] | b[4] | b[5])) {
		pr_warn("--mac: '%s' is multicast or zero\n", arg);
		return -EINVAL;
	}
	return 0;
}

/* name -> value from a NULL-terminated table; -1 and a message if unknown. */
static int parse_choice(const char *arg, const char *option, const char *const *names)
{
	int i = xbond_choice_parse(names, arg);

	if (i >= 0)
		return i;
	fprintf(stderr, "xbondload: %s: '%s' is not one of", option, arg);
	for (i = 0; names[i]; i++)
		fprintf(stderr, " %s", names[i]);
	fprintf(stderr, "\n");
	return -1;
}

/* "h0=3,h1=1": each member's weight. */
static int parse_weights(const char *arg, struct xbond_request *req)
{
	char buf[512], *tok, *save = NULL, *eq;
	unsigned int w;

	snprintf(buf, sizeof(buf), "%s", arg);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		eq = strchr(tok, '=');
		if (!eq || eq == tok || eq - tok >= IF_NAMESIZE) {
			pr_warn("--weight: '%s' is not IF=N\n", tok);
			return -EINVAL;
		}
		*eq = '\0';
		if (parse_uint(eq + 1, "--weight", 1, 255, &w) ||
		    xbond_request_weight(req, tok, w))
			return -EINVAL;
	}
	return 0;
}

static int parse_args(int argc, char **argv, struct xbond_request *req,
		      const char **netns, unsigned int *wait_s)
{
	unsigned int ms;
	int opt;

	xbond_request_init(req, "xbond0");
	while ((opt = getopt_long(argc, argv, "i:n:m:H:w:dvVh", long_options, NULL)) != -1) {
		switch (opt) {
		case 'i':
			req->have_ifaces = true;
			if (name_list_parse(&req->ifaces, optarg, "--ifaces"))
				return -EINVAL;
			break;
		case 'n':
			if (!xbond_ifname_valid(optarg)) {
				pr_warn("--name: '%s' is not a valid interface name (1 to %d "
					"characters, not . or .., no '/', ':' or space)\n",
					optarg, IF_NAMESIZE - 1);
				return -EINVAL;
			}
			snprintf(req->name, sizeof(req->name), "%s", optarg);
			break;
		case 'm':
			req->mode = xbond_mode_parse(optarg);
			if (req->mode < 0) {
				pr_warn("--mode: unknown mode '%s' (known: %s)\n", optarg,
					xbond_mode_choices());
				return -EINVAL;
			}
			if (!xbond_mode_implemented(req->mode)) {
				pr_warn("--mode: %s is not implemented yet (known: %s)\n",
					xbond_mode_name(req->mode), xbond_mode_choices());
				return -EINVAL;
			}
			break;
		case 'H':
			req->hash = xbond_hash_parse(optarg);
			if (req->hash < 0) {
				pr_warn("--hash: unknown hash policy '%s' (known: %s)\n", optarg,
					xbond_hash_choices());
				return -EINVAL;
			}
			break;
		case OPT_PPM:
			if (parse_uint(optarg, "--packets-per-member", 1, 65535,
				       &req->packets_per_member))
				return -EINVAL;
			break;
		case OPT_MAC:
			req->have_mac = true;
			if (parse_mac(optarg, req->mac))
				return -EINVAL;
			break;
		case OPT_MTU:
			if (parse_uint(optarg, "--mtu", 68, 65535, &req->mtu))
				return -EINVAL;
			break;
		case OPT_PRIMARY:
			req->primary = optarg;
			break;
		case OPT_ACTIVE:
			req->active = optarg;
			break;
		case OPT_ADD:
			if (name_list_parse(&req->add, optarg, "--add"))
				return -EINVAL;
			break;
		case OPT_DEL:
			if (name_list_parse(&req->del, optarg, "--del"))
				return -EINVAL;
			break;
		case OPT_XDP_MODE:
			if (!strcmp(optarg, "auto"))
				req->xdp_mode = XDP_MODE_AUTO;
			else if (!strcmp(optarg, "native"))
				req->xdp_mode = XDP_MODE_NATIVE;
			else if (!strcmp(optarg, "generic"))
				req->xdp_mode = XDP_MODE_GENERIC;
			else {
				pr_warn("--xdp-mode: '%s' is not auto, native or generic\n", optarg);
				return -EINVAL;
			}
			break;
		case OPT_NETNS:
			*netns = optarg;
			break;
		case OPT_MIIMON:
		case OPT_UPDELAY:
		case OPT_DOWNDELAY:
			if (parse_uint(optarg, opt == OPT_MIIMON ? "--miimon" : opt == OPT_UPDELAY ?
				       "--updelay" : "--downdelay", 0, 600000, &ms))
				return -EINVAL;
			*(opt == OPT_MIIMON ? &req->miimon_ms : opt == OPT_UPDELAY ?
			  &req->updelay_ms : &req->downdelay_ms) = ms;
			break;
		case OPT_NO_MONITOR:
		case OPT_MONITOR:
			req->monitor = opt == OPT_MONITOR;
			break;
		case OPT_ARP_TARGET:
			if (xbond_request_arp_targets(req, optarg, "--arp-ip-target"))
				return -EINVAL;
			break;
		case OPT_ARP_INTERVAL:
			if (parse_uint(optarg, "--arp-interval", 0, 600000, &ms))
				return -EINVAL;
			req->arp_interval_ms = ms;
			break;
		case OPT_ARP_MISSED_MAX:
			if (parse_uint(optarg, "--arp-missed-max", 1, 255, &ms))
				return -EINVAL;
			req->arp_missed_max = ms;
			break;
		case OPT_WEIGHT:
			if (parse_weights(optarg, req))
				return -EINVAL;
			break;
		case OPT_NUM_GRAT_ARP:
			if (parse_uint(optarg, "--num-grat-arp", 0, 255, &ms))
				return -EINVAL;
			req->num_grat_arp = ms;
			break;
		case OPT_ARP_VALIDATE:
			req->arp_validate = parse_choice(optarg, "--arp-validate",
							    xbond_arp_validate_names);
			if (req->arp_validate < 0)
				return -EINVAL;
			break;
		case OPT_ARP_ALL_TARGETS:
			req->arp_all_targets = parse_choice(optarg, "--arp-all-targets",
							    xbond_all_targets_names);
			if (req->arp_all_targets < 0)
				return -EINVAL;
			break;
		case OPT_PRIMARY_RESELECT:
			req->primary_reselect = parse_choice(optarg, "--primary-reselect",
							    xbond_reselect_names);
			if (req->primary_reselect < 0)
				return -EINVAL;
			break;
		case OPT_FAILBACK:
			ms = parse_choice(optarg, "--failback", xbond_failback_names);
			if ((int)ms < 0)
				return -EINVAL;
			req->primary_reselect = ms ? XBOND_RESELECT_ALWAYS : XBOND_RESELECT_FAILURE;
			break;
		case 'w':
			if (parse_uint(optarg, "--wait", 0, 3600, wait_s))
				return -EINVAL;
			break;
		case 'd':
			req->detach = true;
			break;
		case 'v':
			if (xbond_log_level < XBOND_LOG_DEBUG)
				xbond_log_level++;
			break;
		case 'h':
			usage(stdout);
			exit(0);
		case 'V':
			printf("xbondload %s\n", XBOND_VERSION);
			exit(0);
		default:
			usage(stderr);
			return -EINVAL;
		}
	}
	if (optind < argc) {
		pr_warn("unexpected argument '%s'\n", argv[optind]);
		return -EINVAL;
	}
	if (req->detach && (req->have_ifaces || req->add.n || req->del.n || req->mode >= 0 ||
			    req->hash >= 0 || req->active || req->primary || req->miimon_ms >= 0 ||
			    req->monitor >= 0 || req->n_weights)) {
		pr_warn("--detach takes no other change\n");
		return -EINVAL;
	}
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
	struct xbond_request req;
	struct xbond_handle h;
	const char *netns = NULL;
	unsigned int wait_s = 10;
	int lock, ret;

	xbond_prog_name = "xbondload";
	xbond_log_libbpf();
	if (parse_args(argc, argv, &req, &netns, &wait_s))
		return EXIT_USAGE;
	if (check_privileges())
		return EXIT_FAILURE;
	ret = xbond_join_host_mntns();
	if (ret) {
		pr_warn("cannot join the host's mount namespace: %s\n", strerror(-ret));
		return EXIT_FAILURE;
	}
	if (netns) {
		ret = xbond_enter_netns(netns);
		if (ret) {
			pr_warn("--netns: cannot enter '%s': %s\n", netns, strerror(-ret));
			return EXIT_FAILURE;
		}
	}

	lock = xbond_lock(wait_s * 1000);
	if (lock < 0) {
		if (lock == -EWOULDBLOCK)
			pr_warn("%s: another xbondload is busy in this namespace; gave up after %us\n",
				req.name, wait_s);
		else if (lock != -ENOENT && lock != -EPERM)	/* those said why */
			pr_warn("cannot take the lock: %s\n", strerror(-lock));
		return EXIT_FAILURE;
	}

	ret = bond_find(req.name, &h);
	if (ret == -ENOENT) {
		if (req.detach) {
			pr_warn("%s: no such bond\n", req.name);
		} else if (!req.have_ifaces) {
			pr_warn("%s: no such bond; create it with --ifaces\n", req.name);
		} else {
			ret = bond_create(&req);
		}
	} else if (!ret) {
		ret = req.detach ? bond_detach(&h) : bond_update(&h, &req);
		xbond_close(&h);
	} else {
		pr_warn("%s: cannot open the bond: %s\n", req.name, strerror(-ret));
	}
	xbond_unlock(lock);
	return ret ? EXIT_FAILURE : EXIT_SUCCESS;
}
