#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A create killed at any point leaves nothing the next command cannot finish
# or undo. `xbondload --ifaces a0,a1,a2 --mode xor` is killed right after
# each of its steps in turn (XBOND_KILL_STEP, checked in lib/ops.c: _exit
# 137, no rollback), then at a few random times (timeout -s KILL); after
# each kill the next command must succeed: the same create again, leaving
# exactly one correct bond, or `--detach`, leaving exactly the state from
# before (links, qdiscs, filters, disable_ipv6, pins, member records,
# journals, monitors). Then two creates of one name run at once: exactly
# one of them makes the bond; the other changes nothing and says so.
#
#   H: xbond0 [a0 a1 a2]
#               |  |  |
#   S:    br0 [s0 s1 s2 sp]
#                        |
#   P:                   p0
. "$(dirname "$0")/../lib.sh"

CREATE_STEPS="link pin-dir load open-maps bond-record member-changed member-attached
	      add-members settings publish
	      attach-tx link-up monitor"
# a1 first: the first member is killed halfway, and a1 has a clsact qdisc of its own.
CREATE_ARGS="--ifaces a1,a0,a2 --mode xor"
RANDOM_KILLS=${KILLSAFE_TIMEOUTS:-"0.01 0.03 0.06 0.09 0.12 0.15 0.18"}

make_ns H h && make_ns S s && make_ns P p || { fail "namespaces"; exit 1; }
ip -n "$S" link add br0 type bridge && ip -n "$S" link set br0 up
for i in 0 1 2; do
	ip link add "a$i" netns "$H" type veth peer name "s$i" netns "$S" || { fail "links"; exit 1; }
	ip -n "$S" link set "s$i" master br0 up
	ip -n "$H" link set "a$i" address "02:00:00:92:00:a$i" up
	ip netns exec "$H" sysctl -qw "net.ipv6.conf.a$i.disable_ipv6=0"
done
ip link add p0 netns "$P" type veth peer name sp netns "$S"
ip -n "$S" link set sp master br0 up
# a1 has a clsact qdisc of its own that must stay.
tc -n "$H" qdisc add dev a1 clsact

INO=$(stat -L -c %i "/run/netns/$H")
RUN=/run/xbond/$INO
PINS=$(dirname "$(pin_dir "$H")")

# Everything a create may touch in H, as text: the same text is the same system.
system_state() {
	link_state "$H"
	echo "# pins, records, journals"
	find "$PINS" "$RUN/members" "$RUN/bonds" -mindepth 1 2>/dev/null | sort
	echo "# monitor"
	monitor_pid "$H" 2>/dev/null
}
BASELINE=$(system_state)
restored() { [ "$(system_state)" = "$BASELINE" ]; }
state_diff() { diff <(echo "$BASELINE") <(system_state) | grep '^[<>]' | head -6; }

status_json() { "$XBONDCTL" --netns "$H" -j status 2>/dev/null; }
# Exactly one bond, whole: xbond0 over a0,a1,a2 in balance-xor, programs on,
# nothing wrong with a member, one pin directory, one logical pair.
one_good_bond() {
	status_json | jq -e '.mode == "balance-xor" and .tx_program == "attached" and
		([.member_list[].member] | sort) == ["a0", "a1", "a2"] and
		([.member_list[].problems] | unique) == ["none"]' >/dev/null || return 1
	[ "$(ls "$PINS")" = xbond0 ] || return 1
	[ "$(ip -n "$H" -j link show | jq -c '[.[].ifname | select(test("^xb"))] | length')" = 2 ]
}

