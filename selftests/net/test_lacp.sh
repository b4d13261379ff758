#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# 802.3ad back to back (xbond on both ends) and against a crafted partner
# (selftests/lacp_peer): aggregation and traffic, LACPDUs kept off the bond,
# carrier loss without LACP, a partner that stops talking, members kept out
# of the aggregate by system or key, stable against count, malformed LACPDUs,
# Marker PDUs, min-links, passive ends, and live switches in and out of
# 802.3ad without a reload. Every wait polls with a timeout.
#
#   A: xbond0 10.96.0.1 [a0 a1 (a2 a3)] ==== [b0 b1] xbond0 10.96.0.2 :B
#                                |  |
#   C:                          c2 c3  lacp_peer (another system, or another key)
. "$(dirname "$0")/../lib.sh"

PEER=$TOP/.output/lacp_peer
[ -x "$PEER" ] || { echo "build first: make $PEER" >&2; exit 1; }
T_START=$(date +%s%N)
TMPD=$(mktemp -d)
trap 'cleanup; rm -rf "$TMPD"' EXIT

# status NS: the bond's status as JSON.
status() { "$XBONDCTL" --netns "$1" status xbond0 --json; }

# mfield NS MEMBER FIELD: one field of a member in the status (jq path).
mfield() {
	status "$1" | jq -er --arg m "$2" ".member_list[] | select(.member == \$m) | .$3"
}

# bfield NS FIELD: one field of the bond in the status (jq path).
bfield() { status "$1" | jq -er ".$2"; }

# distributing NS MEMBER...: every one collecting and distributing, its mux
# there too, and the data plane's member flags saying the same.
distributing() {
	local ns=$1 js m
	shift
	js=$(status "$ns") || return 2
	for m; do
		jq -e --arg m "$m" '.member_list[] | select(.member == $m) |
			.collecting == "yes" and .distributing == "yes" and
			.mux_state == "distributing"' <<<"$js" >/dev/null || return 1
	done
}

# out NS MEMBER...: every one is in the bond and neither collecting nor distributing.
out() {
	local ns=$1 js m
	shift
	js=$(status "$ns") || return 2
	for m; do
		jq -e --arg m "$m" '.member_list[] | select(.member == $m) |
			.collecting == "no" and .distributing == "no"' <<<"$js" >/dev/null || return 1
	done
}

# not_distributing NS MEMBER: in the bond, not distributing (may still collect).
not_distributing() {
	mfield "$1" "$2" 'distributing == "no"' >/dev/null
}

# member_is NS MEMBER JQ-CONDITION: the member's status satisfies the condition.
member_is() {
	status "$1" | jq -e --arg m "$2" ".member_list[] | select(.member == \$m) | $3" >/dev/null
}

# flag_set STATE FLAG: whether a port_state number has FLAG.
flag_set() { (( $1 & $2 )); }

# aggregated: both ends distribute on both links.
aggregated() { distributing "$A" a0 a1 && distributing "$B" b0 b1; }

# tx_share NS M0 M1 BEFORE-JSON AFTER-JSON: each member sent a real share:
# at least a fifth of an even one, of over 1000 frames. Echoes the deltas.
tx_share() {
	local ns=$1 m0=$2 m1=$3 d0 d1
	d0=$(( $(jq -r --arg m "$m0" '.member_list[] | select(.member == $m) | .tx_packets' <<<"$5") -
	       $(jq -r --arg m "$m0" '.member_list[] | select(.member == $m) | .tx_packets' <<<"$4") ))
	d1=$(( $(jq -r --arg m "$m1" '.member_list[] | select(.member == $m) | .tx_packets' <<<"$5") -
	       $(jq -r --arg m "$m1" '.member_list[] | select(.member == $m) | .tx_packets' <<<"$4") ))
	echo "$ns tx $m0 $d0, $m1 $d1"
	[ $((d0 + d1)) -gt 1000 ] && [ $((d0 * 10)) -ge $((d0 + d1)) ] &&
		[ $((d1 * 10)) -ge $((d0 + d1)) ]
}

# The loss meter: 1 ms UDP probes from one namespace, echoed by the other.
# ping is no meter at 1 ms: it slows to one probe per 10 ms while replies
# are missing (iputils' MININTERVAL) and does not count a probe its own host
# failed to send (it backs off and retries), so it under-counts an outage.
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
cat >"$TMPD/probe.py" <<'PYEOF'
import select, socket, struct, sys, time
if sys.argv[1] == "echo":          # echo PORT
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.bind(("0.0.0.0", int(sys.argv[2])))
    while True:
        data, peer = s.recvfrom(64)
        try:
            s.sendto(data, peer)
        except OSError:
            pass
# run DST PORT SPORT COUNT INTERVAL_MS: prints "LOST SENT LONGEST-RUN-LOST";
# COUNT 0: until SIGTERM.
import signal
stop = False
def on_term(sig, frame):
    global stop
    stop = True
signal.signal(signal.SIGTERM, on_term)
dst, port, sport, count = sys.argv[2], int(sys.argv[3]), int(sys.argv[4]), int(sys.argv[5])
interval = float(sys.argv[6]) / 1000
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("0.0.0.0", sport))
s.setblocking(False)
got = set()
def drain(until):                  # read replies until the monotonic time until
    while True:
        left = until - time.monotonic()
        if not select.select([s], [], [], max(left, 0))[0]:
            if left <= 0:
                return
            continue
        try:
            data = s.recv(64)
        except OSError:
            continue
        if len(data) == 8:
            got.add(struct.unpack("!Q", data)[0])
