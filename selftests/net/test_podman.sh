#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# A real runtime: Debian's podman 4.3 with the CNI backend runs a container on
# a network whose conflist uses xbond. The container gets an address from
# host-local, pings a peer through both members, survives one member's switch
# port going down, and is cleaned up fully when it stops. Then a second
# container on a network whose bond is 802.3ad (lacpRate fast): the switch's
# ports leave the bridge and become an xbond 802.3ad bond, the LACP partner.
#
# podman runs in namespace H (entered with nsenter --net, since ip netns exec
# remounts /sys and runc then finds no cgroups), with its own config, storage
# and state under a temporary directory, so nothing of the machine's is used.
#
#   H (podman):  h0 h1 ---- moved into the container's netns by xbond
#                 |  |
#   S:   br0 [s0 s1 sp]
#                    |
#   P:              p0 10.86.0.1
#
# 802.3ad:
#   container: eth0 10.87.0.1x [h0 h1] (802.3ad, lacpRate fast)
#                               |  |
#   S:          lag0 10.87.0.1 [s0 s1] (802.3ad, lacp-rate fast)
. "$(dirname "$0")/../lib.sh"

if ! command -v podman >/dev/null || ! command -v runc >/dev/null ||
   [ ! -x /bin/busybox ]; then
	skip "podman, runc or busybox-static is not installed (make deps)"
	exit 0
fi

W=$(mktemp -d /tmp/xbt-podman.XXXXXX)
cid= cids=()
# podman import writes this cache whatever --root says; remove it if we made it.
BLOB_CACHE=/var/lib/containers/cache/blob-info-cache-v1.boltdb
[ -e $BLOB_CACHE ] && BLOB_CACHE=
NET=xbt$SUFFIX NET_AD=xbtad$SUFFIX
IMG=localhost/xbt:$SUFFIX
CTR=xbt$SUFFIX CTR_AD=xbtad$SUFFIX
CGROUP=/xbt-$SUFFIX
export CONTAINERS_CONF=$W/containers.conf CONTAINERS_STORAGE_CONF=$W/storage.conf
export CONTAINERS_REGISTRIES_CONF=$W/registries.conf TMPDIR=$W/tmp

podman_h() { nsenter --net="/run/netns/$H" podman "$@"; }

