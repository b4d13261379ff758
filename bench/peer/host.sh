# SPDX-License-Identifier: GPL-2.0
# Sourced by the host side of bench/peer/: finding the guest kernel, and errors.

PEER=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TOP=$(cd "$PEER/../.." && pwd)

die() { echo "${0##*/}: $*" >&2; exit 1; }

# The newest installed Debian kernel that ships the bonding driver, as its
# version (KV). This machine's own kernel has none, so the guest needs one.
find_guest_kernel() {
	local f kv
	for f in $(ls -1 /boot/vmlinuz-*-amd64 2>/dev/null | sort -V -r); do
		kv=${f#/boot/vmlinuz-}
		if compgen -G "/lib/modules/$kv/kernel/drivers/net/bonding/bonding.ko*" >/dev/null; then
			echo "$kv"
			return 0
		fi
	done
	return 1
}
