#!/usr/bin/env bash
# curl (libcurl with OpenSSL) against `plugtls server --http` with every
# usable provider, TLS 1.2 and 1.3 (forced on curl's side): curl verifies
# the fixture chain against --cacert and the name localhost, sends one
# HTTP/1.1 GET, and must exit 0 with the body naming the request, the
# provider and the negotiated version. Then mutual TLS with curl's client
# certificate, and without one (refused, and the server says why).
. "$(dirname "$0")/lib.sh"

need_tool curl || { finish; exit; }
peers_providers
CURL=(curl -sS --max-time 20 --cacert "$F/ca.pem" -o "$T/body" -D "$T/head")

# curl_ok NAME PROVIDER VERSION PATH: the reply of the last curl run.
curl_ok() {
	local p=$2 v=$3 path=$4
	[ "$RC" = 0 ] && head -n 1 "$T/head" | grep -q $'^HTTP/1.1 200 OK\r$' &&
		grep -qi $'^content-type: text/plain\r$' "$T/head" &&
		grep -qi $'^connection: close\r$' "$T/head" &&
		grep -qi "^content-length: $(stat -c %s "$T/body")"$'\r$' "$T/head" &&
		[ "$(head -n 1 "$T/body")" = "GET $path HTTP/1.1" ] &&
		has_line "$T/body" "provider: $p" &&
		{ [ -z "$v" ] || has_line "$T/body" "protocol: TLSv$v"; } &&
		grep -q '^cipher: TLS_' "$T/body"
}

for v in 1.2 1.3; do
	for p in $PROVS; do
		name="server=$p peer=curl $(tls_word "$v")"
		if ! start_server --provider "$p" --cert "$F/server-ec-chain.pem" --key "$F/server-ec.key" \
			--http --max-connections 1 --verbose; then
			fail "$name: server did not start" "$SLOG.err"
			continue
		fi
		rm -f "$T/body" "$T/head"
		path="/peers/$p/$v"
		run "${CURL[@]}" "--tlsv$v" --tls-max "$v" "https://localhost:$SPORT$path"
		wait_server
		if curl_ok "$name" "$p" "$v" "$path" && [ "$SRC" = 0 ] &&
			grep -q "protocol: TLSv$v, cipher: " "$SLOG.err"; then
			pass "$name"
		else
			fail "$name: curl exit $RC, server exit $SRC, body '$(tr '\n' '|' <"$T/body" 2>/dev/null | head -c 200)'" \
				"$T/err" "$SLOG.err"
		fi
	done
done

for p in $PROVS; do
	if ! has_cap "$p" mtls; then
		skip "server=$p peer=curl mutual TLS: no mtls capability"
		continue
	fi
	if ! start_server --provider "$p" --cert "$F/server-ec-chain.pem" --key "$F/server-ec.key" \
		--ca "$F/ca.pem" --verify-client --http --max-connections 2 --verbose; then
		fail "server=$p peer=curl mutual TLS: server did not start" "$SLOG.err"
		continue
	fi
	name="server=$p peer=curl mutual TLS (client.test)"
	rm -f "$T/body" "$T/head"
	run "${CURL[@]}" --cert "$F/client-chain.pem" --key "$F/client.key" "https://localhost:$SPORT/mtls"
	if curl_ok "$name" "$p" "" /mtls && wait_for "$SLOG.err" "peer: CN=client.test"; then
		pass "$name"
	else
		fail "$name: curl exit $RC" "$T/err" "$SLOG.err"
	fi

	name="server=$p peer=curl no client certificate -> refused (no-certificate)"
	rm -f "$T/body" "$T/head"
	run "${CURL[@]}" "https://localhost:$SPORT/nocert"
	wait_server
	if [ "$RC" != 0 ] && [ "$RC" != 124 ] && [ ! -s "$T/body" ] && [ "$SRC" = 0 ] &&
		grep -q "connection 2: handshake: certificate verification failed: no-certificate" "$SLOG.err"; then
		pass "$name (curl exit $RC)"
	else
		fail "$name: curl exit $RC, server exit $SRC" "$T/err" "$SLOG.err"
	fi
done

finish
