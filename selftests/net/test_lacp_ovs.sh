#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# xbond in 802.3ad against Open vSwitch as an independent LACP partner (a
# balance-tcp bond on the userspace datapath, selftests/ovs.sh). Each scenario
# creates both bonds afresh, from links down as from boot:
#   1. both active and fast: aggregation (xbond collecting and distributing,
#      OVS current attached and enabled), many flows spread over both members
#      both ways, a pulled link leaves the other carrying a 1 ms ping, and the
#      link rejoins when restored;
#   2. xbond passive against OVS active: aggregates;
#   3. both slow: aggregates at once, not after a 30 s period;
#   4. --min-links 2: carrier only with both links in the aggregate;
#   5. both passive: nothing aggregates, until OVS turns active.
# Prints the aggregation time (xbondload to OVS attached and enabled) and the
# ping lost to a pulled link, for the record; asserts only loose bounds.
#
#   A: xbond0 10.81.0.1 [a0 a1] ====== [b0 b1] bond0 (OVS br0) ipb 10.81.0.2 :B
. "$(dirname "$0")/../lib.sh"
. "$TOP/selftests/ovs.sh"

if ! command -v ovs-vswitchd >/dev/null; then
	skip "xbond against OVS: openvswitch-switch is not installed"
	exit 0
fi
for t in iperf3 jq; do
	command -v $t >/dev/null || { skip "xbond against OVS: $t is not installed"; exit 0; }
done

IP_A=10.81.0.1 IP_B=10.81.0.2
PINGLOG=$(mktemp /tmp/test_lacp_ovs.XXXXXX)
# ovs.sh's trap, with our temp file: OVS stops before lib.sh's cleanup deletes its netns.
trap 'rm -f "$PINGLOG"; ovs_stop_all; cleanup' EXIT

# xstatus: xbondctl's status JSON of xbond0 in A; a message and 2 if it cannot be read.
xstatus() {
	local out
	if ! out=$("$XBONDCTL" --netns "$A" --json status xbond0 2>&1) ||
	   ! jq -e '.member_list | length > 0' >/dev/null 2>&1 <<<"$out"; then
		echo "xbondctl: cannot read xbond0 in $A: $(head -1 <<<"$out")" >&2
		return 2
	fi
	printf '%s\n' "$out"
}

# x_field JSON IF FIELD: member IF's FIELD in a status JSON; a message and 2 if missing.
x_field() {
	jq -er --arg m "$2" --arg f "$3" \
		'.member_list[] | select(.member == $m) | .[$f] | if . == null then error else . end' \
		<<<"$1" 2>/dev/null || { echo "xbondctl: no $3 for member $2" >&2; return 2; }
}

# x_dist IF...: 0 iff every IF is collecting and distributing, 1 if not, 2 if unreadable.
x_dist() {
	local json ifn c d rc=0
	json=$(xstatus) || return 2
	for ifn; do
		c=$(x_field "$json" "$ifn" collecting) || return 2
		d=$(x_field "$json" "$ifn" distributing) || return 2
		[ "$c" = yes ] && [ "$d" = yes ] || rc=1
	done
	return $rc
}

# x_nodist IF...: 0 iff no IF is distributing, 1 if one is, 2 if unreadable.
x_nodist() {
	local json ifn d rc=0
	json=$(xstatus) || return 2
	for ifn; do
		d=$(x_field "$json" "$ifn" distributing) || return 2
		[ "$d" = no ] || rc=1
	done
	return $rc
}

# x_any_dist: 0 iff a0 or a1 is collecting and distributing, 1 if neither, 2 if unreadable.
x_any_dist() {
	local rc
	x_dist a0
	rc=$?
	[ $rc -eq 1 ] || return $rc
	x_dist a1
}

