/*
 * The core's own certificate checks: host name / IP address, validity at a
 * chosen time, extended key usage, weak algorithms. They run on the chain
 * the provider built, so that the verdict is the same on every provider
 * (DESIGN.md, "Verification: who checks what").
 *
 * Host matching (RFC 6125, with these project decisions):
 *  - Only subjectAltName entries are used. There is NO common-name
 *    fallback, ever: a certificate without a matching SAN never matches,
 *    even when its CN equals the host (as Chrome and Go do; RFC 6125
 *    section 6.4.4 allows the fallback, we refuse it).
 *  - DNS names compare case-insensitively in ASCII; one trailing dot on
 *    either side is ignored ("example.com." = "example.com"). Names must
 *    be ASCII letters, digits, '-' and '_' in non-empty labels: an IDN
 *    must be given as its A-label ("xn--…"). A SAN outside that syntax
 *    (e.g. one holding an escaped NUL, see certfmt.c) never matches.
 *  - A wildcard is only the entire left-most label ("*.example.com"). It
 *    matches exactly one non-empty label and needs at least two labels
 *    after it: "*.com" and "*" never match anything. Partial wildcards
 *    ("f*.example.com", "*oo.example.com", "a.*.example.com") never match.
 *    No public-suffix list is consulted ("*.co.uk" matches "a.co.uk").
 *  - A host that parses as an IP address (pt_parse_ip) is compared only
 *    with IP SANs, byte for byte, IPv4 and IPv6 distinct: "::ffff:1.2.3.4"
 *    does not match an IPv4 SAN 1.2.3.4. It is never compared with a DNS
 *    SAN, so a wildcard never matches an address.
 *
 * Policy (pt_check_policy), on the chain leaf first, anchor last:
 *  - every certificate: not_before > t gives NOT_YET_VALID, not_after < t
 *    gives EXPIRED (both bounds inclusive, RFC 5280 section 4.1.2.5);
 *  - the leaf: with an extendedKeyUsage extension that lists neither the
 *    purpose asked for nor anyExtendedKeyUsage: PURPOSE (purpose 0 skips);
 *  - WEAK_ALGORITHM: any certificate but the last signed with MD2, MD4,
 *    MD5, SHA-0 or SHA-1 (RSA, ECDSA or DSA variants; the anchor's
 *    self-signature is not relied on, so it is not checked), or any
 *    certificate, anchor included, with an RSA or DSA key under 2048 bits
 *    or an EC key under 224 bits. RSASSA-PSS carries its hash in
 *    parameters the backend does not report, so it is not judged here.
 *  - an empty chain gives OTHER (fail closed).
 */
#include "cert_internal.h"

#include <arpa/inet.h>
#include <string.h>

size_t pt_parse_ip(const char *s, unsigned char out[16])
{
	struct in_addr a4;
	struct in6_addr a6;

	/* inet_pton(AF_INET) takes only the dotted quad, four decimal parts
	 * (POSIX), unlike inet_aton ("127.1", "0x7f.1"); AF_INET6 takes the
	 * RFC 4291 text forms, without zone ("%eth0") or brackets. */
	if (!s || !*s || !out)
		return 0;
	if (inet_pton(AF_INET, s, &a4) == 1) {
		memcpy(out, &a4, 4);
		return 4;
	}
	if (inet_pton(AF_INET6, s, &a6) == 1) {
		memcpy(out, &a6, 16);
		return 16;
	}
	return 0;
}

