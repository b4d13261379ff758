#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The CNI plugin called as the spec says (environment plus stdin), with
# Debian's host-local as the real IPAM: ADD, traffic through a bridge, a
# member's switch port down, CHECK, DEL (twice, and with the netns gone), links
# kept in the pod, every version's result, and every bad input. Last, 802.3ad:
# the switch's ports leave the bridge and become an xbond 802.3ad bond (lag0,
# 10.85.0.2), the LACP partner of the pod's bond.
#
#   H (runtime side): h0 h1 ... moved into POD by ADD, given back by DEL
#                      |  |
#   S:         br0 [s0 s1 sp]
#                          |
#   P:                    p0 10.85.0.1
. "$(dirname "$0")/../lib.sh"

# The plugin alone in its bin dir, as Kubernetes installers copy it: it runs
# its monitor from itself.
BIN=$(mktemp -d /tmp/xbt-cnibin.XXXXXX)
cp "$TOP/.output/xbond" "$BIN/"
CNI=$BIN/xbond
DATA=$(mktemp -d /tmp/xbt-ipam.XXXXXX)
CID=xbt$SUFFIX
trap 'cleanup; rm -rf "$DATA" "$BIN" /run/xbond/cni/$CID*' EXIT

BASE='{"cniVersion": "1.0.0", "name": "xbtnet", "type": "xbond",
	"mode": "active-backup", "miimon": "10",
	"links": [{"name": "h0"}, {"name": "h1"}], "linksInContainer": false,
	"capabilities": {"ips": true}, "runtimeConfig": {"ips": []}, "someFutureField": 1,
	"ipam": {"type": "host-local", "subnet": "10.85.0.0/24", "rangeStart": "10.85.0.10",
		 "gateway": "10.85.0.1", "dataDir": "'$DATA'", "routes": [{"dst": "0.0.0.0/0"}]}}'

# conf JQ_FILTER: the base config changed by a jq filter.
conf() { jq -c "${1:-.}" <<<"$BASE"; }

# cni COMMAND NETNS_PATH [IFNAME]: call the plugin from H, as a runtime would.
cni() {
	nsenter --net="/run/netns/$H" env -i PATH="$PATH" CNI_COMMAND="$1" CNI_CONTAINERID="$CID" \
		CNI_NETNS="$2" CNI_IFNAME="${3:-eth0}" CNI_PATH="$BIN:/usr/lib/cni" \
		CNI_ARGS="IgnoreUnknown=1;K8S_POD_NAME=xbt;K8S_POD_NAMESPACE=default" "$CNI"
}

# cni_in STDIN COMMAND NETNS_PATH: cni with this config on stdin.
cni_in() { cni "$2" "$3" <<<"$1"; }

# error_code CMD...: run CMD, which must fail; echo the code of the spec error it printed.
error_code() {
	local out
	out=$("$@" 2>/dev/null) && { echo "succeeded"; return; }
	jq -r 'if (.msg | length) > 0 then .code else "no msg" end' <<<"$out" 2>/dev/null ||
		echo "not JSON: $out"
}

in_host() { ip -n "$H" link show "$1" >/dev/null 2>&1; }
in_pod() { ip -n "$POD" link show "$1" >/dev/null 2>&1; }
leases() { find "$DATA" -name '10.85.*' | wc -l; }
pod_pins() { ls "/sys/fs/bpf/xbond/$(stat -L -c %i "/run/netns/$POD")" 2>/dev/null; }
# Nothing of an ADD is left: links in the host, no bond, pins, lease or state.
nothing_left() {
	in_host h0 && in_host h1 && ! in_pod eth0 && [ -z "$(pod_pins)" ] &&
		[ "$(leases)" = 0 ] && ! ls /run/xbond/cni/$CID* >/dev/null 2>&1
}

topo_switch 2 || { fail "topology"; exit 1; }
make_ns POD pod || { fail "pod namespace"; exit 1; }
PODNS=/run/netns/$POD
ip -n "$P" addr add 10.85.0.1/24 dev p0
ip -n "$H" link set h0 up

# VERSION comes with dummy values, as podman sends it.
out=$(env -i CNI_COMMAND=VERSION CNI_NETNS=dummy CNI_IFNAME=dummy CNI_PATH=dummy \
	CNI_CONTAINERID= "$CNI" <<<'{"cniVersion": "1.0.0"}')
check "VERSION lists 0.3.1, 0.4.0 and 1.0.0" \
	jq -e '.supportedVersions | index("0.3.1") and index("0.4.0") and index("1.0.0")' <<<"$out"

