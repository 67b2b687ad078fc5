#!/usr/bin/env bash
# plugtls client / server over loopback: echo, half-close, verification
# failures, ALPN, mutual TLS, PSK, and one run against openssl in each
# direction.
. "$(dirname "$0")/common.sh"

F=$FIX
PROVS=$(usable_providers)
cat "$F/leaf-cn-with-san.pem" "$F/int.pem" >"$T/wrongname-chain.pem"
head -c 1048576 /dev/urandom >"$T/big.bin"

# echo_test DESC CLIENT_ARGS... -- expects "hello" back and exit 0 from
# both sides (server started by the caller with --max-connections 1).
echo_check() {
	local desc=$1
	shift
	run_in "hello" "$PLUGTLS" client "$@"
	wait_server
	if [ "$RC" = 0 ] && [ "$(cat "$T/out")" = "hello" ] && [ "$SRC" = 0 ]; then
		pass "$desc"
	else
		fail "$desc: client exit $RC, out '$(head -c 100 "$T/out")', server exit $SRC: $(head -c 300 "$SLOG.err")"
	fi
}

# Every client provider against every server provider.
for sp in $PROVS; do
	for cp in $PROVS; do
		start_server --provider "$sp" --cert "$F/server-ec-chain.pem" --key "$F/server-ec.key" --max-connections 1 ||
			{ fail "server $sp did not start"; continue; }
		echo_check "client $cp -> server $sp: echo" --provider "$cp" "127.0.0.1:$SPORT" --ca "$F/ca.pem"
	done
done

