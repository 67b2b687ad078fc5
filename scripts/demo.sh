#!/usr/bin/env bash
# The demonstration: every provider side by side. Usage: demo.sh BUILD_DIR
set -euo pipefail
BUILD=${1:?build dir}
PT=$BUILD/cli/plugtls
FX=$BUILD/conformance/fixtures
export LD_LIBRARY_PATH=$BUILD${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}

echo "plugtls demo — one strict TLS API, several providers"
echo
echo "== Providers (run-time version, version gate, capabilities)"
"$PT" providers
echo

mapfile -t PROVIDERS < <("$PT" providers | awk '/^provider: /{print $2}')

ERR=$(mktemp)
trap 'rm -f "$ERR"' EXIT

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
echo "== Verification: the same case, each provider's verdict"
printf '%-30s' "case"
for p in "${PROVIDERS[@]}"; do printf ' | %-28s' "$p"; done
echo
for c in "${cases[@]}"; do
	name=${c%%|*}
	args=${c#*|}
	printf '%-30s' "$name"
	for p in "${PROVIDERS[@]}"; do
		# shellcheck disable=SC2086
		v=$("$PT" verify --provider "$p" $args 2>"$ERR" | head -1 || true)
		if [ -z "$v" ]; then
			v=$(tail -1 "$ERR")
			case "$v" in *"refused:"*) v="(refused by version gate)" ;; esac
		fi
		printf ' | %-28s' "$v"
	done
	echo
done

echo
echo "A provider refused by its version gate can be accepted explicitly when the"
echo "distribution backported the fixes: PLUGTLS_ACCEPT_VULNERABLE=gnutls:CVE-…"
echo "(see README, \"Version gates\")."
