#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Runs INSIDE the peer guest (bench/peer/runvm.sh, started by bench-peer.sh):
# the kernel's bonding driver, teamd and xbond side by side on one topology,
# several runs each, as TSV lines in OUTDIR/results.tsv.
#
#   H:  bond 10.77.0.1 [h0 h1]      bond0 (kernel), team0 (teamd) or xb0 (xbond);
#                       |  |        the single-link reference is h0 alone
#   S:          br0 [s0 s1 sp]      a Linux bridge is the switch; h<i> and s<i>
#                              |    are shaped with tbf at $RATE on both ends
#   P:                        p0 10.77.0.2   the peer; its link is not shaped
#
#   802.3ad (--lacp; off by default), cabled straight, as a Linux bridge does
#   not forward LACP frames; both ends' members shaped:
#   H:  bond0 or xb0 10.78.0.1 [h0 h1] ===== [b0 b1] bond0 or team0 10.78.0.2 :B
#   pairs H-B: kernel-kernel, kernel-teamd, xbond-kernel
#
# Usage: guest-bench.sh [--runs N] [--outage-runs N] [--time S] [--rate R]
#                       [--lacp] [--only PHASE,...] OUTDIR
#   PHASE: agg, failover, arp, modechange, lacp (802.3ad; default: all but lacp)
# OUTDIR/results.tsv: impl, test, run, value, unit, note.
set -u
. "$(dirname "${BASH_SOURCE[0]}")/guest-lib.sh"

RUNS=3 OUTAGE_RUNS=5 T=5 RATE=100mbit LACP=0 ONLY=agg,failover,arp,modechange
ARP_MS=100		# the ARP monitors' probe interval, the same for all three
BOND_IP=10.77.0.1 PEER_IP=10.77.0.2
UDP_PORT=9000
START_SLACK=3		# s for the outage streams to get going, see outage_run

usage() { sed -n '18,21s/^# \{0,1\}//p' "$0" >&2; exit 2; }

parse_opts() {
	while [ $# -gt 0 ]; do
		case $1 in
		--runs | --outage-runs | --time | --rate | --only) [ $# -ge 2 ] || usage ;;
		esac
		case $1 in
		--runs) RUNS=${2:-}; shift 2 ;;
		--outage-runs) OUTAGE_RUNS=${2:-}; shift 2 ;;
		--time) T=${2:-}; shift 2 ;;
		--rate) RATE=${2:-}; shift 2 ;;
		--lacp) LACP=1; shift ;;
		--only) ONLY=${2:-}; shift 2 ;;
		-*) usage ;;
		*) break ;;
		esac
	done
	[ $# -eq 1 ] || usage
	[[ $RUNS$OUTAGE_RUNS$T =~ ^[0-9]+$ ]] || usage
	((LACP)) && [[ ,$ONLY, != *,lacp,* ]] && ONLY+=,lacp
	OUT=$1
	mkdir -p "$OUT" || die "cannot create $OUT"
	RESULTS=$OUT/results.tsv
	NOTES=$OUT/notes.txt
	SCRATCH=$(mktemp -d /tmp/peer-bench.XXXXXX) || die "mktemp failed"
	mkfifo "$SCRATCH/sleep" && exec {SLEEP_FD}<>"$SCRATCH/sleep" || die "no FIFO for sleeping"
}

