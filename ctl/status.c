// SPDX-License-Identifier: GPL-2.0
/* xbondctl status: every field printed by one call that serves text and JSON alike. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <arpa/inet.h>
#include <bpf/bpf.h>
#include "xbond.h"
#include "status.h"


struct printer {
	const struct status_opts *opts;
	int depth;
	bool first;		/* no comma before the next JSON member */
};

static void indent(struct printer *p)
{
	int i;

	if (!p->opts->pretty)
		return;
	putchar('\n');
	for (i = 0; i < p->depth; i++)
		fputs("    ", stdout);
}

/* JSON keys are the text words, with '_' for ' '. */
static void json_key(struct printer *p, const char *key)
{
	const char *c;

	if (!p->first)
		putchar(',');
	p->first = false;
	indent(p);
	putchar('"');
	for (c = key; *c; c++)
		putchar(*c == ' ' ? '_' : *c);
	fputs(p->opts->pretty ? "\": " : "\":", stdout);
}

static void json_string(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		if (*s == '"' || *s == '\\')
			putchar('\\');
		if ((unsigned char)*s >= 0x20)
			putchar(*s);
	}
	putchar('"');
}

static void print_str(struct printer *p, const char *key, const char *value)
{
	if (p->opts->json) {
		json_key(p, key);
		json_string(value);
	} else {
		printf("%*s%s: %s\n", p->depth * 2, "", key, value);
	}
}

static void print_u64(struct printer *p, const char *key, unsigned long long value)
{
	if (p->opts->json) {
		json_key(p, key);
		printf("%llu", value);
	} else {
		printf("%*s%s: %llu\n", p->depth * 2, "", key, value);
	}
}

static void open_object(struct printer *p, const char *key, const char *text)
{
	if (p->opts->json) {
		if (key)
			json_key(p, key);
		else if (!p->first)
			putchar(',');
		putchar('{');
	} else if (text) {
		printf("\n%*s%s\n", p->depth * 2, "", text);
	}
	p->depth++;
	p->first = true;
}

static void close_object(struct printer *p)
{
	p->depth--;
	p->first = false;
	if (p->opts->json) {
		indent(p);
		putchar('}');
	}
}

static void open_array(struct printer *p, const char *key)
{
	if (p->opts->json) {
		json_key(p, key);
		putchar('[');
	}
	p->depth++;
	p->first = true;
}

static void close_array(struct printer *p)
{
	p->depth--;
	p->first = false;
	if (p->opts->json) {
		indent(p);
		putchar(']');
	}
}

void status_error(const struct status_opts *opts, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (opts->json) {
		fputs("{\"error\":", stdout);
		json_string(msg);
		puts("}");
	} else {
		fprintf(stderr, "xbondctl: %s\n", msg);
	}
}

static void mac_str(const unsigned char *mac, char *buf, size_t len)
{
	snprintf(buf, len, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2], mac[3],
		 mac[4], mac[5]);
}

static const char *member_name(const struct xbond_handle *h, unsigned int slot)
{
	return slot < XBOND_MAX_MEMBERS && h->members[slot].ifindex ? h->members[slot].name :
								       "none";
}

static const char *link_word(const struct xbond_member *m)
{
	if (!(m->flags & XBOND_MEMBER_ADMIN_UP))
		return "admin down";
	if (!(m->flags & XBOND_MEMBER_CARRIER))
		return "down";
	if (m->flags & XBOND_MEMBER_ARP_DOWN)
		return "arp down";
	return "up";
}

/* Append ", what" to buf. */
static void add_problem(char *buf, size_t len, const char *what)
{
	size_t n = strlen(buf);

	snprintf(buf + n, len - n, "%s%s", n ? ", " : "", what);
}

/*
 * What is not as the bond needs it, as the kernel shows it now: "none" when
 * all is well. A monitor repairs these as they happen; without one they
 * stay, and this is where they show.
 */
