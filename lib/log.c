// SPDX-License-Identifier: GPL-2.0
/* Leveled logging to stderr, libbpf's messages demoted one level, and per-bond events to the journal, syslog or the bond's run file. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <bpf/libbpf.h>
#include "log.h"
#include "monitor_ctl.h"

#define NETNS_RUN_DIR	"/run/netns"
#define NETNS_SELF	"/proc/self/ns/net"
/* One event, whole: longer reasons are cut, never split over lines. */
#define LINE_MAX_LEN	1024

enum xbond_log_level xbond_log_level = XBOND_LOG_WARN;
const char *xbond_prog_name = "xbond";
bool xbond_log_json;
/* Kept for callers that report errors elsewhere than stderr (the CNI plugin). */
static char last_warning[512];

static int sink = -1;			/* enum xbond_log_sink, -1: not chosen yet */
static const char *daemon_bond;		/* xbond_log_daemon(): messages are its events */
static bool emitting;			/* writing an event: a message about that goes to stderr */

static const char *const severity_names[] = {
	[LOG_EMERG] = "emerg", [LOG_ALERT] = "alert", [LOG_CRIT] = "crit", [LOG_ERR] = "err",
	[LOG_WARNING] = "warning", [LOG_NOTICE] = "notice", [LOG_INFO] = "info",
	[LOG_DEBUG] = "debug",
};

static const int level_severity[] = {
	[XBOND_LOG_WARN] = LOG_WARNING,
	[XBOND_LOG_INFO] = LOG_INFO,
	[XBOND_LOG_DEBUG] = LOG_DEBUG,
};

/* systemd.exec(5): JOURNAL_STREAM is "device:inode" of the stream our stderr must be. */
static bool stderr_is_journal(void)
{
	const char *stream = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;
	char extra;

	if (!stream || sscanf(stream, "%llu:%llu%c", &dev, &ino, &extra) != 2)
		return false;
	return !fstat(STDERR_FILENO, &st) && st.st_dev == dev && st.st_ino == ino;
}

/* A socket at /dev/log that someone listens on, datagram or stream, as syslog(3) tries. */
static bool syslog_listens(void)
{
	struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = _PATH_LOG };
	int types[] = { SOCK_DGRAM, SOCK_STREAM };
	bool ok = false;
	unsigned int i;
	int fd;

	for (i = 0; !ok && i < sizeof(types) / sizeof(types[0]); i++) {
		fd = socket(AF_UNIX, types[i] | SOCK_CLOEXEC, 0);
		if (fd < 0)
			continue;
		ok = !connect(fd, (struct sockaddr *)&addr, sizeof(addr));
		close(fd);
	}
	return ok;
}

enum xbond_log_sink xbond_log_sink(void)
{
	static const char *const names[] = {
		[XBOND_SINK_JOURNAL] = "journal",
		[XBOND_SINK_SYSLOG] = "syslog",
		[XBOND_SINK_FILE] = "file",
	};
	const char *forced = getenv("XBOND_LOG");
	unsigned int i;

	if (sink >= 0)
		return sink;
	for (i = 0; forced && i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(forced, names[i]))
			sink = i;
	if (sink < 0)
		sink = stderr_is_journal() ? XBOND_SINK_JOURNAL :
		       syslog_listens() ? XBOND_SINK_SYSLOG : XBOND_SINK_FILE;
	if (sink == XBOND_SINK_SYSLOG)
		openlog(xbond_prog_name, LOG_PID, LOG_DAEMON);
	return sink;
}

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

