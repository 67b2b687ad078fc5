#!/usr/bin/env bash
# The plugtls tool never prints a key, a PSK or a password, and never
# writes a TLS key log by itself.
#
# Every command that takes a secret runs for every usable provider with
# --verbose where it has it, with GNUTLS_DEBUG_LEVEL=99 (GnuTLS logs master
# secrets and traffic keys from level 9; the backend caps it) and with
# SSLKEYLOGFILE set (GnuTLS would write it by itself; the backend makes it
# harmless). Stdout and stderr of each run are searched for every form of
# every secret: the passwords as text; the PSK raw, in hex (both cases) and
# base64; the private key's PEM body lines, and its EC private scalar in
# hex (both cases, with and without ':') and base64. A failed command with
# an empty log would pass the search trivially, so each run must succeed
# (and --verbose runs must have logged something). The key-log file must
# never appear; gnutls-cli, given the same variable, writes it (the
# control that proves the variable is live in this environment).
#
# usage: bash secrets.sh PLUGTLS FIXTURE_DIR
# shellcheck source=common.sh
. "$(dirname "$0")/common.sh"
F=$FIX

export GNUTLS_DEBUG_LEVEL=99
export SSLKEYLOGFILE=$T/keylog.txt

# ---- the secrets, in every form ------------------------------------------------
NEEDLES=$T/needles
: >"$NEEDLES"
add() { [ -n "$1" ] && printf '%s\n' "$1" >>"$NEEDLES"; }
add_bytes() { # FILE: raw (when printable), hex both cases, base64
	local hex
	hex=$(od -An -v -tx1 "$1" | tr -d ' \n')
	add "$hex"
	add "$(printf '%s' "$hex" | tr a-f A-F)"
	add "$(base64 -w0 <"$1")"
	if LC_ALL=C grep -q '^[[:print:]]*$' "$1"; then add "$(cat "$1")"; fi
}
add "$(head -n 1 "$F/key-password.txt")"
add "$(head -n 1 "$F/p12-password.txt")"
EXPORT_PW="Exp0rt-cli-Passw0rd"
add "$EXPORT_PW"
add_bytes "$F/psk.bin"
# PEM body lines of the plain key (long ones: short tails could collide).
sed -n '/BEGIN/,/END/{/-----/d;p}' "$F/server-ec.key" | awk 'length($0) >= 32' >>"$NEEDLES"
# The EC private scalar (RFC 5915: INTEGER 1, OCTET STRING).
SCALAR=$(openssl pkey -in "$F/server-ec.key" -outform DER 2>/dev/null |
	od -An -v -tx1 | tr -d ' \n' | sed -n 's/.*020101040\?20\([0-9a-f]\{64\}\).*/\1/p')
