#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Who is active, decided in one place (xbond_choose_active) from what
# xbondload and the monitor tell it: an explicit --active, a primary named
# now, a member back; otherwise the active member stays while usable, and a
# failover goes to the primary first, then to the first usable member.
#
#   H: xbond0 [h0 h1 h2]
#               |  |  |
#   S:   br0 [s0 s1 s2 sp]
#                      |
#   P:                 p0
. "$(dirname "$0")/../lib.sh"

active() { live_field "$H" active; }
is_active() { local a; a=$(active) || return 2; [ "$a" = "$1" ]; }
primary() { "$XBONDCTL" --netns "$H" -j status | jq -er .primary; }
# The config in force counts N usable members: the monitor has published.
n_usable() { local n; n=$(live_field "$H" n_tx) || return 2; [ "$n" = "$1" ]; }
port() { ip -n "$S" link set "$1" "$2"; }

topo_switch 3 || { fail "topology"; exit 1; }

# Decisions xbondload asks for; no monitor, so nothing else moves.
check "create with --primary h1" xbond --netns "$H" --ifaces h0,h1,h2 --primary h1 --no-monitor
check "... h1 is active" is_active 1
check "--primary h2 live" xbond --netns "$H" --primary h2
check "... a new primary takes over (primary_reselect always)" is_active 2
check "--primary-reselect failure --primary h0" \
	xbond --netns "$H" --primary-reselect failure --primary h0
check "... a new primary does not take over with reselect failure" is_active 2
check "... but it is the primary" test "$(primary)" = h0
check "--hash layer2+3: a change that names no member" xbond --netns "$H" --hash layer2+3
check "... the active member stays" is_active 2
check "--primary-reselect better --primary h1" \
	xbond --netns "$H" --primary-reselect better --primary h1
check "... a new primary takes over with reselect better too" is_active 1
check "--primary h0 --active h2 in one command" xbond --netns "$H" --primary h0 --active h2
check "... --active wins" is_active 2
check "... and h0 is the primary" test "$(primary)" = h0

# Decisions on what the monitor sees.
check "a monitor, primary_reselect always" xbond --netns "$H" --monitor --primary-reselect always
check "... starts" wait_for 2 monitor_pid "$H"
check "... and moves nothing" is_active 2
port s1 down
check "h1 down" wait_for 2 n_usable 2
port s1 up
check "h1 back" wait_for 2 n_usable 3
check "... a member back that is not the primary moves nothing" is_active 2
port s0 down
check "h0, the primary, down" wait_for 2 n_usable 2
check "... the active h2 stays" is_active 2
port s0 up
check "h0 back: the primary takes back over" wait_for 2 is_active 0
port s0 down
check "h0 down: failover to the first usable member, h1" wait_for 2 is_active 1
check "--failback off" xbond --netns "$H" --failback off
port s0 up
check "h0 back" wait_for 2 n_usable 3
check "... and with failback off it does not take over" is_active 1
port s1 down
check "h1 down: failover to the primary first, h0" wait_for 2 is_active 0
exit $FAILED
