# SPDX-License-Identifier: GPL-2.0
# Shared by the bench scripts: options, the two topologies, switching modes and
# recording results as JSON lines. The namespaces and their cleanup trap come
# from the selftests' lib.sh.
#
#   A: xbond0 10.91.0.1 [a0 .. aN-1] ====== [b0 .. bN-1] xbond0 10.91.0.2 :B   (bond)
#   C: c0 10.90.0.1 ========================================= d0 10.90.0.2 :D   (single link)
#
# Every member and the single link are shaped by tbf on both ends, as a 1 GbE
# NIC is, so the bond's ratio to the single link is the aggregation.

. "$(dirname "${BASH_SOURCE[0]}")/../selftests/lib.sh"
BENCH=$TOP/bench
SEQSTREAM=$TOP/.output/seqstream
BOND_IP=10.91.0.2 LINK_IP=10.90.0.2

# The rows of the table: mode and hash policy, as xbondload takes them. 802.3ad
# runs LACP between A and B (both xbond, --lacp-rate fast) and forwards only
# once it has aggregated; it hashes as the xor row it is compared with.
ROWS=(balance-rr:layer2 active-backup:layer2 balance-xor:layer2 balance-xor:layer2+3
      balance-xor:layer3+4 broadcast:layer2 802.3ad:layer3+4)

RATE=1gbit LINKS=2 TIME= QUICK=0 OUT=

die() { echo "${0##*/}: $*" >&2; exit 1; }

usage() {
	echo "usage: ${0##*/} [--quick] [--rate RATE] [--links 2|4] [--time SECONDS] [--out DIR]" >&2
	exit 2
}

parse_opts() {
	while [ $# -gt 0 ]; do
		case $1 in
		--quick) QUICK=1; shift ;;
		--rate) [ -n "$2" ] || usage; RATE=$2; shift 2 ;;
		--links) [ "$2" = 2 ] || [ "$2" = 4 ] || usage; LINKS=$2; shift 2 ;;
		--time) [[ $2 =~ ^[0-9]+$ ]] && [ "$2" -gt 0 ] || usage; TIME=$2; shift 2 ;;
		--out) [ -n "$2" ] || usage; OUT=$2; shift 2 ;;
		*) usage ;;
		esac
	done
	[ "$(id -u)" -eq 0 ] || die "run as root"
	[ -x "$XBONDLOAD" ] && [ -x "$SEQSTREAM" ] ||
		die "build first: make all .output/prog_cost .output/seqstream"
	rate_bps >/dev/null || die "bad --rate: $RATE (e.g. 1gbit, 500mbit)"
	TIME=${TIME:-$((QUICK ? 1 : 5))}
	if [ -z "$OUT" ]; then
		OUT=$TOP/.output/bench/$(date +%Y%m%d-%H%M%S)
	fi
	mkdir -p "$OUT" || die "cannot create $OUT"
}

# The rate in bits/s, from tc's units (bit, kbit, mbit, gbit, tbit).
rate_bps() {
	awk -v r="${RATE,,}" 'BEGIN {
		if (!match(r, /^[0-9.]+/)) exit 1
		n = substr(r, 1, RLENGTH); u = substr(r, RLENGTH + 1)
		m["bit"] = 1; m["kbit"] = 1e3; m["mbit"] = 1e6; m["gbit"] = 1e9; m["tbit"] = 1e12
		if (!(u in m) || n <= 0) exit 1
		printf "%.0f\n", n * m[u] }'
}

shape() { # NS DEV
	tc -n "$1" qdisc replace dev "$2" root tbf rate "$RATE" burst 256kb latency 5ms
}

unshape() { tc -n "$1" qdisc del dev "$2" root 2>/dev/null; }

# The members of a side: a0,a1,...
members() { seq -s, -f "$1%g" 0 $((LINKS - 1)); }

# make_link: the single-link baseline, C -- D.
make_link() {
	make_ns C c && make_ns D d || die "cannot create namespaces"
	ip link add c0 netns "$C" type veth peer name d0 netns "$D" || die "cannot create veth"
	ip -n "$C" addr add 10.90.0.1/24 dev c0 && ip -n "$C" link set c0 up
	ip -n "$D" addr add $LINK_IP/24 dev d0 && ip -n "$D" link set d0 up
	shape "$C" c0 && shape "$D" d0 || die "cannot shape c0/d0 to $RATE"
	wait_for 5 ip netns exec "$C" ping -c 1 -W 0.2 $LINK_IP || die "single link: no ping"
}

