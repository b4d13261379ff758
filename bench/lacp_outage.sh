#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# LACP (802.3ad) timings against Open vSwitch as the partner, on two veth links:
#   - aggregation: from creating side A's bond to both members "current
#     attached" and "enabled" in OVS (on both sides when A is OVS too), in ms;
#   - outage: a 1 ms ping from A to B runs across the bond; the link carrying
#     its requests (A's member whose tx counter grows) is pulled (ip link set
#     down, on A's or B's end); lost pings and the longest run of them;
#   - rejoin: from restoring that link to all members aggregated again, in ms;
#   - with --live (xbond only): a live switch of A out of 802.3ad into
#     balance-xor and, once OVS has stopped forwarding, back in, under a 1 ms
#     ping: how long OVS goes on forwarding after the switch out, and how
#     long after the switch back in the pings pass again (both in ms, from
#     the pings' sequence numbers).
# Each rep creates both bonds afresh. Prints "key value" lines on stdout, one
# per measurement (repN.KEY, then median.KEY); progress goes to stderr.
#
#   A: [OVS br0 ipa | xbond0] 10.79.0.1 [a0 a1] ====== [b0 b1] OVS bond0 br0 ipb 10.79.0.2 :B
#
# Usage: bench/lacp_outage.sh [--side-a ovs|xbond] [--pull-side a|b] [--reps N] [--pings N]
#                             [--live]
#   --side-a   who speaks LACP on A: a second OVS (default) or xbond in 802.3ad
#   --pull-side  the end of the link that is set down (default a)
#   --reps     repetitions (default 5)
#   --pings    pings per outage run, one per ms (at least 1000; default 3000)
#   --live     also the live switch out of 802.3ad and back (needs --side-a xbond)

. "$(dirname "$0")/../selftests/lib.sh"
. "$TOP/selftests/ovs.sh"

SIDE_A=ovs PULL=a REPS=5 PINGS=3000 LIVE=0
IP_A=10.79.0.1 IP_B=10.79.0.2

die() { echo "${0##*/}: $*" >&2; exit 1; }
log() { echo "# $*" >&2; }
usage() {
	echo "usage: ${0##*/} [--side-a ovs|xbond] [--pull-side a|b] [--reps N] [--pings N] [--live]" >&2
	exit 2
}

while [ $# -gt 0 ]; do
	case $1 in
	--side-a) [[ $2 == ovs || $2 == xbond ]] || usage; SIDE_A=$2; shift 2 ;;
	--pull-side) [[ $2 == a || $2 == b ]] || usage; PULL=$2; shift 2 ;;
	--reps) [[ $2 =~ ^[1-9][0-9]*$ ]] || usage; REPS=$2; shift 2 ;;
	--pings) [[ $2 =~ ^[1-9][0-9]{3,}$ ]] || usage; PINGS=$2; shift 2 ;;
	--live) LIVE=1; shift ;;
	*) usage ;;
	esac
done
[ "$(id -u)" -eq 0 ] || die "run as root"
[ $LIVE = 0 ] || [ "$SIDE_A" = xbond ] || die "--live needs --side-a xbond"
command -v ovs-vswitchd >/dev/null || die "Open vSwitch is missing: apt-get install openvswitch-switch"
[ "$SIDE_A" = ovs ] || [ -x "$XBONDLOAD" ] || die "build first: make"

# tx_counts NS PREFIX: tx_packets of PREFIX0 and PREFIX1 in NS, "n0 n1".
tx_counts() {
	local i
	for i in 0 1; do
		ip -n "$1" -s -j link show dev "$2$i" | jq -r '.[0].stats64.tx.packets'
	done | paste -sd' '
}

# busiest BEFORE AFTER: the index (0 or 1) whose count grew most, and by how much.
busiest() {
	local -a b a
	read -ra b <<<"$1"
	read -ra a <<<"$2"
	local d0=$((a[0] - b[0])) d1=$((a[1] - b[1]))
	if [ $d1 -gt $d0 ]; then echo "1 $d1"; else echo "0 $d0"; fi
}