# partner_is IF [-]FLAG,...: OVS's view of its partner on member IF has each
# FLAG (activity, synchronized, ...), and none of the -FLAGs; 2 if unreadable.
partner_is() {
	local st p f
	st=$(ovs_member_state "$B" bond0 "$1") || return 2
	p=,${st##* partner=},
	for f in ${2//,/ }; do
		case $f in
		-*) [[ $p != *,${f#-},* ]] || return 1 ;;
		*) [[ $p == *,$f,* ]] || return 1 ;;
		esac
	done
}

# ovs_not RC_CMD ARGS...: the opposite of an ovs_member_* reader, keeping its 2:
# "cannot read OVS" must never pass as "detached" or "disabled".
ovs_not() {
	"$@"
	case $? in
	0) return 1 ;;
	1) return 0 ;;
	*) return 2 ;;
	esac
}

# ovs_all_out: OVS has neither b0 nor b1 attached or enabled; 2 if unreadable.
ovs_all_out() {
	local m
	for m in b0 b1; do
		ovs_not ovs_member_attached "$B" bond0 $m && ovs_not ovs_member_enabled "$B" bond0 $m ||
			return
	done
}

# ready: xbond has both members distributing and OVS both attached and enabled.
ready() { x_dist a0 a1 && ovs_members_ready "$B" bond0 b0 b1; }

# carrier on|off: xbond0 in A has carrier, or shows NO-CARRIER; 2 if there is no xbond0.
carrier() {
	local flags
	flags=$(ip -n "$A" -j link show xbond0 2>/dev/null | jq -er '.[0].flags | join(",")') ||
		{ echo "no xbond0 in $A" >&2; return 2; }
	case $1 in
	on) [[ ,$flags, == *,LOWER_UP,* && ,$flags, != *,NO-CARRIER,* ]] ;;
	off) [[ ,$flags, == *,NO-CARRIER,* ]] ;;
	esac
}

# never_for SECONDS CMD...: CMD does not succeed once in SECONDS (polled every
# 20 ms); 1 as soon as it does, 2 as soon as it cannot tell.
never_for() {
	local deadline=$((SECONDS + $1)) rc
	shift
	while [ $SECONDS -lt $deadline ]; do
		"$@" >/dev/null
		rc=$?
		[ $rc -eq 0 ] && { echo "succeeded: $*" >&2; return 1; }
		[ $rc -eq 2 ] && return 2
		sleep 0.02
	done
}

# diag: both ends' view of every member, and the monitor's last words, for a failure.
diag() {
	local json m
	if json=$(xstatus 2>&1); then
		jq -r '.member_list[] | "A: \(.member) \(.selection) rx=\(.rx_state) mux=\(.mux_state)" +
			" col=\(.collecting) dist=\(.distributing) pdus sent=\(.lacpdu_sent)" +
			" rcvd=\(.lacpdu_received) partner=\(.details_partner_lacp_pdu.port_state_flags | join(","))"' \
			<<<"$json"
	else
		echo "$json"
	fi
	for m in b0 b1; do echo "B: $(ovs_member_state "$B" bond0 $m 2>&1)"; done
	mon_log "$A" 2>&1 | tail -4 | sed 's/^/log: /'
}

# fail_diag NAME: fail, with both ends' state.
fail_diag() {
	local -a lines
	mapfile -t lines < <(diag)
	fail "$1" "${lines[@]}"
}

# check_diag NAME CMD...: check, with both ends' state on failure.
check_diag() {
	local name=$1
	shift
	if "$@" >/dev/null 2>&1; then pass "$name"; else fail_diag "$name"; fi
}

# pkts NS IF rx|tx: the kernel's packet count of IF.
pkts() { ip -n "$1" -s -j link show dev "$2" | jq -er ".[0].stats64.$3.packets"; }

# x_pkts IF FIELD: xbond's own per-member counter (tx_packets, rx_packets).
x_pkts() { local json; json=$(xstatus) && x_field "$json" "$1" "$2"; }

# snap: the counters that show the spread, one line of ten, "?" for one that
# cannot be read: xbond tx a0 a1, kernel tx a0 a1, kernel rx b0 b1, xbond rx
# a0 a1, kernel tx b0 b1.
snap() {
	local v out=
	for v in "x_pkts a0 tx_packets" "x_pkts a1 tx_packets" "pkts $A a0 tx" "pkts $A a1 tx" \
		 "pkts $B b0 rx" "pkts $B b1 rx" "x_pkts a0 rx_packets" "x_pkts a1 rx_packets" \
		 "pkts $B b0 tx" "pkts $B b1 tx"; do
		v=$($v 2>/dev/null)
		[[ $v =~ ^[0-9]+$ ]] || v='?'
		out+="$v "
	done
	echo ${out% }
}

