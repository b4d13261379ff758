#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs INSIDE the peer guest (bench/peer/runvm.sh, started by test-peer.sh):
# xbond on one side and the guest kernel's bonding driver on the other,
# cabled back to back, must talk to each other in active-backup,
# balance-xor and 802.3ad: ping, traffic over both members, a pulled link
# that leaves traffic going; in 802.3ad also the aggregation as both ends
# report it, and xbond's live switch into 802.3ad and out of it. Prints one
# "TEST: name [ OK ]" or "[FAIL]" line per check; test-peer.sh counts them.
#
#   A:  xb0 10.79.0.1 [a0 a1]      xbond (xbondload --netns A)
#                      |  |        veth, cabled straight: no switch
#   B:  bond0 10.79.0.2 [b0 b1]    the kernel's bonding driver, miimon 50;
#                                  802.3ad: lacp_rate fast miimon 100
#
# Usage: guest-test.sh [--only ab,xor,lacp] [--passive]
#   --passive: both 802.3ad ends passive (xbond --lacp-active off, the kernel
#   lacp_active off), so that nothing aggregates: every 802.3ad check after
#   the set-up must then fail. It shows that those checks can.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/guest-lib.sh"

A_IP=10.79.0.1 B_IP=10.79.0.2
FAILED=0
SCRATCH=
ONLY=ab,xor,lacp
# The two 802.3ad ends: the kernel's whole bond, xbond's LACP options.
KB_LACP=(mode 802.3ad lacp_rate fast miimon 100 xmit_hash_policy layer3+4)
XB_LACP=(--lacp-rate fast)

