#!/usr/bin/env bash
# The plugtls client against `openssl s_server`, and the plugtls server
# against `openssl s_client`, with every usable provider, TLS 1.2 and 1.3
# (forced on the peer's side), the ECDSA fixture chain verified against
# the fixture CA and the host name; data both ways; verification failures;
# mutual TLS and its refusal.
. "$(dirname "$0")/lib.sh"

need_tool openssl || { finish; exit; }
peers_providers
SRV_CERT=(-cert "$F/server-ec.pem" -cert_chain "$F/int.pem" -key "$F/server-ec.key")

# ---- plugtls client -> openssl s_server -------------------------------------
# s_server -rev answers each line reversed: the reply proves that our bytes
# arrived and that the server's came back.
for v in 1.2 1.3; do
	for p in $PROVS; do
		name="client=$p peer=openssl-s_server $(tls_word "$v")"
		if ! start_s_server ss -naccept 1 -rev "-tls${v/./_}" "${SRV_CERT[@]}"; then
			fail "$name: s_server did not start" "$T/ss.err"
			stop_peer
			continue
		fi
		tok="plugtls-$p-to-openssl-$v"
		run_in "$tok"$'\n' "$PLUGTLS" client --provider "$p" "localhost:$OPORT" --ca "$F/ca.pem" --verbose
		reap_peer
		if [ "$RC" = 0 ] && has_line "$T/out" "$(rev_str "$tok")" &&
			grep -q "protocol: TLSv$v, cipher: " "$T/err" &&
			grep -q "^Protocol version: TLSv$v$" "$T/ss.err"; then
			pass "$name"
		else
			fail "$name: exit $RC, reply '$(head -c 100 "$T/out")'" "$T/err" "$T/ss.err"
		fi
	done
done

# Verification failures, named by their reason: a certificate for another
# name (san.test), and a chain under a CA the client does not trust.
for p in $PROVS; do
	name="client=$p peer=openssl-s_server wrong host name -> hostname-mismatch"
	if start_s_server ss -naccept 1 -rev -cert "$F/leaf-cn-with-san.pem" -cert_chain "$F/int.pem" \
		-key "$F/leaf-cn-with-san.key"; then
		run_in "hello"$'\n' "$PLUGTLS" client --provider "$p" "localhost:$OPORT" --ca "$F/ca.pem"
		reap_peer
		if [ "$RC" = 1 ] && [ ! -s "$T/out" ] &&
			grep -q "certificate verification failed: hostname-mismatch" "$T/err"; then
			pass "$name"
		else
			fail "$name: exit $RC" "$T/err"
		fi
	else
		fail "$name: s_server did not start" "$T/ss.err"
		stop_peer
	fi

	name="client=$p peer=openssl-s_server other CA -> unknown-issuer"
	if start_s_server ss -naccept 1 -rev "${SRV_CERT[@]}"; then
		run_in "hello"$'\n' "$PLUGTLS" client --provider "$p" "localhost:$OPORT" --ca "$F/other-ca.pem"
		reap_peer
		if [ "$RC" = 1 ] && [ ! -s "$T/out" ] &&
			grep -q "certificate verification failed: unknown-issuer" "$T/err"; then
			pass "$name"
		else
			fail "$name: exit $RC" "$T/err"
		fi
	else
		fail "$name: s_server did not start" "$T/ss.err"
		stop_peer
	fi
done

# A TLS 1.2 server asking to renegotiate (s_server's "r" command, a
# HelloRequest) is refused: plugtls never renegotiates; it answers with a
# no_renegotiation warning, which s_server treats as fatal.
for p in $PROVS; do
	name="client=$p peer=openssl-s_server tls1.2 renegotiation -> refused"
	start_fed ss openssl s_server -accept 127.0.0.1:0 -naccept 1 -tls1_2 "${SRV_CERT[@]}"
	sfd=$FED_FD
	spid=$FED_PID
	if ! s_server_port ss "$spid"; then
		fail "$name: s_server did not start" "$T/ss.err"
		exec {sfd}>&-
		continue
	fi
	start_fed cl "$PLUGTLS" client --provider "$p" "localhost:$OPORT" --ca "$F/ca.pem"
	cfd=$FED_FD
	cpid=$FED_PID
	tok="before-renegotiation-$p"
	feed "$cfd" "$tok"
	# Once s_server printed our line, the handshake is done.
	if wait_for "$T/ss.out" "$tok"; then
		feed "$sfd" r
	fi
	set +e
	wait "$cpid"
	RC=$?
	set -e
	exec {cfd}>&- {sfd}>&-
	kill "$spid" 2>/dev/null || true
	wait "$spid" 2>/dev/null || true
	if [ "$RC" = 1 ] && grep -qxF "$tok" "$T/ss.out" &&
		grep -q ":no renegotiation:" "$T/ss.err" &&
		grep -q "^plugtls: receiving: " "$T/cl.err"; then
		pass "$name"
	else
		fail "$name: client exit $RC" "$T/cl.err" "$T/ss.err"
	fi
