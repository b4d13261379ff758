#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Every rejected input of every tool, in one table: each row gives the tool,
# the exit code and the one line it must print, and after each row the
# namespace must be exactly as before (links, programs, qdiscs, pins, member
# records). Numeric, choice, name, MAC and list options get their rows from
# loops over their kinds, so a new option of a known kind is one word here.
#
#   A: xb1 [a0 a1] (a live bond, for the changes that must be refused)
#      a2 a3 ... (free links) ====== B: b0 b1 ...
. "$(dirname "$0")/../lib.sh"

CNI=$TOP/.output/xbond
rows=0 bad=0

topo_b2b 6 || { fail "topology"; exit 1; }
check "a live bond xb1 over a0,a1" xbond --netns "$A" --name xb1 --ifaces a0,a1
wait_for 2 monitor_pid "$A" worker xb1 >/dev/null
# B's ends are down: the monitor finds no usable member and xb1 loses its
# carrier. Let that settle before the first snapshot.
check "... xb1 has no carrier: no member has one" wait_for 2 sh -c \
	"ip -n $A link show xb1 | grep -q NO-CARRIER"

# What a refused command must leave as it found it.
snapshot() {
	ip -n "$A" -j link show | jq -c '[.[] | [.ifname, .address, .mtu, .flags, .xdp]]'
	tc -n "$A" qdisc show; tc -n "$A" filter show dev a0 ingress
	ls -R "/sys/fs/bpf/xbond/$(stat -L -c %i "/run/netns/$A")" 2>/dev/null
	ls "/run/xbond/$(stat -L -c %i "/run/netns/$A")/members" 2>/dev/null
}

# row CODE REGEX CMD...: CMD exits CODE with exactly one line on stderr
# matching REGEX, and changes nothing. Only failures are printed, one TEST
# line each; the tally is one TEST line per tool at the end.
row() {
	local code=$1 regex=$2 out rc before
	shift 2
	before=$(snapshot)
	out=$("$@" 2>&1 >/dev/null); rc=$?
	rows=$((rows + 1))
	if [ "$rc" != "$code" ] || [ "$(printf '%s\n' "$out" | grep -c .)" != 1 ] ||
	   ! printf '%s' "$out" | grep -Eq -- "$regex" || [ "$(snapshot)" != "$before" ]; then
		bad=$((bad + 1))
		fail "refused: $*" "exit $rc (want $code), stderr: $out" "want one line matching: $regex"
	fi
}
tally() { # TOOL: one result line for the rows since the last tally
	check "$1: $rows rejected inputs, each with one clear line, changing nothing" test "$bad" = 0
	rows=0 bad=0
}

load() { "$XBONDLOAD" --netns "$A" "$@"; }

# --- xbondload: usage errors (exit 2), by kind of option ---
for o in packets-per-member mtu miimon updelay downdelay arp-interval arp-missed-max \
	 num-grat-arp wait min-links ad-actor-sys-prio ad-user-port-key; do
	for v in x -1 '' 1e3 ' 5' 99999999999 0x10; do
		row 2 "^xbondload: --$o: '.*' is not a number from [0-9]+ to [0-9]+$" load --name xb9 --$o "$v"
	done
done
for o in arp-validate arp-all-targets primary-reselect failback xdp-mode lacp-rate \
	 lacp-active ad-select; do
	for v in bogus '' ALL 'none,all'; do
		row 2 "^xbondload: --$o: '.*' is not one of" load --name xb9 --$o "$v"
	done
done
for v in bogus '' 7 balance; do
	row 2 "^xbondload: --mode: unknown mode '.*'" load --name xb9 --mode "$v"
done
for v in balance-tlb 5 balance-alb 6 tlb alb; do
	row 2 "^xbondload: --mode: .* is not implemented yet" load --name xb9 --mode "$v"
done
for v in layer5 '' encap3+4 l2; do
	row 2 "^xbondload: --hash: unknown hash policy" load --name xb9 --hash "$v"
done
for v in 02:00:00:00:00 02:00:00:00:00:0g 02-00-00-00-00-01 02:00:00:00:00:001 ''; do
	row 2 "^xbondload: --mac: '.*' is not a MAC address" load --name xb9 --mac "$v"
done
for v in 01:00:5e:00:00:01 00:00:00:00:00:00 ff:ff:ff:ff:ff:ff 03:00:00:00:00:01; do
	row 2 "^xbondload: --mac: '.*' is multicast or zero" load --name xb9 --mac "$v"
	row 2 "^xbondload: --ad-actor-system: '.*' is multicast or zero" \
		load --name xb9 --ad-actor-system "$v"
done
for v in a0 a0=0 a0=65536 =3 'a0=1,a1'; do
	row 2 "^xbondload: --lacp-port-prio: '.*' is not" load --name xb9 --lacp-port-prio "$v"
done
row 1 "^xbondload: --mode 802.3ad: LACP runs in the monitor; drop --no-monitor$" \
	load --name xb9 --ifaces a2,a3 --mode 802.3ad --no-monitor