const char *xbond_log_netns(void)
{
	static char label[NAME_MAX + 1];
	static struct stat labelled;	/* the namespace label names */
	static bool named;
	char path[PATH_MAX];
	struct stat self, st;
	struct dirent *e;
	DIR *dir;

	if (stat(NETNS_SELF, &self))
		return "?";
	/* A name found before still holds if /run/netns/<name> is still this namespace. */
	if (named && same_file(&self, &labelled) &&
	    snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", label) < (int)sizeof(path) &&
	    !stat(path, &st) && same_file(&st, &self))
		return label;
	labelled = self;
	named = false;
	snprintf(label, sizeof(label), "%lu", (unsigned long)self.st_ino);
	dir = opendir(NETNS_RUN_DIR);
	while (dir && (e = readdir(dir))) {
		if (e->d_name[0] == '.' ||
		    snprintf(path, sizeof(path), NETNS_RUN_DIR "/%s", e->d_name) >= (int)sizeof(path))
			continue;
		if (!stat(path, &st) && same_file(&st, &self)) {
			snprintf(label, sizeof(label), "%s", e->d_name);
			named = true;
			break;
		}
	}
	if (dir)
		closedir(dir);
	return label;
}

/* Append s to buf[*pos..len) as a JSON string, quotes included; cut if it does not fit. */
static void json_str(char *buf, size_t len, size_t *pos, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	char esc[7];
	size_t n;

	if (*pos + 1 < len)
		buf[(*pos)++] = '"';
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = c;
			n = 2;
		} else if (c < 0x20) {
			memcpy(esc, "\\u00", 4);
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			n = 6;
		} else {
			esc[0] = c;
			n = 1;
		}
		/* Room for this, the closing quote and the NUL. */
		if (*pos + n + 2 > len)
			break;
		memcpy(buf + *pos, esc, n);
		*pos += n;
	}
	if (*pos + 1 < len)
		buf[(*pos)++] = '"';
	buf[*pos < len ? *pos : len - 1] = '\0';
}

static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static void append(char *buf, size_t len, size_t *pos, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*pos >= len - 1)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf + *pos, len - *pos, fmt, ap);
	va_end(ap);
	if (n > 0)
		*pos += (size_t)n < len - *pos ? (size_t)n : len - *pos - 1;
}

/*
 * Build the line: [time ]severity bond netns NS: [event member: ]reason, or
 * its JSON object, which always has the time. event NULL: a plain message.
 */
static size_t format_event(char *buf, size_t len, bool with_time, int severity,
			   const char *bond, const char *event, const char *member,
			   const char *reason)
{
	const char *sev = severity_names[severity & LOG_PRIMASK];
	const char *netns = xbond_log_netns();
	struct timespec ts;
	struct stat self;
	char when[40];
	size_t pos = 0;
	struct tm tm;

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(when + strlen(when), sizeof(when) - strlen(when), ".%03ldZ",
		 ts.tv_nsec / 1000000);
	if (!xbond_log_json) {
		append(buf, len, &pos, "%s%s%s %s netns %s: ", with_time ? when : "",
		       with_time ? " " : "", sev, bond, netns);
		if (event)
			append(buf, len, &pos, "%s %s: ", event, member);
		append(buf, len, &pos, "%s", reason);
		return pos;
	}
	append(buf, len, &pos, "{\"time\":\"%s\",\"severity\":\"%s\",\"priority\":%d,\"bond\":",
	       when, sev, severity & LOG_PRIMASK);
	json_str(buf, len, &pos, bond);
	append(buf, len, &pos, ",\"netns\":");
	json_str(buf, len, &pos, netns);
	append(buf, len, &pos, ",\"netns_inode\":%lu,\"event\":",
	       stat(NETNS_SELF, &self) ? 0UL : (unsigned long)self.st_ino);
	json_str(buf, len, &pos, event ? event : "message");
	append(buf, len, &pos, ",\"member\":");
	json_str(buf, len, &pos, member);
	append(buf, len, &pos, ",\"reason\":");
	json_str(buf, len, &pos, reason);
	append(buf, len, &pos, "}");
	return pos;
}

/* One write per line: processes appending to one file never interleave within a line. */
static void write_line(int fd, char *buf, size_t n)
{
	buf[n] = '\n';
	if (write(fd, buf, n + 1) < 0)
		return;
}