start = time.monotonic()
i = 0
while (i < count or not count) and not stop:
    drain(start + i * interval)
    try:
        s.sendto(struct.pack("!Q", i), (dst, port))
    except OSError:
        pass                        # tried, and lost: counted below
    i += 1
count = i
end = time.monotonic() + 0.5
while len(got) < count and time.monotonic() < end:
    drain(min(end, time.monotonic() + 0.05))
run = longest = 0
for i in range(count):
    run = 0 if i in got else run + 1
    longest = max(longest, run)
print(count - len(got), count, longest)
PYEOF
PROBE_PORT=7777
echo_start() {	# and wait until it listens
	ip netns exec "$1" "$PY" "$TMPD/probe.py" echo $PROBE_PORT >/dev/null 2>&1 &
	wait_for 3 eval 'ip netns exec "$1" ss -Hnul "sport = :$PROBE_PORT" | grep -q .' ||
		echo "no echo server in $1" >&2
}
probe() { # NS DST SPORT COUNT INTERVAL_MS: "LOST SENT LONGEST-RUN"
	ip netns exec "$1" "$PY" "$TMPD/probe.py" run "$2" $PROBE_PORT "$3" "$4" "$5"
}

# sport_on NS DST MEMBER OTHER: a UDP source port whose probes NS sends out
# of MEMBER (layer3+4 hashes the ports), found by trying.
sport_on() {
	local ns=$1 dst=$2 m=$3 o=$4 sport js0 js1 dm do
	for sport in $(seq 40000 40063); do
		js0=$(status "$ns") || return 1
		probe "$ns" "$dst" $sport 3 1 >/dev/null || continue
		js1=$(status "$ns") || return 1
		dm=$(( $(jq -r --arg m "$m" '.member_list[] | select(.member == $m) | .tx_packets' <<<"$js1") -
		       $(jq -r --arg m "$m" '.member_list[] | select(.member == $m) | .tx_packets' <<<"$js0") ))
		do=$(( $(jq -r --arg m "$o" '.member_list[] | select(.member == $m) | .tx_packets' <<<"$js1") -
		       $(jq -r --arg m "$o" '.member_list[] | select(.member == $m) | .tx_packets' <<<"$js0") ))
		[ $dm -ge 3 ] && [ $do -eq 0 ] && { echo $sport; return 0; }
	done
	return 1
}

# probe_bg NS DST SPORT: probes until probe_end, which sets PROBE_LOST,
# PROBE_SENT and PROBE_RUN (not in a subshell: it waits for the prober).
probe_bg() {	# not through probe(): $! must be the prober itself
	ip netns exec "$1" "$PY" "$TMPD/probe.py" run "$2" $PROBE_PORT "$3" 0 1 >"$TMPD/bg_probe" 2>&1 &
	PROBE_PID=$!
}
probe_end() {
	kill -TERM $PROBE_PID 2>/dev/null
	wait $PROBE_PID
	if ! read -r PROBE_LOST PROBE_SENT PROBE_RUN <"$TMPD/bg_probe" || [ -z "$PROBE_RUN" ]; then
		echo "the background probes printed: $(head -3 "$TMPD/bg_probe")" >&2
		PROBE_LOST=999999 PROBE_SENT=0 PROBE_RUN=0
		return 1
	fi
}

# probes_during NS DST SPORT COUNT CMD...: 1 ms probes from NS, CMD run
# 300 ms in (its output to stderr). Echoes "LOST SENT LONGEST-RUN".
probes_during() {
	local ns=$1 dst=$2 sport=$3 count=$4 out pid res
	shift 4
	out=$TMPD/probe.$RANDOM
	probe "$ns" "$dst" "$sport" "$count" 1 >"$out" 2>&1 &
	pid=$!
	sleep 0.3	# the probes are under way before CMD acts; no state is awaited
	"$@" >&2
	wait $pid
	res=$(cat "$out")
	[[ $res =~ ^[0-9]+\ [0-9]+\ [0-9]+$ ]] || { echo "probes printed: $res" >&2; res="$count $count $count"; }
	echo "$res"
}

# start_peer VAR NS ARGS...: run lacp_peer in NS in the background, its pid into VAR.
start_peer() {
	local var=$1 ns=$2
	shift 2
	ip netns exec "$ns" "$PEER" "$@" >>"$TMPD/peer.log" 2>&1 &
	printf -v "$var" '%s' $!
}
stop_peer() { [ -n "$1" ] && kill "$1" 2>/dev/null; wait "$1" 2>/dev/null; }

# steady CMD...: CMD prints the same twice, 100 ms apart (poll it with wait_for).
steady() {
	local a b
	a=$("$@") || return 1
	sleep 0.1
	b=$("$@") && [ "$a" = "$b" ]
}

# log_lines NS: how many lines A's monitor has logged so far.
log_lines() { mon_log "$1" | wc -l; }
# log_since NS N: the monitor's lines after the first N.
log_since() { mon_log "$1" | tail -n +$(($2 + 1)); }

