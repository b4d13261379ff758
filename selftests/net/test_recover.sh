#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Whatever is deleted, renamed, moved or killed under a bond, xbond finds and
# undoes what it changed, and says so while the damage stands. With a monitor
# running, it repairs what can be repaired (programs taken off, a member's
# MAC or MTU, a removed pin) and gives the members back when the bond's
# interface is deleted or renamed, or a member leaves the namespace. With
# every monitor process killed first, `xbondctl status` names the damage and
# the command that fixes it, and `xbondload --name xb --detach` puts every
# member back exactly, from the member records if the pins are gone. After
# each scenario the members are compared with how they were before the first
# bond (MAC, MTU, up, XDP, qdiscs, tc filters, disable_ipv6), and the next
# scenario's create over them is the proof that nothing still holds them.
#
#   H: xb 10.91.0.1 [a0 a1]          Q: (a member moved here)
#                    |  |
#   S:       br0 [s0 s1 sp]
#                        |
#   P:                   p0 10.91.0.2   (pings xb every 10 ms)
. "$(dirname "$0")/../lib.sh"

make_ns H h && make_ns S s && make_ns P p && make_ns Q q || { fail "namespaces"; exit 1; }
ip -n "$S" link add br0 type bridge && ip -n "$S" link set br0 up
for i in 0 1; do
	ip link add "a$i" netns "$H" type veth peer name "s$i" netns "$S" || { fail "links"; exit 1; }
	ip -n "$S" link set "s$i" master br0 up
done
ip link add p0 netns "$P" type veth peer name sp netns "$S"
ip -n "$S" link set sp master br0 up
ip -n "$P" addr add 10.91.0.2/24 dev p0 && ip -n "$P" link set p0 up
# How the members are before any bond: their own MACs, both up with IPv6 on,
# a1 with a clsact qdisc of its own that must stay.
ip -n "$H" link set a0 address 02:00:00:91:00:a0 up
ip -n "$H" link set a1 address 02:00:00:91:00:a1 up
ip netns exec "$H" sysctl -qw net.ipv6.conf.a0.disable_ipv6=0 net.ipv6.conf.a1.disable_ipv6=0
tc -n "$H" qdisc add dev a1 clsact

INO=$(stat -L -c %i "/run/netns/$H")
RECORDS=/run/xbond/$INO/members
PINS=$(pin_dir "$H" xb)

# Everything xbond may change on member DEV, wherever it is (NS).
member_state() { # NS DEV
	ip -n "$1" -j link show "$2" |
		jq -c '.[0] | {ifname, address, mtu, up: (.flags | index("UP") != null), xdp}'
	ip netns exec "$1" cat "/proc/sys/net/ipv6/conf/$2/disable_ipv6"
	tc -n "$1" -j qdisc show dev "$2" | jq -c '[.[] | select(.kind != "noqueue" and .kind != "noop") | .kind]'
	tc -n "$1" -j filter show dev "$2" ingress | jq -c '[.[] | .options.prog.id? // .kind]'
	tc -n "$1" -j filter show dev "$2" egress | jq -c '[.[] | .options.prog.id? // .kind]'
}
# The members, and nothing of a bond left: no link, no pins, no records.
system_state() {
	member_state "$H" a0
	member_state "$H" a1
	ip -n "$H" -j link show | jq -c '[.[].ifname | select(test("^(xb|xbp)"))]'
	ls "$PINS" "$RECORDS" 2>&1 | grep -v 'No such file'
}
BASELINE=$(system_state)
state_diff() { diff <(echo "$BASELINE") <(system_state) | grep '^[<>]' | head -6; }
restored() { [ "$(system_state)" = "$BASELINE" ]; }

# The monitor's log since the scenario began.
LOG=/run/xbond/$INO/xb.log
log_mark() { MARK=$(cat "$LOG" 2>/dev/null | wc -l); }
log_since() { tail -n +$((MARK + 1)) "$LOG" 2>/dev/null; }
logged() { log_since | grep -Eq -- "$1"; }

status_json() { "$XBONDCTL" --netns "$H" -j status xb 2>/dev/null; }
status_is() { status_json | jq -e "$1" >/dev/null; }
all_well='.tx_program == "attached" and ([.member_list[].problems] | unique) == ["none"]'

