/*
 * The field builder: a backend reports the raw fields of one certificate
 * through plugtls_prov_fields_* (provider.h); certfmt.c formats them.
 *
 * Every value comes from an untrusted certificate, so each call checks its
 * arguments and the limits of cert_internal.h. The first failure is kept
 * on the builder and sticks: a later call returns it again, and
 * pt_cert_from_fields refuses the builder even when the backend ignored
 * the code (a lost EKU or SAN must never produce a certificate that looks
 * complete). A single-valued field reported twice is a backend bug
 * (PLUGTLS_E_INVALID_ARGUMENT).
 */
#include "cert_internal.h"

#include <arpa/inet.h>
#include <string.h>

plugtls_prov_fields *pt_fields_new(unsigned want)
{
	plugtls_prov_fields *f = pt_calloc(1, sizeof(*f));

	if (f) {
		f->magic = PT_FIELDS_MAGIC;
		f->want = want & PT_WANT_ALL;
		f->path_len = -1;
	}
	return f;
}

int plugtls_prov_fields_wants(const plugtls_prov_fields *f, unsigned what)
{
	/* Anything not a builder: report everything, and let the reporting
	 * call name the mistake. */
	if (!f || f->magic != PT_FIELDS_MAGIC)
		return 1;
	return (what & PT_WANT_ALL & ~f->want) == 0;
}

void pt_sans_free(pt_san *sans, size_t n)
{
	for (size_t i = 0; i < n; i++)
		pt_free(sans[i].value);
	pt_free(sans);
}

void pt_fields_free(plugtls_prov_fields *f)
{
	if (!f)
		return;
	for (int w = 0; w < 2; w++) {
		for (size_t i = 0; i < f->dn[w].n; i++) {
			pt_free(f->dn[w].a[i].oid);
			pt_free(f->dn[w].a[i].value);
		}
		pt_free(f->dn[w].a);
	}
	pt_sans_free(f->sans, f->n_sans);
	pt_free(f->der);
	pt_free(f->spki);
	pt_free(f->serial);
	f->magic = 0;
	pt_free(f);
}

/* Record the first failure on the builder (sticky: pt_cert_from_fields
 * refuses a builder that failed, even if the backend ignored the code). */
static plugtls_err pt_f_fail(plugtls_prov_fields *f, plugtls_err code,
			     const char *fmt, ...) PLUGTLS_PRINTF(3, 4);
static plugtls_err pt_f_fail(plugtls_prov_fields *f, plugtls_err code,
			     const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	pt_err_setv(&f->err, code, 0, fmt, ap);
	va_end(ap);
	return code;
}

/* Common entry check: a valid builder that has not failed yet. */
static plugtls_err pt_f_enter(plugtls_prov_fields *f)
{
	if (!f || f->magic != PT_FIELDS_MAGIC)
		return pt_err_set(NULL, PLUGTLS_E_INVALID_ARGUMENT, 0,
				  "prov_fields: not a field builder");
	return f->err.code;
}

/* A single-valued field reported twice is a backend bug. */
static plugtls_err pt_f_once(plugtls_prov_fields *f, enum pt_field i,
			     const char *name)
{
	if (f->has[i])
		return pt_f_fail(f, PLUGTLS_E_INVALID_ARGUMENT,
				 "%s reported twice", name);
	return PLUGTLS_OK;
}

bool pt_oid_valid(const char *oid)
{
	size_t n = 0, arcs = 0, digits = 0;

	if (!oid)
		return false;
	for (; oid[n]; n++) {
		char c = oid[n];
		if (n >= PT_MAX_OID)
			return false;
		if (c == '.') {
			if (!digits)
				return false;
			arcs++;
			digits = 0;
		} else if (c >= '0' && c <= '9') {
			/* No leading zero in a multi-digit arc. */
			if (digits == 1 && oid[n - 1] == '0')
				return false;
			digits++;
		} else {
			return false;
		}
	}
	return digits && arcs >= 1;
}

static plugtls_err pt_f_copy(plugtls_prov_fields *f, unsigned char **dst,
			     size_t *dst_len, const unsigned char *src,
			     size_t len, const char *name)
{
	if (!src || !len)
		return pt_f_fail(f, PLUGTLS_E_INVALID_ARGUMENT, "%s is empty",
				 name);
	if (len > PT_MAX_INPUT)
		return pt_f_fail(f, PLUGTLS_E_TOO_LARGE, "%s is too large",
				 name);
	*dst = pt_memdup(src, len);
	if (!*dst)
		return pt_f_fail(f, PLUGTLS_E_NOMEM, "%s: out of memory",
				 name);
	*dst_len = len;
	return PLUGTLS_OK;
}

