#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Logs operators can use: every event line names the bond, its network
# namespace and a severity, wherever it goes. With no journal and no syslog
# (this machine, most pods) lines go to the bond's run file. Under systemd
# (JOURNAL_STREAM names stderr) they go to stderr with sd-daemon priority
# prefixes, for journald to file at that priority; where /dev/log takes a
# connection, to syslog. A failover, an admin change and a monitor stopping
# are all logged.
#
#   H: xbond0 [h0 h1]
#               |  |
#   S:   br0 [s0 s1 sp]     s0 down: h0 fails, h1 takes over
#                     |
#   P:                p0
. "$(dirname "$0")/../lib.sh"

# syslog(3)'s severities, as the sd-daemon prefixes <N> carry them.
LOG_ERR=3 LOG_WARNING=4 LOG_NOTICE=5 LOG_INFO=6
# How long a logged event may take to show up.
LOG_WAIT_S=3

# Nothing of the caller's systemd session may decide for the test.
unset JOURNAL_STREAM INVOCATION_ID XBOND_LOG
# The run file is the default only where no syslog daemon listens: ask for it there.
[ -S /dev/log ] && export XBOND_LOG=file

T=$(mktemp -d)
J=$T/journal
: >"$J"
trap 'cleanup; rm -rf "$T"' EXIT
topo_switch 2 || { fail "topology"; exit 1; }

# A timestamp, then "SEVERITY BOND netns NS: EVENT MEMBER: REASON".
TIME_RE='^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:]{8}\.[0-9]{3}Z'
logged() { # SEVERITY EVENT MEMBER: a line of the run file says it, with bond and netns
	mon_log "$H" | grep -Eq "$TIME_RE $1 xbond0 netns $H: $2 $3: "
}
journal_logged() { # PRIORITY SEVERITY EVENT MEMBER: the same on stderr, after "<N>"
	grep -Eq "^<$1>$2 xbond0 netns $H: $3 $4: " "$J"
}

# --- the run file: no journal, no syslog ------------------------------------
check "create an active-backup bond; its monitor starts" \
	xbond --netns "$H" --ifaces h0,h1 --mode active-backup --primary h0
check "... 'monitor started' is info, with bond and netns name" \
	wait_for $LOG_WAIT_S logged info "monitor started" -
ip -n "$S" link set s0 down
check "a member lost is a warning" wait_for $LOG_WAIT_S logged warning "member down" h0
check "the failover it causes is a notice" wait_for $LOG_WAIT_S logged notice "active member" h1
ip -n "$S" link set s1 down
check "no usable member at all is an error" wait_for $LOG_WAIT_S logged err "active member" none
ip -n "$S" link set s0 up
ip -n "$S" link set s1 up
check "a member back is info" wait_for $LOG_WAIT_S logged info "member up" h0

# The library logs admin changes where the monitor logs: the lead adds the
# calls to lib/ops.c (xbond_log_event(LOG_NOTICE, name, "admin change", ...)).
if grep -q 'xbond_log_event' "$TOP/lib/ops.c"; then
	check "a live mode change by xbondload" xbond --netns "$H" --mode balance-xor
	check "... is logged as an admin change, a notice" \
		wait_for $LOG_WAIT_S logged notice "admin change" "[^:]*"
else
	skip "admin changes logged (lib/ops.c has no xbond_log_event calls yet)"
fi
check "detach the bond" xbond --netns "$H" --detach
check "... the monitor's stop is logged, a notice" \
	wait_for $LOG_WAIT_S logged notice "monitor stopped" -
check "every line of the run file carries time, severity, bond and netns" \
	sh -c "! grep -Ev '$TIME_RE (err|warning|notice|info|debug) xbond0 netns $H: ' \
		/run/xbond/$(stat -L -c %i "/run/netns/$H")/xbond0.log"

# --- under systemd: stderr is the journal -----------------------------------
# The monitor runs in the foreground as a unit's main process would, its
# stderr a file whose device and inode JOURNAL_STREAM names, as systemd sets
# it. The worker the guard starts inherits both.
unset XBOND_LOG
rm -f "/run/xbond/$(stat -L -c %i "/run/netns/$H")/xbond0.log"
check "create a bond without a monitor of its own" \
	xbond --netns "$H" --ifaces h0,h1 --mode active-backup --primary h0 --no-monitor
JOURNAL_STREAM=$(stat -c %d:%i "$J") "$XBONDMON" --netns "$H" --name xbond0 2>>"$J" >/dev/null &
guard=$!
check "monitor started: <$LOG_INFO>, with bond and netns" \
	wait_for $LOG_WAIT_S journal_logged $LOG_INFO info "monitor started" -
ip -n "$S" link set s0 down
check "member down: <$LOG_WARNING>" \
	wait_for $LOG_WAIT_S journal_logged $LOG_WARNING warning "member down" h0
check "the failover: <$LOG_NOTICE>" \
	wait_for $LOG_WAIT_S journal_logged $LOG_NOTICE notice "active member" h1
