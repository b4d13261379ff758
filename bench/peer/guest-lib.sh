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
