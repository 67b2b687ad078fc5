/*
 * Helpers shared by the core unit tests: hex printing, and certificates
 * built through the field builder (plugtls_prov_fields_*) without any
 * provider.
 */
#ifndef PT_UNIT_H
#define PT_UNIT_H

#include <criterion/criterion.h>

#include "cert_internal.h"

#include <stdio.h>
#include <string.h>

static inline const char *ut_hex(const unsigned char *p, size_t n, char *buf,
				 size_t cap)
{
	static const char hex[] = "0123456789abcdef";
	size_t o = 0;
	for (size_t i = 0; i < n && o + 2 < cap; i++) {
		buf[o++] = hex[p[i] >> 4];
		buf[o++] = hex[p[i] & 15];
	}
	buf[o] = '\0';
	return buf;
}

/* A DER-shaped blob: SEQUENCE { INTEGER tag }. */
#define UT_DER_LEN 5
static inline void ut_der(unsigned char tag, unsigned char out[UT_DER_LEN])
{
	out[0] = 0x30;
	out[1] = 0x03;
	out[2] = 0x02;
	out[3] = 0x01;
	out[4] = tag;
}

/* A builder with every required field reported: DER, SPKI, serial 0x01,
 * validity [1000, 2000], sha256WithRSAEncryption, RSA 2048. */
static inline plugtls_prov_fields *ut_fields(void)
{
	static const unsigned char spki[] = {0x30, 0x02, 0x05, 0x00};
	static const unsigned char serial[] = {0x01};
	unsigned char der[UT_DER_LEN];
	plugtls_prov_fields *f = pt_fields_new(PT_WANT_ALL);

	cr_assert_not_null(f);
	ut_der(1, der);
	cr_assert_eq(plugtls_prov_fields_der(f, der, sizeof(der)), PLUGTLS_OK);
	cr_assert_eq(plugtls_prov_fields_spki(f, spki, sizeof(spki)),
		     PLUGTLS_OK);
	cr_assert_eq(plugtls_prov_fields_serial(f, serial, sizeof(serial)),
		     PLUGTLS_OK);
	cr_assert_eq(plugtls_prov_fields_validity(f, 1000, 2000), PLUGTLS_OK);
	cr_assert_eq(plugtls_prov_fields_sig_alg(f, "1.2.840.113549.1.1.11"),
		     PLUGTLS_OK);
	return f;
}

static inline void ut_dn(plugtls_prov_fields *f, int which, unsigned rdn,
			 const char *oid, const char *value)
{
	cr_assert_eq(plugtls_prov_fields_dn(f, which, rdn, oid,
					    (const unsigned char *)value,
					    strlen(value)),
		     PLUGTLS_OK, "dn %s=%s", oid, value);
}

static inline void ut_san(plugtls_prov_fields *f, plugtls_san_type t,
			  const void *v, size_t len)
{
	cr_assert_eq(plugtls_prov_fields_san(f, t, v, len), PLUGTLS_OK);
}

static inline void ut_san_dns(plugtls_prov_fields *f, const char *name)
{
	ut_san(f, PLUGTLS_SAN_DNS, name, strlen(name));
}

/* Format f into a certificate (asserts success) and free f. */
static inline plugtls_cert *ut_cert(plugtls_prov_fields *f)
{
	plugtls_cert *c = NULL;
	plugtls_error e;

	pt_err_clear(&e);
	cr_assert_eq(pt_cert_from_fields(NULL, f, &c, &e), PLUGTLS_OK, "%s",
		     e.message);
	pt_fields_free(f);
	cr_assert_not_null(c);
	return c;
}

#endif
