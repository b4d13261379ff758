# SPDX-License-Identifier: GPL-2.0
# wait_for SECONDS CMD...: poll CMD every 20 ms until it succeeds: the tests'
# one way to wait on state, never a bare sleep. Sourced by selftests/lib.sh
# and bench/peer/guest-lib.sh (the guest runs without lib.sh).
wait_for() {
	local deadline=$((SECONDS + $1))
	shift
	until "$@" >/dev/null 2>&1; do
		[ $SECONDS -ge $deadline ] && return 1
		sleep 0.02
	done
}
