#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The OVS LACP peer library (selftests/ovs.sh) against itself: two private OVS
# instances, one per namespace, each with an active fast LACP balance-tcp bond
# over the same two veth links. No xbond involved. Both sides aggregate, ping
# goes across, a pulled link leaves the other member carrying the traffic and
# rejoins when restored, the readers fail with 2 (not "false") on a dead OVS,
# and ovs_stop leaves nothing behind.
#
#   A: ovs br0 [ipa 10.78.0.1] bond0 [a0 a1] ====== [b0 b1] bond0 [ipb 10.78.0.2] br0 ovs :B
. "$(dirname "$0")/../lib.sh"
. "$TOP/selftests/ovs.sh"

if ! command -v ovs-vswitchd >/dev/null; then
	skip "OVS LACP peer: openvswitch-switch is not installed"
	exit 0
fi

# ready_both: all four members current attached and enabled, on both sides.
ready_both() {
	ovs_members_ready "$A" bond0 a0 a1 && ovs_members_ready "$B" bond0 b0 b1
}

# states: every member's state, for a failure message.
states() {
	local m
	for m in a0 a1; do ovs_member_state "$A" bond0 $m 2>&1; done
	for m in b0 b1; do ovs_member_state "$B" bond0 $m 2>&1; done
}

# want_rc RC CMD...: CMD exits with RC (ovs_member_* return 0, 1 or 2).
want_rc() {
	local want=$1 rc
	shift
	"$@"
	rc=$?
	[ "$rc" -eq "$want" ] || { echo "exit $rc, wanted $want: $*" >&2; return 1; }
}

topo_b2b 2 || { fail "OVS peer: topology"; exit 1; }
if ovs_start "$A" && ovs_start "$B"; then
	pass "OVS starts privately in two namespaces"
else
	fail "OVS starts privately in two namespaces"
	exit 1
fi
ovs_internal "$A" br0 ipa 10.78.0.1/24 && ovs_internal "$B" br0 ipb 10.78.0.2/24 ||
	{ fail "OVS peer: internal ports"; exit 1; }

# A dead OVS or an unknown member reads as "cannot tell" (2), never as "false".
check "readers: unknown port, unknown netns exit 2" eval \
	'want_rc 2 ovs_member_attached "$A" nosuch a0 && want_rc 2 ovs_member_enabled "$A" nosuch a0 &&
	 want_rc 2 ovs_member_attached nosuch-ns bond0 a0 && want_rc 2 ovs_member_state nosuch-ns bond0 a0'

ovs_lacp_bond "$B" br0 bond0 b0 b1 || { fail "OVS peer: bond on B"; exit 1; }
t0=$(now_ms)
ovs_lacp_bond "$A" br0 bond0 a0 a1 || { fail "OVS peer: bond on A"; exit 1; }
check "readers: a member not in the bond exits 2" want_rc 2 ovs_member_attached "$A" bond0 b0
if wait_for 10 ready_both; then
	echo "    aggregation took $(($(now_ms) - t0)) ms"
else
	fail "aggregation within 10 s" "$(states)"
fi
for m in a0 a1; do
	check "A: $m current attached" ovs_member_attached "$A" bond0 $m
	check "A: $m enabled" ovs_member_enabled "$A" bond0 $m
done
for m in b0 b1; do
	check "B: $m current attached" ovs_member_attached "$B" bond0 $m
	check "B: $m enabled" ovs_member_enabled "$B" bond0 $m
done
check "member state line" eval \
	'ovs_member_state "$A" bond0 a0 | grep -Eq "^a0 lacp=current,attached bond=enabled may_enable=true actor=[a-z,]*synchronized[a-z,]* partner=[a-z,]*synchronized"'
check "ping across the LACP bond" ip netns exec "$A" ping -c 5 -i 0.05 -W 1 10.78.0.2
# Only the internal port answers ARP: the stack under an OVS port stays quiet.
check "ARP resolves to B's internal port" eval \
	'[ "$(ip -n "$A" -j neigh show 10.78.0.2 | jq -r ".[0].lladdr")" = "$(ip -n "$B" -j link show ipb | jq -r ".[0].address")" ]'
# TCP needs userspace-tso-enable (veth leaves checksums to offload).
bps=$(iperf3_run "$B" 10.78.0.2 "$A" -t 1)
check "TCP across the LACP bond ($((${bps%.*} / 1000000)) Mbit/s)" \
	awk -v b="$bps" 'BEGIN { exit !(b > 1e7) }'

# Pull a0 on A's end: both of its ends lose carrier.
ip -n "$A" link set a0 down
check "a0 pulled: A disables it" wait_for 5 eval '! ovs_member_enabled "$A" bond0 a0'
check "a0 pulled: B disables b0" wait_for 5 eval '! ovs_member_enabled "$B" bond0 b0'
check "a0 pulled: a disabled member reads 1, not 2" want_rc 1 ovs_member_enabled "$A" bond0 a0
check "a0 pulled: a1 and b1 stay attached and enabled" eval \
	'ovs_members_ready "$A" bond0 a1 && ovs_members_ready "$B" bond0 b1'
check "a0 pulled: ping goes on over a1" ip netns exec "$A" ping -c 5 -i 0.05 -W 1 10.78.0.2

ip -n "$A" link set a0 up
t0=$(now_ms)
if wait_for 10 ready_both; then
	echo "    a0 rejoined in $(($(now_ms) - t0)) ms"
	pass "a0 restored: all members attached and enabled again"
else
	fail "a0 restored: all members attached and enabled again" "$(states)"
fi
check "a0 restored: ping" ip netns exec "$A" ping -c 5 -i 0.05 -W 1 10.78.0.2

# A scenario change recreates the bond: B passive and slow, A still active and fast.
ovs_del_port "$B" bond0 && ovs_lacp_bond "$B" br0 bond0 b0 b1 lacp=passive lacp-time=slow ||
	fail "B: recreate bond0 passive"
check "B passive, slow: attached again" wait_for 10 ready_both
check "B passive: lacp=passive in the database" eval \
	'[ "$(ovs_vsctl "$B" get Port bond0 lacp)" = passive ]'

# B's vswitchd dies: its readers must say so (2), not report b0 as down.
vpid=$(cat "${OVS_DIR[$B]}/ovs-vswitchd.pid")
kill "$vpid"
wait_for 5 eval '! _ovs_alive '"$vpid"
check "dead vswitchd: attached/enabled/state exit 2" eval \
	'want_rc 2 ovs_member_attached "$B" bond0 b0 && want_rc 2 ovs_member_enabled "$B" bond0 b0 &&
	 want_rc 2 ovs_members_ready "$B" bond0 b0 && want_rc 2 ovs_wait_ready "$B" bond0 5 b0 &&
	 want_rc 2 ovs_member_state "$B" bond0 b0'

# ovs_stop: no daemon, no temp dir left; a second call is harmless.
# gone NS DIR PID...: none of the PIDs runs, DIR is gone, ovs_stop NS again is fine.
gone() {
	local ns=$1 d=$2
	shift 2
	! _ovs_any_alive "$@" && [ ! -e "$d" ] && ovs_stop "$ns"
}
for side in A B; do
	ns=${!side}
	d=${OVS_DIR[$ns]}
	read -ra daemons < <(cat "$d"/*.pid | paste -sd' ')
	t0=$(now_ms)
	ovs_stop "$ns"
	echo "    ovs_stop $side took $(($(now_ms) - t0)) ms"
	check "ovs_stop $side: no process, no temp dir, twice" gone "$ns" "$d" "${daemons[@]}"
done
exit $FAILED
