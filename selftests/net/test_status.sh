#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# xbondctl status: the /proc/net/bonding facts plus counters and the last
# failover, in text and JSON with the same words, read from the pins even
# while the monitor is down.
#
#   A: xbond0 10.82.0.1 [a0 a1] ====== [b0 b1] xbond0 10.82.0.2 :B
#
# and an 802.3ad bond with no partner and no monitor, whose LACP state the
# test writes into xbond_lacp as the monitor would:
#
#   C: xbond0 [c0 c1] ====== [d0 d1]  (both ends in C)
. "$(dirname "$0")/../lib.sh"

topo_b2b 2 || { fail "topology"; exit 1; }
xbond --netns "$A" --ifaces a0,a1 --mode active-backup --primary a0 &&
	xbond --netns "$B" --ifaces b0,b1 --mode active-backup || { fail "load"; exit 1; }
ip -n "$A" addr add 10.82.0.1/24 dev xbond0
ip -n "$B" addr add 10.82.0.2/24 dev xbond0
wait_for 3 ip netns exec "$A" ping -c 1 -W 0.2 10.82.0.2
ip netns exec "$A" ping -c 20 -i 0.01 10.82.0.2 >/dev/null

text=$("$XBONDCTL" --netns "$A" status)
json=$("$XBONDCTL" --netns "$A" -j status)
check "text status names mode, active member and members" sh -c "echo '$text' |
	grep -q '^mode: active-backup' && echo '$text' | grep -q '^active member: a0' &&
	echo '$text' | grep -q 'Member: a1'"
check "JSON status parses" jq -e . <<<"$json"
check "JSON keys are the text words" sh -c "
	for k in \$(echo '$text' | grep -v '^ *Member' | sed -n 's/^ *\([a-z ]*\):.*/\1/p' | tr ' ' _ | sort -u); do
		echo '$json' | jq -e \"has(\\\"\$k\\\") or (.member_list[0] | has(\\\"\$k\\\"))\" >/dev/null || exit 1
	done"
check "per-member counters: a0 carried the pings" test \
	"$(jq '.member_list[0].tx_packets' <<<"$json")" -ge 20
check "... a1 carried none" test "$(jq '.member_list[1].tx_packets' <<<"$json")" = 0
check "speed is reported (veth says 10000)" test \
	"$(jq '.member_list[0].speed_mbps' <<<"$json")" = 10000

ip -n "$B" link set b0 down
check "a pulled link shows in status" wait_for 2 sh -c \
	"'$XBONDCTL' --netns $A -j status | jq -e '.member_list[0].link == \"down\" and
	.member_list[0].failures >= 1 and .active_member == \"a1\"'"
check "the last failover and its reason" sh -c "'$XBONDCTL' --netns $A -j status |
	jq -e '.last_failover != \"never\" and .last_failover_reason == \"no carrier\"'"

# Both processes at once: neither is left to bring the other back.
kill_monitor "$A"
check "status works with the monitor down" wait_for 2 sh -c \
	"'$XBONDCTL' --netns $A -j status | jq -e '.monitor == \"not running\" and .mode == \"active-backup\"'"
check "... and says the link states may be stale" sh -c \
	"'$XBONDCTL' --netns $A status | grep -q '^link states: may be stale: no monitor runs'"
check_fails "an unknown bond: one line, exit 1" "nosuch: no such bond" \
	"$XBONDCTL" --netns "$A" status nosuch
check "in JSON the error is an object" sh -c \
	"'$XBONDCTL' --netns $A -j status nosuch | jq -e '.error == \"nosuch: no such bond\"'"
"$XBONDCTL" status extra words >/dev/null 2>&1
check "usage errors exit 2" test $? = 2

