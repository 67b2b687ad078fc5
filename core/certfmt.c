/*
 * Formatting of certificate fields: what a backend reported through the
 * builder (fields.c) becomes a plugtls_cert whose strings are the same
 * whatever the provider.
 *
 * Formatting decisions (the same for every provider):
 *  - Subject and issuer: RFC 4514 section 2. RDNs in reverse order of the
 *    DER, joined by ','; the attributes of a multi-valued RDN in DER order,
 *    joined by '+'. Attribute types by short name for CN, L, ST, O, OU, C,
 *    STREET, DC, UID (RFC 4514 section 3) and also emailAddress,
 *    serialNumber, SN, GN, title (the names OpenSSL prints); any other type
 *    as its dotted OID, with the value still printed as a string (the
 *    backend hands over UTF-8, not the BER needed for the '#' form).
 *    Escaping (section 2.4): ',', '+', '"', '\', '<', '>', ';' get a
 *    backslash, as do a leading '#' or space and a trailing space; NUL,
 *    other control characters, DEL and bytes that are not valid UTF-8 are
 *    written \XX with upper-case hex (RFC 4514 allows either case; OpenSSL
 *    prints upper). Valid UTF-8 is copied as is. A formatted name longer
 *    than PT_MAX_NAME is refused (PLUGTLS_E_TOO_LARGE).
 *  - Serial: lower-case hex, two digits per byte, leading zero bytes
 *    dropped, "0" for zero (the public header's contract).
 *  - DNS, EMAIL and URI SANs: their bytes, with any byte outside printable
 *    ASCII and the backslash itself written as \xHH, so that an embedded
 *    NUL cannot hide a suffix; such a SAN never matches a host name.
 *    IP SANs: inet_ntop ("127.0.0.1", "::1", "::ffff:127.0.0.1").
 *  - Key types: PLUGTLS_PROV_KEY_RSA_PSS is reported as "RSA": it is an RSA
 *    key (the public header lists RSA, EC, ED25519, ED448, DSA, unknown),
 *    and the weak-key rules treat it as RSA. Its PSS restriction shows in
 *    the signature algorithm ("rsassaPss") of what it signs.
 *  - Names compare (self_issued) on a canonical form: per RDN the set of
 *    (OID, value) pairs, values lower-cased in ASCII with runs of white
 *    space collapsed and the ends trimmed (RFC 5280 section 7.1, simplified:
 *    no Unicode case folding or normalisation).
 */
#include "cert_internal.h"

#include <sched.h>
#include <string.h>

/* A growing string with a length limit; the first failure sticks. */
struct pt_sb {
	char *p;
	size_t len, cap, max;
	plugtls_err rc;
};

