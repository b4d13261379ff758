# SPDX-License-Identifier: GPL-2.0
# Open vSwitch as an independent LACP (802.3ad) peer, for the shell tests and
# benches: one private OVS per network namespace, on the userspace datapath
# (datapath_type=netdev; no kernel module). Source it after selftests/lib.sh.
#
# Every instance keeps its database, sockets, pid files and logs in a temp dir
# of its own, so several run at once, and under selftests/run.sh's private
# mount and PID namespaces. Readers (ovs_member_*) fail loudly, with a message
# on stderr and exit status 2, when they cannot read OVS at all: a dead OVS
# must never read as a detached or disabled member. See /work/shared/peer-ovs.md
# for what was measured about OVS as a peer.
#
# Sourcing this file chains ovs_stop_all before lib.sh's cleanup in the EXIT
# trap; a test that calls cleanup itself calls ovs_stop_all first.

OVS_SCHEMA=${OVS_SCHEMA:-/usr/share/openvswitch/vswitch.ovsschema}
declare -gA OVS_DIR=()	# namespace -> the temp dir of the OVS running in it

# _ovs_dir NS: the temp dir of NS's OVS; a message and 2 if none was started.
_ovs_dir() {
	local d=${OVS_DIR[$1]:-}
	if [ -z "$d" ] || [ ! -d "$d" ]; then
		echo "ovs: no OVS started in netns $1" >&2
		return 2
	fi
	echo "$d"
}

# _ovs_alive PID: the process exists and is not a zombie.
_ovs_alive() {
	local state
	state=$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null) || return 1
	[ -n "$state" ] && [ "$state" != Z ] && [ "$state" != X ]
}

# ovs_start NS: start ovsdb-server and ovs-vswitchd in NS on a private database; returns once ovs-vsctl answers.
ovs_start() {
	local ns=$1 d t
	[ -n "$ns" ] || { echo "usage: ovs_start NS" >&2; return 2; }
	for t in ovsdb-tool ovsdb-server ovs-vswitchd ovs-vsctl ovs-appctl; do
		command -v "$t" >/dev/null ||
			{ echo "ovs: $t not found (install openvswitch-switch)" >&2; return 2; }
	done
	[ -r "$OVS_SCHEMA" ] || { echo "ovs: schema $OVS_SCHEMA not found" >&2; return 2; }
	[ -z "${OVS_DIR[$ns]:-}" ] || { echo "ovs: already started in netns $ns" >&2; return 2; }
	d=$(mktemp -d /tmp/xbond-ovs.XXXXXX) || { echo "ovs: cannot create a temp dir" >&2; return 2; }
	OVS_DIR[$ns]=$d
	# The daemons and ovs-vsctl/ovs-appctl find nothing in /var/run/openvswitch.
	if ! ovsdb-tool create "$d/conf.db" "$OVS_SCHEMA" >"$d/start.log" 2>&1 ||
	   ! OVS_RUNDIR=$d OVS_DBDIR=$d OVS_LOGDIR=$d ip netns exec "$ns" \
		ovsdb-server "$d/conf.db" --remote="punix:$d/db.sock" --unixctl="$d/ovsdb-server.ctl" \
		--pidfile="$d/ovsdb-server.pid" --log-file="$d/ovsdb-server.log" \
		-vconsole:off -vsyslog:off --detach >>"$d/start.log" 2>&1 ||
	   ! ovs-vsctl --db="unix:$d/db.sock" --timeout=10 --no-wait -- init \
		-- set Open_vSwitch . "external-ids:system-id=$(cat /proc/sys/kernel/random/uuid)" \
		other_config:userspace-tso-enable=true >>"$d/start.log" 2>&1 ||
	   ! OVS_RUNDIR=$d OVS_DBDIR=$d OVS_LOGDIR=$d ip netns exec "$ns" \
		ovs-vswitchd "unix:$d/db.sock" --unixctl="$d/ovs-vswitchd.ctl" \
		--pidfile="$d/ovs-vswitchd.pid" --log-file="$d/ovs-vswitchd.log" \
		-vconsole:off -vsyslog:off --detach >>"$d/start.log" 2>&1 ||
	   ! ovs-appctl -t "$d/ovs-vswitchd.ctl" --timeout=10 version >/dev/null 2>>"$d/start.log" ||
	   ! ovs-vsctl --db="unix:$d/db.sock" --timeout=10 show >/dev/null 2>>"$d/start.log"; then
		echo "ovs: cannot start OVS in netns $ns: $(tail -1 "$d/start.log" 2>/dev/null)" >&2
		ovs_stop "$ns"
		return 2
	fi
}