# The text status as the JSON would print it: nested objects are headed
# sections indented two more, members are "Member: NAME" sections, and a list
# is its words or "none". Equal to the real text: every text line is a JSON
# value under the same words, and the reverse.
json_as_text() {
	jq -r '
		def pad($d): [range(2 * $d) | " "] | join("");
		def words: if type == "array" then (if length == 0 then "none" else join(" ") end)
			   else tostring end;
		def text($d): to_entries[] | (.key | gsub("_"; " ")) as $k |
			if .key == "member_list" then
				.value[] | "", pad($d + 1) + "Member: " + .member,
					(del(.member) | text($d + 2))
			elif (.value | type) == "object" then
				"", pad($d) + $k, (.value | text($d + 1))
			else pad($d) + $k + ": " + (.value | words) end;
		text(0)'
}
# text_is_json NS: text and JSON status say the same, word for word. Counters
# may move between the two reads: a few tries, then the difference.
text_is_json() {
	local i
	for i in 1 2 3 4; do
		diff <("$XBONDCTL" --netns "$1" -j status | json_as_text) \
			<("$XBONDCTL" --netns "$1" status) >/dev/null && return 0
	done
	diff <("$XBONDCTL" --netns "$1" -j status | json_as_text) <("$XBONDCTL" --netns "$1" status)
}
# status_is NS FILTER: jq FILTER holds for the JSON status.
status_is() { "$XBONDCTL" --netns "$1" -j status | jq -e "$2"; }
check "text status is the JSON, line for line" text_is_json "$A"
check "no 802.3ad fields outside 802.3ad" status_is "$A" \
	'has("802.3ad_info") or (.member_list[0] | has("aggregator_id")) | not'

# --- 802.3ad ---

# An ABI constant from xbond_abi.sh, loudly if it has none of that name.
abi() {
	[ -n "${!1:-}" ] || { echo "abi: no constant $1 in xbond_abi.sh" >&2; return 2; }
	echo "${!1}"
}