# ready: every member aggregated, in B's OVS, and in A's when A is OVS too.
# 0 yes, 1 not yet, 2 OVS cannot be read.
ready() {
	ovs_members_ready "$B" bond0 b0 b1 || return
	if [ "$SIDE_A" = ovs ]; then
		ovs_members_ready "$A" bond0 a0 a1
	fi
}

# wait_ready SECONDS: poll ready every 5 ms; 0, 1 on timeout, 2 at once if OVS cannot be read.
wait_ready() {
	local deadline=$((SECONDS + $1)) rc
	while :; do
		ready
		rc=$?
		[ $rc -ne 1 ] && return $rc
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.005
	done
}

states() {
	local m
	if [ "$SIDE_A" = ovs ]; then
		for m in a0 a1; do ovs_member_state "$A" bond0 $m 2>&1 | sed 's/^/#   A: /' >&2; done
	fi
	for m in b0 b1; do ovs_member_state "$B" bond0 $m 2>&1 | sed 's/^/#   B: /' >&2; done
}

# The bond of side A: created with its members down, as from boot; removed.
bond_a_create() {
	if [ "$SIDE_A" = ovs ]; then
		ovs_lacp_bond "$A" br0 bond0 a0 a1
	else
		"$XBONDLOAD" --netns "$A" --ifaces a0,a1 --name xbond0 --mode 802.3ad \
			--lacp-rate fast >/dev/null &&
			ip -n "$A" addr add $IP_A/24 dev xbond0 && ip -n "$A" link set xbond0 up
	fi
}
bond_a_remove() {
	if [ "$SIDE_A" = ovs ]; then
		ovs_del_port "$A" bond0
	else
		"$XBONDLOAD" --netns "$A" --name xbond0 --detach >/dev/null
	fi
	ip -n "$A" link set a0 down && ip -n "$A" link set a1 down
}

