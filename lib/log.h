/* SPDX-License-Identifier: GPL-2.0 */
/* Leveled logging for xbond's userspace tools, and per-bond events for operators: to the journal, syslog or the bond's run file. */
#ifndef XBOND_LOG_H
#define XBOND_LOG_H

#include <stdbool.h>
#include <syslog.h>	/* LOG_ERR, LOG_WARNING, LOG_NOTICE, LOG_INFO, LOG_DEBUG */

enum xbond_log_level {
	XBOND_LOG_WARN = 0,
	XBOND_LOG_INFO,
	XBOND_LOG_DEBUG,
};

extern enum xbond_log_level xbond_log_level;
extern const char *xbond_prog_name;

void xbond_log(enum xbond_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The last warning logged (shown or not), without its newline; "" if none. */
const char *xbond_log_last(void);
void xbond_log_forget(void);
/* Route libbpf's messages through xbond_log, one level quieter. */
void xbond_log_libbpf(void);

#define pr_warn(...)	xbond_log(XBOND_LOG_WARN, __VA_ARGS__)
#define pr_info(...)	xbond_log(XBOND_LOG_INFO, __VA_ARGS__)
#define pr_debug(...)	xbond_log(XBOND_LOG_DEBUG, __VA_ARGS__)

/*
 * Where a process's bond events go, chosen once, on the first event:
 *
 * - JOURNAL: stderr, each line prefixed with its sd-daemon priority ("<4>").
 *   When stderr is the journal: JOURNAL_STREAM names stderr's device and
 *   inode. INVOCATION_ID alone does not tell: a child that a service started
 *   with its stderr elsewhere (a monitor spawned with its output to its run
 *   file) inherits it.
 * - SYSLOG: syslog(3), facility daemon, when /dev/log takes a connection
 *   (a syslog daemon, or journald's syslog socket).
 * - FILE: the bond's run file, /run/xbond/<netns inode>/<bond>.log. A
 *   daemon also writes its events to stdout and its messages to stderr
 *   unless that is the run file itself (a monitor run by hand). The default
 *   where neither of the above exists: most containers and pods, and this
 *   machine.
 *
 * XBOND_LOG=journal|syslog|file in the environment overrides the choice.
 * Ordinary messages (pr_warn...) go to stderr as before, with the same
 * priority prefix when stderr is the journal, unless xbond_log_daemon() was
 * called: then they are bond events too.
 */
enum xbond_log_sink {
	XBOND_SINK_JOURNAL,
	XBOND_SINK_SYSLOG,
	XBOND_SINK_FILE,
};
enum xbond_log_sink xbond_log_sink(void);

/*
 * One event about bond, in this network namespace: what happened (event),
 * to which member ("-" or NULL: the bond itself) and why (fmt). severity is
 * syslog's: LOG_ERR (the bond cannot forward), LOG_WARNING (a member lost, a
 * process died, a change refused), LOG_NOTICE (failovers, admin changes, a
 * monitor stopping), LOG_INFO (a member back, a monitor starting),
 * LOG_DEBUG. Each line carries the bond's name, its namespace (the name
 * under /run/netns, else the namespace's inode number) and the severity:
 *
 *   text:  2025-01-31T12:00:00.123Z warning xbond0 netns blue: member down eth0: no carrier
 *   JSON:  {"time":"...","severity":"warning","priority":4,"bond":"xbond0",
 *           "netns":"blue","netns_inode":4026532291,"event":"member down",
 *           "member":"eth0","reason":"no carrier"}
 *
 * The journal and syslog add their own time, so the line there starts at
 * the severity (after "<4>" in the journal).
 */
void xbond_log_event(int severity, const char *bond, const char *event, const char *member,
		     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* Events as JSON lines from now on (xbondmon -j). */
extern bool xbond_log_json;

/*
 * A daemon working for one bond (the monitor's guard and worker): from now
 * on its ordinary messages are events about bond, at their level's
 * severity, and go where its events go.
 */
void xbond_log_daemon(const char *bond);

/* This network namespace's name under /run/netns, else its inode number. */
const char *xbond_log_netns(void);

#endif /* XBOND_LOG_H */