static void pt_sb_put(struct pt_sb *b, const void *s, size_t n)
{
	if (b->rc)
		return;
	if (n > b->max - b->len) {
		b->rc = PLUGTLS_E_TOO_LARGE;
		return;
	}
	if (n + 1 > b->cap - b->len) {
		/* max <= PT_MAX_INPUT, so this cannot overflow. */
		size_t ncap = b->cap ? b->cap : 64;
		while (ncap - b->len < n + 1)
			ncap *= 2;
		char *q = pt_realloc(b->p, ncap);
		if (!q) {
			b->rc = PLUGTLS_E_NOMEM;
			return;
		}
		b->p = q;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

static void pt_sb_puts(struct pt_sb *b, const char *s)
{
	pt_sb_put(b, s, strlen(s));
}

static void pt_sb_u32(struct pt_sb *b, size_t v)
{
	unsigned char x[4] = {(unsigned char)(v >> 24),
			      (unsigned char)(v >> 16),
			      (unsigned char)(v >> 8), (unsigned char)v};
	pt_sb_put(b, x, 4);
}

/* Take the string out of b (an empty string when nothing was put). */
static char *pt_sb_take(struct pt_sb *b)
{
	char *s;

	if (!b->rc && !b->p)
		pt_sb_put(b, "", 0);
	if (b->rc) {
		pt_free(b->p);
		b->p = NULL;
		return NULL;
	}
	s = b->p;
	b->p = NULL;
	return s;
}

/* Length of the valid UTF-8 sequence at p (RFC 3629 section 4: shortest
 * form, no surrogates, at most U+10FFFF), or 0. */
static size_t pt_utf8_len(const unsigned char *p, size_t rem)
{
	unsigned char c = p[0];
	size_t n;
	unsigned char lo = 0x80, hi = 0xbf;

	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		n = 2;
	else if (c >= 0xe0 && c <= 0xef)
		n = 3;
	else if (c >= 0xf0 && c <= 0xf4)
		n = 4;
	else
		return 0;
	if (c == 0xe0)
		lo = 0xa0;
	else if (c == 0xed)
		hi = 0x9f;
	else if (c == 0xf0)
		lo = 0x90;
	else if (c == 0xf4)
		hi = 0x8f;
	if (rem < n || p[1] < lo || p[1] > hi)
		return 0;
	for (size_t i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/* One attribute value, escaped per RFC 4514 section 2.4. */
static void pt_put_value(struct pt_sb *b, const unsigned char *v, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";

	for (size_t i = 0; i < len;) {
		unsigned char c = v[i];
		size_t n = c < 0x80 ? 1 : pt_utf8_len(v + i, len - i);

		if ((c != '\0' && strchr(",+\"\\<>;", c)) ||
		    (i == 0 && (c == '#' || c == ' ')) ||
		    (i == len - 1 && c == ' ')) {
			char e[2] = {'\\', (char)c};
			pt_sb_put(b, e, 2);
			i++;
		} else if (c < 0x20 || c == 0x7f || n == 0) {
			char e[3] = {'\\', hex[c >> 4], hex[c & 15]};
			pt_sb_put(b, e, 3);
			i++;
		} else {
			pt_sb_put(b, v + i, n);
			i += n;
		}
	}
}

static const char *pt_attr_short_name(const char *oid)
{
	static const struct {
		const char *oid, *name;
	} tab[] = {
		{"2.5.4.3", "CN"},
		{"2.5.4.7", "L"},
		{"2.5.4.8", "ST"},
		{"2.5.4.10", "O"},
		{"2.5.4.11", "OU"},
		{"2.5.4.6", "C"},
		{"2.5.4.9", "STREET"},
		{"0.9.2342.19200300.100.1.25", "DC"},
		{"0.9.2342.19200300.100.1.1", "UID"},
		{"1.2.840.113549.1.9.1", "emailAddress"},
		{"2.5.4.5", "serialNumber"},
		{"2.5.4.4", "SN"},
		{"2.5.4.42", "GN"},
		{"2.5.4.12", "title"},
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(oid, tab[i].oid) == 0)
			return tab[i].name;
	return oid;
}

/* RFC 4514 string of a name. */
static plugtls_err pt_format_dn(const struct pt_dn *dn, char **out)
{
	struct pt_sb b = {.max = PT_MAX_NAME - 1};
	size_t end = dn->n;

	/* Walk RDN groups from the last to the first. */
	while (end > 0) {
		size_t start = end - 1;
		while (start > 0 && dn->a[start - 1].rdn == dn->a[end - 1].rdn)
			start--;
		if (end != dn->n)
			pt_sb_put(&b, ",", 1);
		for (size_t i = start; i < end; i++) {
			if (i != start)
				pt_sb_put(&b, "+", 1);
			pt_sb_puts(&b, pt_attr_short_name(dn->a[i].oid));
			pt_sb_put(&b, "=", 1);
			pt_put_value(&b, dn->a[i].value, dn->a[i].len);
		}
		end = start;
	}
	*out = pt_sb_take(&b);
	return *out ? PLUGTLS_OK : b.rc;
}

static bool pt_is_space(unsigned char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' ||
	       c == '\f';
}

/* Canonical value: ASCII lower case, white space runs collapsed to one
 * space, ends trimmed. dst has room for len bytes. */
static size_t pt_canon_value(const unsigned char *v, size_t len,
			     unsigned char *dst)
{
	size_t o = 0;
	bool pending_space = false;

	for (size_t i = 0; i < len; i++) {
		unsigned char c = v[i];
		if (pt_is_space(c)) {
			pending_space = o > 0;
			continue;
		}
		if (pending_space)
			dst[o++] = ' ';
		pending_space = false;
		dst[o++] = (c >= 'A' && c <= 'Z') ? (unsigned char)(c + 32) : c;
	}
	return o;
}

struct pt_canon {
	const char *oid;
	unsigned char *v;
	size_t len;
};

static int pt_canon_cmp(const struct pt_canon *x, const struct pt_canon *y)
{
	int r = strcmp(x->oid, y->oid);
	size_t m = x->len < y->len ? x->len : y->len;

	if (r)
		return r;
	if (m && (r = memcmp(x->v, y->v, m)))
		return r;
	return (x->len > y->len) - (x->len < y->len);
}

/* Canonical form of a name for comparison: per RDN (DER order) the count
 * and the sorted (OID, value) pairs, each length-prefixed. */
static plugtls_err pt_canon_dn(const struct pt_dn *dn, unsigned char **out,
			       size_t *out_len)
{
	struct pt_sb b = {.max = PT_MAX_INPUT};
	struct pt_canon *cv = NULL;
	plugtls_err rc = PLUGTLS_E_NOMEM;
	size_t start = 0;

	if (dn->n) {
		cv = pt_calloc(dn->n, sizeof(*cv));
		if (!cv)
			goto out;
	}
	for (size_t i = 0; i < dn->n; i++) {
		cv[i].oid = dn->a[i].oid;
		cv[i].v = pt_malloc(dn->a[i].len);
		if (!cv[i].v)
			goto out;
		cv[i].len = pt_canon_value(dn->a[i].value, dn->a[i].len,
					   cv[i].v);
	}
	pt_sb_u32(&b, dn->n);
	while (start < dn->n) {
		size_t end = start + 1;
		while (end < dn->n && dn->a[end].rdn == dn->a[start].rdn)
			end++;
		/* Insertion sort: an RDN holds a handful of attributes. */
		for (size_t i = start + 1; i < end; i++) {
			struct pt_canon t = cv[i];
			size_t j = i;
			while (j > start && pt_canon_cmp(&cv[j - 1], &t) > 0) {
				cv[j] = cv[j - 1];
				j--;
			}
			cv[j] = t;
		}
		pt_sb_u32(&b, end - start);
		for (size_t i = start; i < end; i++) {
			pt_sb_u32(&b, strlen(cv[i].oid));
			pt_sb_puts(&b, cv[i].oid);
			pt_sb_u32(&b, cv[i].len);
			pt_sb_put(&b, cv[i].v, cv[i].len);
		}
		start = end;
	}
	rc = b.rc;
	*out_len = b.len;
	*out = (unsigned char *)pt_sb_take(&b);
	if (!*out && !rc)
		rc = PLUGTLS_E_NOMEM;
out:
	if (cv) {
		for (size_t i = 0; i < dn->n; i++)
			pt_free(cv[i].v);
		pt_free(cv);
	}
	pt_free(b.p);
	return rc;
}

static char *pt_hex(const unsigned char *p, size_t len, char sep)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = len * (sep ? 3 : 2) + 1, o = 0;
	char *s;

	if (len > PT_MAX_INPUT)
		return NULL;
	s = pt_malloc(n);
	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (sep && i)
			s[o++] = sep;
		s[o++] = hex[p[i] >> 4];
		s[o++] = hex[p[i] & 15];
	}
	s[o] = '\0';
	return s;
}

static const struct {
	enum pt_field f;
	unsigned want; /* required only when wanted; 0: always */
	const char *name;
} pt_required[] = {
	{PT_F_DER, PLUGTLS_PROV_WANT_DER, "DER"},
	{PT_F_SPKI, PLUGTLS_PROV_WANT_SPKI, "SPKI"},
	{PT_F_SERIAL, PLUGTLS_PROV_WANT_SERIAL, "serial number"},
	{PT_F_VALIDITY, 0, "validity"},
	{PT_F_SIG_ALG, 0, "signature algorithm"},
};

/* Fill pin and fingerprint, no allocation. */
static void pt_cert_hashes_compute(plugtls_cert *c)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char h[PT_SHA256_LEN];
	char b64[45];
	size_t o = 0;

	pt_sha256(c->spki, c->spki_len, h);
	memcpy(c->pin, "sha256//", 8);
	if (pt_base64_encode(h, sizeof(h), b64, sizeof(b64)) == 44)
		memcpy(c->pin + 8, b64, 45);
	else
		c->pin[0] = '\0'; /* cannot happen: 32 bytes are 44 chars */
	pt_sha256(c->der, c->der_len, h);
	for (size_t i = 0; i < sizeof(h); i++) {
		if (i)
			c->fingerprint[o++] = ':';
		c->fingerprint[o++] = hex[h[i] >> 4];
		c->fingerprint[o++] = hex[h[i] & 15];
	}
	c->fingerprint[o] = '\0';
}

void pt_cert_hashes(const plugtls_cert *cc)
{
	/* Certificates are readable from many threads at once: the first
	 * caller computes, the others wait for it (a few microseconds). */
	plugtls_cert *c = (plugtls_cert *)(uintptr_t)cc;
	int expected = 0;

	if (__atomic_load_n(&c->hashes_state, __ATOMIC_ACQUIRE) == 2)
		return;
	if (__atomic_compare_exchange_n(&c->hashes_state, &expected, 1, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		pt_cert_hashes_compute(c);
		__atomic_store_n(&c->hashes_state, 2, __ATOMIC_RELEASE);
		return;
	}
	while (__atomic_load_n(&c->hashes_state, __ATOMIC_ACQUIRE) != 2)
		sched_yield();
}

/* The subject and issuer of c, formatted (RFC 4514), canonical (for
 * comparing) and compared; the subject's CN. *what names the failing one. */
static plugtls_err pt_cert_names(plugtls_cert *c, const struct pt_dn dn[2],
				 const char **what)
{
	plugtls_err rc;

	*what = "subject";
	if ((rc = pt_format_dn(&dn[PLUGTLS_PROV_SUBJECT], &c->subject)))
		return rc;
	if ((rc = pt_canon_dn(&dn[PLUGTLS_PROV_SUBJECT], &c->subject_der_key,
			      &c->subject_key_len)))
		return rc;
	*what = "issuer";
	if ((rc = pt_format_dn(&dn[PLUGTLS_PROV_ISSUER], &c->issuer)))
		return rc;
	if ((rc = pt_canon_dn(&dn[PLUGTLS_PROV_ISSUER], &c->issuer_der_key,
			      &c->issuer_key_len)))
		return rc;
	c->self_issued = c->subject_key_len == c->issuer_key_len &&
			 memcmp(c->subject_der_key, c->issuer_der_key,
				c->subject_key_len) == 0;
	/* The last CN in DER order is the most specific one. A CN with an
	 * embedded NUL is not kept: no C string could hold it faithfully. */
	for (size_t i = dn[PLUGTLS_PROV_SUBJECT].n; i > 0; i--) {
		const struct pt_attr *a = &dn[PLUGTLS_PROV_SUBJECT].a[i - 1];
		if (strcmp(a->oid, "2.5.4.3") != 0)
			continue;
		if (!memchr(a->value, 0, a->len)) {
			c->cn = pt_strdup((const char *)a->value);
			if (!c->cn)
				return PLUGTLS_E_NOMEM;
		}
		break;
	}
	return PLUGTLS_OK;
}

plugtls_err pt_cert_from_fields(const plugtls_provider *p,
				plugtls_prov_fields *f, plugtls_cert **out,
				plugtls_error *err)
{
	plugtls_err rc = PLUGTLS_E_INTERNAL;
	plugtls_cert *c = NULL;
	const char *what = "fields";

	if (!f || f->magic != PT_FIELDS_MAGIC || !out)
		return pt_err_set(err, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "certificate: no fields");
	if (f->err.code)
		return pt_err_set(err, f->err.code, f->err.provider_code,
				  "certificate fields: %s", f->err.message);
	for (size_t i = 0; i < sizeof(pt_required) / sizeof(pt_required[0]);
	     i++)
		if (!f->has[pt_required[i].f] &&
		    (f->want & pt_required[i].want) == pt_required[i].want)
			return pt_err_set(err, PLUGTLS_E_INTERNAL, 0,
					  "certificate fields: the backend did not report the %s",
					  pt_required[i].name);

	c = pt_calloc(1, sizeof(*c));
	if (!c) {
		rc = PLUGTLS_E_NOMEM;
		goto fail;
	}
	c->prov = p;
	c->path_len = -1;

	/* Take the buffers over from the builder. */
	c->der = f->der;
	c->der_len = f->der_len;
	f->der = NULL;
	c->spki = f->spki;
	c->spki_len = f->spki_len;
	f->spki = NULL;
	c->sans = f->sans;
	c->n_sans = f->n_sans;
	f->sans = NULL;
	f->n_sans = f->cap_sans = 0;

	c->partial = f->want != PT_WANT_ALL;
	if (f->want & PLUGTLS_PROV_WANT_NAMES) {
		rc = pt_cert_names(c, f->dn, &what);
		if (rc)
			goto fail;
	}
	if (f->want & PLUGTLS_PROV_WANT_SERIAL) {
		if (f->serial_len)
			c->serial = pt_hex(f->serial, f->serial_len, 0);
		else
			c->serial = pt_strdup("0");
		if (!c->serial) {
			rc = PLUGTLS_E_NOMEM;
			goto fail;
		}
	}
	c->not_before = f->not_before;
	c->not_after = f->not_after;

	/* pin and fingerprint: on first use (pt_cert_hashes). */

	c->key_type = f->key_type;
	c->key_bits = f->key_bits;
	memcpy(c->sig_oid, f->sig_oid, sizeof(c->sig_oid));
	c->sig_name = pt_sig_alg_name(c->sig_oid, NULL);
	if (!c->sig_name)
		c->sig_name = c->sig_oid;
	c->has_bc = f->has[PT_F_BASIC_CONSTRAINTS];
	c->is_ca = f->is_ca;
	c->path_len = f->path_len;
	c->has_eku = f->has[PT_F_EKU];
	c->eku = f->eku;
	for (size_t i = 0; i < 8; i++)
		c->has_fields[i] = f->has[i];

	*out = c;
	return PLUGTLS_OK;
fail:
	pt_cert_free(c);
	if (rc == PLUGTLS_E_TOO_LARGE)
		return pt_err_set(err, rc, 0,
				  "certificate: formatted %s is over %u bytes",
				  what, PT_MAX_NAME);
	if (rc == PLUGTLS_E_NOMEM)
		return pt_err_set(err, rc, 0, "certificate: out of memory");
	return pt_err_set(err, rc, 0, "certificate: %s: %s", what,
			  plugtls_err_string(rc));
}