# shares BEFORE AFTER FIRST: the deltas of the counter pair starting at field
# FIRST (0-based) of two snaps, "d0 d1"; true iff each of the two carried a real
# share (at least a tenth) of at least 1000 packets.
shares() {
	local -a b=($1) a=($2)
	local f=$3 d0 d1
	[[ "${b[f]} ${b[f + 1]} ${a[f]} ${a[f + 1]}" =~ ^[0-9]+\ [0-9]+\ [0-9]+\ [0-9]+$ ]] ||
		{ echo "unreadable: ${b[f]} ${b[f + 1]} -> ${a[f]} ${a[f + 1]}"; return 1; }
	d0=$((a[f] - b[f])) d1=$((a[f + 1] - b[f + 1]))
	echo "$d0 $d1"
	[ $((d0 + d1)) -ge 1000 ] && [ $((d0 * 10)) -ge $((d0 + d1)) ] && [ $((d1 * 10)) -ge $((d0 + d1)) ]
}

# udp_flows [-R]: 32 UDP flows of 1 Mbit/s for 1 s from A to B (B to A with -R);
# echoes the packets the receiver got and its loss in percent. Bounded: with
# no path across, the client gives up after 2 s and the server is stopped.
udp_flows() {
	local port=$((5201 + RANDOM % 1000)) spid out
	ip netns exec "$B" iperf3 -s -1 -p $port -B $IP_B --logfile /dev/null &
	spid=$!
	if wait_for 5 ip netns exec "$B" sh -c "ss -ltn | grep -q :$port"; then
		out=$(timeout 10 ip netns exec "$A" iperf3 -c $IP_B -p $port --connect-timeout 2000 \
			-u -b 1M -l 1000 -P 32 -t 1 -J "$@" 2>/dev/null)
	fi
	kill $spid 2>/dev/null
	wait $spid 2>/dev/null
	jq -er '"\(.end.sum.packets // 0) \(.end.sum.lost_percent // 100)"' <<<"$out" 2>/dev/null ||
		echo "0 100"
}

