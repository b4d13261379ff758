# SPDX-License-Identifier: GPL-2.0
# Shared helpers for xbond's netns integration tests: namespaces with random
# suffixes, topologies, polling, result lines and a cleanup trap.

TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
XBONDLOAD=${XBONDLOAD:-$TOP/.output/xbondload}
XBONDCTL=${XBONDCTL:-$TOP/.output/xbondctl}
XBONDMON=${XBONDMON:-$TOP/.output/xbondmon}
# The monitors log to their run file, which the tests read, even where a syslog runs.
export XBOND_LOG=file
# Flags, counters and modes from maps/xbond_abi.h: no bare numbers in tests.
. "$TOP/.output/xbond_abi.sh" || { echo "build first: make" >&2; exit 1; }
SUFFIX=$(printf '%04x%04x' $RANDOM $RANDOM)
NAMESPACES=()
FAILED=0

# TEST: name [ OK ] / [FAIL]; the runner counts these lines.
pass() { printf 'TEST: %-64s [ OK ]\n' "$1"; }
fail() { printf 'TEST: %-64s [FAIL]\n' "$1"; shift; [ $# -gt 0 ] && printf '    %s\n' "$@"; FAILED=1; }
skip() { printf 'TEST: %-64s [SKIP]\n' "$1"; }

# check NAME CMD...: pass if CMD succeeds.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then pass "$name"; else fail "$name" "$(echo "$out" | tail -3)"; fi
}

# check_fails NAME REGEX CMD...: CMD must exit 1 with one line matching REGEX on stderr.
check_fails() {
	local name=$1 regex=$2 out rc
	shift 2
	out=$("$@" 2>&1 >/dev/null); rc=$?
	if [ $rc -ne 0 ] && [ "$(printf '%s\n' "$out" | grep -c .)" -eq 1 ] &&
	   printf '%s' "$out" | grep -Eq -- "$regex"; then
		pass "$name"
	else
		fail "$name" "exit $rc, stderr: $out" "wanted one line matching: $regex"
	fi
}

. "$TOP/selftests/wait_for.sh"

# make_ns VAR NAME: create namespace xbt-NAME-SUFFIX with lo up, into $VAR.
make_ns() {
	local name="xbt-$2-$SUFFIX"
	ip netns add "$name" || return 1
	NAMESPACES+=("$name")
	ip -n "$name" link set lo up
	printf -v "$1" '%s' "$name"
}

xbond() { "$XBONDLOAD" "$@"; }

# The pin directory of a bond: /sys/fs/bpf/xbond/<netns inode>/<name>.
pin_dir() { echo "/sys/fs/bpf/xbond/$(stat -L -c %i "/run/netns/$1")/${2:-xbond0}"; }

# any_running PID...: one of them has not exited (a zombie has).
any_running() {
	local p st
	for p; do
		read -r _ _ st _ 2>/dev/null <"/proc/$p/stat" && [ "$st" != Z ] && return 0
	done
	return 1
}

cleanup() {
	local n ino pids i
	for n in "${NAMESPACES[@]}"; do
		pkill -f "iperf3.*$SUFFIX" 2>/dev/null
		pids=$(ip netns pids "$n" 2>/dev/null)
		[ -n "$pids" ] && kill $pids 2>/dev/null
		# A monitor logs its last line as it stops: let it, before its run directory goes.
		for ((i = 0; i < 100; i++)); do
			any_running $pids || break
			sleep 0.02
		done
		ino=$(stat -L -c %i "/run/netns/$n" 2>/dev/null)
		ip netns del "$n" 2>/dev/null
		[ -n "$ino" ] && rm -rf "/sys/fs/bpf/xbond/$ino" "/run/xbond/$ino"
	done
	NAMESPACES=()
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# topo_b2b N: hosts A and B cabled back to back by N veth links a<i> -- b<i>.
#
#   A: xbond0 [a0 a1 ...] ======= [b0 b1 ...] xbond0 :B
topo_b2b() {
	local i
	make_ns A a && make_ns B b || return 1
	for ((i = 0; i < $1; i++)); do
		ip link add "a$i" netns "$A" type veth peer name "b$i" netns "$B" || return 1
	done
}

# topo_switch N: host H's members h<i> cabled to ports s<i> of bridge br0 in
# namespace S; peer P hangs off the same bridge.
#
#   H: xbond0 [h0 h1 ...]
#               |  |
#   S:   br0 [s0 s1 ... sp]
#                        |
#   P:                   p0
topo_switch() {
	local i
	make_ns H h && make_ns S s && make_ns P p || return 1
	ip -n "$S" link add br0 type bridge || return 1
	ip -n "$S" link set br0 up
	for ((i = 0; i < $1; i++)); do
		ip link add "h$i" netns "$H" type veth peer name "s$i" netns "$S" || return 1
		ip -n "$S" link set "s$i" master br0 up
	done
	ip link add p0 netns "$P" type veth peer name sp netns "$S" || return 1
	ip -n "$S" link set sp master br0 up
	ip -n "$P" link set p0 up
}

# map_dump NS MAP [BOND]: bpftool's JSON dump of one of the bond's maps. A map
# that cannot be read fails loudly (a message and exit 2): "could not read"
# must never look like "false".
map_dump() {
	local out
	if ! out=$(bpftool map dump pinned "$(pin_dir "$1" "${3:-xbond0}")/$2" 2>&1); then
		echo "cannot read map $2 of bond ${3:-xbond0} in $1: $out" >&2
		return 2
	fi
	printf '%s\n' "$out"
}

# map_query NS MAP BOND FILTER: jq FILTER over the dump; fails on a missing value.
map_query() {
	local dump
	dump=$(map_dump "$1" "$2" "$3") || return 2
	jq -e "$4" <<<"$dump" || { echo "no value for $4 in map $2 of $1" >&2; return 2; }
}

# Sum of one per-member counter (rx_packets, tx_packets, ...) over CPUs.
member_stat() { # NS SLOT FIELD [BOND]
	map_query "$1" xbond_mstats "${4:-xbond0}" \
		"[.[] | select(.key == $2) | .values[].value.$3] | add"
}

counter() { # NS INDEX [BOND]
	map_query "$1" xbond_counters "${3:-xbond0}" \
		"[.[] | select(.key == $2) | .values[].value] | add"
}

# A member's XBOND_MEMBER_* flags.
member_flags() { # NS SLOT [BOND]
	map_query "$1" xbond_members "${3:-xbond0}" ".[] | select(.key == $2) | .value.flags"
}

# usable / unusable NS SLOT [BOND]: whether the data plane may use the member,
# as xbond_member_usable() says. Both fail (exit 2) if the map cannot be read.
usable() {
	local f
	f=$(member_flags "$@") || return 2
	(( (f & XBOND_MEMBER_CARRIER) && (f & XBOND_MEMBER_ADMIN_UP) &&
	   !(f & XBOND_MEMBER_ARP_DOWN) ))
}
unusable() {
	local f
	f=$(member_flags "$@") || return 2
	! (( (f & XBOND_MEMBER_CARRIER) && (f & XBOND_MEMBER_ADMIN_UP) &&
	     !(f & XBOND_MEMBER_ARP_DOWN) ))
}

# The live config, as bpftool prints it.
live_config() { # NS [BOND]
	local slot
	slot=$(map_query "$1" xbond_slot "${2:-xbond0}" '.[0].value') || return 2
	map_query "$1" xbond_config "${2:-xbond0}" ".[] | select(.key == $slot) | .value"
}

# live_field NS FIELD [BOND]: one field of the live config (n_tx, active, ...).
live_field() {
	local cfg
	cfg=$(live_config "$1" "${3:-xbond0}") || return 2
	jq -e ".$2" <<<"$cfg"
}

# The log of a bond's monitor.
mon_log() { # NS [BOND]
	cat "/run/xbond/$(stat -L -c %i "/run/netns/$1")/${2:-xbond0}.log"
}

# monitor_pid NS [ROLE] [BOND]: the pid of the bond's monitor worker (ROLE
# worker, the default) or guard (ROLE pid), if that process is alive. Its pid
# file is not locked here: a probe must not stand in a starting monitor's way.
monitor_pid() {
	local pid
	pid=$(cat "/run/xbond/$(stat -L -c %i "/run/netns/$1")/${3:-xbond0}.${2:-worker}" \
		2>/dev/null) || return 1
	[[ $pid =~ ^[0-9]+$ ]] && [[ $(cat "/proc/$pid/comm" 2>/dev/null) == xbond* ]] &&
		echo "$pid"
}

# link_state NS [ifindex]: every link's facts (its ifindex too if asked), its
# disable_ipv6, qdiscs and tc filters, as text: the same text is the same
# links. A link never up has root qdisc "noop", and the kernel gives it
# "noqueue" for good when it first goes up: those do not count.
link_state() {
	local ns=$1 link keys='ifname, address, mtu, flags, xdp, master'
	[ "${2:-}" = ifindex ] && keys="ifname, ifindex, ${keys#ifname, }"
	ip -n "$ns" -j link show | jq -c ".[] | {$keys}"
	for link in $(ip -n "$ns" -j link show | jq -r '.[].ifname'); do
		echo "# $link: disable_ipv6, qdiscs, filters"
		ip netns exec "$ns" sysctl -n "net.ipv6.conf.$link.disable_ipv6" 2>&1
		tc -n "$ns" -j qdisc show dev "$link" |
			jq -c '[.[] | select(.kind != "noqueue" and .kind != "noop")]'
		tc -n "$ns" -j filter show dev "$link" ingress
		tc -n "$ns" -j filter show dev "$link" egress
	done
}

# kill_monitor NS [BOND]: kill -9 both of a bond's monitor processes at once.
# They are stopped first: neither may see the other die and bring it back.
# Returns once both are dead: their pid files' locks are free again (a
# killed process lets go of them a moment after kill returns).
kill_monitor() {
	local pids dir f
	pids=$(monitor_pid "$1" pid "${2:-xbond0}"; monitor_pid "$1" worker "${2:-xbond0}")
	kill -STOP $pids && kill -9 $pids
	dir=/run/xbond/$(stat -L -c %i "/run/netns/$1")
	for f in "$dir/${2:-xbond0}.pid" "$dir/${2:-xbond0}.worker"; do
		wait_for 2 flock -n "$f" true || { echo "kill_monitor: $f still locked" >&2; return 1; }
	done
}

# Program ids attached in a namespace, one line, for before/after comparisons.
prog_ids() { ip netns exec "$1" bpftool net -j | jq -c '[.[] | (.xdp, .tc)[]? | .id] | sort'; }

now_ms() { echo $(($(date +%s%N) / 1000000)); }

# ping_gaps FILE: "lost longest_run sent" from a ping's output (its replies'
# seqs and summary); "From ... icmp_seq=N Destination Host Unreachable" is no reply.
ping_gaps() {
	awk '/bytes from .*icmp_seq=/ { if (match($0, /icmp_seq=[0-9]+/)) got[substr($0, RSTART + 9, RLENGTH - 9) + 0] = 1 }
	     /packets transmitted/ { sent = $1; rcvd = $4 }
	     END { for (s = 1; s <= sent; s++) { run = (s in got) ? 0 : run + 1; if (run > max) max = run }
		   print sent - rcvd, max + 0, sent + 0 }' "$1"
}

# lost_pings NS DST COUNT INTERVAL DELAY CMD...: ping DST from NS COUNT times,
# every INTERVAL s, and DELAY s in run CMD (its output goes to stderr). Echoes
# "LOST SENT" once the ping is done; no ping output at all counts as all lost.
lost_pings() {
	local ns=$1 dst=$2 count=$3 interval=$4 delay=$5 out pid sent received
	shift 5
	out=$(mktemp)
	ip netns exec "$ns" ping -q -i "$interval" -c "$count" -W 1 "$dst" >"$out" 2>&1 &
	pid=$!
	sleep "$delay"
	"$@" >&2
	wait $pid
	read -r sent received < <(awk '/packets transmitted/ { print $1, $4 }' "$out")
	rm -f "$out"
	[ -n "$sent" ] || { echo "ping to $dst from $ns printed nothing" >&2; sent=$count received=0; }
	echo "$((sent - received)) $sent"
}

# ping_loss NS ARGS...: run ping, echo "sent received".
ping_counts() {
	local ns=$1
	shift
	ip netns exec "$ns" ping -q "$@" 2>/dev/null |
		awk '/packets transmitted/ { print $1, $4 }'
}

# iperf3_run SERVER_NS SERVER_IP CLIENT_NS ARGS...: echo bits/s received.
iperf3_run() {
	local sns=$1 sip=$2 cns=$3 port=$((5201 + RANDOM % 1000))
	shift 3
	ip netns exec "$sns" iperf3 -s -1 -p $port -B "$sip" --logfile /dev/null &
	local spid=$!
	wait_for 5 ip netns exec "$sns" sh -c "ss -ltn | grep -q :$port" || return 1
	ip netns exec "$cns" iperf3 -c "$sip" -p $port -J "$@" 2>/dev/null |
		jq '.end.sum_received.bits_per_second // 0'
	wait $spid 2>/dev/null
}
