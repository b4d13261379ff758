#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Config files (xbond.conf(5)): xbondload --config creates a bond in the
# namespace the file names, applied again it changes the bond live, a bad
# line is refused with its file and line and changes nothing; xbondmon
# --config finds the bond from the file, and its restarts do not read the file
# again.
#
#   H: bond0 [h0 h1] 10.86.0.2    made by `xbondload --config bond0.conf`,
#               |  |               whose `netns` line names H
#   S:   br0 [s0 s1 sp]
#                    |
#   P:               p0 10.86.0.1
. "$(dirname "$0")/../lib.sh"

DIR=$(mktemp -d /tmp/xbt-conf.XXXXXX)
trap 'cleanup; rm -rf "$DIR"' EXIT
CONF=$DIR/bond0.conf

topo_switch 2 || { fail "topology"; exit 1; }
ip -n "$P" addr add 10.86.0.1/24 dev p0

# The bond's settings as xbondctl shows them: no counters, no times.
settings() {
	"$XBONDCTL" --netns "$H" -j status "${1:-bond0}" | jq -c '{mode, hash_policy,
		miimon_ms, updelay_ms, arp_ip_target, arp_interval_ms, monitor,
		members: [.member_list[] | [.member, .weight]]}'
}
# setting KEY: one of them.
setting() { settings | jq -r ".$1"; }

cat >"$CONF" <<EOF
# bond0 for the config test; the bond's name is the file's
netns $H
ifaces h0,h1        # both members
mode balance-xor
hash layer3+4
miimon 50
weight h0=3
EOF
check "xbondload --config creates bond0 in the file's namespace" xbond --config "$CONF"
check "... named after the file, in netns $H" ip -n "$H" link show bond0
check "... balance-xor, layer3+4, miimon 50" test \
	"$(settings | jq -c '[.mode, .hash_policy, .miimon_ms]')" = '["balance-xor","layer3+4",50]'
check "... h0 weighs 3" test "$(settings | jq -c .members)" = '[["h0",3],["h1",1]]'
check "... its live config says balance-xor" test "$(live_field "$H" mode bond0)" = "$XBOND_MODE_XOR"
check "... a monitor runs" wait_for 2 monitor_pid "$H" worker bond0
ip -n "$H" addr add 10.86.0.2/24 dev bond0
check "... and it carries traffic" ip netns exec "$H" ping -c 3 -i 0.05 -W 1 10.86.0.1

# The file changed and applied again: a live change, the same programs.
ids=$(prog_ids "$H")
cat >"$CONF" <<EOF
netns $H
ifaces h0,h1
mode active-backup
miimon 100
updelay 20
weight h0=1
arp-ip-target 10.86.0.1
arp-interval 100
EOF
check "the changed file applied again" xbond --config "$CONF"
check "... active-backup, miimon 100, updelay 20, ARP target 10.86.0.1" test \
	"$(settings | jq -c '[.mode, .miimon_ms, .updelay_ms, .arp_ip_target, .arp_interval_ms]')" = \
	'["active-backup",100,20,"10.86.0.1",100]'
check "... h0 weighs 1 again" test "$(settings | jq -c .members)" = '[["h0",1],["h1",1]]'
check "... live: the attached programs are the same" test "$(prog_ids "$H")" = "$ids"
check "... and traffic flows" ip netns exec "$H" ping -c 3 -i 0.05 -W 1 10.86.0.1
check "the same file again changes nothing" xbond --config "$CONF"
check "... not even the programs" test "$(prog_ids "$H")" = "$ids"

# Options after --config override the file; those before it, the file overrides.
check "--config FILE --miimon 30: the option wins" xbond --config "$CONF" --miimon 30
check "... miimon 30" test "$(setting miimon_ms)" = 30
check "--miimon 40 --config FILE: the file wins" xbond --miimon 40 --config "$CONF"
check "... miimon 100" test "$(setting miimon_ms)" = 100