teardown() {
	podman_h rm -a -f -t 0 >/dev/null 2>&1
	podman_h rmi -a -f >/dev/null 2>&1
	# Exited conmons linger until pid 1 reaps them; their mounts go with them.
	wait_for 5 sh -c "! pgrep -f 'conmon .*$W'"
	findmnt -rn -o TARGET | grep "^$W" | sort -r | xargs -r -n1 umount -l
	for d in /sys/fs/cgroup/*$CGROUP; do
		[ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} + 2>/dev/null
	done
	rm -f /var/lib/cni/results/"$NET"-* /var/lib/cni/results/"$NET_AD"-*
	for cid in "${cids[@]}"; do rm -f /run/xbond/cni/"$cid".*; done
	[ -n "$BLOB_CACHE" ] && rm -f "$BLOB_CACHE" &&
		rmdir /var/lib/containers/cache /var/lib/containers 2>/dev/null
	rm -rf "$W"
}
trap 'teardown; cleanup' EXIT

topo_switch 2 || { fail "topology"; exit 1; }
ip -n "$P" addr add 10.86.0.1/24 dev p0

mkdir -p "$W"/{root,runroot,tmp,net.d,ipam,rootfs/bin,rootfs/etc}
cat >"$CONTAINERS_CONF" <<EOF
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]
log_driver = "k8s-file"
[network]
network_backend = "cni"
network_config_dir = "$W/net.d"
cni_plugin_dirs = ["$TOP/.output", "/usr/lib/cni"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"
tmp_dir = "$W/tmp"
lock_type = "file"
EOF
printf '[storage]\ndriver = "overlay"\ngraphroot = "%s"\nrunroot = "%s"\n' \
	"$W/root" "$W/runroot" >"$CONTAINERS_STORAGE_CONF"
echo 'unqualified-search-registries = []' >"$CONTAINERS_REGISTRIES_CONF"
cat >"$W/net.d/$NET.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "$NET", "plugins": [
  {"type": "xbond", "mode": "active-backup", "miimon": "10",
   "links": [{"name": "h0"}, {"name": "h1"}], "linksInContainer": false,
   "ipam": {"type": "host-local", "subnet": "10.86.0.0/24", "rangeStart": "10.86.0.10",
            "gateway": "10.86.0.1", "dataDir": "$W/ipam"}}]}
EOF

# An image with no registry: a busybox-static rootfs, imported.
cp /bin/busybox "$W/rootfs/bin/"
for a in sh ip ping sleep cat; do ln -s busybox "$W/rootfs/bin/$a"; done
echo 'root:x:0:0:root:/root:/bin/sh' >"$W/rootfs/etc/passwd"
tar --numeric-owner -C "$W/rootfs" -cf "$W/rootfs.tar" .
check "podman import of a busybox rootfs" podman_h import --change 'CMD ["/bin/sh"]' \
	"$W/rootfs.tar" "$IMG"
check "podman lists the xbond network (VERSION answered)" \
	sh -c "nsenter --net=/run/netns/$H podman network ls --format '{{.Name}}' | grep -qx $NET"

check "podman run on the xbond network" podman_h run -d --name "$CTR" \
	--cgroup-parent="$CGROUP" --network "$NET" "$IMG" sleep 1000
cid=$(podman_h inspect -f '{{.Id}}' "$CTR")
cids+=("$cid")
sandbox=$(podman_h inspect -f '{{.NetworkSettings.SandboxKey}}' "$CTR")
ip=$(podman_h inspect -f "{{.NetworkSettings.Networks.$NET.IPAddress}}" "$CTR")
PODNS=$(basename "$sandbox")
check "the container has eth0 with host-local's address ($ip)" \
	sh -c "podman_h() { nsenter --net=/run/netns/$H podman \"\$@\"; }
	podman_h exec $CTR ip -4 addr show eth0 | grep -q 'inet 10.86.0.1[0-9]/24'"
check "the members moved into the container" sh -c \
	"ip -n $PODNS link show h0 && ip -n $PODNS link show h1 && ! ip -n $H link show h0"
check "a monitor runs in the container's netns" wait_for 2 monitor_pid "$PODNS" worker eth0
check "the container pings the peer" podman_h exec "$CTR" ping -c 3 -W 1 10.86.0.1

# Through both members: h0 while active, h1 after h0's switch port goes down.
tx0=$(member_stat "$PODNS" 0 tx_packets eth0)
tx1=$(member_stat "$PODNS" 1 tx_packets eth0)
read -r lost sent < <(lost_pings "$P" "$ip" 2000 0.001 0.5 ip -n "$S" link set s0 down)
echo "    failover in the container: $lost of $sent pings at 1 ms lost"
check "pings go on when h0's switch port goes down (lost $lost)" test "$lost" -le 20
check "both members carried the pings" test "$(member_stat "$PODNS" 0 tx_packets eth0)" \
	-gt "$tx0" -a "$(member_stat "$PODNS" 1 tx_packets eth0)" -gt "$tx1"
check "the container still pings the peer" podman_h exec "$CTR" ping -c 2 -W 1 10.86.0.1

# Stop: podman's DEL gives everything back.
ino=$(stat -L -c %i "$sandbox")
check "podman stop" sh -c "nsenter --net=/run/netns/$H podman stop -t 0 $CTR 2>$W/stop.err &&
	! grep -q 'Unable to clean up network' $W/stop.err"
check "podman rm" podman_h rm "$CTR"
check "the links are back in the host namespace" sh -c \
	"ip -n $H link show h0 && ip -n $H link show h1"
# nothing_left INO NET CID: no pins, monitor, lease or state of that pod; names what is.
nothing_left() {
	local left
	left=$(ls -d "/sys/fs/bpf/xbond/$1" "/run/xbond/$1/eth0.pid" "$W/ipam/$2"/10.8* \
		/run/xbond/cni/"$3".* 2>/dev/null)
	[ -z "$left" ] || { echo "left:" $left; return 1; }
}
check "no pins, monitor, lease or state left" nothing_left "$ino" "$NET" "$cid"

# 802.3ad: the switch's two ports leave the bridge and become a LACP bond, as
# a switch's LAG; the container's bond must negotiate with it before it forwards.
cat >"$W/net.d/$NET_AD.conflist" <<EOF
{"cniVersion": "1.0.0", "name": "$NET_AD", "plugins": [
  {"type": "xbond", "mode": "802.3ad", "lacpRate": "fast", "miimon": "10",
   "links": [{"name": "h0"}, {"name": "h1"}], "linksInContainer": false,
   "ipam": {"type": "host-local", "subnet": "10.87.0.0/24", "rangeStart": "10.87.0.10",
            "gateway": "10.87.0.1", "dataDir": "$W/ipam"}}]}
EOF
ip -n "$S" link set s0 nomaster && ip -n "$S" link set s1 nomaster &&
	xbond --netns "$S" --name lag0 --ifaces s0,s1 --mode 802.3ad --lacp-rate fast >/dev/null &&
	ip -n "$S" addr add 10.87.0.1/24 dev lag0 && ip -n "$S" link set lag0 up ||
	fail "the switch's 802.3ad bond lag0 on s0,s1"
lag_mac=$(ip -n "$S" -j link show lag0 | jq -r '.[0].address')

check "podman run on the 802.3ad network" podman_h run -d --name "$CTR_AD" \
	--cgroup-parent="$CGROUP" --network "$NET_AD" "$IMG" sleep 1000
cid=$(podman_h inspect -f '{{.Id}}' "$CTR_AD")
cids+=("$cid")
sandbox=$(podman_h inspect -f '{{.NetworkSettings.SandboxKey}}' "$CTR_AD")
PODNS=$(basename "$sandbox")
# aggregated NS BOND PARTNER_MAC: as xbondctl status says, lacp_rate fast, and
# both members distributing in the active aggregator, whose partner is
# PARTNER_MAC and asks for fast LACPDUs too (the timeout flag in its LACPDUs).
aggregated() {
	"$XBONDCTL" --netns "$1" status --json "$2" | jq -e --arg mac "$3" '
		."802.3ad_info" as $ad | $ad.lacp_rate == "fast" and
		$ad.active_aggregator_info.number_of_ports == 2 and
		$ad.active_aggregator_info.partner_mac_address == $mac and
		([.member_list[] | select(.mux_state == "distributing" and .distributing == "yes" and
		  .aggregator_id == $ad.active_aggregator_info.aggregator_id and
		  (.details_partner_lacp_pdu.port_state_flags | index("timeout")))] | length) == 2'
}
check "both of the container's members distribute, partnered with lag0" \
	wait_for 5 aggregated "$PODNS" eth0 "$lag_mac"
# lag0 learns that the container's side is in sync from its next LACPDU.
check "... and both of lag0's, partnered with the container's bond" wait_for 2 aggregated \
	"$S" lag0 "$(ip -n "$PODNS" -j link show eth0 | jq -r '.[0].address')"
check "the 802.3ad container pings lag0 over the bond" \
	podman_h exec "$CTR_AD" ping -c 3 -W 1 10.87.0.1

ino=$(stat -L -c %i "$sandbox")
check "podman stop and rm of the 802.3ad container" sh -c "nsenter --net=/run/netns/$H \
	podman stop -t 0 $CTR_AD 2>$W/stop.err && ! grep -q 'Unable to clean up network' \
	$W/stop.err && nsenter --net=/run/netns/$H podman rm $CTR_AD"
check "the 802.3ad links are back in the host namespace" sh -c \
	"ip -n $H link show h0 && ip -n $H link show h1"
check "... and no pins, monitor, lease or state left" nothing_left "$ino" "$NET_AD" "$cid"

exit $FAILED