declare -A outcome
SCENARIOS=()
# settle OUTCOME: the scenario's outcome, unless a failure was noted first.
settle() { [ "${outcome[$SCENE]}" = - ] && outcome[$SCENE]=$1; return 0; }
# Any failure in a scenario is noted as its outcome, if nothing more precise is.
eval "lib_$(declare -f fail)"
fail() {
	lib_fail "$@"
	[ -n "${SCENE:-}" ] && [ "${outcome[$SCENE]}" = - ] && outcome[$SCENE]="FAILED: $1"
	return 0
}

# What a scenario that failed left behind, cleared by hand so that the next
# one starts from the baseline again: each scenario's outcome is its own.
force_reset() {
	local l m
	kill_monitor "$H" xb 2>/dev/null
	kill_monitor "$H" xc 2>/dev/null
	ip -n "$Q" link set a1 netns "$H" 2>/dev/null
	ip -n "$H" link set a1x name a1 2>/dev/null
	for l in $(ip -n "$H" -j link show | jq -r '.[].ifname | select(test("^(xb|xc|xbp)"))'); do
		ip -n "$H" link del "$l" 2>/dev/null
	done
	for m in a0 a1; do
		ip -n "$H" link set "$m" xdp off
		tc -n "$H" qdisc del dev "$m" clsact 2>/dev/null
		ip -n "$H" link set "$m" down
		ip -n "$H" link set "$m" address "02:00:00:91:00:$m" mtu 1500 up
		ip netns exec "$H" sysctl -qw "net.ipv6.conf.$m.disable_ipv6=0"
	done
	tc -n "$H" qdisc add dev a1 clsact
	rm -rf "$PINS" "$(dirname "$PINS")/xc" "$RECORDS"
}

# begin NAME CREATE_ARGS...: a new bond xb over a0,a1 (so, the proof that the
# last scenario left nothing behind), pinging, its monitor settled.
begin() {
	SCENE=$1
	shift
	SCENARIOS+=("$SCENE")
	outcome[$SCENE]="-"
	log_mark
	if ! xbond --netns "$H" --name xb --ifaces a0,a1 "$@" >/dev/null ||
	   ! ip -n "$H" addr add 10.91.0.1/24 dev xb ||
	   ! wait_for 5 ip netns exec "$P" ping -c 1 -W 0.2 10.91.0.1 ||
	   ! wait_for 3 status_is '.monitor == "running" and ([.member_list[].link] | unique) == ["up"]'; then
		fail "$SCENE: a new create over a0,a1 works" "$(status_json | head -c 600)"
		outcome[$SCENE]="CREATE FAILED"
		force_reset
		return 1
	fi
	pass "$SCENE: a new create over a0,a1 works"
}

# put_back NAME: a0 and a1 are as they were before any bond.
put_back() {
	if wait_for 3 restored; then
		pass "$1: every member put back exactly"
		return 0
	fi
	fail "$1: every member put back exactly" "$(state_diff)"
	outcome[$SCENE]="LEFT CHANGES"
	force_reset
	return 1
}

# detach_ok NAME: --detach exits 0 and puts everything back.
detach_ok() {
	local out rc=0
	if out=$("$XBONDLOAD" --netns "$H" --name xb --detach 2>&1); then
		pass "$1: --detach exits 0"
	else
		fail "$1: --detach exits 0" "$out"
		outcome[$SCENE]="DETACH FAILED"
		rc=1
	fi
	put_back "$1" && return $rc
}

# pings_through NAME CMD...: with a 10 ms ping running, CMD breaks something
# that the monitor must repair at once: a few pings lost at most, and the
# bond forwards afterwards.
pings_through() {
	local name=$1 lost sent
	shift
	read -r lost sent < <(lost_pings "$P" 10.91.0.1 150 0.01 0.3 "$@")
	if [ "$lost" -le 10 ] && ip netns exec "$P" ping -c 3 -i 0.05 -W 1 10.91.0.1 >/dev/null; then
		pass "$name: traffic goes on ($lost of $sent pings lost)"
	else
		fail "$name: traffic goes on" "$lost of $sent pings lost"
		outcome[$SCENE]="TRAFFIC STOPPED"
	fi
}

# repaired NAME REGEX: the monitor logged the repair, and status shows all well.
repaired() {
	if wait_for 3 logged "$2" && wait_for 3 status_is "$all_well"; then
		pass "$1: repaired, logged: $(log_since | grep -E -- "$2" | head -1 | sed 's/^[^ ]* //')"
		settle "repaired"
	else
		fail "$1: repaired and logged" "log: $(log_since | tail -3)" \
			"status: $(status_json | head -c 400)"
		outcome[$SCENE]="NOT REPAIRED"
	fi
}

