# SPDX-License-Identifier: GPL-2.0
# Sourced by the scripts that run inside the peer guest (guest-bench.sh,
# guest-test.sh): namespaces with a random suffix and their cleanup, the
# guest kernel's modules, polling, and logging. Nothing here runs on the host.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
XBONDLOAD=$TOP/.output/xbondload
XBONDCTL=$TOP/.output/xbondctl
SEQSTREAM=$TOP/.output/seqstream
SUFFIX=$(printf '%04x' $RANDOM)
NAMESPACES=()

# To stderr: functions that echo a result must not echo their log lines too.
log() { local up; read -r up _ </proc/uptime; printf '[%6.1f] %s\n' "$up" "$*" >&2; }
die() { log "error: $*"; exit 1; }
now_ns() { date +%s%N; }
ms_since() { echo $((($(now_ns) - $1) / 1000000)); } # NS_TIMESTAMP
stamp() { printf -v "$1" '%s000' "${EPOCHREALTIME/./}"; } # VAR: now, ns, with no fork

# The guest must be the one runvm.sh boots: its own kernel, with the drivers.
guest_setup() {
	[ "$(hostname)" = xbond-peer ] || die "run this inside the peer guest (bench/peer/runvm.sh)"
	local m
	for m in bonding team team_mode_activebackup team_mode_loadbalance sch_tbf veth bridge; do
		modprobe "$m" || die "cannot load $m"
	done
	# No bond0 made by the module itself: each test names its own.
	[ -e /sys/class/net/bond0 ] && ip link del bond0
	[ -x "$XBONDLOAD" ] && [ -x "$SEQSTREAM" ] || die "build first: make all .output/seqstream"
	# TCG can keep a receiver off the CPU for a few hundred ms: with room for
	# that in its socket buffer, what counts as lost is what the network lost.
	sysctl -qw net.core.rmem_default=8388608 net.core.rmem_max=8388608 || die "sysctl failed"
	# A sender that TCG held back catches up in a burst: veth hands every
	# frame to the per-CPU backlog, which must hold such a burst.
	sysctl -qw net.core.netdev_max_backlog=10000 || die "sysctl failed"
	mountpoint -q /sys/fs/bpf || die "no bpffs on /sys/fs/bpf"
}

# make_ns VAR NAME: namespace pr-NAME-SUFFIX with lo up, into $VAR.
make_ns() {
	local name="pr-$2-$SUFFIX"
	ip netns add "$name" || return 1
	NAMESPACES+=("$name")
	ip -n "$name" link set lo up
	printf -v "$1" '%s' "$name"
}

. "$(dirname "${BASH_SOURCE[0]}")/../../selftests/wait_for.sh"

# Remove every namespace, with whatever bond lives in it: xbond's pins and
# monitor outlive a namespace unless detached, teamd runs until killed.
ns_cleanup() {
	local n ino
	for n in "${NAMESPACES[@]}"; do
		[ -e "/run/netns/$n" ] || continue
		ino=$(stat -L -c %i "/run/netns/$n")
		for b in /sys/fs/bpf/xbond/"$ino"/*; do
			[ -d "$b" ] && "$XBONDLOAD" --netns "$n" --name "${b##*/}" --detach >/dev/null 2>&1
		done
		# teamd's pid file is not per namespace; teamd -k only where team0 is.
		ip -n "$n" link show team0 >/dev/null 2>&1 && ip netns exec "$n" teamd -k -t team0 >/dev/null 2>&1
		ip netns pids "$n" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$n"
		rm -rf "/sys/fs/bpf/xbond/$ino" "/run/xbond/$ino"
	done
	NAMESPACES=()
}

# tx_bytes NS DEV: the device's transmitted bytes.
tx_bytes() { ip -n "$1" -s -j link show "$2" | jq '.[0].stats64.tx.bytes'; }
rx_bytes() { ip -n "$1" -s -j link show "$2" | jq '.[0].stats64.rx.bytes'; }

