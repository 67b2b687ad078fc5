#!/usr/bin/env bash
# plugtls cert show, for every usable provider.
. "$(dirname "$0")/common.sh"

want_sans="san: DNS:localhost
san: DNS:server.test
san: IP:127.0.0.1
san: IP:::1"
int_dn="CN=plugtls Test Intermediate CA,O=plugtls test,C=GB"
read -r nb na <"$FIX/server-ec.dates" || true

for p in $(usable_providers); do
	run "$PLUGTLS" cert show --provider "$p" "$FIX/server-ec.pem"
	if [ "$RC" != 0 ]; then
		fail "$p: cert show server-ec.pem: exit $RC"
		continue
	fi
	cp "$T/out" "$T/ec"
	for line in "subject: CN=localhost" "issuer: $int_dn" \
		"serial: $(cat "$FIX/server-ec.serial")" \
		"spki_sha256_pin: $(cat "$FIX/server-ec.pin")" \
		"fingerprint_sha256: $(cat "$FIX/server-ec.sha256")" \
		"key_type: EC" "key_bits: 256" "sig_alg: ecdsa-with-SHA256" \
		"ca: false" "path_len: none" "eku: serverAuth"; do
		if has_line "$T/ec" "$line"; then
			pass "$p: server-ec: $line"
		else
			fail "$p: server-ec: no line '$line'"
		fi
	done
	if [ "$(grep '^san: ' "$T/ec")" = "$want_sans" ]; then
		pass "$p: server-ec: SAN lines in order"
	else
		fail "$p: server-ec: SAN lines: $(grep '^san: ' "$T/ec" | tr '\n' '|')"
	fi
	if grep -qE "^not_before: [0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z \($nb\)$" "$T/ec" &&
		grep -qE "^not_after: [0-9-]+T[0-9:]+Z \($na\)$" "$T/ec"; then
		pass "$p: server-ec: validity as ISO 8601 and epoch"
	else
		fail "$p: server-ec: validity lines: $(grep '^not_' "$T/ec" | tr '\n' '|')"
	fi
	if grep -q '^certificate: ' "$T/ec"; then
		fail "$p: a single certificate has a 'certificate:' header"
	else
		pass "$p: no header for a single certificate"
	fi

	# DER input gives the same fields.
	run "$PLUGTLS" cert show --provider "$p" "$FIX/server-ec.der"
	if [ "$RC" = 0 ] && cmp -s "$T/out" "$T/ec"; then
		pass "$p: DER input prints the same"
	else
		fail "$p: DER input: exit $RC or different output"
	fi

	# A bundle: headers and blank lines between certificates.
	run "$PLUGTLS" cert show --provider "$p" "$FIX/bundle3.pem"
	if [ "$RC" = 0 ] && [ "$(grep -c '^certificate: ' "$T/out")" = 3 ] &&
		[ "$(grep -c '^$' "$T/out")" = 2 ] &&
		[ "$(sed -n 2p "$T/out")" = "subject: CN=localhost" ] &&
		has_line "$T/out" "certificate: 3" &&
		has_line "$T/out" "subject: $int_dn" &&
		has_line "$T/out" "path_len: 0" && has_line "$T/out" "ca: true"; then
		pass "$p: bundle of three"
	else
		fail "$p: bundle of three: exit $RC: $(tr '\n' '|' <"$T/out" | head -c 300)"
	fi

	run "$PLUGTLS" cert show --provider "$p" "$FIX/server-rsa.pem"
	if [ "$RC" = 0 ] && has_line "$T/out" "key_type: RSA" && has_line "$T/out" "key_bits: 2048"; then
		pass "$p: RSA key type and size"
	else
		fail "$p: server-rsa: exit $RC"
	fi

	expect_rc "$p: missing file exits 2" 2 "$PLUGTLS" cert show --provider "$p" "$T/nonexistent.pem"
	expect_rc "$p: not a certificate exits 2" 2 "$PLUGTLS" cert show --provider "$p" "$FIX/psk-identity.txt"
	expect_rc "$p: two files exit 2" 2 "$PLUGTLS" cert show --provider "$p" "$FIX/ca.pem" "$FIX/int.pem"
	expect_rc "$p: no file exits 2" 2 "$PLUGTLS" cert show --provider "$p"
done

finish