# What was left after a kill, cleared by hand, so that each row is its own.
force_reset() {
	local l m
	kill_monitor "$H" 2>/dev/null
	for l in $(ip -n "$H" -j link show | jq -r '.[].ifname | select(test("^xb"))'); do
		ip -n "$H" link del "$l" 2>/dev/null
	done
	for m in a0 a1 a2; do
		ip -n "$H" link set "$m" xdp off
		tc -n "$H" qdisc del dev "$m" clsact 2>/dev/null
		ip -n "$H" link set "$m" address "02:00:00:92:00:$m" mtu 1500 up
		ip netns exec "$H" sysctl -qw "net.ipv6.conf.$m.disable_ipv6=0"
	done
	tc -n "$H" qdisc add dev a1 clsact
	rm -rf "$PINS"/* "$RUN/members" "$RUN/bonds"
}

declare -A left found
ROWS=()

# killed KILL...: run the create under KILL (a prefix command), and say what it left.
killed() {
	local rc
	"$@" "$XBONDLOAD" --netns "$H" $CREATE_ARGS >/dev/null 2>&1; rc=$?
	if restored; then
		echo "nothing (rc $rc)"
	elif one_good_bond; then
		echo "whole bond (rc $rc)"
	else
		echo "half-made (rc $rc)"
	fi
}

# What the next command said it found.
found_what() {
	local m
	m=$(grep -o 'killed halfway ([^)]*)' <<<"$1" | head -1)
	echo "${m:-nothing to undo}"
}

# row ROW KILL...: kill the create as KILL says, then the same create again
# must leave one good bond; kill it again, then --detach must restore all.
row() {
	local row=$1 out rc
	shift
	ROWS+=("$row")
	left[$row]=$(killed "$@")
	if [ "$1" = env ] && [[ ${left[$row]} != *"rc 137"* ]]; then
		fail "$row: the create was killed there" "it was not: ${left[$row]}"
		left[$row]+=" NOT KILLED"
	fi
	out=$("$XBONDLOAD" --netns "$H" -v $CREATE_ARGS 2>&1); rc=$?
	found[$row.create]=$(found_what "$out")
	if [ $rc -eq 0 ] && wait_for 3 one_good_bond; then
		found[$row.create]+=", made the bond"
		pass "$row: the create again makes exactly one good bond"
	else
		found[$row.create]+=", FAILED (rc $rc)"
		fail "$row: the create again makes exactly one good bond" "exit $rc: $(tail -2 <<<"$out")" \
			"$(status_json | head -c 300)"
	fi
	if ! xbond --netns "$H" --detach >/dev/null 2>&1 || ! wait_for 3 restored; then
		fail "$row: ... and --detach then restores everything" "$(state_diff)"
		force_reset
	fi

	left[$row]+=" / $(killed "$@")"
	out=$("$XBONDLOAD" --netns "$H" -v --detach 2>&1); rc=$?
	found[$row.detach]=$(found_what "$out")
	if [ $rc -eq 0 ] && wait_for 3 restored; then
		found[$row.detach]+=", restored all"
		pass "$row: --detach after the kill restores everything"
	else
		found[$row.detach]+=", FAILED (rc $rc)"
		fail "$row: --detach after the kill restores everything" "exit $rc: $(tail -2 <<<"$out")" \
			"$(state_diff)"
		force_reset
	fi
}

for step in $CREATE_STEPS; do
	row "kill after $step" env XBOND_KILL_STEP=$step
done
for t in $RANDOM_KILLS; do
	row "timeout ${t}s" timeout -s KILL "$t"
done

printf '    %-22s %-36s %-58s %s\n' "kill" "left (1st / 2nd kill)" "next create found, did" \
	"next --detach found, did"
for r in "${ROWS[@]}"; do
	printf '    %-22s %-36s %-58s %s\n' "$r" "${left[$r]}" "${found[$r.create]}" "${found[$r.detach]}"
done

# Two creates of one name at once, with different members: one makes the
# bond, the other fails and changes nothing.
race() { # N ARGS_A ARGS_B
	local n=$1 a=$2 b=$3 out_a out_b rc_a rc_b winner loser members want
	out_a=$(mktemp) out_b=$(mktemp)
	"$XBONDLOAD" --netns "$H" $a >"$out_a" 2>&1 & pid_a=$!
	"$XBONDLOAD" --netns "$H" $b >"$out_b" 2>&1 & pid_b=$!
	wait $pid_a; rc_a=$?
	wait $pid_b; rc_b=$?
	members=$(status_json | jq -c '[.member_list[].member] | sort')
	if [ $rc_a -eq 0 ] && [ $rc_b -ne 0 ]; then
		winner=$a loser=$out_b
	elif [ $rc_b -eq 0 ] && [ $rc_a -ne 0 ]; then
		winner=$b loser=$out_a
	fi
	want=$(tr ' ' '\n' <<<"$winner" | grep -A1 -- --ifaces | tail -1 | tr ',' '\n' |
	       jq -R . | jq -sc 'sort')
	if [ -n "$winner" ] && [ "$members" = "$want" ] &&
	   grep -q 'created meanwhile by another command' "$loser"; then
		pass "race $n: one create wins ($members), the other fails and changes nothing"
	else
		fail "race $n: one create wins, the other fails and changes nothing" \
			"exit $rc_a and $rc_b, members $members" "$(cat "$out_a" "$out_b" | tail -3)"
	fi
	rm -f "$out_a" "$out_b"
	xbond --netns "$H" --detach >/dev/null 2>&1
	wait_for 3 restored || { fail "race $n: detach restores" "$(state_diff)"; force_reset; }
}
for n in 1 2 3; do
	race $n "--ifaces a0,a1 --mode xor" "--ifaces a1,a2 --mode xor"
done
race 4 "--ifaces a0,a1 --mode xor" "--ifaces a0,a1 --mode rr"
# The same create twice at once: the second is an exact no-op, and both succeed.
out=$( { xbond --netns "$H" --ifaces a0,a1,a2 --mode xor & xbond --netns "$H" --ifaces a0,a1,a2 --mode xor & wait -n; a=$?; wait -n; echo "$a $?"; } 2>&1)
check "two identical creates at once: both exit 0 ($out)" test "$out" = "0 0"
check "... and make one bond" one_good_bond
xbond --netns "$H" --detach >/dev/null 2>&1
wait_for 3 restored || { fail "identical creates: detach restores" "$(state_diff)"; force_reset; }

# Not a race: the same create again is a no-op, and --ifaces on a bond made
# earlier is still its wanted member set (README "Live changes").
check "create a bond" xbond --netns "$H" --ifaces a0,a1 --mode xor
check "the same command again, later: a no-op, exit 0" xbond --netns "$H" --ifaces a0,a1 --mode xor
check "--ifaces later is the wanted set: a1,a2" xbond --netns "$H" --ifaces a1,a2
check "... and so it is" sh -c "'$XBONDCTL' --netns $H -j status |
	jq -e '([.member_list[].member] | sort) == [\"a1\", \"a2\"]'"
check "detach" xbond --netns "$H" --detach
check "... restores everything" wait_for 3 restored
exit $FAILED