# The kernel's 802.3ad, read without a fork per look (a fork takes 0.2 s in
# this guest). KSTATE defines kstate, which sets KS to a kernel bond's state
# on one line, from /proc/net/bonding/bond0: "agg ID ports N partner MAC",
# then per slave "NAME AGG/MII/ACTOR/PARTNER", ACTOR and PARTNER the port
# states (numbers).
KSTATE='
kstate() {
	local l sec= side= id= n= mac= s
	local -A agg=() mii=() as=() ps=()
	local slaves=()
	while read -r l; do
		case $l in
		"Active Aggregator Info:") sec=: ;;
		"Slave Interface: "*) sec=${l#*: } side=; slaves+=("$sec") ;;
		"Aggregator ID: "*) if [ "$sec" = : ]; then id=${l#*: }; else agg[$sec]=${l#*: }; fi ;;
		"Number of ports: "*) n=${l#*: } ;;
		"Partner Mac Address: "*) mac=${l#*: } ;;
		"MII Status: "*) [ -n "$sec" ] && [ "$sec" != : ] && mii[$sec]=${l#*: } ;;
		"details actor lacp pdu:") side=a ;;
		"details partner lacp pdu:") side=p ;;
		"port state: "*) if [ "$side" = a ]; then as[$sec]=${l#*: }; else ps[$sec]=${l#*: }; fi ;;
		esac
	done </proc/net/bonding/bond0
	KS="agg ${id:--} ports ${n:-0} partner ${mac:--}"
	for s in "${slaves[@]}"; do KS+=" $s ${agg[$s]:--}/${mii[$s]:--}/${as[$s]:--}/${ps[$s]:--}"; done
}'

kstate_of() { ip netns exec "$1" bash -c "$KSTATE"'; kstate; echo "$KS"'; } # NS

# kwatch_start NS FILE: "EPOCHREALTIME state" into FILE whenever the state of
# NS's kernel bond changes, looked at every 50 ms (KWATCH_PID). Returns once
# the first line is there: from then on the file knows every state.
kwatch_start() {
	local t0
	rm -f "$2"	# not by the redirect below: that waits for the fork
	ip netns exec "$1" bash -c "$KSTATE"'
		mkfifo "$0.fifo" && exec 3<>"$0.fifo" && rm -f "$0.fifo" || exit 1
		last=
		while [ -e /proc/net/bonding/bond0 ]; do
			kstate
			[ "$KS" != "$last" ] && echo "$EPOCHREALTIME $KS" && last=$KS
			read -r -t 0.05 -u 3 _
		done' "$2" >"$2" 2>&1 &
	KWATCH_PID=$!
	stamp t0
	wait_for 10 test -s "$2" || { log "the kernel's state watcher never started"; return 1; }
	[ "$(ms_since "$t0")" -lt 1000 ] || log "the kernel's state watcher took $(ms_since "$t0") ms to start"
}
kwatch_stop() { [ -n "${KWATCH_PID:-}" ] && kill "$KWATCH_PID" 2>/dev/null && wait "$KWATCH_PID" 2>/dev/null; KWATCH_PID=; }

# KAWK: awk functions over kwatch lines ($1 the time, then kstate's fields:
# $3 the active aggregator, $5 its ports, $7 its partner, $9 and $11 the
# slaves' AGG/MII/ACTOR/PARTNER). dist(f): the slave is up, in the active
# aggregator, and both ends say sync, collecting and distributing.
KAWK='
function bit(x, b) { return int(x / b) % 2 }
function dist(f,   p) {
	split(f, p, "/")
	return p[1] == $3 && p[2] == "up" && bit(p[3], 8) && bit(p[3], 16) && bit(p[3], 32) &&
		bit(p[4], 8) && bit(p[4], 16) && bit(p[4], 32)
}
function since(t0) { return sprintf("%.0f", ($1 - t0 / 1e9) * 1000) }'
