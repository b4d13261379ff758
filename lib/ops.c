// SPDX-License-Identifier: GPL-2.0
/* Create, change and detach a bond, each either whole or not at all. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <linux/types.h>
#include <bpf/bpf.h>
#include "maps/xbond_abi.h"
#include "attach.h"
#include "enslave.h"
#include "member_records.h"
#include "xbond.h"

/*
 * Fault injection for the rollback tests: XBOND_FAIL_STEP=NAME makes the
 * step of create or update called NAME fail just after it did its work, so
 * that the rollback must undo it and every step before it. Inert unless set.
 */
#define XBOND_FAIL_STEP_ENV	"XBOND_FAIL_STEP"
/* What an injected failure returns; no step returns it by itself. */
#define XBOND_INJECTED		(-ECANCELED)

/*
 * Crash injection for selftests/net/test_killsafe.sh: XBOND_KILL_STEP=NAME
 * makes the process die (_exit 137, as SIGKILL) right after the step called
 * NAME did its work, before anything else runs: no rollback, no cleanup.
 * The steps are XBOND_FAIL_STEP's, and inside each member's enslave
 * "member-changed" (IPv6, MAC, MTU) and "member-attached" (rx programs on,
 * not yet up), lib/enslave.c.
 */
#define XBOND_KILL_STEP_ENV	"XBOND_KILL_STEP"

/* The journal of the create under way (member_records.h), -1 if none. */
static int create_journal_fd = -1;
static struct xbond_journal create_journal;

/* A step is over with ret (0 done, or a negative errno): fail it if asked to. */
static int step_done(const char *step, int ret)
{
	const char *fail = getenv(XBOND_FAIL_STEP_ENV);

	if (!ret && create_journal_fd >= 0) {
		snprintf(create_journal.step, sizeof(create_journal.step), "%s", step);
		xbond_journal_write(create_journal_fd, &create_journal);
	}
	if (!ret)
		xbond_kill_point(step);
	if (ret || !fail || strcmp(fail, step))
		return ret;
	pr_warn("step %s: failing on purpose (%s)\n", step, XBOND_FAIL_STEP_ENV);
	return XBOND_INJECTED;
}

void xbond_kill_point(const char *step)
{
	const char *kill = getenv(XBOND_KILL_STEP_ENV);

	if (kill && !strcmp(kill, step))
		_exit(137);
}

/* A failed step that does not say why itself (what: NULL if it does). */
static void step_failed(const char *bond, const char *what, int ret)
{
	if (what && ret != XBOND_INJECTED)
		pr_warn("%s: cannot %s: %s\n", bond, what, strerror(-ret));
}

void xbond_request_init(struct xbond_request *req, const char *name)
{
	*req = (struct xbond_request){
		.mode = -1, .hash = -1, .miimon_ms = -1, .updelay_ms = -1, .downdelay_ms = -1,
		.monitor = -1, .arp_interval_ms = -1, .arp_missed_max = -1, .arp_validate = -1,
		.arp_all_targets = -1, .primary_reselect = -1, .num_grat_arp = -1,
		.lacp_rate = -1, .ad_select = -1, .lacp_active = -1, .min_links = -1,
		.ad_actor_sys_prio = -1, .ad_user_port_key = -1,
	};
	snprintf(req->name, sizeof(req->name), "%s", name);
}

int xbond_request_arp_targets(struct xbond_request *req, const char *list, const char *what)
{
	char buf[512], *tok, *save = NULL;

	if (snprintf(buf, sizeof(buf), "%s", list) >= (int)sizeof(buf)) {
		pr_warn("%s: too long\n", what);
		return -EINVAL;
	}
	req->have_arp_targets = true;
	req->n_arp_targets = 0;
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (req->n_arp_targets == XBOND_MAX_ARP_TARGETS) {
			pr_warn("%s: at most %d targets\n", what, XBOND_MAX_ARP_TARGETS);
			return -EINVAL;
		}
		if (inet_pton(AF_INET, tok, &req->arp_targets[req->n_arp_targets++]) != 1) {
			pr_warn("%s: '%s' is not an IPv4 address\n", what, tok);
			return -EINVAL;
		}
	}
	return 0;
}

int name_list_parse(struct name_list *list, const char *arg, const char *option)
{
	const char *p = arg;

	list->n = 0;
	for (;;) {
		size_t len = strcspn(p, ",");

		if (!len) {
			pr_warn("%s: empty interface name in '%s'\n", option, arg);
			return -EINVAL;
		}
		if (len >= IF_NAMESIZE) {
			pr_warn("%s: interface name '%.*s' is too long (at most %d characters)\n",
				option, (int)len, p, IF_NAMESIZE - 1);
			return -EINVAL;
		}
		if (list->n == XBOND_LIST_MAX) {
			pr_warn("%s: too many interfaces (at most %d)\n", option, XBOND_MAX_MEMBERS);
			return -EINVAL;
		}
		memcpy(list->names[list->n], p, len);
		list->names[list->n++][len] = '\0';
		if (!p[len])
			return 0;
		p += len + 1;
	}
}

static int resolve(const char *name, struct xbond_link *link)
{
	int ret = nl_link_get(name, 0, link);

	if (ret == -ENODEV)
		pr_warn("%s: no such interface\n", name);
	else if (ret)
		pr_warn("%s: cannot read the interface: %s\n", name, strerror(-ret));
	return ret;
}

/*
 * A member record of bond h for a link its pins do not have: an enslave that
 * died halfway. Give it back first, so that it can join as it was. True if
 * there was one.
 */
static bool release_leftover_of(const struct xbond_handle *h, int ifindex)
{
	struct xbond_member_record rec;

	if (!h->bond.name[0] || xbond_member_slot(h, ifindex) >= 0 ||
	    xbond_record_read(ifindex, &rec) || strcmp(rec.bond, h->bond.name))
		return false;
	pr_info("%s: given back first: it was left halfway into %s\n", rec.m.name, h->bond.name);
	member_release(h, &rec.m);
	return true;
}

/* Resolve and vet a list of would-be members; no name twice, none a member yet. */
static int resolve_members(const struct xbond_handle *h, const struct name_list *list,
			   struct xbond_link *links, unsigned int *n_links)
{
	unsigned int i, j;
	int ret;

	*n_links = 0;
	for (i = 0; i < list->n; i++) {
		struct xbond_link *link = &links[*n_links];

		ret = resolve(list->names[i], link);
		if (!ret && release_leftover_of(h, link->ifindex))
			ret = resolve(list->names[i], link);
		if (ret)
			return ret;
		for (j = 0; j < *n_links; j++) {
			if (links[j].ifindex == link->ifindex) {
				pr_warn("%s: listed twice\n", link->name);
				return -EINVAL;
			}
		}
		if (xbond_member_slot(h, link->ifindex) >= 0) {
			pr_info("%s: already a member\n", link->name);
			continue;
		}
		ret = member_check(h, link);
		if (ret)
			return ret;
		(*n_links)++;
	}
	return 0;
}

