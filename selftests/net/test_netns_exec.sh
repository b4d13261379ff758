#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# xbond-test: host
# As users run it: every tool under `ip netns exec` and with --netns, against
# the host's own bpffs, and the first command on a fresh machine, where
# nothing has mounted bpffs, whichever way it is run.
#
#   A: xbond0 10.89.0.1 [a0 a1] ====== [b0 b1] xbond0 10.89.0.2 :B
. "$(dirname "$0")/../lib.sh"

topo_b2b 2 || { fail "topology"; exit 1; }
in_a() { ip netns exec "$A" "$@"; }

check "ip netns exec: xbondload creates a bond" \
	in_a "$XBONDLOAD" --ifaces a0,a1 --mode balance-xor --hash layer3+4
check "--netns: the other end" xbond --netns "$B" --ifaces b0,b1 --mode balance-xor --hash layer3+4
ip -n "$A" addr add 10.89.0.1/24 dev xbond0
ip -n "$B" addr add 10.89.0.2/24 dev xbond0
check "... its pins are in the host's bpffs, after the command is gone" \
	test -e "$(pin_dir "$A")/xbond_config"
check "... and its monitor runs" wait_for 2 monitor_pid "$A"
check "ping over the bond" wait_for 3 in_a ping -c 1 -W 0.2 10.89.0.2
check "ip netns exec: xbondctl status" sh -c \
	"ip netns exec $A '$XBONDCTL' -j status | jq -e '.mode == \"balance-xor\" and .monitor == \"running\"'"
check "--netns: xbondctl status sees the same bond" sh -c \
	"'$XBONDCTL' --netns $A -j status | jq -e '.mode == \"balance-xor\"'"
check_fails "ip netns exec: xbondmon finds the running monitor" "a monitor is already running" \
	in_a "$XBONDMON" --name xbond0
check "ip netns exec: a live mode change" in_a "$XBONDLOAD" --mode active-backup
check "... seen through --netns" test "$(live_field "$A" mode)" = "$XBOND_MODE_ACTIVEBACKUP"
check "ip netns exec: detach" in_a "$XBONDLOAD" --detach
check "... no pins left" test ! -e "$(pin_dir "$A")"
check "... no monitor left" wait_for 2 sh -c "! ip netns pids $A | grep -q ."

# A fresh machine: no bpffs anywhere. The new PID namespace matters: its PID 1
# is the shell below, whose mount namespace is the private one without bpffs.
fresh() { # SCRIPT: run in a fresh mount and PID namespace with bpffs unmounted
	unshare -m -p -f --mount-proc --propagation private bash -c \
		"umount /sys/fs/bpf 2>/dev/null; umount /run/xbond 2>/dev/null
		 mount -t tmpfs -o mode=0755 tmpfs /run/xbond; set -e; $1"
}
xbond --netns "$A" --ifaces a0,a1 >/dev/null 2>&1 && xbond --netns "$A" --detach >/dev/null
out=$(fresh "stat -f -c %T /sys/fs/bpf | grep -qv bpf_fs
	'$XBONDLOAD' --netns $A --ifaces a0,a1
	stat -f -c %T /sys/fs/bpf; stat -c %a /sys/fs/bpf /sys/fs/bpf/xbond
	ls /sys/fs/bpf/xbond/*/xbond0/xbond_config >/dev/null && echo pinned
	'$XBONDLOAD' --netns $A --detach" 2>&1)
check "fresh machine, --netns: the first command mounts bpffs (0700) and pins there" \
	test "$(echo $out)" = "bpf_fs 1700 700 pinned"
out=$(fresh "ip netns exec $A '$XBONDLOAD' --ifaces a0,a1
	stat -f -c %T /sys/fs/bpf; stat -c %a /sys/fs/bpf /sys/fs/bpf/xbond
	ip netns exec $A '$XBONDCTL' status | grep -q '^mode: active-backup' && echo status
	ip netns exec $A '$XBONDLOAD' --detach && echo detached" 2>&1)
check "fresh machine, ip netns exec: bpffs mounted where the pins outlive the command" \
	test "$(echo $out)" = "bpf_fs 1700 700 status detached"
check "fresh machine: make demo's own script" sh -c "cd '$TOP' &&
	unshare -m -p -f --mount-proc --propagation private bash -c \
	'umount /sys/fs/bpf 2>/dev/null; demo/demo.sh' 2>&1 | grep -q 'Traffic went on over a0'"

# A pin root that someone else made first is not trusted (bpffs is often 1777).
out=$(fresh "mount -t bpf -o mode=1777 bpf /sys/fs/bpf
	mkdir /sys/fs/bpf/xbond; chown nobody /sys/fs/bpf/xbond
	! '$XBONDLOAD' --netns $A --ifaces a0,a1 2>&1
	ip -n $A link show xbond0 >/dev/null 2>&1 || echo nothing-made" 2>&1)
check "a pin root owned by another user is refused, and nothing is made" sh -c \
	"echo '$out' | grep -q 'xbondload: /sys/fs/bpf/xbond is not a root-only directory' &&
	 echo '$out' | grep -q nothing-made"
exit $FAILED