cleanup() {
	ns_cleanup
	[ -n "${SCRATCH:-}" ] && rm -rf "$SCRATCH"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# rec IMPL TEST RUN VALUE UNIT NOTE: one result line.
rec() {
	printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"
	log "$1 $2 #$3: $4 $5 ${6:+($6)}"
}
note() { echo "$*" >>"$NOTES"; log "$*"; }

shape() { tc -n "$1" qdisc replace dev "$2" root tbf rate "$RATE" burst 256kb latency 5ms; }

# topo_switch: H's two members to the bridge in S, and the peer P behind it.
topo_switch() {
	local i
	ns_cleanup
	log "topology"
	make_ns H h && make_ns S s && make_ns P p || die "cannot create namespaces"
	ip -n "$S" link add br0 type bridge && ip -n "$S" link set br0 up || die "no bridge"
	for i in 0 1; do
		ip link add "h$i" netns "$H" type veth peer name "s$i" netns "$S" || die "no veth"
		ip -n "$S" link set "s$i" master br0 up
		shape "$H" "h$i" && shape "$S" "s$i" || die "cannot shape h$i/s$i"
	done
	ip link add p0 netns "$P" type veth peer name sp netns "$S" || die "no veth"
	ip -n "$S" link set sp master br0 up
	ip -n "$P" addr add $PEER_IP/24 dev p0
	ip -n "$P" link set p0 up
}

# team_config MODE WATCH [balancer]: teamd's JSON for the same setup as the
# kernel bond; with "balancer", loadbalance also moves hash buckets by load
# every second (tx_balancer basic).
team_config() {
	local runner watch
	case $1 in
	active-backup) runner='{"name":"activebackup"}' ;;
	# l3 and l4: the same fields as the kernel's layer3+4.
	balance-xor) runner='{"name":"loadbalance","tx_hash":["l3","l4"]'
		[ "${3:-}" = balancer ] && runner+=',"tx_balancer":{"name":"basic","balancing_interval":10}'
		runner+='}' ;;
	esac
	case $2 in
	arp) watch="{\"name\":\"arp_ping\",\"source_host\":\"$BOND_IP\",\"target_host\":\"$PEER_IP\",
		\"interval\":$ARP_MS,\"missed_max\":2}" ;;
	*) watch='{"name":"ethtool"}' ;;
	esac
	# notify_peers: one gratuitous ARP on a port change, as the kernel's
	# num_grat_arp and xbond's --num-grat-arp default to; teamd's default, 0,
	# leaves the switch sending to the old port until the host speaks.
	echo "{\"device\":\"team0\",\"runner\":$runner,\"link_watch\":$watch,
		\"notify_peers\":{\"count\":1},\"ports\":{\"h0\":{\"prio\":10},\"h1\":{\"prio\":0}}}"
}

# mkbond IMPL MODE WATCH: the bond on h0,h1 in H, addressed, answering the
# peer. WATCH: mii:MS (carrier polled every MS), ethtool (teamd's event-driven
# watcher) or arp (ARP probes to the peer every $ARP_MS ms). Echoes its name.
mkbond() {
	local impl=$1 mode=$2 watch=$3 dev args
	case $impl in
	single)
		dev=h0
		ip -n "$H" link set h0 up ;;
	kernel)
		dev=bond0
		args=(mode "$mode")
		case $watch in
		mii:*) args+=(miimon "${watch#mii:}") ;;
		arp) args+=(arp_interval $ARP_MS arp_ip_target $PEER_IP) ;;
		esac
		[ "$mode" = balance-xor ] && args+=(xmit_hash_policy layer3+4)
		[ "$mode" = active-backup ] && args+=(primary h0)
		ip -n "$H" link add bond0 type bond "${args[@]}" || return 1
		ip -n "$H" link set h0 master bond0 && ip -n "$H" link set h1 master bond0 || return 1 ;;
	team|teambal)
		dev=team0
		# teamd enslaves only ports that are down.
		ip -n "$H" link set h0 down && ip -n "$H" link set h1 down
		ip netns exec "$H" teamd -d -r -t team0 \
			-c "$(team_config "$mode" "$watch" "$([ $impl = teambal ] && echo balancer)")" \
			>>"$SCRATCH/teamd.log" 2>&1 || return 1 ;;
	xbond)
		dev=xb0
		args=(--netns "$H" --ifaces h0,h1 --name xb0 --hash layer3+4 --mode "$mode")
		[ "$mode" = active-backup ] && args+=(--primary h0)
		case $watch in
		mii:*) args+=(--miimon "${watch#mii:}") ;;
		arp) args+=(--arp-ip-target $PEER_IP --arp-interval $ARP_MS) ;;
		esac
		"$XBONDLOAD" "${args[@]}" >/dev/null || return 1 ;;
	esac
	ip -n "$H" addr add $BOND_IP/24 dev $dev && ip -n "$H" link set $dev up || return 1
	wait_for 10 ip netns exec "$P" ping -c 1 -W 0.3 $BOND_IP || return 1
	# Both members usable (ARP watchers need a few probes), h0 active in ab.
	ready "$impl" "$mode" || return 1
	echo $dev
}

# members_up IMPL: every member usable, as the implementation itself says.
members_up() {
	case $1 in
	single) true ;;
	kernel) [ "$(ip netns exec "$H" grep -c '^MII Status: up' /proc/net/bonding/bond0)" = 3 ] ;;
	team*) ip netns exec "$H" teamdctl team0 state dump | jq -e '[.ports[].link.up] | all' ;;
	xbond) "$XBONDCTL" --netns "$H" -j status xb0 | jq -e '.usable_members == 2' ;;
	esac
}

