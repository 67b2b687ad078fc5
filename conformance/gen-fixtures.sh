#!/usr/bin/env bash
#
# gen-fixtures.sh OUTDIR — the conformance suite's PKI, made with the
# `openssl` command (Debian 12: OpenSSL 3.0) at build time.
#
# Validity is relative to the moment the script runs ("now"):
#   CA certificates (ca, int, int-*, other-ca, unknown-ca): now-60d .. now+3650d
#     (wider than the leaves so that "verify at a past time" inside a leaf's
#     validity does not trip over its issuers)
#   normal leaves:  now-1d .. now+365d
#   leaf-expired:   now-30d .. now-1d
#   leaf-notyet:    now+30d .. now+395d (30 days, not 1: fixtures in a
#                   build tree outlive the day they were made)
#   CRLs:           lastUpdate now-1d, nextUpdate now+365d
# Every file is made in a temporary directory next to OUTDIR and moved into
# place at the end, so a failed run leaves no half-made OUTDIR.
#
# Certificates are signed with SHA-256 unless stated. Unless stated, a leaf
# is ECDSA P-256, signed by int, subject CN=localhost, SAN DNS:localhost,
# DNS:server.test, IP:127.0.0.1, IP:::1 ("the standard SAN"), EKU serverAuth,
# keyUsage digitalSignature, basicConstraints CA:FALSE.
#
# DNs are written C, O, CN in the DER, so RFC 4514 prints them CN,O,C.
#
# Base set (relied on by several test files)
# ------------------------------------------------------------------------
# ca.pem / ca.key            root CA, ECDSA P-256, "CN=plugtls Test Root CA,
#                            O=plugtls test,C=GB", self-signed, critical
#                            CA:TRUE (no path length), keyUsage keyCertSign,
#                            cRLSign. Serial 01.
# int.pem / int.key          intermediate under ca, "CN=plugtls Test
#                            Intermediate CA,O=plugtls test,C=GB", CA:TRUE,
#                            pathlen:0. Serial 1002.
# server-ec.pem / .key       ECDSA P-256 leaf (PKCS#8 key), standard SAN.
#                            Serial 8f3a5c0012345678 (high bit set: the DER
#                            has a 00 sign byte that must not be printed).
# server-ec-chain.pem        server-ec.pem then int.pem
# server-rsa.pem/.key/-chain.pem   the same with an RSA-2048 key. Serial
#                            0c0ffee1 (leading zero nibble: printed "0c0ffee1").
# server-ed25519.pem/.key/-chain.pem   the same with an Ed25519 key.
# client.pem/.key/-chain.pem client leaf under int, CN=client.test,
#                            SAN DNS:client.test, EKU clientAuth.
# other-ca.pem / .key        an unrelated root, "CN=plugtls Other Root CA,
#                            O=plugtls test,C=GB".
# other-client.pem/.key/-chain.pem   client leaf signed directly by other-ca
#                            (no intermediate: -chain.pem holds the leaf
#                            only), CN=other-client.test, SAN
#                            DNS:other-client.test, EKU clientAuth.
# server-ec-enc.key          server-ec.key as encrypted PKCS#8 (AES-256-CBC,
#                            PBKDF2/HMAC-SHA256); password in key-password.txt
# key-password.txt           the key password, no trailing newline
# server-ec.p12              server-ec + int + key, AES-256-CBC/PBKDF2, SHA-256
#                            MAC, password in p12-password.txt
# p12-password.txt           the PKCS#12 password, no trailing newline
# server-ec-legacy.p12       the same bundle made with -legacy (RC2-40 certs,
#                            3DES key, SHA-1 MAC)
# nokey.p12                  server-ec + int, no key, same password
# psk.bin / psk-short.bin    32 / 15 random bytes
# psk-identity.txt           "plugtls-client", no newline
#
# Extra files for the certificate, key and PKCS#12 tests
# ------------------------------------------------------------------------
# <cert>.serial              for every certificate below: `openssl x509
#                            -serial`, lower case, leading 00 bytes removed
#                            (the format of plugtls_cert_serial)
# <cert>.dates               "NOT_BEFORE NOT_AFTER" in seconds since the
#                            epoch, from `openssl x509 -startdate -enddate`
# <cert>.spki.der            `openssl x509 -pubkey | openssl pkey -pubin
#                            -outform DER`
# <cert>.sha256              `openssl x509 -fingerprint -sha256`, lower case,
#                            "aa:bb:…"
#   (for: ca int server-ec server-rsa server-ed25519 client other-ca
#    other-client selfsigned-rsa selfsigned-ed25519 unknown-ca dn-escape
#    and every leaf-*/int-*)
# server-ec.pin              "sha256//BASE64" of server-ec's SPKI, computed
#                            by `openssl pkey | openssl dgst | openssl base64`
# server-ec.der              server-ec.pem as DER
# selfsigned-rsa.pem         self-signed cert of server-rsa.key,
#                            sha256WithRSAEncryption, "CN=rsa.test,O=plugtls
#                            test,C=GB", SAN DNS:rsa.test, no EKU
# selfsigned-ed25519.pem     self-signed cert of server-ed25519.key (signature
#                            ED25519), "CN=ed25519.test,O=plugtls test,C=GB",
#                            SAN DNS:ed25519.test, no EKU
# dn-escape.pem              self-signed with server-ec.key, validity now ..
#                            now+365d, subject (DER order) C=GB, L=Zürich
#                            (UTF-8), O=#hash, {OU=a, OU=b} (one RDN),
#                            CN=a,b+c "q" <d>;e\f=g; SAN in this order:
#                            DNS:esc.test, email:user@esc.test,
#                            RID:1.2.3.4 (not reported), URI:https://
#                            esc.test/p?q=1, IP:192.0.2.1, IP:2001:db8::1,
#                            DNS:*.esc.test; no EKU, CA:FALSE
# bundle3.pem                server-ec.pem, int.pem, ca.pem in that order
# junk-bundle.pem            the same three with text before, between and
#                            after the blocks, and a PUBLIC KEY block between
#                            the first two (to be skipped)
# server-ec.pub.pem          server-ec's public key (PEM with no CERTIFICATE)
# server-{ec,rsa,ed25519}.key.der   the keys as unencrypted PKCS#8 DER
# server-ec.trad.key         server-ec.key as traditional "EC PRIVATE KEY"
# server-rsa.trad.key        server-rsa.key as traditional "RSA PRIVATE KEY"
# server-rsa-enc.trad.key    server-rsa.key as traditional PEM encrypted with
#                            AES-256-CBC (Proc-Type: 4,ENCRYPTED), password
#                            key-password.txt
# p12-corrupt-mac.p12        server-ec.p12 with one byte flipped inside the
#                            ciphertext of the encrypted certificate bag:
#                            the DER still parses, the MAC does not match
#                            (indistinguishable from a wrong password)
# p12-corrupt-der.p12        server-ec.p12 with the outer SEQUENCE's length
#                            byte changed: the DER does not parse
#
# Verification cases (leaf-<case>.pem; int-<case>.pem, crl-<case>.pem)
# ------------------------------------------------------------------------
# leaf-good.pem              = server-ec.pem
# leaf-expired.pem           valid now-30d .. now-1d
# leaf-notyet.pem            valid now+30d .. now+395d
# leaf-selfsigned.pem        self-signed leaf (CA:FALSE), never trusted
# unknown-ca.pem / .key      a root that no test trusts
# leaf-unknown.pem           leaf signed by unknown-ca
# impostor-ca.pem / .key     a root with ca's subject name and another key
# leaf-impostor.pem          leaf signed by impostor-ca (issuer name: ca's)
# leaf-wildcard.pem          CN=*.wild.test, SAN DNS:*.wild.test only
# leaf-wildcard-tld.pem      CN=*.test, SAN DNS:*.test only: must not match
#                            "a.test" (wildcard over a single label)
# leaf-ip.pem                CN=ip.test, SAN IP:127.0.0.1, IP:::1 only
# leaf-ip-as-dns.pem         CN=127.0.0.1, SAN DNS:127.0.0.1 only: an IP
#                            address is matched only against IP SANs
# leaf-cn-only.pem           CN=localhost, no SAN (no CN fallback: fails)
# leaf-cn-with-san.pem       CN=cn.test, SAN DNS:san.test
# int-noca.pem               intermediate under ca with basicConstraints
#                            CA:FALSE and no keyUsage (so that only the CA
#                            bit is wrong)
# leaf-under-noca.pem        leaf signed by int-noca
# int-pathlen0.pem           intermediate under ca, CA:TRUE, pathlen:0
# int-below-pathlen0.pem     intermediate under int-pathlen0 (CA:TRUE):
#                            violates int-pathlen0's path length
# leaf-pathlen.pem           leaf signed by int-below-pathlen0
# leaf-clientonly.pem        standard leaf with EKU clientAuth only
# leaf-tampered.pem          server-ec's DER with the last byte (inside the
#                            ECDSA signature value) changed, PEM re-wrapped
# leaf-missing-int.pem       = server-ec.pem (verified without int)
# int-nc.pem                 intermediate under ca, critical nameConstraints
#                            permitted;DNS:allowed.test
# leaf-nc-ok.pem             under int-nc, CN=a.allowed.test, SAN
#                            DNS:a.allowed.test
# leaf-nc-bad.pem            under int-nc, CN=evil.test, SAN DNS:evil.test
# leaf-sha1.pem              standard leaf signed by int with ecdsa-with-SHA1
# leaf-rsa1024.pem / .key    standard leaf with an RSA-1024 key
# leaf-revoked.pem           standard leaf, revoked (keyCompromise) in crl-int
# crl-int.pem / crl-int.der  CRL v2 of int (PEM / DER) revoking leaf-revoked
# crl-ca.pem / crl-ca.der    CRL v2 of ca revoking nothing
# leaf-*.key, int-*.key      the private key of each case certificate
#                            (unencrypted PKCS#8), for tests that serve them
#
# Requires: bash, openssl (3.0 or later), coreutils (date, head, tail, cat,
# mktemp, mv, rm), cmp.