ip -n "$S" link set s0 up
JOURNAL_STREAM=$(stat -c %d:%i "$J") "$XBONDMON" --netns "$H" --name xbond0 2>>"$J"
check "a tool's own message to stderr carries its prefix too (<$LOG_WARNING>)" \
	grep -q "^<$LOG_WARNING>xbondmon: xbond0: a monitor is already running" "$J"
kill -TERM "$guard"
check "stopped by SIGTERM, as systemctl stop does: <$LOG_NOTICE>" \
	wait_for $LOG_WAIT_S journal_logged $LOG_NOTICE notice "monitor stopped" -
check "every line on stderr has a priority prefix" sh -c "! grep -v '^<[0-7]>' '$J'"
check "... and none of the monitor's went to the run file" \
	sh -c "! grep -s 'monitor started\|member down' /run/xbond/$(stat -L -c %i "/run/netns/$H")/xbond0.log"
wait "$guard" 2>/dev/null

# JSON lines (-j): the same facts, with the severity as a word and a number.
: >"$J"
JOURNAL_STREAM=$(stat -c %d:%i "$J") "$XBONDMON" --netns "$H" --name xbond0 -j 2>>"$J" >/dev/null &
guard=$!
json_started() {
	sed -n "s/^<$LOG_INFO>//p" "$J" | jq -e --arg ns "$H" --argjson prio $LOG_INFO \
		'select(.event == "monitor started") | .bond == "xbond0" and .netns == $ns and
		 .severity == "info" and .priority == $prio and .member == "-" and
		 (.netns_inode | type) == "number" and (.time | test("Z$"))' | grep -q true
}
check "-j: JSON lines after the prefix: bond, netns, severity, priority" \
	wait_for $LOG_WAIT_S json_started
kill -TERM "$guard"
wait "$guard" 2>/dev/null
# Stderr that is not the stream JOURNAL_STREAM names (a child a unit
# started with its output elsewhere) is no journal: plain lines, no prefix.
out=$(JOURNAL_STREAM=1:1 "$XBONDMON" --netns "$H" --name nosuch 2>&1)
check "JOURNAL_STREAM naming another stream: no prefix" \
	grep -q "^xbondmon: nosuch: no such bond" <<<"$out"
xbond --netns "$H" --detach

# --- syslog: /dev/log takes a connection -------------------------------------
# A stand-in syslog daemon on /dev/log, in a mount and PID namespace of our
# own whose /dev is a tmpfs (the host's /dev is never touched): there the
# tools find it, as PID 1 there is the shell below.
if ! command -v python3 >/dev/null; then
	skip "syslog (no python3 for a stand-in daemon)"
	exit $FAILED
fi
SYSLOG=$T/syslog
rm -f "/run/xbond/$(stat -L -c %i "/run/netns/$H")/xbond0.log"
# syslog_has REGEX: a line the stand-in daemon received matches.
syslog_has() { grep -Eq "$1" "$SYSLOG"; }
export H S T SYSLOG LOG_WAIT_S XBONDLOAD
export -f syslog_has wait_for
unshare --mount --pid --fork --mount-proc --propagation private -- bash -c '
	touch "$T/null" && mount --bind /dev/null "$T/null" &&
	mount -t tmpfs -o mode=0755 tmpfs /dev && touch /dev/null &&
	mount --bind "$T/null" /dev/null || exit 1
	python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(\"/dev/log\")
out = open(sys.argv[1], \"a\", buffering=1)
while True:
    out.write(s.recv(4096).decode() + \"\\n\")
" "$SYSLOG" &
	daemon=$!
	wait_for $LOG_WAIT_S test -S /dev/log
	"$XBONDLOAD" --netns "$H" --ifaces h0,h1 --mode active-backup --primary h0
	wait_for $LOG_WAIT_S syslog_has "monitor started"
	ip -n "$S" link set s0 down
	wait_for $LOG_WAIT_S syslog_has "member down h0"
	"$XBONDLOAD" --netns "$H" --detach
	wait_for $LOG_WAIT_S syslog_has "monitor stopped"
	kill $daemon' >/dev/null 2>&1
# syslog's priority is facility * 8 + severity; the facility is daemon.
LOG_DAEMON_FACILITY=3
pri() { echo $((LOG_DAEMON_FACILITY * 8 + $1)); }
check "syslog: monitor started, at daemon.info, with bond and netns" syslog_has \
	"^<$(pri $LOG_INFO)>.* xbondmon\[[0-9]+\]: info xbond0 netns $H: monitor started -: "
check "syslog: member down at daemon.warning" syslog_has \
	"^<$(pri $LOG_WARNING)>.* xbondmon\[[0-9]+\]: warning xbond0 netns $H: member down h0: "
check "syslog: monitor stopped at daemon.notice" syslog_has \
	"^<$(pri $LOG_NOTICE)>.* xbondmon\[[0-9]+\]: notice xbond0 netns $H: monitor stopped -: "
check "... and nothing in the run file, as nobody asked for it" \
	test ! -s "/run/xbond/$(stat -L -c %i "/run/netns/$H")/xbond0.log"

exit $FAILED