# tap_up NS DEV: a packet socket for slow-protocol frames is bound on DEV.
tap_up() { ip netns exec "$1" ss -0 -a -n | grep -q "\[$((0x8809))\]:$2 "; }

# ---------------------------------------------------------------------------
# 1. Back to back: aggregation, traffic on both links, LACPDUs off the bond.
topo_b2b 2 || { fail "topology"; exit 1; }
make_ns C c || { fail "topology: namespace C"; exit 1; }
ip link add a2 netns "$A" type veth peer name c2 netns "$C" &&
	ip link add a3 netns "$A" type veth peer name c3 netns "$C" || { fail "topology: a2, a3"; exit 1; }
check "A: create 802.3ad over a0,a1 (fast)" \
	xbond --netns "$A" --ifaces a0,a1 --mode 802.3ad --lacp-rate fast --hash layer3+4
t0=$(now_ms)
check "B: create 802.3ad over b0,b1 (fast)" \
	xbond --netns "$B" --ifaces b0,b1 --mode 802.3ad --lacp-rate fast --hash layer3+4
if wait_for 10 aggregated; then
	agg_ms=$(($(now_ms) - t0))
	pass "both ends collecting and distributing on a0,a1 / b0,b1"
	check "... within 2 s of B's xbondload: $agg_ms ms" test "$agg_ms" -lt 2000
else
	fail "both ends collecting and distributing on a0,a1 / b0,b1" "$(status "$A" | jq -c .member_list)"
	exit 1
fi
ip -n "$A" addr add 10.96.0.1/24 dev xbond0
ip -n "$B" addr add 10.96.0.2/24 dev xbond0
check "active aggregator: 2 ports, the partner is B" eval \
	'[ "$(bfield "$A" "\"802.3ad_info\".active_aggregator_info | [.number_of_ports, .partner_mac_address] | @tsv")" = \
	   "$(printf "2\t%s" "$(ip -n "$B" -j link show xbond0 | jq -r ".[0].address")")" ]'
check "data plane: A sends on 2 members and collects on both" \
	test "$(live_field "$A" n_tx) $(live_field "$A" collecting)" = "2 3"
check "ping across the aggregate" ip netns exec "$A" ping -c 3 -i 0.01 -W 1 10.96.0.2
echo_start "$A"
echo_start "$B"

# A tap on xbond0 for slow-protocol frames, while LACPDUs keep arriving.
ip netns exec "$A" "$PEER" --dev xbond0 --listen --dump >"$TMPD/tap" 2>&1 &
tap=$!
check "a slow-protocol tap listens on A's xbond0" wait_for 3 tap_up "$A" xbond0
slow0=$(bfield "$A" rx_slow_protocol)
js_a0=$(status "$A") js_b0=$(status "$B")
bps=$(iperf3_run "$B" 10.96.0.2 "$A" -t 1 -P 16)
js_a1=$(status "$A") js_b1=$(status "$B")
check "TCP with 16 flows across ($(awk -v b="$bps" 'BEGIN { printf "%.1f", b / 1e9 }') Gbit/s)" awk -v b="$bps" 'BEGIN { exit !(b > 1e8) }'
check "A sends on both members" tx_share A a0 a1 "$js_a0" "$js_a1"
check "B sends (ACKs) on both members" tx_share B b0 b1 "$js_b0" "$js_b1"
# B sends a LACPDU a second on each link (we asked fast): 2 s bring at least 2.
check "LACPDUs keep arriving: A's rx slow protocol grows" \
	wait_for 3 eval '[ $(bfield "$A" rx_slow_protocol) -ge $((slow0 + 2)) ]'
echo "    rx slow protocol $slow0 -> $(bfield "$A" rx_slow_protocol)"
check "... none of them reached xbond0 (the tap saw none)" test ! -s "$TMPD/tap"
check "... and nothing was dropped as not collecting" \
	test "$(bfield "$A" rx_dropped_not_collecting)" = 0
# Control: a slow frame that does reach xbond0 (sent in by its hidden veth
# peer) shows on the same tap, so an empty tap means something.
hidden=$(ip -n "$A" -j link show xbond0 | jq -r '.[0].link')
ip netns exec "$A" "$PEER" --dev "$hidden" --flood 1
check "... control: a slow frame delivered to xbond0 shows on the tap" \
	wait_for 3 grep -q '^lacpdu actor' "$TMPD/tap"
stop_peer $tap

# ---------------------------------------------------------------------------
# 2. Carrier loss takes a member out at once: no LACP timeout involved.
if sport=$(sport_on "$A" 10.96.0.2 a1 a0); then
	pass "a UDP source port whose probes A sends on a1: $sport"
else
	fail "a UDP source port whose probes A sends on a1" "none of 40000-40063"
	sport=40000
fi
pull() {
	local t=$(now_ms)
	ip -n "$A" link set a1 down
	wait_for 2 not_distributing "$A" a1 && echo "    a1 out $(($(now_ms) - t)) ms after the pull"
}
restore() {
	local t=$(now_ms)
	ip -n "$A" link set a1 up
	wait_for 5 eval 'distributing "$A" a1 && distributing "$B" b1' &&
		echo "    a1 back $(($(now_ms) - t)) ms after the restore"
}
read -r lost sent run < <(probes_during "$A" 10.96.0.2 $sport 1500 pull)
pull_lost="$lost of $sent (longest run $run)"
check "a1 pulled: A has it out of distribution" not_distributing "$A" a1
check "... B has b1 out" not_distributing "$B" b1
check "... a0 and b0 still distributing" eval 'distributing "$A" a0 && distributing "$B" b0'
check "... xbond0 keeps carrier (min-links 0)" \
	eval 'ip -n "$A" -j link show xbond0 | jq -e ".[0].flags | index(\"LOWER_UP\")"'
