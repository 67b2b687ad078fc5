#!/usr/bin/env bash
# plugtls interop: the client x server matrix over the in-memory pair.
# Asserts the shape of the table (one per mode, a header row naming every
# compiled-in provider as a column, one row per provider, every cell a
# known verdict), that no cell FAILs (exit 0), that a provider the gate
# refuses is shown as refused rather than dropped, and the JSON output.
. "$(dirname "$0")/common.sh"

compiled=$(timeout 30 "$PLUGTLS" --version | sed -n 's/^providers: //p' | tr -d ' ' | tr ',' ' ')
read -r -a provs <<<"$compiled"
np=${#provs[@]}
if [ "$np" -gt 0 ]; then pass "compiled providers: $compiled"; else fail "no provider compiled in"; fi

# A cell: "pass", "skip (cap)", "refused", "FAIL [n]", or one per version
# ("1.2 pass, 1.3 skip (psk-tls13)").
tok='(pass|skip \([a-z0-9-]+\)|refused|FAIL \[[0-9]+\])'
cell_re="^($tok|1\.2 $tok, 1\.3 $tok)\$"

# check_tables FILE: four tables, each a title, a header and np rows.
check_tables() {
	local f=$1 title n=0 ok=1 line row c cells
	for title in "full handshake" "resumption" "mutual TLS" "external PSK"; do
		n=$(grep -c "^$title" "$f" || true)
		if [ "$n" != 1 ]; then
			fail "table '$title': found $n titles"
			ok=0
			continue
		fi
		# The header follows the title and names every provider.
		line=$(grep -A1 "^$title" "$f" | sed -n 2p)
		# shellcheck disable=SC2206
		row=($line)
		if [ "${row[*]}" != "client \\ server ${provs[*]}" ]; then
			fail "table '$title': header '$line'"
			ok=0
		fi
		for ((c = 0; c < np; c++)); do
			line=$(grep -A$((c + 2)) "^$title" "$f" | sed -n "$((c + 3))p")
			if [ "$(awk '{print $1}' <<<"$line")" != "${provs[$c]}" ]; then
				fail "table '$title': row $c is '$line', want ${provs[$c]}"
				ok=0
				continue
			fi
			# Cells are separated by two or more spaces.
			cells=$(sed -E "s/^ *${provs[$c]} {2,}//; s/ {2,}/\n/g" <<<"$line")
			if [ "$(wc -l <<<"$cells")" != "$np" ]; then
				fail "table '$title': row ${provs[$c]} has not $np cells: '$line'"
				ok=0
			fi
			while IFS= read -r cell; do
				if ! grep -qE "$cell_re" <<<"$cell"; then
					fail "table '$title': bad cell '$cell'"
					ok=0
				fi
			done <<<"$cells"
		done
	done
	[ "$ok" = 1 ]
}

run "$PLUGTLS" interop --fixtures "$FIX"
cp "$T/out" "$T/table"
if [ "$RC" = 0 ]; then pass "interop exits 0"; else fail "interop exit $RC: $(grep '^\[' "$T/table" | head -3)"; fi
if check_tables "$T/table"; then pass "four tables of $np x $np cells"; fi
if grep -q 'FAIL \[' "$T/table"; then
	fail "a cell FAILs: $(grep '^\[' "$T/table" | head -3)"
else
	pass "no cell FAILs"
fi
total=$((np * np * 8))
if grep -qE "^$total cells: [0-9]+ pass, [0-9]+ skipped, [0-9]+ refused, 0 FAIL\$" "$T/table"; then
	pass "summary counts $total cells"
else
	fail "summary line: $(tail -n 1 "$T/table")"
fi
# get_cell FILE TITLE ROW COL: the cell of client ROW, server COL (0-based).
get_cell() {
	grep -A$(($3 + 2)) "^$2" "$1" | sed -n "$(($3 + 3))p" |
		sed -E 's/^ *[^ ]+ {2,}//; s/ {2,}/\n/g' | sed -n "$(($4 + 1))p"
}

# Every pair of providers that load shakes hands in full, both versions
# (both have tls12, tls13 and ecdsa on Debian 12: no skip expected).
usable=" $(usable_providers | tr '\n' ' ') "
for ((c = 0; c < np; c++)); do
	for ((s = 0; s < np; s++)); do
		[[ $usable == *" ${provs[$c]} "* && $usable == *" ${provs[$s]} "* ]] || continue
		v=$(get_cell "$T/table" "full handshake" "$c" "$s")
		if [ "$v" = pass ]; then
			pass "full handshake ${provs[$c]} -> ${provs[$s]}: pass"
		else
			fail "full handshake ${provs[$c]} -> ${provs[$s]}: '$v'"
		fi
	done
done

# JSON: one document; every cell has a known result.
run "$PLUGTLS" interop --fixtures "$FIX" --json
if [ "$RC" = 0 ] && python3 - "$T/out" "$np" <<'EOF'; then
import json, sys
d = json.load(open(sys.argv[1]))
np = int(sys.argv[2])
assert len(d["providers"]) == np, d["providers"]
assert len(d["cells"]) == np * np * 8, len(d["cells"])
for c in d["cells"]:
    assert c["result"] in ("pass", "skip", "refused"), c
    assert c["version"] in ("1.2", "1.3") and c["mode"] in ("full", "resume", "mtls", "psk"), c
    if c["result"] == "skip":
        assert c["missing"] and c["provider"], c
s = d["summary"]
assert s["fail"] == 0 and s["pass"] + s["skip"] + s["refused"] == s["cells"], s
EOF
	pass "--json: $np providers, every cell with a known result"
else
	fail "--json: exit $RC or bad document"
fi

# A provider refused by its gate is shown as refused, not dropped: without
# the acceptance string, wolfSSL 5.5.4 (Debian 12) is refused.
if [[ " $compiled " == *" wolfssl "* ]]; then
	set +e
	PLUGTLS_ACCEPT_VULNERABLE='' timeout 60 "$PLUGTLS" interop --fixtures "$FIX" >"$T/out" 2>"$T/err"
	RC=$?
	set -e
	if grep -q '^  wolfssl .*refused by its version gate' "$T/out"; then
		if [ "$RC" = 0 ] && check_tables "$T/out" &&
			grep -A$((np + 1)) "^full handshake" "$T/out" | grep -qE '^  wolfssl +refused( +refused)*$'; then
			pass "a refused provider keeps its row and column, cells 'refused'"
		else
			fail "refused provider: exit $RC or cells not 'refused'"
		fi
	else
		pass "wolfssl loads without an override here (gate not refusing)"
	fi
fi

# A real failure is reported, not hidden: fixtures whose ca.pem is another
# CA make every certificate handshake fail verification (PSK ones need no
# certificate and pass). Exit 1, "FAIL [1]" cells, note [1] names it.
mkdir "$T/fx"
cp "$FIX"/*.pem "$FIX"/*.key "$FIX"/psk.bin "$FIX"/psk-identity.txt "$T/fx/"
cp "$FIX/other-ca.pem" "$T/fx/ca.pem"
set +e
timeout 60 "$PLUGTLS" interop --fixtures "$T/fx" >"$T/out" 2>"$T/err"
RC=$?
set -e
f=$(get_cell "$T/out" "full handshake" 0 0)
p=$(get_cell "$T/out" "external PSK" 0 0)
if [ "$RC" = 1 ] && check_tables "$T/out" && [ "$f" = "FAIL [1]" ] &&
	[ "$p" = pass ] && grep -q '^\[1\] client handshake: verification failed.*unknown-issuer' "$T/out"; then
	pass "an untrusted server: FAIL cells, note [1] names unknown-issuer, exit 1"
else
	fail "untrusted server: exit $RC, full '$f', psk '$p': $(grep '^\[' "$T/out" | head -2)"
fi

expect_rc "interop without --fixtures exits 2" 2 "$PLUGTLS" interop
expect_rc "interop with missing fixtures exits 2" 2 "$PLUGTLS" interop --fixtures "$T/nowhere"
expect_rc "interop with an argument exits 2" 2 "$PLUGTLS" interop --fixtures "$FIX" extra
expect_rc "interop --provider exits 2" 2 "$PLUGTLS" interop --fixtures "$FIX" --provider openssl
expect_rc "interop --help exits 0" 0 "$PLUGTLS" interop --help

finish