# fresh XBOND_OPTS -- OVS_OPTS: both bonds created anew, from links down as from
# boot: OVS's first (it sees no carrier until xbond brings a0 and a1 up), then
# xbond's. T0 is when xbondload started, in ms.
X_LOADED=
fresh() {
	local -a xo=() oo=()
	while [ $# -gt 0 ] && [ "$1" != -- ]; do xo+=("$1"); shift; done
	shift
	oo=("$@")
	if [ -n "$X_LOADED" ]; then
		"$XBONDLOAD" --netns "$A" --name xbond0 --detach >/dev/null || return 1
		X_LOADED=
	fi
	ovs_vsctl "$B" --if-exists del-port bond0 || return 1
	ip -n "$A" link set a0 down && ip -n "$A" link set a1 down || return 1
	ovs_lacp_bond "$B" br0 bond0 b0 b1 "${oo[@]}" || return 1
	T0=$(now_ms)
	"$XBONDLOAD" --netns "$A" --ifaces a0,a1 --name xbond0 --mode 802.3ad "${xo[@]}" >/dev/null ||
		return 1
	X_LOADED=1
	ip -n "$A" addr add $IP_A/24 dev xbond0 && ip -n "$A" link set xbond0 up
}

# aggregate NAME SECONDS: wait for OVS to judge both members attached and
# enabled (the time since T0 goes to AGG_MS), then for xbond to distribute on both.
aggregate() {
	local name=$1 secs=$2
	AGG_MS=
	if ovs_wait_ready "$B" bond0 "$secs" b0 b1; then
		AGG_MS="$(($(now_ms) - T0)) ms"
		echo "    $name: OVS attached and enabled both members $AGG_MS after xbondload"
	fi
	if [ -n "$AGG_MS" ] && wait_for 5 x_dist a0 a1; then
		pass "$name: aggregated on both ends"
	else
		fail_diag "$name: aggregated on both ends"
		return 1
	fi
}

topo_b2b 2 || { fail "xbond against OVS: topology"; exit 1; }
ovs_start "$B" || { fail "xbond against OVS: OVS starts in B"; exit 1; }
ovs_internal "$B" br0 ipb $IP_B/24 || { fail "xbond against OVS: B's internal port"; exit 1; }

# --- 1. both active, fast
fresh --lacp-rate fast --hash layer3+4 -- lacp=active lacp-time=fast ||
	{ fail "1. xbond and OVS bonds created"; exit 1; }
aggregate "1. active fast" 10
AGG1=${AGG_MS:-timeout}
json=$(xstatus)
for m in a0 a1; do
	check "1. xbond $m selected, current, mux distributing" eval \
		'[ "$(x_field "$json" '$m' selection) $(x_field "$json" '$m' rx_state) $(x_field "$json" '$m' mux_state)" = "selected current distributing" ]'
done
check "1. xbond's partner is OVS's system, synchronized" eval \
	'jq -e --arg sys "$(ovs_appctl "$B" lacp/show bond0 | awk "/^  sys_id:/ { print \$2; exit }")" \
		"[.member_list[].details_partner_lacp_pdu | select(.system_mac_address == \$sys and
		 any(.port_state_flags[]; . == \"synchronization\"))] | length == 2" <<<"$json"'
for m in b0 b1; do
	check "1. OVS $m current attached" ovs_member_attached "$B" bond0 $m
	check "1. OVS $m enabled" ovs_member_enabled "$B" bond0 $m
done
check "1. ping across" wait_for 5 ip netns exec "$A" ping -c 1 -W 0.2 $IP_B

# Many flows each way: xbond hashes A's (layer3+4) over a0 and a1, OVS's
# balance-tcp hashes B's over b0 and b1; every counter of each pair must show
# a real share.
s0=$(snap)
read -r got loss < <(udp_flows)
s1=$(snap)
check "1. 32 UDP flows A to B arrive ($got packets, $loss% lost)" \
	awk -v g="$got" -v l="$loss" 'BEGIN { exit !(g >= 3000 && l < 5) }'
d=$(shares "$s0" "$s1" 0) && pass "1. xbond tx_packets: both members carry a share ($d)" ||
	fail "1. xbond tx_packets: both members carry a share ($d)"
d=$(shares "$s0" "$s1" 2) && pass "1. kernel tx of a0, a1: both carry a share ($d)" ||
	fail "1. kernel tx of a0, a1: both carry a share ($d)"
d=$(shares "$s0" "$s1" 4) && pass "1. OVS side rx of b0, b1: both carry a share ($d)" ||
	fail "1. OVS side rx of b0, b1: both carry a share ($d)"
# B's replies: OVS's balance-tcp gives each of its 256 hash buckets a member
# when a member is first enabled, the first one alone often (the other is
# enabled a poll later), and with bond-rebalance-interval=0 never moves them.
# A new hash basis resets the buckets: they are given out again, at random
# over the two enabled members (lib/bond.c, bond_reconfigure and
# bond_update_post_recirc_rules__).
ovs_vsctl "$B" set Port bond0 other_config:bond-hash-basis=$((1 + RANDOM))
nc0=$(xstatus | jq -e .rx_dropped_not_collecting)
s0=$(snap)
read -r got loss < <(udp_flows -R)
s1=$(snap)
nc1=$(xstatus | jq -e .rx_dropped_not_collecting)
check "1. 32 UDP flows B to A arrive ($got packets, $loss% lost)" \
	awk -v g="$got" -v l="$loss" 'BEGIN { exit !(g >= 3000 && l < 5) }'
d=$(shares "$s0" "$s1" 8) && pass "1. OVS side tx of b0, b1: both carry a share ($d)" ||
	fail "1. OVS side tx of b0, b1: both carry a share ($d)"
# collected_all BEFORE AFTER: xbond counted on a0 and on a1 at least 95% of what
# the kernel sent on b0 and on b1, each, 1000 frames at least in all; echoes
# "rx0/tx0 rx1/tx1".
collected_all() {
	local -a b=($1) a=($2)
	local i r t ok=0 sum=0
	for i in 0 1; do
		if [[ "${b[6 + i]} ${a[6 + i]} ${b[8 + i]} ${a[8 + i]}" =~ ^[0-9\ ]+$ ]]; then
			r=$((a[6 + i] - b[6 + i])) t=$((a[8 + i] - b[8 + i]))
		else
			r='?' t='?' ok=1
		fi
		printf '%s/%s ' $r $t
		[ "$ok" -eq 0 ] && [ $((r * 100)) -ge $((t * 95)) ] || ok=1
		[ "$ok" -eq 0 ] && sum=$((sum + t))
	done
	[ "$ok" -eq 0 ] && [ "$sum" -ge 1000 ]
}
d=$(collected_all "$s0" "$s1") && pass "1. xbond rx_packets: each member collects what b0, b1 sent (${d% })" ||
	fail "1. xbond rx_packets: each member collects what b0, b1 sent (${d% })"
check "1. xbond dropped nothing as not collecting (${nc0:-?} -> ${nc1:-?})" \
	eval '[ -n "$nc0" ] && [ "$nc0" = "$nc1" ]'

# Pull the link that carries a 1 ms ping's requests: the other takes over.
base="$(pkts "$A" a0 tx) $(pkts "$A" a1 tx)"
# Bounded: with no replies ping slows down; SIGINT still has it print its summary.
timeout -s INT 8 ip netns exec "$A" ping -i 0.001 -c 3000 -W 1 $IP_B >"$PINGLOG" 2>&1 &
ping_pid=$!
# flowing: the ping has sent 300 frames over a0 or a1 since BASE.
flowing() {
	local -a b=($base)
	[ $(($(pkts "$A" a0 tx) + $(pkts "$A" a1 tx) - b[0] - b[1])) -ge 300 ]
}
wait_for 3 flowing || echo "    the ping does not get going" >&2
read -r -a b <<<"$base"
if [ $(($(pkts "$A" a1 tx) - b[1])) -gt $(($(pkts "$A" a0 tx) - b[0])) ]; then k=1; o=0; else k=0; o=1; fi
ip -n "$A" link set a$k down
t_pull=$(now_ms)
check_diag "1. a$k pulled: xbond stops distributing on a$k" wait_for 5 x_nodist a$k
check_diag "1. a$k pulled: OVS disables b$k" wait_for 5 ovs_not ovs_member_enabled "$B" bond0 b$k
echo "    a$k pulled: both ends judged it out within $(($(now_ms) - t_pull)) ms"
check_diag "1. a$k pulled: a$o still distributing, b$o attached and enabled" \
	eval "x_dist a$o && ovs_members_ready \"\$B\" bond0 b$o"
wait $ping_pid
read -r lost run sent < <(ping_gaps "$PINGLOG")
echo "    1 ms ping over the pulled a$k: $lost of $sent lost, longest run $run"
check "1. a$k pulled: ping goes on over a$o (lost $lost of $sent)" \
	eval '[ "${sent:-0}" -ge 2000 ] && [ "$lost" -lt 50 ]'
t0=$(now_ms)
ip -n "$A" link set a$k up
if wait_for 10 ready; then
	echo "    a$k rejoined on both ends in $(($(now_ms) - t0)) ms"
	pass "1. a$k restored: both members aggregated again"
else
	fail_diag "1. a$k restored: both members aggregated again"
fi
check "1. a$k restored: ping" ip netns exec "$A" ping -c 5 -i 0.05 -W 1 $IP_B

# --- 2. xbond passive, OVS active
fresh --lacp-active off --lacp-rate fast -- lacp=active lacp-time=fast ||
	{ fail "2. xbond and OVS bonds created"; exit 1; }
aggregate "2. xbond passive, OVS active" 10
AGG2=${AGG_MS:-timeout}
check "2. xbond's actor state has no Activity bit (passive)" eval \
	'xstatus | jq -e "[.member_list[].details_actor_lacp_pdu.port_state | select(. % 2 == 0)] | length == 2"'
check "2. OVS sees a passive, synchronized partner on b0 and b1" eval \
	'partner_is b0 synchronized,-activity && partner_is b1 synchronized,-activity'
check "2. ping across" wait_for 5 ip netns exec "$A" ping -c 1 -W 0.2 $IP_B

# --- 3. both slow: the first PDUs go out on link up, so no 30 s period is waited
fresh --lacp-rate slow -- lacp=active lacp-time=slow ||
	{ fail "3. xbond and OVS bonds created"; exit 1; }
aggregate "3. both slow" 10
AGG3=${AGG_MS:-timeout}
check "3. xbond's actor and partner both say slow (no Timeout bit)" eval \
	'xstatus | jq -e "[.member_list[] | .details_actor_lacp_pdu.port_state, .details_partner_lacp_pdu.port_state |
		select(. % 4 >= 2)] | length == 0"'
check "3. ping across" wait_for 5 ip netns exec "$A" ping -c 1 -W 0.2 $IP_B

# --- 4. --min-links 2: one link out takes the bond's carrier
fresh --lacp-rate fast --min-links 2 -- lacp=active lacp-time=fast ||
	{ fail "4. xbond and OVS bonds created"; exit 1; }
aggregate "4. min-links 2" 10
check_diag "4. both links in: xbond0 has carrier" wait_for 5 carrier on
check "4. both links in: ping" wait_for 5 ip netns exec "$A" ping -c 1 -W 0.2 $IP_B
ip -n "$A" link set a0 down
check_diag "4. a0 pulled: xbond0 NO-CARRIER" wait_for 5 carrier off
read -r psent prcvd < <(ping_counts "$A" -c 5 -i 0.1 -W 0.3 $IP_B)
check "4. a0 pulled: no ping gets through (${prcvd:-?} of ${psent:-?})" \
	eval '[ "${psent:-0}" -ge 1 ] && [ "${prcvd:-1}" -eq 0 ]'
ip -n "$A" link set a0 up
check_diag "4. a0 restored: carrier back" wait_for 10 carrier on
check "4. a0 restored: ping" wait_for 5 ip netns exec "$A" ping -c 1 -W 0.2 $IP_B

# --- 5. both passive: no one speaks first, so nothing aggregates
fresh --lacp-active off --lacp-rate fast -- lacp=passive lacp-time=fast ||
	{ fail "5. xbond and OVS bonds created"; exit 1; }
# An absence has no event to wait for: watch for 4 s that neither end ever
# aggregates. An end that spoke when it should not would do so within its fast
# period (1 s), and one speaker aggregates within about 1.5 s (scenario 2), so
# 4 s is ample; it is also more than the 3 s after which fast partners expire.
# The links are up first.
check "5. both passive: links up" wait_for 5 eval \
	'[ "$(x_field "$(xstatus)" a0 link) $(x_field "$(xstatus)" a1 link)" = "up up" ]'
check_diag "5. both passive: xbond never distributes on a0 or a1 in 4 s" \
	never_for 4 x_any_dist
check_diag "5. both passive: OVS has b0 and b1 detached and disabled" ovs_all_out
check_diag "5. both passive: xbond a0 and a1 not distributing" x_nodist a0 a1
json=$(xstatus)
echo "    both passive: xbond LACPDUs sent $(x_field "$json" a0 lacpdu_sent)+$(x_field "$json" a1 lacpdu_sent)," \
	"received $(x_field "$json" a0 lacpdu_received)+$(x_field "$json" a1 lacpdu_received)"
# The control: the same set-up aggregates once one end speaks.
ovs_vsctl "$B" set Port bond0 lacp=active
t0=$(now_ms)
if wait_for 10 ready; then
	echo "    OVS turned active: aggregated in $(($(now_ms) - t0)) ms"
	pass "5. OVS turned active: aggregates"
else
	fail_diag "5. OVS turned active: aggregates"
fi

echo "    summary: aggregation, xbondload to OVS attached and enabled: $AGG1 both active fast," \
	"$AGG2 xbond passive, $AGG3 both slow; a pulled link cost $lost of $sent 1 ms pings" \
	"(longest run $run); test took $SECONDS s"
exit $FAILED