# map_write NS MAP SLOT JSON: merge JSON's fields into the entry at SLOT and
# write it whole, laid out by the map's BTF (each field runs to the next: the
# ABI has explicit padding), then check bpftool reads back exactly that.
map_write() {
	local path key="$3 0 0 0" cur btf want bytes got
	path=$(pin_dir "$1")/$2
	cur=$(bpftool -j map lookup pinned "$path" key $key) &&
		btf=$(bpftool -j btf dump map pinned "$path" value) &&
		want=$(jq -c --argjson f "$4" '.formatted.value * $f' <<<"$cur") || return 2
	bytes=$(jq -r --argjson v "$want" '
		def le($n): . as $x | [range($n) | (($x / pow(2; 8 * .)) | floor) % 256];
		.types[0] as $s | ([$s.members[].bits_offset / 8] + [$s.size]) as $off |
		[range($s.members | length) as $i | ($off[$i + 1] - $off[$i]) as $len |
		 $v[$s.members[$i].name] |
		 if type == "array" then ($len / length) as $w | .[] | le($w)[]
		 elif type == "string" then (explode + [range($len) | 0])[:$len][]
		 else le($len)[] end] | map(tostring) | join(" ")' <<<"$btf") &&
		bpftool map update pinned "$path" key $key value $bytes || return 2
	got=$(bpftool -j map lookup pinned "$path" key $key | jq -c .formatted.value)
	jq -e --argjson w "$want" '. == $w' <<<"$got" >/dev/null ||
		{ echo "map_write: $2[$3] reads back $got, not $want" >&2; return 2; }
}

make_ns C c || { fail "802.3ad topology"; exit 1; }
# Nothing of its own on the wire: counters stay put between two reads.
ip netns exec "$C" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
for i in 0 1; do
	ip -n "$C" link add c$i type veth peer name d$i && ip -n "$C" link set d$i up ||
		{ fail "802.3ad topology"; exit 1; }
done
if ! out=$(xbond --netns "$C" --ifaces c0,c1 --mode 802.3ad --lacp-rate fast \
		--ad-select count --min-links 1 --ad-actor-sys-prio 100 --lacp-active off \
		--ad-actor-system 02:00:00:00:0a:0d --ad-user-port-key 5 2>&1); then
	if grep -q 'not implemented yet' <<<"$out"; then
		skip "802.3ad status: xbondload takes no --mode 802.3ad yet"
		exit $FAILED
	fi
	fail "802.3ad load" "$out"
	exit 1
fi
# From here on nobody but the test writes xbond_lacp.
kill_monitor "$C" || { fail "802.3ad: stop the monitor"; exit 1; }

ACT=$(abi XBOND_LACP_ACTIVITY) TMO=$(abi XBOND_LACP_TIMEOUT) AGG=$(abi XBOND_LACP_AGGREGATION)
SYN=$(abi XBOND_LACP_SYNC) COL=$(abi XBOND_LACP_COLLECTING) DIS=$(abi XBOND_LACP_DISTRIBUTING)
DEF=$(abi XBOND_LACP_DEFAULTED) EXP=$(abi XBOND_LACP_EXPIRED)
SELECTED=$(abi XBOND_LACP_SELECTED) STANDBY=$(abi XBOND_LACP_STANDBY)
UNSELECTED=$(abi XBOND_LACP_UNSELECTED)
# c0: in aggregator 7 with a partner, distributing; c1: in it too, but
# defaulted; slot 2, no member's, left as a removed member could leave it.
c0_actor=$((ACT | AGG | SYN | COL | DIS)) c0_partner=$((ACT | TMO | AGG | SYN | COL | DIS))
c0_lacp=$(jq -nc "{actor_state: $c0_actor, partner_state: $c0_partner,
	rx_state: $(abi XBOND_LACP_RX_CURRENT), mux_state: $(abi XBOND_LACP_MUX_DISTRIBUTING),
	selected: $SELECTED, aggregator_id: 7, actor_key: 777, actor_port: 1,
	actor_port_prio: 200, partner_key: 900, partner_port: 33, partner_port_prio: 128,
	partner_sys_prio: 32768, partner_system: [0, 17, 34, 51, 68, 85],
	lacpdu_sent: 41, lacpdu_received: 42, lacpdu_malformed: 43, marker_received: 44,
	marker_sent: 45}")
c1_lacp=$(jq -nc "{actor_state: $((AGG | DEF | EXP)), partner_state: 0,
	rx_state: $(abi XBOND_LACP_RX_DEFAULTED), mux_state: $(abi XBOND_LACP_MUX_WAITING),
	selected: $SELECTED, aggregator_id: 7, actor_key: 777, actor_port: 2}")
c0_flags=$(($(member_flags "$C" 0) | $(abi XBOND_MEMBER_COLLECTING) |
	     $(abi XBOND_MEMBER_DISTRIBUTING)))
map_write "$C" xbond_lacp 0 "$c0_lacp" && map_write "$C" xbond_lacp 1 "$c1_lacp" &&
	map_write "$C" xbond_lacp 2 "$c0_lacp" &&
	map_write "$C" xbond_members 0 "{\"flags\": $c0_flags}" ||
	{ fail "802.3ad: write LACP state"; exit 1; }
# Per CPU, bpftool writes the value into every CPU's copy.
bpftool map update pinned "$(pin_dir "$C")/xbond_counters" \
	key "$(abi XBOND_CNT_RX_SLOW)" 0 0 0 value 5 0 0 0 0 0 0 0 &&
	bpftool map update pinned "$(pin_dir "$C")/xbond_counters" \
	key "$(abi XBOND_CNT_RX_NOT_COLLECTING)" 0 0 0 value 6 0 0 0 0 0 0 0 ||
	{ fail "802.3ad: write counters"; exit 1; }

json=$("$XBONDCTL" --netns "$C" -j status)
text=$("$XBONDCTL" --netns "$C" status)
check "802.3ad: JSON status parses" jq -e . <<<"$json"
check "802.3ad: text status is the JSON, line for line" text_is_json "$C"
check "802.3ad: the bond's LACP settings" jq -e '
	."802.3ad_info" | .lacp_active == "off" and .lacp_rate == "fast" and .min_links == 1 and
	.ad_select == "count" and .system_priority == 100 and
	.system_mac_address == "02:00:00:00:0a:0d" and .ad_user_port_key == 5' <<<"$json"
check "... active aggregator 7: both ports, c0's keys and partner" jq -e '
	."802.3ad_info".active_aggregator_info == {aggregator_id: 7, number_of_ports: 2,
	actor_key: 777, partner_key: 900, partner_mac_address: "00:11:22:33:44:55"}' <<<"$json"
check "... c0: aggregator, machines, LACPDU counters, member flags" jq -e '
	.member_list[0] | .aggregator_id == 7 and .selection == "selected" and
	.rx_state == "current" and .mux_state == "distributing" and .collecting == "yes" and
	.distributing == "yes" and .lacpdu_sent == 41 and .lacpdu_received == 42 and
	.lacpdu_malformed == 43 and .marker_received == 44 and .marker_response_sent == 45' \
	<<<"$json"
check "... c0: the actor as its LACPDUs carry it" jq -e --argjson state $c0_actor '
	.member_list[0].details_actor_lacp_pdu == {system_priority: 100,
	system_mac_address: "02:00:00:00:0a:0d", port_key: 777, port_priority: 200,
	port_number: 1, port_state: $state, port_state_flags: ["activity", "aggregation",
	"synchronization", "collecting", "distributing"]}' <<<"$json"
check "... c0: the partner as its LACPDUs said" jq -e --argjson state $c0_partner '
	.member_list[0].details_partner_lacp_pdu == {system_priority: 32768,
	system_mac_address: "00:11:22:33:44:55", port_key: 900, port_priority: 128,
	port_number: 33, port_state: $state, port_state_flags: ["activity", "timeout",
	"aggregation", "synchronization", "collecting", "distributing"]}' <<<"$json"
check "... c1: defaulted, waiting, not collecting or distributing" jq -e '
	.member_list[1] | .rx_state == "defaulted" and .mux_state == "waiting" and
	.collecting == "no" and .distributing == "no" and
	.details_actor_lacp_pdu.port_state_flags == ["aggregation", "defaulted", "expired"] and
	.details_partner_lacp_pdu.port_state_flags == []' <<<"$json"
check "... state words in text, greppable" grep -qx \
	'      port state flags: activity aggregation synchronization collecting distributing' \
	<<<"$text"
check "... the rx slow-protocol and not-collecting counters" jq -e \
	--argjson slow "$(counter "$C" "$(abi XBOND_CNT_RX_SLOW)")" \
	--argjson notcol "$(counter "$C" "$(abi XBOND_CNT_RX_NOT_COLLECTING)")" '
	$slow >= 5 and .rx_slow_protocol == $slow and .rx_dropped_not_collecting == $notcol' \
	<<<"$json"

# Standby: attached to the aggregator, but held out of it.
map_write "$C" xbond_lacp 1 "{\"selected\": $STANDBY}" || fail "802.3ad: write c1 standby"
check "a standby port is not counted in the active aggregator" status_is "$C" '
	."802.3ad_info".active_aggregator_info.number_of_ports == 1 and
	."802.3ad_info".active_aggregator_info.aggregator_id == 7 and
	(.member_list[1] | .selection == "standby" and .aggregator_id == 7)'
map_write "$C" xbond_lacp 0 "{\"selected\": $UNSELECTED}" &&
	map_write "$C" xbond_bond 0 '{"ad_actor_system": [0, 0, 0, 0, 0, 0]}' ||
	fail "802.3ad: write c0 unselected, ad_actor_system zero"
json=$("$XBONDCTL" --netns "$C" -j status)
check "no selected port: active aggregator 0, all zero" jq -e '
	."802.3ad_info".active_aggregator_info == {aggregator_id: 0, number_of_ports: 0,
	actor_key: 0, partner_key: 0, partner_mac_address: "00:00:00:00:00:00"}' <<<"$json"
check "ad_actor_system all zero: the system is the bond's MAC" jq -e '
	."802.3ad_info".system_mac_address == .mac and
	.member_list[0].details_actor_lacp_pdu.system_mac_address == .mac' <<<"$json"

# A map that cannot be read is an error, not zeros: xbond_lacp swapped for a
# one-entry map, in which c1's slot does not exist.
lacp_pin=$(pin_dir "$C")/xbond_lacp
lacp_value_size=$(bpftool -j map show pinned "$lacp_pin" | jq -e .bytes_value) &&
	rm "$lacp_pin" && bpftool map create "$lacp_pin" type array key 4 \
	value "$lacp_value_size" entries 1 name xbond_lacp || fail "swap xbond_lacp"
check_fails "an unreadable xbond_lacp: one line, exit 1" \
	"^xbondctl: xbond0: cannot read map xbond_lacp: " "$XBONDCTL" --netns "$C" status
check "... in JSON, only the error object" sh -c "'$XBONDCTL' --netns $C -j status | jq -se '
	length == 1 and .[0] == {error: \"xbond0: cannot read map xbond_lacp: No such file or directory\"}'"
exit $FAILED