# ADD, with podman's extra fields and CNI_ARGS.
result=$(conf | cni ADD "$PODNS")
check "ADD succeeds with unknown fields, capabilities and CNI_ARGS" \
	jq -e '.interfaces[0].name == "eth0"' <<<"$result"
check "the result names the sandbox" jq -e --arg ns "$PODNS" \
	'.interfaces[0].sandbox == $ns and .ips[0].interface == 0' <<<"$result"
check "the result has host-local's address, without 1.0.0's dropped version" \
	jq -e '(.ips[0].address | startswith("10.85.0.")) and (.ips[0] | has("version") | not)' \
	<<<"$result"
addr=$(jq -r '.ips[0].address' <<<"$result")
check "the address is on eth0 in the pod" sh -c "ip -n $POD addr show eth0 | grep -q ${addr%/*}"
check "the default route goes through the gateway" \
	sh -c "ip -n $POD route show default | grep -q 'via 10.85.0.1 dev eth0'"
check "the links moved into the pod" sh -c "! ip -n $H link show h0 2>/dev/null && \
	ip -n $POD link show h1 >/dev/null"
check "a monitor runs for the pod's bond" wait_for 2 monitor_pid "$POD" worker eth0
check "... run by the plugin's own binary, alone in its bin dir" \
	test "$(readlink "/proc/$(monitor_pid "$POD" worker eth0)/exe")" = "$CNI"
check "ping the peer through the bridge" \
	ip netns exec "$POD" ping -c 3 -i 0.05 -W 1 10.85.0.1
check "ADD again for the same container and interface is refused" \
	test "$(conf | error_code cni ADD "$PODNS")" = 999
check "... and the bond still works" ip netns exec "$POD" ping -c 1 -W 1 10.85.0.1

# Failover inside the pod, with no step from the user.
tx0=$(member_stat "$POD" 0 tx_packets eth0)
tx1=$(member_stat "$POD" 1 tx_packets eth0)
read -r lost sent < <(lost_pings "$POD" 10.85.0.1 1000 0.002 0.5 ip -n "$S" link set s0 down)
echo "    pod failover: $lost of $sent pings at 2 ms lost"
check "traffic goes on when h0's switch port goes down (lost $lost)" test "$lost" -le 20
check "both members carried the pings" test \
	"$(member_stat "$POD" 0 tx_packets eth0)" -gt "$tx0" -a \
	"$(member_stat "$POD" 1 tx_packets eth0)" -gt "$tx1"
ip -n "$S" link set s0 up

# CHECK against the ADD result, then against a state that no longer matches.
prev=$(conf ". + {prevResult: $result}")
check "CHECK passes" cni_in "$prev" CHECK "$PODNS"
check "CHECK sees an address that is not there" test "$(jq -c \
	'.prevResult.ips[0].address = "10.85.0.250/24"' <<<"$prev" |
	error_code cni CHECK "$PODNS")" = 999
"$XBONDLOAD" --netns "$PODNS" --name eth0 --mode balance-xor
check "CHECK sees a mode changed live by xbondload" \
	test "$(error_code cni_in "$prev" CHECK "$PODNS")" = 999
"$XBONDLOAD" --netns "$PODNS" --name eth0 --mode active-backup
mon=$(monitor_pid "$POD" worker eth0)
# Both monitor processes at once: neither is left to bring the other back.
kill_monitor "$POD" eth0
# Out of the netns listing is not yet dead: wait until it is a zombie, or gone.
wait_for 2 sh -c "ps -o stat= -p $mon | grep -q Z || ! kill -0 $mon"
code=$(error_code cni_in "$prev" CHECK "$PODNS")
check "CHECK sees a dead monitor (code $code)" test "$code" = 999
"$XBONDLOAD" --netns "$PODNS" --name eth0 >/dev/null
check "CHECK passes again once the monitor is back" cni_in "$prev" CHECK "$PODNS"
check "CHECK needs prevResult" test "$(conf | error_code cni CHECK "$PODNS")" = 7
check "CHECK is refused for cniVersion 0.3.1" test "$(jq -c '.cniVersion = "0.3.1"' \
	<<<"$prev" | error_code cni CHECK "$PODNS")" = 1

# DEL gives everything back, and can be repeated.
check "DEL" cni_in "$prev" DEL "$PODNS"
check "... the links are back in the host, up as they were, and nothing is left" \
	nothing_left
check "... h0 is up again and h1 down, as before ADD" sh -c "ip -n $H link show h0 | \
	grep -q '[<,]UP[,>]' && ! ip -n $H link show h1 | grep -q '[<,]UP[,>]'"