# released NAME REGEX: the monitor gave the members back, logged why, stopped cleanly.
released() {
	local worker=/run/xbond/$INO/xb.worker
	if wait_for 5 restored && wait_for 3 logged "$2" &&
	   wait_for 3 grep -qx stopped "$worker"; then
		pass "$1: the monitor gave the members back and stopped: $(log_since |
			grep -E -- "$2" | head -1 | sed 's/^[^ ]* //')"
		settle "released by the monitor"
	else
		fail "$1: the monitor gave the members back and stopped" "$(state_diff)" \
			"log: $(log_since | tail -3)" "worker file: $(cat "$worker" 2>&1)"
		outcome[$SCENE]="NOT RELEASED"
		force_reset
	fi
}

# says NAME JQ: status (JSON) says what the damage is while it stands.
says() {
	if wait_for 3 status_is "$2"; then
		pass "$1: status says so: $(status_json | jq -c "$3")"
	else
		fail "$1: status says so" "$(status_json | head -c 400)"
		outcome[$SCENE]="STATUS SILENT"
	fi
}

dead_detach() { # NAME: status names the damage and the fix, and the fix works
	says "$1" '.error and (.held_members | length) == 2 and
		(.fix | test("xbondload --name xb --detach"))' '{error, held_members, fix}'
	detach_ok "$1" && settle "put back by --detach"
}

# --- With the monitor running -------------------------------------------------

begin "xb deleted" && {
	ip -n "$H" link del xb
	released "xb deleted" "bond gone.*deleted.*members given back"
}

begin "xb renamed" && {
	ip -n "$H" link set xb name xbR
	released "xb renamed" "bond gone.*renamed xbR.*members given back"
	check "... and xbR, useless now, is gone with its peer" \
		sh -c "! ip -n $H link show xbR 2>/dev/null"
}

begin "pin removed" && {
	pings_through "pin removed" rm "$PINS/xbond_members"
	repaired "pin removed" "repaired -: 1 removed pins pinned again"
	check "pin removed: the pin is back" test -e "$PINS/xbond_members"
	detach_ok "pin removed"
}

begin "tc qdisc del on xb" && {
	pings_through "tc qdisc del on xb" tc -n "$H" qdisc del dev xb clsact
	repaired "tc qdisc del on xb" "repaired -: tx_select gone from tc egress: attached again"
	detach_ok "tc qdisc del on xb"
}

begin "tc qdisc del on a0" && {
	pings_through "tc qdisc del on a0" tc -n "$H" qdisc del dev a0 clsact
	repaired "tc qdisc del on a0" "repaired a0: rx_filter_tc gone from tc ingress: attached again"
	detach_ok "tc qdisc del on a0"
}

begin "XDP and tc off a0 (native)" --xdp-mode native && {
	f=$(member_flags "$H" 0 xb)
	check "XDP and tc off a0 (native): a0 runs native XDP" test $((f & XBOND_MEMBER_RX_TC)) = 0
	pings_through "XDP and tc off a0 (native)" sh -c "ip -n $H link set a0 xdp off;
		tc -n $H filter del dev a0 ingress"
	repaired "XDP and tc off a0 (native)" "repaired a0: rx_filter gone from XDP.*attached again"
	check "... rx_redirect too" logged "repaired a0: .*rx_redirect gone from tc ingress.*attached again"
	detach_ok "XDP and tc off a0 (native)"
}

begin "a0's MAC and MTU set" && {
	ip -n "$H" link set a0 address 02:00:00:91:00:ee
	ip -n "$H" link set a0 mtu 1400
	repaired "a0's MAC and MTU set" "repaired a0: MTU 1400 set back to the bond's 1500"
	check "... its MAC too" logged "repaired a0: MAC 02:00:00:91:00:ee set back"
	detach_ok "a0's MAC and MTU set"
}

begin "a1 renamed" && {
	ip -n "$H" link set a1 name a1x
	check "a1 renamed: the monitor notes it" wait_for 3 logged "member renamed a1: now a1x"
	check "... status shows the new name" wait_for 3 status_is \
		'[.member_list[].member] | sort == ["a0", "a1x"]'
	"$XBONDLOAD" --netns "$H" --name xb --detach >/dev/null 2>&1
	check "a1 renamed: detach turns IPv6 back on under its new name" \
		test "$(ip netns exec "$H" cat /proc/sys/net/ipv6/conf/a1x/disable_ipv6)" = 0
	ip -n "$H" link set a1x name a1
	put_back "a1 renamed" && settle "put back by --detach"
}