static void member_problems(const struct xbond_handle *h, const struct xbond_member *m,
			    const struct xbond_progs *progs, unsigned int bond_mtu,
			    char *buf, size_t len)
{
	struct xbond_link link;
	char what[64];

	*buf = '\0';
	if (nl_link_get(NULL, m->ifindex, &link)) {
		snprintf(buf, len, "not in this network namespace (deleted or moved away)");
		return;
	}
	if (strcmp(link.name, m->name)) {
		snprintf(what, sizeof(what), "renamed %s", link.name);
		add_problem(buf, len, what);
	}
	if (!xbond_member_attached(m->ifindex, m->flags, progs))
		add_problem(buf, len, "rx program missing");
	if (memcmp(link.mac, h->bond.mac, 6))
		add_problem(buf, len, "MAC not the bond's");
	if (bond_mtu && link.mtu != bond_mtu) {
		snprintf(what, sizeof(what), "MTU %u, the bond's is %u", link.mtu, bond_mtu);
		add_problem(buf, len, what);
	}
	if (!*buf)
		snprintf(buf, len, "none");
}

/*
 * Everything status shows from the maps, read before a word is printed, so
 * that a map that cannot be read is one error, never zeros in the output.
 */
struct status_reads {
	struct xbond_config live;
	__u64 counters[XBOND_CNT_MAX];
	struct xbond_member_stats stats[XBOND_MAX_MEMBERS];
	struct xbond_lacp_port lacp[XBOND_MAX_MEMBERS];	/* 802.3ad only */
};

/* 0, or -errno with *what naming what could not be read. */
static int read_maps(const struct xbond_handle *h, struct status_reads *r, const char **what)
{
	unsigned int i;
	__u32 slot;
	int ret;

	*what = "the live config";
	ret = xbond_read_live_config(h, &r->live);
	if (ret)
		return ret;
	*what = "map " XBOND_MAP_COUNTERS;
	for (i = 0; i < XBOND_CNT_MAX; i++) {
		ret = xbond_read_counter(h, i, &r->counters[i]);
		if (ret)
			return ret;
	}
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		if (!h->members[slot].ifindex)
			continue;
		*what = "map " XBOND_MAP_MSTATS;
		ret = xbond_read_member_stats(h, slot, &r->stats[slot]);
		if (ret)
			return ret;
		*what = "map " XBOND_MAP_LACP;
		if (r->live.mode == XBOND_MODE_8023AD &&
		    bpf_map_lookup_elem(h->lacp_fd, &slot, &r->lacp[slot]))
			return -errno;
	}
	return 0;
}

/* LACP state bits, the same on the wire for actor and partner, as words. */
static const struct {
	unsigned int bit;
	const char *word;
} lacp_state_words[] = {
	{ XBOND_LACP_ACTIVITY, "activity" },
	{ XBOND_LACP_TIMEOUT, "timeout" },
	{ XBOND_LACP_AGGREGATION, "aggregation" },
	{ XBOND_LACP_SYNC, "synchronization" },
	{ XBOND_LACP_COLLECTING, "collecting" },
	{ XBOND_LACP_DISTRIBUTING, "distributing" },
	{ XBOND_LACP_DEFAULTED, "defaulted" },
	{ XBOND_LACP_EXPIRED, "expired" },
};

/* The words of the bits set in state: a JSON list, or in text one line ("none" if empty). */
static void print_lacp_state_words(struct printer *p, const char *key, unsigned int state)
{
	bool first = true;
	unsigned int i;

	if (p->opts->json) {
		json_key(p, key);
		putchar('[');
	} else {
		printf("%*s%s:", p->depth * 2, "", key);
	}
	for (i = 0; i < sizeof(lacp_state_words) / sizeof(lacp_state_words[0]); i++) {
		if (!(state & lacp_state_words[i].bit))
			continue;
		if (p->opts->json) {
			if (!first)
				putchar(',');
			json_string(lacp_state_words[i].word);
		} else {
			printf(" %s", lacp_state_words[i].word);
		}
		first = false;
	}
	if (p->opts->json)
		putchar(']');
	else
		puts(first ? " none" : "");
}

/* One side of a port as a LACPDU carries it, under the kernel's "details ... lacp pdu". */
static void print_lacp_side(struct printer *p, const char *title, unsigned int sys_prio,
			    const __u8 *system, unsigned int key, unsigned int port_prio,
			    unsigned int port, unsigned int state)
{
	char mac[18];

	open_object(p, title, title);
	print_u64(p, "system priority", sys_prio);
	mac_str(system, mac, sizeof(mac));
	print_str(p, "system mac address", mac);
	print_u64(p, "port key", key);
	print_u64(p, "port priority", port_prio);
	print_u64(p, "port number", port);
	print_u64(p, "port state", state);
	print_lacp_state_words(p, "port state flags", state);
	close_object(p);
}

