#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Chaos: with a fixed, printed seed, random faults hit a live 4-member bond
# under an iperf3 flow and a 10 ms ping: switch ports down and up, ports taken
# off the bridge and back (ARP monitoring finds those), live mode switches,
# --active, --del and --add of a member, kill -9 of the monitor's worker, its
# guard or both, kill -9 of a running xbondload, and a member's tc filter or
# clsact removed. Then, with every port and member restored, the invariants:
# the monitor's view equals the kernel's link states, no bucket points at an
# unusable member, nothing is orphaned, traffic is back within 2 s, and no
# ping came back twice outside broadcast. Prints the longest ping gap around
# each event type.
#
#   H: xbond0 10.81.0.1 [h0 h1 h2 h3]
#                         |  |  |  |
#   S:             br0 [s0 s1 s2 s3 sp]
#                                    |
#   P:                              p0 10.81.0.2
#
# CHAOS_EVENTS (default 100) and CHAOS_SEED (default random) choose the run;
# make chaos runs 500 with CHAOS_FULL=1, which adds the event types whose
# repair is still being built (see NO_REPAIR_YET).
. "$(dirname "$0")/../lib.sh"

EVENTS=${CHAOS_EVENTS:-100}
SEED=${CHAOS_SEED:-$(( (RANDOM << 15 | RANDOM) ))}
[ -n "$SEED" ] || SEED=$(( (RANDOM << 15 | RANDOM) ))
RANDOM=$SEED
echo "# chaos: seed $SEED, $EVENTS events (re-run: CHAOS_SEED=$SEED CHAOS_EVENTS=$EVENTS)"

N=4
MODES=(balance-rr active-backup balance-xor broadcast)
# Removing a member's programs: the monitor's repair for that is being built
# (issue 10); until it lands, these are in make chaos only, and the orphan
# check says so when it fails after them.
NO_REPAIR_YET=(rm_filter rm_clsact)
TYPES=(port_down port_up nomaster master mode active del add kill_worker kill_guard
       kill_both kill_load)
[ -n "${CHAOS_FULL:-}" ] && TYPES+=("${NO_REPAIR_YET[@]}")

topo_switch $N || { fail "topology"; exit 1; }
check "create active-backup over h0..h3 with ARP monitoring" \
	xbond --netns "$H" --ifaces h0,h1,h2,h3 --mode active-backup --miimon 10 \
		--arp-interval 100 --arp-ip-target 10.81.0.2
ip -n "$H" addr add 10.81.0.1/24 dev xbond0
ip -n "$P" addr add 10.81.0.2/24 dev p0
check "ping before the chaos" wait_for 5 ip netns exec "$P" ping -c 1 -W 1 10.81.0.1

WORK=$(mktemp -d /tmp/xbt-chaos.XXXXXX)
# A failed run keeps its ping log and event list for reading.
trap 'cleanup; if [ "$FAILED" = 0 ]; then rm -rf "$WORK"; else echo "# kept $WORK"; fi' EXIT

# What the generator knows: members, ports down, ports off the bridge, mode.
member=(1 1 1 1) port_down=(0 0 0 0) off_bridge=(0 0 0 0) mode=active-backup
declare -A count
all_down_avoided=0 no_repair_events=0