if [ ${#SCALAR} -ne 64 ]; then
	fail "could not extract the EC scalar of server-ec.key"
else
	add "$SCALAR"
	add "$(printf '%s' "$SCALAR" | tr a-f A-F)"
	add "$(printf '%s' "$SCALAR" | sed 's/../&:/g; s/:$//')"
	add "${SCALAR:0:32}" # half of it is enough to count
	add "${SCALAR:32:32}"
	add "$(printf '%s' "$SCALAR" | xxd -r -p | base64 -w0)"
fi
echo "# $(wc -l <"$NEEDLES") secret forms searched"

# check DESC FILE...: no needle in the files.
check() {
	local desc=$1 hit
	shift
	hit=$(cat "$@" | grep -aoF -f "$NEEDLES" | head -n 1 || true)
	if [ -n "$hit" ]; then
		fail "$desc: printed a secret ('${hit:0:12}...')"
	else
		pass "$desc: no secret in its output"
	fi
}

no_keylog() {
	if [ -e "$SSLKEYLOGFILE" ]; then
		fail "$1: \$SSLKEYLOGFILE was written"
		rm -f "$SSLKEYLOGFILE"
	else
		pass "$1: no key-log file"
	fi
}

# The search finds a planted secret (else every check below is vacuous).
printf 'log line with %s inside\n' "$(tail -n 1 "$NEEDLES")" >"$T/planted"
if grep -qaF -f "$NEEDLES" "$T/planted"; then
	pass "self-test: the search finds a planted secret"
else
	fail "self-test: the search misses a planted secret"
fi

# Listing providers and capabilities is not under test: its GnuTLS debug
# output stays out of the way.
has_cap() {
	timeout 30 "$PLUGTLS" providers --provider "$1" 2>/dev/null |
		awk -F': ' '/^capabilities: /{ print $2 }' | tr ',' '\n' |
		grep -qxF -- "$2"
}
PROVIDERS=$(usable_providers 2>/dev/null)
[ -n "$PROVIDERS" ] || fail "no usable provider"
for p in $PROVIDERS; do
	# p12 show with the password.
	if has_cap "$p" pkcs12-import; then
		run "$PLUGTLS" p12 show --provider "$p" "$F/server-ec.p12" --password-file "$F/p12-password.txt"
		if [ "$RC" = 0 ]; then check "$p: p12 show" "$T/out" "$T/err"; else fail "$p: p12 show: exit $RC"; fi
		# A wrong password: refused, and not echoed either.
		printf 'Wr0ng-cli-Passw0rd\n' >"$T/wrong.txt"
		add "Wr0ng-cli-Passw0rd"
		run "$PLUGTLS" p12 show --provider "$p" "$F/server-ec.p12" --password-file "$T/wrong.txt"
		if [ "$RC" != 0 ]; then check "$p: p12 show, wrong password" "$T/out" "$T/err"; else fail "$p: p12 show accepted a wrong password"; fi
	fi
	# p12 create from an encrypted key.
	if has_cap "$p" pkcs12-export && has_cap "$p" encrypted-keys; then
		printf '%s\n' "$EXPORT_PW" >"$T/export-pw.txt"
		run "$PLUGTLS" p12 create --provider "$p" --key "$F/server-ec-enc.key" \
			--key-password-file "$F/key-password.txt" --cert "$F/server-ec-chain.pem" \
			--out "$T/out-$p.p12" --password-file "$T/export-pw.txt"
		if [ "$RC" = 0 ]; then check "$p: p12 create" "$T/out" "$T/err"; else fail "$p: p12 create: exit $RC"; fi
	fi
	no_keylog "$p: p12"

	# server with an encrypted key + client, verbose, certificate handshake.
	if has_cap "$p" encrypted-keys; then
		start_server --provider "$p" --cert "$F/server-ec-chain.pem" --key "$F/server-ec-enc.key" \
			--key-password-file "$F/key-password.txt" --max-connections 1 --verbose ||
			{ fail "$p: server with an encrypted key did not start"; continue; }
		run_in "hello" "$PLUGTLS" client --provider "$p" "127.0.0.1:$SPORT" --ca "$F/ca.pem" \
			--servername localhost --verbose
		wait_server
		if [ "$RC" = 0 ] && [ -s "$T/err" ]; then
			check "$p: client --verbose" "$T/out" "$T/err"
			check "$p: server --verbose with an encrypted key" "$SLOG.out" "$SLOG.err"
		else
			fail "$p: encrypted-key handshake: client exit $RC (stderr empty: $([ -s "$T/err" ] && echo no || echo yes))"
		fi
		no_keylog "$p: certificate handshake"
	fi

	# PSK, TLS 1.3 and 1.2, verbose on both sides.
	id=$(cat "$F/psk-identity.txt")
	for v in 1.3 1.2; do
		cap=psk-tls13
		[ "$v" = 1.2 ] && cap=psk-tls12
		has_cap "$p" "$cap" || continue
		start_server --provider "$p" --cert "$F/server-ec-chain.pem" --key "$F/server-ec.key" \
			--psk-file "$F/psk.bin" --psk-identity "$id" --min-version "$v" --max-version "$v" \
			--max-connections 1 --verbose || { fail "$p: PSK server did not start"; continue; }
		run_in "psk" "$PLUGTLS" client --provider "$p" "127.0.0.1:$SPORT" --ca "$F/ca.pem" \
			--psk-file "$F/psk.bin" --psk-identity "$id" --min-version "$v" --max-version "$v" --verbose
		wait_server
		if [ "$RC" = 0 ] && [ "$(cat "$T/out")" = "psk" ]; then
			check "$p: PSK TLS $v client --verbose" "$T/out" "$T/err"
			check "$p: PSK TLS $v server --verbose" "$SLOG.out" "$SLOG.err"
		else
			fail "$p: PSK TLS $v: client exit $RC"
		fi
		no_keylog "$p: PSK TLS $v"
	done
done

# The control: the variable is live here (gnutls-cli honours it).
if command -v gnutls-cli >/dev/null; then
	p=$(printf '%s\n' $PROVIDERS | head -n 1)
	start_server --provider "$p" --cert "$F/server-ec-chain.pem" --key "$F/server-ec.key" --max-connections 1 ||
		fail "control server did not start"
	set +e
	printf 'x' | timeout 30 gnutls-cli --x509cafile "$F/ca.pem" -p "$SPORT" localhost \
		>"$T/gc.out" 2>&1
	set -e
	wait_server
	if [ -s "$SSLKEYLOGFILE" ]; then
		pass "control: gnutls-cli wrote \$SSLKEYLOGFILE (the variable is live)"
	else
		fail "control: gnutls-cli did not write \$SSLKEYLOGFILE: the checks above prove nothing"
	fi
else
	echo "# skip control: gnutls-cli (package gnutls-bin) is missing"
fi
finish