active_of() { # IMPL
	case $1 in
	kernel) ip netns exec "$H" sed -n 's/^Currently Active Slave: //p' /proc/net/bonding/bond0 ;;
	team) ip netns exec "$H" teamdctl team0 state item get runner.active_port ;;
	xbond) "$XBONDCTL" --netns "$H" -j status xb0 | jq -r .active_member ;;
	esac
}
is_active() { [ "$(active_of "$1")" = "$2" ]; }

# CPU time spent by the whole guest, in clock ticks (USER_HZ): user, nice,
# system, irq and softirq of the first line of /proc/stat.
cpu_ticks() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8; exit }' /proc/stat; }

# iperf_run FLOWS: TCP H -> P for $T s. Echoes "Mbit/s cpu_s_per_gbit".
iperf_run() {
	local port=$((5201 + RANDOM % 500)) spid c0 c1
	rm -f "$SCRATCH/iperf.json"
	ip netns exec "$P" iperf3 -s -1 -p $port >/dev/null 2>&1 &
	spid=$!
	wait_for 5 sh -c "ip netns exec $P ss -Hltn 'sport = :$port' | grep -q ."
	c0=$(cpu_ticks)
	ip netns exec "$H" timeout $((T + 20)) iperf3 -c $PEER_IP -p $port -t "$T" -P "$1" -J \
		>"$SCRATCH/iperf.json" 2>/dev/null
	c1=$(cpu_ticks)
	kill $spid 2>/dev/null
	wait $spid 2>/dev/null
	jq -r --argjson cpu $((c1 - c0)) --argjson hz "$(getconf CLK_TCK)" '.end.sum_received |
		if . == null then "0 0" else
		"\(.bits_per_second / 1e6 * 100 | round / 100) \($cpu / $hz / (.bytes * 8 / 1e9) * 100 | round / 100)"
		end' "$SCRATCH/iperf.json" 2>/dev/null || echo "0 0"
}

# The source ports of the last iperf_run's flows: Linux's connect() picks even
# ports, which matters to hashes that fold to a parity bit.
src_ports() { [ -s "$SCRATCH/iperf.json" ] && jq -r '"; source ports " + ([.start.connected[].local_port] | map(tostring) | join(","))' "$SCRATCH/iperf.json" 2>/dev/null; }

# Under load, forking a program in this guest can take a second, so the
# outage runs time their events without one: bash's clock, and read -t on a
# FIFO that never gets data as the sleep.
sleep_until() { # NS
	local left_us=$(($1 / 1000 - ${EPOCHREALTIME/./}))
	((left_us > 0)) || return 0
	read -r -t "$((left_us / 1000000)).$(printf '%06d' $((left_us % 1000000)))" -u "$SLEEP_FD" _
	return 0
}