# A member slot's path works: a member whose port is up and on the bridge.
path_ok() { [ "${member[$1]}" = 1 ] && [ "${port_down[$1]}" = 0 ] && [ "${off_bridge[$1]}" = 0 ]; }
working_paths() {
	local i n=0
	for ((i = 0; i < N; i++)); do path_ok $i && n=$((n + 1)); done
	echo $n
}
members() {
	local i list=
	for ((i = 0; i < N; i++)); do [ "${member[$i]}" = 1 ] && list+=${list:+,}h$i; done
	echo "$list"
}
pick() { # pick i CONDITION: PICKED is a random slot i for which CONDITION (with $i) holds
	local i cand=()
	for ((i = 0; i < N; i++)); do eval "$2" && cand+=($i); done
	[ ${#cand[@]} -gt 0 ] || return 1
	PICKED=${cand[RANDOM % ${#cand[@]}]}
}

# One event of type $1, in this shell (it keeps the state); WHAT says what it
# did. Returns 1 if none could be made.
event() {
	local i t
	case $1 in
	port_down)
		# The last working path stays: an outage we cause on purpose is no finding.
		pick i 'path_ok $i' || return 1
		i=$PICKED
		if [ "$(working_paths)" -le 1 ]; then all_down_avoided=$((all_down_avoided + 1)); return 1; fi
		ip -n "$S" link set "s$i" down; port_down[$i]=1; WHAT="s$i down";;
	port_up)
		pick i '[ "${port_down[$i]}" = 1 ]' || return 1
		i=$PICKED
		ip -n "$S" link set "s$i" up; port_down[$i]=0; WHAT="s$i up";;
	nomaster)
		pick i 'path_ok $i' || return 1
		i=$PICKED
		if [ "$(working_paths)" -le 1 ]; then all_down_avoided=$((all_down_avoided + 1)); return 1; fi
		ip -n "$S" link set "s$i" nomaster; off_bridge[$i]=1; WHAT="s$i nomaster";;
	master)
		pick i '[ "${off_bridge[$i]}" = 1 ]' || return 1
		i=$PICKED
		ip -n "$S" link set "s$i" master br0; off_bridge[$i]=0; WHAT="s$i master br0";;
	mode)
		t=${MODES[RANDOM % 4]}
		xbond --netns "$H" --mode "$t" >/dev/null 2>&1 && mode=$t
		WHAT="--mode $mode";;
	active)
		pick i 'path_ok $i' || return 1
		i=$PICKED
		xbond --netns "$H" --active "h$i" >/dev/null 2>&1; WHAT="--active h$i";;
	del)
		pick i '[ "${member[$i]}" = 1 ]' || return 1
		i=$PICKED
		# Two members stay, and one of them with a working path.
		member[$i]=0
		if [ "$(echo "$(members)" | tr , '\n' | wc -l)" -lt 2 ] || [ "$(working_paths)" -lt 1 ]; then
			member[$i]=1; all_down_avoided=$((all_down_avoided + 1)); return 1
		fi
		xbond --netns "$H" --del "h$i" >/dev/null 2>&1 || member[$i]=1
		WHAT="--del h$i";;
	add)
		pick i '[ "${member[$i]}" = 0 ]' || return 1
		i=$PICKED
		xbond --netns "$H" --add "h$i" >/dev/null 2>&1 && member[$i]=1
		WHAT="--add h$i";;
	kill_worker)
		kill -9 "$(monitor_pid "$H" worker)" 2>/dev/null; WHAT="kill -9 worker";;
	kill_guard)
		kill -9 "$(monitor_pid "$H" pid)" 2>/dev/null; WHAT="kill -9 guard";;
	kill_both)
		kill_monitor "$H" 2>/dev/null; WHAT="kill -9 worker and guard"
		# Any xbondload command brings the monitor back.
		xbond --netns "$H" --mode "$mode" >/dev/null 2>&1;;
	kill_load)
		t=$(printf '0.%03d' $((RANDOM % 200)))
		( timeout -s KILL "$t" "$XBONDLOAD" --netns "$H" --mode "${MODES[RANDOM % 4]}" \
			>/dev/null 2>&1; : ) 2>/dev/null	# ':' keeps bash from saying "Killed"
		# Killed or not, what is live now is what counts.
		mode=$(live_field "$H" mode 2>/dev/null | sed 's/^0$/balance-rr/;s/^1$/active-backup/;s/^2$/balance-xor/;s/^3$/broadcast/')
		WHAT="xbondload killed after ${t}s, mode now $mode";;
	rm_filter)
		pick i '[ "${member[$i]}" = 1 ]' || return 1
		i=$PICKED
		ip netns exec "$H" tc filter del dev "h$i" ingress 2>/dev/null
		no_repair_events=$((no_repair_events + 1)); WHAT="tc filter del dev h$i ingress";;
	rm_clsact)
		pick i '[ "${member[$i]}" = 1 ]' || return 1
		i=$PICKED
		ip netns exec "$H" tc qdisc del dev "h$i" clsact 2>/dev/null
		no_repair_events=$((no_repair_events + 1)); WHAT="tc qdisc del dev h$i clsact";;
	esac
}

# The flows: a 10 ms ping with timestamps, and iperf3 both ways of the bond.
ip netns exec "$P" ping -D -i 0.01 -W 1 10.81.0.1 >"$WORK/ping" 2>&1 &
ping_pid=$!
ip netns exec "$H" iperf3 -s -p 5399 -B 10.81.0.1 --logfile /dev/null &
wait_for 5 ip netns exec "$H" sh -c 'ss -ltn | grep -q :5399'
ip netns exec "$P" iperf3 -c 10.81.0.1 -p 5399 -t 3600 -b 200M --logfile /dev/null &
iperf_pid=$!
sleep 0.5

