#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build the peer guest's initramfs: busybox-static, the guest kernel's modules
# for virtio, 9p and overlayfs (with their dependencies, from modules.dep), and
# initramfs-init.sh as /init. The root filesystem itself comes from the host.
#
# Usage: bench/peer/mkinitramfs.sh KV OUTFILE
set -u
. "$(dirname "$0")/host.sh"

[ $# -eq 2 ] || { echo "usage: ${0##*/} KV OUTFILE" >&2; exit 2; }
KV=$1 OUTFILE=$2
MODULES="virtio_pci 9pnet_virtio 9p overlay"

[ -d "/lib/modules/$KV" ] || die "no /lib/modules/$KV"
[ -x /bin/busybox ] && ! ldd /bin/busybox >/dev/null 2>&1 ||
	die "/bin/busybox is missing or not static: apt-get install busybox-static"
command -v cpio >/dev/null || die "cpio is missing: apt-get install cpio"

WORK=$(mktemp -d /tmp/xbond-initramfs.XXXXXX) || die "mktemp failed"
trap 'rm -rf "$WORK"' EXIT
mkdir -p "$WORK"/{bin,mods,proc,sys,dev,lower,ovl,newroot}
cp /bin/busybox "$WORK/bin/busybox"
install -m 0755 "$PEER/initramfs-init.sh" "$WORK/init"

# modprobe lists each module's dependencies first; keep the first mention.
paths=$(modprobe -S "$KV" -a --show-depends $MODULES | awk '$1 == "insmod" && !seen[$2]++ { print $2 }')
[ -n "$paths" ] || die "modprobe found none of: $MODULES for $KV"
n=10
for p in $paths; do
	name=$(basename "$p")
	case $name in
	*.ko) cp "$p" "$WORK/mods/$n-$name" ;;
	*.ko.xz) xz -dc "$p" >"$WORK/mods/$n-${name%.xz}" ;;
	*.ko.zst) zstd -qdc "$p" >"$WORK/mods/$n-${name%.zst}" ;;
	*) die "unknown module format: $p" ;;
	esac || die "cannot copy $p"
	n=$((n + 1))
done

(cd "$WORK" && find . | cpio -o -H newc --quiet | gzip -1) >"$OUTFILE" || die "cpio failed"
