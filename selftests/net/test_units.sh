#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Running at boot: every systemd unit passes `systemd-analyze verify`, as
# the tree builds it and as make install installs it, with no path
# hard-coded; make install puts exactly the expected files, and make
# uninstall removes exactly those. Then xbond@.service's own command lines,
# run as systemd runs them: the bond waits for a late member, a monitor
# that dies leaves the bond forwarding, and only a stop detaches it.
#
#   A: xbond0 10.95.0.1 [a0 a1] ====== [b0 b1] xbond0 10.95.0.2 :B
#      from $T/etc/xbond/xbond0.conf   a1 comes late (a slow NIC, a udev rename)
. "$(dirname "$0")/../lib.sh"
# The unit decides where the monitor logs, as systemd would run it: not lib.sh.
unset XBOND_LOG

command -v systemd-analyze >/dev/null || { skip "no systemd-analyze (make deps)"; exit 0; }

UNITS=(xbond@.service xbondmon@.service)
BOND=xbond0
A_IP=10.95.0.1 B_IP=10.95.0.2 PREFIX_LEN=24
STAGE_PREFIX=/usr
LOG_WAIT_S=3

T=$(mktemp -d)
trap 'cleanup; rm -rf "$T"' EXIT

# subst IN OUT SBINDIR SYSCONFDIR: fill in a .in file as make install does.
subst() {
	sed -e "s|@SBINDIR@|$3|g" -e "s|@SYSCONFDIR@|$4|g" "$1" >"$2"
}

fails() { ! "$@"; }

# verify [ROOT] UNIT...: systemd-analyze verify, which must say nothing at all
# (an unknown key is only a warning) and succeed.
verify() {
	local root=() out
	[ -d "$1" ] && root=(--root="$1") && shift
	out=$(systemd-analyze verify --man=no "${root[@]}" "$@" 2>&1) && [ -z "$out" ] ||
		{ echo "$out"; return 1; }
}

# --- the units as the tree builds them --------------------------------------
mkdir -p "$T/tree" "$T/etc/xbond"
for u in "${UNITS[@]}"; do
	subst "$TOP/systemd/$u.in" "$T/tree/$u" "$TOP/.output" "$T/etc"
	check "systemd-analyze verify $u, run from the tree" verify "$T/tree/$u"
done
check "no unit, hook or completion has a path of its own for the tools" \
	sh -c "! grep -n '/usr/local\|/usr/sbin\|/sbin/xbond' '$TOP'/systemd/*.in '$TOP'/ifupdown/*.in \
		'$TOP'/completion/*"
check "every command of every unit is under @SBINDIR@ (or /bin/sh)" \
	sh -c "! grep -hE '^Exec[A-Za-z]*=' '$TOP'/systemd/*.in | grep -vE '=-?(@SBINDIR@/|/bin/sh )'"

# --- make install / make uninstall ------------------------------------------
# -o all: the tree is built; the test must not rebuild it under others.
STAGE=$T/stage
mkdir -p "$STAGE/etc/network/if-pre-up.d"
echo "someone else's hook" >"$STAGE/etc/network/if-pre-up.d/other"
mk() { make -s --no-print-directory -C "$TOP" -o all "$@" DESTDIR="$STAGE" \
	PREFIX=$STAGE_PREFIX >/dev/null; }
check "make install DESTDIR=... PREFIX=$STAGE_PREFIX" mk install
mans=$(cd "$TOP/man" && for m in *.in; do
	m=${m%.in}; echo "$STAGE_PREFIX/share/man/man${m##*.}/$m"; done)
