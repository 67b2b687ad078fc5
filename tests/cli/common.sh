# Sourced by every tests/cli/*.sh: usage `bash NAME.sh PLUGTLS FIXTURE_DIR`.
#
# Each check prints "ok - ..." or "not ok - ..."; the script exits 1 if any
# failed. Every command runs under `timeout`; background servers are
# recorded in PIDS and killed by the EXIT trap on every path.
set -euo pipefail

PLUGTLS=${1:?usage: $0 PLUGTLS FIXTURE_DIR}
FIX=${2:?usage: $0 PLUGTLS FIXTURE_DIR}
if [ ! -x "$PLUGTLS" ]; then
	echo "not ok - $PLUGTLS is not an executable" >&2
	exit 1
fi
if [ ! -f "$FIX/ca.pem" ]; then
	echo "not ok - fixtures missing in $FIX (build target plugtls_fixtures)" >&2
	exit 1
fi

T=$(mktemp -d "${TMPDIR:-/tmp}/plugtls-cli.XXXXXX")
PIDS=()
PASSES=0
FAILS=0

cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	for p in "${PIDS[@]}"; do
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Commands must not find a stray terminal or provider choice.
unset PLUGTLS_PROVIDER

pass() {
	PASSES=$((PASSES + 1))
	echo "ok - $*"
}

fail() {
	FAILS=$((FAILS + 1))
	echo "not ok - $*"
	if [ -s "$T/err" ]; then
		sed 's/^/#   stderr: /' "$T/err" | head -n 5
	fi
}

finish() {
	echo "# $PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}

# run CMD ARGS...: stdout in $T/out, stderr in $T/err, status in RC.
# Stdin is /dev/null unless redirected by the caller.
run() {
	set +e
	timeout 30 "$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
}

# run_in INPUT CMD ARGS...: like run, with INPUT (a string) on stdin.
run_in() {
	local input=$1
	shift
	set +e
	printf '%s' "$input" | timeout 30 "$@" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
}

# expect DESC WANT_RC WANT_FIRST_LINE CMD ARGS...
expect() {
	local desc=$1 want_rc=$2 want_line=$3 first
	shift 3
	run "$@" </dev/null
	first=$(head -n 1 "$T/out")
	if [ "$RC" = "$want_rc" ] && [ "$first" = "$want_line" ]; then
		pass "$desc"
	else
		fail "$desc: exit $RC (want $want_rc), first line '$first' (want '$want_line')"
	fi
}

# expect_rc DESC WANT_RC CMD ARGS...
expect_rc() {
	local desc=$1 want_rc=$2
	shift 2
	run "$@" </dev/null
	if [ "$RC" = "$want_rc" ]; then
		pass "$desc"
	else
		fail "$desc: exit $RC (want $want_rc)"
	fi
}

# has_line FILE LINE: an exact line of FILE.
has_line() {
	grep -qxF -- "$2" "$1"
}

# The providers that load (gate ok or accepted), one per line.
usable_providers() {
	timeout 30 "$PLUGTLS" providers | awk '
		/^provider: / { p = $2 }
		/^status: / { if ($2 != "refused:") print p }'
}

# has_cap PROVIDER CAP
has_cap() {
	timeout 30 "$PLUGTLS" providers --provider "$1" |
		awk -F': ' '/^capabilities: /{ print $2 }' | tr ',' '\n' |
		grep -qxF -- "$2"
}

# start_server ARGS...: `plugtls server --port 0 ARGS` in the background;
# sets SPID and SPORT. The server is bounded by timeout(1) as well.
SERVER_N=0
start_server() {
	local i
	SERVER_N=$((SERVER_N + 1))
	SLOG=$T/server.$SERVER_N
	timeout 60 "$PLUGTLS" server --port 0 "$@" >"$SLOG.out" 2>"$SLOG.err" </dev/null &
	SPID=$!
	PIDS+=("$SPID")
	SPORT=
	for i in $(seq 1 300); do
		if grep -q '^listening on ' "$SLOG.out" 2>/dev/null; then
			SPORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$SLOG.out" | head -n 1)
			break
		fi
		if ! kill -0 "$SPID" 2>/dev/null; then
			break
		fi
		sleep 0.1
	done
	if [ -z "$SPORT" ]; then
		echo "# server did not start: $(head -c 500 "$SLOG.err")"
		return 1
	fi
}

# wait_server: wait (at most 30 s) for the last server to exit; its status
# in SRC (124 if it had to be killed).
wait_server() {
	local i
	for i in $(seq 1 300); do
		kill -0 "$SPID" 2>/dev/null || break
		sleep 0.1
	done
	kill "$SPID" 2>/dev/null || true
	set +e
	wait "$SPID" 2>/dev/null
	SRC=$?
	set -e
}