# bad_file NAME REGEX LINES: a file of LINES is refused, exit 2, nothing changes.
bad_file() {
	local name=$1 regex=$2 before rc
	printf '%s\n' "$3" >"$DIR/bad.conf"
	before=$(settings bond0)
	check_fails "$name" "$regex" xbond --config "$DIR/bad.conf"
	xbond --config "$DIR/bad.conf" 2>/dev/null; rc=$?
	check "... exits 2 and changes nothing" test $rc = 2 -a "$(settings bond0)" = "$before" \
		-a "$(prog_ids "$H")" = "$ids"
}
good="netns $H
name bond0
ifaces h0,h1"
bad_file "a bad value: file and line, comments and blank lines counted" \
	"^xbondload: $DIR/bad.conf:5: --miimon: 'x' is not a number from 0 to 600000\$" \
	"# bond0, badly
netns $H

name bond0   # as the file's
miimon x
mode balance-rr"
bad_file "a bad line after good ones applies none of them" "bad.conf:5: --mode: unknown mode 'fast'" \
	"$good
miimon 70
mode fast"
bad_file "an unknown key" "bad.conf:4: unknown key 'miimom'" "$good
miimom 100"
bad_file "a key given twice" "bad.conf:5: --miimon: already set on line 4" "$good
miimon 100
miimon 200"
bad_file "an action is not a setting" "bad.conf:4: --add: is for the command line" "$good
add h2"
bad_file "a flag with a value" "bad.conf:4: --no-monitor: takes no value" "$good
no-monitor please"
bad_file "a value with a space" "bad.conf:3: --ifaces: 'h0, h1': one value, without spaces" \
	"netns $H
name bond0
ifaces h0, h1"
bad_file "a value missing" "bad.conf:3: --miimon: needs a value" "netns $H
name bond0
miimon"
bad_file "an ARP target twice" "bad.conf:4: --arp-ip-target: 10.86.0.1 is listed twice" "$good
arp-ip-target 10.86.0.1,10.86.0.1"
rm -f "$DIR/bad.conf"
echo "netns $H" >"$DIR/much-too-long-a-name.conf"
check_fails "a file whose name is no bond name, without a name line" \
	"much-too-long-a-name.conf: no 'name' line, and 'much-too-long-a-name' is not a bond name" \
	xbond --config "$DIR/much-too-long-a-name.conf"
check_fails "a file that is not there: exit 1" "cannot read: No such file" \
	xbond --config "$DIR/nosuch.conf"
xbond --config "$DIR/nosuch.conf" 2>/dev/null
check "... exit 1" test $? = 1

# xbondmon --config: the name and netns from the file; its restarts get them as options.
ip -n "$H" link add h2 type veth peer name h3
ip -n "$H" link set h3 up
printf 'netns %s\nifaces h2\nno-monitor\n' "$H" >"$DIR/xb2.conf"
check "xb2 with no-monitor, from its file" xbond --config "$DIR/xb2.conf"
no_monitor() { ! monitor_pid "$H" pid xb2 && ! monitor_pid "$H" worker xb2; }
check "... no monitor runs for it" no_monitor
"$XBONDMON" --config "$DIR/xb2.conf" >/dev/null 2>&1 &
check "xbondmon --config FILE runs xb2's monitor" wait_for 3 monitor_pid "$H" worker xb2
worker=$(monitor_pid "$H" worker xb2)
check "... its worker was given the file's name and netns, not the file" sh -c \
	"tr '\\0' ' ' </proc/$worker/cmdline | grep -q -- '--name xb2 --netns $H' &&
	 ! tr '\\0' ' ' </proc/$worker/cmdline | grep -q -- --config"
new_worker() { local p; p=$(monitor_pid "$H" worker xb2) && [ "$p" != "$worker" ]; }
echo 'miimon x' >>"$DIR/xb2.conf"
kill -9 "$worker"
check "... a worker killed after the file broke comes back" wait_for 3 new_worker
check_fails "xbondmon --config with a bad line: the file and line" \
	"xb2.conf:4: --miimon: 'x' is not a number" "$XBONDMON" --config "$DIR/xb2.conf"
check "detach xb2" xbond --netns "$H" --name xb2 --detach
check "xbondload --config FILE --detach removes the bond the file names" \
	xbond --config "$CONF" --detach
check "... bond0 is gone" sh -c "! ip -n $H link show bond0 2>/dev/null"
exit $FAILED
