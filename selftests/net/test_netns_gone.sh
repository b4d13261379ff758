#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A bond dies with its namespace, as a kernel bond does: `ip netns del` of the
# bond's namespace makes its monitor give the members back, log it and exit,
# so that nothing holds the namespace, its links or its pins. While another
# process is still in the namespace, it is not gone, and the monitor stays.
# A new namespace that gets a dead one's inode number does not inherit its
# log lines.
#
#   A: xbond0 [a0 a1] ======= [b0 b1] :B
#
# XBONDLOAD: the xbondload to test (its xbondmon is the one next to it).
. "$(dirname "$0")/../lib.sh"

topo_b2b 2 || { fail "topology"; exit 1; }

# bond_up NS: an active-backup bond over a0 a1 in NS, its monitor running.
bond_up() {
	"$XBONDLOAD" --netns "$1" -i a0,a1 -m active-backup >/dev/null &&
		wait_for 3 monitor_pid "$1" worker && wait_for 3 monitor_pid "$1" pid
}
# No process left of pids (a zombie counts as gone).
all_gone() {
	local p
	for p in "$@"; do
		kill -0 "$p" 2>/dev/null && ! ps -o stat= -p "$p" | grep -q Z && return 1
	done
	return 0
}
not() { ! "$@"; }
peers_gone() { ! ip -n "$B" link show b0 >/dev/null 2>&1 && ! ip -n "$B" link show b1 >/dev/null 2>&1; }

# 1. ip netns del, nothing else in the namespace.
check "a bond in A with its monitor" bond_up "$A"
ino=$(stat -L -c %i "/run/netns/$A")
pids="$(monitor_pid "$A" pid) $(monitor_pid "$A" worker)"
log=/run/xbond/$ino/xbond0.log
ip netns del "$A"
check "ip netns del: both monitor processes exit" wait_for 5 all_gone $pids
check "... the namespace dies: the veths' peers in B are gone" wait_for 5 peers_gone
check "... its pins are gone" wait_for 2 sh -c "[ -z \"\$(ls /sys/fs/bpf/xbond/$ino 2>/dev/null)\" ]"
check "... the monitor logged why" grep -q 'netns gone' "$log"
check "... and that it gave the members back and stopped" \
	sh -c "grep -q 'bond gone.*members given back' '$log' && grep -q 'monitor stopped' '$log'"

# 2. A process still in the namespace holds it: the bond stays until it leaves.
for i in 0 1; do
	ip link add "a$i" type veth peer name "b$i" netns "$B" || { fail "links"; exit 1; }
done
make_ns A a2 || exit 1
ip link set a0 netns "$A" && ip link set a1 netns "$A"
check "a bond in a new A" bond_up "$A"
ino2=$(stat -L -c %i "/run/netns/$A")
pids="$(monitor_pid "$A" pid) $(monitor_pid "$A" worker)"
ip netns exec "$A" sleep 600 &
holder=$!
wait_for 2 sh -c "[ \"\$(stat -L -c %i /proc/$holder/ns/net)\" = $ino2 ]"
ip netns del "$A"
sleep 1
check "ip netns del while a process is in it: the monitor stays" not all_gone $pids
check "... and the peers are there" sh -c "ip -n $B link show b0 >/dev/null"
kill "$holder"; wait "$holder" 2>/dev/null
check "once that process is gone, the monitor exits" wait_for 6 all_gone $pids
check "... and the namespace dies" wait_for 5 peers_gone
log2=/run/xbond/$ino2/xbond0.log

# 3. A new namespace that gets a dead one's inode number starts a clean log.
# The kernel reuses inode numbers, but when is up to it: the new namespace is
# given the run directory the dead one left, as reuse would leave it.
for i in 0 1; do ip link add "a$i" type veth peer name "b$i" netns "$B" || exit 1; done
make_ns A a3 || exit 1
ino3=$(stat -L -c %i "/run/netns/$A")
mkdir -p "/run/xbond/$ino3" && cp -a "/run/xbond/$ino/." "/run/xbond/$ino3/"
ip link set a0 netns "$A" && ip link set a1 netns "$A"
check "a bond in a namespace whose inode number a dead one had" bond_up "$A"
check "... its log has none of the dead namespace's lines" \
	sh -c "grep -q 'monitor started' /run/xbond/$ino3/xbond0.log && \
	       ! grep -q 'netns gone' /run/xbond/$ino3/xbond0.log"
check "... which are put aside" grep -q 'netns gone' "/run/xbond/$ino3/xbond0.log.old"
"$XBONDLOAD" --netns "$A" --detach

exit $FAILED