plugtls_err plugtls_prov_fields_der(plugtls_prov_fields *f,
				    const unsigned char *der, size_t len)
{
	plugtls_err rc = pt_f_enter(f);

	if (!rc && !(f->want & PLUGTLS_PROV_WANT_DER))
		return PLUGTLS_OK;
	if (!rc)
		rc = pt_f_once(f, PT_F_DER, "certificate DER");
	if (!rc)
		rc = pt_f_copy(f, &f->der, &f->der_len, der, len,
			       "certificate DER");
	if (!rc)
		f->has[PT_F_DER] = true;
	return rc;
}

plugtls_err plugtls_prov_fields_dn(plugtls_prov_fields *f, int which,
				   unsigned rdn, const char *oid,
				   const unsigned char *value, size_t len)
{
	plugtls_err rc = pt_f_enter(f);
	struct pt_dn *dn;
	struct pt_attr *a;

	if (rc)
		return rc;
	if (!(f->want & PLUGTLS_PROV_WANT_NAMES))
		return PLUGTLS_OK;
	if (which != PLUGTLS_PROV_SUBJECT && which != PLUGTLS_PROV_ISSUER)
		return pt_f_fail(f, PLUGTLS_E_INVALID_ARGUMENT,
				 "name attribute for unknown name %d", which);
	if (!oid || !pt_oid_valid(oid))
		return pt_f_fail(f, oid && strlen(oid) > PT_MAX_OID
					    ? PLUGTLS_E_TOO_LARGE
					    : PLUGTLS_E_INVALID_ARGUMENT,
				 "name attribute with a bad OID");
	if (!value && len)
		return pt_f_fail(f, PLUGTLS_E_INVALID_ARGUMENT,
				 "name attribute %s without a value", oid);
	if (len > PT_MAX_ATTR_VALUE)
		return pt_f_fail(f, PLUGTLS_E_TOO_LARGE,
				 "name attribute %s: value too long", oid);
	dn = &f->dn[which];
	/* RDNs arrive in DER order: the first attribute is in RDN 0, each
	 * next one in the same RDN or the next. */
	if (dn->n == 0 ? rdn != 0
		       : (rdn != dn->a[dn->n - 1].rdn &&
			  rdn != dn->a[dn->n - 1].rdn + 1))
		return pt_f_fail(f, PLUGTLS_E_INVALID_ARGUMENT,
				 "name attribute %s: RDN %u out of order", oid,
				 rdn);
	if (dn->n == PT_MAX_DN_ATTRS)
		return pt_f_fail(f, PLUGTLS_E_TOO_LARGE,
				 "name with more than %u attributes",
				 PT_MAX_DN_ATTRS);
	if (dn->n == dn->cap) {
		size_t ncap = dn->cap ? dn->cap * 2 : 8;
		struct pt_attr *na = pt_realloc(dn->a, ncap * sizeof(*na));
		if (!na)
			return pt_f_fail(f, PLUGTLS_E_NOMEM,
					 "name attribute: out of memory");
		dn->a = na;
		dn->cap = ncap;
	}
	a = &dn->a[dn->n];
	a->oid = pt_strdup(oid);
	a->value = pt_malloc(len + 1);
	if (!a->oid || !a->value) {
		pt_free(a->oid);
		pt_free(a->value);
		return pt_f_fail(f, PLUGTLS_E_NOMEM,
				 "name attribute: out of memory");
	}
	if (len)
		memcpy(a->value, value, len);
	a->value[len] = '\0';
	a->len = len;
	a->rdn = rdn;
	dn->n++;
	return PLUGTLS_OK;
}

/* Printed form of a DNS, EMAIL or URI SAN (see the comment at the top). */
static char *pt_san_print(const unsigned char *v, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0, o = 0;
	char *s;

	for (size_t i = 0; i < len; i++)
		n += (v[i] < 0x20 || v[i] > 0x7e || v[i] == '\\') ? 4 : 1;
	s = pt_malloc(n + 1);
	if (!s)
		return NULL;
	for (size_t i = 0; i < len; i++) {
		if (v[i] < 0x20 || v[i] > 0x7e || v[i] == '\\') {
			s[o++] = '\\';
			s[o++] = 'x';
			s[o++] = hex[v[i] >> 4];
			s[o++] = hex[v[i] & 15];
		} else {
			s[o++] = (char)v[i];
		}
	}
	s[o] = '\0';
	return s;
}