check "... the monitor is gone" sh -c "! ip netns pids $POD | grep -q ."
check "DEL again succeeds" cni_in "$prev" DEL "$PODNS"
check "DEL without prevResult or netns succeeds" cni_in "$(conf)" DEL ""

# DEL after the runtime dropped the netns: the monitor still holds it.
conf | cni ADD "$PODNS" >/dev/null
ip netns del "$POD"
check "DEL succeeds when the netns path is gone" cni_in "$prev" DEL "$PODNS"
check "... and still gets the links back" sh -c "ip -n $H link show h0 >/dev/null && \
	ip -n $H link show h1 >/dev/null && [ $(leases) = 0 ]"
make_ns POD pod2 || exit 1
PODNS=/run/netns/$POD

# The older versions' results carry "version" in ips.
for v in 0.3.1 0.4.0; do
	result=$(conf ".cniVersion = \"$v\"" | cni ADD "$PODNS")
	check "ADD with cniVersion $v gives ips a version" jq -e --arg v "$v" \
		'.cniVersion == $v and .ips[0].version == "4"' <<<"$result"
	conf ".cniVersion = \"$v\"" | cni DEL "$PODNS" >/dev/null
done
check "... and DEL left nothing" nothing_left

# linksInContainer: the links are the pod's own and stay there.
ip -n "$H" link set h0 netns "$POD"
ip -n "$H" link set h1 netns "$POD"
xor='.linksInContainer = true | .mode = "balance-xor" | .xmitHashPolicy = "layer3+4" |
	.mtu = 1400 | .links[0].weight = 3'
result=$(conf "$xor" | cni ADD "$PODNS")
check "ADD with linksInContainer, balance-xor layer3+4, MTU 1400 and h0 weighing 3" \
	jq -e '.interfaces[0].name == "eth0"' <<<"$result"
check "... h0 homes 3/4 of the buckets" test "$(map_query "$POD" xbond_bond eth0 \
	'[.[0].value.home[] | select(. == 0)] | length')" = 192
check "... CHECK passes" cni_in "$(conf "$xor | . + {prevResult: $result}")" CHECK "$PODNS"
check "... CHECK sees a weight changed live" test "$(error_code cni_in \
	"$(conf "$xor | .links[0].weight = 2 | . + {prevResult: $result}")" CHECK "$PODNS")" = 999
check "... the MTU is set" sh -c "ip -n $POD link show eth0 | grep -q 'mtu 1400'"
check "... ping works" ip netns exec "$POD" ping -c 3 -i 0.05 -W 1 10.85.0.1
conf '.linksInContainer = true | .mode = "balance-xor"' | cni DEL "$PODNS" >/dev/null
check "DEL leaves pod-owned links in the pod, restored" sh -c "ip -n $POD link show h0 | \
	grep -q 'mtu 1500' && ip -n $POD link show h1 >/dev/null && \
	! ip -n $POD link show eth0 2>/dev/null && [ $(leases) = 0 ]"
ip -n "$POD" link set h0 netns "$H"
ip -n "$POD" link set h1 netns "$H"

# Bad input: a spec error with the right code, and nothing left behind.
bad() { # NAME WANT_CODE CMD...
	local name=$1 want=$2 got
	shift 2
	got=$("$@")
	if [ "$got" = "$want" ] && nothing_left; then
		pass "$name"
	else
		fail "$name" "code $got, wanted $want; left behind: $(pod_pins)" \
			"links in host: $(ip -n "$H" -br link | awk '{ print $1 }' | xargs)"
	fi
}
env_call() { # VARS...: the plugin with only these variables, and the base config
	conf | env -i "$@" "$CNI"
}
bad "no CNI_COMMAND: code 4" 4 error_code env_call CNI_CONTAINERID=x CNI_IFNAME=eth0
bad "unknown CNI_COMMAND: code 4" 4 error_code env_call CNI_COMMAND=UPDATE
for missing in CNI_CONTAINERID CNI_NETNS CNI_IFNAME CNI_PATH; do
	vars=(CNI_COMMAND=ADD CNI_CONTAINERID=$CID CNI_NETNS=$PODNS CNI_IFNAME=eth0
	      CNI_PATH=/usr/lib/cni)
	bad "ADD without $missing: code 4" 4 error_code env_call \
		"${vars[@]/#$missing=*/XBT_UNSET=1}"
