#!/usr/bin/env bash
# plugtls p12 show / create, for every usable provider with the
# capabilities each check needs.
. "$(dirname "$0")/common.sh"

F=$FIX
pw=$(cat "$F/p12-password.txt")
printf 'definitely-wrong' >"$T/wrong.txt"
printf '%s\n' "$pw" >"$T/pw-newline.txt"
printf '%s\r\nsecond line\n' "$pw" >"$T/pw-crlf.txt"
printf 'n3w-export-pass\n' >"$T/newpw.txt"
int_dn="CN=plugtls Test Intermediate CA,O=plugtls test,C=GB"

# no_secret FILE...: no password appears in any output.
no_secret() {
	local f
	for f in "$@"; do
		if grep -qF -- "$pw" "$f" || grep -qF -- "n3w-export-pass" "$f" ||
			grep -qF -- "$(cat "$F/key-password.txt")" "$f"; then
			return 1
		fi
	done
}

for p in $(usable_providers); do
	if ! has_cap "$p" pkcs12-import; then
		echo "# $p: skipping (no capability pkcs12-import)"
		continue
	fi
	S=("$PLUGTLS" p12 show --provider "$p")
	run "${S[@]}" "$F/server-ec.p12" --password-file "$F/p12-password.txt"
	if [ "$RC" = 0 ] && [ "$(sed -n 1p "$T/out")" = "key_type: EC" ] &&
		[ "$(sed -n 2p "$T/out")" = "key_bits: 256" ] &&
		has_line "$T/out" "certificate: 1" && has_line "$T/out" "certificate: 2" &&
		[ "$(grep -A1 '^certificate: 1$' "$T/out" | tail -n 1)" = "subject: CN=localhost" ] &&
		[ "$(grep -A1 '^certificate: 2$' "$T/out" | tail -n 1)" = "subject: $int_dn" ] &&
		has_line "$T/out" "san: IP:127.0.0.1"; then
		pass "$p: p12 show server-ec.p12"
	else
		fail "$p: p12 show server-ec.p12: exit $RC: $(head -n 5 "$T/out" | tr '\n' '|')"
	fi
	if no_secret "$T/out" "$T/err"; then pass "$p: no password in the output"; else fail "$p: password printed"; fi

	expect_rc "$p: password file with a trailing newline" 0 "${S[@]}" "$F/server-ec.p12" --password-file "$T/pw-newline.txt"
	expect_rc "$p: password file with CRLF and a second line" 0 "${S[@]}" "$F/server-ec.p12" --password-file "$T/pw-crlf.txt"
	expect_rc "$p: options before FILE" 0 "${S[@]}" --password-file "$F/p12-password.txt" "$F/server-ec.p12"

	run "${S[@]}" "$F/server-ec.p12" --password-file "$T/wrong.txt"
	if [ "$RC" = 1 ] && grep -qi "wrong password" "$T/err" && [ ! -s "$T/out" ]; then
		pass "$p: wrong password: exit 1, clear message"
	else
		fail "$p: wrong password: exit $RC, stderr '$(head -c 200 "$T/err")'"
	fi
	if no_secret "$T/err"; then pass "$p: wrong password not echoed"; else fail "$p: password in message"; fi

	run "${S[@]}" "$F/nokey.p12" --password-file "$F/p12-password.txt"
	if [ "$RC" = 1 ] && grep -qi "no private key" "$T/err"; then
		pass "$p: bundle without a key: exit 1"
	else
		fail "$p: nokey.p12: exit $RC"
	fi
	run "${S[@]}" "$F/server-ec-legacy.p12" --password-file "$F/p12-password.txt"
	if has_cap "$p" pkcs12-legacy; then
		if [ "$RC" = 0 ] && has_line "$T/out" "key_type: EC"; then pass "$p: legacy bundle"; else fail "$p: legacy bundle: exit $RC"; fi
	else
		if [ "$RC" != 0 ] && [ -s "$T/err" ]; then pass "$p: legacy bundle refused with a message (no pkcs12-legacy)"; else fail "$p: legacy bundle without the capability: exit $RC"; fi
	fi
	expect_rc "$p: corrupt DER exits 2" 2 "${S[@]}" "$F/p12-corrupt-der.p12" --password-file "$F/p12-password.txt"
	expect_rc "$p: missing file exits 2" 2 "${S[@]}" "$T/nonexistent.p12" --password-file "$F/p12-password.txt"
	expect_rc "$p: missing password file exits 2" 2 "${S[@]}" "$F/server-ec.p12" --password-file "$T/nonexistent.txt"
	expect_rc "$p: no FILE exits 2" 2 "${S[@]}" --password-file "$F/p12-password.txt"
	expect_rc "$p: --password (argv) is not an option" 2 "${S[@]}" "$F/server-ec.p12" --password "$pw"

	# No terminal and no file: a clear refusal, exit 2 (setsid drops the
	# controlling terminal).
	set +e
	setsid -w timeout 30 "$PLUGTLS" p12 show --provider "$p" "$F/server-ec.p12" </dev/null >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	if [ "$RC" = 2 ] && grep -q "no terminal" "$T/err"; then
		pass "$p: no terminal and no password file: exit 2"
	else
		fail "$p: no terminal: exit $RC, '$(head -c 200 "$T/err")'"
	fi

	# Interactive prompts on a pseudo-terminal: echo off, so the password
	# never shows on the terminal.
	if command -v python3 >/dev/null; then
		PTY=(python3 "$(dirname "$0")/pty-answer.py")
		printf '%s\n' "$pw" >"$T/answers"
		set +e
		"${PTY[@]}" "$T/answers" "${S[@]}" "$F/server-ec.p12" >"$T/out" 2>"$T/err"
		RC=$?
		set -e
		if [ "$RC" = 0 ] && grep -q "key_type: EC" "$T/out" && grep -q "password: " "$T/out" && no_secret "$T/out"; then
			pass "$p: password prompt on the terminal, not echoed"
		else
			fail "$p: password prompt: exit $RC: $(tr '\r\n' '||' <"$T/out" | head -c 200)"
		fi
	fi

	if ! has_cap "$p" pkcs12-export; then
		echo "# $p: skipping p12 create (no capability pkcs12-export)"
		continue
	fi
	C=("$PLUGTLS" p12 create --provider "$p")
	out=$T/$p-new.p12
	run "${C[@]}" --key "$F/server-ec.key" --cert "$F/server-ec-chain.pem" --out "$out" \
		--password-file "$T/newpw.txt" --name "plugtls test"
	if [ "$RC" = 0 ] && [ -s "$out" ] && [ "$(stat -c %a "$out")" = 600 ]; then
		pass "$p: p12 create (mode 600)"
	else
		fail "$p: p12 create: exit $RC"
	fi
	run "${S[@]}" "$out" --password-file "$T/newpw.txt"
	if [ "$RC" = 0 ] && has_line "$T/out" "key_type: EC" &&
		[ "$(grep -c '^certificate: ' "$T/out")" = 2 ] &&
		has_line "$T/out" "subject: CN=localhost" && has_line "$T/out" "subject: $int_dn"; then
		pass "$p: round trip create -> show"
	else
		fail "$p: round trip: exit $RC"
	fi
	if openssl pkcs12 -in "$out" -passin "file:$T/newpw.txt" -nokeys >"$T/ossl" 2>/dev/null &&
		grep -q 'subject=CN = localhost' "$T/ossl"; then
		pass "$p: openssl reads the created bundle"
	else
		fail "$p: openssl cannot read the created bundle"
	fi
	if grep -q 'friendlyName: plugtls test' "$T/ossl"; then
		pass "$p: --name is kept as the friendlyName"
	else
		fail "$p: the bundle has no friendlyName 'plugtls test'"
	fi
	run "${C[@]}" --key "$F/server-ec-enc.key" --key-password-file "$F/key-password.txt" \
		--cert "$F/server-ec-chain.pem" --out "$T/$p-enc.p12" --password-file "$T/newpw.txt"
	if [ "$RC" = 0 ] && no_secret "$T/out" "$T/err"; then
		pass "$p: create from an encrypted key"
	else
		fail "$p: create from an encrypted key: exit $RC"
	fi
	run "${C[@]}" --key "$F/server-ec-enc.key" --key-password-file "$T/wrong.txt" \
		--cert "$F/server-ec-chain.pem" --out "$T/$p-bad.p12" --password-file "$T/newpw.txt"
	if [ "$RC" = 1 ] && grep -qi "wrong password" "$T/err" && [ ! -e "$T/$p-bad.p12" ]; then
		pass "$p: wrong key password: exit 1, no file"
	else
		fail "$p: wrong key password: exit $RC"
	fi
	set +e
	setsid -w timeout 30 "${C[@]}" --key "$F/server-ec-enc.key" --cert "$F/server-ec-chain.pem" \
		--out "$T/$p-nopw.p12" --password-file "$T/newpw.txt" </dev/null >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	if [ "$RC" = 2 ] && grep -q "no terminal" "$T/err"; then
		pass "$p: encrypted key, no terminal: exit 2"
	else
		fail "$p: encrypted key, no terminal: exit $RC"
	fi
	if command -v python3 >/dev/null; then
		# Key password, then the export password twice.
		printf '%s\nprompted-pass\nprompted-pass\n' "$(cat "$F/key-password.txt")" >"$T/answers"
		set +e
		"${PTY[@]}" "$T/answers" "${C[@]}" --key "$F/server-ec-enc.key" --cert "$F/server-ec-chain.pem" \
			--out "$T/$p-prompted.p12" >"$T/out" 2>"$T/err"
		RC=$?
		set -e
		printf 'prompted-pass' >"$T/prompted.txt"
		if [ "$RC" = 0 ] && ! grep -q "prompted-pass" "$T/out" && no_secret "$T/out" &&
			timeout 30 "${S[@]}" "$T/$p-prompted.p12" --password-file "$T/prompted.txt" >/dev/null 2>&1; then
			pass "$p: create with prompts for the key and export passwords"
		else
			fail "$p: create with prompts: exit $RC: $(tr '\r\n' '||' <"$T/out" | head -c 300)"
		fi
		printf 'one\ntwo\n' >"$T/answers"
		set +e
		"${PTY[@]}" "$T/answers" "${C[@]}" --key "$F/server-ec.key" --cert "$F/server-ec-chain.pem" \
			--out "$T/$p-mismatch.p12" >"$T/out" 2>"$T/err"
		RC=$?
		set -e
		if [ "$RC" = 1 ] && grep -q "do not match" "$T/out" && [ ! -e "$T/$p-mismatch.p12" ]; then
			pass "$p: create: the two passwords differ: exit 1, no file"
		else
			fail "$p: create with differing passwords: exit $RC"
		fi
	fi
	expect_rc "$p: create without --out exits 2" 2 "${C[@]}" --key "$F/server-ec.key" --cert "$F/server-ec-chain.pem" --password-file "$T/newpw.txt"
	expect_rc "$p: create with a missing key exits 2" 2 "${C[@]}" --key "$T/nonexistent.key" --cert "$F/server-ec-chain.pem" --out "$T/x.p12" --password-file "$T/newpw.txt"
	expect_rc "$p: create with a missing chain exits 2" 2 "${C[@]}" --key "$F/server-ec.key" --cert "$T/nonexistent.pem" --out "$T/x.p12" --password-file "$T/newpw.txt"
done

finish