pass() { printf 'TEST: %-66s [ OK ]\n' "$1"; }
fail() { printf 'TEST: %-66s [FAIL]\n' "$1"; shift; [ $# -gt 0 ] && printf '    %s\n' "$@"; FAILED=1; }

# check NAME CMD...: pass if CMD succeeds; returns as CMD did. CMD runs in a
# subshell: what it sets is lost.
check() {
	local name=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$name"
	else
		fail "$name" "$(tail -3 <<<"$out")"
		return 1
	fi
}

cleanup() {
	ns_cleanup
	[ -n "$SCRATCH" ] && rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# pair MODE [KERNEL_MODE]: A's xbond in MODE and B's kernel bond in
# KERNEL_MODE (default MODE) over a0-b0 and a1-b1. The kernel bond comes up
# first, so that xbond's members come up to a partner that is there.
pair() {
	local mode=$1 kmode=${2:-$1} hash=layer3+4 i kargs
	ns_cleanup
	make_ns A a && make_ns B b || return 1
	for i in 0 1; do
		ip link add "a$i" netns "$A" type veth peer name "b$i" netns "$B" || return 1
	done
	kargs=(mode "$kmode" miimon 50 xmit_hash_policy $hash)
	[ "$kmode" = 802.3ad ] && kargs=("${KB_LACP[@]}")
	ip -n "$B" link add bond0 type bond "${kargs[@]}" || return 1
	[ "$kmode" = active-backup ] && ip -n "$B" link set bond0 type bond primary b0
	ip -n "$B" link set b0 master bond0 && ip -n "$B" link set b1 master bond0 || return 1
	ip -n "$B" addr add $B_IP/24 dev bond0 && ip -n "$B" link set bond0 up || return 1
	local args=(--netns "$A" --ifaces a0,a1 --name xb0 --mode "$mode" --hash $hash)
	[ "$mode" = active-backup ] && args+=(--primary a0)
	[ "$mode" = 802.3ad ] && args+=("${XB_LACP[@]}")
	# 802.3ad on both: the kernel's state from before xbond starts.
	[ "$mode$kmode" = 802.3ad802.3ad ] && kwatch_start "$B" "$SCRATCH/kwatch"
	"$XBONDLOAD" "${args[@]}" || return 1
	stamp PAIR_T0
	ip -n "$A" addr add $A_IP/24 dev xb0
}

# up NAME MODE [KERNEL_MODE]: pair, in this shell (check runs its command in
# a subshell, and pair sets A and B).
up() {
	if pair "$2" "${3:-}" >"$SCRATCH/pair.log" 2>&1; then
		pass "$1"
	else
		fail "$1" "$(tail -3 "$SCRATCH/pair.log")"
		return 1
	fi
}

ping_ok() { ip netns exec "$A" ping -c 3 -i 0.2 -W 1 $B_IP; }

# iperf8 SERVER_NS CLIENT_NS DST: 8 TCP flows for 2 s, client to server.
iperf8() {
	local server=$1 client=$2 dst=$3 port=$((5201 + RANDOM % 500)) spid rc
	ip netns exec "$server" iperf3 -s -1 -p $port >/dev/null 2>&1 &
	spid=$!
	wait_for 5 sh -c "ip netns exec $server ss -Hltn 'sport = :$port' | grep -q ."
	ip netns exec "$client" timeout 20 iperf3 -c "$dst" -p $port -t 2 -P 8 >/dev/null 2>&1
	rc=$?
	# A server that never saw its client would wait for one forever.
	[ $rc -eq 0 ] || kill $spid 2>/dev/null
	wait $spid 2>/dev/null
	return $rc
}

# both_carry NS DIR BEFORE_0 BEFORE_1 M0 M1: each member moved at least a tenth
# of what the two moved together (DIR tx or rx).
both_carry() {
	local ns=$1 dir=$2 d0 d1
	d0=$(($(${dir}_bytes "$ns" "$5") - $3))
	d1=$(($(${dir}_bytes "$ns" "$6") - $4))
	echo "$5 $d0 bytes, $6 $d1 bytes"
	[ $((d0 + d1)) -gt 1000000 ] && [ $((d0 * 10)) -ge $((d0 + d1)) ] && [ $((d1 * 10)) -ge $((d0 + d1)) ]
}

# pulled_link NAME PULL RESTORE [CHECK_NAME CHECK_CMD]: 5 ms pings A -> B for
# 3 s, PULL at 1 s; passes when pings still get through after the pull and at
# most 300 ms of them were lost. CHECK_CMD runs while the link is still out,
# then RESTORE puts it back.
pulled_link() {
	local name=$1 pull=$2 restore=$3 out=$SCRATCH/ping sent received lost
	ip netns exec "$A" ping -q -i 0.005 -w 3 -W 1 $B_IP >"$out" 2>&1 &
	local pid=$!
	sleep 1
	eval "$pull"
	wait $pid
	read -r sent received < <(awk '/packets transmitted/ { print $1, $4 }' "$out")
	lost=$((${sent:-0} - ${received:-0}))
	if [ -n "${sent:-}" ] && [ "$lost" -le 60 ] && ping_ok >/dev/null 2>&1; then
		pass "$name: $lost of $sent 5 ms pings lost"
	else
		fail "$name: ${lost:-?} of ${sent:-?} 5 ms pings lost" "$(tail -2 "$out")"
	fi
	[ $# -ge 5 ] && check "$4" $5
	eval "$restore"
	check "${name%%:*}: the link back, ping" wait_for 5 ping_ok
}

# on_link N: xbond's and the kernel's active members are both link N.
on_link() {
	[ "$("$XBONDCTL" --netns "$A" -j status xb0 | jq -r .active_member)" = "a$1" ] &&
		ip netns exec "$B" grep -q "^Currently Active Slave: b$1" /proc/net/bonding/bond0
}
on_link1() { on_link 1; }

test_active_backup() {
	local m=active-backup
	up "$m: xbond and the kernel bond come up" $m || return
	check "$m: ping xbond -> kernel bond" wait_for 10 ping_ok
	check "$m: both use link 0 (a0 and b0 active)" wait_for 3 on_link 0
	pulled_link "$m: kernel side pulls link 0 (b0 down)" \
		"ip -n $B link set b0 down" "ip -n $B link set b0 up" \
		"$m: both moved to link 1" on_link1
	check "$m: both back on link 0, the primary" wait_for 5 on_link 0
}

test_balance_xor() {
	local m=balance-xor t0 t1 out
	up "$m: xbond and the kernel bond come up" $m || return
	check "$m: ping xbond -> kernel bond" wait_for 10 ping_ok
	t0=$(tx_bytes "$A" a0) t1=$(tx_bytes "$A" a1)
	check "$m: 8 TCP flows xbond -> kernel bond" iperf8 "$B" "$A" $B_IP
	check "$m: xbond sends on both members" both_carry "$A" tx "$t0" "$t1" a0 a1
	t0=$(tx_bytes "$B" b0) t1=$(tx_bytes "$B" b1)
	local r0 r1
	r0=$(rx_bytes "$A" a0) r1=$(rx_bytes "$A" a1)
	check "$m: 8 TCP flows kernel bond -> xbond" iperf8 "$A" "$B" $A_IP
	check "$m: the kernel bond sends on both members" both_carry "$B" tx "$t0" "$t1" b0 b1
	check "$m: xbond receives on both members" both_carry "$A" rx "$r0" "$r1" a0 a1
	pulled_link "$m: xbond side pulls link 1 (a1 down)" \
		"ip -n $A link set a1 down" "ip -n $A link set a1 up"
	check "$m: 8 TCP flows after the link came back" iperf8 "$B" "$A" $B_IP
}

# --- 802.3ad ---------------------------------------------------------------


# kwatch_when FILE T0_NS COND: ms after T0 of the first state at or after T0
# where the awk condition COND holds (KAWK's functions; X: xbond's system
# MAC); 0 if it held at T0 already, empty if never, or if the watcher was
# not looking yet at T0.
kwatch_when() {
	awk -v t0="$2" -v X="$(xbond_sysmac)" "$KAWK"'
		NR == 1 && $1 > t0 / 1e9 { exit }
		$1 < t0 / 1e9 { held = ('"$3"'); next }
		held { print 0; exit }
		'"$3"' { print since(t0); exit }' "$1"
}

# kwatch_show FILE T0_NS [N]: the last N states (8), times in ms after T0.
kwatch_show() {
	awk -v t0="$2" "$KAWK"'{ $1 = sprintf("%+7d ms:", since(t0)); print "    " $0 }' "$1" | tail -"${3:-8}"
}

xstatus() { "$XBONDCTL" --netns "$A" -j status xb0; }

# xbond_lacp: xbond's 802.3ad state on one line: the active aggregator, and
# per member selection/rx state/mux state, the data plane's flags and the
# LACPDUs sent/received.
xbond_lacp() {
	xstatus | jq -r '(."802.3ad_info".active_aggregator_info // {}) as $a |
		"mode \(.mode) agg \($a.aggregator_id) ports \($a.number_of_ports) partner \($a.partner_mac_address)" +
		([.member_list[] | " \(.member) \(.selection)/\(.rx_state)/\(.mux_state)" +
			" col=\(.collecting) dist=\(.distributing) pdu=\(.lacpdu_sent)/\(.lacpdu_received)"] | join(""))'
}

# xbond's system MAC, remembered: the bond's MAC, which outlives the mode.
xbond_sysmac() {
	[ -n "${XB_SYSMAC:-}" ] || XB_SYSMAC=$(xstatus | jq -r '."802.3ad_info".system_mac_address // .mac')
	echo "$XB_SYSMAC"
}
kernel_sysmac() { ip netns exec "$B" sed -n 's/^System MAC address: //p' /proc/net/bonding/bond0; }

# kernel_aggregated N: in /proc/net/bonding/bond0, the kernel's active
# aggregator has N ports, its partner is xbond's system, and N slaves are in
# it, up, with sync, collecting and distributing on both ends.
kernel_aggregated() {
	local k x
	k=$(kstate_of "$B") x=$(xbond_sysmac)
	echo "kernel: $k; xbond's system: $x"
	awk -v want="$1" -v X="$x" "$KAWK"'{ exit !($5 == want && $7 == X && X != "" && dist($9) + dist($11) == want) }' <<<"- $k"
}

# xbond_aggregated N: N of xbond's members selected, collecting and
# distributing (mux state and the data plane's flags), in one aggregator of
# N ports whose partner is the kernel bond's system.
xbond_aggregated() {
	local k
	k=$(kernel_sysmac)
	echo "xbond: $(xbond_lacp); kernel's system: $k"
	xstatus | jq -e --argjson n "$1" --arg k "$k" '
		."802.3ad_info".active_aggregator_info as $a |
		[.member_list[] | select(.selection == "selected" and .mux_state == "distributing" and
			.collecting == "yes" and .distributing == "yes")] | length == $n and
		$a.number_of_ports == $n and $a.partner_mac_address == $k and $k != ""' >/dev/null
}

both_aggregated() { kernel_aggregated "$1" && xbond_aggregated "$1"; }

# lacp_diag: what both ends say, and the monitor's last words, under a
# failed check.
lacp_diag() {
	local ino log
	printf '    %s\n' "xbond:  $(xbond_lacp 2>&1)" "kernel: $(kstate_of "$B" 2>&1)"
	ino=$(stat -L -c %i "/run/netns/$A" 2>/dev/null)
	log=/run/xbond/$ino/xb0.log
	[ -f "$log" ] && tail -4 "$log" | sed 's/^/    monitor: /'
}

# check_state NAME SECONDS CMD...: pass when CMD succeeds within SECONDS;
# else fail with what CMD says (it echoes the state it looked at).
check_state() {
	local name=$1 secs=$2
	shift 2
	if wait_for "$secs" "$@"; then
		pass "$name"
	else
		fail "$name" "$("$@" 2>&1 | tail -2)"
		lacp_diag
		return 1
	fi
}

# ping_bg FILE INTERVAL COUNT: timestamped pings A -> B in the background
# (PING_PID), at real-time priority as the bench's measuring programs.
ping_bg() {
	ip netns exec "$A" chrt -f 1 ping -n -D -i "$2" -c "$3" -W 1 $B_IP >"$1" 2>&1 &
	PING_PID=$!
}
ping_wait() { wait "$PING_PID"; }
ping_kill() { kill "$PING_PID" 2>/dev/null; wait "$PING_PID" 2>/dev/null; }

# ping_stats FILE [FROM_NS [TO_NS]]: from ping -D output, "sent received
# lost gap_ms end_ms first_ms lost_after": lost, the requests never
# answered, lost_after those of them sent after the last reply before FROM
# (all if none); gap, the
# longest time without a reply between FROM (or the first reply) and TO (or
# the last reply), counted from the last reply before FROM if there was one;
# end, when that gap ended, and first, when the first reply at or after FROM
# came, in ms after FROM (-1: none).
ping_stats() {
	awk -v from="${2:-0}" -v to="${3:-0}" '
	/ bytes from .*icmp_seq=/ {		# a reply, not "Destination Host Unreachable"
		match($0, /icmp_seq=[0-9]+/); s = substr($0, RSTART + 9, RLENGTH - 9) + 0
		if (!(s in got)) { got[s] = substr($1, 2, length($1) - 2) * 1000; n++ }
		if (s > hi) hi = s
		next
	}
	/packets transmitted/ { tx = $1 }
	END {
		from /= 1e6; to /= 1e6; prev = -1; gap = 0; gend = -1; first = -1
		for (s = 1; s <= hi; s++) {
			if (!(s in got)) continue
			ts = got[s]
			if (ts < from) { prev = ts; before = s; continue }
			if (to && ts > to) { ts = to; last = 1 }
			if (first < 0) first = ts - from
			start = prev >= 0 ? prev : from ? from : ts
			if (ts - start > gap) { gap = ts - start; gend = ts - from }
			prev = ts
			if (last) break
		}
		if (to && prev >= 0 && prev < to && to - prev > gap) { gap = to - prev; gend = to - from }
		for (s = before + 1; s <= tx; s++) if (!(s in got)) after++
		printf "%d %d %d %.0f %.0f %.0f %d\n", tx, n, tx - n, gap, gend, first, after
	}' "$1"
}

tx_packets() { ip -n "$1" -s -j link show "$2" | jq '.[0].stats64.tx.packets'; }

# busier NS DEV0 DEV1 BEFORE0 BEFORE1: "N d0 d1": which of the two sent more
# packets since BEFORE (0 or 1), and how many each did.
busier() {
	local d0 d1
	d0=$(($(tx_packets "$1" "$2") - $4)) d1=$(($(tx_packets "$1" "$3") - $5))
	if [ $d0 -ge $d1 ]; then echo "0 $d0 $d1"; else echo "1 $d0 $d1"; fi
}

sleep_until_ms() { # T0_NS MS
	local left=$(($1 / 1000 + $2 * 1000 - ${EPOCHREALTIME/./}))
	((left > 0)) && sleep "$((left / 1000000)).$(printf '%06d' $((left % 1000000)))"
	return 0
}

# xbond's monitor's log lines with EVENT, the times in ms after T0_NS.
xlog_since() { # T0_NS EVENT
	local ino log
	ino=$(stat -L -c %i "/run/netns/$A") log=/run/xbond/$ino/xb0.log
	grep -F " $2 " "$log" 2>/dev/null | while read -r when rest; do
		echo "+$((($(date -d "$when" +%s%N) - $1) / 1000000)) ms ${rest#*: }"
	done | awk '$1 !~ /^\+-/'
}

AGG2='$5 == 2 && $7 == X && dist($9) && dist($11)'

test_8023ad() {
	local m=802.3ad t0 ms st watch=$SCRATCH/kwatch out=$SCRATCH/lacp-ping
	XB_SYSMAC=
	up "$m: xbond and the kernel bond (lacp_rate fast) come up" 802.3ad || return
	# From the moment both are up (pair watches the kernel's state since
	# before), pings every 10 ms; the ARP request before the first one
	# retries every 1 s.
	t0=$PAIR_T0
	ping_bg "$out" 0.01 1000
	wait_for 10 kernel_aggregated 2
	kwatch_stop
	ping_kill
	ms=$(kwatch_when "$watch" "$t0" "$AGG2")
	if [ -n "$ms" ]; then
		pass "$m: both ends distribute on both links, $ms ms after both are up"
	else
		fail "$m: both ends distribute on both links within 10 s"
		kwatch_show "$watch" "$t0"
	fi
	xlog_since "$t0" "lacp distributing" | sed 's/^/    xbond log: /'
	read -r -a st < <(ping_stats "$out" "$t0")
	if [ "${st[1]:-0}" -gt 0 ]; then
		pass "$m: first ping ${st[5]} ms after both are up"
	else
		fail "$m: a ping within 10 s" "$(tail -2 "$out")"
	fi
	check_state "$m: kernel: b0, b1 in the active aggregator, partner xbond" 5 kernel_aggregated 2
	check_state "$m: xbond: a0, a1 distributing, partner the kernel bond" 5 xbond_aggregated 2
	if ! check "$m: ping xbond -> kernel bond" wait_for 5 ping_ok; then
		echo "    no ping: the traffic and pulled-link checks of 802.3ad are left out"
		return
	fi

	local t1 r0 r1
	t0=$(tx_bytes "$A" a0) t1=$(tx_bytes "$A" a1)
	check "$m: 8 TCP flows xbond -> kernel bond" iperf8 "$B" "$A" $B_IP
	check "$m: xbond sends on both members" both_carry "$A" tx "$t0" "$t1" a0 a1
	t0=$(tx_bytes "$B" b0) t1=$(tx_bytes "$B" b1)
	r0=$(rx_bytes "$A" a0) r1=$(rx_bytes "$A" a1)
	check "$m: 8 TCP flows kernel bond -> xbond" iperf8 "$A" "$B" $A_IP
	check "$m: the kernel bond sends on both members" both_carry "$B" tx "$t0" "$t1" b0 b1
	check "$m: xbond receives on both members" both_carry "$A" rx "$r0" "$r1" a0 a1
	lacp_pull
}

# lacp_pull: 1 ms pings A -> B; 1 s in, the kernel side pulls the link that
# carries xbond's requests (b<N> down: a<N> loses carrier). Both ends must
# go on over the other link alone, and take the link back once it is up.
lacp_pull() {
	local m=802.3ad out=$SCRATCH/pull-ping watch=$SCRATCH/kwatch st p0 p1 q0 q1 req rep n t0 ms
	p0=$(tx_packets "$A" a0) p1=$(tx_packets "$A" a1)
	q0=$(tx_packets "$B" b0) q1=$(tx_packets "$B" b1)
	ping_bg "$out" 0.001 3000
	sleep 1
	read -r -a req < <(busier "$A" a0 a1 "$p0" "$p1")
	read -r -a rep < <(busier "$B" b0 b1 "$q0" "$q1")
	n=${req[0]}
	ip -n "$B" link set "b$n" down
	ping_wait
	read -r -a st < <(ping_stats "$out")
	local what="requests on link $n (a0/a1 +${req[1]}/+${req[2]} packets), replies on link ${rep[0]}"
	# The requests must have gone one way, else the pull proves little.
	if [ "${st[0]:-0}" -gt 0 ] && [ "${st[2]}" -le 20 ] && [ $((req[1 + n])) -gt $((2 * req[2 - n])) ]; then
		pass "$m: link $n (the requests') pulled: ${st[2]} of ${st[0]} 1 ms pings lost"
	else
		fail "$m: link $n (the requests') pulled: ${st[2]:-?} of ${st[0]:-?} 1 ms pings lost (at most 20)" \
			"$what" "$(tail -2 "$out")"
	fi
	echo "    $what; longest gap between replies ${st[3]:-?} ms"
	check_state "$m: link $n out: kernel and xbond go on with the other alone" 5 both_aggregated 1
	check "$m: link $n out: ping" ping_ok
	kwatch_start "$B" "$watch"
	stamp t0
	ip -n "$B" link set "b$n" up
	wait_for 15 kernel_aggregated 2
	kwatch_stop
	ms=$(kwatch_when "$watch" "$t0" "$AGG2")
	if [ -n "$ms" ]; then
		pass "$m: link $n back: both ends distribute on it again after $ms ms"
	else
		fail "$m: link $n back: both ends distribute on it within 15 s"
		kwatch_show "$watch" "$t0"
		lacp_diag
	fi
	check_state "$m: link $n back: xbond: a0, a1 distributing" 5 xbond_aggregated 2
}

# A live switch of xbond into 802.3ad and back out, the kernel bond in
# 802.3ad all along, with 5 ms pings across each switch.
test_8023ad_switch() {
	local m=802.3ad ts st out=$SCRATCH/sw-ping watch=$SCRATCH/kwatch before ms k
	XB_SYSMAC=
	up "live switch: xbond balance-xor, the kernel bond 802.3ad, come up" balance-xor 802.3ad || return
	# Static neighbours both ways: whether a ping passes is then the bonds'
	# doing alone, not that of an ARP exchange and its 1 s retries.
	ip -n "$A" neigh replace $B_IP dev xb0 nud permanent lladdr \
		"$(ip -n "$B" -j link show bond0 | jq -r '.[0].address')" &&
		ip -n "$B" neigh replace $A_IP dev bond0 nud permanent lladdr \
			"$(ip -n "$A" -j link show xb0 | jq -r '.[0].address')" ||
		fail "live switch: static neighbours"
	# Before: the kernel has no partner, and takes one port as its
	# aggregator: pings pass if xbond's hash sends them on that one.
	echo "    before the switch, the kernel: $(kstate_of "$B")"
	ping_bg "$out" 0.005 1200
	kwatch_start "$B" "$watch"
	sleep 1
	stamp ts
	"$XBONDLOAD" --netns "$A" --name xb0 --mode 802.3ad "${XB_LACP[@]}" >"$SCRATCH/sw.log" 2>&1 ||
		fail "live switch into 802.3ad: xbondload" "$(tail -2 "$SCRATCH/sw.log")"
	wait_for 10 kernel_aggregated 2
	ping_wait
	kwatch_stop
	before=$(awk -v t="$ts" '/ bytes from / { x = substr($1, 2, length($1) - 2) * 1e9
		if (x < t && x >= t - 1e9) n++ } END { print n + 0 }' "$out")
	echo "    the second before the switch: $before replies to 5 ms pings (balance-xor against 802.3ad)"
	ms=$(kwatch_when "$watch" "$ts" "$AGG2")
	if [ -n "$ms" ]; then
		pass "live switch into 802.3ad: both ends distribute on both, after $ms ms"
	else
		fail "live switch into 802.3ad: both ends distribute on both within 10 s"
		kwatch_show "$watch" "$ts"
		lacp_diag
	fi
	xlog_since "$ts" "lacp distributing" | sed 's/^/    xbond log: /'
	read -r -a st < <(ping_stats "$out" "$ts")
	if [ "${st[1]:-0}" -gt 0 ] && [ "${st[4]:--1}" -ge 0 ] && [ "${st[4]}" -le 5000 ] && ping_ok >/dev/null 2>&1; then
		pass "live switch into 802.3ad: pings pass again ${st[4]} ms after it"
	else
		fail "live switch into 802.3ad: pings pass again within 5 s" "$(tail -2 "$out")"
	fi
	echo "    longest gap between replies ${st[3]:-?} ms; ${st[6]:-?} 5 ms pings lost after the switch"
	check_state "live switch into 802.3ad: xbond: a0, a1 distributing" 5 xbond_aggregated 2

	# Out: xbond sends on both members at once and stops its LACPDUs; the
	# kernel keeps xbond's word for 3 s (it asked for fast LACPDUs), then
	# expires it, and 3 s later defaults to no partner: one port again.
	ping_bg "$out" 0.005 2000
	kwatch_start "$B" "$watch"
	sleep 1
	stamp ts
	"$XBONDLOAD" --netns "$A" --name xb0 --mode balance-xor >"$SCRATCH/sw.log" 2>&1 ||
		fail "live switch out of 802.3ad: xbondload" "$(tail -2 "$SCRATCH/sw.log")"
	ping_wait
	sleep_until_ms "$ts" 8500
	kwatch_stop
	echo "    the kernel's 802.3ad state from the switch on:"
	kwatch_show "$watch" "$ts" 10
	read -r -a st < <(ping_stats "$out" "$ts" $((ts + 2500000000)))
	if [ "${st[3]:-9999}" -le 200 ]; then
		pass "live switch out of 802.3ad: pings pass until the kernel's timeout"
	else
		fail "live switch out of 802.3ad: pings pass until the kernel's timeout" \
			"longest gap between replies in the first 2.5 s: ${st[3]:-?} ms"
	fi
	# The first moment a slave is no longer distributing with xbond.
	ms=$(kwatch_when "$watch" "$ts" '!dist($9) || !dist($11)')
	if [ -n "$ms" ] && [ "$ms" -ge 2500 ] && [ "$ms" -le 4500 ]; then
		pass "live switch out of 802.3ad: the kernel times xbond out after $ms ms"
	else
		fail "live switch out of 802.3ad: the kernel times xbond out after 3 s (${ms:-never} ms)"
	fi
	read -r -a st < <(ping_stats "$out" "$ts" $((ts + 8500000000)))
	echo "    pings: ${st[6]:-?} lost after the switch; in its first 8.5 s the longest gap ${st[3]:-?} ms, ending ${st[4]:-?} ms after it"
	lacp_after_timeout
}

# After the kernel's timeout, with no partner, it forwards on one port (its
# active aggregator, partner 00:00:00:00:00:00): pings pass exactly when
# xbond's balance-xor hash puts them on that port.
lacp_after_timeout() {
	local n="live switch out of 802.3ad" k p0 p1 req port ok=fail
	k=$(kstate_of "$B")
	p0=$(tx_packets "$A" a0) p1=$(tx_packets "$A" a1)
	ip netns exec "$A" ping -c 20 -i 0.01 -W 1 $B_IP >/dev/null 2>&1 && ok=pass
	read -r -a req < <(busier "$A" a0 a1 "$p0" "$p1")
	port=$(awk '{ for (i = 7; i < NF; i += 2) if (substr($(i + 1), 1, length($2) + 1) == $2 "/") print substr($i, 2) }' <<<"$k")
	echo "    kernel after the timeout: $k"
	echo "    pings after it: $ok, xbond sending them on link ${req[0]} (a0/a1 +${req[1]}/+${req[2]} packets)"
	if awk '{ exit !($6 == "00:00:00:00:00:00" && $4 == 1) }' <<<"$k" &&
		[ "$([ "$port" = "${req[0]}" ] && echo pass || echo fail)" = $ok ]; then
		pass "$n: kernel alone on link ${port:-?}, pings $ok (they go on link ${req[0]})"
	else
		fail "$n: kernel alone on one link, pings pass only if they go on it" \
			"kernel: $k; pings $ok on link ${req[0]}"
	fi
}

main() {
	while [ $# -gt 0 ]; do
		case $1 in
		--only) ONLY=${2:-}; shift 2 ;;
		--passive) KB_LACP+=(lacp_active off) XB_LACP+=(--lacp-active off); shift ;;
		*) die "usage: guest-test.sh [--only ab,xor,lacp] [--passive]" ;;
		esac
	done
	guest_setup
	SCRATCH=$(mktemp -d /tmp/peer-test.XXXXXX) || die "mktemp failed"
	log "xbond against the kernel's bonding driver ($(uname -r)), back to back"
	[[ ,$ONLY, == *,ab,* ]] && test_active_backup
	[[ ,$ONLY, == *,xor,* ]] && test_balance_xor
	if [[ ,$ONLY, == *,lacp,* ]]; then
		test_8023ad
		test_8023ad_switch
	fi
	return $FAILED
}

main "$@"
