#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Stage 2 of the peer guest, PID 1 in the overlay root: the mounts a normal
# boot would make, then the job that runvm.sh left in the results share
# (/mnt/job), then its exit code into /mnt/exit-status, and power off.
# PID 1 must never exit (that panics), so every path ends in the power-off.

export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
# bash's process substitution and many tools want these links.
ln -sf /proc/self/fd /dev/fd
ln -sf /proc/self/fd/0 /dev/stdin
ln -sf /proc/self/fd/1 /dev/stdout
ln -sf /proc/self/fd/2 /dev/stderr
# The host's /run is stale here (netns names, xbond's logs, pid files): start
# empty. /tmp stays: the overlay makes it writable, and a tree there is seen.
mount -t tmpfs tmpfs /run
mount -t bpf bpf /sys/fs/bpf
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
hostname xbond-peer
ip link set lo up

echo "peer-guest: up, kernel $(uname -r), guest uptime $(cut -d' ' -f1 /proc/uptime) s"
if [ -f /mnt/job ]; then
	bash /mnt/job </dev/null
	echo $? >/mnt/exit-status
else
	echo "peer-guest: no /mnt/job"
	echo 127 >/mnt/exit-status
fi
echo "peer-guest: done, exit $(cat /mnt/exit-status), guest uptime $(cut -d' ' -f1 /proc/uptime) s"
sync
umount /mnt 2>/dev/null
# Wait for the power-off in bash itself: an external sleep may no longer load
# once the 9p devices go away, and PID 1 exiting would panic.
mkfifo /run/poweroff.fifo
exec 9<>/run/poweroff.fifo
echo o >/proc/sysrq-trigger
while :; do read -r -t 60 -u 9 _; done