done
bad "CNI_IFNAME with a slash: code 4" 4 error_code env_call CNI_COMMAND=ADD \
	CNI_CONTAINERID=x CNI_NETNS="$PODNS" CNI_IFNAME=a/b CNI_PATH=/usr/lib/cni
bad "CNI_CONTAINERID with a slash: code 4" 4 error_code env_call CNI_COMMAND=ADD \
	CNI_CONTAINERID=../x CNI_NETNS="$PODNS" CNI_IFNAME=eth0 CNI_PATH=/usr/lib/cni
bad "a netns path that does not exist: code 4" 4 \
	error_code cni_in "$(conf)" ADD "/run/netns/xbt-nosuch-$SUFFIX"
bad "a netns path that is a plain file: code 4" 4 error_code cni_in "$(conf)" ADD "$DATA/ping"
bad_conf() { # NAME WANT_CODE STDIN
	local name=$1 want=$2
	bad "$name: code $want" "$want" error_code cni_in "$3" ADD "$PODNS"
	# The runtime calls DEL after a failed ADD, with the same config.
	cni DEL "$PODNS" <<<"$3" >/dev/null 2>&1 || fail "$name: DEL afterwards failed"
}
# No runtime can hold a config that is not JSON, so no DEL follows these.
bad "stdin is not JSON: code 6" 6 error_code cni_in '{"cniVersion": "1.0.0", "name": ' ADD "$PODNS"
bad "stdin is empty: code 6" 6 error_code cni_in '' ADD "$PODNS"
bad "stdin is a JSON array: code 6" 6 error_code cni_in '[1, 2]' ADD "$PODNS"
bad_conf "no cniVersion" 7 "$(conf 'del(.cniVersion)')"
bad_conf "an unsupported cniVersion" 1 "$(conf '.cniVersion = "9.9.9"')"
bad_conf "unknown mode" 7 "$(conf '.mode = "balance-fast"')"
bad_conf "unknown lacpRate" 7 "$(conf '.mode = "802.3ad" | .lacpRate = "medium"')"
bad_conf "unknown xmitHashPolicy" 7 "$(conf '.xmitHashPolicy = "encap3+4"')"
bad_conf "one link" 7 "$(conf '.links = [{"name": "h0"}]')"
bad_conf "no links" 7 "$(conf 'del(.links)')"
bad_conf "a link listed twice" 7 "$(conf '.links = [{"name": "h0"}, {"name": "h0"}]')"
bad_conf "a link without a name" 7 "$(conf '.links = [{"name": "h0"}, {"nom": "h1"}]')"
bad_conf "a link that does not exist" 7 "$(conf '.links[1].name = "nosuch0"')"
bad_conf "linksInContainer with links in the host" 7 "$(conf '.linksInContainer = true')"
bad_conf "failOverMac 1, not supported" 2 "$(conf '.failOverMac = 1')"
bad_conf "arpValidate not a string" 7 "$(conf '.arpValidate = 5')"
bad_conf "miimon not a number" 7 "$(conf '.miimon = "fast"')"
bad_conf "mtu out of range" 7 "$(conf '.mtu = 20')"
bad_conf "a weight out of range" 7 "$(conf '.links[1].weight = 256')"
bad_conf "primary not among the links" 7 "$(conf '.primary = "h7"')"
bad_conf "arpIpTarget not an address" 7 "$(conf '.arpIpTarget = ["10.85.0.300"]')"
bad_conf "17 ARP targets" 7 "$(conf ".arpIpTarget = \"$(seq -s, -f '10.85.0.%g' 1 17)\"")"
bad_conf "arpIpTarget not a list" 7 "$(conf '.arpIpTarget = 5')"
bad_conf "links not a list" 7 "$(conf '.links = "h0,h1"')"
bad_conf "linksInContainer not a boolean" 7 "$(conf '.linksInContainer = "no"')"
bad_conf "ipam not an object" 7 "$(conf '.ipam = "host-local"')"
bad_conf "ipam plugin not in CNI_PATH" 7 "$(conf '.ipam.type = "nosuch-ipam"')"
bad_conf "ipam type with a path" 7 "$(conf '.ipam.type = "../../bin/sh"')"
bad_conf "host-local refuses its config: its error passed on" 999 \
	"$(conf '.ipam.subnet = "not-a-subnet"')"
msg=$(cni_in "$(conf '.ipam.subnet = "x"')" ADD "$PODNS" 2>/dev/null | jq -r .msg)
check "... with its message: $msg" grep -q '^ipam host-local: invalid CIDR' <(echo "$msg")

