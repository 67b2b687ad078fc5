#!/usr/bin/env bash
# plugtls verify: verdicts, exit codes and usage errors, for every usable
# provider.
. "$(dirname "$0")/common.sh"

F=$FIX
read -r nb na <"$F/server-ec.dates" || true
pin=$(cat "$F/server-ec.pin")
badpin="sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
# DER copies of the CA, the intermediate and the leaf.
openssl x509 -in "$F/ca.pem" -outform DER -out "$T/ca.der"
openssl x509 -in "$F/int.pem" -outform DER -out "$T/int.der"

for p in $(usable_providers); do
	V=("$PLUGTLS" verify --provider "$p")
	expect "$p: good chain" 0 "OK" "${V[@]}" --ca "$F/ca.pem" --untrusted "$F/int.pem" "$F/server-ec.pem"
	expect "$p: leaf file with its chain" 0 "OK" "${V[@]}" --ca "$F/ca.pem" "$F/server-ec-chain.pem"
	expect "$p: RSA leaf" 0 "OK" "${V[@]}" --ca "$F/ca.pem" "$F/server-rsa-chain.pem"
	expect "$p: expired leaf" 1 "FAIL: expired" "${V[@]}" --ca "$F/ca.pem" --untrusted "$F/int.pem" "$F/leaf-expired.pem"
	expect "$p: not yet valid leaf" 1 "FAIL: not-yet-valid" "${V[@]}" --ca "$F/ca.pem" --untrusted "$F/int.pem" "$F/leaf-notyet.pem"

	# Names and addresses.
	expect "$p: --host localhost" 0 "OK" "${V[@]}" --ca "$F/ca.pem" --host localhost "$F/server-ec-chain.pem"
	expect "$p: --host server.test" 0 "OK" "${V[@]}" --ca "$F/ca.pem" --host server.test "$F/server-ec-chain.pem"
	expect "$p: --host mismatch" 1 "FAIL: hostname-mismatch" "${V[@]}" --ca "$F/ca.pem" --host wrong.test "$F/server-ec-chain.pem"
	expect "$p: --ip 127.0.0.1" 0 "OK" "${V[@]}" --ca "$F/ca.pem" --ip 127.0.0.1 "$F/server-ec-chain.pem"
	expect "$p: --ip ::1" 0 "OK" "${V[@]}" --ca "$F/ca.pem" --ip ::1 "$F/server-ec-chain.pem"
	expect "$p: --ip mismatch" 1 "FAIL: hostname-mismatch" "${V[@]}" --ca "$F/ca.pem" --ip 192.0.2.1 "$F/server-ec-chain.pem"
	expect "$p: expired and wrong host, bit order" 1 "FAIL: expired,hostname-mismatch" \
		"${V[@]}" --ca "$F/ca.pem" --untrusted "$F/int.pem" --host wrong.test "$F/leaf-expired.pem"

	# Verification time.
	expect "$p: --time inside validity" 0 "OK" "${V[@]}" --ca "$F/ca.pem" --time $((nb + 3600)) "$F/server-ec-chain.pem"
	expect "$p: --time after not_after" 1 "FAIL: expired" "${V[@]}" --ca "$F/ca.pem" --time $((na + 86400)) "$F/server-ec-chain.pem"
	expect "$p: --time before not_before" 1 "FAIL: not-yet-valid" "${V[@]}" --ca "$F/ca.pem" --time $((nb - 3600)) "$F/server-ec-chain.pem"
	read -r enb ena <"$F/leaf-expired.dates" || true
	expect "$p: --time inside an expired leaf's validity" 0 "OK" \
		"${V[@]}" --ca "$F/ca.pem" --untrusted "$F/int.pem" --time $((enb + 3600)) "$F/leaf-expired.pem"

	# Purpose.
	expect "$p: --purpose client on a server cert" 1 "FAIL: wrong-purpose" "${V[@]}" --ca "$F/ca.pem" --purpose client "$F/server-ec-chain.pem"
	expect "$p: --purpose client on a client cert" 0 "OK" "${V[@]}" --ca "$F/ca.pem" --purpose client "$F/client-chain.pem"
	expect "$p: --purpose server on a client-only cert" 1 "FAIL: wrong-purpose" "${V[@]}" --ca "$F/ca.pem" --untrusted "$F/int.pem" --purpose server "$F/leaf-clientonly.pem"
	expect "$p: --purpose server (explicit)" 0 "OK" "${V[@]}" --ca "$F/ca.pem" --purpose server "$F/server-ec-chain.pem"

	# Pins.
	expect "$p: --pin good" 0 "OK" "${V[@]}" --ca "$F/ca.pem" --pin "$pin" "$F/server-ec-chain.pem"
	expect "$p: --pin good among several" 0 "OK" "${V[@]}" --ca "$F/ca.pem" --pin "$badpin;$pin" "$F/server-ec-chain.pem"
	expect "$p: --pin bad" 1 "FAIL: pin-mismatch" "${V[@]}" --ca "$F/ca.pem" --pin "$badpin" "$F/server-ec-chain.pem"
	expect_rc "$p: --pin malformed exits 2" 2 "${V[@]}" --ca "$F/ca.pem" --pin "sha256//not-base64!" "$F/server-ec-chain.pem"

	# Issuers.
	expect "$p: missing intermediate" 1 "FAIL: unknown-issuer" "${V[@]}" --ca "$F/ca.pem" "$F/leaf-missing-int.pem"
	expect "$p: unrelated root" 1 "FAIL: unknown-issuer" "${V[@]}" --ca "$F/other-ca.pem" "$F/server-ec-chain.pem"
	expect "$p: several --ca" 0 "OK" "${V[@]}" --ca "$F/other-ca.pem" --ca "$F/ca.pem" "$F/server-ec-chain.pem"
	expect "$p: several --untrusted" 0 "OK" "${V[@]}" --ca "$F/ca.pem" --untrusted "$F/other-ca.pem" --untrusted "$F/int.pem" "$F/server-ec.pem"

	# DER everywhere.
	expect "$p: DER leaf" 0 "OK" "${V[@]}" --ca "$F/ca.pem" --untrusted "$F/int.pem" "$F/server-ec.der"
	expect "$p: DER leaf, CA and intermediate" 0 "OK" "${V[@]}" --ca "$T/ca.der" --untrusted "$T/int.der" "$F/server-ec.der"

	# CRLs.
	if has_cap "$p" crl; then
		expect "$p: --crl revoked leaf" 1 "FAIL: revoked" "${V[@]}" --ca "$F/ca.pem" --untrusted "$F/int.pem" --crl "$F/crl-int.pem" "$F/leaf-revoked.pem"
		expect "$p: --crl DER revoked leaf" 1 "FAIL: revoked" "${V[@]}" --ca "$F/ca.pem" --untrusted "$F/int.pem" --crl "$F/crl-int.der" "$F/leaf-revoked.pem"
		expect "$p: --crl good leaf" 0 "OK" "${V[@]}" --ca "$F/ca.pem" --untrusted "$F/int.pem" --crl "$F/crl-int.pem" "$F/server-ec.pem"
		expect "$p: --crl twice" 0 "OK" "${V[@]}" --ca "$F/ca.pem" --untrusted "$F/int.pem" --crl "$F/crl-int.pem" --crl "$F/crl-ca.pem" "$F/server-ec.pem"
	else
		echo "# $p: skipping CRL checks (no capability crl)"
	fi

	# --max-depth: the chain leaf, int, root has depth 3.
	expect "$p: --max-depth 3" 0 "OK" "${V[@]}" --ca "$F/ca.pem" --max-depth 3 "$F/server-ec-chain.pem"
	run "${V[@]}" --ca "$F/ca.pem" --max-depth 2 "$F/server-ec-chain.pem"
	if [ "$RC" = 1 ] && head -n 1 "$T/out" | grep -q '^FAIL: '; then
		pass "$p: --max-depth 2 fails ($(head -n 1 "$T/out"))"
	else
		fail "$p: --max-depth 2: exit $RC, '$(head -n 1 "$T/out")'"
	fi

	# Bad usage and unreadable input: exit 2 and a message.
	U="$p: usage:"
	expect_rc "$U no LEAF" 2 "${V[@]}" --ca "$F/ca.pem"
	expect_rc "$U no --ca" 2 "${V[@]}" "$F/server-ec-chain.pem"
	expect_rc "$U two LEAFs" 2 "${V[@]}" --ca "$F/ca.pem" "$F/server-ec.pem" "$F/server-rsa.pem"
	expect_rc "$U unknown option" 2 "${V[@]}" --ca "$F/ca.pem" --bogus "$F/server-ec-chain.pem"
	expect_rc "$U abbreviated option" 2 "${V[@]}" --ca "$F/ca.pem" --ho localhost "$F/server-ec-chain.pem"
	expect_rc "$U missing value at the end" 2 "${V[@]}" "$F/server-ec-chain.pem" --ca
	expect_rc "$U missing value before an option" 2 "${V[@]}" --ca --host localhost "$F/server-ec-chain.pem"
	expect_rc "$U --time abc" 2 "${V[@]}" --ca "$F/ca.pem" --time abc "$F/server-ec-chain.pem"
	expect_rc "$U --time -5" 2 "${V[@]}" --ca "$F/ca.pem" --time -5 "$F/server-ec-chain.pem"
	expect_rc "$U --time 12x" 2 "${V[@]}" --ca "$F/ca.pem" --time 12x "$F/server-ec-chain.pem"
	expect_rc "$U --time 0" 2 "${V[@]}" --ca "$F/ca.pem" --time 0 "$F/server-ec-chain.pem"
	expect_rc "$U --time overflow" 2 "${V[@]}" --ca "$F/ca.pem" --time 99999999999999999999 "$F/server-ec-chain.pem"
	expect_rc "$U --max-depth 0" 2 "${V[@]}" --ca "$F/ca.pem" --max-depth 0 "$F/server-ec-chain.pem"
	expect_rc "$U --max-depth 65" 2 "${V[@]}" --ca "$F/ca.pem" --max-depth 65 "$F/server-ec-chain.pem"
	expect_rc "$U --purpose bogus" 2 "${V[@]}" --ca "$F/ca.pem" --purpose bogus "$F/server-ec-chain.pem"
	expect_rc "$U --host with --ip" 2 "${V[@]}" --ca "$F/ca.pem" --host localhost --ip 127.0.0.1 "$F/server-ec-chain.pem"
	expect_rc "$U --ip not an address" 2 "${V[@]}" --ca "$F/ca.pem" --ip localhost "$F/server-ec-chain.pem"
	expect_rc "$U --host twice" 2 "${V[@]}" --ca "$F/ca.pem" --host a.test --host b.test "$F/server-ec-chain.pem"
	expect_rc "$p: missing LEAF file exits 2" 2 "${V[@]}" --ca "$F/ca.pem" "$T/nonexistent.pem"
	expect_rc "$p: missing --ca file exits 2" 2 "${V[@]}" --ca "$T/nonexistent.pem" "$F/server-ec-chain.pem"
	expect_rc "$p: missing --untrusted file exits 2" 2 "${V[@]}" --ca "$F/ca.pem" --untrusted "$T/nonexistent.pem" "$F/server-ec.pem"
	expect_rc "$p: garbage LEAF exits 2" 2 "${V[@]}" --ca "$F/ca.pem" "$F/psk-identity.txt"
	run "${V[@]}" --ca "$F/ca.pem" "$T/nonexistent.pem"
	if [ -s "$T/err" ] && [ ! -s "$T/out" ]; then
		pass "$p: unreadable input: message on stderr, nothing on stdout"
	else
		fail "$p: unreadable input: stdout '$(head -c 100 "$T/out")', stderr empty?"
	fi
done

finish