check "... 1 ms probes through a1: lost at most 50 ($pull_lost)" test "$lost" -le 50
read -r lost sent run < <(probes_during "$A" 10.96.0.2 $sport 2000 restore)
restore_lost="$lost of $sent (longest run $run)"
check "a1 restored: rejoins on both ends" aggregated
check "... 1 ms probes lost at most 50 as it rejoined ($restore_lost)" test "$lost" -le 50

# A worker killed: the new one takes the ports over from xbond_lacp, so no
# member leaves the aggregate (started afresh, every one would, until the
# partner spoke again).
restart_worker() {
	local old
	old=$(monitor_pid "$A" worker) && kill -9 "$old" &&
		wait_for 3 eval '[ -n "$(monitor_pid "$A" worker)" ] && [ "$(monitor_pid "$A" worker)" != "$old" ]'
}
n=$(log_lines "$A")
read -r lost sent run < <(probes_during "$A" 10.96.0.2 $sport 1000 restart_worker)
check "worker killed: the new one adopted both ports" \
	wait_for 3 eval '[ "$(log_since "$A" "$n" | grep -c "lacp adopted")" = 2 ]'
check "... and no member left the aggregate meanwhile" \
	eval '! log_since "$A" "$n" | grep -q "not distributing"'
check "... 1 ms probes lost at most 2 ($lost of $sent)" test "$lost" -le 2
check "... both ends still aggregated" aggregated

# ---------------------------------------------------------------------------
# 3. A dead partner with carrier up: B's LACPDUs on b1 taken away on their
# way out. xbond has nothing on b1's egress (rx_filter_tc is on ingress): the
# clsact qdisc is xbond's, the filter is ours. This kernel has neither
# act_gact nor matchall, so "drop" is u32 plus mirred to a sink veth in B
# (whose frames B's monitor ignores: not a member).
check "B's b1 has no filter on egress" test -z "$(tc -n "$B" filter show dev b1 egress)"
ip -n "$B" link add bh0 type veth peer name bh1 && ip -n "$B" link set bh1 up &&
	ip -n "$B" link set bh0 up
tc -n "$B" qdisc show dev b1 | grep -q clsact || tc -n "$B" qdisc add dev b1 clsact
check "drop B's LACPDUs on b1's egress" \
	tc -n "$B" filter add dev b1 egress protocol 0x8809 pref 7 u32 match u32 0 0 \
	action mirred egress redirect dev bh0
t=$(now_ms)
probe_bg "$A" 10.96.0.2 $sport
if wait_for 6 not_distributing "$A" a1; then
	ms=$(($(now_ms) - t))
	# The last LACPDU came at most 1 s before the filter; fast times out after 3 s.
	check "a1 out of distribution by LACP's timeout: $ms ms (2000-4000)" \
		test "$ms" -ge 1800 -a "$ms" -le 4000
else
	fail "a1 out of distribution by LACP's timeout" "$(status "$A" | jq -c '.member_list[1]')"
fi
check "... A's a1 is expired" member_is "$A" a1 '.rx_state == "expired"'
check "... B has b1 out too (A told it)" wait_for 2 not_distributing "$B" b1
check "... the filter dropped B's LACPDUs" eval \
	'[ "$(tc -n "$B" -s -j filter show dev b1 egress | jq "[.[].options.actions[]?.stats.packets // 0] | add")" -ge 1 ]'
# The probes (the flow that went on a1) carry on: 100 more of them and their
# echoes, and none on a1 or b1.
txd() { echo $(( $(jq -r --arg m "$3" '.member_list[] | select(.member == $m) | .tx_packets' <<<"$2") -
		  $(jq -r --arg m "$3" '.member_list[] | select(.member == $m) | .tx_packets' <<<"$1") )); }
js0=$(status "$A") jb0=$(status "$B")
wait_for 3 eval '[ $(txd "$js0" "$(status "$A")" a0) -ge 100 -a $(txd "$jb0" "$(status "$B")" b0) -ge 100 ]'
js1=$(status "$A") jb1=$(status "$B")
check "... traffic goes on a0 only: A tx a0 +$(txd "$js0" "$js1" a0), a1 +$(txd "$js0" "$js1" a1)" \
	test "$(txd "$js0" "$js1" a1)" = 0 -a "$(txd "$js0" "$js1" a0)" -ge 100
check "... and on b0 only: B tx b0 +$(txd "$jb0" "$jb1" b0), b1 +$(txd "$jb0" "$jb1" b1)" \
	test "$(txd "$jb0" "$jb1" b1)" = 0 -a "$(txd "$jb0" "$jb1" b0)" -ge 100
tc -n "$B" filter del dev b1 egress pref 7
t=$(now_ms)
if wait_for 6 aggregated; then
	pass "filter removed: a1 rejoins on both ends ($(($(now_ms) - t)) ms)"