expected=$(sort <<EOF
/etc/network/if-post-down.d/xbond
/etc/network/if-pre-up.d/other
/etc/network/if-pre-up.d/xbond
/opt/cni/bin/xbond
/usr/lib/cni/xbond
$STAGE_PREFIX/lib/systemd/system/xbond@.service
$STAGE_PREFIX/lib/systemd/system/xbondmon@.service
$STAGE_PREFIX/sbin/xbondctl
$STAGE_PREFIX/sbin/xbondload
$STAGE_PREFIX/sbin/xbondmon
$STAGE_PREFIX/share/bash-completion/completions/xbondctl
$STAGE_PREFIX/share/bash-completion/completions/xbondload
$STAGE_PREFIX/share/bash-completion/completions/xbondmon
$STAGE_PREFIX/share/doc/xbond/examples/interfaces
$STAGE_PREFIX/share/doc/xbond/examples/xbond0.conf
$STAGE_PREFIX/share/xbond/installed
$mans
EOF
)
files() { (cd "$STAGE" && find . ! -type d | sed 's|^\.||' | sort); }
check "... exactly the expected files: tools, plugin, units, hooks, completion, man pages" \
	diff <(echo "$expected") <(files)
check "... the units run the installed tools" grep -q \
	"^ExecStart=$STAGE_PREFIX/sbin/xbondmon --config /etc/xbond/%i.conf$" \
	"$STAGE$STAGE_PREFIX/lib/systemd/system/xbond@.service"
check "... the hooks too" grep -qx "XBONDLOAD=$STAGE_PREFIX/sbin/xbondload" \
	"$STAGE/etc/network/if-pre-up.d/xbond"
check "... nothing is left to fill in" \
	sh -c "! grep -rl '@SBINDIR@\|@SYSCONFDIR@' '$STAGE'"
# The installed units, verified where their paths point: a root holding the
# staged tools, a shell, and the system's own units for their dependencies.
VROOT=$T/vroot
mkdir -p "$VROOT/bin" "$VROOT$STAGE_PREFIX/lib/systemd"
cp /bin/sh "$VROOT/bin/sh"
cp -a "$STAGE$STAGE_PREFIX/sbin" "$VROOT$STAGE_PREFIX/"
cp -a /lib/systemd/system "$VROOT$STAGE_PREFIX/lib/systemd/"
for u in "${UNITS[@]}"; do
	cp "$STAGE$STAGE_PREFIX/lib/systemd/system/$u" "$VROOT$STAGE_PREFIX/lib/systemd/system/"
	check "systemd-analyze verify $u, as installed" \
		verify "$VROOT" "$VROOT$STAGE_PREFIX/lib/systemd/system/$u"
done
completes() { # WANT WORD...: the installed completion of WORD... offers WANT
	PATH=$STAGE$STAGE_PREFIX/sbin:$PATH bash -c '
		. "$1"; want=$2; shift 2
		COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_xbond "$(command -v "$1")"
		printf "%s\n" "${COMPREPLY[@]}" | grep -qx -- "$want"' completes \
		"$STAGE$STAGE_PREFIX/share/bash-completion/completions/$2" "$@"
}
check "... bash completion: 'xbondload --mo' offers --mode, from --help" \
	completes --mode xbondload --mo
check "... and 'xbondload --mode b' offers balance-xor" \
	completes balance-xor xbondload --mode b
check "make install again" mk install
check "... listed once each" \
	sh -c "! sort '$STAGE$STAGE_PREFIX/share/xbond/installed' | uniq -d | grep ."
check "make uninstall" mk uninstall
check "... removes everything make install put, and no one else's file" \
	test "$(files)" = /etc/network/if-pre-up.d/other
check "... nor a directory install did not make" \
	test "$(cd "$STAGE" && find . -type d | sort | tr '\n' ' ')" = \
		". ./etc ./etc/network ./etc/network/if-pre-up.d "

# --- xbond@.service's command lines, as systemd runs them -------------------
# unit_cmd KEY: the unit's KEY= command line(s), continuation lines joined,
# %i filled in, "$$" made "$": what systemd would execute.
unit_cmd() {
	sed -e ':a' -e '/\\$/N; s/\\\n[[:space:]]*/ /; ta' "$T/tree/xbond@.service" |
		sed -n "s/^$1=//p" | sed -e "s/%i/$BOND/g" -e 's/\$\$/$/g'
}
# run_unit KEY: run each of the KEY= commands with the environment ENVS, as
# systemd would, stderr to the journal stand-in.
run_unit() {
	local key=$1 cmd
	shift
	while IFS= read -r cmd; do
		eval "set -- $cmd"
		env "${ENVS[@]}" "$@" 2>>"$JOURNAL" || return 1
	done < <(unit_cmd "$key")
}
if ! "$XBONDMON" --help | grep -q -- --config; then
	skip "xbond@.service's commands (xbondmon has no --config yet)"
	exit $FAILED