begin "a1 moved to Q (native)" --xdp-mode native && {
	ip -n "$H" link set a1 netns "$Q"
	check "a1 moved to Q (native): the monitor gives it back there" wait_for 5 sh -c "
		ip -n $Q -j link show a1 | jq -e '.[0] | .address == \"02:00:00:91:00:a1\" and
			.mtu == 1500 and .xdp == null'"
	check "... logs it" wait_for 3 logged "member left a1: moved to another network namespace"
	check "... and the bond goes on with a0" wait_for 3 status_is \
		"$all_well and ([.member_list[].member] == [\"a0\"])"
	check "a1 moved to Q (native): --detach of what is left exits 0" \
		"$XBONDLOAD" --netns "$H" --name xb --detach
	# The move took a1 down, and its clsact and IPv6 settings with it: the mover's doing.
	ip -n "$Q" link set a1 netns "$H" && ip -n "$H" link set a1 up &&
		tc -n "$H" qdisc add dev a1 clsact
	put_back "a1 moved to Q (native)" && settle "released by the monitor"
}

# --- With every monitor process killed first ----------------------------------

begin "killed, then xb deleted" && {
	kill_monitor "$H" xb
	ip -n "$H" link del xb
	dead_detach "killed, then xb deleted"
}

begin "killed, then xb renamed" && {
	kill_monitor "$H" xb
	ip -n "$H" link set xb name xbR
	says "killed, then xb renamed" '.error == "xb: its interface is gone"' '{error, state}'
	check "killed, then xb renamed: a create of xb again takes a0,a1 back" \
		xbond --netns "$H" --name xb --ifaces a0,a1
	check "... and xbR is gone" sh -c "! ip -n $H link show xbR 2>/dev/null"
	detach_ok "killed, then xb renamed" && settle "put back by a new create"
}

begin "killed, then the pin directory removed" && {
	kill_monitor "$H" xb
	rm -r "$PINS"
	says "killed, then the pin directory removed" '.state == "its pins are gone"' '{error, held_members}'
	detach_ok "killed, then the pin directory removed" && settle "put back by --detach"
}

begin "killed, then a map's pin removed" && {
	kill_monitor "$H" xb
	rm "$PINS/xbond_config"
	dead_detach "killed, then a map's pin removed"
}

begin "killed, then a program's pin removed" && {
	kill_monitor "$H" xb
	rm "$PINS/tx_select"
	says "killed, then a program's pin removed" "$all_well" '{tx_program}'
	check "killed, then a program's pin removed: a new monitor pins it again" \
		xbond --netns "$H" --name xb --ifaces a0,a1
	repaired "killed, then a program's pin removed" "repaired -: 1 removed pins pinned again"
	check "... the pin is back" test -e "$PINS/tx_select"
	detach_ok "killed, then a program's pin removed"
}

begin "killed, then a1 renamed" && {
	kill_monitor "$H" xb
	ip -n "$H" link set a1 name a1x
	says "killed, then a1 renamed" '.member_list[1].problems == "renamed a1x"' \
		'.member_list[1] | {member, problems}'
	"$XBONDLOAD" --netns "$H" --name xb --detach >/dev/null 2>&1
	check "killed, then a1 renamed: detach turns IPv6 back on under its new name" \
		test "$(ip netns exec "$H" cat /proc/sys/net/ipv6/conf/a1x/disable_ipv6)" = 0
	ip -n "$H" link set a1x name a1
	put_back "killed, then a1 renamed" && settle "put back by --detach"
}

begin "killed, then a1 moved to Q (native)" --xdp-mode native && {
	kill_monitor "$H" xb
	ip -n "$H" link set a1 netns "$Q"
	says "killed, then a1 moved to Q (native)" \
		'.member_list[1].problems | test("not in this network namespace")' \
		'.member_list[1] | {member, problems}'
	check "killed, then a1 moved to Q (native): --detach exits 0" \
		"$XBONDLOAD" --netns "$H" --name xb --detach
	check "... and gives a1 back in Q: its MAC, MTU, no XDP" sh -c "
		ip -n $Q -j link show a1 | jq -e '.[0] | .address == \"02:00:00:91:00:a1\" and
			.mtu == 1500 and .xdp == null'"
	ip -n "$Q" link set a1 netns "$H" && ip -n "$H" link set a1 up &&
		tc -n "$H" qdisc add dev a1 clsact
	put_back "killed, then a1 moved to Q (native)" && settle "put back by --detach"
}

