#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Whole or nothing: a create, and an update that adds and removes members and
# changes the MTU, MAC, mode and primary, each made to fail at every one of
# its steps in turn (XBOND_FAIL_STEP, checked in lib/ops.c). After each
# failure the system must be exactly as before: links (MAC, MTU, flags, XDP),
# tc qdiscs and filters, members' disable_ipv6, the pins, the bond's records
# and live config, and xbondctl status.
#
#   H: xbond0 [h0 h1]          the update: --ifaces h1,h2
#               |  |  h2
#               |  |  |
#   S:   br0 [s0 s1 s2 sp]
#                      |
#   P:                 p0
. "$(dirname "$0")/../lib.sh"

CREATE_STEPS="link pin-dir load open-maps bond-record add-members settings publish
	      attach-tx link-up monitor"
UPDATE_STEPS="add-members settings mtu mac remove-members publish monitor"
CREATE_ARGS="--ifaces h0,h1 --mode active-backup --primary h0"
UPDATE_ARGS="--ifaces h1,h2 --mtu 1400 --mac 02:00:00:00:5e:07 --mode balance-xor
	     --hash layer3+4 --primary h2"

# Traffic counters move by themselves (IPv6 from the bond): not state.
no_counters='with_entries(select(.key | test("packets|bytes|dropped") | not))'

# Everything a create or update may touch in namespace NS, as text: the same
# text is the same system.
system_state() {
	local ns=$1 dir
	dir=$(pin_dir "$ns")
	echo "# links"
	link_state "$ns" ifindex
	echo "# pins"
	find "$(dirname "$dir")" -mindepth 1 2>/dev/null | sort
	if [ -d "$dir" ]; then
		echo "# records and live config"
		map_dump "$ns" xbond_bond
		map_dump "$ns" xbond_members
		live_config "$ns"
	fi
	echo "# status"
	"$XBONDCTL" --netns "$ns" -j status |
		jq -Sc "$no_counters | if .member_list then .member_list |= map($no_counters) else . end"
}

# state_is NS STATE: NS is in STATE now.
state_is() { [ "$(system_state "$1")" = "$2" ]; }

# The first lines where NS differs from STATE, for a failure message.
state_diff() { diff <(echo "$2") <(system_state "$1") | grep '^[<>]' | head -6; }

declare -A result

# fail_at KIND STEP STATE ARGS...: xbondload ARGS failing at STEP must say so
# and leave H in STATE.
fail_at() {
	local kind=$1 step=$2 state=$3 out rc
	shift 3
	out=$(XBOND_FAIL_STEP=$step "$XBONDLOAD" --netns "$H" "$@" 2>&1); rc=$?
	if [ $rc -eq 0 ] || ! grep -q "step $step: failing on purpose" <<<"$out"; then
		result[$kind.$step]="not reached"
		fail "$kind fails at step $step" "exit $rc: $(tail -2 <<<"$out")"
	elif ! wait_for 3 state_is "$H" "$state"; then
		result[$kind.$step]="LEFT CHANGES"
		fail "$kind fails at step $step: all undone" "$(state_diff "$H" "$state")"
	else
		result[$kind.$step]="undone"
		pass "$kind fails at step $step: all undone"
	fi
}

# fail_each_step KIND STEPS ARGS...: xbondload ARGS, failing at each of STEPS
# in turn, leaves H as it is now; with no step failing, it changes H.
fail_each_step() {
	local kind=$1 steps=$2 state step
	shift 2
	state=$(system_state "$H")
	for step in $steps; do
		fail_at "$kind" "$step" "$state" "$@"
	done
	check "$kind with no step failing" xbond --netns "$H" "$@"
	check "... changes what the checks compare" test "$(system_state "$H")" != "$state"
}

# The monitor has seen both members up: nothing left for it to write.
settled() {
	local slot f
	monitor_pid "$H" >/dev/null || return 1
	for slot in 0 1; do
		f=$(member_flags "$H" $slot) || return 2
		(( f & XBOND_MEMBER_SEEN_UP )) || return 1
	done
}

topo_switch 3 || { fail "topology"; exit 1; }

fail_each_step create "$CREATE_STEPS" $CREATE_ARGS
check "... and its monitor settles" wait_for 3 settled
fail_each_step update "$UPDATE_STEPS" $UPDATE_ARGS
check "... to balance-xor over h1,h2 at MTU 1400" sh -c \
	"'$XBONDCTL' --netns $H -j status | jq -e '.mode == \"balance-xor\" and
	 ([.member_list[].member] | sort) == [\"h1\", \"h2\"]' &&
	 [ \$(ip -n $H -j link show h0 | jq '.[0].mtu') = 1500 ] &&
	 [ \$(ip -n $H -j link show h2 | jq '.[0].mtu') = 1400 ]"

printf '    %-16s %-14s %s\n' step create update
for step in $(echo $CREATE_STEPS $UPDATE_STEPS | tr ' ' '\n' | awk '!seen[$0]++'); do
	printf '    %-16s %-14s %s\n' "$step" "${result[create.$step]:--}" \
		"${result[update.$step]:--}"
done
exit $FAILED
