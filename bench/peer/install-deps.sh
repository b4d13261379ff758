#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install those of the named Debian packages that are missing, as make deps
# does: only then is the network needed. linux-image-amd64 takes a minute
# (its postinst builds an initrd that the peer guest does not use).
#
# Usage: bench/peer/install-deps.sh PACKAGE...
set -u
missing=()
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
echo "  DEPS     installing: ${missing[*]}"
# Other make targets may run apt at the same time: wait for its lock.
apt-get -o DPkg::Lock::Timeout=300 update -qq &&
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq \
		--no-install-recommends "${missing[@]}" >/dev/null ||
	{ echo "${0##*/}: could not install: ${missing[*]}" >&2; exit 1; }