plugtls_err plugtls_prov_fields_san(plugtls_prov_fields *f,
				    plugtls_san_type type,
				    const unsigned char *value, size_t len)
{
	plugtls_err rc = pt_f_enter(f);
	pt_san s = {.type = type};

	if (rc)
		return rc;
	if (!value && len)
		return pt_f_fail(f, PLUGTLS_E_INVALID_ARGUMENT,
				 "SAN without a value");
	if (f->n_sans == PT_MAX_SANS)
		return pt_f_fail(f, PLUGTLS_E_TOO_LARGE,
				 "more than %u subjectAltName entries",
				 PT_MAX_SANS);
	switch (type) {
	case PLUGTLS_SAN_IP: {
		char buf[INET6_ADDRSTRLEN];
		if (len != 4 && len != 16)
			return pt_f_fail(f, PLUGTLS_E_MALFORMED,
					 "IP address SAN of %zu bytes", len);
		if (!inet_ntop(len == 4 ? AF_INET : AF_INET6, value, buf,
			       sizeof(buf)))
			return pt_f_fail(f, PLUGTLS_E_INTERNAL,
					 "IP address SAN: cannot print");
		memcpy(s.ip, value, len);
		s.ip_len = len;
		s.value = pt_strdup(buf);
		break;
	}
	case PLUGTLS_SAN_DNS:
	case PLUGTLS_SAN_EMAIL:
	case PLUGTLS_SAN_URI:
		if (len > PT_MAX_SAN_VALUE)
			return pt_f_fail(f, PLUGTLS_E_TOO_LARGE,
					 "SAN of %zu bytes", len);
		s.value = pt_san_print(value, len);
		break;
	default:
		return pt_f_fail(f, PLUGTLS_E_INVALID_ARGUMENT,
				 "SAN of unknown type %d", (int)type);
	}
	if (!s.value)
		return pt_f_fail(f, PLUGTLS_E_NOMEM, "SAN: out of memory");
	if (f->n_sans == f->cap_sans) {
		size_t ncap = f->cap_sans ? f->cap_sans * 2 : 4;
		pt_san *ns = pt_realloc(f->sans, ncap * sizeof(*ns));
		if (!ns) {
			pt_free(s.value);
			return pt_f_fail(f, PLUGTLS_E_NOMEM,
					 "SAN: out of memory");
		}
		f->sans = ns;
		f->cap_sans = ncap;
	}
	f->sans[f->n_sans++] = s;
	return PLUGTLS_OK;
}

/* RFC 5280 section 4.2.1.12 and the PKIX key purposes (RFC 5280 4.2.1.12,
 * id-kp 1..4); every other purpose is OTHER. */
static unsigned pt_eku_bit(const char *oid)
{
	static const struct {
		const char *oid;
		unsigned bit;
	} tab[] = {
		{"1.3.6.1.5.5.7.3.1", PLUGTLS_PURPOSE_SERVER},
		{"1.3.6.1.5.5.7.3.2", PLUGTLS_PURPOSE_CLIENT},
		{"1.3.6.1.5.5.7.3.3", PLUGTLS_PURPOSE_CODE_SIGNING},
		{"1.3.6.1.5.5.7.3.4", PLUGTLS_PURPOSE_EMAIL},
		{"2.5.29.37.0", PLUGTLS_PURPOSE_ANY},
	};

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++)
		if (strcmp(oid, tab[i].oid) == 0)
			return tab[i].bit;
	return PLUGTLS_PURPOSE_OTHER;
}

plugtls_err plugtls_prov_fields_eku(plugtls_prov_fields *f, const char *oid)
{
	plugtls_err rc = pt_f_enter(f);

	if (rc)
		return rc;
	if (!oid || !pt_oid_valid(oid))
		return pt_f_fail(f, oid && strlen(oid) > PT_MAX_OID
					    ? PLUGTLS_E_TOO_LARGE
					    : PLUGTLS_E_INVALID_ARGUMENT,
				 "extended key usage with a bad OID");
	f->eku |= pt_eku_bit(oid);
	f->has[PT_F_EKU] = true;
	return PLUGTLS_OK;
}