for p in $PROVS; do
	C=("$PLUGTLS" client --provider "$p")
	SV=(--provider "$p" --cert "$F/server-ec-chain.pem" --key "$F/server-ec.key")

	# A host name, several connections, and a megabyte through the echo
	# (both directions at once: the client must keep reading while
	# writing).
	start_server "${SV[@]}" --max-connections 3 || { fail "$p: server"; continue; }
	run_in "by name" "${C[@]}" "localhost:$SPORT" --ca "$F/ca.pem"
	if [ "$RC" = 0 ] && [ "$(cat "$T/out")" = "by name" ]; then pass "$p: client localhost:PORT"; else fail "$p: client localhost: exit $RC"; fi
	set +e
	timeout 60 "${C[@]}" "127.0.0.1:$SPORT" --ca "$F/ca.pem" <"$T/big.bin" >"$T/big.out" 2>"$T/err"
	RC=$?
	set -e
	if [ "$RC" = 0 ] && cmp -s "$T/big.bin" "$T/big.out"; then pass "$p: 1 MiB echoed intact"; else fail "$p: 1 MiB echo: exit $RC, $(stat -c %s "$T/big.out") bytes back"; fi
	run_in "" "${C[@]}" "127.0.0.1:$SPORT" --ca "$F/ca.pem"
	if [ "$RC" = 0 ] && [ ! -s "$T/out" ]; then pass "$p: empty input: clean close"; else fail "$p: empty input: exit $RC"; fi
	wait_server
	if [ "$SRC" = 0 ]; then pass "$p: server exits 0 after --max-connections"; else fail "$p: server exit $SRC"; fi

	# Verification failures: a certificate for another name.
	start_server --provider "$p" --cert "$T/wrongname-chain.pem" --key "$F/leaf-cn-with-san.key" --max-connections 2 ||
		{ fail "$p: server"; continue; }
	run_in "hello" "${C[@]}" "127.0.0.1:$SPORT" --ca "$F/ca.pem"
	if [ "$RC" != 0 ] && [ "$RC" != 124 ] && grep -q "hostname-mismatch" "$T/err" && [ ! -s "$T/out" ]; then
		pass "$p: wrong host name fails: $(head -n 1 "$T/err")"
	else
		fail "$p: wrong host name: exit $RC, stderr '$(head -c 200 "$T/err")'"
	fi
	run_in "hello" "${C[@]}" "127.0.0.1:$SPORT" --ca "$F/other-ca.pem"
	if [ "$RC" != 0 ] && [ "$RC" != 124 ] && grep -q "unknown-issuer" "$T/err"; then
		pass "$p: untrusted server fails with unknown-issuer"
	else
		fail "$p: untrusted server: exit $RC, stderr '$(head -c 200 "$T/err")'"
	fi
	wait_server

	# --servername changes the SNI only; --pin; --insecure-no-verify.
	start_server "${SV[@]}" --max-connections 3 --verbose || { fail "$p: server"; continue; }
	run_in "sni" "${C[@]}" "127.0.0.1:$SPORT" --ca "$F/ca.pem" --servername server.test
	if [ "$RC" = 0 ] && [ "$(cat "$T/out")" = "sni" ]; then pass "$p: --servername"; else fail "$p: --servername: exit $RC"; fi
	run_in "pin" "${C[@]}" "127.0.0.1:$SPORT" --ca "$F/ca.pem" --pin "$(cat "$F/server-ec.pin")"
	if [ "$RC" = 0 ] && [ "$(cat "$T/out")" = "pin" ]; then pass "$p: --pin good"; else fail "$p: --pin good: exit $RC"; fi
	run_in "pin" "${C[@]}" "127.0.0.1:$SPORT" --ca "$F/ca.pem" --pin "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	if [ "$RC" != 0 ] && [ "$RC" != 124 ] && grep -q "pin-mismatch" "$T/err"; then pass "$p: --pin bad fails"; else fail "$p: --pin bad: exit $RC"; fi
	wait_server
	if grep -q "servername: server.test" "$SLOG.err"; then pass "$p: server saw SNI server.test"; else fail "$p: SNI not seen by the server"; fi

	start_server "${SV[@]}" --max-connections 1 || { fail "$p: server"; continue; }
	run_in "insecure" "${C[@]}" "127.0.0.1:$SPORT" --insecure-no-verify
	if [ "$RC" = 0 ] && [ "$(cat "$T/out")" = "insecure" ] && grep -q "NOT verified" "$T/err"; then
		pass "$p: --insecure-no-verify warns and connects"
	else
		fail "$p: --insecure-no-verify: exit $RC"
	fi
	wait_server

	# IPv6 loopback.
	if start_server "${SV[@]}" --bind ::1 --max-connections 1 2>/dev/null; then
		echo_check "$p: [::1]:PORT" --provider "$p" "[::1]:$SPORT" --ca "$F/ca.pem"
	else
		echo "# $p: no IPv6 loopback, skipping [::1]"
	fi

	# Protocol versions and ALPN.
	start_server "${SV[@]}" --alpn "h2,http/1.1" --max-connections 2 || { fail "$p: server"; continue; }
	run_in "alpn" "${C[@]}" "127.0.0.1:$SPORT" --ca "$F/ca.pem" --alpn "http/1.1" --max-version 1.2 --verbose
	if [ "$RC" = 0 ] && grep -q "alpn: http/1.1" "$T/err" && grep -q "protocol: TLSv1.2" "$T/err"; then
		pass "$p: ALPN http/1.1 over TLS 1.2"
	else
		fail "$p: ALPN/TLS 1.2: exit $RC: $(tr '\n' '|' <"$T/err" | head -c 300)"
	fi
	run_in "v13" "${C[@]}" "127.0.0.1:$SPORT" --ca "$F/ca.pem" --min-version 1.3 --verbose
	if [ "$RC" = 0 ] && grep -q "protocol: TLSv1.3" "$T/err"; then pass "$p: --min-version 1.3"; else fail "$p: TLS 1.3: exit $RC"; fi
	wait_server

	# Mutual TLS.
	if has_cap "$p" mtls; then
		start_server "${SV[@]}" --ca "$F/ca.pem" --verify-client --max-connections 2 || { fail "$p: server"; continue; }
		run_in "mtls" "${C[@]}" "127.0.0.1:$SPORT" --ca "$F/ca.pem" --cert "$F/client-chain.pem" --key "$F/client.key"
		if [ "$RC" = 0 ] && [ "$(cat "$T/out")" = "mtls" ]; then pass "$p: mutual TLS"; else fail "$p: mutual TLS: exit $RC"; fi
		run_in "nocert" "${C[@]}" "127.0.0.1:$SPORT" --ca "$F/ca.pem"
		if [ "$RC" != 0 ] && [ "$RC" != 124 ] && [ "$(cat "$T/out")" != "nocert" ]; then
			pass "$p: --verify-client refuses a client without a certificate"
		else
			fail "$p: client without a certificate: exit $RC"
		fi
		wait_server
	fi

	# External PSK (TLS 1.3).
	if has_cap "$p" psk-tls13; then
		id=$(cat "$F/psk-identity.txt")
		start_server "${SV[@]}" --psk-file "$F/psk.bin" --psk-identity "$id" --max-connections 1 --verbose || { fail "$p: server"; continue; }
		run_in "psk" "${C[@]}" "127.0.0.1:$SPORT" --ca "$F/ca.pem" --psk-file "$F/psk.bin" --psk-identity "$id" --min-version 1.3
		wait_server
		if [ "$RC" = 0 ] && [ "$(cat "$T/out")" = "psk" ]; then pass "$p: PSK"; else fail "$p: PSK: exit $RC"; fi
		expect_rc "$p: a 15-byte PSK is refused (exit 2)" 2 "${C[@]}" "127.0.0.1:1" --ca "$F/ca.pem" --psk-file "$F/psk-short.bin" --psk-identity "$id"
	fi

	# --http answers a GET with the request line.
	start_server "${SV[@]}" --http --max-connections 2 || { fail "$p: server"; continue; }
	run_in $'GET /hello HTTP/1.0\r\nHost: localhost\r\n\r\n' "${C[@]}" "127.0.0.1:$SPORT" --ca "$F/ca.pem"
	if [ "$RC" = 0 ] && head -n 1 "$T/out" | grep -q '^HTTP/1.1 200 OK' && grep -q '^GET /hello HTTP/1.0$' "$T/out" &&
		has_line "$T/out" "provider: $p" && grep -q '^protocol: TLSv1\.[23]$' "$T/out"; then
		pass "$p: --http GET"
	else
		fail "$p: --http GET: exit $RC, '$(head -c 200 "$T/out")'"
	fi
	run_in "not http" "${C[@]}" "127.0.0.1:$SPORT" --ca "$F/ca.pem"
	if [ "$RC" = 0 ] && [ "$(cat "$T/out")" = "not http" ]; then pass "$p: --http echoes other data"; else fail "$p: --http echo: exit $RC"; fi
	wait_server

	# SIGTERM stops a server cleanly (exit 0).
	timeout 60 "$PLUGTLS" server --port 0 "${SV[@]}" >"$T/sig.out" 2>"$T/sig.err" </dev/null &
	spid=$!
	PIDS+=("$spid")
	# Bounded (30 s): a loaded machine may start the server slowly.
	for i in $(seq 1 300); do grep -q '^listening on' "$T/sig.out" && break; sleep 0.1; done
	# The signal goes to the server itself (the child of timeout).
	srv=$(ps -o pid= --ppid "$spid" | tr -d ' ' || true)
	if [ -z "$srv" ] || ! grep -q '^listening on' "$T/sig.out"; then
		fail "$p: SIGTERM: the server did not start listening in 30 s"
	else
		kill -TERM "$srv"
		set +e
		wait "$spid"
		RC=$?
		set -e
		if [ "$RC" = 0 ]; then pass "$p: SIGTERM stops the server, exit 0"; else fail "$p: SIGTERM: exit $RC"; fi
	fi
