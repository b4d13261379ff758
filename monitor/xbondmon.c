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
#include "xbond.h"
#include "monitor.h"


static void usage(FILE *out, const char *prog)
{
	fprintf(out,
"Usage: %s [--name NAME] [options]\n"
"Watches bond NAME's members and fails over by rewriting its maps. Settings\n"
"(miimon, delays, ARP targets, primary_reselect...) come from the bond's pins:\n"
"set them with xbondload. Runs as two processes that restart each other.\n"
"\n"
"  -n, --name NAME        the bond (default xbond0)\n"
"      --netns NAME|PATH  act in this network namespace\n"
"      --config FILE      the bond's name and namespace from FILE (xbond.conf(5))\n"
"  -j, --json             log events as JSON lines\n"
"      --no-link-events   poll only, ignore rtnetlink events (as a physical NIC's\n"
"                         delayed carrier-down events would look; for tests)\n"
"      --poll-carrier     poll every member's carrier, as a physical NIC's is,\n"
"                         even where events come at once (for tests and bench)\n"
"  -v, --verbose\n"
"  -V, --version\n"
"  -h, --help\n", prog);
}

/* How much each of the monitor's events matters; any other is info. */
static const struct {
	const char *event;
	int severity;
} event_severity[] = {
	{ "member down", LOG_WARNING },		/* a member is out: less capacity */
	{ "refused", LOG_WARNING },		/* an MTU or MAC set on the bond was put back */
	{ "monitor restart", LOG_WARNING },	/* a monitor process died */
	{ "active member", LOG_NOTICE },	/* a failover; "none": see below */
	{ "bond changed", LOG_NOTICE },		/* an admin change by ip link */
	{ "bond gone", LOG_NOTICE },
	{ "netns gone", LOG_NOTICE },		/* nothing but the monitor held its namespace */
	{ "monitor stopped", LOG_NOTICE },
};