# outage_run SECONDS AT CMD [AT CMD ...]: a numbered UDP stream (1 datagram a
# ms, seqstream) and 1 ms pings from P to the bond, running each CMD at AT
# seconds (one decimal) after both flow, for SECONDS in all. Echoes one line
# per window, the first before the first CMD (the idle floor), then one from
# each CMD to the next or to the end: "lost_pings udp_lost udp_max_gap_ms".
# Under TCG a program can take seconds to start, so the clock starts when the
# first ping reply is back, and the streams run START_SLACK seconds longer.
outage_run() {
	local secs=$1 bins=$SCRATCH/bins ping=$SCRATCH/ping rpid spid ppid events=()
	shift
	rm -f "$bins" "$ping"
	# Real-time priority for the three measuring programs: they sleep nearly
	# all the time, and a TCG guest would otherwise hold them back for tens
	# of ms now and then, which reads as an outage.
	ip netns exec "$H" chrt -f 1 "$SEQSTREAM" recv udp $UDP_PORT $((secs + START_SLACK + 1)) "$bins" \
		>/dev/null 2>&1 &
	rpid=$!
	wait_for 3 udp_bound "$H" $UDP_PORT
	ip netns exec "$P" chrt -f 1 "$SEQSTREAM" send udp $BOND_IP $UDP_PORT $((secs + START_SLACK)) 1000 \
		>/dev/null 2>&1 &
	spid=$!
	ip netns exec "$P" chrt -f 1 ping -n -D -i 0.001 -W 1 -w $((secs + START_SLACK)) $BOND_IP \
		>"$ping" 2>&1 &
	ppid=$!
	wait_for $START_SLACK grep -q icmp_seq= "$ping" || log "no ping reply within $START_SLACK s"
	local t0 ev
	stamp t0
	while [ $# -ge 2 ]; do
		sleep_until $((t0 + ${1/./} * 100000000))
		stamp ev
		events+=("$ev")
		eval "$2" >>"$SCRATCH/events.log" 2>&1
		shift 2
	done
	wait $ppid $spid $rpid
	echo "t0 $t0 events ${events[*]}" >"$SCRATCH/events"
	outage_windows "$bins" "$ping" $((t0 + 100000000)) "${events[@]}" $((t0 + secs * 1000000000))
}

udp_bound() { [ -n "$(ss -N "$1" -Hlun "sport = :$2")" ]; } # NS PORT

# outage_windows BINS PING START_NS EVENT_NS... END_NS: the per-window figures.
outage_windows() {
	local bins=$1 ping=$2
	shift 2
	awk -v evs="$*" '
	BEGIN { nw = split(evs, ev, " ") - 1 }	# ev[1]: window 0 starts; ev[nw + 1]: all end
	function win(t,   i) {
		if (t >= ev[nw + 1]) return -1
		for (i = nw; i >= 1; i--) if (t >= ev[i]) return i - 1
		return -1
	}
	FNR == 1 { file++ }
	file == 1 && /^# start_ns/ { start = $3; next }
	file == 1 {					# ms received lost
		t = start + $1 * 1e6; w = win(t)
		if (w >= 0) ulost[w] += $3
		if ($2 > 0) {
			if (seen && $1 - last > 1) { g = $1 - last - 1; gw = win(start + (last + 1) * 1e6)
				if (gw >= 0 && g > gap[gw]) gap[gw] = g }
			seen = 1; last = $1
		}
		next
	}
	/ bytes from .*icmp_seq=/ {			# [epoch.us] 64 bytes ... icmp_seq=N; not errors
		match($0, /icmp_seq=[0-9]+/); s = substr($0, RSTART + 9, RLENGTH - 9) + 0
		ts = substr($1, 2, length($1) - 2) * 1e9
		if (!(s in got)) got[s] = ts
		next
	}
	/packets transmitted/ { tx = $1 }
	END {
		# A lost ping is charged to the window in which replies came back:
		# walk down the sequence numbers, carrying the window of the next reply.
		w = -1
		for (s = tx; s >= 1; s--) {
			if (s in got) w = win(got[s])
			else if (w >= 0) plost[w]++
		}
		# "-": ping said nothing, which must not read as nothing lost.
		for (w = 0; w < nw; w++) printf "%s %d %d\n", tx ? plost[w] + 0 : "-", ulost[w], gap[w]
	}' "$bins" "$ping"
}

# record_outage IMPL NAME RUN WINDOW_LINE NOTE: the result lines of a window.
record_outage() {
	local lp ul gap
	read -r lp ul gap <<<"$4"
	[ "$lp" = - ] && lp=
	rec "$1" "$2-lost" "$3" "${lp:-}" "lost 1 ms pings" "$5"
	rec "$1" "$2-gap" "$3" "${gap:-}" "ms, longest UDP gap" "$5"
	rec "$1" "$2-udplost" "$3" "${ul:-}" "UDP datagrams lost (1 a ms)" "$5"
}

# save_raw NAME: keep the last outage run's per-ms bins, ping log and event
# times (ns, CLOCK_REALTIME, as the bins' start_ns).
save_raw() {
	mkdir -p "$OUT/raw"
	cp "$SCRATCH/events" "$OUT/raw/$1.events" 2>/dev/null
	gzip -c "$SCRATCH/bins" >"$OUT/raw/$1.bins.gz" 2>/dev/null
	gzip -c "$SCRATCH/ping" >"$OUT/raw/$1.ping.gz" 2>/dev/null
}

# ready IMPL MODE: both members usable, and in active-backup h0 (the primary)
# active: the state every run starts from.
ready() {
	wait_for 10 members_up "$1" || return 1
	[ "$2" != active-backup ] || wait_for 5 is_active "$1" h0
}

# (1) Throughput: 1 and 8 TCP flows, the bond in balance-xor layer3+4 (teamd:
# loadbalance over l3 and l4) against the single shaped link. teambal is
# teamd with its load balancer on: plain hashing puts the flows of one host
# pair on one port (see bench/RESULTS.md). One bond per implementation, the
# runs one after the other on it.
phase_agg() {
	local impl r dev v cpu b0 b1
	for impl in single kernel team teambal xbond; do
		topo_switch
		dev=$(mkbond $impl balance-xor mii:100) || { note "$impl: no bond for the throughput runs"; continue; }
		for ((r = 1; r <= RUNS; r++)); do
			read -r v cpu <<<"$(iperf_run 1)"
			rec $impl agg-1flow $r "$v" Mbit/s "$T s"
			b0=$(tx_bytes "$H" h0) b1=$(tx_bytes "$H" h1)
			read -r v cpu <<<"$(iperf_run 8)"
			rec $impl agg-8flows $r "$v" Mbit/s \
				"member tx MB h0 $((($(tx_bytes "$H" h0) - b0) / 1000000)) h1 $((($(tx_bytes "$H" h1) - b1) / 1000000))$(src_ports)"
			rec $impl cpu-8flows $r "$cpu" "guest CPU s per Gbit" "8 flows, $dev"
		done
		[ $impl = team ] && ip netns exec "$H" teamdctl team0 state dump >"$OUT/team-loadbalance-state.json" 2>&1
	done
}

# outage_runs IMPL WATCH NAME FAIL BACK: OUTAGE_RUNS runs on one
# active-backup bond, h0's switch port failing at 1.5 s and back at 3.0 s.
# FAIL and BACK are ip commands for the switch S, given to an ip -batch that
# runs all along, so that an event takes effect when it is stamped.
outage_runs() {
	local impl=$1 watch=$2 name=$3 fail=$4 back=$5 r ws f0 f1 d0 d1
	topo_switch
	mkbond "$impl" active-backup "$watch" >/dev/null || { note "$impl $watch: no bond"; return; }
	log "$impl active-backup, $watch: up"
	exec {SWITCH_FD}> >(exec ip -force -n "$S" -batch - >>"$SCRATCH/events.log" 2>&1)
	for ((r = 1; r <= OUTAGE_RUNS; r++)); do
		ready "$impl" active-backup || { note "$impl $watch: not ready for run $r"; break; }
		f0=$(failures "$impl" h0) d0=$(backlog_drops)
		mapfile -t ws < <(outage_run 5 1.5 "echo '$fail' >&$SWITCH_FD" 3.0 "echo '$back' >&$SWITCH_FD")
		f1=$(failures "$impl" h0) d1=$(backlog_drops)
		save_raw "$impl-$name-$r"
		record_outage "$impl" "idle-$name" "$r" "${ws[0]}" "$watch; no failure yet"
		record_outage "$impl" "$name" "$r" "${ws[1]}" "$watch; h0 failures +$((f1 - f0)); backlog drops +$((d1 - d0))"
		record_outage "$impl" "${name}back" "$r" "${ws[2]}" "$watch; back to h0"
	done
	exec {SWITCH_FD}>&-
}

# Frames the kernel dropped for a full backlog, all CPUs (hex in softnet_stat).
backlog_drops() { local n=0 _ d; while read -r _ d _; do n=$((n + 16#$d)); done </proc/net/softnet_stat; echo $n; }

# failures IMPL MEMBER: how often the implementation has seen MEMBER fail.
failures() {
	case $1 in
	kernel) ip netns exec "$H" awk -v m="$2" '/^Slave Interface:/ { s = $3 }
		s == m && /^Link Failure Count:/ { print $4 }' /proc/net/bonding/bond0 ;;
	team) ip netns exec "$H" teamdctl team0 state dump |
		jq --arg m "$2" '[.ports[$m].link_watches.list[].down_count] | add' ;;
	xbond) "$XBONDCTL" --netns "$H" -j status xb0 |
		jq --arg m "$2" 'first(.. | objects | select(.member? == $m) | .failures)' ;;
	esac
}

# (2) active-backup carrier failover and recovery: h0's switch port goes
# down (h0 loses carrier), then up (h0, the primary, takes over again).
phase_failover() {
	local impl_watch impl watch
	for impl_watch in kernel:mii:100 kernel:mii:10 team:ethtool xbond:mii:100 xbond:mii:10; do
		impl=${impl_watch%%:*} watch=${impl_watch#*:}
		outage_runs "$impl" "$watch" "fo-${watch/:/}" "link set s0 down" "link set s0 up"
	done
}

# (3) A dead path with carrier up: h0's switch port leaves the bridge, then
# comes back. Only ARP monitoring can see it.
phase_arp() {
	local impl
	for impl in kernel team xbond; do
		outage_runs "$impl" arp arp "link set s0 nomaster" "link set s0 master br0"
	done
}

# What each implementation needs to go from balance-xor to active-backup.
modechange_cmd() { # IMPL
	case $1 in
	kernel)	# The mode can only change while the bond is down and has no slaves.
		echo "ip -n $H link set bond0 down; ip -n $H link set h0 nomaster; ip -n $H link set h1 nomaster;
		      ip -n $H link set bond0 type bond mode active-backup primary h0;
		      ip -n $H link set h0 master bond0; ip -n $H link set h1 master bond0; ip -n $H link set bond0 up" ;;
	team)	# teamd takes its runner from its config at start: a restart.
		echo "ip netns exec $H teamd -k -t team0; ip -n $H link set h0 down; ip -n $H link set h1 down;
		      ip netns exec $H teamd -d -r -t team0 -c '$(team_config active-backup mii:100)';
		      ip -n $H addr add $BOND_IP/24 dev team0; ip -n $H link set team0 up" ;;
	xbond)	# A map write.
		echo "$XBONDLOAD --netns $H --name xb0 --mode active-backup" ;;
	esac
}