/* Slot of the member called name, or a message and -EINVAL. */
static int member_by_name(const struct xbond_handle *h, const char *name, const char *what)
{
	struct xbond_link link;
	int slot;

	if (resolve(name, &link))
		return -EINVAL;
	slot = xbond_member_slot(h, link.ifindex);
	if (slot < 0) {
		pr_warn("%s: %s is not a member of %s\n", what, name, h->bond.name);
		return -EINVAL;
	}
	return slot;
}

static int check_count(unsigned int n)
{
	if (n <= XBOND_MAX_MEMBERS)
		return 0;
	pr_warn("too many members: %u, at most %d\n", n, XBOND_MAX_MEMBERS);
	return -EINVAL;
}

/* The hidden veth peer's name: short, fixed for a bond name, unlikely to clash. */
static void peer_name(const char *bond, char *buf, size_t len)
{
	unsigned int hash = 2166136261u;

	for (; *bond; bond++)
		hash = (hash ^ (unsigned char)*bond) * 16777619u;
	snprintf(buf, len, "xbp%08x", hash);
}

/* Give back the members at these slots: the undo of add_members. */
static void release_slots(struct xbond_handle *h, const int *slots, unsigned int n)
{
	while (n--) {
		struct xbond_member m = h->members[slots[n]];

		memset(&h->members[slots[n]], 0, sizeof(m));
		xbond_write_member(h, slots[n]);
		member_release(h, &m);
	}
}

/* Bring members in at the bond's MTU, noting their slots in added; all of them or none. */
static int add_members(struct xbond_handle *h, const struct xbond_link *links,
		       unsigned int n, const struct xbond_request *req, unsigned int mtu,
		       int *added)
{
	struct enslave_opts opts = {
		.mac = h->bond.mac,
		.mtu = mtu,
		.xdp_mode = req->xdp_mode,
	};
	unsigned int i;
	int slot, ret = 0;

	for (i = 0; i < n; i++) {
		slot = xbond_free_slot(h);
		if (slot < 0) {
			ret = check_count(XBOND_MAX_MEMBERS + 1);
			break;
		}
		ret = member_enslave(h, &links[i], slot, &opts);
		if (ret)
			break;
		added[i] = slot;
	}
	if (ret)
		release_slots(h, added, i);
	return ret;
}

static int set_active(struct xbond_handle *h, const char *name)
{
	int slot = member_by_name(h, name, "--active");
	struct xbond_link link;

	if (slot < 0)
		return slot;
	if (nl_link_get(NULL, h->members[slot].ifindex, &link) ||
	    !(link.flags & IFF_UP) || !(link.flags & IFF_LOWER_UP)) {
		pr_warn("--active: %s is down or has no carrier\n", name);
		return -ENETDOWN;
	}
	/* Whatever a monitor last said, an operator who saw it up wins. */
	h->members[slot].flags |= XBOND_MEMBER_CARRIER | XBOND_MEMBER_ADMIN_UP;
	xbond_note_requested_active(h, slot);
	return xbond_write_member(h, slot);
}

/* 802.3ad has no data plane of its own without the monitor, which runs LACP. */
static int check_lacp_monitor(int mode, bool no_monitor)
{
	if (mode != XBOND_MODE_8023AD || !no_monitor)
		return 0;
	pr_warn("--mode 802.3ad: LACP runs in the monitor; drop --no-monitor\n");
	return -EINVAL;
}