# median: of the numbers on stdin; the mean of the middle two for an even count.
median() {
	sort -n | awk '{ v[NR] = $1 } END {
		if (NR == 0) exit 1
		if (NR % 2) print v[(NR + 1) / 2]; else printf "%g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# reply_gaps FILE OUT IN: from ping -D's reply times (s) and the switch
# times OUT and IN (ms since the epoch): how long replies went on after OUT
# until the first gap over 100 ms, and the longest gap that ends after IN:
# "forwarding_ms outage_ms" (forwarding -1: replies never stopped).
reply_gaps() {
	awk -v out="$2" -v in_="$3" '
	     /bytes from/ { t = substr($1, 2, length($1) - 2) * 1000
			    if (prev >= out && t - prev > 100 && !stop) stop = prev
			    if (t > in_ && prev && t - prev > gap && prev < t) gap = t - (prev > in_ ? prev : in_)
			    prev = t }
	     END { printf "%d %d\n", stop ? stop - out : -1, gap }' "$1"
}

# live_switch REP: A out of 802.3ad at 0.5 s, back in at 6 s, under one 1 ms ping.
live_switch() {
	local out in fwd outage
	ip netns exec "$A" ping -D -i 0.001 -w 9 -W 1 $IP_B >"$PINGLOG" 2>&1 &
	ping_pid=$!
	sleep 0.5
	out=$(now_ms)
	"$XBONDLOAD" --netns "$A" --name xbond0 --mode balance-xor >/dev/null
	sleep 5.5
	in=$(now_ms)
	"$XBONDLOAD" --netns "$A" --name xbond0 --mode 802.3ad >/dev/null
	wait $ping_pid
	read -r fwd outage < <(reply_gaps "$PINGLOG" "$out" "$in")
	echo "rep$1.live_out_forwarding_ms $([ "$fwd" -ge 0 ] && echo "$fwd" || echo never-stopped)"
	echo "rep$1.live_in_outage_ms $outage"
	[ "$fwd" -ge 0 ] && RESULTS[live_out_forwarding_ms]+="$fwd "
	RESULTS[live_in_outage_ms]+="$outage "
}

# --- set-up: B always OVS; A OVS or (per rep) xbond.
topo_b2b 2 || die "cannot create namespaces"
ovs_start "$B" || die "cannot start OVS in B"
ovs_internal "$B" br0 ipb $IP_B/24 || die "cannot add B's internal port"
if [ "$SIDE_A" = ovs ]; then
	ovs_start "$A" || die "cannot start OVS in A"
	ovs_internal "$A" br0 ipa $IP_A/24 || die "cannot add A's internal port"
fi
PINGLOG=$(mktemp /tmp/lacp_outage.XXXXXX)
trap 'rm -f "$PINGLOG"; ovs_stop_all; cleanup' EXIT

echo "side_a $SIDE_A"
echo "pull_side $PULL"
echo "reps $REPS"
declare -A RESULTS=()
for ((r = 1; r <= REPS; r++)); do
	log "rep $r"
	ovs_lacp_bond "$B" br0 bond0 b0 b1 || die "cannot create B's bond"
	t0=$(now_ms)
	bond_a_create || die "cannot create A's bond ($SIDE_A)"
	wait_ready 15
	rc=$?
	[ $rc -eq 2 ] && die "OVS cannot be read"
	if [ $rc -ne 0 ]; then
		echo "rep$r.aggregation_ms timeout"
		states
		bond_a_remove; ovs_del_port "$B" bond0
		continue
	fi
	t=$(($(now_ms) - t0))
	echo "rep$r.aggregation_ms $t"
	RESULTS[aggregation_ms]+="$t "

	wait_for 5 ip netns exec "$A" ping -c 1 -W 0.2 $IP_B || die "rep $r: no ping across the bond"

	# One ping run: find the member carrying it, pull that link, count the losses.
	ip netns exec "$A" ping -i 0.001 -c "$PINGS" -W 1 $IP_B >"$PINGLOG" 2>&1 &
	ping_pid=$!
	sleep 0.3
	ta=$(tx_counts "$A" a) tb=$(tx_counts "$B" b)
	sleep 0.2
	read -r k dk < <(busiest "$ta" "$(tx_counts "$A" a)")
	read -r kb _ < <(busiest "$tb" "$(tx_counts "$B" b)")
	[ "$dk" -ge 50 ] || log "rep $r: only $dk packets on a$k in 0.2 s: is the ping running?"
	pulled=$PULL$k
	ns=$([ "$PULL" = a ] && echo "$A" || echo "$B")
	ip -n "$ns" link set "$pulled" down
	wait $ping_pid
	read -r lost run sent < <(ping_gaps "$PINGLOG")
	echo "rep$r.flow_member a$k"
	echo "rep$r.reply_member b$kb"
	echo "rep$r.pulled $pulled"
	echo "rep$r.sent_pings $sent"
	echo "rep$r.lost_pings $lost"
	echo "rep$r.longest_loss_run $run"
	RESULTS[lost_pings]+="$lost " RESULTS[longest_loss_run]+="$run "

	t0=$(now_ms)
	ip -n "$ns" link set "$pulled" up
	if wait_ready 15; then
		t=$(($(now_ms) - t0))
		echo "rep$r.rejoin_ms $t"
		RESULTS[rejoin_ms]+="$t "
	else
		echo "rep$r.rejoin_ms timeout"
		states
	fi

	[ $LIVE = 1 ] && wait_ready 15 && live_switch $r

	bond_a_remove
	ovs_del_port "$B" bond0
done
for key in aggregation_ms lost_pings longest_loss_run rejoin_ms live_out_forwarding_ms \
	   live_in_outage_ms; do
	[ -n "${RESULTS[$key]:-}" ] || continue
	echo "median.$key $(tr ' ' '\n' <<<"${RESULTS[$key]}" | grep . | median)"
done