# (4) A live mode change, balance-xor to active-backup, 1.5 s into the stream.
phase_modechange() {
	local impl r ws ms
	topo_switch
	mkbond kernel balance-xor mii:100 >/dev/null &&
		note "kernel, mode change on an up bond with slaves: $(ip -n "$H" link set bond0 type bond \
			mode active-backup 2>&1 | tr '\n' ' ')"
	for impl in kernel team xbond; do
		for ((r = 1; r <= RUNS; r++)); do
			topo_switch
			mkbond $impl balance-xor mii:100 >/dev/null || { note "$impl: bond failed (modechange run $r)"; continue; }
			# 8 s: a teamd restart under TCG takes seconds.
			# The change is timed in the eval of outage_run: names must not clash.
			mapfile -t ws < <(outage_run 8 1.5 'stamp mc0; '"$(modechange_cmd $impl)"';
				stamp mc1; echo $(((mc1 - mc0) / 1000000)) >'"$SCRATCH/mc.ms")
			ms=$(cat "$SCRATCH/mc.ms" 2>/dev/null)
			save_raw "$impl-modechange-$r"
			record_outage $impl modechange $r "${ws[1]}" "mode now: $(mode_of $impl)"
			rec $impl modechange-cmd $r "${ms:-}" "ms, the change itself" ""
		done
	done
}

mode_of() { # IMPL
	case $1 in
	kernel) ip netns exec "$H" sed -n 's/^Bonding Mode: //p' /proc/net/bonding/bond0 ;;
	team) ip netns exec "$H" teamdctl team0 state item get setup.runner_name ;;
	xbond) "$XBONDCTL" --netns "$H" -j status xb0 | jq -r .mode ;;
	esac
}

