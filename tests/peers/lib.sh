# shellcheck shell=bash
# Sourced by every tests/peers/*.sh: usage `bash NAME.sh PLUGTLS FIXTURE_DIR`.
#
# The plugtls client and server against independent TLS implementations
# (the Debian tools: openssl s_server/s_client, gnutls-serv/gnutls-cli,
# curl) on loopback. Built on tests/cli/common.sh (arguments, $T, PIDS and
# the EXIT trap that kills every background process, run/run_in,
# start_server/wait_server, usable_providers); this file adds the peers'
# side and prints one line per case:
#   ok   client=wolfssl peer=gnutls-serv tls1.3
#   FAIL server=gnutls peer=curl tls1.2: why
#   skip ...: the missing capability
# and a last line "N passed, N failed"; the script exits 1 on any failure.
# Every wait is bounded: commands by timeout(1), polls by a count.
. "$(dirname "$0")/../cli/common.sh"

F=$FIX
SKIPS=0

pass() {
	PASSES=$((PASSES + 1))
	echo "ok   $*"
}

# fail DESC [FILE...]: the description, then the first lines of each FILE.
fail() {
	local f
	FAILS=$((FAILS + 1))
	echo "FAIL $1"
	shift
	for f in "$@"; do
		[ -s "$f" ] || continue
		grep -v 'known-vulnerable range' "$f" | head -n 6 |
			sed "s|^|#   $(basename "$f"): |"
	done
}

skip() {
	SKIPS=$((SKIPS + 1))
	echo "skip $*"
}

finish() {
	if [ "$SKIPS" -gt 0 ]; then
		echo "# $SKIPS skipped"
	fi
	echo "$PASSES passed, $FAILS failed"
	[ "$FAILS" -eq 0 ]
}

# Every provider compiled in must be covered: one that its version gate
# refuses is named, not silently left out.
peers_providers() {
	local all p
	all=$(timeout 30 "$PLUGTLS" providers | awk '/^provider: / { print $2 }')
	PROVS=$(usable_providers)
	for p in $all; do
		if ! grep -qxF -- "$p" <<<"$PROVS"; then
			skip "provider=$p: refused by its version gate" \
				"(set PLUGTLS_ACCEPT_VULNERABLE to include it)"
		fi
	done
	if [ -z "$PROVS" ]; then
		fail "no usable provider"
	fi
}

# need_tool NAME: 0 when the command exists, else a skip line naming it.
need_tool() {
	if command -v "$1" >/dev/null 2>&1; then
		return 0
	fi
	skip "$1: not installed"
	return 1
}

# rev_str S: S reversed (what `openssl s_server -rev` answers).
rev_str() {
	local s=$1 r='' i
	for ((i = ${#s} - 1; i >= 0; i--)); do
		r+=${s:i:1}
	done
	printf '%s' "$r"
}

# wait_for FILE STRING: poll (at most 30 s) until FILE holds STRING.
wait_for() {
	local i
	for i in $(seq 1 300); do
		grep -qF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

# start_peer NAME CMD...: CMD (a peer server) in the background under
# timeout(1), output in $T/NAME.out / .err; sets PPID_ (its pid).
start_peer() {
	local name=$1
	shift
	# Not a previous peer's files: readers poll them at once.
	rm -f "$T/$name.out" "$T/$name.err"
	timeout 60 "$@" >"$T/$name.out" 2>"$T/$name.err" </dev/null &
	PPID_=$!
	PIDS+=("$PPID_")
}

# stop_peer: stop the last peer server (if still running) and reap it.
stop_peer() {
	kill "$PPID_" 2>/dev/null || true
	wait "$PPID_" 2>/dev/null || true
}

# reap_peer: let the last peer server exit by itself (at most 30 s, so
# that it flushes its output), then stop_peer.
reap_peer() {
	local i
	for i in $(seq 1 300); do
		kill -0 "$PPID_" 2>/dev/null || break
		sleep 0.1
	done
	stop_peer
}

# start_s_server NAME ARGS...: `openssl s_server` on 127.0.0.1, port chosen
# by the kernel (-accept 127.0.0.1:0); sets OPORT, returns 1 if it did not
# start.
start_s_server() {
	local name=$1
	shift
	start_peer "$name" openssl s_server -accept 127.0.0.1:0 "$@"
	s_server_port "$name" "$PPID_"
}

# s_server_port NAME PID: wait (at most 30 s) for the "ACCEPT" line of the
# s_server with output $T/NAME.out; sets OPORT.
s_server_port() {
	local i
	OPORT=
	for i in $(seq 1 300); do
		# The background s_server may not have created its file yet.
		OPORT=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' \
			"$T/$1.out" 2>/dev/null | head -n 1 || true)
		[ -n "$OPORT" ] && return 0
		kill -0 "$2" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# start_fed NAME CMD...: CMD in the background under timeout(1), its
# input a pipe this shell keeps open: write lines with `feed FD LINE`, end
# the input with `exec {FD}>&-`. Output in $T/NAME.out / .err; sets
# FED_PID and FED_FD.
start_fed() {
	local name=$1 fifo
	shift
	fifo=$T/$name.in
	rm -f "$fifo" "$T/$name.out" "$T/$name.err"
	mkfifo "$fifo"
	# Read-write: opening never blocks, and writing never raises SIGPIPE
	# even if the reader is already gone.
	exec {FED_FD}<>"$fifo"
	# CMD must not inherit FED_FD, or its input never ends.
	timeout 20 "$@" <"$fifo" >"$T/$name.out" 2>"$T/$name.err" {FED_FD}>&- &
	FED_PID=$!
	PIDS+=("$FED_PID")
}

feed() {
	printf '%s\n' "$2" >&"$1"
}

# peer_client NAME WANT DATA CMD...: CMD (a peer TLS client) in the
# background with DATA as its first line of input. The input stays open
# until WANT shows on its standard output or it exits (at most 30 s), then
# ends (EOF), so that the peer reads the answer before it closes. Output
# in $T/NAME.out / .err, exit status in PRC (124: killed by timeout).
peer_client() {
	local name=$1 want=$2 data=$3 fd pid i
	shift 3
	start_fed "$name" "$@"
	fd=$FED_FD
	pid=$FED_PID
	feed "$fd" "$data"
	for i in $(seq 1 300); do
		grep -qF -- "$want" "$T/$name.out" 2>/dev/null && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	exec {fd}>&-
	set +e
	wait "$pid"
	PRC=$?
	set -e
}

# tls_word VERSION: "1.2" -> "tls1.2" (for case names).
tls_word() {
	printf 'tls%s' "$1"
}
