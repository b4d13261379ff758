#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# /init of the peer guest's initramfs (busybox). It makes the host's root
# filesystem the guest's root: the host's / over 9p (tag hostroot), read-only,
# under a tmpfs overlay so the guest can write. The writable 9p share (tag out)
# goes on /mnt; that is where the job and its results are. Then stage 2
# (xbond_stage2= on the kernel command line) runs as PID 1 in the new root.
# Any failure here powers the guest off with a line saying why: a shell would
# only hang until the host's timeout.

/bin/busybox --install -s /bin
export PATH=/bin

halt() {
	echo "peer-initramfs: $*"
	echo "peer-initramfs: powering off"
	sync
	echo o >/proc/sysrq-trigger
	sleep 30
}

mount -t proc proc /proc
mount -t sysfs sys /sys
mount -t devtmpfs dev /dev
echo 1 >/proc/sys/kernel/sysrq

# Numbered in dependency order by mkinitramfs.sh.
for m in /mods/*.ko; do
	insmod "$m" || halt "insmod $m failed"
done

# cache=loose: the lower layer never changes while the guest runs, and a
# cached lookup saves a round trip through TCG for every exec.
mount -t 9p -o trans=virtio,version=9p2000.L,ro,cache=loose,msize=512000 hostroot /lower ||
	halt "cannot mount the host's / (9p tag hostroot)"
mount -t tmpfs -o mode=0755 tmpfs /ovl || halt "cannot mount the overlay's tmpfs"
mkdir -p /ovl/upper /ovl/work
mount -t overlay overlay -o lowerdir=/lower,upperdir=/ovl/upper,workdir=/ovl/work /newroot ||
	halt "cannot mount the overlay root"
mount -t 9p -o trans=virtio,version=9p2000.L,msize=512000 out /newroot/mnt ||
	halt "cannot mount the results share (9p tag out)"

stage2=$(sed -n 's/.*xbond_stage2=\([^ ]*\).*/\1/p' /proc/cmdline)
[ -n "$stage2" ] && [ -f "/newroot$stage2" ] || halt "no stage 2 script: xbond_stage2=$stage2"
umount /proc /sys /dev
exec switch_root /newroot /bin/bash "$stage2"