static void print_lacp_member(struct printer *p, const struct xbond_handle *h,
			      const struct xbond_member *m, const struct xbond_lacp_port *lp)
{
	print_u64(p, "aggregator id", lp->aggregator_id);
	print_str(p, "selection", xbond_choice_name(xbond_lacp_selected_names, lp->selected));
	print_str(p, "rx state", xbond_choice_name(xbond_lacp_rx_names, lp->rx_state));
	print_str(p, "mux state", xbond_choice_name(xbond_lacp_mux_names, lp->mux_state));
	/* What the data plane is told, which the mux state above should explain. */
	print_str(p, "collecting", m->flags & XBOND_MEMBER_COLLECTING ? "yes" : "no");
	print_str(p, "distributing", m->flags & XBOND_MEMBER_DISTRIBUTING ? "yes" : "no");
	print_u64(p, "lacpdu sent", lp->lacpdu_sent);
	print_u64(p, "lacpdu received", lp->lacpdu_received);
	print_u64(p, "lacpdu malformed", lp->lacpdu_malformed);
	print_u64(p, "marker received", lp->marker_received);
	print_u64(p, "marker response sent", lp->marker_sent);
	print_lacp_side(p, "details actor lacp pdu", h->bond.ad_actor_sys_prio,
			xbond_actor_system(&h->bond), lp->actor_key, lp->actor_port_prio,
			lp->actor_port, lp->actor_state);
	print_lacp_side(p, "details partner lacp pdu", lp->partner_sys_prio,
			lp->partner_system, lp->partner_key, lp->partner_port_prio,
			lp->partner_port, lp->partner_state);
}

/*
 * The bond's 802.3ad settings and its active aggregator: the one the
 * selected ports are in. With none selected, the aggregator's fields are
 * all zero (aggregator id 0: none), where the kernel says it has none.
 */
static void print_lacp_bond(struct printer *p, const struct xbond_handle *h,
			    const struct status_reads *r)
{
	const struct xbond_bond *b = &h->bond;
	const struct xbond_lacp_port *agg = NULL;
	static const __u8 no_mac[6];
	unsigned int slot, ports = 0;
	char mac[18];

	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		const struct xbond_lacp_port *lp = &r->lacp[slot];

		if (!h->members[slot].ifindex || lp->selected != XBOND_LACP_SELECTED)
			continue;
		if (!agg)
			agg = lp;
		if (lp->aggregator_id == agg->aggregator_id)
			ports++;
	}
	open_object(p, "802.3ad info", "802.3ad info");
	print_str(p, "lacp active", xbond_choice_name(xbond_off_on_names, b->lacp_active));
	print_str(p, "lacp rate", xbond_choice_name(xbond_lacp_rate_names, b->lacp_rate));
	print_u64(p, "min links", b->min_links);
	print_str(p, "ad select", xbond_choice_name(xbond_ad_select_names, b->ad_select));
	print_u64(p, "system priority", b->ad_actor_sys_prio);
	mac_str(xbond_actor_system(b), mac, sizeof(mac));
	print_str(p, "system mac address", mac);
	print_u64(p, "ad user port key", b->ad_user_port_key);
	open_object(p, "active aggregator info", "active aggregator info");
	print_u64(p, "aggregator id", agg ? agg->aggregator_id : 0);
	print_u64(p, "number of ports", ports);
	print_u64(p, "actor key", agg ? agg->actor_key : 0);
	print_u64(p, "partner key", agg ? agg->partner_key : 0);
	mac_str(agg ? agg->partner_system : no_mac, mac, sizeof(mac));
	print_str(p, "partner mac address", mac);
	close_object(p);
	close_object(p);
}