else
	fail "filter removed: a1 rejoins on both ends" "$(status "$A" | jq -c '.member_list[1]')"
fi
probe_end
check "... 1 ms probes (the flow on a1) lost at most 20 meanwhile ($PROBE_LOST of $PROBE_SENT)" \
	test "$PROBE_LOST" -le 20

# ---------------------------------------------------------------------------
# 4. Members kept out of the aggregate: a2's partner (lacp_peer in C) is
# another system, or B's system under another key.
BMAC=$(bfield "$B" '"802.3ad_info".system_mac_address')
BKEY=$(mfield "$B" b0 details_actor_lacp_pdu.port_key)
OTHER=02:00:00:00:00:99
active_agg() { bfield "$1" '"802.3ad_info".active_aggregator_info.aggregator_id'; }
check "A: add a2 live" xbond --netns "$A" --add a2
ip -n "$C" link set c2 up

# agg_summary NS: the active aggregator and each member's aggregator,
# selection, rx and mux states, for a failure message.
agg_summary() {
	status "$1" | jq -r '"active aggregator \(."802.3ad_info".active_aggregator_info.aggregator_id):" +
		([.member_list[] | " \(.member) agg \(.aggregator_id) \(.selection) \(.rx_state) \(.mux_state)"] | join(","))'
}
# or_show CMD...: CMD, and A's aggregators shown if it fails.
or_show() { "$@" || { agg_summary "$A"; return 1; }; }