set -euo pipefail

if [ $# -ne 1 ]; then
	echo "usage: $0 OUTDIR" >&2
	exit 2
fi
OUT=${1%/}
command -v openssl >/dev/null || { echo "$0: openssl not found" >&2; exit 1; }

mkdir -p "$(dirname "$OUT")"
TMP=$(mktemp -d "$OUT.tmp.XXXXXX")
WORK=$(mktemp -d "${TMPDIR:-/tmp}/ptfix-work.XXXXXX")
trap 'rm -rf "$TMP" "$WORK"' EXIT
LOG=$WORK/openssl.log
: >"$LOG"

# Run openssl quietly; show its output only when it fails.
ossl() {
	if ! openssl "$@" >"$WORK/last.log" 2>&1; then
		echo "$0: openssl $* failed:" >&2
		tail -n 20 "$WORK/last.log" >&2
		exit 1
	fi
	cat "$WORK/last.log" >>"$LOG"
}

NOW=$(date -u +%s)
DAY=86400
ts() { date -u -d "@$((NOW + $1 * DAY))" +%Y%m%d%H%M%SZ; }
CA_START=$(ts -60)
CA_END=$(ts 3650)
START=$(ts -1)
END=$(ts 365)

# ---- openssl configuration -----------------------------------------------
CNF=$WORK/openssl.cnf
cat >"$CNF" <<'EOF'
# Minimal configuration: nothing from the system's openssl.cnf.
[ req ]
distinguished_name = req_dn
prompt = no
string_mask = utf8only
[ req_dn ]
CN = unused

[ ca ]
default_ca = pt_ca
[ pt_ca ]
dir = $ENV::PT_DB
database = $dir/index.txt
new_certs_dir = $dir/new
serial = $dir/serial
crlnumber = $dir/crlnumber
default_md = sha256
policy = pt_policy
unique_subject = no
email_in_dn = no
copy_extensions = none
[ pt_policy ]
countryName = optional
organizationName = optional
commonName = supplied

[ crl_ext ]
authorityKeyIdentifier = keyid:always

[ san_std ]
DNS.1 = localhost
DNS.2 = server.test
IP.1 = 127.0.0.1
IP.2 = ::1

[ x_root ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash

[ x_int ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ x_int_nolen ]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ x_int_noca ]
basicConstraints = critical, CA:FALSE
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ x_int_nc ]
basicConstraints = critical, CA:TRUE, pathlen:0
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always
nameConstraints = critical, permitted;DNS:allowed.test