begin "killed, then a1 moved to Q" && {
	kill_monitor "$H" xb
	ip -n "$H" link set a1 netns "$Q"
	check "killed, then a1 moved to Q: --detach exits 0" \
		"$XBONDLOAD" --netns "$H" --name xb --detach
	check "... and gives a1 back in Q: its MAC and MTU" sh -c "
		ip -n $Q -j link show a1 | jq -e '.[0] | .address == \"02:00:00:91:00:a1\" and
			.mtu == 1500'"
	ip -n "$Q" link set a1 netns "$H" && ip -n "$H" link set a1 up &&
		tc -n "$H" qdisc add dev a1 clsact
	put_back "killed, then a1 moved to Q" && settle "put back by --detach"
}

begin "killed, then tc qdisc del on xb" && {
	kill_monitor "$H" xb
	tc -n "$H" qdisc del dev xb clsact
	says "killed, then tc qdisc del on xb" '.tx_program == "missing" and .monitor == "not running"' \
		'{tx_program, monitor}'
	check "killed, then tc qdisc del on xb: any xbondload command starts a monitor" \
		xbond --netns "$H" --name xb --ifaces a0,a1
	repaired "killed, then tc qdisc del on xb" "repaired -: tx_select gone from tc egress"
	check "... and the bond forwards" ip netns exec "$P" ping -c 3 -i 0.05 -W 1 10.91.0.1
	detach_ok "killed, then tc qdisc del on xb"
}

begin "killed, xb deleted, another bond over a0,a1" && {
	kill_monitor "$H" xb
	ip -n "$H" link del xb
	out=$("$XBONDLOAD" --netns "$H" --name xc --ifaces a0,a1 2>&1)
	fix="xbondload --name xb --detach --netns $H"
	check "killed, xb deleted, another bond over a0,a1: refused, naming the fix" \
		grep -q "a0: already belongs to bond xb, which is not live (its interface is gone); free it with: $fix" <<<"$out"
	check "... the fix works" $XBONDLOAD --name xb --detach --netns "$H"
	check "... and xc takes a0,a1" xbond --netns "$H" --name xc --ifaces a0,a1
	check "... and gives them back" xbond --netns "$H" --name xc --detach
	put_back "killed, xb deleted, another bond over a0,a1" &&
		settle "refused, then put back by the named command"
}

# Last, as it takes a1 for good: a member deleted while no monitor runs is
# named by --detach, which still puts back all it finds and exits 0.
begin "killed, then a1 deleted" && {
	kill_monitor "$H" xb
	ip -n "$H" link del a1
	out=$("$XBONDLOAD" --netns "$H" --name xb --detach 2>&1); rc=$?
	check "killed, then a1 deleted: --detach exits 0, naming a1 in one line" \
		test "$rc $(grep -c . <<<"$out")" = "0 1"
	check "... which says a1 is not in the namespace any more" \
		grep -q "^xbondload: a1 (ifindex [0-9]*): not in this network namespace any more" <<<"$out"
	check "... and a0 is put back exactly" test "$(member_state "$H" a0)" = \
		"$(head -5 <<<"$BASELINE")"
	settle "a1 reported, a0 put back by --detach"
}

# A create that fails at a step after the members changed leaves no record either.
for step in add-members settings publish attach-tx link-up monitor; do
	XBOND_FAIL_STEP=$step "$XBONDLOAD" --netns "$H" --name xb --ifaces a0 >/dev/null 2>&1
	if [ "$(member_state "$H" a0; ls "$PINS" "$RECORDS" 2>/dev/null)" = "$(head -5 <<<"$BASELINE")" ]; then
		pass "a create failing at step $step leaves nothing, no member record"
	else
		fail "a create failing at step $step leaves nothing, no member record" "$(state_diff)"
		force_reset
	fi
done

printf '    %-48s %s\n' scenario outcome
for s in "${SCENARIOS[@]}"; do
	printf '    %-48s %s\n' "$s" "${outcome[$s]}"
done
exit $FAILED