/* Apply the settings a plain map write changes: the bond's, and members' weights. */
static int apply_settings(struct xbond_handle *h, const struct xbond_request *req)
{
	int slot, ret, weight_slots[XBOND_LIST_MAX], prio_slots[XBOND_LIST_MAX];
	unsigned int i;

	if (req->mode >= 0)
		h->bond.mode = req->mode;
	if (req->hash >= 0)
		h->bond.hash_policy = req->hash;
	if (req->packets_per_member)
		h->bond.packets_per_member = req->packets_per_member;
	if (req->miimon_ms >= 0)
		h->bond.miimon_ms = req->miimon_ms;
	if (req->updelay_ms >= 0)
		h->bond.updelay_ms = req->updelay_ms;
	if (req->downdelay_ms >= 0)
		h->bond.downdelay_ms = req->downdelay_ms;
	if (req->arp_interval_ms >= 0)
		h->bond.arp_interval_ms = req->arp_interval_ms;
	if (req->arp_missed_max >= 0)
		h->bond.arp_missed_max = req->arp_missed_max;
	if (req->arp_validate >= 0)
		h->bond.arp_validate = req->arp_validate;
	if (req->arp_all_targets >= 0)
		h->bond.arp_all_targets = req->arp_all_targets;
	if (req->primary_reselect >= 0)
		h->bond.primary_reselect = req->primary_reselect;
	if (req->num_grat_arp >= 0)
		h->bond.num_grat_arp = req->num_grat_arp;
	if (req->lacp_rate >= 0)
		h->bond.lacp_rate = req->lacp_rate;
	if (req->ad_select >= 0)
		h->bond.ad_select = req->ad_select;
	if (req->lacp_active >= 0)
		h->bond.lacp_active = req->lacp_active;
	if (req->min_links >= 0)
		h->bond.min_links = req->min_links;
	if (req->ad_actor_sys_prio >= 0)
		h->bond.ad_actor_sys_prio = req->ad_actor_sys_prio;
	if (req->ad_user_port_key >= 0)
		h->bond.ad_user_port_key = req->ad_user_port_key;
	if (req->have_ad_actor_system)
		memcpy(h->bond.ad_actor_system, req->ad_actor_system, 6);
	if (req->have_arp_targets) {
		h->bond.n_arp_targets = req->n_arp_targets;
		memcpy(h->bond.arp_targets, req->arp_targets, sizeof(h->bond.arp_targets));
	}
	if (h->bond.arp_interval_ms && !h->bond.n_arp_targets) {
		pr_warn("--arp-interval: ARP monitoring needs --arp-ip-target\n");
		return -EINVAL;
	}
	if (req->monitor == 0)
		h->bond.flags |= XBOND_BOND_NO_MONITOR;
	else if (req->monitor == 1)
		h->bond.flags &= ~XBOND_BOND_NO_MONITOR;
	ret = check_lacp_monitor(h->bond.mode, h->bond.flags & XBOND_BOND_NO_MONITOR);
	if (ret)
		return ret;
	/* Resolve every weight before anything else can fail. */
	for (i = 0; i < req->weights.n; i++) {
		weight_slots[i] = member_by_name(h, req->weights.v[i].name, "--weight");
		if (weight_slots[i] < 0)
			return weight_slots[i];
	}
	for (i = 0; i < req->port_prios.n; i++) {
		prio_slots[i] = member_by_name(h, req->port_prios.v[i].name, "--lacp-port-prio");
		if (prio_slots[i] < 0)
			return prio_slots[i];
	}
	if (req->primary) {
		slot = member_by_name(h, req->primary, "--primary");
		if (slot < 0)
			return slot;
		h->bond.primary = slot;
		xbond_note_new_primary(h);
	}
	if (req->active) {
		ret = set_active(h, req->active);
		if (ret)
			return ret;
	}
	for (i = 0; i < req->weights.n; i++) {
		h->members[weight_slots[i]].weight = req->weights.v[i].value;
		ret = xbond_write_member(h, weight_slots[i]);
		if (ret)
			return ret;
	}
	for (i = 0; i < req->port_prios.n; i++) {
		h->members[prio_slots[i]].lacp_port_prio = req->port_prios.v[i].value;
		ret = xbond_write_member(h, prio_slots[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/* A member record of the bond that its pins do not have: what is left of it. */
static int merge_record(const struct xbond_member_record *rec, void *data)
{
	struct xbond_handle *h = data;
	int slot;

	if (xbond_member_slot(h, rec->m.ifindex) >= 0)
		return 0;
	slot = xbond_free_slot(h);
	if (slot < 0)
		return 0;
	h->members[slot] = rec->m;
	if (!h->bond.ifindex) {
		h->bond.ifindex = rec->bond_ifindex;
		h->bond.peer_ifindex = rec->peer_ifindex;
		h->bond.netns_cookie = rec->netns_cookie;
		memcpy(h->bond.mac, rec->bond_mac, 6);
	}
	return 0;
}

/*
 * Whether bond name's record is pinned but was never written (ABI 0): a
 * create that died between pinning its maps and writing them, not another
 * ABI's bond.
 */
static bool bond_record_unwritten(const char *name)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	struct bpf_map_info info = {};
	__u32 len = sizeof(info), key = 0;
	struct xbond_bond bond;
	bool unwritten;
	int fd;

	if (xbond_bond_dir(name, dir, sizeof(dir), false))
		return false;
	snprintf(path, sizeof(path), "%s/%s", dir, XBOND_MAP_BOND);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return false;
	unwritten = !bpf_obj_get_info_by_fd(fd, &info, &len) && info.value_size == sizeof(bond) &&
		    !bpf_map_lookup_elem(fd, &key, &bond) && !bond.abi_version;
	close(fd);
	return unwritten;
}

int bond_inspect(const char *name, struct xbond_handle *h)
{
	enum xbond_liveness why;
	char dir[PATH_MAX];
	int ret = xbond_open_live(name, h, &why);

	if (!ret || why == XBOND_STALE)
		return ret;
	if (why == XBOND_FOREIGN_ABI && !bond_record_unwritten(name))
		return ret;
	if (why == XBOND_FOREIGN_ABI)
		why = XBOND_UNREADABLE;		/* half-made: what it holds is ours */
	ret = xbond_bond_dir(name, dir, sizeof(dir), false);
	if (ret)
		return ret;
	if (why == XBOND_UNREADABLE) {
		xbond_close(h);
		xbond_open_partial(h, dir);
	} else if (why == XBOND_ABSENT) {
		xbond_init(h);
		snprintf(h->dir, sizeof(h->dir), "%s", dir);
	}
	xbond_records_each(name, merge_record, h);
	snprintf(h->bond.name, sizeof(h->bond.name), "%s", name);
	if (why == XBOND_ABSENT) {
		if (!xbond_member_count(h))
			return -ENOENT;
		why = XBOND_PINS_LOST;
	}
	h->liveness = why;
	return 0;
}

/* The first record of the bond that knows its programs. */
static int record_progs(const struct xbond_member_record *rec, void *data)
{
	struct xbond_progs *progs = data;
	unsigned int i;

	if (!rec->prog_id[XBOND_PROG_TX])
		return 0;
	for (i = 0; i < XBOND_PROG_MAX; i++)
		if (!progs->id[i])
			progs->id[i] = rec->prog_id[i];
	return 1;
}

void bond_progs(const struct xbond_handle *h, struct xbond_progs *progs, bool keep_fds)
{
	unsigned int i;

	xbond_progs_open(h->dir, progs, keep_fds);
	for (i = 0; i < XBOND_PROG_MAX && progs->id[i]; i++)
		;
	if (i == XBOND_PROG_MAX)
		return;
	xbond_records_each(h->bond.name, record_progs, progs);
	/* By id: a pin removed, the program lives on where it is attached. */
	for (i = 0; keep_fds && i < XBOND_PROG_MAX; i++)
		if (progs->fd[i] < 0 && progs->id[i])
			progs->fd[i] = bpf_prog_get_fd_by_id(progs->id[i]);
}

void bond_free_command(const char *name, char *buf, size_t len)
{
	const char *netns = xbond_log_netns();

	snprintf(buf, len, "xbondload --name %s --detach", name);
	/* A namespace known by name (not only by its inode number): say which. */
	if (netns[strspn(netns, "0123456789")])
		snprintf(buf + strlen(buf), len - strlen(buf), " --netns %s", netns);
}

/* The veth pair of bond name, found by name: ours only if its peer has our peer's name. */
static void find_pair(const char *name, __u32 *bond_ifindex, __u32 *peer_ifindex)
{
	struct xbond_link link, peer;
	char peer_want[IF_NAMESIZE];

	peer_name(name, peer_want, sizeof(peer_want));
	if (nl_link_get(name, 0, &link) || strcmp(link.kind, "veth") || !link.link ||
	    nl_link_get(NULL, link.link, &peer) || strcmp(peer.name, peer_want))
		return;
	*bond_ifindex = link.ifindex;
	*peer_ifindex = peer.ifindex;
}

/*
 * A create of bond name that was killed halfway: its journal says
 * "creating" and nobody holds it. 1 with h, not live, holding what the
 * journal and the member records say it made, for teardown; 0 if there is
 * none; or a negative errno.
 */
static int half_made(const char *name, struct xbond_handle *h)
{
	struct xbond_journal j;
	int fd = xbond_journal_open(name, &j);

	if (fd == -ENOENT || fd == -EBUSY)
		return 0;
	if (fd < 0)
		return fd;
	close(fd);
	if (j.state == XBOND_JOURNAL_MADE)
		return 0;
	xbond_open_partial(h, j.pin_dir);
	snprintf(h->dir, sizeof(h->dir), "%s", j.pin_dir);
	xbond_records_each(name, merge_record, h);
	snprintf(h->bond.name, sizeof(h->bond.name), "%s", name);
	h->bond.netns_cookie = j.netns_cookie;
	h->bond.ifindex = j.bond_ifindex;
	h->bond.peer_ifindex = j.peer_ifindex;
	/* Killed between making the pair and noting its ifindexes. */
	if (!j.peer_ifindex)
		find_pair(name, &h->bond.ifindex, &h->bond.peer_ifindex);
	h->liveness = XBOND_UNREADABLE;
	pr_info("%s: a create was killed halfway (%s%s); undoing it\n", name,
		j.step[0] ? "after step " : "before its first step", j.step);
	return 1;
}

/* When this process started, in CLOCK_BOOTTIME ns (to a clock tick); 0 if unknown. */
static __u64 started_ns(void)
{
	unsigned long long ticks = 0;
	char buf[1024], *p;
	long hz = sysconf(_SC_CLK_TCK);
	FILE *f = fopen("/proc/self/stat", "re");
	int i;

	if (!f)
		return 0;
	p = fgets(buf, sizeof(buf), f) ? strrchr(buf, ')') : NULL;
	fclose(f);
	/* Field 22, starttime; p is at the end of field 2. */
	for (i = 2; p && i < 22; i++)
		p = strchr(p + 1, ' ');
	if (!p || sscanf(p, " %llu", &ticks) != 1 || hz <= 0)
		return 0;
	return ticks * (1000000000ULL / hz);
}

/*
 * Whether bond name was made whole after this command started: by another
 * command that took the lock first. A clock tick of slack: the start time
 * is known to a tick, and no create takes less.
 */
static bool made_meanwhile(const char *name)
{
	struct xbond_journal j;
	long hz = sysconf(_SC_CLK_TCK);
	__u64 start = started_ns();
	int fd = xbond_journal_open(name, &j);

	if (fd < 0)
		return false;
	close(fd);
	return start && hz > 0 && j.state == XBOND_JOURNAL_MADE &&
	       j.made_ns > start + 1000000000ULL / hz;
}

int bond_find(const char *name, struct xbond_handle *h)
{
	int ret;

	xbond_init(h);
	ret = half_made(name, h);
	if (ret)
		return ret < 0 ? ret : 0;
	ret = bond_inspect(name, h);
	if (!ret || ret == -ENOENT)
		return ret;
	xbond_close(h);
	if (h->liveness == XBOND_FOREIGN_ABI) {
		pr_warn("%s: %s; this one speaks ABI %d\n", name, xbond_liveness_str(h->liveness),
			XBOND_ABI_VERSION);
		return -EPROTO;
	}
	if (h->liveness != XBOND_STALE)
		return ret;
	/* Another namespace's: its ifindexes mean nothing here, only its pins go. */
	pr_info("%s: removing stale pins in %s (%s)\n", name, h->dir,
		xbond_liveness_str(h->liveness));
	xbond_remove_dir(h->dir);
	return -ENOENT;
}

/* Run xbondmon for the bond, or stop it, as its record says. */
static int monitor_sync(struct xbond_handle *h, __u32 was_flags)
{
	bool off = h->bond.flags & XBOND_BOND_NO_MONITOR;

	/*
	 * --no-monitor stops the monitor xbondload started when it is given,
	 * not on every later change: by then a monitor that runs is someone
	 * else's (systemd's xbond@ or xbondmon@), to be told like any other.
	 */
	if (off && !(was_flags & XBOND_BOND_NO_MONITOR))
		return xbond_monitor_stop(h->bond.name);
	/* A running monitor reads the records again only when told. */
	if (xbond_monitor_pid(h->bond.name))
		return xbond_monitor_notify(h->bond.name);
	return off ? 0 : xbond_monitor_start(h->bond.name);
}

/* Undo a create that got as far as h (and its veth, if bond_ifindex). */
static void create_rollback(struct xbond_handle *h, const char *dir, int bond_ifindex)
{
	unsigned int i;

	xbond_monitor_stop(h->bond.name);
	for (i = 0; i < XBOND_MAX_MEMBERS; i++)
		if (h->members[i].ifindex)
			member_release(h, &h->members[i]);
	xbond_close(h);
	if (bond_ifindex)
		nl_link_del(bond_ifindex);
	xbond_remove_dir(dir);
}

/* The logical interface and its hidden peer, down; on failure, neither. */
static int make_link(const struct xbond_request *req, const unsigned char *mac,
		     unsigned int mtu, struct xbond_link *bond_link, struct xbond_link *peer_link)
{
	char peer[IF_NAMESIZE];
	int ret;

	peer_name(req->name, peer, sizeof(peer));
	ret = nl_veth_create(req->name, peer, mac, mtu);
	if (ret) {
		pr_warn("%s: cannot create the logical interface: %s\n", req->name,
			strerror(-ret));
		return ret;
	}
	ret = nl_link_get(req->name, 0, bond_link);
	if (!ret)
		ret = nl_link_get(peer, 0, peer_link);
	if (ret) {
		pr_warn("%s: cannot read back the logical interface: %s\n", req->name,
			strerror(-ret));
		nl_link_del(bond_link->ifindex);
		bond_link->ifindex = 0;
		return ret;
	}
	/* The peer only closes the circuit; it must not speak. */
	sysctl_disable_ipv6_set(peer, 1);
	return 0;
}

/* A new bond's record: what was asked, defaults for the rest, no member yet. */
static void init_record(struct xbond_bond *bond, const struct xbond_request *req,
			const struct xbond_link *bond_link, const struct xbond_link *peer_link,
			const unsigned char *mac)
{
	*bond = (struct xbond_bond){
		.abi_version = XBOND_ABI_VERSION,
		.ifindex = bond_link->ifindex,
		.peer_ifindex = peer_link->ifindex,
		.mode = req->mode >= 0 ? req->mode : XBOND_MODE_ACTIVEBACKUP,
		.hash_policy = req->hash >= 0 ? req->hash : XBOND_HASH_LAYER2,
		.packets_per_member = req->packets_per_member ? req->packets_per_member : 1,
		.primary = XBOND_NO_MEMBER,
		.active = XBOND_NO_MEMBER,
		.miimon_ms = XBOND_DEFAULT_MIIMON_MS,
		.arp_missed_max = 2,
		.num_grat_arp = 1,
		.lacp_active = 1,
		.ad_actor_sys_prio = 65535,
	};
	memset(bond->home, XBOND_NO_MEMBER, sizeof(bond->home));
	xbond_netns_cookie(&bond->netns_cookie);
	snprintf(bond->name, sizeof(bond->name), "%s", req->name);
	memcpy(bond->mac, mac, 6);
}

static int bring_up(const struct xbond_link *bond_link, const struct xbond_link *peer_link)
{
	struct nl_link_change up = { .up = 1 };
	int ret = nl_link_set(peer_link->ifindex, &up);

	return ret ? ret : nl_link_set(bond_link->ifindex, &up);
}

/* The MAC of a new bond: asked for, else the first member's permanent one. */
static const unsigned char *create_mac(const struct xbond_request *req,
				       const struct xbond_link *first)
{
	if (req->have_mac)
		return req->mac;
	return memcmp(first->perm_mac, "\0\0\0\0\0\0", 6) ? first->perm_mac : first->mac;
}

/* The MTU of a new bond: asked for, else the smallest of its members'. */
static unsigned int create_mtu(const struct xbond_request *req,
			       const struct xbond_link *links, unsigned int n)
{
	unsigned int i, mtu = req->mtu;

	for (i = 0; !req->mtu && i < n; i++)
		if (!mtu || links[i].mtu < mtu)
			mtu = links[i].mtu;
	return mtu;
}

/* What a create is given, checked before anything changes. */
static int create_check(const struct xbond_request *req, struct xbond_link *links,
			unsigned int *n)
{
	struct xbond_handle none;
	struct xbond_link link;
	int ret;

	xbond_init(&none);
	ret = resolve_members(&none, &req->ifaces, links, n);
	if (!ret)
		ret = check_count(*n);
	if (ret)
		return ret;
	if (!*n) {
		pr_warn("--ifaces: no member given\n");
		return -EINVAL;
	}
	ret = check_lacp_monitor(req->mode, req->monitor == 0);
	if (ret)
		return ret;
	if (!nl_link_get(req->name, 0, &link)) {
		pr_warn("%s: an interface of that name exists and is not an xbond bond\n",
			req->name);
		return -EEXIST;
	}
	return 0;
}

static int teardown(struct xbond_handle *h, int severity, const char *event, const char *what);

/* Undo what a create that was killed halfway left of bond name, if any. */
static int clear_half_made(const char *name)
{
	struct xbond_handle h;
	int ret;

	xbond_init(&h);
	ret = half_made(name, &h);
	if (ret <= 0)
		return ret;
	xbond_monitor_stop(name);
	return teardown(&h, LOG_NOTICE, "admin change", "undid a create that was killed halfway");
}

/* The journal of a create (member_records.h), before its first change. */
static int journal_begin(const struct xbond_request *req, const char *dir)
{
	int fd;

	memset(&create_journal, 0, sizeof(create_journal));
	snprintf(create_journal.bond, sizeof(create_journal.bond), "%s", req->name);
	peer_name(req->name, create_journal.peer, sizeof(create_journal.peer));
	snprintf(create_journal.pin_dir, sizeof(create_journal.pin_dir), "%s", dir);
	xbond_netns_cookie(&create_journal.netns_cookie);
	fd = xbond_journal_begin(&create_journal);
	if (fd < 0) {
		pr_warn("%s: cannot write the create's journal: %s\n", req->name, strerror(-fd));
		return fd;
	}
	create_journal_fd = fd;
	return 0;
}

/* The create is over: whole (its journal says when) or undone (its journal goes). */
static void journal_end(bool made)
{
	struct timespec now;

	if (made) {
		clock_gettime(CLOCK_BOOTTIME, &now);
		create_journal.state = XBOND_JOURNAL_MADE;
		create_journal.made_ns = (__u64)now.tv_sec * 1000000000ULL + now.tv_nsec;
		xbond_journal_write(create_journal_fd, &create_journal);
	} else {
		xbond_journal_remove(create_journal.bond);
	}
	close(create_journal_fd);
	create_journal_fd = -1;
}

int bond_create(const struct xbond_request *req)
{
	struct xbond_link links[XBOND_LIST_MAX], bond_link = {}, peer_link = {};
	struct xbond_handle h;
	int added[XBOND_MAX_MEMBERS];
	const unsigned char *mac;
	const char *step = NULL;	/* NULL: the step says why itself */
	char dir[PATH_MAX];
	unsigned int n;
	int ret;

	xbond_init(&h);
	ret = clear_half_made(req->name);
	if (!ret)
		ret = create_check(req, links, &n);
	if (!ret)
		ret = xbond_bond_dir(req->name, dir, sizeof(dir), true);
	if (!ret)
		ret = journal_begin(req, dir);
	if (ret)
		return ret;
	mac = create_mac(req, &links[0]);

	ret = make_link(req, mac, create_mtu(req, links, n), &bond_link, &peer_link);
	if (!ret) {
		create_journal.bond_ifindex = bond_link.ifindex;
		create_journal.peer_ifindex = peer_link.ifindex;
	}
	ret = step_done("link", ret);
	if (ret)
		goto fail;
	step = "make the pin directory";
	ret = step_done("pin-dir", mkdir(dir, 0700) && errno != EEXIST ? -errno : 0);
	if (ret)
		goto fail;
	step = NULL;
	ret = step_done("load", xbond_load_objects(dir, bond_link.ifindex));
	if (ret)
		goto fail;
	step = "open the pinned maps";
	ret = step_done("open-maps", xbond_open(&h, dir));
	if (ret)
		goto fail;
	init_record(&h.bond, req, &bond_link, &peer_link, mac);
	step = "write the bond record";
	ret = step_done("bond-record", xbond_write_bond(&h));
	if (ret)
		goto fail;
	step = NULL;
	ret = step_done("add-members", add_members(&h, links, n, req, req->mtu, added));
	if (!ret)
		ret = step_done("settings", apply_settings(&h, req));
	if (ret)
		goto fail;
	step = "publish the config";
	ret = xbond_publish(&h);
	ret = step_done("publish", ret < 0 ? ret : 0);
	if (ret)
		goto fail;
	step = NULL;
	ret = step_done("attach-tx", xbond_attach_tx(dir, bond_link.ifindex));
	if (ret)
		goto fail;
	step = "bring the logical interface up";
	ret = step_done("link-up", bring_up(&bond_link, &peer_link));
	if (ret)
		goto fail;
	step = NULL;
	ret = step_done("monitor", monitor_sync(&h, 0));
	if (ret)
		goto fail;
	xbond_log_event(LOG_NOTICE, req->name, "admin change", "-", "created: %u members, mode %s",
			n, xbond_mode_name(h.bond.mode));
	xbond_close(&h);
	journal_end(true);
	return 0;
fail:
	step_failed(req->name, step, ret);
	create_rollback(&h, dir, bond_link.ifindex);
	journal_end(false);
	return ret;
}

/* Slots of the members an update drops: those not in --ifaces, and --del. */
static int members_to_delete(const struct xbond_handle *h, const struct xbond_request *req,
			     int *del_slots, unsigned int *n_del)
{
	struct xbond_link link;
	unsigned int i, j;
	int slot;

	*n_del = 0;
	for (i = 0; req->have_ifaces && i < XBOND_MAX_MEMBERS; i++) {
		bool wanted = false;

		for (j = 0; h->members[i].ifindex && j < req->ifaces.n; j++)
			if (!nl_link_get(req->ifaces.names[j], 0, &link) &&
			    link.ifindex == (int)h->members[i].ifindex)
				wanted = true;
		if (h->members[i].ifindex && !wanted)
			del_slots[(*n_del)++] = i;
	}
	for (i = 0; i < req->del.n; i++) {
		if (resolve(req->del.names[i], &link))
			return -ENODEV;
		slot = xbond_member_slot(h, link.ifindex);
		if (slot < 0) {
			pr_info("%s: not a member, nothing to delete\n", link.name);
			continue;
		}
		for (j = 0; j < *n_del && del_slots[j] != slot; j++)
			;
		if (j == *n_del)
			del_slots[(*n_del)++] = slot;
	}
	return 0;
}

/* What an update is given, resolved and checked before anything changes. */
static int update_check(const struct xbond_handle *h, const struct xbond_request *req,
			struct xbond_link *bond_link, struct xbond_link *links,
			unsigned int *n_add, int *del_slots, unsigned int *n_del)
{
	struct name_list adds = req->add;
	unsigned int i;
	int ret;

	ret = nl_link_get(NULL, h->bond.ifindex, bond_link);
	if (ret) {
		pr_warn("%s: cannot read the bond's interface: %s\n", h->bond.name, strerror(-ret));
		return ret;
	}
	/* --ifaces on an existing bond is the wanted member set. */
	for (i = 0; req->have_ifaces && i < req->ifaces.n && adds.n < XBOND_LIST_MAX; i++)
		memcpy(adds.names[adds.n++], req->ifaces.names[i], IF_NAMESIZE);
	ret = members_to_delete(h, req, del_slots, n_del);
	if (!ret)
		ret = resolve_members(h, &adds, links, n_add);
	if (!ret)
		ret = check_count(xbond_member_count(h) + *n_add - *n_del);
	return ret;
}

/* What an update may change, as it found it: put back whole on any failure. */
struct update_undo {
	struct xbond_bond bond;
	struct xbond_member members[XBOND_MAX_MEMBERS];
	struct xbond_config live;
	unsigned int mtu, new_mtu;	/* the logical interface's */
	bool mtu_set, mac_set;		/* those steps changed the links */
	bool monitor_told;		/* the monitor may have read what is undone */
};

/* Append ", what" to buf, cut where it does not fit. */
static void add_change(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static void add_change(char *buf, size_t len, const char *fmt, ...)
{
	size_t n = strlen(buf);
	va_list ap;

	if (n && n + 2 < len)
		n += snprintf(buf + n, len - n, ", ");
	va_start(ap, fmt);
	vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
}

static const char *slot_name(const struct xbond_member *members, unsigned int slot)
{
	return slot < XBOND_MAX_MEMBERS && members[slot].ifindex ? members[slot].name : "none";
}

/*
 * An admin change, logged where the monitor logs failovers: each setting
 * that changed, old -> new, and the members that came and went.
 */
static void log_update(const struct xbond_handle *h, const struct update_undo *u)
{
	const struct xbond_bond *was = &u->bond, *now = &h->bond;
	char what[512] = "";
	unsigned int i;

#define CHANGED_NUMBER(field, label) \
	if (was->field != now->field) \
		add_change(what, sizeof(what), label " %u -> %u", was->field, now->field)
#define CHANGED_NAME(field, label, name) \
	if (was->field != now->field) \
		add_change(what, sizeof(what), label " %s -> %s", name(was->field), name(now->field))
	CHANGED_NAME(mode, "mode", xbond_mode_name);
	CHANGED_NAME(hash_policy, "hash", xbond_hash_name);
	CHANGED_NUMBER(packets_per_member, "packets-per-member");
	CHANGED_NUMBER(miimon_ms, "miimon");
	CHANGED_NUMBER(updelay_ms, "updelay");
	CHANGED_NUMBER(downdelay_ms, "downdelay");
	CHANGED_NUMBER(arp_interval_ms, "arp-interval");
	CHANGED_NUMBER(arp_missed_max, "arp-missed-max");
	CHANGED_NUMBER(num_grat_arp, "num-grat-arp");
	CHANGED_NUMBER(min_links, "min-links");
	CHANGED_NUMBER(ad_actor_sys_prio, "ad-actor-sys-prio");
	CHANGED_NUMBER(ad_user_port_key, "ad-user-port-key");

#undef CHANGED_NUMBER
#undef CHANGED_NAME
	if (was->arp_validate != now->arp_validate)
		add_change(what, sizeof(what), "arp-validate %s -> %s",
			   xbond_choice_name(xbond_arp_validate_names, was->arp_validate),
			   xbond_choice_name(xbond_arp_validate_names, now->arp_validate));
	if (was->arp_all_targets != now->arp_all_targets)
		add_change(what, sizeof(what), "arp-all-targets %s -> %s",
			   xbond_choice_name(xbond_all_targets_names, was->arp_all_targets),
			   xbond_choice_name(xbond_all_targets_names, now->arp_all_targets));
#define CHANGED_CHOICE(field, label, names) \
	if (was->field != now->field) \
		add_change(what, sizeof(what), label " %s -> %s", \
			   xbond_choice_name(names, was->field), xbond_choice_name(names, now->field))
	CHANGED_CHOICE(lacp_rate, "lacp-rate", xbond_lacp_rate_names);
	CHANGED_CHOICE(ad_select, "ad-select", xbond_ad_select_names);
	CHANGED_CHOICE(lacp_active, "lacp-active", xbond_off_on_names);
#undef CHANGED_CHOICE
	if (was->primary_reselect != now->primary_reselect)
		add_change(what, sizeof(what), "primary-reselect %s -> %s",
			   xbond_choice_name(xbond_reselect_names, was->primary_reselect),
			   xbond_choice_name(xbond_reselect_names, now->primary_reselect));
	if (was->n_arp_targets != now->n_arp_targets ||
	    memcmp(was->arp_targets, now->arp_targets, sizeof(was->arp_targets)))
		add_change(what, sizeof(what), "arp-ip-target: %u targets", now->n_arp_targets);
	if (strcmp(slot_name(u->members, was->primary), slot_name(h->members, now->primary)))
		add_change(what, sizeof(what), "primary %s -> %s", slot_name(u->members, was->primary),
			   slot_name(h->members, now->primary));
	if ((was->flags ^ now->flags) & XBOND_BOND_NO_MONITOR)
		add_change(what, sizeof(what), "monitor %s", now->flags & XBOND_BOND_NO_MONITOR ?
			   "off" : "on");
	if (memcmp(was->mac, now->mac, sizeof(now->mac)))
		add_change(what, sizeof(what), "mac %02x:%02x:%02x:%02x:%02x:%02x", now->mac[0],
			   now->mac[1], now->mac[2], now->mac[3], now->mac[4], now->mac[5]);
	if (u->new_mtu != u->mtu)
		add_change(what, sizeof(what), "mtu %u -> %u", u->mtu, u->new_mtu);
	for (i = 0; i < XBOND_MAX_MEMBERS; i++) {
		const struct xbond_member *old = &u->members[i], *new = &h->members[i];

		if (old->ifindex && old->ifindex != new->ifindex)
			add_change(what, sizeof(what), "member %s out", old->name);
		if (new->ifindex && old->ifindex != new->ifindex)
			add_change(what, sizeof(what), "member %s in", new->name);
		else if (new->ifindex && old->weight != new->weight)
			add_change(what, sizeof(what), "weight %s %u -> %u", new->name,
				   old->weight ? old->weight : 1, new->weight ? new->weight : 1);
	}
	if (*what)
		xbond_log_event(LOG_NOTICE, now->name, "admin change", "-", "%s", what);
}

static int take_snapshot(const struct xbond_handle *h, unsigned int mtu, struct update_undo *u)
{
	memset(u, 0, sizeof(*u));
	u->bond = h->bond;
	memcpy(u->members, h->members, sizeof(u->members));
	u->mtu = u->new_mtu = mtu;
	return xbond_read_live_config(h, &u->live);
}

/* The bond's MTU on it, its peer and every member, all or none. */
static int update_mtu(struct xbond_handle *h, struct update_undo *u, unsigned int mtu)
{
	int ret = 0;

	if (mtu != u->mtu)
		ret = xbond_apply_mtu(h, mtu, u->mtu);
	u->new_mtu = mtu;
	u->mtu_set = !ret && mtu != u->mtu;
	return step_done("mtu", ret);
}

/* The bond's MAC on it and every member, all or none. */
static int update_mac(struct xbond_handle *h, const struct xbond_request *req,
		      struct update_undo *u)
{
	int ret = 0;

	if (req->have_mac && memcmp(req->mac, h->bond.mac, 6)) {
		ret = xbond_apply_mac(h, req->mac);
		u->mac_set = !ret;
	}
	return step_done("mac", ret);
}

/* Out of the records, so the next publish drops them; given back once the update holds. */
static int unlink_members(struct xbond_handle *h, const int *del_slots, unsigned int n_del)
{
	unsigned int i;
	int ret = 0;

	for (i = 0; !ret && i < n_del; i++) {
		memset(&h->members[del_slots[i]], 0, sizeof(h->members[0]));
		if (h->bond.primary == del_slots[i])
			h->bond.primary = XBOND_NO_MEMBER;
		ret = xbond_write_member(h, del_slots[i]);
	}
	return ret;
}

/* The records and the live config as the snapshot has them. */
static void restore_records(struct xbond_handle *h, const struct update_undo *u)
{
	unsigned int i;

	h->bond = u->bond;
	memcpy(h->members, u->members, sizeof(h->members));
	xbond_write_bond(h);
	for (i = 0; i < XBOND_MAX_MEMBERS; i++)
		xbond_write_member(h, i);
	xbond_publish_config(h, &u->live);
}

/* Every step undone, last first; best effort, as each step's own undo. */
static void update_rollback(struct xbond_handle *h, const struct update_undo *u)
{
	unsigned int i;

	/* Unlinked members come back first: the MAC and MTU go back on them too. */
	for (i = 0; i < XBOND_MAX_MEMBERS; i++)
		if (u->members[i].ifindex && !h->members[i].ifindex)
			h->members[i] = u->members[i];
	if (u->mac_set)
		xbond_apply_mac(h, u->bond.mac);
	if (u->mtu_set)
		xbond_apply_mtu(h, u->mtu, u->new_mtu);
	/* Members the update brought in: in the records, not in the snapshot. */
	for (i = 0; i < XBOND_MAX_MEMBERS; i++)
		if (h->members[i].ifindex && h->members[i].ifindex != u->members[i].ifindex)
			member_release(h, &h->members[i]);
	restore_records(h, u);
	if (u->monitor_told)
		monitor_sync(h, h->bond.flags);
}

static int renew(struct xbond_handle *h, const struct xbond_request *req);

/*
 * Whether req would change live bond h at all: its members (n_add, n_del
 * from update_check), a setting, a weight, the MTU or MAC; --active always
 * does. Nothing is written: the settings are tried on a copy.
 */
static bool would_change(const struct xbond_handle *h, const struct xbond_request *req,
			 unsigned int n_add, unsigned int n_del, unsigned int mtu)
{
	static struct xbond_request plain;
	struct xbond_handle dry = *h;
	unsigned int i, weight;
	int slot;

	if (n_add || n_del || req->active || (req->mtu && req->mtu != mtu) ||
	    (req->have_mac && memcmp(req->mac, h->bond.mac, 6)))
		return true;
	for (i = 0; i < req->weights.n; i++) {
		slot = member_by_name(h, req->weights.v[i].name, "--weight");
		weight = slot < 0 ? 0 : h->members[slot].weight ? h->members[slot].weight : 1;
		if (weight != req->weights.v[i].value)
			return true;
	}
	for (i = 0; i < req->port_prios.n; i++) {
		slot = member_by_name(h, req->port_prios.v[i].name, "--lacp-port-prio");
		if (slot < 0 || h->members[slot].lacp_port_prio != req->port_prios.v[i].value)
			return true;
	}
	plain = *req;
	plain.weights.n = plain.port_prios.n = 0;
	return apply_settings(&dry, &plain) || memcmp(&dry.bond, &h->bond, sizeof(dry.bond));
}

int bond_update(struct xbond_handle *h, const struct xbond_request *req)
{
	struct xbond_link links[XBOND_LIST_MAX], link;
	int del_slots[XBOND_MAX_MEMBERS], added[XBOND_MAX_MEMBERS];
	unsigned int i, n_add, n_del, mtu;
	const char *step = NULL;	/* NULL: the step says why itself */
	struct update_undo undo;
	int ret;

	if (h->liveness != XBOND_LIVE)
		return renew(h, req);
	ret = update_check(h, req, &link, links, &n_add, del_slots, &n_del);
	/*
	 * Two creates of one name: the second to take the lock finds a bond
	 * that was not there when it started. Its --ifaces were meant for a
	 * new bond, not as the wanted set of the other's: unless it asks for
	 * exactly what is there (a no-op), it fails and changes nothing.
	 */
	if (!ret && req->have_ifaces && made_meanwhile(h->bond.name) &&
	    would_change(h, req, n_add, n_del, link.mtu)) {
		pr_warn("%s: created meanwhile by another command; run again to change it\n",
			h->bond.name);
		ret = -EEXIST;
	}
	if (!ret)
		ret = take_snapshot(h, link.mtu, &undo);
	if (ret)
		return ret;
	mtu = req->mtu ? req->mtu : link.mtu;

	/* Members come in first: settings may name them. */
	ret = step_done("add-members", add_members(h, links, n_add, req, mtu, added));
	if (!ret)
		ret = step_done("settings", apply_settings(h, req));
	if (!ret)
		ret = update_mtu(h, &undo, mtu);
	if (!ret)
		ret = update_mac(h, req, &undo);
	if (!ret) {
		step = "take the members out";
		ret = step_done("remove-members", unlink_members(h, del_slots, n_del));
	}
	if (!ret) {
		step = "publish the config";
		ret = xbond_publish(h);
		ret = step_done("publish", ret < 0 ? ret : 0);
	}
	if (!ret) {
		step = NULL;
		/* Also restarts a monitor that died: re-running a command heals. */
		undo.monitor_told = true;
		ret = step_done("monitor", monitor_sync(h, undo.bond.flags));
	}
	if (ret) {
		step_failed(h->bond.name, step, ret);
		update_rollback(h, &undo);
		return ret;
	}
	/* The update holds: removed members go back as they were, out of the data plane. */
	for (i = 0; i < n_del; i++)
		member_release(h, &undo.members[del_slots[i]]);
	log_update(h, &undo);
	return 0;
}

/* The interface a bond that is not live left behind, if it is still ours: removed. */
static void remove_interface(const struct xbond_handle *h, char *what, size_t len)
{
	char peer[IF_NAMESIZE];
	struct xbond_link link, peer_link;
	bool have_link, have_peer;

	*what = '\0';
	peer_name(h->bond.name, peer, sizeof(peer));
	/* A bond that died before it noted its pair anywhere: by name, if the pair is ours. */
	if (!h->bond.ifindex && !h->bond.peer_ifindex) {
		__u32 bond_ifindex = 0, peer_ifindex = 0;

		find_pair(h->bond.name, &bond_ifindex, &peer_ifindex);
		if (peer_ifindex)
			nl_link_del(peer_ifindex);
		return;
	}
	have_link = h->bond.ifindex && !nl_link_get(NULL, h->bond.ifindex, &link);
	have_peer = h->bond.peer_ifindex && !nl_link_get(NULL, h->bond.peer_ifindex, &peer_link);
	/*
	 * Deleting the hidden peer takes the pair, wherever its other end went
	 * and whatever it is called now. By its name and ifindex both, so
	 * that it is ours and no newer link.
	 */
	if (have_peer && !strcmp(peer_link.name, peer)) {
		nl_link_del(h->bond.peer_ifindex);
		if (have_link && strcmp(link.name, h->bond.name))
			snprintf(what, len, "; its interface, renamed %s, removed", link.name);
	} else if (have_link && !strcmp(link.kind, "veth") && link.link &&
		   link.link == (int)h->bond.peer_ifindex) {
		nl_link_del(h->bond.ifindex);
		snprintf(what, len, "; its interface, now %s, removed", link.name);
	}
}

struct leftovers {
	const struct xbond_handle *h;
	unsigned int failed;
};

/* Give back the member of a record that the handle's members did not name. */
static int release_leftover(const struct xbond_member_record *rec, void *data)
{
	struct leftovers *left = data;
	int ret = member_release(left->h, &rec->m);

	left->failed += ret && ret != -ENODEV;
	return 0;
}

/*
 * Give back every member, remove the interface and the pins: what detach
 * does once the monitor is stopped, and what the monitor does when the bond
 * is deleted under it. Logs event (what, with severity) and returns 0, or
 * -EIO if some member could not be put back (each said why in one line).
 */
static int teardown(struct xbond_handle *h, int severity, const char *event, const char *what)
{
	struct leftovers left = { .h = h };
	unsigned int i, failed = 0;
	char removed[64];
	int ret;

	for (i = 0; i < XBOND_MAX_MEMBERS; i++) {
		if (!h->members[i].ifindex)
			continue;
		ret = member_release(h, &h->members[i]);
		failed += ret && ret != -ENODEV;
	}
	/* Records of members the pins never had: an enslave that died halfway. */
	xbond_records_each(h->bond.name, release_leftover, &left);
	failed += left.failed;
	if (h->liveness == XBOND_LIVE) {
		struct xbond_link link;

		*removed = '\0';
		if (!nl_link_get(NULL, h->bond.ifindex, &link) && !strcmp(link.name, h->bond.name))
			nl_link_del(h->bond.ifindex);
	} else {
		remove_interface(h, removed, sizeof(removed));
	}
	if (failed)
		xbond_log_event(LOG_WARNING, h->bond.name, event, "-",
				"%s, %u members not put back%s", what, failed, removed);
	else
		xbond_log_event(severity, h->bond.name, event, "-", "%s, members given back%s",
				what, removed);
	xbond_close(h);
	ret = xbond_remove_dir(h->dir);
	/* Kept while a member is not put back: the next command tries again. */
	if (!failed)
		xbond_journal_remove(h->bond.name);
	return failed ? -EIO : ret;
}

/* A bond that is not live, named again: what is left of it goes, then a new one is made. */
static int renew(struct xbond_handle *h, const struct xbond_request *req)
{
	char what[96];
	int ret;

	xbond_monitor_stop(h->bond.name);
	snprintf(what, sizeof(what), "cleared what was left (%s)",
		 xbond_liveness_str(h->liveness));
	ret = teardown(h, LOG_NOTICE, "admin change", what);
	if (!req->have_ifaces) {
		pr_warn("%s: no such bond; create it with --ifaces\n", req->name);
		return -ENOENT;
	}
	return ret ? ret : bond_create(req);
}

int bond_detach(struct xbond_handle *h)
{
	char what[96] = "detached";

	xbond_monitor_stop(h->bond.name);
	if (h->liveness != XBOND_LIVE)
		snprintf(what, sizeof(what), "detached what was left (%s)",
			 xbond_liveness_str(h->liveness));
	return teardown(h, LOG_NOTICE, "admin change", what);
}

int bond_dissolve(struct xbond_handle *h, const char *why)
{
	h->liveness = XBOND_LOST_LINK;
	return teardown(h, LOG_WARNING, "bond gone", why);
}

int bond_member_left(struct xbond_handle *h, unsigned int slot, int nsid, int new_ifindex)
{
	struct xbond_member m = h->members[slot];
	int ret;

	memset(&h->members[slot], 0, sizeof(m));
	if (h->bond.primary == slot)
		h->bond.primary = XBOND_NO_MEMBER;
	ret = xbond_write_member(h, slot);
	if (ret)
		return ret;
	return member_release_moved(h, &m, nsid, new_ifindex);
}