[ x_server ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = @san_std
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ x_clientonly ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = @san_std
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ x_client ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:client.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ x_other_client ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = clientAuth
subjectAltName = DNS:other-client.test
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid:always

[ x_selfsigned ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = @san_std
subjectKeyIdentifier = hash

[ x_ss_rsa ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:rsa.test
subjectKeyIdentifier = hash

[ x_ss_ed25519 ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
subjectAltName = DNS:ed25519.test
subjectKeyIdentifier = hash

[ x_dn_escape ]
basicConstraints = CA:FALSE
subjectAltName = @san_escape
[ san_escape ]
DNS.1 = esc.test
email.1 = user@esc.test
RID.1 = 1.2.3.4
URI.1 = https://esc.test/p?q=1
IP.1 = 192.0.2.1
IP.2 = 2001:db8::1
DNS.2 = *.esc.test

[ x_wildcard ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.wild.test
authorityKeyIdentifier = keyid:always

[ x_wildcard_tld ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:*.test
authorityKeyIdentifier = keyid:always

[ x_ip ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = IP:127.0.0.1, IP:::1
authorityKeyIdentifier = keyid:always

[ x_ip_as_dns ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:127.0.0.1
authorityKeyIdentifier = keyid:always

[ x_cn_only ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
authorityKeyIdentifier = keyid:always

[ x_cn_with_san ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:san.test
authorityKeyIdentifier = keyid:always

[ x_nc_ok ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:a.allowed.test
authorityKeyIdentifier = keyid:always

[ x_nc_bad ]
basicConstraints = CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:evil.test
authorityKeyIdentifier = keyid:always
EOF
export OPENSSL_CONF=$CNF
# openssl-ca reads the database directory from $PT_DB (set per call).
export PT_DB=$WORK/db/none

# ---- helpers ---------------------------------------------------------------

# newkey NAME ec|rsa|rsa1024|ed25519 — unencrypted PKCS#8 PEM in $TMP/NAME.key
newkey() {
	case $2 in
	ec) ossl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 \
		-out "$TMP/$1.key" ;;
	rsa) ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 \
		-out "$TMP/$1.key" ;;
	rsa1024) ossl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:1024 \
		-out "$TMP/$1.key" ;;
	ed25519) ossl genpkey -algorithm ED25519 -out "$TMP/$1.key" ;;
	*) echo "newkey: bad type $2" >&2; exit 1 ;;
	esac
}

# Each CA has its own openssl-ca database under $WORK/db/<ca>.
newdb() {
	mkdir -p "$WORK/db/$1/new"
	: >"$WORK/db/$1/index.txt"
	echo 1000 >"$WORK/db/$1/crlnumber"
}

# sign NAME KEYNAME SUBJECT ISSUER SECTION SERIAL START END [openssl ca args]
#   ISSUER is the name of a CA whose $TMP/<ca>.pem/.key and database exist,
#   or "self". Writes $TMP/NAME.pem.
sign() {
	local name=$1 key=$2 subj=$3 issuer=$4 sect=$5 serial=$6 start=$7
	local end=$8
	shift 8
	local db
	if [ "$issuer" = self ]; then
		db=$WORK/db/self-$name
		newdb "self-$name"
	else
		db=$WORK/db/$issuer
	fi
	echo "$serial" >"$db/serial"
	ossl req -new -key "$TMP/$key.key" -subj "$subj" -out "$WORK/$name.csr"
	if [ "$issuer" = self ]; then
		PT_DB=$db ossl ca -batch -notext -preserveDN -selfsign \
			-keyfile "$TMP/$key.key" -in "$WORK/$name.csr" \
			-extensions "$sect" -startdate "$start" -enddate "$end" \
			-out "$TMP/$name.pem" "$@"
	else
		PT_DB=$db ossl ca -batch -notext -preserveDN \
			-cert "$TMP/$issuer.pem" -keyfile "$TMP/$issuer.key" \
			-in "$WORK/$name.csr" -extensions "$sect" \
			-startdate "$start" -enddate "$end" \
			-out "$TMP/$name.pem" "$@"
	fi
}

# meta NAME — the reference values that test_cert.c compares against.
meta() {
	local c=$TMP/$1.pem s d nb na
	s=$(openssl x509 -in "$c" -noout -serial)
	s=${s#serial=}
	s=${s,,}
	while [ "${s:0:2}" = 00 ] && [ ${#s} -gt 2 ]; do s=${s:2}; done
	printf '%s' "$s" >"$TMP/$1.serial"
	d=$(openssl x509 -in "$c" -noout -startdate)
	nb=$(date -u -d "${d#notBefore=}" +%s)
	d=$(openssl x509 -in "$c" -noout -enddate)
	na=$(date -u -d "${d#notAfter=}" +%s)
	printf '%s %s' "$nb" "$na" >"$TMP/$1.dates"
	openssl x509 -in "$c" -noout -pubkey 2>>"$LOG" |
		openssl pkey -pubin -outform DER -out "$TMP/$1.spki.der" \
			2>>"$LOG"
	d=$(openssl x509 -in "$c" -noout -fingerprint -sha256)
	d=${d#*=}
	printf '%s' "${d,,}" >"$TMP/$1.sha256"
}

SUBJ_BASE="/C=GB/O=plugtls test"

# ---- base set ---------------------------------------------------------------
newdb ca
newkey ca ec
sign ca ca "$SUBJ_BASE/CN=plugtls Test Root CA" self x_root 01 \
	"$CA_START" "$CA_END"
# The root's own database recorded its self-signature; issue under "ca".

newkey int ec
sign int int "$SUBJ_BASE/CN=plugtls Test Intermediate CA" ca x_int 1002 \
	"$CA_START" "$CA_END"
newdb int

newkey server-ec ec
sign server-ec server-ec "/CN=localhost" int x_server 8F3A5C0012345678 \
	"$START" "$END"
newkey server-rsa rsa
sign server-rsa server-rsa "/CN=localhost" int x_server 0C0FFEE1 \
	"$START" "$END"
newkey server-ed25519 ed25519
sign server-ed25519 server-ed25519 "/CN=localhost" int x_server 3003 \
	"$START" "$END"
newkey client ec
sign client client "/CN=client.test" int x_client 3004 "$START" "$END"
for n in server-ec server-rsa server-ed25519 client; do
	cat "$TMP/$n.pem" "$TMP/int.pem" >"$TMP/$n-chain.pem"
done

newdb other-ca
newkey other-ca ec
sign other-ca other-ca "$SUBJ_BASE/CN=plugtls Other Root CA" self x_root 01 \
	"$CA_START" "$CA_END"
newkey other-client ec
sign other-client other-client "/CN=other-client.test" other-ca \
	x_other_client 4001 "$START" "$END"
cp "$TMP/other-client.pem" "$TMP/other-client-chain.pem"

printf '%s' 'plugtls key password 1' >"$TMP/key-password.txt"
printf '%s' 'plugtls p12 password 1' >"$TMP/p12-password.txt"
ossl pkcs8 -topk8 -in "$TMP/server-ec.key" -v2 aes-256-cbc \
	-v2prf hmacWithSHA256 -passout "file:$TMP/key-password.txt" \
	-out "$TMP/server-ec-enc.key"

ossl pkcs12 -export -in "$TMP/server-ec.pem" -inkey "$TMP/server-ec.key" \
	-certfile "$TMP/int.pem" -name server-ec -keypbe AES-256-CBC \
	-certpbe AES-256-CBC -macalg sha256 \
	-passout "file:$TMP/p12-password.txt" -out "$TMP/server-ec.p12"
ossl pkcs12 -export -legacy -in "$TMP/server-ec.pem" \
	-inkey "$TMP/server-ec.key" -certfile "$TMP/int.pem" -name server-ec \
	-passout "file:$TMP/p12-password.txt" -out "$TMP/server-ec-legacy.p12"
ossl pkcs12 -export -nokeys -in "$TMP/server-ec-chain.pem" \
	-passout "file:$TMP/p12-password.txt" -out "$TMP/nokey.p12"

ossl rand -out "$TMP/psk.bin" 32
ossl rand -out "$TMP/psk-short.bin" 15
printf '%s' 'plugtls-client' >"$TMP/psk-identity.txt"

# ---- extra files for the certificate, key and PKCS#12 tests ------------------
openssl x509 -in "$TMP/server-ec.pem" -noout -pubkey 2>>"$LOG" |
	openssl pkey -pubin -outform DER 2>>"$LOG" |
	openssl dgst -sha256 -binary 2>>"$LOG" |
	openssl base64 -A >"$WORK/pin" 2>>"$LOG"
printf 'sha256//%s' "$(cat "$WORK/pin")" >"$TMP/server-ec.pin"
ossl x509 -in "$TMP/server-ec.pem" -outform DER -out "$TMP/server-ec.der"

sign selfsigned-rsa server-rsa "$SUBJ_BASE/CN=rsa.test" self x_ss_rsa 5001 \
	"$START" "$END"
sign selfsigned-ed25519 server-ed25519 "$SUBJ_BASE/CN=ed25519.test" self \
	x_ss_ed25519 5002 "$START" "$END"

# A subject that needs RFC 4514 escaping, a multi-valued RDN and UTF-8.
# `openssl req -x509` (validity now .. now+365d) because openssl-ca would
# rebuild the name.
ossl req -new -x509 -utf8 -key "$TMP/server-ec.key" -days 365 \
	-set_serial 0x5003 -extensions x_dn_escape -out "$TMP/dn-escape.pem" \
	-subj '/C=GB/L=Zürich/O=#hash/OU=b+OU=a/CN=a\,b\+c "q" <d>;e\\f=g'

cat "$TMP/server-ec.pem" "$TMP/int.pem" "$TMP/ca.pem" >"$TMP/bundle3.pem"
ossl pkey -in "$TMP/server-ec.key" -pubout -out "$TMP/server-ec.pub.pem"
{
	printf 'Bag Attributes\n    friendlyName: server-ec\n'
	printf 'subject=CN = localhost\n'
	cat "$TMP/server-ec.pem"
	printf '\nsome text between blocks -----\n\n'
	cat "$TMP/server-ec.pub.pem"
	printf 'more text\n'
	cat "$TMP/int.pem"
	printf '# a comment\r\n\r\n'
	cat "$TMP/ca.pem"
	printf 'trailing text without a newline'
} >"$TMP/junk-bundle.pem"

for n in server-ec server-rsa server-ed25519; do
	ossl pkey -in "$TMP/$n.key" -outform DER -out "$TMP/$n.key.der"
done
ossl ec -in "$TMP/server-ec.key" -out "$TMP/server-ec.trad.key"
ossl rsa -in "$TMP/server-rsa.key" -traditional -out "$TMP/server-rsa.trad.key"
ossl rsa -in "$TMP/server-rsa.key" -traditional -aes256 \
	-passout "file:$TMP/key-password.txt" -out "$TMP/server-rsa-enc.trad.key"

# flip_byte IN OUT OFFSET — copy IN to OUT with the byte at OFFSET (0-based)
# replaced by a different value (tried: 0x00, then 0x01).
flip_byte() {
	local in=$1 out=$2 off=$3 size v
	size=$(wc -c <"$in")
	if [ "$off" -ge "$size" ]; then
		echo "flip_byte: offset $off beyond $in" >&2
		exit 1
	fi
	for v in 0 1; do
		{
			head -c "$off" "$in"
			printf '%b' "\\00$v"
			tail -c "+$((off + 2))" "$in"
		} >"$out"
		if ! cmp -s "$in" "$out"; then
			return 0
		fi
	done
	echo "flip_byte: could not change $in" >&2
	exit 1
}

# PKCS#12 corruptions. The authSafe's OCTET STRING holds an
# AuthenticatedSafe whose first ContentInfo is the encryptedData of the
# certificate bag; its ciphertext is the "[0]" primitive with the largest
# length. Flipping a byte in the middle of it keeps every DER structure
# intact but breaks the MAC, which a reader cannot tell from a wrong
# password: the expected result is PLUGTLS_E_BAD_PASSWORD.
P12=$TMP/server-ec.p12
# asn1parse lines look like "  134:d=5  hl=4 l= 464 prim: cont [ 0 ]".
A1='s/^ *\([0-9]*\):d=[0-9]* *hl=\([0-9]*\) l= *\([0-9]*\) prim: '
read -r as_off as_hl _ < <(openssl asn1parse -inform DER -in "$P12" \
	2>>"$LOG" | sed -n "${A1}OCTET STRING.*/\\1 \\2 \\3/p" | head -n 1)
# Offsets inside -strparse output count from the OCTET STRING's contents.
read -r c_off c_hl c_len < <(openssl asn1parse -inform DER -in "$P12" \
	-strparse "$as_off" 2>>"$LOG" |
	sed -n "${A1}cont \\[ 0 \\].*/\\1 \\2 \\3/p" | sort -k3,3n | tail -n 1)
if [ -z "${as_off:-}" ] || [ -z "${c_len:-}" ] || [ "$c_len" -lt 64 ]; then
	echo "$0: could not find the certificate ciphertext in $P12" >&2
	exit 1
fi
flip_byte "$P12" "$TMP/p12-corrupt-mac.p12" \
	$((as_off + as_hl + c_off + c_hl + c_len / 2))
# The outer SEQUENCE's first length byte (offset 1) set to 0x00 or 0x01:
# the structure no longer parses: PLUGTLS_E_MALFORMED.
flip_byte "$P12" "$TMP/p12-corrupt-der.p12" 1

# ---- verification cases --------------------------------------------------------
cp "$TMP/server-ec.pem" "$TMP/leaf-good.pem"
cp "$TMP/server-ec.pem" "$TMP/leaf-missing-int.pem"

newkey leaf-expired ec
sign leaf-expired leaf-expired "/CN=localhost" int x_server 6001 \
	"$(ts -30)" "$(ts -1)"
newkey leaf-notyet ec
sign leaf-notyet leaf-notyet "/CN=localhost" int x_server 6002 \
	"$(ts 30)" "$(ts 395)"
newkey leaf-selfsigned ec
sign leaf-selfsigned leaf-selfsigned "/CN=localhost" self x_selfsigned 6003 \
	"$START" "$END"

newdb unknown-ca
newkey unknown-ca ec
sign unknown-ca unknown-ca "$SUBJ_BASE/CN=plugtls Unknown Root CA" self \
	x_root 01 "$CA_START" "$CA_END"
newkey leaf-unknown ec
sign leaf-unknown leaf-unknown "/CN=localhost" unknown-ca x_server 6004 \
	"$START" "$END"

# A root with the trusted root's name but a key of its own, and a leaf it
# signed: only the key identifiers tell the two roots apart.
newdb impostor-ca
newkey impostor-ca ec
sign impostor-ca impostor-ca "$SUBJ_BASE/CN=plugtls Test Root CA" self \
	x_root 01 "$CA_START" "$CA_END"
newkey leaf-impostor ec
sign leaf-impostor leaf-impostor "/CN=localhost" impostor-ca x_server 6014 \
	"$START" "$END"

newkey leaf-wildcard ec
sign leaf-wildcard leaf-wildcard "/CN=*.wild.test" int x_wildcard 6005 \
	"$START" "$END"
newkey leaf-wildcard-tld ec
sign leaf-wildcard-tld leaf-wildcard-tld "/CN=*.test" int x_wildcard_tld \
	6006 "$START" "$END"
newkey leaf-ip ec
sign leaf-ip leaf-ip "/CN=ip.test" int x_ip 6007 "$START" "$END"
newkey leaf-ip-as-dns ec
sign leaf-ip-as-dns leaf-ip-as-dns "/CN=127.0.0.1" int x_ip_as_dns 6008 \
	"$START" "$END"
newkey leaf-cn-only ec
sign leaf-cn-only leaf-cn-only "/CN=localhost" int x_cn_only 6009 \
	"$START" "$END"
newkey leaf-cn-with-san ec
sign leaf-cn-with-san leaf-cn-with-san "/CN=cn.test" int x_cn_with_san 600A \
	"$START" "$END"

newkey int-noca ec
sign int-noca int-noca "$SUBJ_BASE/CN=plugtls Not A CA" ca x_int_noca 1003 \
	"$CA_START" "$CA_END"
newdb int-noca
newkey leaf-under-noca ec
sign leaf-under-noca leaf-under-noca "/CN=localhost" int-noca x_server 600B \
	"$START" "$END"

newkey int-pathlen0 ec
sign int-pathlen0 int-pathlen0 "$SUBJ_BASE/CN=plugtls Pathlen0 CA" ca x_int \
	1004 "$CA_START" "$CA_END"
newdb int-pathlen0
newkey int-below-pathlen0 ec
sign int-below-pathlen0 int-below-pathlen0 \
	"$SUBJ_BASE/CN=plugtls Below Pathlen0 CA" int-pathlen0 x_int_nolen 1005 \
	"$CA_START" "$CA_END"
newdb int-below-pathlen0
newkey leaf-pathlen ec
sign leaf-pathlen leaf-pathlen "/CN=localhost" int-below-pathlen0 x_server \
	600C "$START" "$END"

newkey leaf-clientonly ec
sign leaf-clientonly leaf-clientonly "/CN=localhost" int x_clientonly 600D \
	"$START" "$END"

# The DER of a certificate ends with the signature value; change its last
# byte (the low byte of ECDSA's s, so the DER still parses).
ossl x509 -in "$TMP/server-ec.pem" -outform DER -out "$WORK/good.der"
flip_byte "$WORK/good.der" "$WORK/tampered.der" \
	$(($(wc -c <"$WORK/good.der") - 1))
ossl x509 -inform DER -in "$WORK/tampered.der" -out "$TMP/leaf-tampered.pem"

newkey int-nc ec
sign int-nc int-nc "$SUBJ_BASE/CN=plugtls Constrained CA" ca x_int_nc 1006 \
	"$CA_START" "$CA_END"
newdb int-nc
newkey leaf-nc-ok ec
sign leaf-nc-ok leaf-nc-ok "/CN=a.allowed.test" int-nc x_nc_ok 600E \
	"$START" "$END"
newkey leaf-nc-bad ec
sign leaf-nc-bad leaf-nc-bad "/CN=evil.test" int-nc x_nc_bad 600F \
	"$START" "$END"

newkey leaf-sha1 ec
sign leaf-sha1 leaf-sha1 "/CN=localhost" int x_server 6010 "$START" "$END" \
	-md sha1
newkey leaf-rsa1024 rsa1024
sign leaf-rsa1024 leaf-rsa1024 "/CN=localhost" int x_server 6011 \
	"$START" "$END"

newkey leaf-revoked ec
sign leaf-revoked leaf-revoked "/CN=localhost" int x_server 6012 \
	"$START" "$END"
PT_DB=$WORK/db/int ossl ca -batch -cert "$TMP/int.pem" \
	-keyfile "$TMP/int.key" -revoke "$TMP/leaf-revoked.pem" \
	-crl_reason keyCompromise
PT_DB=$WORK/db/int ossl ca -batch -gencrl -cert "$TMP/int.pem" \
	-keyfile "$TMP/int.key" -crlexts crl_ext \
	-crl_lastupdate "$START" -crl_nextupdate "$END" -out "$TMP/crl-int.pem"
ossl crl -in "$TMP/crl-int.pem" -outform DER -out "$TMP/crl-int.der"
PT_DB=$WORK/db/ca ossl ca -batch -gencrl -cert "$TMP/ca.pem" \
	-keyfile "$TMP/ca.key" -crlexts crl_ext \
	-crl_lastupdate "$START" -crl_nextupdate "$END" -out "$TMP/crl-ca.pem"
ossl crl -in "$TMP/crl-ca.pem" -outform DER -out "$TMP/crl-ca.der"

# ---- reference values -------------------------------------------------------
for n in ca int server-ec server-rsa server-ed25519 client other-ca \
	other-client selfsigned-rsa selfsigned-ed25519 unknown-ca dn-escape; do
	meta "$n"
done
for f in "$TMP"/leaf-*.pem "$TMP"/int-*.pem; do
	n=${f##*/}
	meta "${n%.pem}"
done

# Sanity checks of the PKI itself, so that a broken generator fails here and
# not as a puzzling test failure.
ossl verify -CAfile "$TMP/ca.pem" -untrusted "$TMP/int.pem" \
	"$TMP/server-ec.pem" "$TMP/server-rsa.pem" "$TMP/server-ed25519.pem" \
	"$TMP/client.pem" "$TMP/leaf-revoked.pem"
ossl verify -CAfile "$TMP/ca.pem" -untrusted "$TMP/int.pem" \
	-CRLfile "$TMP/crl-int.pem" -crl_check "$TMP/server-ec.pem"
if openssl verify -CAfile "$TMP/ca.pem" -untrusted "$TMP/int.pem" \
	"$TMP/leaf-tampered.pem" >>"$LOG" 2>&1; then
	echo "$0: leaf-tampered.pem verifies" >&2
	exit 1
fi
if openssl pkcs12 -in "$TMP/p12-corrupt-mac.p12" -noout \
	-passin "file:$TMP/p12-password.txt" >>"$LOG" 2>&1; then
	echo "$0: p12-corrupt-mac.p12 passes its MAC check" >&2
	exit 1
fi
ossl asn1parse -inform DER -in "$TMP/p12-corrupt-mac.p12"
if openssl asn1parse -inform DER -in "$TMP/p12-corrupt-der.p12" \
	>>"$LOG" 2>&1; then
	echo "$0: p12-corrupt-der.p12 still parses" >&2
	exit 1
fi

chmod 0644 "$TMP"/*
chmod 0755 "$TMP"
rm -rf "$OUT.old"
if [ -e "$OUT" ]; then
	mv "$OUT" "$OUT.old"
fi
mv "$TMP" "$OUT"
rm -rf "$OUT.old"