# The same on the live bond xb1, and a port priority for a link that is not its member.
row 1 "^xbondload: --mode 802.3ad: LACP runs in the monitor; drop --no-monitor$" \
	load --name xb1 --mode 802.3ad --no-monitor
row 1 "^xbondload: --lacp-port-prio: a2 is not a member of xb1$" \
	load --name xb1 --lacp-port-prio a2=3
for v in 10.1.2 10.1.2.3.4 a.b.c.d 10.1.2.3, ,10.1.2.3 '10.1.2.3 '; do
	row 2 "^xbondload: --arp-ip-target: '.*' is not an IPv4 address" \
		load --name xb9 --arp-ip-target "$v"
done
for v in 0.0.0.0 255.255.255.255; do
	row 2 "^xbondload: --arp-ip-target: $v cannot be an ARP target" \
		load --name xb9 --arp-ip-target "$v"
done
row 2 "is listed twice" load --name xb9 --arp-ip-target 10.1.2.3,10.1.2.3
row 2 "at most 16 targets" load --name xb9 --arp-ip-target "$(seq -s, -f '10.0.0.%g' 1 17)"
for v in a0 =3 a0= a0=x a0=0 a0=256 'a0=1,,a1=2' ''; do
	row 2 "^xbondload: --weight: " load --name xb9 --weight "$v"
done
for v in . .. a/b 'a b' a:b sixteen-chars-xx ''; do
	row 2 "^xbondload: --name: '.*' is not a valid interface name" load --name "$v" --mode rr
done
for o in ifaces add del; do
	for v in '' a0,,a1 ,a0 a0, sixteen-chars-xxx; do
		row 2 "^xbondload: --$o: " load --name xb9 --$o "$v"
	done
done
for ov in mode=rr hash=layer2 mtu=1500 miimon=10 weight=a0=2 add=a2 del=a1 active=a0 \
	  primary=a0 arp-interval=0; do
	row 2 "^xbondload: --detach takes no other change: --${ov%%=*}$" \
		load --name xb1 --detach --${ov%%=*} "${ov#*=}"
done
row 2 "unexpected argument 'extra'" load --name xb9 --mode rr extra
row 2 "^xbondload: unknown option '--no-such-option' \(see --help\)$" load --name xb9 --no-such-option
row 2 "^xbondload: unknown option '-Z' \(see --help\)$" load --name xb9 -Z
row 2 "^xbondload: --miimon needs a value \(see --help\)$" load --name xb9 --miimon

# --- xbondload: refused at run time (exit 1): the system says no ---
row 1 "nosuch: no such interface" load --name xb9 --ifaces a2,nosuch
row 1 "a3: listed twice" load --name xb9 --ifaces a2,a3,a3
row 1 "lo: a loopback device cannot be a member" load --name xb9 --ifaces a2,lo
row 1 "a0: already belongs to bond xb1" load --name xb9 --ifaces a2,a0
row 1 "xb1: is the interface of bond xb1" load --name xb9 --ifaces a2,xb1
row 1 "xb1: is the bond's own interface" load --name xb1 --add xb1
row 1 "xb9: no such bond; create it with --ifaces" load --name xb9 --mode rr
row 1 "xb9: no such bond" load --name xb9 --detach
row 1 "--active: a2 is not a member of xb1" load --name xb1 --active a2
row 1 "--primary: a2 is not a member of xb1" load --name xb1 --primary a2
row 1 "--weight: a2 is not a member of xb1" load --name xb1 --weight a2=3
row 1 "nosuch: no such interface" load --name xb1 --del nosuch
row 1 "ARP monitoring needs --arp-ip-target" load --name xb1 --arp-interval 100 \
	--arp-ip-target ''
row 1 "cannot enter 'nosuchns'" "$XBONDLOAD" --netns nosuchns --name xb9 --mode rr
ip -n "$A" addr add 192.0.2.1/24 dev a5
row 1 "a5: has IPv4 addresses" load --name xb9 --ifaces a4,a5
ip -n "$A" addr flush dev a5
tally xbondload

# --- xbondload --config ---
CONF=$(mktemp -d /tmp/xbt-conf.XXXXXX)
trap 'cleanup; rm -rf "$CONF"' EXIT
conf_row() { # CODE REGEX TEXT: a config file holding TEXT
	printf '%s\n' "$3" >"$CONF/xb9.conf"
	row "$1" "$2" "$XBONDLOAD" --netns "$A" --config "$CONF/xb9.conf"
}
conf_row 2 "xb9.conf:1: unknown key 'bogus'" "bogus 1"
conf_row 2 "xb9.conf:2: --miimon: 'x' is not a number" "ifaces a2,a3
miimon x"
conf_row 2 "xb9.conf:2: --mode: already set on line 1" "mode rr
mode xor"
conf_row 2 "xb9.conf:1: --add: is for the command line" "add a2"
conf_row 2 "xb9.conf:1: --detach: is for the command line" "detach"
conf_row 2 "xb9.conf:1: --ifaces: 'a2 a3': one value, without spaces" "ifaces a2 a3"
conf_row 2 "xb9.conf:1: --mode: unknown mode 'nope'" "mode nope"
row 1 "nosuch.conf: cannot read" "$XBONDLOAD" --netns "$A" --config "$CONF/nosuch.conf"
tally "xbondload --config"

