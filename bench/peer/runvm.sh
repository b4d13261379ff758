#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Run one command inside a guest that boots Debian's kernel (which has the
# bonding and team drivers) on this machine's own root filesystem: the host's
# / is shared read-only over 9p under a tmpfs overlay, so everything installed
# here, and this tree with its build, is there at the same paths. OUTDIR is
# shared writable as /mnt; the command's output files go there.
#
# Usage: bench/peer/runvm.sh [options] OUTDIR COMMAND [ARGS...]
#   --timeout SECONDS  hard limit for the whole VM, boot included (default 600)
#   --accel auto|kvm|tcg  auto (default): KVM if a probe boot works, else TCG
#   --smp N            guest CPUs (default 2)
#   --mem SIZE         guest memory (default 3G)
#   --quiet            do not copy the guest's console to stdout
# COMMAND runs as root in the guest, in this tree's top directory.
#
# Writes OUTDIR/console.log, OUTDIR/vm.txt (kernel, accel, boot and run times)
# and OUTDIR/exit-status. Exits with the command's exit code, or 124 if the VM
# hit the timeout, or 125 if the guest never ran the command to its end.
set -u
. "$(dirname "$0")/host.sh"

TIMEOUT=600 ACCEL=auto SMP=2 MEM=3G QUIET=0
usage() { sed -n '9,15s/^# \{0,1\}//p' "$0" >&2; exit 2; }
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) [[ ${2:-} =~ ^[0-9]+$ ]] || usage; TIMEOUT=$2; shift 2 ;;
	--accel) [[ ${2:-} =~ ^(auto|kvm|tcg)$ ]] || usage; ACCEL=$2; shift 2 ;;
	--smp) [[ ${2:-} =~ ^[0-9]+$ ]] || usage; SMP=$2; shift 2 ;;
	--mem) [ -n "${2:-}" ] || usage; MEM=$2; shift 2 ;;
	--quiet) QUIET=1; shift ;;
	-*) usage ;;
	*) break ;;
	esac
done
[ $# -ge 2 ] || usage
OUTDIR=$(realpath -m "$1")
shift
[ "$(id -u)" -eq 0 ] || die "run as root"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 is missing: apt-get install qemu-system-x86"
KV=$(find_guest_kernel) ||
	die "no /boot/vmlinuz-*-amd64 with bonding.ko in /lib/modules: apt-get install linux-image-amd64"
mkdir -p "$OUTDIR" || die "cannot create $OUTDIR"
rm -f "$OUTDIR/exit-status" "$OUTDIR/job"

WORK=$(mktemp -d /tmp/xbond-peer-vm.XXXXXX) || die "mktemp failed"
QEMU_PID=
cleanup() {
	[ -n "$QEMU_PID" ] && kill "$QEMU_PID" 2>/dev/null
	rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

"$PEER/mkinitramfs.sh" "$KV" "$WORK/initramfs.gz" || die "cannot build the initramfs"

# write_job DIR COMMAND...: the script the guest's stage 2 runs from /mnt/job.
write_job() {
	local dir=$1
	shift
	{
		echo "cd $(printf %q "$TOP") || exit 1"
		printf 'exec'
		printf ' %q' "$@"
		echo
	} >"$dir/job"
}

# qemu_cmd ACCEL SHAREDIR: the VM's command line.
qemu_cmd() {
	local cpu=max
	[ "$1" = kvm ] && cpu=host
	QEMU=(qemu-system-x86_64 -name xbond-peer -accel "$1" -cpu $cpu -smp "$SMP" -m "$MEM"
		-nographic -no-reboot -nic none
		-kernel "/boot/vmlinuz-$KV" -initrd "$WORK/initramfs.gz"
		-append "console=ttyS0 panic=-1 quiet loglevel=3 mitigations=off xbond_stage2=$PEER/guest-init.sh"
		-fsdev local,id=hostroot,path=/,security_model=none,readonly=on,multidevs=remap
		-device virtio-9p-pci,fsdev=hostroot,mount_tag=hostroot
		-fsdev "local,id=out,path=$2,security_model=none"
		-device virtio-9p-pci,fsdev=out,mount_tag=out)
}

# KVM is much faster, but where nested virtualisation is refused it either
# fails at once or hangs in the guest's early boot: a no-op boot decides.
kvm_works() {
	[ -r /dev/kvm ] && [ -w /dev/kvm ] || return 1
	mkdir -p "$WORK/probe"
	write_job "$WORK/probe" true
	qemu_cmd kvm "$WORK/probe"
	# A subshell, so that bash says nothing when qemu aborts on refused KVM.
	(timeout -k 5 30 "${QEMU[@]}" </dev/null >"$WORK/probe/console.log" 2>&1; :) 2>/dev/null
	[ "$(cat "$WORK/probe/exit-status" 2>/dev/null)" = 0 ]
}

if [ "$ACCEL" = auto ]; then
	if kvm_works; then ACCEL=kvm; else ACCEL=tcg; fi
fi

write_job "$OUTDIR" "$@"
qemu_cmd "$ACCEL" "$OUTDIR"
echo "runvm: kernel $KV, accel $ACCEL, -smp $SMP -m $MEM, timeout ${TIMEOUT}s: $*"
# The console without carriage returns and the firmware's terminal escapes.
CLEAN='s/\r//g; s/\x1b\[[0-9;?]*[A-Za-z]//g; s/\x1bc//g'
start=$EPOCHREALTIME boot=
timeout -k 10 "$TIMEOUT" "${QEMU[@]}" </dev/null >"$WORK/console" 2>&1 &
QEMU_PID=$!	# timeout's: it passes a TERM on to qemu
TAIL_PID=
if ((!QUIET)); then
	tail -f --pid="$QEMU_PID" "$WORK/console" | sed -u "$CLEAN" &
	TAIL_PID=$!
fi
# The boot time is when stage 2 says it is up, seen from here.
while kill -0 "$QEMU_PID" 2>/dev/null; do
	if [ -z "$boot" ] && grep -q 'peer-guest: up' "$WORK/console"; then
		boot=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }')
	fi
	sleep 0.2
done
wait "$QEMU_PID"
qemu_rc=$?
QEMU_PID=
[ -n "$TAIL_PID" ] && wait "$TAIL_PID" 2>/dev/null
sed "$CLEAN" "$WORK/console" >"$OUTDIR/console.log"
total=$(awk -v a="$start" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.0f", b - a }')
{
	echo "kernel	$KV"
	echo "accel	$ACCEL"
	echo "smp	$SMP"
	echo "mem	$MEM"
	echo "boot_s	${boot:-never}"
	echo "total_s	$total"
} >"$OUTDIR/vm.txt"
echo "runvm: boot to first command ${boot:-never} s, whole VM ${total} s"

if [ "$qemu_rc" = 124 ] || [ "$qemu_rc" = 137 ]; then
	echo "runvm: the VM hit the ${TIMEOUT}s timeout" >&2
	exit 124
fi
rc=$(cat "$OUTDIR/exit-status" 2>/dev/null)
[[ $rc =~ ^[0-9]+$ ]] || { echo "runvm: the guest never finished its command (qemu exit $qemu_rc)" >&2; exit 125; }
exit "$rc"
