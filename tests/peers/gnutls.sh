#!/usr/bin/env bash
# The plugtls client against `gnutls-serv`, and the plugtls server against
# `gnutls-cli`, with every usable provider, TLS 1.2 and 1.3 (forced on the
# peer's side by a priority string), the ECDSA fixture chain verified
# against the fixture CA and the host name; data both ways; verification
# failures; mutual TLS.
#
# gnutls-serv has no option to choose its address: it listens on every
# address of the machine. So that it is reachable on loopback only, the
# script runs itself again inside a new network namespace (`unshare -rn`:
# an unprivileged user namespace; its only interface is loopback, brought
# up here). Without namespaces the gnutls-serv cases are skipped, naming
# why; the gnutls-cli cases still run.
LO_UP='ip link set lo up 2>/dev/null ||
python3 -c "import socket, fcntl, struct
s = socket.socket()
f = struct.unpack(\"16sH14x\", fcntl.ioctl(s, 0x8913, struct.pack(\"16sH14x\", b\"lo\", 0)))[1]
fcntl.ioctl(s, 0x8914, struct.pack(\"16sH14x\", b\"lo\", f | 1))"'
if [ "${PLUGTLS_PEERS_NETNS:-}" = "" ]; then
	if command -v unshare >/dev/null 2>&1 &&
		timeout 10 unshare -rn sh -c "$LO_UP" >/dev/null 2>&1; then
		PLUGTLS_PEERS_NETNS=1 exec timeout 120 unshare -rn bash "$0" "$@"
	fi
	PLUGTLS_PEERS_NETNS=0
elif [ "$PLUGTLS_PEERS_NETNS" = 1 ]; then
	sh -c "$LO_UP" || PLUGTLS_PEERS_NETNS=0
fi
. "$(dirname "$0")/lib.sh"

if ! need_tool gnutls-serv || ! need_tool gnutls-cli; then
	finish
	exit
fi
peers_providers
SRV_CERT=(--x509certfile "$F/server-ec-chain.pem" --x509keyfile "$F/server-ec.key")
prio() {
	printf 'NORMAL:-VERS-ALL:+VERS-TLS%s' "$1"
}

# listening PORT: a TCP socket of this network namespace listens on PORT.
listening() {
	local hex
	hex=$(printf '%04X' "$1")
	awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { f = 1 }
		END { exit !f }' /proc/net/tcp /proc/net/tcp6 2>/dev/null
}

# start_gnutls_serv ARGS...: gnutls-serv --echo on the next port (in this
# namespace only our own servers listen, so any unused port is free); sets
# GPORT, returns 1 if it did not start listening within 10 s.
GPORT=20000
start_gnutls_serv() {
	local i
	GPORT=$((GPORT + 1))
	while listening "$GPORT"; do
		GPORT=$((GPORT + 1))
	done
	start_peer gs gnutls-serv --echo -p "$GPORT" "$@"
	for i in $(seq 1 300); do
		listening "$GPORT" && return 0
		kill -0 "$PPID_" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# ---- plugtls client -> gnutls-serv -----------------------------------------
if [ "$PLUGTLS_PEERS_NETNS" != 1 ]; then
	skip "client=* peer=gnutls-serv: no network namespace (unshare -rn), and" \
		"gnutls-serv cannot be limited to loopback"
else
	for v in 1.2 1.3; do
		for p in $PROVS; do
			name="client=$p peer=gnutls-serv $(tls_word "$v")"
			if ! start_gnutls_serv --priority "$(prio "$v")" "${SRV_CERT[@]}"; then
				fail "$name: gnutls-serv did not start" "$T/gs.err"
				stop_peer
				continue
			fi
			tok="plugtls-$p-to-gnutls-$v"
			run_in "$tok"$'\n' "$PLUGTLS" client --provider "$p" "localhost:$GPORT" --ca "$F/ca.pem" --verbose
			# The server's log is complete once it has exited.
			stop_peer
			if [ "$RC" = 0 ] && has_line "$T/out" "$tok" &&
				grep -q "protocol: TLSv$v, cipher: " "$T/err" &&
				grep -qxF "received cmd: $tok" "$T/gs.err" &&
				grep -qxF -- "- Version: TLS$v" "$T/gs.out"; then
				pass "$name"
			else
				fail "$name: exit $RC, echo '$(head -c 100 "$T/out")'" "$T/err" "$T/gs.err"
			fi
		done
	done

	# Verification failures, named by their reason: a certificate for
	# another name (san.test), and a chain under a CA not trusted.
	cat "$F/leaf-cn-with-san.pem" "$F/int.pem" >"$T/wrongname-chain.pem"
	for p in $PROVS; do
		name="client=$p peer=gnutls-serv wrong host name -> hostname-mismatch"
		if start_gnutls_serv --x509certfile "$T/wrongname-chain.pem" --x509keyfile "$F/leaf-cn-with-san.key"; then
			run_in "hello"$'\n' "$PLUGTLS" client --provider "$p" "localhost:$GPORT" --ca "$F/ca.pem"
			if [ "$RC" = 1 ] && [ ! -s "$T/out" ] &&
				grep -q "certificate verification failed: hostname-mismatch" "$T/err"; then
				pass "$name"
			else
				fail "$name: exit $RC" "$T/err"
			fi
		else
			fail "$name: gnutls-serv did not start" "$T/gs.err"
		fi
		stop_peer

		name="client=$p peer=gnutls-serv other CA -> unknown-issuer"
		if start_gnutls_serv "${SRV_CERT[@]}"; then
			run_in "hello"$'\n' "$PLUGTLS" client --provider "$p" "localhost:$GPORT" --ca "$F/other-ca.pem"
			if [ "$RC" = 1 ] && [ ! -s "$T/out" ] &&
				grep -q "certificate verification failed: unknown-issuer" "$T/err"; then
				pass "$name"
			else
				fail "$name: exit $RC" "$T/err"
			fi
		else
			fail "$name: gnutls-serv did not start" "$T/gs.err"
		fi
		stop_peer
	done
fi

# ---- gnutls-cli -> plugtls server (echo) -----------------------------------
# gnutls-cli verifies the chain against --x509cafile and the name given
# (localhost) by default; at the end of its input it sends close_notify and
# reads until the server closes.
GC=(gnutls-cli --x509cafile "$F/ca.pem")
for v in 1.2 1.3; do
	for p in $PROVS; do
		name="server=$p peer=gnutls-cli $(tls_word "$v")"
		if ! start_server --provider "$p" --cert "$F/server-ec-chain.pem" --key "$F/server-ec.key" \
			--max-connections 1 --verbose; then
			fail "$name: server did not start" "$SLOG.err"
			continue
		fi
		tok="gnutls-to-plugtls-$p-$v"
		peer_client gc "$tok" "$tok" "${GC[@]}" --priority "$(prio "$v")" -p "$SPORT" localhost
		wait_server
		if [ "$PRC" = 0 ] && has_line "$T/gc.out" "$tok" &&
			grep -q -- "^- Description: (TLS$v-X.509)" "$T/gc.out" &&
			grep -q "Status: The certificate is trusted" "$T/gc.out" &&
			[ "$SRC" = 0 ] && grep -q "protocol: TLSv$v, cipher: " "$SLOG.err"; then
			pass "$name"
		else
			fail "$name: gnutls-cli exit $PRC, server exit $SRC, echo '$(grep -F "$tok" "$T/gc.out" | head -c 100)'" \
				"$T/gc.err" "$SLOG.err"
		fi
	done
done

# Mutual TLS with a client certificate from gnutls-cli.
for p in $PROVS; do
	name="server=$p peer=gnutls-cli mutual TLS (client.test)"
	if ! has_cap "$p" mtls; then
		skip "$name: no mtls capability"
		continue
	fi
	if ! start_server --provider "$p" --cert "$F/server-ec-chain.pem" --key "$F/server-ec.key" \
		--ca "$F/ca.pem" --verify-client --max-connections 1 --verbose; then
		fail "$name: server did not start" "$SLOG.err"
		continue
	fi
	tok="mtls-gnutls-to-plugtls-$p"
	peer_client gc "$tok" "$tok" "${GC[@]}" --x509certfile "$F/client-chain.pem" \
		--x509keyfile "$F/client.key" -p "$SPORT" localhost
	wait_server
	if [ "$PRC" = 0 ] && has_line "$T/gc.out" "$tok" && [ "$SRC" = 0 ] &&
		grep -q "peer: CN=client.test" "$SLOG.err"; then
		pass "$name"
	else
		fail "$name: gnutls-cli exit $PRC, server exit $SRC" "$T/gc.err" "$SLOG.err"
	fi
done

finish