# --- xbondctl and xbondmon ---
for v in ../x . .. a/b 'a b'; do
	row 2 "is not a valid interface name" "$XBONDCTL" --netns "$A" status "$v"
	row 2 "is not a valid interface name" "$XBONDMON" --netns "$A" --name "$v"
done
row 1 "nosuch: no such bond" "$XBONDCTL" --netns "$A" status nosuch
row 2 "^xbondctl: bogus: unknown command; the one there is: status" "$XBONDCTL" --netns "$A" bogus
row 2 "^xbondctl: unknown option '--bogus'" "$XBONDCTL" --netns "$A" --bogus status
row 2 "^xbondmon: unknown option '--bogus'" "$XBONDMON" --netns "$A" --bogus
row 1 "nosuch: no such bond" "$XBONDMON" --netns "$A" --name nosuch
row 1 "a monitor is already running" "$XBONDMON" --netns "$A" --name xb1
row 2 "unexpected argument" "$XBONDMON" --netns "$A" --name xb1 extra
tally "xbondctl and xbondmon"

# --- the CNI plugin: spec errors, code and message on stdout ---
BASE='{"cniVersion":"1.0.0","name":"n","type":"xbond","links":[{"name":"a2"},{"name":"a3"}],
	"ipam":{"type":"host-local","subnet":"10.97.0.0/24"}}'
cni_row() { # CODE REGEX JQ_FILTER [ENV...]: ADD with the base config changed by JQ_FILTER
	local code=$1 regex=$2 filter=$3 out got before
	shift 3
	before=$(snapshot)
	out=$(jq -c "$filter" <<<"$BASE" 2>/dev/null | env -i PATH="$PATH" CNI_COMMAND=ADD \
		CNI_CONTAINERID=xbtrej CNI_NETNS="/run/netns/$B" CNI_IFNAME=eth0 \
		CNI_PATH=/usr/lib/cni "$@" "$CNI" 2>/dev/null)
	got=$(jq -r '"\(.code) \(.msg)"' <<<"$out" 2>/dev/null)
	rows=$((rows + 1))
	if [ "${got%% *}" != "$code" ] || ! grep -Eq -- "$regex" <<<"${got#* }" ||
	   [ "$(snapshot)" != "$before" ]; then
		bad=$((bad + 1))
		fail "CNI refused: $filter $*" "got: $got" "want code $code, msg matching: $regex"
	fi
}
for f in miimon updelay downdelay arpInterval arpMissedMax numGratArp mtu packetsPerSlave \
	 minLinks adActorSysPrio adUserPortKey; do
	for v in '"x"' '-1' '"-1"' '99999999999' 'true' '[1]' '{}'; do
		cni_row 7 "$f" ".$f = $v"
	done
done
for f in mode xmitHashPolicy arpValidate arpAllTargets primaryReselect xdpMode lacpRate \
	 lacpActive adSelect; do
	for v in '"bogus"' '""' '1.5' 'true' '[]'; do
		cni_row 7 "$f" ".$f = $v"
	done
done
cni_row 2 "balance-alb is not implemented" '.mode = "balance-alb"'
cni_row 2 "failOverMac" '.failOverMac = 1'
cni_row 7 "links" '.links = []'
cni_row 7 "links" '.links = [{"name":"a2"}]'
cni_row 7 "links" '.links = "a2,a3"'
cni_row 7 "links" '.links = [{"name":"a2"},{"name":"a2"}]'
cni_row 7 "links" '.links = [{"name":"a2"},{"name":"../x"}]'
cni_row 7 "links" '.links = [{"name":"a2"},{"nom":"a3"}]'
cni_row 7 "weight" '.links[0].weight = 0'
cni_row 7 "weight" '.links[0].weight = 256'
cni_row 7 "arpIpTarget" '.arpIpTarget = "10.1.2"'
cni_row 7 "arpIpTarget" '.arpIpTarget = ["0.0.0.0"]'
cni_row 7 "primary" '.primary = "a5"'
cni_row 7 "linksInContainer" '.linksInContainer = "yes"'
cni_row 7 "monitor" '.monitor = "yes"'
cni_row 1 "cniVersion" '.cniVersion = "9.9.9"'
cni_row 4 "CNI_NETNS|netns" '.' CNI_NETNS=/tmp
cni_row 4 "CNI_NETNS|netns" '.' CNI_NETNS=/run/netns/nosuch
cni_row 4 "CNI_IFNAME|ifname" '.' CNI_IFNAME=../x
cni_row 4 "CNI_CONTAINERID|container" '.' CNI_CONTAINERID=-bad
cni_row 4 "CNI_COMMAND|command" '.' CNI_COMMAND=BOGUS
tally "CNI plugin"
exit $FAILED