# make_bond MODE HASH [xbondload options]: A and B bonded over $LINKS shaped links.
make_bond() {
	local mode=$1 hash=$2 i
	shift 2
	topo_b2b "$LINKS" || die "cannot create namespaces"
	for ((i = 0; i < LINKS; i++)); do
		shape "$A" a$i && shape "$B" b$i || die "cannot shape a$i/b$i to $RATE"
	done
	xbond --netns "$A" --ifaces "$(members a)" --mode "$mode" --hash "$hash" \
		$(mode_opts "$mode") "$@" >/dev/null &&
		xbond --netns "$B" --ifaces "$(members b)" --mode "$mode" --hash "$hash" \
		$(mode_opts "$mode") "$@" >/dev/null || die "xbondload failed"
	ip -n "$A" addr add 10.91.0.1/24 dev xbond0
	ip -n "$B" addr add $BOND_IP/24 dev xbond0
	wait_for 5 ip netns exec "$A" ping -c 1 -W 0.2 $BOND_IP || die "bond: no ping"
}

# mode_opts MODE: what xbondload takes with MODE besides --mode and --hash.
mode_opts() { [ "$1" = 802.3ad ] && echo --lacp-rate fast; }

# set_mode MODE HASH: a live switch of both ends, A first, as an operator would.
# Into 802.3ad, returns once both ends have aggregated.
set_mode() {
	xbond --netns "$A" --mode "$1" --hash "$2" $(mode_opts "$1") >/dev/null &&
		xbond --netns "$B" --mode "$1" --hash "$2" $(mode_opts "$1") >/dev/null ||
		die "live switch to $1 failed"
	[ "$1" != 802.3ad ] || wait_for 5 aggregated || die "802.3ad: no aggregation in 5 s"
}

# lacp_distributing NS: every member of NS's xbond0 distributing, as
# xbondctl status --json says.
lacp_distributing() {
	"$XBONDCTL" --netns "$1" status --json 2>/dev/null | jq -e --argjson n "$LINKS" \
		'[.member_list[] | select(.distributing == "yes")] | length == $n' >/dev/null
}

# aggregated: every member of both ends distributing.
aggregated() { lacp_distributing "$A" && lacp_distributing "$B"; }

# The row's name in the table.
row_name() { # MODE HASH
	case $1 in
	balance-xor | 802.3ad) echo "$1 $2" ;;
	*) echo "$1" ;;
	esac
}

# emit ROW KEY VALUE: one JSON line into raw.jsonl. VALUE must be JSON.
emit() {
	jq -nc --arg row "$1" --arg key "$2" --argjson value "${3:-null}" --argjson links "$LINKS" \
		--arg rate "$RATE" '{links: $links, rate: $rate, row: $row, key: $key, value: $value}' \
		>>"$OUT/raw.jsonl"
}

# What arrived, in bits/s. For UDP, distinct datagrams: iperf3 counts duplicates
# (broadcast mode delivers each datagram once per member) in its byte count.
IPERF_GOODPUT='.start.test_start.blksize as $len | .end.sum_received as $r |
	if $r == null then 0 elif $r.packets then ($r.packets - $r.lost_packets) * $len * 8 / $r.seconds
	else $r.bits_per_second end'

# iperf SERVER_NS SERVER_IP CLIENT_NS ARGS...: bits/s received, 0 if it failed.
iperf() {
	local sns=$1 sip=$2 cns=$3 port=$((5201 + RANDOM % 1000)) spid bps
	shift 3
	ip netns exec "$sns" iperf3 -s -1 -p $port -B "$sip" --logfile /dev/null &
	spid=$!
	wait_for 5 ip netns exec "$sns" sh -c "ss -ltn | grep -q :$port"
	bps=$(ip netns exec "$cns" timeout $((TIME + 15)) iperf3 -c "$sip" -p $port -J "$@" 2>/dev/null |
		jq "$IPERF_GOODPUT" 2>/dev/null)
	kill $spid 2>/dev/null
	wait $spid 2>/dev/null
	echo "${bps:-0}"
}

# Sent and received member tx packets of side A, as "n0 n1 ...".
tx_packets() {
	bpftool map dump pinned "$(pin_dir "$A")/xbond_mstats" |
		jq -r "[.[] | select(.key < $LINKS) | [.values[].value.tx_packets] | add] | @sh"
}

# busiest_member BEFORE AFTER: the index whose count grew most.
busiest_member() {
	paste <(tr ' ' '\n' <<<"$1") <(tr ' ' '\n' <<<"$2") |
		awk '{ d = $2 - $1; if (NR == 1 || d > max) { max = d; i = NR - 1 } } END { print i }'
}

now_ns() { date +%s%N; }

# median: of the numbers on stdin, one a line or space-separated.
median() { tr ' ' '\n' | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
