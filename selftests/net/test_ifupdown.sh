#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Debian's ifupdown with the xbond hook: `ifup -i FILE` makes the bond its
# stanza describes (xbond-slaves, xbond-mode...) and gives it the stanza's
# address; `ifdown -i FILE` detaches it and the members are as they were.
# Values reach xbondload as they are written, never through a shell. ifup
# runs in A, with a state directory of its own, and sees /etc/network as a
# directory of ours holding only our hook: the host's is never touched.
#
#   A: xbond0 10.94.0.1/24 [a0 a1] ====== [b0 b1] xbond0 10.94.0.2/24 :B
#      ifup -i FILE xbond0                           xbondload
. "$(dirname "$0")/../lib.sh"

command -v ifup >/dev/null || { skip "ifupdown is not installed (make deps)"; exit 0; }

A_IP=10.94.0.1 B_IP=10.94.0.2 PREFIX_LEN=24

T=$(mktemp -d)
trap 'cleanup; rm -rf "$T"' EXIT
# Our /etc/network: the hook in if-pre-up.d and if-post-down.d, as make
# install puts it, but running the tree's xbondload.
mkdir -p "$T"/etc/{if-pre-up.d,if-up.d,if-down.d,if-post-down.d,interfaces.d} "$T/state"
for d in if-pre-up.d if-post-down.d; do
	sed "s|@SBINDIR@|$TOP/.output|g" "$TOP/ifupdown/xbond.in" >"$T/etc/$d/xbond"
	chmod 0755 "$T/etc/$d/xbond"
done

# ifupdown CMD FILE ARGS...: Debian's ifup or ifdown in A on FILE, seeing our
# /etc/network in a mount namespace of its own, whoever runs this test.
ifupdown() {
	local cmd=$1 file=$2
	shift 2
	unshare --mount --propagation private -- sh -c \
		'mount --bind "$1" /etc/network && shift && exec ip netns exec "$@"' \
		ifupdown "$T/etc" "$A" "$cmd" -i "$file" --state-dir "$T/state" "$@"
}

# link_state NS IF: what detach must put back (MAC, MTU, up or down, master).
link_state() {
	ip -n "$1" -j link show dev "$2" | jq -c '.[0] | [.address, .mtu, .operstate != "DOWN", .flags]'
}

topo_b2b 2 || { fail "topology"; exit 1; }
xbond --netns "$B" --ifaces b0,b1 --mode balance-xor --hash layer3+4 || { fail "B's bond"; exit 1; }
ip -n "$B" addr add "$B_IP/$PREFIX_LEN" dev xbond0
before_a0=$(link_state "$A" a0) before_a1=$(link_state "$A" a1)

# ifenslave's conventions: a space-separated slave list, xmit-hash-policy.
cat >"$T/interfaces" <<EOF
auto xbond0
iface xbond0 inet static
	address $A_IP/$PREFIX_LEN
	xbond-slaves a0 a1
	xbond-mode balance-xor
	xbond-xmit-hash-policy layer3+4
	xbond-miimon 50
	xbond-weight a0=3 a1=1
EOF
check "ifup -i FILE xbond0" ifupdown ifup "$T/interfaces" xbond0
status=$("$XBONDCTL" --netns "$A" -j status xbond0)
check "... the bond has the stanza's mode, hash policy and miimon" jq -e \
	'.mode == "balance-xor" and .hash_policy == "layer3+4" and .miimon_ms == 50' <<<"$status"
check "... and its members, in order" \
	test "$(jq -c '[.member_list[].member]' <<<"$status")" = '["a0","a1"]'
check "... xbond-weight a0=3 a1=1, a list with spaces" \
	test "$(jq -c '[.member_list[].weight]' <<<"$status")" = '[3,1]'
check "... the stanza's address is on the bond" sh -c \
	"ip -n $A -j addr show dev xbond0 | jq -e '.[0].addr_info[] |
		select(.family == \"inet\" and .local == \"$A_IP\" and .prefixlen == $PREFIX_LEN)'"
check "... and none on a member" sh -c \
	"ip -n $A -j addr show | jq -e '[.[] | select(.ifname == \"a0\" or .ifname == \"a1\") |
		.addr_info[] | select(.family == \"inet\")] == []'"
check "... its monitor runs" wait_for 2 monitor_pid "$A"
check "... ifupdown records it as up" sh -c \
	"ip netns exec $A ifquery --state-dir '$T/state' --state xbond0 | grep -qx xbond0=xbond0"
check "ping B over the bond" wait_for 3 ip netns exec "$A" ping -c 1 -W 0.2 "$B_IP"
check "ifdown -i FILE xbond0" ifupdown ifdown "$T/interfaces" xbond0
check "... the bond is gone" sh -c "! ip -n $A link show dev xbond0 2>/dev/null"
check "... its pins and monitor too" \
	sh -c "test ! -e '$(pin_dir "$A")' && ! ip netns pids $A | grep -q ."
check "... a0 is as it was (MAC, MTU, up/down)" test "$(link_state "$A" a0)" = "$before_a0"
check "... a1 too" test "$(link_state "$A" a1)" = "$before_a1"
check "... and no program is left on them" test "$(prog_ids "$A")" = "[]"

# A value goes to xbondload as one argument, as written: no word splitting,
# no globbing, no command substitution.
cat >"$T/hostile" <<EOF
iface xbond1 inet manual
	xbond-slaves a0 a1
	xbond-primary \$(touch $T/pwned)
	xbond-mode *
EOF
out=$(ifupdown ifup "$T/hostile" xbond1 2>&1)
check "a stanza with shell syntax in its values is refused" \
	sh -c "! ip -n $A link show dev xbond1 2>/dev/null"
check "... nothing in it ran" test ! -e "$T/pwned"
check "... xbondload saw the value as written" grep -qF "'*'" <<<"$out"

# An option without a value takes yes or no.
cat >"$T/flags" <<EOF
iface xbond2 inet manual
	xbond-slaves a0,a1
	xbond-no-monitor yes
EOF
check "xbond-no-monitor yes: ifup" ifupdown ifup "$T/flags" xbond2
check "... the bond runs without a monitor" \
	"$XBONDCTL" --netns "$A" status xbond2
check "... none runs" sh -c "! ip netns pids $A | grep -q ."
check "ifdown" ifupdown ifdown "$T/flags" xbond2
check "... the bond is gone" sh -c "! ip -n $A link show dev xbond2 2>/dev/null"
sed -i 's/no-monitor yes/no-monitor perhaps/' "$T/flags"
out=$(ifupdown ifup "$T/flags" xbond2 2>&1)
check "xbond-no-monitor perhaps: refused with a reason" \
	grep -q "xbond-no-monitor takes yes or no, not 'perhaps'" <<<"$out"

exit $FAILED