fi
JOURNAL=$T/journal
: >"$JOURNAL"
ENVS=(JOURNAL_STREAM="$(stat -c %d:%i "$JOURNAL")")
make_ns A a && make_ns B b || { fail "topology"; exit 1; }
ip link add a0 netns "$A" type veth peer name b0 netns "$B"
cat >"$T/etc/xbond/$BOND.conf" <<EOF
# as in /etc/xbond: the bond's name is the file's
ifaces a0,a1
mode active-backup
netns $A
EOF
check "ExecStartPre, a member not there yet: fails, so Restart= tries again" \
	fails run_unit ExecStartPre
check "... and leaves nothing behind" test ! -e "$(pin_dir "$A" "$BOND")"
ip link add a1 netns "$A" type veth peer name b1 netns "$B"
xbond --netns "$B" --ifaces b0,b1 --mode balance-xor &&
	ip -n "$B" addr add "$B_IP/$PREFIX_LEN" dev xbond0
check "ExecStartPre once the member is there: the bond, in the file's netns" run_unit ExecStartPre
check "... without a monitor: the unit runs it" test "$("$XBONDCTL" --netns "$A" -j status |
	jq -r .monitor)" = off
run_unit ExecStart 2>/dev/null &
main=$!
check "ExecStart: the monitor runs, its guard the main process" wait_for 2 monitor_pid "$A" pid
check "... and logs to the journal, with bond and netns" \
	wait_for $LOG_WAIT_S grep -q "^<6>info $BOND netns $A: monitor started" "$JOURNAL"
sed -i 's/^mode active-backup$/mode balance-xor/' "$T/etc/xbond/$BOND.conf"
check "ExecReload: the edited file applies live" run_unit ExecReload
check "... the mode changed" test "$(live_field "$A" mode)" = "$XBOND_MODE_XOR"
ip -n "$A" addr add "$A_IP/$PREFIX_LEN" dev "$BOND"
check "... ping B over it" wait_for 3 ip netns exec "$A" ping -c 1 -W 0.2 "$B_IP"
check "... the unit's monitor still runs" wait_for 2 monitor_pid "$A"
# The monitor dies by itself: systemd runs ExecStop= without $MAINPID.
kill_monitor "$A"
wait "$main" 2>/dev/null
check "ExecStop after the monitor died (no \$MAINPID)" run_unit ExecStop
check "... the bond stays, forwarding on its last state" \
	ip netns exec "$A" ping -c 1 -W 1 "$B_IP"
progs=$(prog_ids "$A")
check "Restart=: ExecStartPre on the existing bond" run_unit ExecStartPre
check "... changes nothing: the same programs, the same mode" sh -c \
	"test '$(prog_ids "$A")' = '$progs' && test '$(live_field "$A" mode)' = $XBOND_MODE_XOR"
run_unit ExecStart 2>/dev/null &
main=$!
check "... and the monitor runs again" wait_for 2 monitor_pid "$A" pid
ENVS+=(MAINPID="$main")
check "ExecStop when told to stop (\$MAINPID set): the bond is detached" run_unit ExecStop
check "... its interface and pins are gone" sh -c \
	"! ip -n $A link show dev $BOND 2>/dev/null && test ! -e '$(pin_dir "$A" "$BOND")'"
check "... the monitor stopped, and said so" \
	wait_for $LOG_WAIT_S grep -q "^<5>notice $BOND netns $A: monitor stopped" "$JOURNAL"
wait "$main" 2>/dev/null

exit $FAILED