static void emit(int severity, const char *bond, const char *event, const char *member,
		 char *reason)
{
	char line[LINE_MAX_LEN + 8], path[PATH_MAX];
	size_t n, len = sizeof(line) - 1;	/* room for the newline */
	struct stat file, out;
	int fd = -1, echo;
	char *nl;

	/* A reason is one line: a message's newline ends it, and one inside it is a space. */
	while (*reason && reason[strlen(reason) - 1] == '\n')
		reason[strlen(reason) - 1] = '\0';
	for (nl = strchr(reason, '\n'); nl; nl = strchr(nl, '\n'))
		*nl = ' ';
	if (!bond || !*bond)
		bond = "-";
	if (!member || !*member)
		member = "-";
	emitting = true;
	switch (xbond_log_sink()) {
	case XBOND_SINK_JOURNAL:
		n = snprintf(line, len, "<%d>", severity & LOG_PRIMASK);
		n += format_event(line + n, len - n, false, severity, bond, event, member, reason);
		write_line(STDERR_FILENO, line, n);
		break;
	case XBOND_SINK_SYSLOG:
		format_event(line, len, false, severity, bond, event, member, reason);
		syslog(LOG_DAEMON | (severity & LOG_PRIMASK), "%s", line);
		break;
	case XBOND_SINK_FILE:
		n = format_event(line, len, true, severity, bond, event, member, reason);
		if (strcmp(bond, "-") && !xbond_monitor_log_path(bond, path, sizeof(path)))
			fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
		if (fd < 0) {
			/* Not lost where no file could take it. */
			write_line(STDERR_FILENO, line, n);
			break;
		}
		write_line(fd, line, n);
		/*
		 * A monitor run by hand also shows its events on stdout and its
		 * messages on stderr, as it always did; not when that is the
		 * run file itself, as for a monitor xbondload started.
		 */
		echo = event ? STDOUT_FILENO : STDERR_FILENO;
		if (daemon_bond && !fstat(fd, &file) && !fstat(echo, &out) && !same_file(&file, &out))
			write_line(echo, line, n);
		close(fd);
		break;
	}
	emitting = false;
}

void xbond_log_event(int severity, const char *bond, const char *event, const char *member,
		     const char *fmt, ...)
{
	char reason[LINE_MAX_LEN];
	va_list ap;

	if ((severity & LOG_PRIMASK) == LOG_DEBUG && xbond_log_level < XBOND_LOG_DEBUG)
		return;
	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	emit(severity, bond, event ? event : "event", member, reason);
}

void xbond_log_daemon(const char *bond)
{
	daemon_bond = bond;
}

static void vlog(enum xbond_log_level level, const char *fmt, va_list ap)
{
	char msg[LINE_MAX_LEN], *text = msg;
	size_t skip;

	if (level == XBOND_LOG_WARN) {
		va_list copy;

		va_copy(copy, ap);
		vsnprintf(last_warning, sizeof(last_warning), fmt, copy);
		va_end(copy);
		last_warning[strcspn(last_warning, "\n")] = '\0';
	}
	if (level > xbond_log_level)
		return;
	if (daemon_bond && !emitting) {
		vsnprintf(msg, sizeof(msg), fmt, ap);
		/* "xbond0: cannot ..." about our own bond: the line names it already. */
		skip = strlen(daemon_bond);
		if (!strncmp(text, daemon_bond, skip) && !strncmp(text + skip, ": ", 2))
			text += skip + 2;
		emit(level_severity[level], daemon_bond, NULL, NULL, text);
		return;
	}
	if (!emitting && xbond_log_sink() == XBOND_SINK_JOURNAL)
		fprintf(stderr, "<%d>", level_severity[level]);
	fprintf(stderr, "%s: ", xbond_prog_name);
	vfprintf(stderr, fmt, ap);
}

void xbond_log_forget(void)
{
	last_warning[0] = '\0';
}

const char *xbond_log_last(void)
{
	return last_warning;
}

void xbond_log(enum xbond_log_level level, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vlog(level, fmt, ap);
	va_end(ap);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt, va_list ap)
{
	enum xbond_log_level ours = level == LIBBPF_WARN ? XBOND_LOG_INFO : XBOND_LOG_DEBUG;

	vlog(ours, fmt, ap);
	return 0;
}

void xbond_log_libbpf(void)
{
	libbpf_set_print(libbpf_print);
}