done

# Against openssl, once each way (the full real-peer matrix is elsewhere).
p=$(echo "$PROVS" | head -n 1)
start_server --provider "$p" --cert "$F/server-ec-chain.pem" --key "$F/server-ec.key" --http --max-connections 1 ||
	fail "server for openssl s_client"
set +e
printf 'GET /from-openssl HTTP/1.0\r\n\r\n' | timeout 30 openssl s_client -connect "127.0.0.1:$SPORT" \
	-CAfile "$F/ca.pem" -verify_return_error -verify_hostname localhost -servername localhost \
	-ign_eof -quiet >"$T/out" 2>"$T/err"
RC=$?
set -e
wait_server
if grep -q '^HTTP/1.1 200 OK' "$T/out" && grep -q '^GET /from-openssl HTTP/1.0' "$T/out" && [ "$SRC" = 0 ]; then
	pass "openssl s_client -> plugtls server ($p)"
else
	fail "openssl s_client -> plugtls server: s_client exit $RC, server $SRC, '$(head -c 200 "$T/out")'"
fi

# openssl s_server -www on a port we pick: bind a free port via the plugtls
# server first is racy, so ask the kernel through s_server's -accept 0.
set +e
timeout 30 openssl s_server -accept 127.0.0.1:0 -naccept 1 -www -cert "$F/server-ec.pem" \
	-cert_chain "$F/int.pem" -key "$F/server-ec.key" >"$T/ossl.out" 2>"$T/ossl.err" </dev/null &