# hears NS MEMBER SYSTEM KEY: the member is current with that partner.
hears() {
	member_is "$1" "$2" "(.rx_state == \"current\") and
		(.details_partner_lacp_pdu.system_mac_address == \"$3\") and
		(.details_partner_lacp_pdu.port_key == $4)"
}
# b_heard N: A's a0 has read N more LACPDUs from B since $B_RX0 (mark_b_rx).
mark_b_rx() { B_RX0=$(mfield "$A" a0 lacpdu_received); }
b_heard() { [ "$(mfield "$A" a0 lacpdu_received)" -ge $((B_RX0 + $1)) ]; }

# worker_cpu NS: the CPU share of the bond's monitor worker over 1 s, in
# percent, echoed and left in LAST_CPU (a measurement window, not a wait).
worker_cpu() {
	local pid t0 t1
	LAST_CPU=999
	pid=$(monitor_pid "$1") || { echo "?"; return 1; }
	t0=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	sleep 1
	t1=$(awk '{ print $14 + $15 }' "/proc/$pid/stat")
	LAST_CPU=$(( (t1 - t0) * 100 / $(getconf CLK_TCK) ))
	echo $LAST_CPU
}

# kept_out WHAT SYSTEM KEY [cpu]: a2's partner is SYSTEM/KEY; a2 stays out while
# a0,a1 stay aggregated with B, for two more of B's LACPDUs.
kept_out() {
	local what=$1
	if ! wait_for 3 hears "$A" a2 "$2" "$3"; then
		fail "$what: a2 hears its partner" "$(status "$A" | jq -c '.member_list[2]')"
		return
	fi
	check "$what: a2 standby, neither collecting nor distributing" \
		or_show member_is "$A" a2 '.selection == "standby" and .collecting == "no" and .distributing == "no"'
	check "$what: a2's LACPDUs say out of sync" \
		or_show eval '! flag_set "$(mfield "$A" a2 details_actor_lacp_pdu.port_state)" $XBOND_LACP_SYNC'
	check "$what: a2's aggregator is not the active one" \
		or_show eval '[ "$(mfield "$A" a2 aggregator_id)" != "$(active_agg "$A")" ]'
	if [ -n "$4" ]; then
		worker_cpu "$A" >/dev/null
		check "$what: A's monitor worker idles (CPU ${LAST_CPU}% over 1 s, under 20%)" \
			test "$LAST_CPU" -lt 20
	fi
	mark_b_rx
	check "$what: A keeps reading B's LACPDUs (2 more on a0)" or_show wait_for 3 b_heard 2
	check "$what: ... a0,a1 still aggregated with B, a2 still out" \
		or_show eval 'aggregated && out "$A" a2'
}

start_peer P "$C" --dev c2 --system $OTHER --key "$BKEY" --fast --interval-ms 300
kept_out "another system" $OTHER "$BKEY" cpu
stop_peer $P
start_peer P "$C" --dev c2 --system "$BMAC" --key 99 --fast --interval-ms 300
kept_out "B's system, another key" "$BMAC" 99
stop_peer $P
# Control: B's system and B's key put a2 in B's aggregator, so the checks
# above can tell a member kept out from one let in.
start_peer P "$C" --dev c2 --system "$BMAC" --key "$BKEY" --fast --interval-ms 300
check "control: B's system and key: a2 joins the aggregate" \
	or_show wait_for 3 eval 'hears "$A" a2 "$BMAC" "$BKEY" && distributing "$A" a0 a1 a2'
stop_peer $P

# Stable against count. B's links go down; a2 and a3 get partners of another
# system (two ports of one lacp_peer system): theirs is the only aggregator.
# Then B's links come back: stable keeps the aggregator it has, and keeps it
# while a member of it has a live partner (a2 pulled: a3 keeps it); count
# moves to B's two ports, stays on a tie, and picks the larger aggregator
# even where its id is the higher one (B's b1 down: a2,a3 against a0).
ip -n "$B" link set b0 down && ip -n "$B" link set b1 down
check "A: add a3 live" xbond --netns "$A" --add a3
ip -n "$C" link set c3 up
start_peer P "$C" --dev c2 --system $OTHER --key "$BKEY" --port 1 --fast --interval-ms 300
start_peer P3 "$C" --dev c3 --system $OTHER --key "$BKEY" --port 2 --fast --interval-ms 300
check "B's links down: a2,a3 aggregate with the other system" \
	or_show wait_for 3 eval 'hears "$A" a2 $OTHER "$BKEY" && hears "$A" a3 $OTHER "$BKEY" &&
			 distributing "$A" a2 a3'
other_agg=$(active_agg "$A")
ip -n "$B" link set b0 up && ip -n "$B" link set b1 up
check "stable: B's links up, A's a0,a1 hear B" \
	or_show wait_for 3 eval 'hears "$A" a0 "$BMAC" "$BKEY" && hears "$A" a1 "$BMAC" "$BKEY"'
mark_b_rx
check "stable: ... 2 more LACPDUs from B on a0" or_show wait_for 3 b_heard 2
check "stable: the other system's aggregator stays active" \
	or_show eval '[ "$(active_agg "$A")" = "$other_agg" ] && distributing "$A" a2 a3'
check "stable: ... a0,a1 standby, out" or_show eval 'out "$A" a0 a1 &&
	member_is "$A" a0 ".selection == \"standby\"" && member_is "$A" a1 ".selection == \"standby\""'
ip -n "$A" link set a2 down
check "stable: a2 pulled, a3 keeps the other system's aggregator" \
	or_show wait_for 2 eval 'not_distributing "$A" a2 && distributing "$A" a3 && out "$A" a0 a1'
mark_b_rx
check "stable: ... still so 2 LACPDUs from B later" \
	or_show eval 'wait_for 3 b_heard 2 && distributing "$A" a3 && out "$A" a0 a1'
ip -n "$B" link set b0 down && ip -n "$B" link set b1 down
check "count: B's links down again, the other system's aggregator alone" \
	or_show wait_for 3 eval 'member_is "$A" a0 ".rx_state == \"disabled\"" &&
			 member_is "$A" a1 ".rx_state == \"disabled\"" && distributing "$A" a3'
check "count: --ad-select count applies live" xbond --netns "$A" --ad-select count
ip -n "$B" link set b0 up && ip -n "$B" link set b1 up
t=$(now_ms)
check "count: B's links up: B's two ports win over a3's one" \
	or_show wait_for 4 eval 'aggregated && out "$A" a3 && member_is "$A" a3 ".selection == \"standby\""'
echo "    count moved to B's aggregator $(($(now_ms) - t)) ms after B's links came up"
# A real choice: the larger aggregator wins even where its id is the higher.
ip -n "$A" link set a2 up
check "count: a2 back, two ports each: the active aggregator (B's) stays" \
	or_show wait_for 3 eval 'hears "$A" a2 $OTHER "$BKEY" && aggregated && out "$A" a2 a3 &&
				 member_is "$A" a2 ".selection == \"standby\""'
ip -n "$B" link set b1 down
check "count: b1 down: the other system's two ports win over B's one" \
	or_show wait_for 3 eval 'distributing "$A" a2 a3 && out "$A" a0 &&
				 member_is "$A" a0 ".selection == \"standby\""'
ip -n "$B" link set b1 up
stop_peer $P
stop_peer $P3
check "A: del a2,a3, back to stable" \
	or_show eval 'xbond --netns "$A" --del a2,a3 && xbond --netns "$A" --ad-select stable'
check "a0,a1 aggregated with B" or_show wait_for 10 aggregated

# ---------------------------------------------------------------------------
# 5. Malformed LACPDUs from B's side of a0: counted on a0, nothing else.
# Ten of each kind are counted exactly: each is one malformed frame on a0
# and nothing else sends malformed ones. A flood overruns the monitor's
# socket, so there only the data plane's count is exact.
probe_bg "$A" 10.96.0.2 $sport
lines0=$(log_lines "$A")
for kind in truncated version tlv-length tlv-type no-terminator; do
	m0=$(mfield "$A" a0 lacpdu_malformed)
	n0=$(mfield "$A" a1 lacpdu_malformed)
	ip netns exec "$B" "$PEER" --dev b0 --malformed $kind --flood 10
	wait_for 3 eval '[ $(mfield "$A" a0 lacpdu_malformed) -ge $((m0 + 10)) ]'
	m1=$(mfield "$A" a0 lacpdu_malformed)
	n1=$(mfield "$A" a1 lacpdu_malformed)
	check "malformed $kind x10: a0's lacpdu malformed +$((m1 - m0)) (10), a1's +$((n1 - n0))" \
		test $((m1 - m0)) = 10 -a $((n1 - n0)) = 0
done
m0=$(mfield "$A" a0 lacpdu_malformed) s0=$(bfield "$A" rx_slow_protocol)
ip netns exec "$B" "$PEER" --dev b0 --malformed tlv-length --flood 2000
check "flood of 2000: the data plane counts them all (rx slow protocol)" \
	wait_for 3 eval '[ $(bfield "$A" rx_slow_protocol) -ge $((s0 + 2000)) ]'
wait_for 3 steady mfield "$A" a0 lacpdu_malformed	# the monitor is through the flood
m1=$(mfield "$A" a0 lacpdu_malformed)
check "flood of 2000: a0's lacpdu malformed +$((m1 - m0)) (1 to 2000)" \
	test $((m1 - m0)) -ge 1 -a $((m1 - m0)) -le 2000
check "malformed LACPDUs: the aggregate is untouched" aggregated
check "... no lacp line in A's monitor log meanwhile" \
	eval '! log_since "$A" $lines0 | grep " lacp "'
probe_end
check "... 1 ms probes across lost none ($PROBE_LOST of $PROBE_SENT)" test "$PROBE_LOST" = 0

# ---------------------------------------------------------------------------
# 6. Marker: lacp_peer on B's b0 asks, A answers on a0. B's monitor sees the
# response too (its socket takes every slow frame in B) and counts it as a
# marker received on b0: lacp_peer matches its own transaction, so that
# does not matter.
r0=$(mfield "$A" a0 marker_received) s0=$(mfield "$A" a0 marker_response_sent)
marker_out=$(ip netns exec "$B" "$PEER" --dev b0 --marker 2>&1)
marker_rc=$?
check "marker: lacp_peer on b0 gets a Marker Response to its request" \
	eval '[ $marker_rc = 0 ] && grep -q "^marker response port=1 system=$OTHER " <<<"$marker_out"'
echo "    $marker_out"
check "marker: A's a0 marker received +1, response sent +1" \
	wait_for 2 eval '[ "$(mfield "$A" a0 marker_received) $(mfield "$A" a0 marker_response_sent)" = "$((r0 + 1)) $((s0 + 1))" ]'
check "marker: nothing on a1" \
	test "$(mfield "$A" a1 marker_received) $(mfield "$A" a1 marker_response_sent)" = "0 0"

# ---------------------------------------------------------------------------
# 8. --min-links 2: one link short, the bond loses carrier.
has_carrier() { ip -n "$1" -j link show xbond0 | jq -e '.[0].flags | index("LOWER_UP") and (index("NO-CARRIER") | not)'; }
no_carrier() { ip -n "$1" -j link show xbond0 | jq -e '.[0].flags | index("NO-CARRIER")'; }
check "min-links 2 applies live; both links in: xbond0 has carrier" \
	eval 'xbond --netns "$A" --min-links 2 && wait_for 2 has_carrier "$A"'
ip -n "$A" link set a1 down
check "min-links 2: a1 pulled: A's xbond0 NO-CARRIER" wait_for 3 no_carrier "$A"
ip -n "$A" link set a1 up
check "min-links 2: a1 restored: carrier back" wait_for 5 has_carrier "$A"
# A has carrier once its own two members distribute; B may be a step behind.
check "min-links 2: both ends aggregated again, ping across" eval \
	'wait_for 3 aggregated && ip netns exec "$A" ping -c 3 -i 0.01 -W 1 10.96.0.2'
check "min-links 0 again: applies live" xbond --netns "$A" --min-links 0

# ---------------------------------------------------------------------------
# 7. Live switches between balance-xor and 802.3ad on both ends: no reload.
cleanup
topo_b2b 2 || { fail "topology for the live switch"; exit 1; }
check "live switch: both ends balance-xor" eval \
	'xbond --netns "$A" --ifaces a0,a1 --mode balance-xor --hash layer3+4 &&
	 xbond --netns "$B" --ifaces b0,b1 --mode balance-xor --hash layer3+4'
ip -n "$A" addr add 10.96.0.1/24 dev xbond0
ip -n "$B" addr add 10.96.0.2/24 dev xbond0
echo_start "$A"
echo_start "$B"
check "live switch: ping across in balance-xor" ip netns exec "$A" ping -c 3 -i 0.01 -W 1 10.96.0.2
ifx() { ip -n "$1" -j link show xbond0 | jq .[0].ifindex; }
before="$(ifx "$A") $(ifx "$B") $(prog_ids "$A") $(prog_ids "$B")"
la=$(log_lines "$A") lb=$(log_lines "$B")
switch_in() {
	local t=$(now_ms)
	xbond --netns "$A" --mode 802.3ad --lacp-rate fast &&
		xbond --netns "$B" --mode 802.3ad --lacp-rate fast &&
		wait_for 10 aggregated &&
		echo "    aggregated $(($(now_ms) - t)) ms after A's switch began;" \
		     "A's neighbour entry for B then: $(ip -n "$A" neigh show 10.96.0.2)"
}
# drops NS: the bond's frames dropped for want of a member and for a member
# not collecting, summed.
drops() { status "$1" | jq '.tx_dropped_no_member + .rx_dropped_not_collecting'; }
da=$(drops "$A") db=$(drops "$B")
read -r lost sent run < <(probes_during "$A" 10.96.0.2 40000 3000 switch_in)
in_lost="$lost of $sent (longest run $run)"
in_drops="A $(($(drops "$A") - da)), B $(($(drops "$B") - db))"
echo "    switch in: frames dropped by the bonds: $in_drops"
check "switch in: both ends 802.3ad, aggregated" \
	eval 'aggregated && [ "$(live_field "$A" mode) $(live_field "$B" mode)" = "$XBOND_MODE_8023AD $XBOND_MODE_8023AD" ]'
check "switch in: 1 ms probes lost under 500 ($in_lost)" test "$lost" -lt 500
check "switch in: \"lacp started\" in both monitors' logs" \
	eval 'log_since "$A" $la | grep -q "lacp started" && log_since "$B" $lb | grep -q "lacp started"'
check "switch in: no reload (ifindex and program ids unchanged)" \
	test "$(ifx "$A") $(ifx "$B") $(prog_ids "$A") $(prog_ids "$B")" = "$before"
switch_out() {
	xbond --netns "$A" --mode balance-xor && xbond --netns "$B" --mode balance-xor &&
		wait_for 5 eval '[ "$(live_field "$A" mode) $(live_field "$B" mode)" = "$XBOND_MODE_XOR $XBOND_MODE_XOR" ]'
}
da=$(drops "$A") db=$(drops "$B")
read -r lost sent run < <(probes_during "$A" 10.96.0.2 40000 1500 switch_out)
out_lost="$lost of $sent (longest run $run)" out_drops="A $(($(drops "$A") - da)), B $(($(drops "$B") - db))"
echo "    switch out: frames dropped by the bonds: $out_drops"
check "switch out: both ends balance-xor" \
	test "$(live_field "$A" mode) $(live_field "$B" mode)" = "$XBOND_MODE_XOR $XBOND_MODE_XOR"
check "switch out: 1 ms probes lost at most 20 ($out_lost)" test "$lost" -le 20
check "switch out: the bonds dropped at most 20 frames ($out_drops)" \
	test $(($(drops "$A") - da + $(drops "$B") - db)) -le 20
check "switch out: \"lacp stopped\" in both monitors' logs" \
	eval 'log_since "$A" $la | grep -q "lacp stopped" && log_since "$B" $lb | grep -q "lacp stopped"'
# no_lacp_flags NS: no member has COLLECTING or DISTRIBUTING in the data plane.
no_lacp_flags() {
	local slot f
	for slot in 0 1; do
		f=$(member_flags "$1" $slot) || return 2
		(( f & (XBOND_MEMBER_COLLECTING | XBOND_MEMBER_DISTRIBUTING) )) && return 1
	done
	return 0
}
check "switch out: no member left collecting or distributing" \
	eval 'no_lacp_flags "$A" && no_lacp_flags "$B"'
check "switch out: no reload (ifindex and program ids unchanged)" \
	test "$(ifx "$A") $(ifx "$B") $(prog_ids "$A") $(prog_ids "$B")" = "$before"
check "switch out: ping across in balance-xor" ip netns exec "$A" ping -c 3 -i 0.01 -W 1 10.96.0.2

# ---------------------------------------------------------------------------
# 9. Passive on both ends: a passive port sends only to a partner it has
# heard is active, so neither end ever sends and nothing aggregates. A port
# sends at once as it comes up, so 2 s (twice the fast period) would show
# any LACPDU. One end made active: both aggregate.
cleanup
topo_b2b 2 || { fail "topology for passive"; exit 1; }
check "passive: both ends 802.3ad with --lacp-active off" eval \
	'xbond --netns "$A" --ifaces a0,a1 --mode 802.3ad --lacp-rate fast --lacp-active off &&
	 xbond --netns "$B" --ifaces b0,b1 --mode 802.3ad --lacp-rate fast --lacp-active off'
ip -n "$A" addr add 10.96.0.1/24 dev xbond0
ip -n "$B" addr add 10.96.0.2/24 dev xbond0
check "passive: every member has carrier" wait_for 3 eval \
	'[ "$(status "$A" | jq "[.member_list[] | select(.link == \"up\")] | length")" = 2 ] &&
	 [ "$(status "$B" | jq "[.member_list[] | select(.link == \"up\")] | length")" = 2 ]'
lacp_seen() {	# any LACPDU sent or received, or any member distributing
	local ns
	for ns in "$A" "$B"; do
		status "$ns" | jq -e '[.member_list[] | .lacpdu_sent + .lacpdu_received +
			(if .distributing == "yes" then 1 else 0 end)] | add > 0' && return 0
	done
	return 1
}
check "passive: no LACPDU either way, nothing distributing, for 2 s" eval '! wait_for 2 lacp_seen'
t=$(now_ms)
check "passive: A made active live" xbond --netns "$A" --lacp-active on
if wait_for 5 aggregated; then
	pass "one end active: aggregates ($(($(now_ms) - t)) ms)"
else
	fail "one end active: aggregates" "$(status "$A" | jq -c '.member_list')"
fi
check "... B stays passive (no Activity bit) and answers" eval \
	'! flag_set "$(mfield "$B" b0 details_actor_lacp_pdu.port_state)" $XBOND_LACP_ACTIVITY &&
	 [ "$(mfield "$B" b0 lacpdu_sent)" -gt 0 ]'
check "... ping across" ip netns exec "$A" ping -c 3 -i 0.01 -W 1 10.96.0.2

echo "    numbers: aggregation ${agg_ms:-?} ms; lost 1 ms probes: pull ${pull_lost:-?}; restore ${restore_lost:-?}; switch in ${in_lost:-?} (bond drops $in_drops); switch out ${out_lost:-?} (bond drops $out_drops)"
echo "    test_lacp.sh took $((($(date +%s%N) - T_START) / 1000000)) ms"
exit $FAILED