# (5) 802.3ad, off by default (--lacp), cabled straight: a Linux bridge does
# not forward LACP. Three pairs, H against B: the kernel against the kernel,
# the kernel against teamd's lacp runner, and xbond against the kernel. One
# end is always a kernel bond, and that end's /proc/net/bonding says when
# both ends distribute (its own port state and the partner's, as the
# partner's LACPDUs say). Per run: the first ping and that moment after both
# ends are up, the ports in H's aggregator, 8 TCP flows H -> B, and one
# outage run: a numbered UDP stream and pings, B -> H, 1 a ms, while B's
# port of link 0 goes down and up, and then that of link 1. Every flow runs
# on one link, so each meets exactly one pull, whatever the hashes chose.
LACP_PAIRS="kernel team xbond"
LACP_H=10.78.0.1 LACP_B=10.78.0.2

phase_lacp() {
	local pair r
	for pair in $LACP_PAIRS; do
		for ((r = 1; r <= RUNS; r++)); do
			lacp_run "$pair" "$r"
		done
	done
	ns_cleanup
}

# lacp_run PAIR RUN: one run's rows, as lacp-PAIR.
lacp_run() {
	local pair=$1 r=$2 impl=lacp-$1 t0 kns watch=$SCRATCH/kwatch ping=$SCRATCH/lacp-ping ms v cpu b0 b1
	lacp_pair "$pair" || { note "$impl: setup failed (run $r)"; return; }
	stamp t0
	# The kernel end (B against xbond, else H) watches from before.
	kns=$H
	[ "$pair" = xbond ] && kns=$B
	ip netns exec "$H" chrt -f 1 ping -n -D -i 0.01 -c 3000 -W 1 $LACP_B >"$ping" 2>&1 &
	local ppid=$!
	wait_for 30 lacp_both_dist "$kns"
	# The first reply can come after that: an ARP request retries every 1 s.
	wait_for 10 grep -q ' bytes from ' "$ping"
	kill $ppid 2>/dev/null
	wait $ppid 2>/dev/null
	kwatch_stop
	ms=$(awk -v t0="$t0" '/ bytes from .*icmp_seq=/ { printf "%.0f\n", substr($1, 2, length($1) - 2) * 1000 - t0 / 1e6; exit }' "$ping")
	rec $impl lacp-first-ping $r "$ms" ms "pings every 10 ms from when both ends are up"
	ms=$(awk -v t0="$t0" "$KAWK"'$1 >= t0 / 1e9 && dist($9) && dist($11) { print since(t0); exit }' "$watch")
	rec $impl lacp-agg $r "$ms" ms "both ends distribute on both links, by the kernel end's /proc (every 50 ms)"
	if [ -z "$ms" ]; then
		note "$impl run $r: no aggregation in 30 s: $(kstate_of "$kns")"
		ip netns exec "$kns" cat /proc/net/bonding/bond0 >"$OUT/$impl-$r-bond0.txt" 2>&1
		return
	fi
	rec $impl lacp-ports $r "$(lacp_ports "$pair")" "ports in H's active aggregator" "the kernel end: $(kstate_of "$kns")"
	if [ "$pair" = xbond ]; then
		"$XBONDCTL" --netns "$H" status xb0 >"$OUT/$impl-H.txt" 2>&1
		ip netns exec "$B" cat /proc/net/bonding/bond0 >"$OUT/$impl-B.txt"
	else
		ip netns exec "$H" cat /proc/net/bonding/bond0 >"$OUT/$impl-H.txt"
	fi
	b0=$(tx_bytes "$H" h0) b1=$(tx_bytes "$H" h1)
	read -r v cpu <<<"$(P=$B PEER_IP=$LACP_B iperf_run 8)"
	rec $impl lacp-8flows $r "$v" Mbit/s \
		"8 flows H -> B; member tx MB h0 $((($(tx_bytes "$H" h0) - b0) / 1000000)) h1 $((($(tx_bytes "$H" h1) - b1) / 1000000))"
	lacp_outage "$pair" "$r" "$kns"
}