plugtls_err plugtls_prov_fields_spki(plugtls_prov_fields *f,
				     const unsigned char *der, size_t len)
{
	plugtls_err rc = pt_f_enter(f);

	if (!rc && !(f->want & PLUGTLS_PROV_WANT_SPKI))
		return PLUGTLS_OK;
	if (!rc)
		rc = pt_f_once(f, PT_F_SPKI, "SPKI");
	if (!rc)
		rc = pt_f_copy(f, &f->spki, &f->spki_len, der, len, "SPKI");
	if (!rc)
		f->has[PT_F_SPKI] = true;
	return rc;
}

plugtls_err plugtls_prov_fields_serial(plugtls_prov_fields *f,
				       const unsigned char *be, size_t len)
{
	plugtls_err rc = pt_f_enter(f);

	if (rc)
		return rc;
	if (!(f->want & PLUGTLS_PROV_WANT_SERIAL))
		return PLUGTLS_OK;
	if ((rc = pt_f_once(f, PT_F_SERIAL, "serial number")))
		return rc;
	if (!be && len)
		return pt_f_fail(f, PLUGTLS_E_INVALID_ARGUMENT,
				 "serial number without bytes");
	/* Leading zero bytes carry nothing. */
	while (len && be[0] == 0) {
		be++;
		len--;
	}
	if (len > PT_MAX_SERIAL)
		return pt_f_fail(f, PLUGTLS_E_MALFORMED,
				 "serial number of %zu bytes", len);
	f->serial = pt_memdup(len ? be : (const unsigned char *)"", len);
	if (!f->serial)
		return pt_f_fail(f, PLUGTLS_E_NOMEM,
				 "serial number: out of memory");
	f->serial_len = len;
	f->has[PT_F_SERIAL] = true;
	return PLUGTLS_OK;
}

plugtls_err plugtls_prov_fields_validity(plugtls_prov_fields *f,
					 int64_t not_before,
					 int64_t not_after)
{
	plugtls_err rc = pt_f_enter(f);

	if (!rc)
		rc = pt_f_once(f, PT_F_VALIDITY, "validity");
	if (rc)
		return rc;
	f->not_before = not_before;
	f->not_after = not_after;
	f->has[PT_F_VALIDITY] = true;
	return PLUGTLS_OK;
}

plugtls_err plugtls_prov_fields_key(plugtls_prov_fields *f,
				    plugtls_prov_key_type type, unsigned bits)
{
	plugtls_err rc = pt_f_enter(f);

	if (!rc)
		rc = pt_f_once(f, PT_F_KEY, "key type");
	if (rc)
		return rc;
	if ((int)type < PLUGTLS_PROV_KEY_UNKNOWN ||
	    type > PLUGTLS_PROV_KEY_RSA_PSS)
		return pt_f_fail(f, PLUGTLS_E_INVALID_ARGUMENT,
				 "unknown key type %d", (int)type);
	f->key_type = type;
	f->key_bits = bits;
	f->has[PT_F_KEY] = true;
	return PLUGTLS_OK;
}

plugtls_err plugtls_prov_fields_sig_alg(plugtls_prov_fields *f,
					const char *oid)
{
	plugtls_err rc = pt_f_enter(f);

	if (!rc)
		rc = pt_f_once(f, PT_F_SIG_ALG, "signature algorithm");
	if (rc)
		return rc;
	if (!oid || !pt_oid_valid(oid))
		return pt_f_fail(f, PLUGTLS_E_INVALID_ARGUMENT,
				 "signature algorithm with a bad OID");
	if (strlen(oid) >= sizeof(f->sig_oid))
		return pt_f_fail(f, PLUGTLS_E_TOO_LARGE,
				 "signature algorithm OID too long");
	memcpy(f->sig_oid, oid, strlen(oid) + 1);
	f->has[PT_F_SIG_ALG] = true;
	return PLUGTLS_OK;
}

plugtls_err plugtls_prov_fields_basic_constraints(plugtls_prov_fields *f,
						  int is_ca, int path_len)
{
	plugtls_err rc = pt_f_enter(f);

	if (!rc)
		rc = pt_f_once(f, PT_F_BASIC_CONSTRAINTS, "basic constraints");
	if (rc)
		return rc;
	if ((is_ca != 0 && is_ca != 1) || path_len < -1)
		return pt_f_fail(f, PLUGTLS_E_INVALID_ARGUMENT,
				 "basic constraints %d/%d", is_ca, path_len);
	f->is_ca = is_ca;
	f->path_len = path_len;
	f->has[PT_F_BASIC_CONSTRAINTS] = true;
	return PLUGTLS_OK;
}
