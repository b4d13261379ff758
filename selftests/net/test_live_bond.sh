#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Opening a bond is one check (xbond_open_live): its ABI version, its netns
# cookie, and its interface still there. Pins outlive their namespace, and a
# new namespace can get a dead one's inode number, and so its pin directory:
# here a dead namespace's bond, whose member had h0's ifindex, is moved under
# H's inode, as if H had been given that number. Its pins must not hold h0,
# xbondctl must call them stale, and xbondload must clear them.
#
#   X (deleted): xb0 [x0]        x0 -- y0   (x0 has h0's ifindex)
#   H:           xb1 [h0]        h0 -- g0
. "$(dirname "$0")/../lib.sh"

# The same links, made in the same order, get the same ifindexes in X and H.
make_ns X x && make_ns H h || { fail "namespaces"; exit 1; }
ip -n "$X" link add name x0 type veth peer name y0 &&
	ip -n "$H" link add name h0 type veth peer name g0 || { fail "links"; exit 1; }
ifindex() { ip -n "$1" -j link show "$2" | jq -e '.[0].ifindex'; }
status_error() { "$XBONDCTL" --netns "$1" -j status "$2" | jq -er .error; }

check "a bond xb0 over x0 in X" xbond --netns "$X" --name xb0 --ifaces x0 --no-monitor
check "x0 and h0 have the same ifindex" test "$(ifindex "$X" x0)" = "$(ifindex "$H" h0)"
ghost=$(pin_dir "$X" xb0)
ip netns del "$X"
check "X's pins outlive it" test -d "$ghost"
mkdir -p -m 0700 "$(dirname "$(pin_dir "$H")")"
check "X's pins show up under H's inode" mv "$ghost" "$(pin_dir "$H" xb0)"

check "a stale bond's pins do not hold h0: a bond xb1 over h0" \
	xbond --netns "$H" --name xb1 --ifaces h0 --no-monitor
check_fails "xbondctl calls xb0 stale" "xb0: stale pins of a network namespace that is gone" \
	"$XBONDCTL" --netns "$H" status xb0
check "xbondctl shows xb1, which is live" "$XBONDCTL" --netns "$H" status xb1
check_fails "xbondload clears xb0's stale pins" "xb0: no such bond" \
	xbond --netns "$H" --name xb0 --mode balance-rr
check "... and they are gone" test ! -e "$(pin_dir "$H" xb0)"

# Another ABI: refused, and its pins left alone.
bond_map=$(pin_dir "$H" xb1)/xbond_bond
record=$(bpftool -j map lookup pinned "$bond_map" key 0 0 0 0 | jq -r '.value | join(" ")')
other_abi=$(printf '0x%02x' $((XBOND_ABI_VERSION + 1)))
bpftool map update pinned "$bond_map" key 0 0 0 0 value $other_abi ${record#* }
check_fails "xbondctl refuses a bond of another ABI" \
	"xb1: made by an xbond of another ABI version" "$XBONDCTL" --netns "$H" status xb1
# fails_saying REGEX CMD...: CMD fails, the first line on its stderr matching
# REGEX. xbondload adds a line of its own here ("cannot open the bond").
fails_saying() {
	local regex=$1 out
	shift
	out=$("$@" 2>&1 >/dev/null) && return 1
	head -1 <<<"$out" | grep -Eq -- "$regex"
}
check "xbondload refuses it too" fails_saying "xb1: made by an xbond of another ABI version" \
	xbond --netns "$H" --name xb1 --mode balance-rr
check "... and leaves its pins" test -e "$bond_map"
bpftool map update pinned "$bond_map" key 0 0 0 0 value $record

# Its interface deleted under it: no longer live, but it still holds h0.
ip -n "$H" link del xb1
check "xbondctl says xb1 lost its interface" \
	test "$(status_error "$H" xb1)" = "xb1: its interface is gone"
check_fails "h0 still belongs to xb1" "h0: already belongs to bond xb1" \
	xbond --netns "$H" --name xb2 --ifaces h0 --no-monitor
exit $FAILED