# lacp_outage PAIR RUN KERNEL_NS: B's port of link 0 down at 1.5 s, up at
# 3.0 s; that of link 1 down at 8.0 s (the first is back in the aggregator
# by then: it takes the kernel about 2.5 s), up at 9.5 s; 14 s in all.
lacp_outage() {
	local impl=lacp-$1 r=$2 kns=$3 ws l u g sum_l sum_u max_g i
	wait_for 15 lacp_both_dist "$kns" || { note "$impl run $r: not aggregated before the outage run"; return; }
	exec {SWITCH_FD}> >(exec ip -force -n "$B" -batch - >>"$SCRATCH/events.log" 2>&1)
	mapfile -t ws < <(P=$B BOND_IP=$LACP_H outage_run 14 \
		1.5 "echo 'link set b0 down' >&$SWITCH_FD" 3.0 "echo 'link set b0 up' >&$SWITCH_FD" \
		8.0 "echo 'link set b1 down' >&$SWITCH_FD" 9.5 "echo 'link set b1 up' >&$SWITCH_FD")
	exec {SWITCH_FD}>&-
	save_raw "$impl-pull-$r"
	record_outage $impl lacp-idle "$r" "${ws[0]}" "before the first pull"
	# The two pulls together, and the two returns: lost summed, gap the longer.
	for i in pull back; do
		if [ $i = pull ]; then set -- "${ws[1]}" "${ws[3]}"; else set -- "${ws[2]}" "${ws[4]}"; fi
		read -r l u g <<<"$1"
		read -r sum_l sum_u max_g <<<"$2"
		if [ "$l" = - ] || [ "$sum_l" = - ]; then sum_l=-; else sum_l=$((l + sum_l)); fi
		record_outage $impl lacp-$i "$r" "$sum_l $((u + sum_u)) $((g > max_g ? g : max_g))" \
			"link 0 then link 1; windows: $1 / $2"
	done
	wait_for 15 lacp_both_dist "$kns" || note "$impl run $r: not aggregated again 15 s after the outage run"
}