void monitor_log(const struct monitor *mon, const char *event, const char *member,
		 const char *reason)
{
	int severity = LOG_INFO;
	unsigned int i;

	for (i = 0; i < sizeof(event_severity) / sizeof(event_severity[0]); i++)
		if (!strcmp(event, event_severity[i].event))
			severity = event_severity[i].severity;
	/* No usable member: the bond cannot forward at all. */
	if (!strcmp(event, "active member") && !strcmp(member, "none"))
		severity = LOG_ERR;
	xbond_log_event(severity, mon->name, event, member, "%s", reason);
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

/*
 * Once we hold our pid file (a refusal before that is for the caller's
 * stderr), every line we write is an event of the bond, where its events
 * go: the journal, syslog or its run file.
 */
static void log_as_daemon(const struct monitor *mon)
{
	xbond_log_json = mon->json;
	xbond_log_daemon(mon->name);
}

/* Take role's pid file for life, then log as a daemon; what already holds it says why not. */
static int hold_pidfile(struct monitor *mon, enum xbond_monitor_role role, const char *what)
{
	pid_t holder = 0;

	mon->pidfile_fd = xbond_pidfile_hold(mon->name, role, &holder);
	if (mon->pidfile_fd == -EEXIST) {
		pr_warn("%s: %s is already running (pid %d)\n", mon->name, what, holder);
		return -1;
	}
	if (mon->pidfile_fd < 0) {
		pr_warn("%s: cannot take the pid file: %s\n", mon->name,
			strerror(-mon->pidfile_fd));
		return -1;
	}
	log_as_daemon(mon);
	return 0;
}

/* The worker: watch the members until the bond is gone or we are told to stop. */
static int worker_run(struct monitor *mon)
{
	int ret;

	if (hold_pidfile(mon, XBOND_MONITOR_WORKER, "a monitor worker"))
		return 1;
	/*
	 * Until we publish, frames go to a member with no carrier: a busy CPU
	 * must not delay our wakeup. Best effort, as the kernel's miimon work.
	 */
	setpriority(PRIO_PROCESS, 0, XBOND_MONITOR_NICE);
	mon->guard_fd = guard_watch(mon);
	if (mon->guard_fd < 0)
		pr_warn("%s: runs without a guard: %s\n", mon->name, strerror(-mon->guard_fd));
	mon->active = mon->h.bond.active;
	mon->active_since_ns = xbond_now_ns();
	monitor_log(mon, "monitor started", "-", !monitor_link_events ? "polling only" :
		    monitor_poll_all ? "link events, every carrier polled" :
		    "link events, polling where they lag");
	ret = monitor_run(mon);
	if (!ret)
		xbond_pidfile_mark_stopped(mon->pidfile_fd);
	if (ret)
		xbond_log_event(LOG_ERR, mon->name, "monitor stopped", "-", "%s", strerror(-ret));
	else
		monitor_log(mon, "monitor stopped", "-", "asked to, or the bond is gone");
	if (mon->arp_fd > 0)
		close(mon->arp_fd);
	if (mon->guard_fd >= 0)
		close(mon->guard_fd);
	return ret ? 1 : 0;
}

/* The guard: one per bond; it keeps a worker running. */
static int guard_main(struct monitor *mon)
{
	if (hold_pidfile(mon, XBOND_MONITOR_GUARD, "a monitor"))
		return 1;
	return guard_run(mon) ? 1 : 0;
}

/*
 * Restarts must not read the config file again (it may have changed, or be
 * wrong by then): they get what it said. args is how we were run; --config
 * and its value give way to --name and --netns, each an override at the end.
 */
static void restart_args(char **args, const char *name, const char *netns)
{
	unsigned int i, n = 0;

	for (i = 0; args[i]; i++) {
		size_t len = strcspn(args[i], "=");

		/* getopt_long takes any prefix of "--config" down to "--c". */
		if (len >= 3 && !strncmp(args[i], "--config", len)) {
			if (!args[i][len] && args[i + 1])
				i++;
			continue;
		}
		args[n++] = args[i];
	}
	if (n + 4 <= MONITOR_MAX_ARGS) {
		args[n++] = "--name";
		args[n++] = (char *)name;
		if (netns) {
			args[n++] = "--netns";
			args[n++] = (char *)netns;
		}
	}
	args[n] = NULL;
}

int xbondmon_main(int argc, char **argv, int skip)
{
	static const struct option options[] = {
		{ "name", required_argument, NULL, 'n' },
		{ "netns", required_argument, NULL, 'N' },
		{ "config", required_argument, NULL, 'C' },
		{ "json", no_argument, NULL, 'j' },
		{ "no-link-events", no_argument, NULL, 'E' },
		{ "poll-carrier", no_argument, NULL, 'P' },
		{ "worker", no_argument, NULL, 'W' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "version", no_argument, NULL, 'V' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct monitor mon = { .name = "xbond0", .guard_fd = -1, .pidfile_fd = -1,
			       .epfd = -1, .lacp_fd = -1 };
	static struct xbond_options conf;	/* its strings outlive the parse */
	char *exec_argv[MONITOR_MAX_ARGS + 1];
	const char *netns = NULL, *prog = skip ? "xbond monitor" : "xbondmon";
	bool worker = false, config = false;
	enum xbond_liveness why;
	int opt, ret, i, n = 0;

	xbond_prog_name = "xbondmon";
	/* Restarts run as we were run, less --worker: the partner decides its role. */
	for (i = 0; i < argc && n < MONITOR_MAX_ARGS; i++)
		if (strcmp(argv[i], "--worker"))
			exec_argv[n++] = argv[i];
	exec_argv[n] = NULL;
	mon.exec_argv = exec_argv;
	argc -= skip;
	argv += skip;
	opterr = 0;
	while ((opt = getopt_long(argc, argv, ":n:jvVh", options, NULL)) != -1) {
		switch (opt) {
		case 'n':
			if (!xbond_ifname_valid(optarg)) {
				pr_warn("--name: '%s' is not a valid interface name\n", optarg);
				return 2;
			}
			mon.name = optarg;
			break;
		case 'N':
			netns = optarg;
			break;
		case 'C':
			/* Only the name and netns: settings are xbondload's to apply. */
			xbond_options_init(&conf, mon.name);
			ret = xbond_options_read_file(&conf, optarg);
			if (ret)
				return ret == -EINVAL || ret == -EOPNOTSUPP ? 2 : 1;
			mon.name = conf.req.name;
			if (conf.netns)
				netns = conf.netns;
			config = true;
			break;
		case 'j':
			mon.json = true;
			break;
		case 'E':
			monitor_link_events = false;
			break;
		case 'P':
			monitor_poll_all = true;
			break;
		case 'W':
			worker = true;
			break;
		case 'v':
			xbond_log_level++;
			break;
		case 'V':
			printf("%s %s\n", prog, XBOND_VERSION);
			return 0;
		case 'h':
			usage(stdout, prog);
			return 0;
		default:
			xbond_getopt_error(opt, argv);
			return 2;
		}
	}
	if (optind < argc) {
		pr_warn("unexpected argument '%s'\n", argv[optind]);
		return 2;
	}
	if (config)
		restart_args(exec_argv, mon.name, netns);
	ret = xbond_join_host_mntns();
	if (ret) {
		pr_warn("cannot join the host's mount namespace: %s\n", strerror(-ret));
		return 1;
	}
	if (netns && (ret = xbond_enter_netns(netns))) {
		pr_warn("--netns: cannot enter '%s': %s\n", netns, strerror(-ret));
		return 1;
	}
	ret = xbond_open_live(mon.name, &mon.h, &why);
	if (ret) {
		pr_warn("%s: %s\n", mon.name, xbond_liveness_str(why));
		xbond_close(&mon.h);
		return 1;
	}
	ret = worker ? worker_run(&mon) : guard_main(&mon);
	xbond_close(&mon.h);
	if (mon.pidfile_fd >= 0)
		close(mon.pidfile_fd);
	return ret;
}