# _ovs_any_alive PID...: one of them is still running.
_ovs_any_alive() {
	local pid
	for pid; do _ovs_alive "$pid" && return 0; done
	return 1
}

# ovs_stop NS: stop NS's daemons by PID, wait until they are gone, remove the temp dir; safe to call twice.
ovs_stop() {
	local ns=$1 d pid pids=() name i
	d=${OVS_DIR[$ns]:-}
	[ -n "$d" ] || return 0
	for name in ovs-vswitchd ovsdb-server; do
		pid=$(cat "$d/$name.pid" 2>/dev/null)
		# Only our daemon: a stale pid file must not kill whatever has its pid now.
		[[ $pid =~ ^[0-9]+$ ]] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ] &&
			kill "$pid" 2>/dev/null && pids+=("$pid")
	done
	# Both exit within about 0.1 s of SIGTERM; after 10 s they are killed.
	for ((i = 0; i < 500 && ${#pids[@]} > 0; i++)); do
		_ovs_any_alive "${pids[@]}" || break
		sleep 0.02
	done
	if [ ${#pids[@]} -gt 0 ] && _ovs_any_alive "${pids[@]}"; then
		echo "ovs: daemons in netns $ns ignore SIGTERM: SIGKILL" >&2
		kill -9 "${pids[@]}" 2>/dev/null
		wait_for 2 eval '! _ovs_any_alive '"${pids[*]}"
	fi
	rm -rf "$d"
	unset "OVS_DIR[$ns]"
}

# ovs_stop_all: ovs_stop for every namespace with an OVS, the waits overlapping.
ovs_stop_all() {
	local ns pids=()
	for ns in "${!OVS_DIR[@]}"; do ovs_stop "$ns" & pids+=($!); done
	[ ${#pids[@]} -gt 0 ] && wait "${pids[@]}"
	OVS_DIR=()
}

# ovs_vsctl NS ARGS...: ovs-vsctl against NS's database (waits for vswitchd to apply changes, 10 s at most).
ovs_vsctl() {
	local d
	d=$(_ovs_dir "$1") || return 2
	shift
	ovs-vsctl --db="unix:$d/db.sock" --timeout=10 "$@"
}

# ovs_appctl NS ARGS...: ovs-appctl to NS's ovs-vswitchd.
ovs_appctl() {
	local d
	d=$(_ovs_dir "$1") || return 2
	shift
	ovs-appctl -t "$d/ovs-vswitchd.ctl" --timeout=5 "$@"
}

# ovs_bridge NS BRIDGE: create the netdev bridge BRIDGE unless it exists.
ovs_bridge() {
	ovs_vsctl "$1" --may-exist add-br "$2" -- set Bridge "$2" datapath_type=netdev
}

# ovs_port_quiet NS IF: keep NS's own stack off an OVS port IF, as a switch port has none, and set it up.
# The netdev datapath reads IF over AF_PACKET, so the kernel in NS sees every
# frame too: by default it answers ARP for the internal port's address on IF,
# with IF's MAC, and the peer's ARP cache then points at the wrong port.
ovs_port_quiet() {
	ip netns exec "$1" sysctl -qw "net/ipv4/conf/$2/arp_ignore=8" >/dev/null ||
		{ echo "ovs: cannot set arp_ignore on $2 in $1" >&2; return 2; }
	ip netns exec "$1" sysctl -qw "net/ipv6/conf/$2/disable_ipv6=1" >/dev/null 2>&1
	ip -n "$1" link set "$2" up
}

# ovs_lacp_bond NS BRIDGE PORT IF1 IF2 [lacp=active|passive] [lacp-time=fast|slow]: an LACP balance-tcp bond (default active, fast).
# Without rebalancing, OVS gives its 256 hash buckets out once, when the first
# member is enabled, often to that member alone, and moves none while it stays
# enabled: to spread what OVS sends over both, reset the buckets once both are
# enabled (ovs_vsctl NS set Port PORT other_config:bond-hash-basis=N, N new).
ovs_lacp_bond() {
	local ns=$1 br=$2 port=$3 if1=$4 if2=$5 lacp=active time=fast a
	shift 5
	for a in "$@"; do
		case $a in
		lacp=active | lacp=passive) lacp=${a#lacp=} ;;
		lacp-time=fast | lacp-time=slow) time=${a#lacp-time=} ;;
		*) echo "ovs_lacp_bond: bad option $a" >&2; return 2 ;;
		esac
	done
	ovs_port_quiet "$ns" "$if1" && ovs_port_quiet "$ns" "$if2" || return 2
	ovs_bridge "$ns" "$br" || return 2
	ovs_vsctl "$ns" add-bond "$br" "$port" "$if1" "$if2" bond_mode=balance-tcp lacp="$lacp" \
		other_config:lacp-time="$time" other_config:bond-rebalance-interval=0
}

# ovs_internal NS BRIDGE IFNAME IP/PREFIX: an internal port IFNAME on BRIDGE, up, with IP/PREFIX.
ovs_internal() {
	local ns=$1 br=$2 ifn=$3 ip=$4
	ovs_bridge "$ns" "$br" &&
	ovs_vsctl "$ns" add-port "$br" "$ifn" -- set Interface "$ifn" type=internal || return 2
	# vswitchd creates the tap device in NS before ovs-vsctl returns; wait anyway.
	wait_for 5 ip -n "$ns" link show "$ifn" || { echo "ovs: no $ifn in $ns" >&2; return 2; }
	ip -n "$ns" addr add "$ip" dev "$ifn" && ip -n "$ns" link set "$ifn" up
}

# ovs_del_port NS PORT: remove PORT (a bond or a port) from whatever bridge has it.
ovs_del_port() {
	ovs_vsctl "$1" del-port "$2"
}

# _ovs_show NS CMD PORT: the output of ovs-appctl CMD PORT (lacp/show, bond/show); a message and 2 if OVS does not answer.
_ovs_show() {
	local out
	if ! out=$(ovs_appctl "$1" "$2" "$3" 2>&1); then
		echo "ovs: cannot read $2 $3 in netns $1: $(head -1 <<<"$out")" >&2
		return 2
	fi
	printf '%s\n' "$out"
}

# _ovs_block TEXT KIND IF: member IF's lines in lacp/show (KIND lacp: "member: IF: current
# attached", then its details) or bond/show (KIND bond: "member IF: enabled", then its
# details; OVS before 2.15 said "slave"); a message and 2 if IF is not listed.
_ovs_block() {
	local block
	block=$(awk -v kind="$2" -v name="$3" '
		/^---- / { on = 0 }
		kind == "lacp" && /^(member|slave): / { on = ($2 == name ":") }
		kind == "bond" && /^(member|slave) / { on = ($2 == name ":") }
		on' <<<"$1")
	if [ -z "$block" ]; then
		echo "ovs: member $3 is not in the $2 output" >&2
		return 2
	fi
	printf '%s\n' "$block"
}

# _ovs_lacp_ok LACP_BLOCK: its first line's status words hold "current" and "attached".
_ovs_lacp_ok() {
	awk 'NR == 1 { for (i = 3; i <= NF; i++) w[$i] = 1; exit !(w["current"] && w["attached"]) }' <<<"$1"
}

# _ovs_bond_ok BOND_BLOCK: its first line says "enabled".
_ovs_bond_ok() {
	awk 'NR == 1 { exit !($3 == "enabled") }' <<<"$1"
}

# ovs_member_attached NS PORT IF: 0 iff lacp/show has IF "current attached", 1 if not, 2 (and a message) if OVS cannot be read.
ovs_member_attached() {
	local out
	out=$(_ovs_show "$1" lacp/show "$2") || return 2
	out=$(_ovs_block "$out" lacp "$3") || return 2
	_ovs_lacp_ok "$out"
}

# ovs_member_enabled NS PORT IF: 0 iff bond/show has IF "enabled", 1 if not, 2 (and a message) if OVS cannot be read.
ovs_member_enabled() {
	local out
	out=$(_ovs_show "$1" bond/show "$2") || return 2
	out=$(_ovs_block "$out" bond "$3") || return 2
	_ovs_bond_ok "$out"
}

# ovs_members_ready NS PORT IF...: 0 iff every IF is current attached and enabled (one read of each), 1 if not, 2 if unreadable.
ovs_members_ready() {
	local ns=$1 port=$2 lacp bond ifn b ready=0
	shift 2
	lacp=$(_ovs_show "$ns" lacp/show "$port") || return 2
	bond=$(_ovs_show "$ns" bond/show "$port") || return 2
	for ifn in "$@"; do
		b=$(_ovs_block "$lacp" lacp "$ifn") || return 2
		_ovs_lacp_ok "$b" || ready=1
		b=$(_ovs_block "$bond" bond "$ifn") || return 2
		_ovs_bond_ok "$b" || ready=1
	done
	return $ready
}

# ovs_wait_ready NS PORT SECONDS IF...: poll ovs_members_ready every 20 ms; 0 when ready, 1 on timeout, 2 at once if unreadable.
ovs_wait_ready() {
	local ns=$1 port=$2 deadline=$((SECONDS + $3)) rc
	shift 3
	while :; do
		ovs_members_ready "$ns" "$port" "$@"
		rc=$?
		[ $rc -ne 1 ] && return $rc
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.02
	done
}

# ovs_member_state NS PORT IF: one line for logs, 2 and a message if OVS cannot be read:
#   IF lacp=current,attached bond=enabled may_enable=true actor=activity,timeout,... partner=...
ovs_member_state() {
	local lacp bond
	lacp=$(_ovs_show "$1" lacp/show "$2") || return 2
	lacp=$(_ovs_block "$lacp" lacp "$3") || return 2
	bond=$(_ovs_show "$1" bond/show "$2") || return 2
	bond=$(_ovs_block "$bond" bond "$3") || return 2
	# An empty list (a defaulted member's partner state) prints as "-", a missing line as "?".
	awk -v ifn="$3" -v bond="$(awk 'NR == 1 { print $3 }' <<<"$bond")" '
		function list(from,   s, i) {
			for (i = from; i <= NF; i++) s = s (s == "" ? "" : ",") $i
			return s == "" ? "-" : s
		}
		NR == 1 { words = list(3) }
		/^  may_enable:/ { may = $2 }
		/^  actor state:/ { actor = list(3) }
		/^  partner state:/ { partner = list(3) }
		END { printf "%s lacp=%s bond=%s may_enable=%s actor=%s partner=%s\n", ifn, words, bond,
			may == "" ? "?" : may, actor == "" ? "?" : actor, partner == "" ? "?" : partner }' <<<"$lacp"
}

# Stop every OVS before lib.sh's cleanup deletes the namespaces they run in.
trap 'ovs_stop_all; cleanup' EXIT