: >"$WORK/events"
made=0 tries=0
while [ $made -lt "$EVENTS" ] && [ $tries -lt $((EVENTS * 20)) ]; do
	tries=$((tries + 1))
	type=${TYPES[RANDOM % ${#TYPES[@]}]}
	start=$(date +%s.%N)
	event "$type" || continue
	made=$((made + 1))
	count[$type]=$((${count[$type]:-0} + 1))
	echo "$start $type $WHAT" >>"$WORK/events"
	# 50 to 550 ms between events: faults overlap with recoveries.
	sleep "$(printf '0.%03d' $((50 + RANDOM % 500)))"
done
echo "# $made events in $tries draws; $all_down_avoided would have left no working path (not made)"

# Restore: every port up and on the bridge, every member back, programs back.
for ((i = 0; i < N; i++)); do
	ip -n "$S" link set "s$i" master br0 2>/dev/null
	ip -n "$S" link set "s$i" up
	port_down[$i]=0 off_bridge[$i]=0
done
last_fault=$(date +%s.%N)
xbond --netns "$H" --ifaces h0,h1,h2,h3 >/dev/null 2>&1 || echo "# restoring the members failed"
member=(1 1 1 1)
mode=$(live_field "$H" mode)
check "traffic is back within 2 s of the last fault" \
	wait_for 2 ip netns exec "$P" ping -c 1 -W 1 10.81.0.1
recovered=$(date +%s.%N)
echo "# ping back $(awk -v a="$last_fault" -v b="$recovered" 'BEGIN { printf "%.3f", b - a }') s after the restore"
sleep 1.5	# updelay 0, ARP interval 100 ms: every member usable again by now
kill "$iperf_pid" 2>/dev/null
kill -INT "$ping_pid" 2>/dev/null; wait "$ping_pid" 2>/dev/null

# The longest ping gap from each event to the next: which fault hurt most.
read_gaps() {
	awk -v events="$WORK/events" '
		BEGIN { while ((getline l < events) > 0) { split(l, f, " "); n++; t[n] = f[1] + 0; ty[n] = f[2] } }
		/bytes from/ { gsub(/[\[\]]/, "", $1); r[++m] = $1 + 0 }
		END {
			for (e = 1; e <= n; e++) {
				end = e < n ? t[e + 1] : t[e] + 2; prev = t[e]; gap = 0
				for (k = 1; k <= m; k++) {
					if (r[k] < t[e]) continue
					if (r[k] > end + 1) break
					if (r[k] - prev > gap) gap = r[k] - prev
					prev = r[k]
				}
				if (gap > worst[ty[e]]) worst[ty[e]] = gap
			}
			for (x in worst) printf "%s %d\n", x, worst[x] * 1000
		}' "$WORK/ping"
}
echo "# longest ping gap (ms) after each event type, and how many:"
while read -r type ms; do
	printf '#   %-12s %6d ms  (%d events)\n' "$type" "$ms" "${count[$type]}"
done < <(read_gaps | sort)

# --- Invariants ---

# The monitor's view equals the kernel's: each member's CARRIER and ADMIN_UP
# flags against ip -j link. Polled: the monitor acts within its miimon.
flags_match_kernel() {
	local i slot ifindex f link up carrier
	for ((i = 0; i < N; i++)); do
		ifindex=$(ip -n "$H" -j link show "h$i" | jq '.[0].ifindex')
		slot=$(live_config "$H" | jq --argjson x "$ifindex" '.member_ifindex | index($x)') || return 2
		[ "$slot" != null ] || { echo "h$i is no member" >&2; return 1; }
		f=$(member_flags "$H" "$slot") || return 2
		link=$(ip -n "$H" -j link show "h$i")
		up=$(jq '[.[0].flags[] | select(. == "UP")] | length' <<<"$link")
		carrier=$(jq '[.[0].flags[] | select(. == "LOWER_UP")] | length' <<<"$link")
		if [ $(( !!(f & XBOND_MEMBER_ADMIN_UP) )) != "$up" ] ||
		   [ $(( !!(f & XBOND_MEMBER_CARRIER) )) != "$carrier" ]; then
			echo "h$i (slot $slot): flags $f, kernel UP=$up LOWER_UP=$carrier" >&2
			return 1
		fi
	done
}
check "the monitor's member flags equal the kernel's link states" wait_for 3 flags_match_kernel
out=$(flags_match_kernel 2>&1) || echo "    $out"

# No bucket and no tx entry points at a member the data plane may not use.
buckets_usable() {
	local cfg slot bad=0
	cfg=$(live_config "$H") || return 2
	for slot in $(jq -r '[.buckets[], .tx_members[:.n_tx][]] | unique | .[]' <<<"$cfg"); do
		[ "$slot" = "$XBOND_NO_MEMBER" ] && continue
		usable "$H" "$slot" || { echo "slot $slot is in use but unusable" >&2; bad=1; }
	done
	[ "$(jq '.n_tx' <<<"$cfg")" -ge 1 ] || { echo "no usable member at all" >&2; bad=1; }
	return $bad
}
check "no bucket or tx entry points at an unusable member" wait_for 3 buckets_usable

# Nothing orphaned: members carry our programs, non-members none, and the
# pins are the live bond's only.
no_orphans() {
	local net dev ours bad=0
	net=$(ip netns exec "$H" bpftool net -j) || return 2
	for dev in $(ip -n "$H" -j link | jq -r '.[].ifname'); do
		ours=$(jq --arg d "$dev" '[.[] | (.xdp, .tc)[]? | select(.devname == $d) |
			select((.name // "") | test("^(rx_filter|rx_filter_tc|rx_redirect|tx_select)(:|$)"))] | length' <<<"$net")
		case $dev in
		h[0-3]) [ "$ours" -ge 1 ] || { echo "member $dev has none of our programs" >&2; bad=1; };;
		xbond0) [ "$ours" -ge 1 ] || { echo "xbond0 lost tx_select" >&2; bad=1; };;
		*) [ "$ours" = 0 ] || { echo "$dev is no member but runs $ours of our programs" >&2; bad=1; };;
		esac
	done
	[ $bad = 0 ] || echo "bpftool net: $(jq -c '[.[] | (.xdp, .tc)[]?]' <<<"$net")" >&2
	for dev in $(ls "$(dirname "$(pin_dir "$H")")"); do
		[ "$dev" = xbond0 ] || [[ $dev == *.* ]] ||
			{ echo "pins for $dev, which is no live bond" >&2; bad=1; }
	done
	return $bad
}
if no_orphans 2>"$WORK/orphans"; then
	pass "nothing orphaned: members run our programs, nothing else does, pins only for xbond0"
elif [ "$no_repair_events" -gt 0 ]; then
	fail "nothing orphaned (after $no_repair_events program removals: the monitor's repair" \
		"for removed programs is not built yet, issue 10)" "$(cat "$WORK/orphans")"
else
	fail "nothing orphaned: members run our programs, nothing else does, pins only for xbond0" \
		"$(cat "$WORK/orphans")"
fi

# No ping delivered twice outside broadcast. Each DUP! is put down to the
# mode live when it came (or 100 ms before: copies in flight). In
# balance-rr and balance-xor every member takes what arrives, as the kernel's
# bonding does, so the bridge's flooding of unknown unicast (its FDB is
# flushed when a port goes down or leaves) duplicates there: counted, not
# failed. In active-backup only the active takes frames, except in the 500 ms
# grace window after an active change, when backups take unicast to the
# bond's MAC: a flooded frame then arrives twice. Those are counted apart;
# an active-backup DUP! outside that window fails.
classify_dups() {
	awk -v events="$WORK/events" '
		BEGIN { while ((getline l < events) > 0) { split(l, f, " "); n++; t[n] = f[1] + 0; m[n] = l } }
		function mode_at(ts,   e, last) {
			last = "active-backup"
			for (e = 1; e <= n; e++) if (t[e] <= ts && m[e] ~ /--mode|killed/) {
				last = m[e]; sub(/.*(--mode |mode now )/, "", last) }
			return last
		}
		function last_event(ts,   e, last) {
			last = 0; for (e = 1; e <= n; e++) if (t[e] <= ts) last = t[e]
			return last
		}
		/DUP!/ { gsub(/[\[\]]/, "", $1); ts = $1 + 0; a = mode_at(ts); b = mode_at(ts - 0.1)
			if (a == "broadcast" || b == "broadcast") c["broadcast"]++
			else if (a != "active-backup" || b != "active-backup") c["rr_xor"]++
			else if (ts - last_event(ts) < 0.6) c["ab_grace"]++
			else c["ab"]++ }
		END { printf "%d %d %d %d\n", c["broadcast"], c["rr_xor"], c["ab_grace"], c["ab"] }' "$WORK/ping"
}
read -r dup_bcast dup_rrxor dup_grace dup_ab < <(classify_dups)
echo "# DUP!s: $dup_bcast in broadcast, $dup_rrxor in balance-rr/xor (switch flooding)," \
	"$dup_grace in active-backup within 600 ms of an event (grace window), $dup_ab other"
check "no ping delivered twice in active-backup outside the grace window ($dup_ab)" \
	test "$dup_ab" = 0

check "a ping after the checks still works (mode $mode)" \
	ip netns exec "$P" ping -c 3 -i 0.01 -W 1 10.81.0.1
exit $FAILED
