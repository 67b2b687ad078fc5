#!/usr/bin/env bash
# The demonstration: every provider side by side. Usage: demo.sh BUILD_DIR
set -euo pipefail
BUILD=${1:?build dir}
PT=$BUILD/cli/plugtls
BENCH=$BUILD/bench/plugtls-bench
FX=$BUILD/conformance/fixtures
export LD_LIBRARY_PATH=$BUILD${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
# A build with provider modules finds them in the build tree.
[ -d "$BUILD/modules" ] && export PLUGTLS_MODULE_PATH=$BUILD/modules

ERR=$(mktemp)
trap 'rm -f "$ERR"' EXIT

echo "plugtls demo — one strict TLS API, several providers"
echo
echo "== 1. Providers: run-time library version and version gate (defaults)"
"$PT" providers | awk '
	/^provider: /  { name = $2; ver = "" }
	/^version: /   { sub(/^version: /, ""); ver = $0 }
	/^status: /    { sub(/^status: /, ""); st = $0
			 if (st ~ /^accepted: /) {
				 n = split(substr(st, 11), cves, ",")
				 st = "accepted by explicit override (" n " listed CVEs backported)"
			 } else if (st ~ /^refused: /) {
				 if (ver == "" && match(st, /[0-9]+\.[0-9]+\.[0-9]+ is in/))
					 ver = name " " substr(st, RSTART, RLENGTH - 6)
				 if (match(st, /[0-9][0-9.]* is in the known-vulnerable range [^ ]* \(CVE-[0-9-]*/))
					 st = "refused: " substr(st, RSTART, RLENGTH) ", ...)"
			 }
			 printf "  %-8s  %-28s  %s\n", name, (ver == "" ? "-" : ver), st }'
mapfile -t PROVIDERS < <("$PT" providers | awk '/^provider: /{print $2}')

# A provider refused by its gate can be accepted explicitly. The demo does
# so for wolfSSL (Debian 12's 5.5.4 lacks some listed fixes) so that all
# providers can be compared below; an application never gets this
# implicitly. See README, "Version gates".
if "$PT" providers --provider wolfssl 2>/dev/null | grep -q '^status: refused'; then
	echo
	echo "   For the rest of this demo wolfSSL is accepted explicitly"
	echo "   (PLUGTLS_ACCEPT_VULNERABLE=...,wolfssl:*) to show it working."
	export PLUGTLS_ACCEPT_VULNERABLE="${PLUGTLS_ACCEPT_VULNERABLE:+$PLUGTLS_ACCEPT_VULNERABLE,}wolfssl:*"
fi
echo

echo "== 2. Interop: each provider as client against each as server, in one process"
"$PT" interop --fixtures "$FX" | sed -n '/^full handshake/,$p' || true
echo

# One verification case per row, each provider's verdict side by side.
cases=(
	"good chain, host localhost|--ca $FX/ca.pem --untrusted $FX/int.pem --host localhost $FX/server-ec.pem"
	"good chain, IP 127.0.0.1|--ca $FX/ca.pem --untrusted $FX/int.pem --ip 127.0.0.1 $FX/server-ec.pem"
	"host name mismatch|--ca $FX/ca.pem --untrusted $FX/int.pem --host wrong.test $FX/server-ec.pem"
	"expired leaf|--ca $FX/ca.pem --untrusted $FX/int.pem --host localhost $FX/leaf-expired.pem"
	"self-signed leaf|--ca $FX/ca.pem --host localhost $FX/leaf-selfsigned.pem"
	"missing intermediate|--ca $FX/ca.pem --host localhost $FX/server-ec.pem"
	"wrong purpose (client cert)|--ca $FX/ca.pem --untrusted $FX/int.pem --purpose server $FX/client.pem"
	"pin mismatch|--ca $FX/ca.pem --untrusted $FX/int.pem --host localhost --pin sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA= $FX/server-ec.pem"
)
echo "== 3. Verification: the same case, each provider's verdict"
printf '  %-28s' "case"
for p in "${PROVIDERS[@]}"; do printf ' | %-24s' "$p"; done
echo
for c in "${cases[@]}"; do
	name=${c%%|*}
	args=${c#*|}
	printf '  %-28s' "$name"
	for p in "${PROVIDERS[@]}"; do
		# shellcheck disable=SC2086
		v=$("$PT" verify --provider "$p" $args 2>"$ERR" | head -1 || true)
		if [ -z "$v" ]; then
			v=$(tail -1 "$ERR")
			case "$v" in *"refused:"*) v="(refused by version gate)" ;; esac
		fi
		printf ' | %-24s' "$v"
	done
	echo
done
echo

if [ -x "$BENCH" ]; then
	echo "== 4. Benchmark summary (short run; full figures: plugtls-bench, README \"Benchmark\")"
	"$BENCH" --summary || echo "   (benchmark failed)"
	echo
fi

echo "Next: ./scripts/setup.sh test runs every test; README.md explains each part."
