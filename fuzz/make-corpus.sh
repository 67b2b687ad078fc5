#!/usr/bin/env bash
#
# fuzz/make-corpus.sh FIXTURE_DIR [RECORDER]
#
# Fills fuzz/material/ (the fixed keys, certificates and passwords the
# targets load at start-up) and the seed corpora fuzz/corpus/<target>/ from
# a conformance fixture directory (made by conformance/gen-fixtures.sh, e.g.
# <build>/conformance/fixtures). RECORDER is the pt_fuzz_record binary of a
# fuzz build (<build>/fuzz/pt_fuzz_record): when given, the handshake seeds
# (corpus/server, corpus/client) are recorded from real handshakes on every
# provider, using the new material.
#
# Material and seeds must come from the same fixture run (the fuzzed
# intermediates of corpus/verify are signed by material/ca.pem, the
# encrypted keys use material/key-password.txt, ...), so the script
# replaces both. Regression inputs (corpus/*/regress-*) are kept.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
fx=${1:?usage: make-corpus.sh FIXTURE_DIR [RECORDER]}
rec=${2:-}
[ -f "$fx/ca.pem" ] || { echo "make-corpus: $fx holds no fixtures" >&2; exit 2; }

mat=$here/material
corp=$here/corpus
mkdir -p "$mat"
for t in cert verify key pkcs12 server client pins alpn crl session; do
	mkdir -p "$corp/$t"
	find "$corp/$t" -type f ! -name 'regress-*' -delete
done

# ---- material ---------------------------------------------------------------
for f in ca.pem int.pem server-ec.pem server-ec-chain.pem server-ec.key \
	client-chain.pem client.key key-password.txt p12-password.txt \
	psk.bin psk-identity.txt; do
	cp "$fx/$f" "$mat/$f"
done
# A moment inside every material certificate's validity: the leaves start
# one day before the fixtures were made, the CAs sixty days before.
read -r nb _ <"$fx/server-ec.dates" || true  # no trailing newline
echo $((nb + 86400)) >"$mat/verify-time"

der() { openssl x509 -in "$1" -outform DER -out "$2"; }

# ---- cert: PEM and DER certificates, bundles ---------------------------------
for f in ca int server-ec server-rsa server-ed25519 client dn-escape leaf-ip \
	leaf-wildcard leaf-sha1 leaf-clientonly leaf-pathlen int-nc \
	selfsigned-ed25519 leaf-tampered; do
	cp "$fx/$f.pem" "$corp/cert/$f.pem"
done
cp "$fx/bundle3.pem" "$fx/junk-bundle.pem" "$corp/cert/"
cp "$fx/server-ec.der" "$corp/cert/server-ec.der"
der "$fx/server-rsa.pem" "$corp/cert/server-rsa.der"
der "$fx/dn-escape.pem" "$corp/cert/dn-escape.der"
der "$fx/selfsigned-ed25519.pem" "$corp/cert/selfsigned-ed25519.der"

# ---- verify: untrusted intermediates for the fixed leaf (server-ec) ----------
cp "$fx/int.pem" "$corp/verify/int.pem"
der "$fx/int.pem" "$corp/verify/int.der"
cat "$fx/int.pem" "$fx/ca.pem" >"$corp/verify/int-ca.pem"
for f in int-pathlen0 int-nc int-noca other-ca unknown-ca; do
	cp "$fx/$f.pem" "$corp/verify/$f.pem"
done
cp "$fx/junk-bundle.pem" "$corp/verify/junk-bundle.pem"

# ---- key: every key encoding (encrypted ones use key-password.txt) -----------
for f in server-ec.key server-ec.key.der server-ec.trad.key server-ec-enc.key \
	server-rsa.key server-rsa.trad.key server-rsa-enc.trad.key \
	server-ed25519.key server-ed25519.key.der; do
	cp "$fx/$f" "$corp/key/$f"
done

# ---- pkcs12: good, legacy, key-less and corrupt bundles (p12-password.txt) ---
for f in server-ec.p12 server-ec-legacy.p12 nokey.p12 p12-corrupt-der.p12 \
	p12-corrupt-mac.p12; do
	cp "$fx/$f" "$corp/pkcs12/$f"
done

# ---- crl: CRLs signed by the material CA and intermediate --------------------
for f in crl-ca.pem crl-ca.der crl-int.pem crl-int.der; do
	cp "$fx/$f" "$corp/crl/$f"
done

# ---- pins and alpn: strings ---------------------------------------------------
pin=$(cat "$fx/server-ec.pin")
printf '%s' "$pin" >"$corp/pins/one"
printf ' %s ;\t%s' "$pin" "sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=" >"$corp/pins/two"
printf '%s;' "$pin" >"$corp/pins/trailing-semicolon"
printf 'sha1//%s' "${pin#sha256//}" >"$corp/pins/other-hash"
printf 'h2,http/1.1' >"$corp/alpn/h2-http11"
printf 'x' >"$corp/alpn/one"
printf 'a,b,c,d,e,f,g,h,i,j,k,l,m,n,o,p,q,r,s,t,u,v,w,x,y,z,A,B,C,D,E,F' >"$corp/alpn/32-names"
head -c 255 /dev/zero | tr '\0' 'p' >"$corp/alpn/255-bytes"
printf 'h2,,http/1.1' >"$corp/alpn/empty-entry"

# ---- server, client, session: recorded handshakes and sessions ------------------
if [ -n "$rec" ]; then
	PLUGTLS_FUZZ_MATERIAL=$mat "$rec" "$corp"
fi

du -sh "$corp" "$mat"