done

# ---- openssl s_client -> plugtls server (echo) -----------------------------
SC=(openssl s_client -brief -CAfile "$F/ca.pem" -verify_return_error
	-verify_hostname localhost -servername localhost)
for v in 1.2 1.3; do
	for p in $PROVS; do
		name="server=$p peer=openssl-s_client $(tls_word "$v")"
		if ! start_server --provider "$p" --cert "$F/server-ec-chain.pem" --key "$F/server-ec.key" \
			--max-connections 1 --verbose; then
			fail "$name: server did not start" "$SLOG.err"
			continue
		fi
		tok="openssl-to-plugtls-$p-$v"
		peer_client sc "$tok" "$tok" "${SC[@]}" -connect "127.0.0.1:$SPORT" "-tls${v/./_}"
		wait_server
		if [ "$PRC" = 0 ] && has_line "$T/sc.out" "$tok" &&
			grep -q "^Protocol version: TLSv$v$" "$T/sc.err" &&
			grep -q "^Verification: OK$" "$T/sc.err" &&
			[ "$SRC" = 0 ] && grep -q "protocol: TLSv$v, cipher: " "$SLOG.err"; then
			pass "$name"
		else
			fail "$name: s_client exit $PRC, server exit $SRC, echo '$(head -c 100 "$T/sc.out")'" \
				"$T/sc.err" "$SLOG.err"
		fi
	done
done

# ---- mutual TLS: s_client with and without a client certificate ------------
for p in $PROVS; do
	if ! has_cap "$p" mtls; then
		skip "server=$p peer=openssl-s_client mutual TLS: no mtls capability"
		continue
	fi
	if ! start_server --provider "$p" --cert "$F/server-ec-chain.pem" --key "$F/server-ec.key" \
		--ca "$F/ca.pem" --verify-client --max-connections 2 --verbose; then
		fail "server=$p peer=openssl-s_client mutual TLS: server did not start" "$SLOG.err"
		continue
	fi
	name="server=$p peer=openssl-s_client mutual TLS (client.test)"
	tok="mtls-openssl-to-plugtls-$p"
	peer_client sc "$tok" "$tok" "${SC[@]}" -connect "127.0.0.1:$SPORT" \
		-cert "$F/client.pem" -cert_chain "$F/int.pem" -key "$F/client.key"
	if [ "$PRC" = 0 ] && has_line "$T/sc.out" "$tok" && wait_for "$SLOG.err" "peer: CN=client.test"; then
		pass "$name"
	else
		fail "$name: s_client exit $PRC, echo '$(head -c 100 "$T/sc.out")'" "$T/sc.err" "$SLOG.err"
	fi

	# TLS 1.3: the client finishes its side before the server decides,
	# so the refusal arrives as an alert; the server names the reason.
	name="server=$p peer=openssl-s_client no client certificate -> refused (no-certificate)"
	tok="nocert-openssl-to-plugtls-$p"
	peer_client sc "$tok" "$tok" "${SC[@]}" -connect "127.0.0.1:$SPORT"
	wait_server
	if [ "$PRC" != 0 ] && [ "$PRC" != 124 ] && ! grep -qF "$tok" "$T/sc.out" &&
		grep -q "connection 2: handshake: certificate verification failed: no-certificate" "$SLOG.err" &&
		grep -q "alert" "$T/sc.err" && [ "$SRC" = 0 ]; then
		pass "$name"
	else
		fail "$name: s_client exit $PRC, server exit $SRC" "$T/sc.err" "$SLOG.err"
	fi
done

finish
