#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A monitor that cannot be lost: its worker and guard bring each other back,
# so a kill -9 of either, followed at once by the active member's link
# going down, still fails over within a second. With both gone, status says
# the link states may be stale, and the next xbondload starts them again.
#
#   H: xbond0 10.91.0.1 [h0 h1]
#                        |  |
#   S:            br0 [s0 s1 sp]
#                             |
#   P:                       p0 10.91.0.2
. "$(dirname "$0")/../lib.sh"

is_active() { [ "$(live_field "$1" active)" = "$2" ]; }
pid_changed() { # NS ROLE OLD: a live process other than OLD holds ROLE
	local now
	now=$(monitor_pid "$1" "$2") && [ "$now" != "$3" ]
}

both_running() { monitor_pid "$1" worker >/dev/null && monitor_pid "$1" pid >/dev/null; }

# kill_then_pull ROLE PORT MEMBER: kill -9 the monitor's ROLE process, pull the
# switch PORT of the active member at once, and wait for MEMBER to take over.
# Echoes the milliseconds from the pull to the monitor's "active member" line
# (both wall clock), and the 1 ms pings lost meanwhile.
pull_after_kill() { # ROLE PORT: kill -9 the ROLE process, pull PORT; echo when (ms)
	kill -9 "$(monitor_pid "$H" "$1")"
	date +%s%3N >"$T0"
	ip -n "$S" link set "$2" down
}

kill_then_pull() {
	local member=$3 t1 line lost
	read -r lost _ < <(lost_pings "$P" 10.91.0.1 1500 0.001 0.3 pull_after_kill "$1" "$2")
	wait_for 2 grep -q "active member $member" <(mon_log "$H" | tail -n 3)
	line=$(mon_log "$H" | grep "active member $member" | tail -n 1)
	t1=$(date -d "${line%% *}" +%s%3N 2>/dev/null || echo 99999999999999)
	echo $((t1 - $(cat "$T0"))) "$lost"
}

T0=$(mktemp)
trap 'cleanup; rm -f "$T0"' EXIT
topo_switch 2 || { fail "topology"; exit 1; }
ip -n "$P" addr add 10.91.0.2/24 dev p0
check "create active-backup over h0,h1" xbond --netns "$H" --ifaces h0,h1 --mode active-backup
ip -n "$H" addr add 10.91.0.1/24 dev xbond0
check "the monitor's worker runs" wait_for 2 monitor_pid "$H" worker
check "... and its guard" monitor_pid "$H" pid
check "ping" wait_for 3 ip netns exec "$P" ping -c 1 -W 0.2 10.91.0.1

worker=$(monitor_pid "$H" worker)
read -r ms lost < <(kill_then_pull worker s0 h1)
echo "    worker killed, then the active link pulled: failover in $ms ms, $lost of 1 ms pings lost"
check "kill -9 of the worker, then the active link down: h1 active within 1 s ($ms ms)" \
	test "$ms" -lt 1000
check "... a new worker runs" pid_changed "$H" worker "$worker"
check "... the monitor logged the restart" grep -q "monitor restart -: the worker died" <(mon_log "$H")
ip -n "$S" link set s0 up
check "h0 back in use" wait_for 2 usable "$H" 0
xbond --netns "$H" --active h0 >/dev/null

guard=$(monitor_pid "$H" pid)
read -r ms lost < <(kill_then_pull pid s0 h1)
echo "    guard killed, then the active link pulled: failover in $ms ms, $lost of 1 ms pings lost"
check "kill -9 of the guard, then the active link down: h1 active within 1 s ($ms ms)" \
	test "$ms" -lt 1000
check "... the worker started a new guard" wait_for 2 pid_changed "$H" pid "$guard"
ip -n "$S" link set s0 up
check "h0 back in use" wait_for 2 usable "$H" 0

# Both at once: nothing is left to restart the other.
kill_monitor "$H"
check "both killed: status says no monitor runs" wait_for 2 sh -c \
	"'$XBONDCTL' --netns $H -j status | jq -e '.monitor == \"not running\"'"
check "... and that the link states shown may be stale" sh -c \
	"'$XBONDCTL' --netns $H status | grep -q '^link states: may be stale'"
check "the next xbondload starts the monitor again" xbond --netns "$H" --mode active-backup
check "... worker and guard" wait_for 2 both_running "$H"
check "a clean stop is not undone: detach leaves no monitor" xbond --netns "$H" --detach
check "... neither worker nor guard" wait_for 2 sh -c "! ip netns pids $H | grep -q ."
exit $FAILED