static bool pt_ldh(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static char pt_lower(char c)
{
	return (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
}

/* Check the syntax of a DNS name of length len (trailing dot already
 * removed) and count its labels. With wild, the first label may be "*". */
static bool pt_dns_syntax(const char *s, size_t len, bool wild,
			  size_t *labels)
{
	size_t n = 0, lablen = 0;

	if (len == 0)
		return false;
	for (size_t i = 0; i <= len; i++) {
		if (i == len || s[i] == '.') {
			if (lablen == 0)
				return false;
			n++;
			lablen = 0;
			continue;
		}
		if (s[i] == '*') {
			/* Only as the whole first label. */
			if (!wild || i != 0 || (i + 1 < len && s[i + 1] != '.'))
				return false;
		} else if (!pt_ldh(s[i])) {
			return false;
		}
		lablen++;
	}
	*labels = n;
	return true;
}

static bool pt_ieq(const char *a, const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (pt_lower(a[i]) != pt_lower(b[i]))
			return false;
	return true;
}

bool pt_dns_match(const char *pattern, const char *host)
{
	size_t pl, hl, plabels, hlabels;

	if (!pattern || !host)
		return false;
	pl = strlen(pattern);
	hl = strlen(host);
	/* One trailing dot is ignored on either side. */
	if (pl && pattern[pl - 1] == '.')
		pl--;
	if (hl && host[hl - 1] == '.')
		hl--;
	if (!pt_dns_syntax(pattern, pl, true, &plabels) ||
	    !pt_dns_syntax(host, hl, false, &hlabels))
		return false;
	if (pattern[0] != '*')
		return pl == hl && pt_ieq(pattern, host, pl);
	/* "*.rest": at least two labels after the wildcard; the host has the
	 * same number of labels and its first (any, non-empty) is what the
	 * wildcard stands for. */
	if (plabels < 3 || hlabels != plabels)
		return false;
	const char *hrest = memchr(host, '.', hl);
	if (!hrest)
		return false;
	size_t hrl = hl - (size_t)(hrest - host);
	return hrl == pl - 1 && pt_ieq(pattern + 1, hrest, hrl);
}

uint32_t pt_check_host(const plugtls_cert *leaf, const char *host)
{
	unsigned char ip[16];
	size_t ip_len;

	if (!leaf || !host || !*host)
		return PLUGTLS_VERIFY_HOSTNAME;
	ip_len = pt_parse_ip(host, ip);
	for (size_t i = 0; i < leaf->n_sans; i++) {
		const pt_san *s = &leaf->sans[i];
		if (ip_len) {
			if (s->type == PLUGTLS_SAN_IP && s->ip_len == ip_len &&
			    memcmp(s->ip, ip, ip_len) == 0)
				return 0;
		} else if (s->type == PLUGTLS_SAN_DNS &&
			   pt_dns_match(s->value, host)) {
			return 0;
		}
	}
	/* No SAN matched; the CN is deliberately not consulted. */
	return PLUGTLS_VERIFY_HOSTNAME;
}

/* Signature algorithms by OID, with the names OpenSSL prints (its long
 * names), and whether the hash is broken for signatures. */
static const struct {
	const char *oid, *name;
	bool weak;
} pt_sig_algs[] = {
	/* RSA PKCS #1 v1.5 (RFC 8017 appendix C, RFC 4055) */
	{"1.2.840.113549.1.1.2", "md2WithRSAEncryption", true},
	{"1.2.840.113549.1.1.3", "md4WithRSAEncryption", true},
	{"1.2.840.113549.1.1.4", "md5WithRSAEncryption", true},
	{"1.2.840.113549.1.1.5", "sha1WithRSAEncryption", true},
	{"1.2.840.113549.1.1.10", "rsassaPss", false},
	{"1.2.840.113549.1.1.11", "sha256WithRSAEncryption", false},
	{"1.2.840.113549.1.1.12", "sha384WithRSAEncryption", false},
	{"1.2.840.113549.1.1.13", "sha512WithRSAEncryption", false},
	{"1.2.840.113549.1.1.14", "sha224WithRSAEncryption", false},
	{"1.2.840.113549.1.1.15", "sha512-224WithRSAEncryption", false},
	{"1.2.840.113549.1.1.16", "sha512-256WithRSAEncryption", false},
	/* OIW forms still seen in old certificates */
	{"1.3.14.3.2.3", "md5WithRSA", true},
	{"1.3.14.3.2.13", "dsaWithSHA", true},
	{"1.3.14.3.2.15", "shaWithRSAEncryption", true},
	{"1.3.14.3.2.27", "dsaWithSHA1-old", true},
	{"1.3.14.3.2.29", "sha1WithRSA", true},
	/* ECDSA (RFC 5758, RFC 3279) */
	{"1.2.840.10045.4.1", "ecdsa-with-SHA1", true},
	{"1.2.840.10045.4.3.1", "ecdsa-with-SHA224", false},
	{"1.2.840.10045.4.3.2", "ecdsa-with-SHA256", false},
	{"1.2.840.10045.4.3.3", "ecdsa-with-SHA384", false},
	{"1.2.840.10045.4.3.4", "ecdsa-with-SHA512", false},
	/* DSA */
	{"1.2.840.10040.4.3", "dsaWithSHA1", true},
	{"2.16.840.1.101.3.4.3.1", "dsa_with_SHA224", false},
	{"2.16.840.1.101.3.4.3.2", "dsa_with_SHA256", false},
	{"2.16.840.1.101.3.4.3.3", "dsa_with_SHA384", false},
	{"2.16.840.1.101.3.4.3.4", "dsa_with_SHA512", false},
	/* SHA-3 based (NIST CSOR) */
	{"2.16.840.1.101.3.4.3.9", "ecdsa_with_SHA3-224", false},
	{"2.16.840.1.101.3.4.3.10", "ecdsa_with_SHA3-256", false},
	{"2.16.840.1.101.3.4.3.11", "ecdsa_with_SHA3-384", false},
	{"2.16.840.1.101.3.4.3.12", "ecdsa_with_SHA3-512", false},
	{"2.16.840.1.101.3.4.3.13", "RSA-SHA3-224", false},
	{"2.16.840.1.101.3.4.3.14", "RSA-SHA3-256", false},
	{"2.16.840.1.101.3.4.3.15", "RSA-SHA3-384", false},
	{"2.16.840.1.101.3.4.3.16", "RSA-SHA3-512", false},
	/* EdDSA (RFC 8410) */
	{"1.3.101.112", "ED25519", false},
	{"1.3.101.113", "ED448", false},
};

const char *pt_sig_alg_name(const char *oid, bool *weak)
{
	if (weak)
		*weak = false;
	if (!oid)
		return NULL;
	for (size_t i = 0; i < sizeof(pt_sig_algs) / sizeof(pt_sig_algs[0]);
	     i++) {
		if (strcmp(oid, pt_sig_algs[i].oid) == 0) {
			if (weak)
				*weak = pt_sig_algs[i].weak;
			return pt_sig_algs[i].name;
		}
	}
	return NULL;
}

const char *pt_cert_key_type_name(plugtls_prov_key_type t)
{
	switch (t) {
	case PLUGTLS_PROV_KEY_RSA:
	case PLUGTLS_PROV_KEY_RSA_PSS: /* an RSA key: see certfmt.c */
		return "RSA";
	case PLUGTLS_PROV_KEY_EC:
		return "EC";
	case PLUGTLS_PROV_KEY_ED25519:
		return "ED25519";
	case PLUGTLS_PROV_KEY_ED448:
		return "ED448";
	case PLUGTLS_PROV_KEY_DSA:
		return "DSA";
	case PLUGTLS_PROV_KEY_UNKNOWN:
		break;
	}
	return "unknown";
}

bool pt_cert_weak_sig(const plugtls_cert *c)
{
	bool weak = false;

	pt_sig_alg_name(c->sig_oid, &weak);
	return weak;
}

bool pt_cert_weak_key(const plugtls_cert *c)
{
	switch (c->key_type) {
	case PLUGTLS_PROV_KEY_RSA:
	case PLUGTLS_PROV_KEY_RSA_PSS:
	case PLUGTLS_PROV_KEY_DSA:
		return c->key_bits < 2048;
	case PLUGTLS_PROV_KEY_EC:
		return c->key_bits < 224;
	default:
		return false;
	}
}

uint32_t pt_check_policy(const plugtls_chain *chain, int64_t t,
			 unsigned purpose)
{
	uint32_t r = 0;
	const plugtls_cert *leaf;

	if (!chain || chain->n == 0 || !chain->certs)
		return PLUGTLS_VERIFY_OTHER;
	for (size_t i = 0; i < chain->n; i++) {
		const plugtls_cert *c = chain->certs[i];
		if (c->not_before > t)
			r |= PLUGTLS_VERIFY_NOT_YET_VALID;
		if (c->not_after < t)
			r |= PLUGTLS_VERIFY_EXPIRED;
		if (i + 1 < chain->n && pt_cert_weak_sig(c))
			r |= PLUGTLS_VERIFY_WEAK_ALGORITHM;
		if (pt_cert_weak_key(c))
			r |= PLUGTLS_VERIFY_WEAK_ALGORITHM;
	}
	leaf = chain->certs[0];
	if (purpose && leaf->has_eku &&
	    !(leaf->eku & (purpose | PLUGTLS_PURPOSE_ANY)))
		r |= PLUGTLS_VERIFY_PURPOSE;
	return r;
}