# Failures after the links moved: all of it is undone.
ip -n "$POD" link add eth0 type veth peer name eth0p
code=$(error_code cni_in "$(conf)" ADD "$PODNS")
ip -n "$POD" link del eth0
bad "a failure making the bond (eth0 exists in the pod) undoes the moves" 999 echo "$code"
check "... and the runtime's DEL after it succeeds" cni_in "$(conf)" DEL "$PODNS"
unreachable='.ipam.routes = [{"dst": "10.99.0.0/16", "gw": "10.200.0.1"}]'
bad "a failure after IPAM (a route the kernel refuses) releases the lease too" 999 \
	error_code cni_in "$(conf "$unreachable")" ADD "$PODNS"
check "... and the runtime's DEL after it succeeds" cni_in "$(conf "$unreachable")" DEL "$PODNS"

# A pod with a link of a member's name: ADD refuses, and DEL moves nothing.
ip -n "$POD" link add h0 type veth peer name h0p
bad "a member's name already in the pod: code 7" 7 error_code cni_in "$(conf)" ADD "$PODNS"
del_moves_nothing() {
	cni_in "$(conf)" DEL "$PODNS" && ip -n "$POD" link show h0p && ip -n "$POD" link show h0 &&
		ip -n "$H" link show h0
}
check "... the runtime's DEL leaves the pod's h0 and the host's h0 where they are" \
	del_moves_nothing
ip -n "$POD" link del h0

# 802.3ad with lacpRate fast: ADD, aggregation with the switch's LACP bond,
# CHECK, DEL. A Linux bridge does not forward LACPDUs: lag0 is the partner.
ip -n "$S" link set s0 nomaster && ip -n "$S" link set s1 nomaster &&
	xbond --netns "$S" --name lag0 --ifaces s0,s1 --mode 802.3ad --lacp-rate fast >/dev/null &&
	ip -n "$S" addr add 10.85.0.2/24 dev lag0 && ip -n "$S" link set lag0 up ||
	fail "the switch's 802.3ad bond lag0 on s0,s1"
ad='.mode = "802.3ad" | .lacpRate = "fast" | .xmitHashPolicy = "layer3+4" |
	.adSelect = "count" | .minLinks = "1" | .links[1].lacpPortPrio = 100'
result=$(conf "$ad" | cni ADD "$PODNS")
check "ADD with mode 802.3ad, lacpRate fast, adSelect, minLinks and lacpPortPrio" \
	jq -e '.interfaces[0].name == "eth0"' <<<"$result"
# lacp_aggregated NS BOND PARTNER_MAC: as xbondctl status says, both members
# distributing in the active aggregator, with PARTNER_MAC as partner, each end
# asking the other for fast LACPDUs.
lacp_aggregated() {
	"$XBONDCTL" --netns "$1" status --json "$2" | jq -e --arg mac "$3" '
		."802.3ad_info" as $ad | $ad.lacp_rate == "fast" and
		$ad.active_aggregator_info.partner_mac_address == $mac and
		([.member_list[] | select(.mux_state == "distributing" and .distributing == "yes" and
		  .aggregator_id == $ad.active_aggregator_info.aggregator_id and
		  (.details_partner_lacp_pdu.port_state_flags | index("timeout")))] | length) == 2'
}
lag_mac=$(ip -n "$S" -j link show lag0 | jq -r '.[0].address')
check "... both members distribute, partnered with the switch's lag0" \
	wait_for 5 lacp_aggregated "$POD" eth0 "$lag_mac"
check "... the config's settings are the bond's" sh -c "$XBONDCTL --netns $POD status --json \
	eth0 | jq -e '.hash_policy == \"layer3+4\" and .\"802.3ad_info\".ad_select == \"count\" and
	.\"802.3ad_info\".min_links == 1 and .member_list[1].details_actor_lacp_pdu.port_priority == 100'"
check "... ping lag0 over the bond" ip netns exec "$POD" ping -c 3 -i 0.05 -W 1 10.85.0.2
ad_prev=$(conf "$ad | . + {prevResult: $result}")
check "... CHECK passes on the aggregated bond" cni_in "$ad_prev" CHECK "$PODNS"
check "... CHECK sees a mode other than the config's 802.3ad" test "$(error_code cni_in \
	"$(conf "$ad | .mode = \"balance-xor\" | . + {prevResult: $result}")" CHECK "$PODNS")" = 999
check "DEL of the 802.3ad bond" cni_in "$ad_prev" DEL "$PODNS"
check "... gives the links back, and nothing is left" nothing_left
check "... the monitor is gone" sh -c "! ip netns pids $POD | grep -q ."

exit $FAILED
