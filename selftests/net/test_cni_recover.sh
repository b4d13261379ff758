#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The CNI plugin when something else removes the pod's interface: an IPAM
# plugin that deletes it during ADD or in ADD's undo (as the bridge plugin
# named as IPAM does on its DEL), and a chained plugin that deletes it before our
# DEL. Every time the links come home as they left: their own MACs, no XDP
# program, no tc filter or clsact qdisc, no pins, monitor or state file. And
# an ADD that fails anywhere leaves no state file behind.
#
#   H (runtime side): h0 h1 ... moved into POD by ADD, given back by DEL
#                      |  |
#   S:              s0 s1
#
# XBOND_CNI: the plugin to test (default: this tree's).
. "$(dirname "$0")/../lib.sh"

BIN=$(mktemp -d /tmp/xbt-cnibin.XXXXXX)
cp "${XBOND_CNI:-$TOP/.output/xbond}" "$BIN/xbond"
CNI=$BIN/xbond
CID=xbt$SUFFIX
trap 'cleanup; rm -rf "$BIN" /run/xbond/cni/$CID*' EXIT

# An IPAM plugin that deletes the pod's interface: on ADD (ipam.when "add"),
# or on DEL as the bridge plugin does (then its ADD answers a route the kernel
# refuses, so that ADD undoes itself and calls its DEL).
cat >"$BIN/xbt-delif" <<'EOF'
#!/bin/sh
when=$(jq -r '.ipam.when')
delete() { nsenter --net="$CNI_NETNS" ip link del "$CNI_IFNAME" 2>/dev/null; }
case "$CNI_COMMAND" in
ADD)	[ "$when" = add ] && delete
	[ "$when" = add ] && route='[]' || route='[{"dst": "10.99.0.0/16", "gw": "10.200.0.1"}]'
	echo '{"cniVersion": "1.0.0", "ips": [{"address": "10.86.0.5/24"}], "routes": '"$route"'}' ;;
DEL)	[ "$when" = del ] && delete ;;
VERSION) echo '{"cniVersion": "1.0.0", "supportedVersions": ["1.0.0"]}' ;;
esac
exit 0
EOF
chmod +x "$BIN/xbt-delif"

BASE='{"cniVersion": "1.0.0", "name": "xbtnet", "type": "xbond",
	"mode": "active-backup", "miimon": "10",
	"links": [{"name": "h0"}, {"name": "h1"}], "linksInContainer": false}'
conf() { jq -c "${1:-.}" <<<"$BASE"; }
cni() { # COMMAND NETNS_PATH (the config on stdin)
	nsenter --net="/run/netns/$H" env -i PATH="$PATH" CNI_COMMAND="$1" CNI_CONTAINERID="$CID" \
		CNI_NETNS="$2" CNI_IFNAME=eth0 CNI_PATH="$BIN:/usr/lib/cni" "$CNI"
}
cni_in() { cni "$2" "$3" <<<"$1"; }

make_ns H h && make_ns S s && make_ns POD pod || { fail "namespaces"; exit 1; }
PODNS=/run/netns/$POD
for i in 0 1; do
	ip link add "h$i" netns "$H" type veth peer name "s$i" netns "$S" || { fail "links"; exit 1; }
	ip -n "$S" link set "s$i" up
done
ip -n "$H" link set h0 up
declare -A MAC
for l in h0 h1; do MAC[$l]=$(ip -n "$H" -j link show "$l" | jq -r '.[0].address'); done