static void print_member(struct printer *p, const struct xbond_handle *h, unsigned int slot,
			 const struct status_reads *r, const struct xbond_progs *progs,
			 unsigned int bond_mtu)
{
	const struct xbond_member *m = &h->members[slot];
	const struct xbond_member_stats *stats = &r->stats[slot];
	char mac[18], title[64], problems[256];
	unsigned int speed = nl_link_speed(m->name);

	snprintf(title, sizeof(title), "Member: %s", m->name);
	open_object(p, NULL, title);
	if (p->opts->json)
		print_str(p, "member", m->name);
	print_u64(p, "slot", slot);
	print_str(p, "link", link_word(m));
	print_u64(p, "failures", m->link_failures);
	print_u64(p, "weight", m->weight ? m->weight : 1);
	mac_str(m->orig_mac, mac, sizeof(mac));
	print_str(p, "permanent mac", mac);
	if (speed)
		print_u64(p, "speed mbps", speed);
	else
		print_str(p, "speed mbps", "unknown");
	/* Where rx_filter runs: tc ingress (veth, no native XDP) or native XDP. */
	print_str(p, "rx path", m->flags & XBOND_MEMBER_RX_TC ? "tc" : "native xdp");
	member_problems(h, m, progs, bond_mtu, problems, sizeof(problems));
	print_str(p, "problems", problems);
	print_u64(p, "rx packets", stats->rx_packets);
	print_u64(p, "rx bytes", stats->rx_bytes);
	print_u64(p, "rx dropped", stats->rx_dropped);
	print_u64(p, "tx packets", stats->tx_packets);
	print_u64(p, "tx bytes", stats->tx_bytes);
	if (r->live.mode == XBOND_MODE_8023AD)
		print_lacp_member(p, h, m, &r->lacp[slot]);
	close_object(p);
}

