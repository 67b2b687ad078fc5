#!/usr/bin/env bash
# plugtls providers / --version / help / usage errors.
. "$(dirname "$0")/common.sh"

compiled=$(timeout 30 "$PLUGTLS" --version | sed -n 's/^providers: //p' | tr -d ' ' | tr ',' ' ')
if [ -n "$compiled" ]; then
	pass "--version lists compiled providers: $compiled"
else
	fail "--version lists no provider"
fi

run "$PLUGTLS" providers
if [ "$RC" = 0 ]; then pass "providers exits 0"; else fail "providers exit $RC"; fi
cp "$T/out" "$T/providers"
for p in $compiled; do
	if has_line "$T/providers" "provider: $p"; then
		pass "providers lists $p"
	else
		fail "providers does not list $p"
	fi
	# The block of p: from its provider line to the next blank line.
	awk -v p="$p" '$0 == "provider: " p { on = 1 } on && /^$/ { exit } on' \
		"$T/providers" >"$T/block"
	status=$(sed -n 's/^status: //p' "$T/block")
	case $status in
	ok | accepted:*)
		if grep -q '^version: .' "$T/block" &&
			grep -q '^capabilities: .*tls12' "$T/block"; then
			pass "$p: version, status '$status', capabilities"
		else
			fail "$p: incomplete block: $(tr '\n' '|' <"$T/block")"
		fi
		;;
	refused:*)
		pass "$p: refused with a reason: $status"
		;;
	*)
		fail "$p: bad status line '$status'"
		;;
	esac
	run "$PLUGTLS" providers --provider "$p"
	if [ "$RC" = 0 ] && [ "$(grep -c '^provider: ' "$T/out")" = 1 ]; then
		pass "providers --provider $p shows one block"
	else
		fail "providers --provider $p"
	fi
done

expect_rc "providers --provider nosuch exits 2" 2 "$PLUGTLS" providers --provider nosuch
expect_rc "providers with an argument exits 2" 2 "$PLUGTLS" providers extra
expect_rc "providers --bogus exits 2" 2 "$PLUGTLS" providers --bogus
expect_rc "no command exits 2" 2 "$PLUGTLS"
expect_rc "unknown command exits 2" 2 "$PLUGTLS" frobnicate
expect_rc "--help exits 0" 0 "$PLUGTLS" --help
expect_rc "--version exits 0" 0 "$PLUGTLS" --version
for c in providers cert verify p12 client server; do
	run "$PLUGTLS" help "$c"
	if [ "$RC" = 0 ] && grep -q "^usage: plugtls $c" "$T/out"; then
		pass "help $c"
	else
		fail "help $c: exit $RC"
	fi
	expect_rc "$c --help exits 0" 0 "$PLUGTLS" "$c" --help
done
expect_rc "help nosuch exits 2" 2 "$PLUGTLS" help nosuch
expect_rc "cert without 'show' exits 2" 2 "$PLUGTLS" cert "$FIX/ca.pem"
expect_rc "p12 without a subcommand exits 2" 2 "$PLUGTLS" p12

# The default provider follows $PLUGTLS_PROVIDER.
for p in $(usable_providers); do
	set +e
	PLUGTLS_PROVIDER=$p timeout 30 "$PLUGTLS" cert show "$FIX/ca.pem" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	if [ "$RC" = 0 ]; then pass "PLUGTLS_PROVIDER=$p works"; else fail "PLUGTLS_PROVIDER=$p: exit $RC"; fi
done
set +e
PLUGTLS_PROVIDER=nosuch timeout 30 "$PLUGTLS" cert show "$FIX/ca.pem" >"$T/out" 2>"$T/err"
RC=$?
set -e
if [ "$RC" = 2 ]; then pass "PLUGTLS_PROVIDER=nosuch exits 2"; else fail "PLUGTLS_PROVIDER=nosuch: exit $RC"; fi

finish