state_files() { ls /run/xbond/cni/ 2>/dev/null | grep -c "^$CID:"; }
pod_pins() { ls "/sys/fs/bpf/xbond/$(stat -L -c %i "$PODNS")" 2>/dev/null; }
# The pod's run files (monitor logs, pid files, member records), recursively.
pod_run_files() { find "/run/xbond/$(stat -L -c %i "$PODNS")" ! -type d 2>/dev/null; }
# The links are home exactly as before ADD, and nothing of the bond is left.
home_clean() {
	local l
	for l in h0 h1; do
		ip -n "$H" link show "$l" >/dev/null 2>&1 || { echo "$l is not home"; return 1; }
		[ "$(ip -n "$H" -j link show "$l" | jq -r '.[0].address')" = "${MAC[$l]}" ] ||
			{ echo "$l keeps MAC $(ip -n "$H" -j link show "$l" | jq -r '.[0].address')"; return 1; }
		ip -n "$H" -j link show "$l" | jq -e '.[0] | has("xdp") | not' >/dev/null ||
			{ echo "$l has an XDP program"; return 1; }
		[ -z "$(tc -n "$H" filter show dev "$l" ingress)" ] ||
			{ echo "$l has a tc filter"; return 1; }
		! tc -n "$H" qdisc show dev "$l" | grep -q clsact ||
			{ echo "$l keeps a clsact qdisc"; return 1; }
	done
	ip -n "$H" link show h0 | grep -q '[<,]UP[,>]' || { echo "h0 is not up again"; return 1; }
	[ -z "$(pod_pins)" ] || { echo "pins left: $(pod_pins)"; return 1; }
	[ "$(state_files)" = 0 ] || { echo "a state file is left"; return 1; }
	[ -z "$(pod_run_files)" ] || { echo "run files left:" $(pod_run_files); return 1; }
	! ip netns pids "$POD" | grep -q . || { echo "a process is left in the pod"; return 1; }
}

# 1. An IPAM plugin that deletes the interface: ADD fails and undoes, DEL finds nothing.
delif=$(conf '.ipam = {"type": "xbt-delif", "when": "add"}')
out=$(cni_in "$delif" ADD "$PODNS")
check "ADD whose IPAM plugin deletes the interface fails" \
	jq -e '.code > 0 and (.msg | length > 0)' <<<"$out"
check "... the links came home clean" home_clean
check "... and the runtime's DEL after it succeeds" cni_in "$delif" DEL "$PODNS"
check "... still clean" home_clean

# 2. One that deletes it on DEL, as the bridge plugin does: ADD's undo calls it first.
delif=$(conf '.ipam = {"type": "xbt-delif", "when": "del"}')
out=$(cni_in "$delif" ADD "$PODNS")
check "ADD whose IPAM plugin deletes the interface in the undo fails" \
	jq -e '.code > 0 and (.msg | length > 0)' <<<"$out"
check "... the links came home clean" home_clean
check "... and the runtime's DEL after it succeeds" cni_in "$delif" DEL "$PODNS"
check "... still clean" home_clean

# 3. A chained plugin's DEL ran before ours and deleted the interface; with
# rx_filter in tc (veth's default) and as native XDP.
for xdp in auto native; do
	out=$(cni_in "$(conf ".xdpMode = \"$xdp\"")" ADD "$PODNS")
	check "ADD without IPAM, xdpMode $xdp" jq -e '.interfaces[0].name == "eth0"' <<<"$out"
	ip -n "$POD" link del eth0
	check "DEL after a chained plugin deleted the interface" \
		cni_in "$(conf ".xdpMode = \"$xdp\"")" DEL "$PODNS"
	check "... the links came home clean" wait_for 3 home_clean
	home_clean >/dev/null || fail "... details" "$(home_clean)"
done

# 4. The same with the monitor killed first: DEL alone finds the dead bond.
cni_in "$(conf)" ADD "$PODNS" >/dev/null
wait_for 2 monitor_pid "$POD" worker eth0
kill_monitor "$POD" eth0
ip -n "$POD" link del eth0
check "DEL of a dead bond whose monitor was killed" cni_in "$(conf)" DEL "$PODNS"
check "... the links came home clean" home_clean

# 5. Failed ADDs leave no state file.
out=$(cni_in "$(conf '.ipam = {"type": "xbt-nosuch"}')" ADD "$PODNS")
check "ADD with an unknown IPAM type fails" jq -e '.code > 0' <<<"$out"
check "... and leaves no state file" test "$(state_files)" = 0
check "... nor anything else" home_clean
ip -n "$POD" link add eth0 type veth peer name eth0p
out=$(cni_in "$(conf)" ADD "$PODNS")
ip -n "$POD" link del eth0
check "ADD that cannot make the bond leaves no state file" test "$(state_files)" = 0
check "... nor anything else" home_clean

exit $FAILED