# lacp_pair PAIR: H's bond (xbond for PAIR xbond, else the kernel's) cabled
# to B's (teamd for PAIR team, else the kernel's), both 802.3ad with
# lacp_rate fast, hashing layer3+4; H comes up first. The kernel end's state
# is watched from before the other end starts (kwatch_start).
lacp_pair() {
	local i kb=(type bond mode 802.3ad miimon 100 lacp_rate fast xmit_hash_policy layer3+4)
	ns_cleanup
	make_ns H h && make_ns B b || return 1
	for i in 0 1; do
		ip link add "h$i" netns "$H" type veth peer name "b$i" netns "$B" || return 1
		shape "$H" "h$i" && shape "$B" "b$i" || return 1
	done
	if [ "$1" = xbond ]; then
		ip -n "$B" link add bond0 "${kb[@]}" || return 1
		ip -n "$B" link set b0 master bond0 && ip -n "$B" link set b1 master bond0 || return 1
		kwatch_start "$B" "$SCRATCH/kwatch" || return 1
		"$XBONDLOAD" --netns "$H" --ifaces h0,h1 --name xb0 --mode 802.3ad --lacp-rate fast \
			--hash layer3+4 >/dev/null || return 1
		ip -n "$H" addr add $LACP_H/24 dev xb0 && ip -n "$H" link set xb0 up || return 1
		ip -n "$B" addr add $LACP_B/24 dev bond0 && ip -n "$B" link set bond0 up || return 1
		return 0
	fi
	ip -n "$H" link add bond0 "${kb[@]}" || return 1
	ip -n "$H" link set h0 master bond0 && ip -n "$H" link set h1 master bond0 || return 1
	kwatch_start "$H" "$SCRATCH/kwatch" || return 1
	ip -n "$H" addr add $LACP_H/24 dev bond0 && ip -n "$H" link set bond0 up || return 1
	if [ "$1" = kernel ]; then
		ip -n "$B" link add bond0 "${kb[@]}" || return 1
		ip -n "$B" link set b0 master bond0 && ip -n "$B" link set b1 master bond0 || return 1
		ip -n "$B" addr add $LACP_B/24 dev bond0 && ip -n "$B" link set bond0 up
	else
		ip -n "$B" link set b0 down && ip -n "$B" link set b1 down
		ip netns exec "$B" teamd -d -r -t team0 -c '{"device":"team0","runner":{"name":"lacp",
			"active":true,"fast_rate":true,"tx_hash":["l3","l4"]},"link_watch":{"name":"ethtool"},
			"ports":{"b0":{},"b1":{}}}' >>"$SCRATCH/teamd.log" 2>&1 || return 1
		ip -n "$B" addr add $LACP_B/24 dev team0 && ip -n "$B" link set team0 up
	fi
}

# lacp_ports PAIR: the ports in H's active aggregator, as H's bond says.
lacp_ports() {
	if [ "$1" = xbond ]; then
		"$XBONDCTL" --netns "$H" -j status xb0 | jq '."802.3ad_info".active_aggregator_info.number_of_ports'
	else
		ip netns exec "$H" awk '/^Active Aggregator Info/ { a = 1 } a && /Number of ports/ { print $4; exit }' \
			/proc/net/bonding/bond0
	fi
}

# lacp_both_dist NS: NS's kernel bond has both slaves distributing, both ends.
lacp_both_dist() { awk "$KAWK"'{ exit !(dist($9) && dist($11)) }' <<<"- $(kstate_of "$1")"; }

main() {
	parse_opts "$@"
	guest_setup
	note "guest: Members shaped to $RATE; $T s per iperf3 run; ARP probes every $ARP_MS ms;" \
		"teamd $(teamd -v 2>&1 | awk '{ print $2 }'), iperf3 $(iperf3 -v | awk 'NR == 1 { print $2 }')," \
		"xbond $(git -C "$TOP" describe --always --dirty 2>/dev/null || echo '(not a git checkout)')."
	local p t0
	for p in ${ONLY//,/ }; do
		t0=$SECONDS
		log "=== $p"
		case $p in
		agg) phase_agg ;;
		failover) phase_failover ;;
		arp) phase_arp ;;
		modechange) phase_modechange ;;
		lacp) phase_lacp ;;
		*) die "unknown phase $p" ;;
		esac
		note "phase $p took $((SECONDS - t0)) s"
	done
	ns_cleanup
	log "done"
}

# Sourced (to try one function by hand), it only defines them.
[ "${BASH_SOURCE[0]}" = "$0" ] && main "$@"