opid=$!
set -e
PIDS+=("$opid")
oport=
for i in $(seq 1 300); do
	# The background s_server may not have created its output file yet.
	oport=$(sed -n 's/^ACCEPT .*:\([0-9][0-9]*\)$/\1/p' "$T/ossl.out" 2>/dev/null | head -n 1 || true)
	[ -n "$oport" ] && break
	sleep 0.1
done
if [ -z "$oport" ]; then
	fail "openssl s_server did not start: $(head -c 200 "$T/ossl.err")"
else
	run_in $'GET / HTTP/1.0\r\n\r\n' "$PLUGTLS" client --provider "$p" "127.0.0.1:$oport" --ca "$F/ca.pem"
	if [ "$RC" = 0 ] && grep -qi '^HTTP/1.0 200 ok' "$T/out"; then
		pass "plugtls client ($p) -> openssl s_server -www"
	else
		fail "plugtls client -> openssl s_server: exit $RC, '$(head -c 200 "$T/out")'"
	fi
fi

# Usage errors.
expect_rc "client without HOST:PORT exits 2" 2 "$PLUGTLS" client
expect_rc "client HOST without a port exits 2" 2 "$PLUGTLS" client localhost
expect_rc "client bad port exits 2" 2 "$PLUGTLS" client localhost:99999
expect_rc "client unbracketed IPv6 exits 2" 2 "$PLUGTLS" client ::1:443
expect_rc "client --psk-file without --psk-identity exits 2" 2 "$PLUGTLS" client 127.0.0.1:1 --psk-file "$F/psk.bin"
expect_rc "client --cert without --key exits 2" 2 "$PLUGTLS" client 127.0.0.1:1 --cert "$F/client.pem"
expect_rc "client --min-version 1.1 exits 2" 2 "$PLUGTLS" client 127.0.0.1:1 --min-version 1.1
expect_rc "client --timeout x exits 2" 2 "$PLUGTLS" client 127.0.0.1:1 --timeout x
expect_rc "server without --port exits 2" 2 "$PLUGTLS" server --cert "$F/server-ec-chain.pem" --key "$F/server-ec.key"
expect_rc "server without --cert exits 2" 2 "$PLUGTLS" server --port 0
expect_rc "server --port 70000 exits 2" 2 "$PLUGTLS" server --port 70000 --cert "$F/server-ec-chain.pem" --key "$F/server-ec.key"
expect_rc "server --verify-client without --ca exits 2" 2 "$PLUGTLS" server --port 0 --verify-client --cert "$F/server-ec-chain.pem" --key "$F/server-ec.key"
expect_rc "server --max-connections 0 exits 2" 2 "$PLUGTLS" server --port 0 --max-connections 0 --cert "$F/server-ec-chain.pem" --key "$F/server-ec.key"
expect_rc "server with a missing key exits 2" 2 "$PLUGTLS" server --port 0 --cert "$F/server-ec-chain.pem" --key "$T/nonexistent.key"
run "$PLUGTLS" client 127.0.0.1:1 --ca "$F/ca.pem"
if [ "$RC" = 1 ] && grep -q "cannot connect" "$T/err"; then pass "client to a closed port: exit 1"; else fail "client to a closed port: exit $RC"; fi

finish