static void print_monitor(struct printer *p, const struct xbond_handle *h)
{
	const struct xbond_bond *b = &h->bond;
	char targets[XBOND_MAX_ARP_TARGETS * 16] = "", addr[16], when[40] = "never";
	pid_t pid = xbond_monitor_pid(b->name);
	bool off = b->flags & XBOND_BOND_NO_MONITOR;
	unsigned int i;

	print_str(p, "monitor", pid ? "running" : off ? "off" : "not running");
	print_u64(p, "monitor pid", pid);
	/* Nobody watches the links: the states below are the last ones written. */
	print_str(p, "link states", pid ? "current" : "may be stale: no monitor runs");
	print_u64(p, "miimon ms", b->miimon_ms);
	print_u64(p, "updelay ms", b->updelay_ms);
	print_u64(p, "downdelay ms", b->downdelay_ms);
	print_u64(p, "arp interval ms", b->arp_interval_ms);
	for (i = 0; i < b->n_arp_targets && i < XBOND_MAX_ARP_TARGETS; i++) {
		inet_ntop(AF_INET, &b->arp_targets[i], addr, sizeof(addr));
		strcat(targets, i ? "," : "");
		strcat(targets, addr);
	}
	print_str(p, "arp ip target", targets);
	print_str(p, "arp validate", xbond_choice_name(xbond_arp_validate_names, b->arp_validate));
	print_str(p, "arp all targets", xbond_choice_name(xbond_all_targets_names, b->arp_all_targets));
	print_u64(p, "arp missed max", b->arp_missed_max);
	print_str(p, "primary reselect", xbond_choice_name(xbond_reselect_names, b->primary_reselect));
	print_u64(p, "num grat arp", b->num_grat_arp);
	if (b->last_failover_ns) {
		time_t secs = b->last_failover_ns / 1000000000ULL;
		struct tm tm;

		gmtime_r(&secs, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	print_str(p, "last failover", when);
	print_str(p, "last failover reason", b->last_failover_reason);
}

/*
 * A bond that is not live but still holds members: the one error line, as
 * for any bond that cannot be shown, and on stdout what it holds and the
 * command that gives it back.
 */
static void print_remains(const struct status_opts *opts, const struct xbond_handle *h)
{
	struct printer p = { .opts = opts, .first = true };
	char error[128], fix[128], name[64], held[512] = "";
	struct xbond_link link;
	unsigned int slot;

	snprintf(error, sizeof(error), "%s: %s", h->bond.name, xbond_liveness_str(h->liveness));
	bond_free_command(h->bond.name, fix, sizeof(fix));
	if (!opts->json)
		fprintf(stderr, "xbondctl: %s\n", error);
	else
		putchar('{');
	if (opts->json)
		print_str(&p, "error", error);
	print_str(&p, "bond", h->bond.name);
	print_str(&p, "state", xbond_liveness_str(h->liveness));
	/* JSON: a list; text: one line, the same words. */
	if (opts->json)
		open_array(&p, "held members");
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++) {
		const struct xbond_member *m = &h->members[slot];

		if (!m->ifindex)
			continue;
		if (nl_link_get(NULL, m->ifindex, &link))
			snprintf(name, sizeof(name), "%s (gone)", m->name);
		else
			snprintf(name, sizeof(name), "%s", link.name);
		if (opts->json) {
			if (!p.first)
				putchar(',');
			p.first = false;
			indent(&p);
			json_string(name);
		} else {
			add_problem(held, sizeof(held), name);
		}
	}
	if (opts->json)
		close_array(&p);
	else
		print_str(&p, "held members", *held ? held : "none");
	print_str(&p, "fix", fix);
	if (opts->json) {
		p.depth = 0;
		indent(&p);
		puts("}");
	}
}

int status_show(const struct status_opts *opts)
{
	struct printer p = { .opts = opts, .first = true };
	enum xbond_liveness why;
	struct xbond_link bond_link;
	struct xbond_progs progs;
	struct status_reads reads = {};
	const struct xbond_config *live = &reads.live;
	const char *unread;
	unsigned int bond_mtu;
	struct xbond_handle h;
	char mac[18];
	unsigned int slot;
	int ret;

	ret = bond_inspect(opts->name, &h);
	why = ret == -ENOENT ? XBOND_ABSENT : h.liveness;
	if (!ret && why != XBOND_LIVE) {
		print_remains(opts, &h);
		xbond_close(&h);
		return -ENODEV;
	}
	if (ret) {
		if (why != XBOND_LIVE)
			status_error(opts, "%s: %s", opts->name, xbond_liveness_str(why));
		else
			status_error(opts, "%s: cannot open: %s", opts->name, strerror(-ret));
		xbond_close(&h);
		return ret;
	}
	ret = read_maps(&h, &reads, &unread);
	if (ret) {
		status_error(opts, "%s: cannot read %s: %s", opts->name, unread, strerror(-ret));
		xbond_close(&h);
		return ret;
	}
	bond_progs(&h, &progs, false);
	bond_mtu = nl_link_get(NULL, h.bond.ifindex, &bond_link) ? 0 : bond_link.mtu;
	if (opts->json)
		putchar('{');
	print_str(&p, "bond", h.bond.name);
	print_str(&p, "mode", xbond_mode_name(live->mode));
	print_str(&p, "hash policy", xbond_hash_name(live->hash_policy));
	print_str(&p, "active member", member_name(&h, live->active));
	print_str(&p, "primary", member_name(&h, h.bond.primary));
	mac_str(h.bond.mac, mac, sizeof(mac));
	print_str(&p, "mac", mac);
	print_str(&p, "tx program", xbond_tx_attached(h.bond.ifindex, &progs) ? "attached" :
		  "missing");
	print_u64(&p, "members", xbond_member_count(&h));
	print_u64(&p, "usable members", live->n_tx);
	print_u64(&p, "tx dropped no member", reads.counters[XBOND_CNT_TX_NO_MEMBER]);
	print_u64(&p, "rx dropped inactive", reads.counters[XBOND_CNT_RX_INACTIVE]);
	print_u64(&p, "rx dropped own mac", reads.counters[XBOND_CNT_RX_OWN_MAC]);
	/* Not dropped: left on the member for the monitor's LACP, in any mode. */
	print_u64(&p, "rx slow protocol", reads.counters[XBOND_CNT_RX_SLOW]);
	print_u64(&p, "rx dropped not collecting", reads.counters[XBOND_CNT_RX_NOT_COLLECTING]);
	print_monitor(&p, &h);
	if (live->mode == XBOND_MODE_8023AD)
		print_lacp_bond(&p, &h, &reads);
	open_array(&p, "member list");
	for (slot = 0; slot < XBOND_MAX_MEMBERS; slot++)
		if (h.members[slot].ifindex)
			print_member(&p, &h, slot, &reads, &progs, bond_mtu);
	close_array(&p);
	if (opts->json) {
		p.depth = 0;
		indent(&p);
		puts("}");
	}
	xbond_close(&h);
	return 0;
}
